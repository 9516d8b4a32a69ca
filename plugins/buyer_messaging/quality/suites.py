"""Expectation suites, declared as data so they read (and review) as one list per table.

Each entry: (GX expectation class name, its kwargs). `row_level` ones can point at bad rows,
which are quarantined; the others are table-level alerts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from buyer_messaging.extract.parse import ORDER_STATUSES
from buyer_messaging.marketplaces import MARKETPLACES

KEY = "amazon_order_id"
# Amazon's order id ("in 3-7-7 format", ordersV0.json and orders_2026-01-01.json); anything else
# ('); DROP TABLE x;--, a 200,000-character id) did not come from Amazon's order APIs
AMAZON_ORDER_ID = r"^[0-9]{3}-[0-9]{7}-[0-9]{7}$"
# A purchase later than the run's window end by more than this is in the future: the window's
# orders were last updated before its end, and an order is updated at or after its purchase.
FUTURE_SLACK = timedelta(hours=1)


def _amazon_order_id() -> tuple[str, dict[str, object]]:
    return ("ExpectColumnValuesToMatchRegex", {"column": KEY, "regex": AMAZON_ORDER_ID})


def _at_least(column_a: str, column_b: str) -> tuple[str, dict[str, object]]:
    """column_a >= column_b in every row where both are known."""
    return (
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": column_a, "column_B": column_b, "or_equal": True,
         "ignore_row_if": "either_value_is_missing"},
    )  # fmt: skip


def _currency_of_marketplace() -> tuple[str, dict[str, object]]:
    """The currency is the marketplace's, where both are known."""
    return (
        "ExpectColumnPairValuesToBeInSet",
        {"column_A": "marketplace", "column_B": "currency",
         "value_pairs_set": sorted((m.code, m.currency) for m in MARKETPLACES.values()),
         "ignore_row_if": "either_value_is_missing"},
    )  # fmt: skip


ORDERS: list[tuple[str, dict[str, object]]] = [
    ("ExpectColumnValuesToNotBeNull", {"column": "amazon_order_id"}),
    _amazon_order_id(),
    ("ExpectColumnValuesToBeUnique", {"column": "amazon_order_id"}),
    ("ExpectColumnValuesToNotBeNull", {"column": "purchase_date"}),
    (
        "ExpectColumnValuesToBeInSet",
        {"column": "order_status", "value_set": sorted(ORDER_STATUSES)},
    ),
    (
        "ExpectColumnValuesToBeInSet",
        {
            "column": "marketplace_id",
            "value_set": sorted(m.marketplace_id for m in MARKETPLACES.values()),
        },
    ),
    ("ExpectColumnValuesToBeBetween", {"column": "order_total", "min_value": 0}),
    ("ExpectColumnValuesToBeBetween", {"column": "number_of_items_shipped", "min_value": 0}),
    ("ExpectColumnValuesToBeBetween", {"column": "number_of_items_unshipped", "min_value": 0}),
    _currency_of_marketplace(),
    _at_least("latest_delivery_date", "earliest_delivery_date"),
    _at_least("earliest_delivery_date", "purchase_date"),
    # purchase <= ship <= delivery: the ship window opens at or after the purchase, closes after
    # it opens, and delivery is not promised before the first day the order can ship
    _at_least("earliest_ship_date", "purchase_date"),
    _at_least("latest_ship_date", "earliest_ship_date"),
    _at_least("earliest_delivery_date", "earliest_ship_date"),
]

ORDER_ITEMS: list[tuple[str, dict[str, object]]] = [
    ("ExpectColumnValuesToNotBeNull", {"column": "order_item_id"}),
    ("ExpectCompoundColumnsToBeUnique", {"column_list": ["amazon_order_id", "order_item_id"]}),
    (
        "ExpectColumnValuesToBeBetween",
        {"column": "quantity_ordered", "min_value": 1, "max_value": 1000},
    ),
    (
        "ExpectColumnValuesToBeBetween",
        {"column": "quantity_shipped", "min_value": 0, "max_value": 1000},
    ),
    ("ExpectColumnValuesToBeBetween", {"column": "item_price", "min_value": 0}),
    _currency_of_marketplace(),
]

# The returns report's return-request-status values (Seller Central's Manage Returns: a request
# pending authorisation, authorised or approved, then closed or completed). An empty status is
# allowed (GX's set expectations skip nulls); a status not listed here quarantines the return
# until it is added.
RETURN_STATUSES = (
    "Approved",
    "Authorized",
    "Closed",
    "Completed",
    "Pending",
    "Pending Authorization",
    "Rejected",
)

RETURNS: list[tuple[str, dict[str, object]]] = [
    ("ExpectColumnValuesToNotBeNull", {"column": "amazon_order_id"}),
    _amazon_order_id(),
    (
        "ExpectColumnValuesToBeInSet",
        {"column": "return_request_status", "value_set": list(RETURN_STATUSES)},
    ),
    (
        "ExpectCompoundColumnsToBeUnique",
        {"column_list": ["amazon_order_id", "return_key", "line_key"]},
    ),
    (
        "ExpectColumnValuesToBeBetween",
        {"column": "return_quantity", "min_value": 1, "max_value": 1000},
    ),
    ("ExpectColumnValuesToBeBetween", {"column": "order_quantity", "min_value": 1}),
    ("ExpectColumnValuesToBeBetween", {"column": "refunded_amount", "min_value": 0}),
    _at_least("order_quantity", "return_quantity"),
    _at_least("order_amount", "refunded_amount"),
    _at_least("return_request_date", "order_date"),
    _currency_of_marketplace(),
]

SUITES: dict[str, list[tuple[str, dict[str, object]]]] = {
    "orders": ORDERS, "order_items": ORDER_ITEMS, "returns": RETURNS,
}  # fmt: skip


def suites_for(window_end: datetime) -> dict[str, list[tuple[str, dict[str, object]]]]:
    """SUITES with the bounds only a run knows: no purchase after its window end (+ slack)."""
    future = (
        "ExpectColumnValuesToBeBetween",
        {"column": "purchase_date", "max_value": window_end + FUTURE_SLACK},
    )
    return {**SUITES, "orders": [*ORDERS, future]}


def unexpected_keys(batch_sql: str, class_name: str, kwargs: dict[str, Any]) -> Any:
    """SQL (psycopg2 Composed) selecting `KEY` of every row of `batch_sql` that the expectation
    counts as unexpected: the quarantine runs it inside Postgres, and its row count is checked
    against GX's `unexpected_count`.

    GX's own `unexpected_index_query` cannot serve: for a query asset it leaves the query
    unparenthesised, it drops `ignore_row_if`, and for compound uniqueness it cross-joins.
    GX lists keys only up to `partial_unexpected_count` (a LIMIT), the samples."""
    from psycopg2 import sql

    def col(name: object) -> sql.Identifier:
        return sql.Identifier(str(name))

    def values(items: Iterable[object]) -> sql.Composed:
        return sql.SQL(", ").join(sql.Literal(v) for v in items)

    batch, key = sql.SQL(batch_sql), col(KEY)
    if class_name in ("ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique"):
        # GX compares values of rows with no missing key column; every copy is unexpected
        cols = [col(c) for c in (kwargs.get("column_list") or [kwargs["column"]])]
        present = sql.SQL(" AND ").join(sql.SQL("{} IS NOT NULL").format(c) for c in cols)
        return sql.SQL(
            "SELECT {key} FROM (SELECT {key}, count(*) OVER (PARTITION BY {cols}) AS copies"
            " FROM ({batch}) AS b WHERE {present}) AS d WHERE copies > 1"
        ).format(key=key, cols=sql.SQL(", ").join(cols), batch=batch, present=present)
    if class_name == "ExpectColumnValuesToNotBeNull":
        where = sql.SQL("{c} IS NULL").format(c=col(kwargs["column"]))
    elif class_name == "ExpectColumnValuesToMatchRegex":  # GX's Postgres dialect: the ~ operator
        where = sql.SQL("{c} IS NOT NULL AND NOT ({c} ~ {r})").format(
            c=col(kwargs["column"]), r=sql.Literal(kwargs["regex"])
        )
    elif class_name == "ExpectColumnValuesToBeInSet":
        where = sql.SQL("{c} IS NOT NULL AND {c} NOT IN ({v})").format(
            c=col(kwargs["column"]), v=values(kwargs["value_set"])
        )
    elif class_name == "ExpectColumnValuesToBeBetween":
        c, bounds = col(kwargs["column"]), []
        if kwargs.get("min_value") is not None:
            op = "<=" if kwargs.get("strict_min") else "<"
            bounds.append(
                sql.SQL("{c} " + op + " {v}").format(c=c, v=sql.Literal(kwargs["min_value"]))
            )
        if kwargs.get("max_value") is not None:
            op = ">=" if kwargs.get("strict_max") else ">"
            bounds.append(
                sql.SQL("{c} " + op + " {v}").format(c=c, v=sql.Literal(kwargs["max_value"]))
            )
        where = sql.SQL("{c} IS NOT NULL AND ({b})").format(c=c, b=sql.SQL(" OR ").join(bounds))
    elif class_name in (
        "ExpectColumnPairValuesToBeInSet",
        "ExpectColumnPairValuesAToBeGreaterThanB",
    ):
        if kwargs.get("ignore_row_if") != "either_value_is_missing":
            raise ValueError(
                f"{class_name}: only ignore_row_if='either_value_is_missing' is translated"
            )
        a, b = col(kwargs["column_A"]), col(kwargs["column_B"])
        if class_name == "ExpectColumnPairValuesToBeInSet":
            pairs = sql.SQL(", ").join(
                sql.SQL("({})").format(values(p)) for p in kwargs["value_pairs_set"]
            )
            bad = sql.SQL("({a}, {b}) NOT IN ({p})").format(a=a, b=b, p=pairs)
        else:
            op = ">=" if kwargs.get("or_equal") else ">"
            bad = sql.SQL("NOT ({a} " + op + " {b})").format(a=a, b=b)
        where = sql.SQL("{a} IS NOT NULL AND {b} IS NOT NULL AND {bad}").format(a=a, b=b, bad=bad)
    else:
        raise ValueError(
            f"{class_name}: no SQL for its unexpected rows (add it to unexpected_keys)"
        )
    return sql.SQL("SELECT {key} FROM ({batch}) AS b WHERE {where}").format(
        key=key, batch=batch, where=where
    )
