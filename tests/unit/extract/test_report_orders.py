"""The all-orders report's orders in the Orders API's words, and a bad line named by record
and field.

The report's form: ../shared/amazon-report-formats.md, section
GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL (Amazon's order tracking reports: 31
columns read by name, older files with `url` after `order-channel`; `order-status` compound
once shipped; `Cancelled` where the Orders API spells `Canceled`; channel `Amazon`/`Merchant`)."""

from __future__ import annotations

import pytest

from buyer_messaging.extract.orders_report import (
    COLUMNS,
    compound_status,
    orders_in_document,
    spans,
)
from buyer_messaging.extract.parse import RecordError
from buyer_messaging.extract.report_first import listing_capacity

US = "ATVPDKIKX0DER"


def line(order_id: str, **cells: str) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update({
        "amazon-order-id": order_id, "purchase-date": "2026-11-17T08:04:21+00:00",
        "last-updated-date": "2026-11-18T09:00:00+00:00", "order-status": "Shipped",
        "fulfillment-channel": "Amazon", "sales-channel": "Amazon.com", "sku": "MUG-1",
        "asin": "B000000001", "item-status": "Shipped", "quantity": "1", "currency": "USD",
        "item-price": "12.00", "ship-city": "Seattle", "ship-postal-code": "98109",
    })  # fmt: skip
    row.update({k.replace("_", "-"): v for k, v in cells.items()})
    return row


def document(rows: list[dict[str, str]], header: tuple[str, ...] = COLUMNS) -> str:
    return "\n".join(["\t".join(header)] + ["\t".join(r.get(c, "") for c in header) for r in rows])


@pytest.mark.parametrize(
    "report, api",
    [
        ("Pending", "Pending"), ("Unshipped", "Unshipped"), ("PartiallyShipped", "PartiallyShipped"),
        ("Shipped", "Shipped"), ("Shipped - Delivered to Buyer", "Shipped"),
        ("Shipped - Returned to Seller", "Shipped"), ("Cancelled", "Canceled"),
    ],
)  # fmt: skip
def test_statuses_in_the_orders_apis_words(report, api):
    assert compound_status(report, "111-0000000-0000001") == api


def test_an_order_row_carries_what_the_report_has_and_nothing_it_lacks():
    text = document([
        line("111-0000000-0000001", order_status="Shipped - Delivered to Buyer",
             fulfillment_channel="Merchant"),
        line("111-0000000-0000001", sku="MUG-2", item_status="Cancelled",
             order_status="Shipped - Delivered to Buyer", fulfillment_channel="Merchant"),
        line("111-0000000-0000002", order_status="Cancelled", item_status="Cancelled"),
    ])  # fmt: skip
    orders, rejects = orders_in_document(text, "acct", US)
    assert rejects == []
    assert [o["amazon_order_id"] for o, _ in orders] == [
        "111-0000000-0000001",
        "111-0000000-0000002",
    ]
    first, items = orders[0]
    assert (first["order_status"], first["fulfillment_channel"], first["marketplace"]) == (
        "Shipped", "MFN", "US",
    )  # fmt: skip
    assert [i["order_item_id"] for i in items] == ["sku:MUG-1", "sku:MUG-2"]
    assert items[1]["raw"]["item-status"] == "Cancelled"  # read by order_item_cancellations
    for lacking in ("buyer_hash", "earliest_delivery_date", "latest_delivery_date",
                    "latest_ship_date", "is_prime", "order_total"):  # fmt: skip
        assert first[lacking] is None
    assert "ship-city" not in first["raw"] and "ship-postal-code" not in first["raw"]
    assert orders[1][0]["order_status"] == "Canceled"


def test_an_older_file_with_url_is_read_by_name():
    older = (*COLUMNS[:8], "url", *COLUMNS[8:])
    rows = [line("111-0000000-0000001", order_status="Unshipped")]
    assert orders_in_document(document(rows, older), "acct", US) == orders_in_document(
        document(rows), "acct", US
    )


def test_a_bad_line_is_rejected_naming_the_order_and_the_column():
    text = document([
        line("111-0000000-0000001", order_status="Lost in the mail"),
        line("111-0000000-0000002", fulfillment_channel="Drone"),
        line("111-0000000-0000003", currency="EUR"),
        line("111-0000000-0000004", item_status="Shipped", sku="A"),
        line("111-0000000-0000004", order_status="Unshipped", sku="B"),
        line("111-0000000-0000005"),
    ])  # fmt: skip
    orders, rejects = orders_in_document(text, "acct", US)
    assert [o["amazon_order_id"] for o, _ in orders] == ["111-0000000-0000005"]
    reasons = sorted(reason for _, reason, _ in rejects)
    assert reasons == [
        "order 111-0000000-0000001: field order-status: unknown status 'Lost in the mail'",
        "order 111-0000000-0000002: field fulfillment-channel: unknown channel 'Drone'",
        "order 111-0000000-0000003: field currency: 'EUR' is not the currency of marketplace US (USD)",
        "order 111-0000000-0000004: field order-status: differs between the order's lines",
    ]
    with pytest.raises(RecordError):
        compound_status("Shipping soon", "111-0000000-0000006")


def test_one_report_per_30_days_and_the_listings_budget():
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 10, 1, tzinfo=UTC)
    assert len(spans((start, start + timedelta(days=35)))) == 2
    assert spans((start, start + timedelta(days=1))) == [(start, start + timedelta(days=1))]
    # getOrders: a burst of 20 pages, then 0.0167/s, 100 orders a page: ~8,000 in an hour
    assert listing_capacity("v0", 3600.0) == 8012
    assert listing_capacity("2026-01-01", 3600.0) == 4015  # searchOrders: 0.0056/s
