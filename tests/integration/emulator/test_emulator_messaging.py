"""Messaging: actions by order state, buyer locale, Amazon's text limits and once-per-order rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from emulator_helpers import NOW
from sp_api.api import Messaging
from sp_api.base import SellingApiBadRequestException, SellingApiForbiddenException

from spapi_emulator.testing import client_kwargs


def orders(api, first_day_offset: int, days: int) -> list[tuple[dict, dict]]:
    out = []
    for n in range(days):
        day = (NOW - timedelta(days=first_day_offset - n)).date().isoformat()
        data = api.get("/_emulator/orders", params={"day": day}).json()
        out += [(o, data["lifecycle"][o["AmazonOrderId"]]) for o in data["orders"]]
    return out


def action_names(client, oid: str) -> set[str]:
    return {
        a["name"] for a in client.get_messaging_actions_for_order(oid).payload["_links"]["actions"]
    }


def test_actions_follow_the_order_state(make_server, admin):
    srv = make_server(time_scale=1000, orders_per_day=40)
    api = admin(srv)
    client = Messaging(**client_kwargs(srv.url))
    recent = orders(api, 0, 1)
    unshipped = next(
        o for o, life in recent if o["OrderStatus"] == "Unshipped" and not life["buyer_opted_out"]
    )
    assert {
        "confirmOrderDetails",
        "confirmCustomizationDetails",
        "confirmDeliveryDetails",
        "unexpectedProblem",
    } <= action_names(client, unshipped["AmazonOrderId"])
    assert "warranty" not in action_names(client, unshipped["AmazonOrderId"])

    delivered = next(
        o
        for o, life in orders(api, 15, 1)
        if o["OrderStatus"] == "Shipped" and not life["buyer_opted_out"]
    )
    names = action_names(client, delivered["AmazonOrderId"])
    assert {"warranty", "unexpectedProblem"} <= names
    assert "confirmOrderDetails" not in names and "confirmDeliveryDetails" not in names

    stale = next(o for o, _ in orders(api, 80, 1) if o["OrderStatus"] == "Shipped")
    assert action_names(client, stale["AmazonOrderId"]) == set()
    with pytest.raises(SellingApiForbiddenException):
        client.create_unexpected_problem(stale["AmazonOrderId"], body={"text": "Too late"})


def test_opted_out_buyers_get_only_critical_messages(make_server, admin):
    srv = make_server(time_scale=1000, orders_per_day=200)
    api = admin(srv)
    client = Messaging(**client_kwargs(srv.url))
    everyone = orders(api, 1, 1)
    opted_out = [
        o for o, life in everyone if life["buyer_opted_out"] and o["OrderStatus"] == "Unshipped"
    ]
    assert 0.005 < sum(life["buyer_opted_out"] for _, life in everyone) / len(everyone) < 0.08
    assert opted_out, "seed 3 has an opted-out buyer with an unshipped order"
    oid = opted_out[0]["AmazonOrderId"]
    assert action_names(client, oid) <= {"unexpectedProblem", "legalDisclosure"}
    with pytest.raises(SellingApiForbiddenException):
        client.create_confirm_order_details(oid, body={"text": "Which colour?"})
    client.create_unexpected_problem(oid, body={"text": "Out of stock, sorry."})


def test_text_limits_and_once_per_order(make_server, admin):
    srv = make_server(time_scale=1000, orders_per_day=40)
    api = admin(srv)
    client = Messaging(**client_kwargs(srv.url))
    oid = next(
        o
        for o, life in orders(api, 0, 1)
        if o["OrderStatus"] == "Unshipped" and not life["buyer_opted_out"]
    )["AmazonOrderId"]
    too_long = [
        (client.create_unexpected_problem, 2001),
        (client.create_confirm_order_details, 2001),
        (client.create_confirm_delivery_details, 2001),
        (client.confirm_customization_details, 801),
        (client.create_digital_access_key, 401),
    ]
    for send, length in too_long:
        with pytest.raises(SellingApiBadRequestException) as bad:
            send(oid, body={"text": "x" * length})
        assert bad.value.amzn_code == "InvalidInput"
    with pytest.raises(SellingApiBadRequestException):
        client.create_unexpected_problem(oid, body={"text": ""})

    client.confirm_customization_details(oid, body={"text": "é" * 800})
    client.create_confirm_order_details(oid, body={"text": "Grün oder <b>blau</b>? {{ 7*7 }}"})
    with pytest.raises(SellingApiForbiddenException) as again:
        client.create_confirm_order_details(oid, body={"text": "Second time"})
    assert again.value.amzn_code == "Unauthorized"
    client.create_unexpected_problem(oid, body={"text": "First problem"})
    client.create_unexpected_problem(oid, body={"text": "Second problem"})  # critical: no limit

    received = api.get("/_emulator/received", params={"amazonOrderId": oid}).json()["messages"]
    assert [(m["type"], m["body"]) for m in received] == [
        ("confirmCustomizationDetails", "é" * 800),
        ("confirmOrderDetails", "Grün oder <b>blau</b>? {{ 7*7 }}"),
        ("unexpectedProblem", "First problem"),
        ("unexpectedProblem", "Second problem"),
    ]
    assert all(m["at"] == NOW.strftime("%Y-%m-%dT%H:%M:%SZ") for m in received)


def test_buyer_locale_sometimes_differs_from_the_marketplace(make_server, admin):
    srv = make_server(time_scale=1000, orders_per_day=120, marketplaces=["DE"])
    api = admin(srv)
    # this test is about locales, not limits: 40 calls in a row fit in the burst, whatever the load
    assert (
        api.post(
            "/_emulator/limits", json={"operation": "GetAttributes", "rate": 1, "burst": 100}
        ).status_code
        == 200
    )
    client = Messaging(**client_kwargs(srv.url, marketplace="DE"))
    sample = orders(api, 3, 1)
    locales = [
        client.get_attributes(o["AmazonOrderId"]).payload["buyer"]["locale"] for o, _ in sample[:40]
    ]
    assert locales.count("de-DE") > len(locales) / 2
    assert set(locales) - {"de-DE"}, "some German buyers prefer another language"
    assert locales == [life["buyer_locale"] for _, life in sample[:40]]
