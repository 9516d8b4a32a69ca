"""v0 and 2026-01-01 order sources against the emulator: the same staging rows, and shipments."""

from __future__ import annotations

import httpx
import pytest
from extract_helpers import NOW, ORDERS_WINDOW, TIME_SCALE, caller, client, rows, staging_hashes

from buyer_messaging.extract.source import load_orders, order_source

pytestmark = pytest.mark.integration

# columns only one API fills: raw (each keeps its own shape); buyer_hash is compared apart
ORDER_COLUMNS_COMPARED = """
    amazon_order_id, marketplace_id, marketplace, order_status, fulfillment_channel, purchase_date,
    last_update_date, earliest_ship_date, latest_ship_date, earliest_delivery_date,
    latest_delivery_date, order_total, currency, is_prime, number_of_items_shipped,
    number_of_items_unshipped, quarantined
"""
ITEM_COLUMNS_COMPARED = """
    amazon_order_id, order_item_id, asin, seller_sku, title, quantity_ordered, quantity_shipped,
    item_price, currency
"""


@pytest.fixture
def server(emulator_factory):
    return emulator_factory(seed=11, orders_per_day=40, time_scale=TIME_SCALE, now=NOW)


def _extract(wh, url: str, api: str, account_id: str, **kwargs):
    c = caller()
    source = order_source(api, client(api, url), c, account_id=account_id, **kwargs)
    return load_orders(wh, source, c, account_id=account_id, window=ORDERS_WINDOW)


def test_v0_and_2026_land_the_same_orders_and_items(wh, server):
    v0 = _extract(wh, server.url, "v0", "acct_v0")
    new = _extract(wh, server.url, "2026-01-01", "acct_2026")
    assert v0.orders == new.orders > 50
    assert v0.items == new.items and v0.rejected == new.rejected == 0

    def table(sql: str, account_id: str) -> list[dict]:
        return rows(wh, sql, account_id)

    orders_sql = (
        f"SELECT {ORDER_COLUMNS_COMPARED} FROM staging.orders WHERE account_id = %s ORDER BY 1"
    )
    items_sql = f"SELECT {ITEM_COLUMNS_COMPARED} FROM staging.order_items WHERE account_id = %s ORDER BY 1, 2"
    v0_orders, new_orders = table(orders_sql, "acct_v0"), table(orders_sql, "acct_2026")
    assert v0_orders == new_orders
    # the same salted hash of the same buyer e-mail; Amazon gives 2026-01-01's buyerEmail for
    # merchant-fulfilled orders only ("Access Orders PII" guide, and the Buyer model)
    hashes_sql = (
        "SELECT amazon_order_id, fulfillment_channel, buyer_hash FROM staging.orders"
        " WHERE account_id = %s ORDER BY 1"
    )
    for old, new in zip(table(hashes_sql, "acct_v0"), table(hashes_sql, "acct_2026"), strict=True):
        assert old["buyer_hash"]
        mfn = old["fulfillment_channel"] == "MFN"
        assert new["buyer_hash"] == (old["buyer_hash"] if mfn else None)
    assert table(items_sql, "acct_v0") == table(items_sql, "acct_2026")
    # the mix is real: every status the window holds, both channels, totals absent when Amazon omits them
    statuses = {o["order_status"] for o in v0_orders}
    assert {"Shipped", "Unshipped"} <= statuses
    assert {o["fulfillment_channel"] for o in v0_orders} == {"AFN", "MFN"}
    # each API's raw shape is kept as it came
    raw = rows(wh, "SELECT raw FROM staging.orders WHERE account_id = 'acct_2026' LIMIT 1")[0][
        "raw"
    ]
    assert "orderId" in raw

    # no buyer e-mail (hashed) or phone is kept by either API; names and addresses stay until
    # the retention purge (tests/integration/retention)
    def keys(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from keys(value)
        elif isinstance(node, list):
            for value in node:
                yield from keys(value)

    kept = {k for r in rows(wh, "SELECT raw FROM staging.orders") for k in keys(r["raw"])}
    assert not kept & {"BuyerEmail", "buyerEmail", "Phone", "phone"}
    assert {"BuyerName", "buyerName", "AddressLine1", "addressLine1"} <= kept


def test_2026_fills_shipments_for_shipped_merchant_fulfilled_orders(wh, server):
    _extract(wh, server.url, "2026-01-01", "acct_ship")
    _extract(wh, server.url, "v0", "acct_ship_v0")
    orders = rows(
        wh,
        "SELECT amazon_order_id, fulfillment_channel, number_of_items_shipped, order_status,"
        " latest_delivery_date FROM staging.orders WHERE account_id = %s",
        "acct_ship",
    )
    shipments = rows(wh, "SELECT * FROM staging.shipments WHERE account_id = %s", "acct_ship")
    by_order: dict[str, list[dict]] = {}
    for s in shipments:
        by_order.setdefault(s["amazon_order_id"], []).append(s)
    shipped_mfn = {
        o["amazon_order_id"]
        for o in orders
        if o["fulfillment_channel"] == "MFN" and o["number_of_items_shipped"]
    }
    assert shipped_mfn, "the window should hold shipped merchant-fulfilled orders"
    assert set(by_order) == shipped_mfn  # MFN only (the model: packages are FBM only)
    # ground truth: carrier and tracking number of the emulator's order
    truth: dict[str, dict] = {}
    for day in ("2026-11-10", "2026-11-11", "2026-11-12", "2026-11-13", "2026-11-14", "2026-11-15",
                "2026-11-16", "2026-11-17", "2026-11-18"):  # fmt: skip
        truth.update(
            httpx.get(f"{server.url}/_emulator/orders", params={"day": day}).json()["lifecycle"]
        )
    delivery = {o["amazon_order_id"]: o["latest_delivery_date"] for o in orders}
    for order_id, packages in by_order.items():
        first = min(packages, key=lambda p: p["package_reference_id"])
        assert first["carrier"] == truth[order_id]["carrier"]
        assert first["tracking_number"] == truth[order_id]["tracking_number"]
        for p in packages:
            assert p["ship_date"] is not None and p["carrier"] and p["tracking_number"]
            assert p["estimated_delivery_end"] == delivery[order_id]
            assert p["items"], "a package lists its items"
    # the view gives one row per order for shipment confirmations
    tracking = rows(wh, "SELECT * FROM staging.order_tracking WHERE account_id = %s", "acct_ship")
    assert {t["amazon_order_id"] for t in tracking} == shipped_mfn
    # v0 knows no packages: the v0 account has none, and its orders are untouched by 2026's
    assert (
        rows(
            wh, "SELECT count(*) AS n FROM staging.shipments WHERE account_id = %s", "acct_ship_v0"
        )[0]["n"]
        == 0
    )


@pytest.mark.parametrize("api", ["v0", "2026-01-01"])
def test_rerunning_the_window_leaves_staging_identical(wh, server, api):
    account = f"acct_rerun_{api.replace('-', '_')}"
    _extract(wh, server.url, api, account, page_size=25)
    before = staging_hashes(wh, account)
    stamps = rows(
        wh, "SELECT max(extracted_at) AS t FROM staging.orders WHERE account_id = %s", account
    )
    second = _extract(wh, server.url, api, account, page_size=25)
    assert second.pages >= 3
    assert staging_hashes(wh, account) == before
    # unchanged rows are not even rewritten
    assert (
        rows(wh, "SELECT max(extracted_at) AS t FROM staging.orders WHERE account_id = %s", account)
        == stamps
    )
