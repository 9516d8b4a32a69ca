"""Orders v0 through the real python-amazon-sp-api client, checked against the ground truth."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from emulator_helpers import NOW, US
from sp_api.api import Orders
from sp_api.base import SellingApiBadRequestException, SellingApiNotFoundException

from spapi_emulator.testing import client_kwargs


def all_pages(client, **query) -> list[dict]:
    orders: list[dict] = []
    response = client.get_orders(**query)
    orders += response.payload["Orders"]
    pages = 1
    while response.next_token:
        response = client.get_orders(NextToken=response.next_token, MarketplaceIds=[US])
        orders += response.payload["Orders"]
        pages += 1
    return orders


def truth(admin_client, first: date, last: date) -> list[dict]:
    out: list[dict] = []
    day = first
    while day <= last:
        out += admin_client.get("/_emulator/orders", params={"day": day.isoformat()}).json()[
            "orders"
        ]
        day += timedelta(days=1)
    return out


def test_created_window_pages_return_exactly_the_generated_orders(make_server, admin):
    srv = make_server(time_scale=1000)
    client = Orders(**client_kwargs(srv.url))
    got = all_pages(
        client,
        CreatedAfter="2026-11-10T00:00:00Z",
        CreatedBefore="2026-11-12T00:00:00Z",
        MaxResultsPerPage=7,
    )
    expected = truth(admin(srv), date(2026, 11, 10), date(2026, 11, 11))
    assert len(got) > 40
    assert got == expected
    assert len({o["AmazonOrderId"] for o in got}) == len(got)


def test_last_updated_window_finds_orders_purchased_days_before(make_server, admin):
    srv = make_server(time_scale=1000)
    client = Orders(**client_kwargs(srv.url))
    after, before = "2026-11-12T00:00:00Z", "2026-11-13T00:00:00Z"
    got = all_pages(client, LastUpdatedAfter=after, LastUpdatedBefore=before)
    expected = [
        o
        for o in truth(admin(srv), date(2026, 11, 4), date(2026, 11, 12))
        if after <= o["LastUpdateDate"] <= before
    ]
    assert sorted(o["AmazonOrderId"] for o in got) == sorted(o["AmazonOrderId"] for o in expected)
    assert any(o["PurchaseDate"] < after for o in got), (
        "shipments of earlier purchases count as updates"
    )


def test_same_seed_same_orders_whatever_the_day_they_are_asked(make_server):
    window = {"CreatedAfter": "2026-10-01T00:00:00Z", "CreatedBefore": "2026-10-02T00:00:00Z"}
    first = make_server(seed=11, now=NOW, time_scale=1000)
    second = make_server(seed=11, now=NOW + timedelta(days=40, hours=5), time_scale=1000)
    other = make_server(seed=12, now=NOW, time_scale=1000)
    a = all_pages(Orders(**client_kwargs(first.url)), **window, MaxResultsPerPage=13)
    b = all_pages(Orders(**client_kwargs(second.url)), **window, MaxResultsPerPage=100)
    c = all_pages(Orders(**client_kwargs(other.url)), **window)
    assert a == b
    assert [o["AmazonOrderId"] for o in a] != [o["AmazonOrderId"] for o in c]


def test_orders_appear_in_their_earlier_state_before_later_events(make_server, admin):
    srv = make_server(time_scale=1000)
    gt = admin(srv).get("/_emulator/orders", params={"day": "2026-11-10"}).json()
    shipped = next(
        oid
        for oid, life in gt["lifecycle"].items()
        if life["final_status"] == "Shipped" and life["authorized"]
    )
    life = gt["lifecycle"][shipped]
    before_ship = datetime.fromisoformat(min(life["shipped"]).replace("Z", "+00:00")) - timedelta(
        seconds=1
    )
    admin(srv).post("/_emulator/clock", json={"now": before_ship.isoformat()})
    order = Orders(**client_kwargs(srv.url)).get_order_items(shipped).payload["OrderItems"][0]
    assert order["QuantityShipped"] == 0
    orders = admin(srv).get("/_emulator/orders", params={"day": "2026-11-10"}).json()["orders"]
    early = next(o for o in orders if o["AmazonOrderId"] == shipped)
    assert early["OrderStatus"] == "Unshipped"
    assert early["LastUpdateDate"] == life["authorized"]


def test_order_items_and_their_paging(make_server, admin):
    srv = make_server(time_scale=1000, items_page_size=1)
    gt = admin(srv).get("/_emulator/orders", params={"day": "2026-11-10"}).json()
    multi = next(oid for oid, items in gt["items"].items() if len(items) > 1)
    client = Orders(**client_kwargs(srv.url))
    response = client.get_order_items(multi)
    items = response.payload["OrderItems"]
    while response.next_token:
        response = client.get_order_items(multi, NextToken=response.next_token)
        items += response.payload["OrderItems"]
    assert items == gt["items"][multi]
    assert {"ASIN", "SellerSKU", "OrderItemId", "Title", "QuantityOrdered"} <= set(items[0])


def test_errors_use_amazons_body(make_server):
    srv = make_server(time_scale=1000)
    client = Orders(**client_kwargs(srv.url))
    with pytest.raises(SellingApiNotFoundException) as missing:
        client.get_order_items("111-0000000-0000000")
    assert missing.value.amzn_code == "NotFound"
    assert "x-amzn-RateLimit-Limit" in missing.value.headers
    with pytest.raises(SellingApiBadRequestException) as bad:
        client.get_orders(MaxResultsPerPage=5)  # neither CreatedAfter nor LastUpdatedAfter
    assert bad.value.amzn_code == "InvalidInput"
    with pytest.raises(SellingApiBadRequestException):
        client.get_orders(CreatedAfter="2026-11-19T00:00:00Z", CreatedBefore=NOW.isoformat())
    with pytest.raises(SellingApiBadRequestException):
        client.get_orders(NextToken="not-a-token")


def test_a_created_window_by_channel_and_the_pairs_not_mixed(make_server, admin):
    """The details listing's query (extract/source.py): CreatedAfter/CreatedBefore with
    FulfillmentChannels selects the channel's orders purchased in the window, whenever they were
    last updated; ordersV0.json: CreatedAfter excludes LastUpdatedAfter/Before and
    LastUpdatedAfter excludes CreatedBefore."""
    srv = make_server(time_scale=1000)
    client = Orders(**client_kwargs(srv.url))
    window = {"CreatedAfter": "2026-11-10T00:00:00Z", "CreatedBefore": "2026-11-10T23:59:59Z"}
    got = all_pages(client, **window, FulfillmentChannels=["MFN"], MaxResultsPerPage=9)
    expected = [
        o for o in truth(admin(srv), date(2026, 11, 10), date(2026, 11, 10))
        if o["FulfillmentChannel"] == "MFN"
    ]  # fmt: skip
    assert len(got) > 5 and got == expected
    assert any(o["LastUpdateDate"] > window["CreatedBefore"] for o in got)
    for mixed in (
        {"CreatedAfter": window["CreatedAfter"], "LastUpdatedBefore": window["CreatedBefore"]},
        {"CreatedAfter": window["CreatedAfter"], "LastUpdatedAfter": window["CreatedAfter"]},
        {"LastUpdatedAfter": window["CreatedAfter"], "CreatedBefore": window["CreatedBefore"]},
    ):
        with pytest.raises(SellingApiBadRequestException) as bad:
            client.get_orders(**mixed)
        assert bad.value.amzn_code == "InvalidInput"
