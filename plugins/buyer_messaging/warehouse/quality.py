"""SQL of the `quality` schema and the quarantine flags it sets in staging."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from psycopg2.extras import execute_values

ORDERS_IN_WINDOW = """
SELECT amazon_order_id, marketplace_id, marketplace, currency, order_status, purchase_date,
       order_total, earliest_ship_date, latest_ship_date, earliest_delivery_date, latest_delivery_date
FROM staging.orders
WHERE account_id = {account} AND last_update_date >= {start} AND last_update_date < {end}
"""

ORDER_ITEMS_IN_WINDOW = """
SELECT i.amazon_order_id, i.order_item_id, i.quantity_ordered, i.item_price, o.marketplace,
       i.currency
FROM staging.order_items i
JOIN staging.orders o ON o.account_id = i.account_id AND o.amazon_order_id = i.amazon_order_id
WHERE o.account_id = {account} AND o.last_update_date >= {start} AND o.last_update_date < {end}
"""

# returns requested in the window, with their order's marketplace where staging has the order
RETURNS_IN_WINDOW = """
SELECT r.amazon_order_id, r.return_key, r.line_key, r.return_quantity, r.order_quantity,
       r.refunded_amount, r.order_amount, r.currency, r.order_date, r.return_request_date,
       r.return_request_status, o.marketplace
FROM staging.returns r
LEFT JOIN staging.orders o ON o.account_id = r.account_id AND o.amazon_order_id = r.amazon_order_id
WHERE r.account_id = {account} AND r.return_request_date >= {start} AND r.return_request_date < {end}
"""

QUERIES = {"orders": ORDERS_IN_WINDOW, "order_items": ORDER_ITEMS_IN_WINDOW, "returns": RETURNS_IN_WINDOW}
# the suites whose bad rows quarantine the order, and the one that quarantines returns
ORDER_SUITES = ("orders", "order_items")

# orders updated on the run's day and on the day before: a drop to zero is an alert
DAY_COUNTS = """
SELECT count(*) FILTER (WHERE last_update_date >= %(day_start)s AND last_update_date < %(day_end)s),
       count(*) FILTER (WHERE last_update_date >= %(day_start)s - interval '1 day'
                          AND last_update_date < %(day_start)s)
FROM staging.orders WHERE account_id = %(account_id)s
"""

_CLEAR_QUARANTINE = """
UPDATE staging.orders SET quarantined = false, quarantine_reason = NULL
WHERE account_id = %s AND last_update_date >= %s AND last_update_date < %s AND quarantined
"""

_QUARANTINE = """
UPDATE staging.orders o SET quarantined = true,
    quarantine_reason = concat_ws('; ', NULLIF(o.quarantine_reason, ''), v.reason)
FROM unnest(%s::text[], %s::text[]) AS v(amazon_order_id, reason)
WHERE o.account_id = %s AND o.amazon_order_id = v.amazon_order_id
"""

_INSERT_RUN = """
INSERT INTO quality.runs (account_id, run_day, suite, rows_checked, rows_bad, success, docs_path)
VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id
"""

_INSERT_RESULTS = """
INSERT INTO quality.results (run_id, expectation, column_name, success, unexpected_count, sample_ids)
VALUES %s
"""


_CLEAR_RETURNS_QUARANTINE = """
UPDATE staging.returns SET quarantined = false, quarantine_reason = NULL
WHERE account_id = %s AND return_request_date >= %s AND return_request_date < %s AND quarantined
"""

# a bad line quarantines the order's returns in the window: one confirmation covers them all
_QUARANTINE_RETURNS = """
UPDATE staging.returns r SET quarantined = true,
    quarantine_reason = concat_ws('; ', NULLIF(r.quarantine_reason, ''), v.reason)
FROM unnest(%s::text[], %s::text[]) AS v(amazon_order_id, reason)
WHERE r.account_id = %s AND r.amazon_order_id = v.amazon_order_id
  AND r.return_request_date >= %s AND r.return_request_date < %s
"""


def clear_quarantine(cur: Any, account_id: str, window: tuple[datetime, datetime]) -> None:
    cur.execute(_CLEAR_QUARANTINE, (account_id, *window))
    cur.execute(_CLEAR_RETURNS_QUARANTINE, (account_id, *window))


def quarantine(cur: Any, account_id: str, reasons: dict[str, str]) -> None:
    if reasons:
        cur.execute(_QUARANTINE, (list(reasons), list(reasons.values()), account_id))


def quarantine_returns(
    cur: Any, account_id: str, reasons: dict[str, str], window: tuple[datetime, datetime]
) -> None:
    if reasons:
        cur.execute(_QUARANTINE_RETURNS, (list(reasons), list(reasons.values()), account_id, *window))


def record_run(
    cur: Any,
    account_id: str,
    run_day: date,
    suite: str,
    *,
    rows_checked: int,
    rows_bad: int,
    success: bool,
    docs_path: str | None,
    results: list[tuple[str, str, bool, int, list[str]]],
) -> int:
    cur.execute(
        _INSERT_RUN, (account_id, run_day, suite, rows_checked, rows_bad, success, docs_path)
    )
    run_id = int(cur.fetchone()[0])
    if results:
        execute_values(
            cur,
            _INSERT_RESULTS,
            [(run_id, exp, col, ok, n, sample) for exp, col, ok, n, sample in results],
        )
    return run_id
