"""Which orders need items, which path fetches them, and the all-orders report's item lines.

The report's form: ../shared/amazon-report-formats.md, section
GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL (Amazon's order tracking reports)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from buyer_messaging.extract.items import (
    EVERY_ORDER,
    ItemsNeed,
    call_budget,
    choose_source,
    items_need,
)
from buyer_messaging.extract.orders_report import (
    COLUMNS,
    UnreadableOrdersReport,
    items_by_order,
)
from buyer_messaging.policies import Exclusions, ProductExclusion, ProductInfo, Timing


def _timing(**review: object) -> Timing:
    return Timing.model_validate({"default_pack": "x", "kinds": {"review_request": review}})


def test_review_requests_alone_need_no_items():
    need = items_need(["review_request"], timing=_timing(), exclusions=Exclusions())
    assert need == ItemsNeed() and need.sql() == "false"


def test_kinds_that_show_or_read_items_need_them():
    need = items_need(
        ["review_request", "shipment_confirmation", "product_info"],
        product_info=ProductInfo.model_validate({"asins": {"B0TEST0001": {"text": {"en": "x"}}}}),
    )
    assert need.merchant_shipped and need.shipped and not need.every_order
    assert "AFN" in need.sql() and "Shipped" in need.sql()
    # product_info without a configured ASIN plans nothing: no items for it
    assert not items_need(["product_info"], product_info=ProductInfo()).shipped
    assert items_need(["unavailability_notice"]).merchant_any


def test_a_rule_on_the_order_s_products_needs_every_order_s_items():
    by_sku = Exclusions(products=ProductExclusion(kinds=("review_request",), skus=("SKU-1",)))
    assert items_need(["review_request"], exclusions=by_sku) == EVERY_ORDER
    # a rule for a kind the account does not send costs nothing
    assert items_need(["shipment_confirmation"], exclusions=by_sku) != EVERY_ORDER
    by_asin = _timing(by_asin={"B0TEST0001": {"delay_days": 20}})
    assert items_need(["review_request"], timing=by_asin) == EVERY_ORDER


def test_the_path_follows_the_volume_unless_the_account_says():
    # Amazon's getOrderItems usage plan (ordersV0.json): 0.5/s, burst 30 -> 1,830 in an hour
    assert call_budget(3600) == 1830
    assert choose_source(1830) == "orders_api"
    assert choose_source(1831) == "report"
    assert choose_source(10, "report") == "report"
    assert choose_source(10**6, "orders_api") == "orders_api"
    with pytest.raises(ValueError, match="order_items must be one of"):
        choose_source(1, "bulk")


def _doc(*rows: dict[str, str], header: list[str] | None = None) -> str:
    header = header or list(COLUMNS)
    lines = ["\t".join(header)] + ["\t".join(r.get(c, "") for c in header) for r in rows]
    return "\n".join(lines) + "\n"


LINE = {
    "amazon-order-id": "111-0000001-0000001", "purchase-date": "2026-11-17T08:04:21+00:00",
    "last-updated-date": "2026-11-18T08:04:21+00:00", "order-status": "Shipped - Delivered to Buyer",
    "sku": "SKU-1", "asin": "B0TEST0001", "item-status": "Shipped", "quantity": "2",
    "currency": "USD", "item-price": "39.98", "product-name": "Mug", "ship-city": "SEATTLE",
}  # fmt: skip


def test_report_lines_by_name_with_cancelled_lines_and_no_ship_to():
    cancelled = {**LINE, "sku": "SKU-2", "asin": "B0TEST0002", "item-status": "Cancelled"}
    twice = {**LINE, "quantity": "1", "item-price": "19.99"}
    # an older file: `url` after order-channel; read by name all the same
    old = list(COLUMNS)
    old.insert(old.index("order-channel") + 1, "url")
    for header in (list(COLUMNS), old):
        orders, rejects = items_by_order(_doc(LINE, cancelled, twice, header=header), "acct")
        assert not rejects
        items = orders["111-0000001-0000001"]
        assert [i["order_item_id"] for i in items] == ["sku:SKU-1", "sku:SKU-2", "sku:SKU-1#2"]
        assert items[0]["quantity_shipped"] == 2 and items[0]["item_price"] == Decimal("39.98")
        assert items[1]["quantity_shipped"] == 0 and items[1]["raw"]["item-status"] == "Cancelled"
        assert all("ship-city" not in i["raw"] for i in items)


def test_a_bad_line_names_order_and_column_and_leaves_its_order_out():
    bad = {**LINE, "amazon-order-id": "111-0000002-0000002", "quantity": "two"}
    naive = {
        **LINE,
        "amazon-order-id": "111-0000003-0000003",
        "last-updated-date": "2026-11-18T08:04:21",
    }
    other = {**bad, "quantity": "1"}
    orders, rejects = items_by_order(_doc(LINE, bad, naive, other), "acct")
    assert set(orders) == {"111-0000001-0000001"}
    reasons = sorted(r[1] for r in rejects)
    assert reasons == [
        "order 111-0000002-0000002: field quantity: not a whole number: 'two'",
        "order 111-0000003-0000003: field last-updated-date: timestamp without an offset:"
        " '2026-11-18T08:04:21'",
    ]


def test_a_document_without_the_columns_we_need_is_refused_naming_them():
    header = [c for c in COLUMNS if c not in ("sku", "item-status")]
    with pytest.raises(UnreadableOrdersReport, match="no column sku, item-status"):
        items_by_order(_doc(LINE, header=header), "acct")
