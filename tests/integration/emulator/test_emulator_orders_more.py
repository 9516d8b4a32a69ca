"""getOrder, Restricted Data Tokens, Orders 2026-01-01, marketplaces and data realism."""

from __future__ import annotations

from datetime import timedelta

import pytest
from emulator_helpers import NOW, US
from sp_api.api import Orders, Tokens
from sp_api.base import (
    SellingApiBadRequestException,
    SellingApiForbiddenException,
    SellingApiNotFoundException,
)

from spapi_emulator.marketplaces import MARKETPLACES
from spapi_emulator.testing import client_kwargs

DAY = (NOW - timedelta(days=6)).date()
WINDOW = {"CreatedAfter": f"{DAY}T00:00:00Z", "CreatedBefore": f"{DAY}T23:59:59Z"}


def truth(api, day=DAY) -> dict:
    return api.get("/_emulator/orders", params={"day": day.isoformat()}).json()


def test_get_order_matches_get_orders(make_server, admin):
    srv = make_server(time_scale=1000)
    client = Orders(**client_kwargs(srv.url))
    listed = client.get_orders(**WINDOW).payload["Orders"]
    for order in listed[:5]:
        assert client.get_order(order["AmazonOrderId"]).payload == order
    with pytest.raises(SellingApiNotFoundException):
        client.get_order("not-an-order-id")
    tomorrow = srv.emulator.catalog.order((NOW + timedelta(days=1)).date(), 0).amazon_order_id
    with pytest.raises(
        SellingApiNotFoundException
    ):  # an order placed after "now" does not exist yet
        client.get_order(tomorrow)
    with pytest.raises(SellingApiNotFoundException):
        client.get_order("111-1234567-7654321")


def test_buyer_pii_needs_a_restricted_data_token(make_server, admin):
    srv = make_server(time_scale=1000)
    kw = client_kwargs(srv.url)
    client = Orders(**kw)
    order = client.get_orders(**WINDOW).payload["Orders"][0]
    oid = order["AmazonOrderId"]
    assert order["BuyerInfo"] == {} and "AddressLine1" not in order["ShippingAddress"]
    with pytest.raises(SellingApiForbiddenException):
        client.get_order_buyer_info(oid)
    with pytest.raises(SellingApiForbiddenException):
        client.get_order_address(oid)

    rdt = (
        Tokens(**kw)
        .create_restricted_data_token(
            restrictedResources=[{"method": "GET", "path": f"/orders/v0/orders/{oid}/buyerInfo"}]
        )
        .payload
    )
    assert rdt["expiresIn"] == 3600 and rdt["restrictedDataToken"].startswith("Atz.sprdt|")
    restricted = Orders(**kw, restricted_data_token=rdt["restrictedDataToken"])
    info = restricted.get_order_buyer_info(oid).payload
    assert info["AmazonOrderId"] == oid
    assert info["BuyerEmail"].endswith("@marketplace.amazon.com") and info["BuyerName"]
    with pytest.raises(SellingApiForbiddenException):  # the RDT names one resource only
        restricted.get_order_address(oid)

    with_pii = client.get_orders(
        **WINDOW, RestrictedResources=["buyerInfo", "shippingAddress"]
    ).payload["Orders"][0]
    assert with_pii["BuyerInfo"]["BuyerEmail"] == info["BuyerEmail"]
    assert with_pii["ShippingAddress"]["AddressLine1"]
    with pytest.raises(SellingApiBadRequestException):
        Tokens(**kw).create_restricted_data_token(
            restrictedResources=[
                {"method": "GET", "path": "/orders/v0/orders", "dataElements": ["creditCard"]}
            ]
        )


def test_search_orders_2026_pages_the_same_orders_as_v0(make_server):
    srv = make_server(time_scale=1000, orders_per_day=40)
    kw = client_kwargs(srv.url)
    v0 = Orders(**kw).get_orders(**WINDOW).payload["Orders"]
    client = Orders(**kw, version="2026-01-01")
    response = client.search_orders(
        createdAfter=WINDOW["CreatedAfter"],
        createdBefore=WINDOW["CreatedBefore"],
        maxResultsPerPage=7,
        includedData=["FULFILLMENT", "PACKAGES", "BUYER"],
    )
    found = response.payload["orders"]
    while response.next_token:
        response = client.search_orders(
            paginationToken=response.next_token, includedData=["FULFILLMENT", "PACKAGES", "BUYER"]
        )
        found += response.payload["orders"]
    assert [o["orderId"] for o in found] == [o["AmazonOrderId"] for o in v0]
    by_id = {o["AmazonOrderId"]: o for o in v0}
    status = {
        "Shipped": "SHIPPED",
        "Unshipped": "UNSHIPPED",
        "Canceled": "CANCELLED",
        "PartiallyShipped": "PARTIALLY_SHIPPED",
        "Pending": "PENDING",
    }
    for order in found:
        old = by_id[order["orderId"]]
        assert order["fulfillment"]["fulfillmentStatus"] == status[old["OrderStatus"]]
        assert order["lastUpdatedTime"] == old["LastUpdateDate"]
        if old["FulfillmentChannel"] == "AFN":
            assert "packages" not in order and "buyerEmail" not in order["buyer"]
        elif old["OrderStatus"] == "Shipped":
            assert order["packages"] and all(
                p["trackingNumber"] and p["carrier"] for p in order["packages"]
            )
            shipped = {i["orderItemId"] for p in order["packages"] for i in p["packageItems"]}
            # every fulfilled line (a line the seller cancelled when the rest shipped is not)
            fulfilled = {
                i["orderItemId"]
                for i in order["orderItems"]
                if i["fulfillment"]["quantityFulfilled"]
            }
            assert shipped == fulfilled and len(fulfilled) >= len(order["orderItems"]) - 1
    single = client.get_order(found[0]["orderId"], includedData=["FULFILLMENT"]).payload["order"]
    assert single["fulfillment"] == found[0]["fulfillment"]
    with pytest.raises(SellingApiBadRequestException):
        client.search_orders(createdAfter=WINDOW["CreatedAfter"], includedData=["EVERYTHING"])


def test_six_marketplaces_with_their_currencies_and_languages(make_server, admin):
    codes = ["US", "GB", "FR", "DE", "ES", "IT"]
    srv = make_server(time_scale=1000, orders_per_day=300, marketplaces=codes)
    data = truth(admin(srv))
    by_market: dict[str, list[dict]] = {}
    for order in data["orders"]:
        by_market.setdefault(order["MarketplaceId"], []).append(order)
    assert set(by_market) == {MARKETPLACES[c].marketplace_id for c in codes}
    for code in codes:
        market = MARKETPLACES[code]
        for order in by_market[market.marketplace_id]:
            if "OrderTotal" in order:
                assert order["OrderTotal"]["CurrencyCode"] == market.currency
            assert order["SalesChannel"] == market.sales_channel
    titles = " ".join(i["Title"] for items in data["items"].values() for i in items)
    assert "Trinkflasche" in titles and "Gourde" in titles and "Borraccia" in titles
    fr = Orders(**client_kwargs(srv.url, marketplace="FR")).get_orders(**WINDOW).payload["Orders"]
    assert fr and {o["MarketplaceId"] for o in fr} == {MARKETPLACES["FR"].marketplace_id}


def test_the_data_has_the_awkward_cases_a_pipeline_must_survive(make_server, admin):
    srv = make_server(time_scale=1000, orders_per_day=400)
    api = admin(srv)
    statuses, channels, late, multi, nasty = set(), set(), 0, 0, set()
    for offset in (0, 1, 9):
        data = truth(api, (NOW - timedelta(days=offset)).date())
        for order in data["orders"]:
            statuses.add(order["OrderStatus"])
            channels.add(order["FulfillmentChannel"])
            life = data["lifecycle"][order["AmazonOrderId"]]
            late += life["late_shipment"]
            items = data["items"][order["AmazonOrderId"]]
            multi += len(items) > 1
            for item in items:
                title = item["Title"]
                if (
                    "<b>" in title
                    or "{{" in title
                    or len(title) > 500
                    or any(ord(c) > 0xFFFF for c in title)
                ):
                    nasty.add(title[:20])
    assert statuses == {"Pending", "Unshipped", "PartiallyShipped", "Shipped", "Canceled"}
    assert channels == {"AFN", "MFN"}
    assert late > 0 and multi > 0 and len(nasty) >= 3


def test_marketplace_ids_are_required_and_checked(make_server):
    srv = make_server(time_scale=1000)
    client = Orders(**client_kwargs(srv.url))
    with pytest.raises(SellingApiBadRequestException):
        client.get_orders(**WINDOW, MarketplaceIds=["NOT-A-MARKETPLACE"])
    assert client.get_orders(**WINDOW, MarketplaceIds=[US]).payload["Orders"]


def test_a_fulfillment_channel_filter_holds_across_pages_in_both_apis(make_server):
    """getOrders' FulfillmentChannels (AFN, MFN) and searchOrders' fulfilledBy (AMAZON,
    MERCHANT), ../shared/spapi-models: only that channel's orders, on every page the NextToken
    (which carries the query) brings, and the two channels together are the whole window."""
    srv = make_server(time_scale=1000, orders_per_day=60)
    kw = client_kwargs(srv.url)
    v0 = Orders(**kw)
    every = v0.get_orders(**WINDOW).payload["Orders"]

    def listed(channel: str) -> list[dict]:
        response = v0.get_orders(**WINDOW, FulfillmentChannels=[channel], MaxResultsPerPage=5)
        found = response.payload["Orders"]
        while response.next_token:
            response = v0.get_orders(NextToken=response.next_token, MarketplaceIds=[US])
            found += response.payload["Orders"]
        return found

    mfn, afn = listed("MFN"), listed("AFN")
    assert len(mfn) > 5 and len(afn) > 5
    assert {o["FulfillmentChannel"] for o in mfn} == {"MFN"}
    assert {o["FulfillmentChannel"] for o in afn} == {"AFN"}
    assert sorted(o["AmazonOrderId"] for o in mfn + afn) == sorted(
        o["AmazonOrderId"] for o in every
    )
    search = Orders(**kw, version="2026-01-01")
    response = search.search_orders(
        createdAfter=WINDOW["CreatedAfter"], createdBefore=WINDOW["CreatedBefore"],
        fulfilledBy=["MERCHANT"], maxResultsPerPage=5, includedData=["FULFILLMENT"],
    )  # fmt: skip
    merchant = response.payload["orders"]
    while response.next_token:
        response = search.search_orders(
            paginationToken=response.next_token, includedData=["FULFILLMENT"]
        )
        merchant += response.payload["orders"]
    assert [o["orderId"] for o in merchant] == [o["AmazonOrderId"] for o in mfn]
    assert {o["fulfillment"]["fulfilledBy"] for o in merchant} == {"MERCHANT"}
    with pytest.raises(SellingApiBadRequestException):
        v0.get_orders(**WINDOW, FulfillmentChannels=["FBA"])
