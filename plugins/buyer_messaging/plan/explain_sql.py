"""SQL behind `buyer-messaging explain`: everything the warehouse knows about one order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from buyer_messaging.warehouse.connection import column_names

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor

ORDER = """
SELECT amazon_order_id, marketplace, order_status, fulfillment_channel, purchase_date,
       last_update_date, earliest_delivery_date, latest_delivery_date, latest_ship_date,
       quarantined, quarantine_reason
FROM staging.orders WHERE account_id = %s AND amazon_order_id = %s
"""

REJECTED = """
SELECT source, reason, seen_at FROM staging.rejected_records
WHERE account_id = %s AND record_key = %s
"""

RETURNS = """
SELECT return_key, line_key, return_request_status, return_request_date, return_delivery_date,
       return_quantity, refunded_amount
FROM staging.returns WHERE account_id = %s AND amazon_order_id = %s ORDER BY return_key, line_key
"""

MESSAGES = """
SELECT id, kind, event, channel, status, due_on, send_before, reason, error, violation_codes,
       attempts, sent_at
FROM messaging.outbox WHERE account_id = %s AND amazon_order_id = %s ORDER BY kind, due_on, id
"""

ITEMS = """
SELECT order_item_id, asin, seller_sku, quantity_ordered, quantity_shipped
FROM staging.order_items WHERE account_id = %s AND amazon_order_id = %s ORDER BY order_item_id
"""

ATTEMPTS = """
SELECT a.attempt_no, a.started_at, a.finished_at, a.outcome, a.http_status, a.error
FROM messaging.attempts a WHERE a.outbox_id = %s ORDER BY a.attempt_no
"""


def fetch(cur: PgCursor, sql: str, *params: Any) -> list[dict[str, Any]]:
    cur.execute(sql, params)
    return rows(cur)


def rows(cur: PgCursor) -> list[dict[str, Any]]:
    """The last statement's rows as dicts."""
    names = column_names(cur)
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
