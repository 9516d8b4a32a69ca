"""Expectation suites, declared as data so they read (and review) as one list per table.

Each entry: (GX expectation class name, its kwargs). `row_level` ones can point at bad rows,
which are quarantined; the others are table-level alerts.
"""

from __future__ import annotations

from buyer_messaging.extract.parse import ORDER_STATUSES
from buyer_messaging.marketplaces import MARKETPLACES

KEY = "amazon_order_id"

ORDERS: list[tuple[str, dict[str, object]]] = [
    ("ExpectColumnValuesToNotBeNull", {"column": "amazon_order_id"}),
    ("ExpectColumnValuesToBeUnique", {"column": "amazon_order_id"}),
    ("ExpectColumnValuesToNotBeNull", {"column": "purchase_date"}),
    ("ExpectColumnValuesToBeInSet", {"column": "order_status", "value_set": sorted(ORDER_STATUSES)}),
    (
        "ExpectColumnValuesToBeInSet",
        {"column": "marketplace_id", "value_set": sorted(m.marketplace_id for m in MARKETPLACES.values())},
    ),
    ("ExpectColumnValuesToBeBetween", {"column": "order_total", "min_value": 0}),
    (
        "ExpectColumnPairValuesToBeInSet",
        {
            "column_A": "marketplace",
            "column_B": "currency",
            "value_pairs_set": sorted((m.code, m.currency) for m in MARKETPLACES.values()),
            "ignore_row_if": "either_value_is_missing",
        },
    ),
    (
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {
            "column_A": "latest_delivery_date",
            "column_B": "earliest_delivery_date",
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
    ),
    (
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {
            "column_A": "earliest_delivery_date",
            "column_B": "purchase_date",
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
    ),
    # purchase <= ship <= delivery: the ship window opens at or after the purchase, closes after
    # it opens, and delivery is not promised before the first day the order can ship
    (
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": "earliest_ship_date", "column_B": "purchase_date", "or_equal": True,
         "ignore_row_if": "either_value_is_missing"},
    ),  # fmt: skip
    (
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": "latest_ship_date", "column_B": "earliest_ship_date", "or_equal": True,
         "ignore_row_if": "either_value_is_missing"},
    ),  # fmt: skip
    (
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": "earliest_delivery_date", "column_B": "earliest_ship_date", "or_equal": True,
         "ignore_row_if": "either_value_is_missing"},
    ),  # fmt: skip
]

ORDER_ITEMS: list[tuple[str, dict[str, object]]] = [
    ("ExpectColumnValuesToNotBeNull", {"column": "order_item_id"}),
    ("ExpectCompoundColumnsToBeUnique", {"column_list": ["amazon_order_id", "order_item_id"]}),
    ("ExpectColumnValuesToBeBetween", {"column": "quantity_ordered", "min_value": 1, "max_value": 1000}),
    ("ExpectColumnValuesToBeBetween", {"column": "item_price", "min_value": 0}),
    (
        "ExpectColumnPairValuesToBeInSet",
        {
            "column_A": "marketplace",
            "column_B": "currency",
            "value_pairs_set": sorted((m.code, m.currency) for m in MARKETPLACES.values()),
            "ignore_row_if": "either_value_is_missing",
        },
    ),
]

# The returns report's return-request-status values (Seller Central's Manage Returns: a request
# pending authorisation, authorised or approved, then closed or completed). An empty status is
# allowed (GX's set expectations skip nulls); a status not listed here quarantines the return
# until it is added.
RETURN_STATUSES = ("Approved", "Authorized", "Closed", "Completed", "Pending", "Pending Authorization", "Rejected")

RETURNS: list[tuple[str, dict[str, object]]] = [
    ("ExpectColumnValuesToNotBeNull", {"column": "amazon_order_id"}),
    ("ExpectColumnValuesToBeInSet", {"column": "return_request_status", "value_set": list(RETURN_STATUSES)}),
    ("ExpectCompoundColumnsToBeUnique", {"column_list": ["amazon_order_id", "return_key", "line_key"]}),
    ("ExpectColumnValuesToBeBetween", {"column": "return_quantity", "min_value": 1, "max_value": 1000}),
    ("ExpectColumnValuesToBeBetween", {"column": "refunded_amount", "min_value": 0}),
    (
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": "order_quantity", "column_B": "return_quantity", "or_equal": True,
         "ignore_row_if": "either_value_is_missing"},
    ),  # fmt: skip
    (
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": "order_amount", "column_B": "refunded_amount", "or_equal": True,
         "ignore_row_if": "either_value_is_missing"},
    ),  # fmt: skip
    (
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": "return_request_date", "column_B": "order_date", "or_equal": True,
         "ignore_row_if": "either_value_is_missing"},
    ),  # fmt: skip
    (
        "ExpectColumnPairValuesToBeInSet",
        {
            "column_A": "marketplace",
            "column_B": "currency",
            "value_pairs_set": sorted((m.code, m.currency) for m in MARKETPLACES.values()),
            "ignore_row_if": "either_value_is_missing",
        },
    ),
]

SUITES: dict[str, list[tuple[str, dict[str, object]]]] = {
    "orders": ORDERS, "order_items": ORDER_ITEMS, "returns": RETURNS,
}  # fmt: skip
