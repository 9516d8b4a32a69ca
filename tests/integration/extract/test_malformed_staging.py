"""Malformed records next to valid ones: the page is written, the malformed ones land in
staging.rejected_records with their reasons and no buyer PII, and a re-run changes nothing.

The valid records are Amazon's getOrders example (ordersV0.json), see
tests/unit/extract/test_malformed_records.py."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

from buyer_messaging.extract.parse import RecordError, parse_item, parse_order, rejection
from buyer_messaging.extract.returns import ReturnsStats, _load, read_flat_file
from buyer_messaging.extract.source import OrderPage, write_page
from buyer_messaging.warehouse.connection import transaction

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "extract"))
from extract_helpers import ORDERS_WINDOW, rows, staging_hashes  # noqa: E402
from test_malformed_records import ITEM_V0, ORDER_V0, PII  # noqa: E402


def _order(n: int, **change):
    raw = copy.deepcopy(ORDER_V0)
    raw["AmazonOrderId"] = f"902-3159896-{n:07d}"
    raw.update(change)
    return raw


MALFORMED = [
    _order(1, BuyerInfo="user@example.com"),
    _order(2, OrderTotal={"CurrencyCode": "USD", "Amount": "1e20"}),
    _order(3, ShipServiceLevel="Std\x00"),
    _order(4, NumberOfItemsShipped="3"),
    _order(5, IsPrime=1),
    _order(6, OrderStatus=["Shipped"]),
    _order(7, AmazonOrderId="'); DROP TABLE x;--"),
    _order(8, AmazonOrderId="9" * 200_000),
    "not an order",
    ["also", "not"],
    None,
    _order(9, AmazonOrderId=None),  # two records without an id: two rejections, not a clash
    _order(10, AmazonOrderId=None, PurchaseDate=None),
]
VALID = [_order(100 + n) for n in range(5)] + [_order(100)]  # 100 twice: the last copy wins


def _page(account: str, records: list) -> OrderPage:
    page = OrderPage()
    for raw in records:
        try:
            order = parse_order(raw, account, salt="s")
            items = [
                parse_item({**ITEM_V0, "OrderItemId": "1"}, account, order["amazon_order_id"])
            ] * 2
        except RecordError as err:
            page.rejects.append(rejection(err, raw))
            continue
        page.orders.append(order)
        page.items.extend(items)
    return page


def test_a_page_with_malformed_records_stages_the_rest_and_rejects_them_with_reasons(wh):
    mixed = [r for pair in zip(VALID, MALFORMED, strict=False) for r in pair] + MALFORMED[
        len(VALID) :
    ]
    page = _page("mal", mixed)
    assert len(page.rejects) == len(MALFORMED)
    for _ in range(2):  # a re-run leaves staging identical
        with transaction(wh) as cur:
            write_page(cur, "mal", page, provides_shipments=False)
        hashes = staging_hashes(wh, "mal", ("orders", "items", "rejected"))
    assert hashes == staging_hashes(wh, "mal", ("orders", "items", "rejected"))
    staged = rows(
        wh, "SELECT amazon_order_id FROM staging.orders WHERE account_id = 'mal' ORDER BY 1"
    )
    assert [r["amazon_order_id"] for r in staged] == [
        f"902-3159896-{100 + n:07d}" for n in range(5)
    ]
    rejected = rows(
        wh, "SELECT record_key, reason, raw FROM staging.rejected_records WHERE account_id = 'mal'"
    )
    assert len(rejected) == len(MALFORMED)
    by_key = {r["record_key"]: r for r in rejected}
    assert "field BuyerInfo: should be a JSON object" in by_key["902-3159896-0000001"]["reason"]
    assert "field OrderTotal.Amount: amount out of range" in by_key["902-3159896-0000002"]["reason"]
    assert (
        "field ShipServiceLevel: contains a NUL character"
        in by_key["902-3159896-0000003"]["reason"]
    )
    assert "field NumberOfItemsShipped" in by_key["902-3159896-0000004"]["reason"]
    assert "field IsPrime" in by_key["902-3159896-0000005"]["reason"]
    assert "field OrderStatus" in by_key["902-3159896-0000006"]["reason"]
    assert sum("field AmazonOrderId" in r["reason"] for r in rejected) == 4
    assert sum("field (record): not a JSON object" in r["reason"] for r in rejected) == 3
    assert all(len(r["record_key"]) <= 200 for r in rejected)
    stored = json.dumps([r["raw"] for r in rejected] + [r["reason"] for r in rejected])
    for pii in PII:
        assert pii not in stored


def test_returns_rows_postgres_would_refuse_are_rejected_the_rest_load(wh):
    columns = ("order-id", "order-date", "return-request-date", "return-quantity", "amazon-rma-id",
               "merchant-sku", "order-amount", "order-quantity")  # fmt: skip
    good = ["111-0000001-0000001", "2026-11-01T10:00:00+00:00", "2026-11-10T10:00:00+00:00", "1", "R1",
            "SKU-1", "10.00", "1"]  # fmt: skip

    def line(**change):
        cells = dict(zip(columns, good, strict=True)) | change
        return "\t".join(cells[c] for c in columns)

    text = "\n".join(
        [
            "\t".join(columns),
            line(),
            line(**{"amazon-rma-id": "R2", "return-quantity": "99999999999"}),
            line(**{"amazon-rma-id": "R3", "order-amount": "1" * 30}),
            line(**{"amazon-rma-id": "R4", "merchant-sku": "SKU\x00"}),
            line(**{"amazon-rma-id": "R5", "order-id": "9" * 200_000}),
            line(**{"amazon-rma-id": "R6", "order-quantity": "1" * 5000}),
            line(**{"amazon-rma-id": "R7"}),
        ]
    )
    header, parsed = read_flat_file(text)
    stats = ReturnsStats(*ORDERS_WINDOW)
    _load(wh, header, parsed, stats, account_id="ret_mal", report_id="1", batch_size=3, tz="UTC")
    assert (stats.returns, stats.rejected) == (2, 5)
    reasons = [
        r["reason"]
        for r in rows(
            wh, "SELECT reason FROM staging.rejected_records WHERE account_id = 'ret_mal'"
        )
    ]
    assert len(reasons) == 5 and all(len(r) < 600 for r in reasons)
    assert any("return_quantity" in r and "does not fit a Postgres integer" in r for r in reasons)
    assert any("order_amount" in r and "numeric(14, 2)" in r for r in reasons)
    assert any("merchant-sku: contains a NUL character" in r for r in reasons)
    assert any("amazon_order_id: 200000 characters" in r for r in reasons)
