"""SQL of the `quality` schema and the quarantine flags it sets in staging."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from psycopg2.extras import execute_values

from buyer_messaging.warehouse.connection import one_row

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor
    from psycopg2.sql import Composable, Composed

# Amounts are read as float8: GX serialises every Decimal it reports through inspect.stack(),
# ~5-30 ms each, and numeric(14, 2) values compare the same as doubles.
ORDERS_IN_WINDOW = """
SELECT amazon_order_id, marketplace_id, marketplace, currency, order_status, purchase_date,
       order_total::float8 AS order_total, earliest_ship_date, latest_ship_date, earliest_delivery_date, latest_delivery_date,
       number_of_items_shipped, number_of_items_unshipped
FROM staging.orders
WHERE account_id = {account} AND last_update_date >= {start} AND last_update_date < {end}
"""

ORDER_ITEMS_IN_WINDOW = """
SELECT i.amazon_order_id, i.order_item_id, i.quantity_ordered, i.quantity_shipped, i.item_price::float8 AS item_price, o.marketplace,
       i.currency
FROM staging.order_items i
JOIN staging.orders o ON o.account_id = i.account_id AND o.amazon_order_id = i.amazon_order_id
WHERE o.account_id = {account} AND o.last_update_date >= {start} AND o.last_update_date < {end}
"""

# returns requested in the window, with their order's marketplace where staging has the order
RETURNS_IN_WINDOW = """
SELECT r.amazon_order_id, r.return_key, r.line_key, r.return_quantity, r.order_quantity,
       r.refunded_amount::float8 AS refunded_amount, r.order_amount::float8 AS order_amount, r.currency, r.order_date, r.return_request_date,
       r.return_request_status, o.marketplace
FROM staging.returns r
LEFT JOIN staging.orders o ON o.account_id = r.account_id AND o.amazon_order_id = r.amazon_order_id
WHERE r.account_id = {account} AND r.return_request_date >= {start} AND r.return_request_date < {end}
"""

QUERIES = {
    "orders": ORDERS_IN_WINDOW,
    "order_items": ORDER_ITEMS_IN_WINDOW,
    "returns": RETURNS_IN_WINDOW,
}
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

# Each failed expectation quarantines the rows its SQL (quality.suites.unexpected_keys) selects
# from the suite's window query: the UPDATE runs inside Postgres, so no list of bad keys comes
# to Python however many there are. Returns how many rows the expectation found (to check
# against GX's unexpected_count) and how many staging rows it flagged.
_QUARANTINE_MATCHING = """
WITH bad AS ({keys}),
flagged AS (
    UPDATE staging.orders o SET quarantined = true,
        quarantine_reason = concat_ws('; ', NULLIF(o.quarantine_reason, ''), {reason})
    WHERE o.account_id = {account} AND o.amazon_order_id IN (SELECT amazon_order_id FROM bad)
    RETURNING 1
)
SELECT (SELECT count(*) FROM bad), (SELECT count(*) FROM flagged)
"""

# a bad line quarantines the order's returns in the window: one confirmation covers them all
_QUARANTINE_RETURNS_MATCHING = """
WITH bad AS ({keys}),
flagged AS (
    UPDATE staging.returns r SET quarantined = true,
        quarantine_reason = concat_ws('; ', NULLIF(r.quarantine_reason, ''), {reason})
    WHERE r.account_id = {account}
      AND r.return_request_date >= {start} AND r.return_request_date < {end}
      AND r.amazon_order_id IN (SELECT amazon_order_id FROM bad)
    RETURNING 1
)
SELECT (SELECT count(*) FROM bad), (SELECT count(*) FROM flagged)
"""

_QUARANTINED_COUNTS = """
SELECT (SELECT count(*) FROM staging.orders
        WHERE account_id = %(account)s AND last_update_date >= %(start)s AND last_update_date < %(end)s
          AND quarantined),
       (SELECT count(DISTINCT amazon_order_id) FROM staging.returns
        WHERE account_id = %(account)s AND return_request_date >= %(start)s AND return_request_date < %(end)s
          AND quarantined)
"""

_QUARANTINED_ORDERS = """
SELECT amazon_order_id, quarantine_reason FROM staging.orders
WHERE account_id = %(account)s AND last_update_date >= %(start)s AND last_update_date < %(end)s AND quarantined
ORDER BY amazon_order_id LIMIT %(limit)s
"""

# an order's lines carry the reasons of its bad lines, in line order: one entry per order
_QUARANTINED_RETURNS = """
SELECT amazon_order_id,
       string_agg(DISTINCT quarantine_reason, '; ') FILTER (WHERE quarantine_reason <> '')
FROM staging.returns
WHERE account_id = %(account)s AND return_request_date >= %(start)s AND return_request_date < %(end)s
  AND quarantined
GROUP BY amazon_order_id ORDER BY amazon_order_id LIMIT %(limit)s
"""


def clear_quarantine(cur: PgCursor, account_id: str, window: tuple[datetime, datetime]) -> None:
    cur.execute(_CLEAR_QUARANTINE, (account_id, *window))
    cur.execute(_CLEAR_RETURNS_QUARANTINE, (account_id, *window))


def _composed(template: str, keys: Composable, **literals: Any) -> Composed:
    from psycopg2 import sql

    return sql.SQL(template).format(keys=keys, **{k: sql.Literal(v) for k, v in literals.items()})


def quarantine_matching(
    cur: PgCursor, account_id: str, reason: str, keys: Composable
) -> tuple[int, int]:
    """Quarantine the orders whose keys `keys` (SQL) selects: (rows it selects, orders flagged)."""
    cur.execute(_composed(_QUARANTINE_MATCHING, keys, reason=reason, account=account_id))
    found, flagged = one_row(cur)
    return int(found), int(flagged)


def quarantine_returns_matching(
    cur: PgCursor, account_id: str, reason: str, keys: Composable, window: tuple[datetime, datetime]
) -> tuple[int, int]:
    """Quarantine every return line in `window` of the orders `keys` selects: (rows, lines flagged)."""
    cur.execute(
        _composed(_QUARANTINE_RETURNS_MATCHING, keys, reason=reason, account=account_id,
                  start=window[0], end=window[1])
    )  # fmt: skip
    found, flagged = one_row(cur)
    return int(found), int(flagged)


def quarantined_counts(
    cur: PgCursor, account_id: str, window: tuple[datetime, datetime]
) -> tuple[int, int]:
    """Quarantined orders updated in `window`, and orders with quarantined returns requested in it."""
    cur.execute(_QUARANTINED_COUNTS, {"account": account_id, "start": window[0], "end": window[1]})
    orders, returns = one_row(cur)
    return int(orders), int(returns)


def quarantined_orders(
    cur: PgCursor, account_id: str, window: tuple[datetime, datetime], *, limit: int
) -> dict[str, str]:
    cur.execute(
        _QUARANTINED_ORDERS,
        {"account": account_id, "start": window[0], "end": window[1], "limit": limit},
    )
    return dict(cur.fetchall())


def quarantined_returns(
    cur: PgCursor, account_id: str, window: tuple[datetime, datetime], *, limit: int
) -> dict[str, str]:
    cur.execute(
        _QUARANTINED_RETURNS,
        {"account": account_id, "start": window[0], "end": window[1], "limit": limit},
    )
    return dict(cur.fetchall())


def record_run(
    cur: PgCursor,
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
    run_id = int(one_row(cur)[0])
    if results:
        execute_values(
            cur,
            _INSERT_RESULTS,
            [(run_id, exp, col, ok, n, sample) for exp, col, ok, n, sample in results],
        )
    return run_id
