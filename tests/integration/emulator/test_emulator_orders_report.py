"""The all-orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL) the emulator
serves from its own order ground truth, in Amazon's form.

Source of the form: ../shared/amazon-report-formats.md, section
GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL (Amazon's developer documentation of the
order tracking reports; Seller Central help 200547170 for the absence of buyer data).
"""

from __future__ import annotations

import gzip
import time
from datetime import datetime, timedelta

import httpx
import pytest
from emulator_helpers import NOW
from sp_api.api import Orders, Reports

from spapi_emulator.testing import client_kwargs

pytestmark = pytest.mark.integration

REPORT = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
# the 31 columns, in Amazon's documented order (source: module docstring)
AMAZON_HEADER = (
    "amazon-order-id, merchant-order-id, purchase-date, last-updated-date, order-status, "
    "fulfillment-channel, sales-channel, order-channel, ship-service-level, product-name, sku, "
    "asin, item-status, quantity, currency, item-price, item-tax, shipping-price, shipping-tax, "
    "gift-wrap-price, gift-wrap-tax, item-promotion-discount, ship-promotion-discount, ship-city, "
    "ship-state, ship-postal-code, ship-country, promotion-ids, is-business-order, "
    "purchase-order-number, price-designation"
).split(", ")
START, END = NOW - timedelta(days=3), NOW - timedelta(days=1)


# older files carry `url` after `order-channel` (source: module docstring: parse by name)
OLDER_HEADER = [*AMAZON_HEADER[:8], "url", *AMAZON_HEADER[8:]]


def _document(srv, header_expected: list[str] = AMAZON_HEADER) -> list[dict[str, str]]:
    client = Reports(**client_kwargs(srv.url))
    report_id = client.create_report(
        reportType=REPORT, dataStartTime=START.isoformat(), dataEndTime=END.isoformat()
    ).payload["reportId"]
    deadline = time.monotonic() + 30
    while True:
        report = client.get_report(report_id).payload
        if report["processingStatus"] == "DONE":
            break
        assert report["processingStatus"] in ("IN_QUEUE", "IN_PROGRESS")
        assert time.monotonic() < deadline, "report not DONE in 30 s"
        time.sleep(0.02)
    meta = client.get_report_document(report["reportDocumentId"]).payload
    assert meta["compressionAlgorithm"] == "GZIP"
    raw = httpx.get(meta["url"], trust_env=False).content
    lines = gzip.decompress(raw).decode("utf-8").splitlines()
    header = lines[0].split("\t")
    assert header == header_expected
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


def test_the_documented_header_has_31_columns():
    assert len(AMAZON_HEADER) == 31 and len(OLDER_HEADER) == 32


def test_an_older_file_with_url_holds_the_same_rows(make_server):
    srv = make_server(orders_per_day=60, time_scale=500)
    current = _document(srv)
    srv.emulator.all_orders_with_url = True
    older = _document(srv, OLDER_HEADER)
    assert {r.pop("url") for r in older} == {""}  # its content is not documented: empty
    assert older == current


def test_one_row_per_item_of_every_order_updated_in_the_range(make_server, admin):
    srv = make_server(orders_per_day=60, time_scale=500)
    rows = _document(srv)
    orders = Orders(**client_kwargs(srv.url))
    listed, token = {}, None
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = orders.get_orders(
            LastUpdatedAfter=START.strftime("%Y-%m-%dT%H:%M:%SZ"),
            LastUpdatedBefore=END.strftime("%Y-%m-%dT%H:%M:%SZ"),
            **kwargs,
        ).payload
        listed.update({o["AmazonOrderId"]: o for o in page["Orders"]})
        token = page.get("NextToken")
        if not token:
            break
    assert len(listed) > 50
    assert {r["amazon-order-id"] for r in rows} == set(listed)
    some = sorted(listed)[:5]
    for order_id in some:
        items = orders.get_order_items(order_id).payload["OrderItems"]
        lines = [r for r in rows if r["amazon-order-id"] == order_id]
        assert sorted((r["sku"], r["asin"], int(r["quantity"])) for r in lines) == sorted(
            (i["SellerSKU"], i["ASIN"], i["QuantityOrdered"]) for i in items
        )
    for r in rows:
        order = listed[r["amazon-order-id"]]
        # ISO 8601 with an offset, the same instant as the Orders API's LastUpdateDate
        updated = datetime.fromisoformat(r["last-updated-date"])
        assert r["last-updated-date"].endswith("+00:00")
        assert updated == datetime.fromisoformat(order["LastUpdateDate"].replace("Z", "+00:00"))
        assert r["item-status"] in ("Pending", "Unshipped", "Shipped", "Cancelled")
        if order["OrderStatus"] == "Canceled":
            assert r["item-status"] == "Cancelled" and r["order-status"] == "Cancelled"
        if order["OrderStatus"] == "Pending":
            assert r["item-price"] == ""
    statuses = {r["order-status"] for r in rows}
    assert "Shipped - Delivered to Buyer" in statuses  # compound, as Amazon's


def test_a_line_cancelled_inside_a_shipped_order_and_no_buyer_data(make_server):
    srv = make_server(orders_per_day=200, time_scale=500)
    rows = _document(srv)
    partial = [
        r
        for r in rows
        if r["item-status"] == "Cancelled" and not r["order-status"].startswith("Cancelled")
    ]
    assert partial, "no line cancelled inside an order that shipped"
    assert all(r["order-status"].startswith("Shipped") for r in partial)
    text = "\n".join("\t".join(r.values()) for r in rows)
    # no buyer-identifying data (Seller Central help 200547170): ship-to city, state, postcode
    # and country only
    for order_id in sorted({r["amazon-order-id"] for r in rows})[:30]:
        facts = srv.emulator.catalog.find(order_id)
        for secret in (facts.buyer_email, facts.buyer_name, facts.phone, facts.address_line):
            assert secret not in text
    assert "@" not in text
    assert {r["ship-country"] for r in rows} == {"US"}
