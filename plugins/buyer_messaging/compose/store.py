"""SQL for render_and_lint: the planned messages with what their templates need, and the verdicts."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from psycopg2.extras import execute_values

from buyer_messaging.redact import scrub
from buyer_messaging.warehouse.connection import column_names

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor

PLANNED_WITH_CONTEXT = """
SELECT m.id, m.account_id, m.kind, m.event, m.ab_test, m.variant, m.amazon_order_id, o.marketplace, o.order_status, o.currency,
       -- Amazon drops OrderTotal once an order is cancelled: its items still carry prices
       coalesce(o.order_total,
                (SELECT sum(i.item_price) FROM staging.order_items i
                 WHERE i.account_id = m.account_id AND i.amazon_order_id = m.amazon_order_id)) AS order_total,
       o.purchase_date, o.latest_ship_date, o.earliest_delivery_date, o.latest_delivery_date,
       o.last_update_date,
       -- buyer PII kept until the retention purge (extraction drops e-mail and phone): the
       -- name for the greeting, the delivery address for a shipment confirmation
       coalesce(o.raw #>> '{BuyerInfo,BuyerName}', o.raw #>> '{buyer,buyerName}') AS buyer_name,
       CASE WHEN m.kind = 'shipment_confirmation'
            THEN coalesce(o.raw -> 'ShippingAddress', o.raw #> '{recipient,deliveryAddress}')
       END AS stored_address,
       -- the first package (Orders API 2026-01-01): what a shipment confirmation quotes
       t.carrier, t.tracking_number, t.ship_date,
       coalesce(t.estimated_delivery_end, o.latest_delivery_date) AS estimated_delivery,
       coalesce((SELECT json_agg(json_build_object('title', i.title, 'quantity', i.quantity_ordered,
                                                   'asin', i.asin, 'sku', i.seller_sku)
                                 ORDER BY i.order_item_id)
                 FROM staging.order_items i
                 WHERE i.account_id = m.account_id AND i.amazon_order_id = m.amazon_order_id),
                '[]'::json) AS items,
       -- a return confirmation quotes what came back and what was refunded, over all the
       -- order's returned lines (one confirmation per order): the refund date is the day the
       -- last return arrived, when the seller refunds it
       CASE WHEN m.kind = 'return_confirmation' THEN
           (SELECT json_build_object(
                       'items', json_agg(json_build_object('title', r.item_name, 'quantity', r.return_quantity,
                                                           'asin', r.asin, 'sku', r.merchant_sku)
                                         ORDER BY r.return_key, r.line_key),
                       'refunded_amount', sum(r.refunded_amount),
                       'currency', min(r.currency),
                       'refund_date', max(r.return_delivery_date))
            FROM staging.returns r
            WHERE r.account_id = m.account_id AND r.amazon_order_id = m.amazon_order_id)
       END AS returned,
       -- an unavailability notice names the lines it is about: what was cancelled (and why,
       -- per Amazon) or is still unshipped, with their prices for the refund
       CASE WHEN m.kind = 'unavailability_notice' THEN
           (SELECT json_agg(json_build_object('title', i.title, 'quantity', i.quantity_ordered,
                                              'asin', i.asin, 'sku', i.seller_sku,
                                              'shipped', i.quantity_shipped, 'price', i.item_price,
                                              'cancelled', c.quantity_cancelled,
                                              'cancel_reason', c.cancel_reason)
                            ORDER BY i.order_item_id)
            FROM staging.order_items i
            JOIN staging.order_item_cancellations c
              ON c.account_id = i.account_id AND c.amazon_order_id = i.amazon_order_id
             AND c.order_item_id = i.order_item_id
            WHERE i.account_id = m.account_id AND i.amazon_order_id = m.amazon_order_id)
       END AS lines
FROM messaging.outbox m
JOIN staging.orders o ON o.account_id = m.account_id AND o.amazon_order_id = m.amazon_order_id
LEFT JOIN staging.order_tracking t ON t.account_id = m.account_id AND t.amazon_order_id = m.amazon_order_id
WHERE m.account_id = %s AND m.status = 'planned' AND m.kind = ANY(%s)
ORDER BY m.id
"""

_APPLY = """
UPDATE messaging.outbox m
SET status = v.status, locale = v.locale, subject = v.subject, body = v.body,
    violation_codes = v.codes::text[], error = v.error, updated_at = now()
FROM (VALUES %s) AS v(id, status, locale, subject, body, codes, error)
WHERE m.id = v.id AND m.status = 'planned'
"""

_VIOLATIONS = """
INSERT INTO messaging.lint_violations (outbox_id, rule, category, severity, excerpt) VALUES %s
ON CONFLICT (outbox_id, rule, category) DO UPDATE SET excerpt = EXCLUDED.excerpt, severity = EXCLUDED.severity
"""


CHUNK_ROWS = 1000


def planned_with_context(cur: PgCursor, account_id: str, kinds: list[str]) -> list[dict[str, Any]]:
    cur.execute(PLANNED_WITH_CONTEXT, (account_id, kinds))
    names = column_names(cur)
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# (outbox id, status, locale, subject, body, blocking categories, error)
VerdictRow = tuple[int, str, str, str | None, str | None, list[str], str | None]
# (outbox id, rule, category, severity, excerpt)
ViolationRow = tuple[int, str, str, str, str]


def planned_chunks(
    conn: Any, account_id: str, kinds: list[str], *, chunk_rows: int = CHUNK_ROWS
) -> Generator[list[dict[str, Any]], None, None]:
    """The planned messages in chunks of `chunk_rows`, through a server-side cursor, so this
    process holds one chunk at a time whatever the day's size.

    The cursor is WITH HOLD: the caller commits each chunk's verdicts on the same connection
    and the cursor survives the commit (at the first commit Postgres keeps the rest of the
    result on the server, spilling to its temp files past work_mem). A row another run
    rendered meanwhile is left alone by `apply_verdicts`, which only updates planned rows.
    """
    cur = conn.cursor(name=f"planned_{account_id}"[:63], withhold=True)
    try:
        cur.itersize = chunk_rows
        cur.execute(PLANNED_WITH_CONTEXT, (account_id, kinds))
        names: list[str] | None = None
        while True:
            rows = cur.fetchmany(chunk_rows)
            if not rows:
                break
            if names is None:
                names = [d[0] for d in cur.description]
            yield [dict(zip(names, row, strict=True)) for row in rows]
    finally:
        _close_held(conn, cur)


def _close_held(conn: Any, cur: Any) -> None:
    """Close the held cursor now rather than with the connection; after an error (the
    transaction aborted) the connection's rollback and close free it instead."""
    from psycopg2.extensions import TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_INTRANS

    status = conn.info.transaction_status
    if status not in (TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_INTRANS):
        return
    cur.close()
    if status == TRANSACTION_STATUS_IDLE:
        conn.commit()  # the CLOSE began a transaction of its own: end it


def apply_verdicts(cur: PgCursor, rows: list[VerdictRow], violations: list[ViolationRow]) -> None:
    """rows: (id, status, locale, subject, body, codes list, error); violations: (id, rule, category, severity, excerpt)."""
    # a blocking verdict's error quotes the body, which may hold an e-mail address
    rows = [(*row[:6], scrub(row[6])) for row in rows]
    if rows:
        execute_values(cur, _APPLY, rows, template="(%s, %s, %s, %s, %s, %s, %s)")
    if violations:
        execute_values(cur, _VIOLATIONS, violations)
