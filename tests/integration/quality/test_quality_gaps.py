"""The suites catch what extraction would now reject, should it reach staging another way (an
older version, a backfill, a hand fix): order ids not of Amazon's form, purchases in the
future, negative and zero quantities. Such rows are quarantined with the expectation that
failed, GX and the quarantine's SQL agree on every count, and good rows are left alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from buyer_messaging.extract import store as staging
from buyer_messaging.extract.parse import parse_item, parse_order
from buyer_messaging.extract.returns_store import upsert_returns
from buyer_messaging.quality.suites import FUTURE_SLACK
from buyer_messaging.quality.validate import validate_orders
from buyer_messaging.warehouse.connection import transaction

pytestmark = pytest.mark.integration
DAY = date(2026, 11, 20)
START = datetime(2026, 11, 20, tzinfo=UTC)
WINDOW = (START, START + timedelta(days=1))
SQL_ID = "'); DROP TABLE x;--"
HUGE_ID = "9" * 200_000


def iso(m: datetime) -> str:
    return m.strftime("%Y-%m-%dT%H:%M:%SZ")


def order(n: int, **change) -> dict:
    raw = {
        "AmazonOrderId": f"111-0000000-{n:07d}", "MarketplaceId": "ATVPDKIKX0DER",
        "OrderStatus": "Shipped", "PurchaseDate": iso(START - timedelta(days=2)),
        "LastUpdateDate": iso(START + timedelta(hours=3)), "NumberOfItemsShipped": 1,
        "NumberOfItemsUnshipped": 0, "OrderTotal": {"CurrencyCode": "USD", "Amount": "25.00"},
    }  # fmt: skip
    row = parse_order(raw, "gaps")
    for key, value in change.items():  # past the parser: as another path might have staged it
        row[key] = value
    return row


def item(order_row: dict, **change) -> dict:
    row = parse_item(
        {"OrderItemId": "1", "ASIN": "B000000001", "QuantityOrdered": 1, "QuantityShipped": 1,
         "ItemPrice": {"CurrencyCode": "USD", "Amount": "25.00"}},
        "gaps", order_row["amazon_order_id"],
    )  # fmt: skip
    return {**row, **change}


def a_return(order_id: str, **change) -> dict:
    row = {
        "account_id": "gaps", "record_key": f"{order_id[:30]}/R/SKU", "amazon_order_id": order_id,
        "return_key": "R", "line_key": "SKU", "merchant_sku": "SKU", "order_date": START - timedelta(days=9),
        "return_request_date": START + timedelta(hours=2), "return_request_status": "Approved",
        "return_quantity": 1, "order_quantity": 1, "currency": "USD", "raw": {},
    }  # fmt: skip
    return {**row, **change}


def test_foreign_ids_future_purchases_and_bad_quantities_are_quarantined(wh, fresh_warehouse):
    good = [order(n) for n in range(40)]
    bad = {
        "sql id": order(100, amazon_order_id=SQL_ID),
        "huge id": order(101, amazon_order_id=HUGE_ID),
        "future purchase": order(
            102, purchase_date=WINDOW[1] + FUTURE_SLACK + timedelta(minutes=1)
        ),
        "negative shipped": order(103, number_of_items_shipped=-1),
        "negative unshipped": order(104, number_of_items_unshipped=-3),
        "zero quantity": order(105),
        "negative quantity": order(106),
        "negative shipped quantity": order(107),
    }
    almost = order(108, purchase_date=WINDOW[1] + FUTURE_SLACK)  # within the slack: fine
    items = [item(o) for o in good] + [
        item(bad["zero quantity"], quantity_ordered=0),
        item(bad["negative quantity"], quantity_ordered=-2),
        item(bad["negative shipped quantity"], quantity_shipped=-1),
    ]
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "gaps", [*good, *bad.values(), almost], items)
        upsert_returns(
            cur,
            [
                a_return(good[0]["amazon_order_id"]),
                a_return(SQL_ID),
                a_return(good[1]["amazon_order_id"], order_quantity=-1),
            ],
        )

    outcome = validate_orders(wh, account_id="gaps", window=WINDOW, run_day=DAY, max_bad_share=1.0)

    assert outcome.alerts == []  # GX's counts and the quarantine's SQL agree, the huge id included
    reasons = outcome.bad_rows
    assert set(reasons) == {o["amazon_order_id"] for o in bad.values()}
    assert "orders.expect_column_values_to_match_regex(amazon_order_id)" in reasons[SQL_ID]
    assert "orders.expect_column_values_to_match_regex(amazon_order_id)" in reasons[HUGE_ID]
    future = bad["future purchase"]["amazon_order_id"]
    assert reasons[future] == "orders.expect_column_values_to_be_between(purchase_date)"
    assert "number_of_items_shipped" in reasons[bad["negative shipped"]["amazon_order_id"]]
    assert "number_of_items_unshipped" in reasons[bad["negative unshipped"]["amazon_order_id"]]
    for name in ("zero quantity", "negative quantity"):
        assert (
            "order_items.expect_column_values_to_be_between(quantity_ordered)"
            in reasons[bad[name]["amazon_order_id"]]
        )
    assert "quantity_shipped" in reasons[bad["negative shipped quantity"]["amazon_order_id"]]
    assert set(outcome.bad_returns) == {SQL_ID, good[1]["amazon_order_id"]}
    assert (
        "returns.expect_column_values_to_match_regex(amazon_order_id)"
        in outcome.bad_returns[SQL_ID]
    )
    assert "order_quantity" in outcome.bad_returns[good[1]["amazon_order_id"]]
    with wh.cursor() as cur:  # the samples recorded stay readable
        cur.execute("SELECT max(length(s)) FROM quality.results, unnest(sample_ids) AS s")
        assert cur.fetchone()[0] <= 100
        cur.execute("SELECT count(*) FROM staging.orders WHERE account_id = 'gaps' AND quarantined")
        assert cur.fetchone()[0] == len(bad)
    wh.commit()
