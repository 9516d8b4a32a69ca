"""Shipment confirmations against the emulator: the delivery address as Amazon gives it (v0
getOrderAddress through an RDT, 2026-01-01 getOrder RECIPIENT: the same lines from either
shape), carrier display names, and product information titled by the item it is about."""

from __future__ import annotations

import pytest
from integration.extract.extract_helpers import (
    NOW,
    ORDERS_WINDOW,
    TIME_SCALE,
    US,
    caller,
    client,
    credentials,
    rows,
)

from buyer_messaging.compose.stage import product_info_for, render_and_lint
from buyer_messaging.extract.source import load_orders, order_source
from buyer_messaging.plan.planner import plan_day
from buyer_messaging.render import choose_locale
from buyer_messaging.render.address import DeliveryAddresses, address_lines
from buyer_messaging.render.carriers import carrier_name
from buyer_messaging.spapi.ratelimit import TokenBucket

pytestmark = pytest.mark.integration


def fast_caller():
    c = caller()
    for op in ("getOrder", "getOrderAddress", "createRestrictedDataToken"):
        c.buckets[op] = TokenBucket(0.5 * TIME_SCALE, 30)
    return c


def addresses(api: str, url: str) -> DeliveryAddresses:
    from sp_api.api import Tokens

    from buyer_messaging.spapi.client import build_client

    tokens = build_client(Tokens, credentials(url)) if api == "v0" else None
    return DeliveryAddresses(api, client(api, url), fast_caller(), tokens)


@pytest.mark.parametrize("api", ["2026-01-01", "v0"])
def test_shipment_confirmations_quote_the_delivery_address_and_the_carriers_name(
    wh, emulator_factory, api
):
    server = emulator_factory(seed=11, orders_per_day=40, time_scale=TIME_SCALE, now=NOW)
    c = caller()
    load_orders(wh, order_source(api, client(api, server.url), c, account_id="us"), c,
                account_id="us", window=ORDERS_WINDOW)  # fmt: skip
    plan_day(wh, account_id="us", kinds=("shipment_confirmation",), run_day=ORDERS_WINDOW[0].date(),
             day=ORDERS_WINDOW, now=NOW, enabled_despite_policy=("shipment_confirmation",))  # fmt: skip
    fetch = addresses(api, server.url)
    render_and_lint(wh, account_id="us", locale="en-US", addresses=fetch)
    # the address extraction kept: no call to Amazon while rendering
    assert fetch.caller.calls["getOrder"] + fetch.caller.calls["getOrderAddress"] == 0
    got = rows(wh, "SELECT amazon_order_id, status, body, error FROM messaging.outbox")
    assert len(got) > 5
    other = addresses("v0" if api == "2026-01-01" else "2026-01-01", server.url)
    for row in got:
        lines = fetch(row["amazon_order_id"])
        # both APIs' address shapes print the same lines: name, street, "City, ST 12345"
        assert lines == other(row["amazon_order_id"]) and len(lines) >= 3
        assert lines[-1].count(",") == 1 and not any("+" in line for line in lines)  # no phone
        if row["status"] == "ready":
            assert "Delivery address:\n" + "\n".join(lines) in row["body"]
            assert "AMZN_" not in row["body"]
            # the buyer's name as Amazon gives it (kept until the retention purge), cleaned
            assert row["body"].startswith("Hello ") and "<" not in row["body"].split("\n")[0]
        else:  # v0 has no carrier: blocked for the carrier, never for the address
            assert (
                api == "v0" and "carrier" in row["error"] and "delivery_address" not in row["error"]
            )
    if api == "2026-01-01":
        assert all(r["status"] == "ready" for r in got)
        carriers = rows(wh, "SELECT DISTINCT carrier FROM staging.shipments")
        if any(r["carrier"] == "AMZN_US" for r in carriers):
            assert any("Carrier: Amazon Logistics" in r["body"] for r in got)


def test_an_order_amazon_gives_no_address_for_is_blocked_naming_the_field(wh, emulator_factory):
    server = emulator_factory(seed=11, orders_per_day=40, time_scale=TIME_SCALE, now=NOW)
    elsewhere = emulator_factory(seed=12, orders_per_day=4, time_scale=TIME_SCALE, now=NOW)
    c = caller()
    source = order_source("2026-01-01", client("2026-01-01", server.url), c, account_id="us")
    load_orders(wh, source, c, account_id="us", window=ORDERS_WINDOW)
    plan_day(wh, account_id="us", kinds=("shipment_confirmation",), run_day=ORDERS_WINDOW[0].date(),
             day=ORDERS_WINDOW, now=NOW, enabled_despite_policy=("shipment_confirmation",))  # fmt: skip
    # no address kept (as after the retention purge) and a server that does not know the
    # orders (getOrder answers 404): no address either way
    with wh.cursor() as cur:
        cur.execute("UPDATE staging.orders SET raw = raw - 'recipient'")
    wh.commit()
    counts = render_and_lint(wh, account_id="us", locale="en-US",
                             addresses=addresses("2026-01-01", elsewhere.url))  # fmt: skip
    assert counts["blocked"] > 5 and not counts["ready"]
    got = rows(wh, "SELECT amazon_order_id, violation_codes, error FROM messaging.outbox")
    for row in got:
        assert row["violation_codes"] == ["missing_required_content"]
        assert row["amazon_order_id"] in row["error"] and "delivery_address" in row["error"]


def test_address_lines_follow_the_countrys_post():
    # ordersV0.json Address and orders_2026-01-01.json CustomerAddress field names
    v0 = {"Name": "Jane Doe", "AddressLine1": "1200 12th Ave S", "City": "Seattle",
          "StateOrRegion": "WA", "PostalCode": "98144", "CountryCode": "US", "Phone": "+1 206 555 0100"}  # fmt: skip
    new = {"name": "Tom Smith", "addressLine1": "17 Baker Street", "addressLine2": "Flat 2",
           "city": "London", "postalCode": "NW1 6XE", "countryCode": "GB"}  # fmt: skip
    de = {"name": "Max Müller", "addressLine1": "Hauptstraße 5", "city": "Berlin",
          "postalCode": "10115", "countryCode": "DE"}  # fmt: skip
    assert address_lines(v0) == ["Jane Doe", "1200 12th Ave S", "Seattle, WA 98144"]
    assert address_lines(new) == ["Tom Smith", "17 Baker Street", "Flat 2", "London", "NW1 6XE"]
    assert address_lines(de) == ["Max Müller", "Hauptstraße 5", "10115 Berlin"]
    assert address_lines(None) == address_lines({}) == []


def test_carrier_codes_become_names_and_unknown_ones_stay_as_given():
    assert carrier_name("AMZN_US") == carrier_name("amzn_uk") == "Amazon Logistics"
    assert carrier_name("UPS") == "UPS" and carrier_name("Poste Italiane") == "Poste Italiane"
    assert carrier_name("") is None and carrier_name(None) is None


def test_product_information_is_titled_by_the_item_whose_text_it_carries():
    from buyer_messaging.policies import load_product_info

    # the demo's order 112-0982670-0775057: a backpack first, the cutting boards second
    items = [{"title": "Hiking Backpack 30 L", "asin": "B0HIKE0001", "quantity": 1},
             {"title": "Bamboo Cutting Board Set", "asin": "B028C4F69A", "quantity": 1}]  # fmt: skip
    item, text = product_info_for(load_product_info(), items, "en-US")
    assert item["title"] == "Bamboo Cutting Board Set" and text.startswith("Before first use")
    assert product_info_for(load_product_info(), items[:1], "en-US") == (None, None)


def test_messages_are_written_in_the_buyers_language_from_get_attributes(wh, emulator_factory):
    from sp_api.api import Messaging

    from buyer_messaging.render.buyer_locale import BuyerLocales
    from buyer_messaging.spapi.client import build_client

    server = emulator_factory(seed=11, orders_per_day=40, time_scale=TIME_SCALE, now=NOW)
    c = caller()
    source = order_source("2026-01-01", client("2026-01-01", server.url), c, account_id="us")
    load_orders(wh, source, c, account_id="us", window=ORDERS_WINDOW)
    plan_day(wh, account_id="us", kinds=("shipment_confirmation",), run_day=ORDERS_WINDOW[0].date(),
             day=ORDERS_WINDOW, now=NOW, enabled_despite_policy=("shipment_confirmation",))  # fmt: skip
    locale_caller = caller()
    locale_caller.buckets["GetAttributes"] = TokenBucket(1.0 * TIME_SCALE, 5)
    locales = BuyerLocales(build_client(Messaging, credentials(server.url)), locale_caller, US)
    render_and_lint(wh, account_id="us", locale="en-US", locales=locales)
    got = rows(wh, "SELECT amazon_order_id, status, locale, body FROM messaging.outbox")
    asked = {r["amazon_order_id"]: locales(r["amazon_order_id"]) for r in got}
    assert all(asked.values())  # the emulator knows every buyer's locale
    # Amazon's tag mapped onto our six locales, the marketplace's language otherwise
    for row in got:
        assert row["locale"] == choose_locale("US", asked[row["amazon_order_id"]])
    assert {r["locale"] for r in got} - {"en-US"}, "some buyers prefer another language"
    german = [r for r in got if r["locale"] == "de-DE" and r["status"] == "ready"]
    assert all("Lieferadresse:" in r["body"] for r in german)
