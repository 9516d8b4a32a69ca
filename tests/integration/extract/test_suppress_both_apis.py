"""`buyer-messaging suppress` on an order extracted through each Orders API (v0 with an RDT for
BuyerInfo, 2026-01-01 with includedData BUYER): the buyer's other orders get critical kinds only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from extract_helpers import NOW, ORDERS_WINDOW, TIME_SCALE, caller, client, rows

from buyer_messaging.cli import main
from buyer_messaging.extract.source import load_orders, order_source
from buyer_messaging.plan.planner import plan_day

pytestmark = pytest.mark.integration
KINDS = ("review_request", "unavailability_notice")


@pytest.fixture
def server(emulator_factory):
    return emulator_factory(seed=11, orders_per_day=120, time_scale=TIME_SCALE, now=NOW)


@pytest.mark.parametrize("api", ["v0", "2026-01-01"])
def test_suppress_works_on_orders_of_either_api(wh, fresh_warehouse, server, api, capsys):
    account = "acct_" + api.replace("-", "_")
    c = caller()
    source = order_source(api, client(api, server.url), c, account_id=account, salt="s3cret")
    load_orders(wh, source, c, account_id=account, window=ORDERS_WINDOW)

    orders = rows(
        wh,
        "SELECT amazon_order_id, buyer_hash, order_status, fulfillment_channel, raw::text AS raw"
        " FROM staging.orders WHERE account_id = %s ORDER BY purchase_date",
        account,
    )
    hashed = [o for o in orders if o["buyer_hash"]]
    # v0: every order (BuyerInfo through the RDT); 2026-01-01: merchant-fulfilled ones (Amazon
    # gives buyerEmail for those only)
    expected = orders if api == "v0" else [o for o in orders if o["fulfillment_channel"] == "MFN"]
    assert len(hashed) == len(expected) > 50
    assert all("@" not in o["raw"] for o in orders)  # the raw value is never stored

    by_buyer: dict[str, list[dict]] = {}
    for o in hashed:
        by_buyer.setdefault(o["buyer_hash"], []).append(o)
    # a returning buyer with a later shipped order that is due a review request
    repeat = next(
        group for group in by_buyer.values()
        if len(group) >= 2 and any(o["order_status"] == "Shipped" for o in group[1:])
    )  # fmt: skip
    first = repeat[0]["amazon_order_id"]
    assert main(["suppress", "--account", account, "--order", first, "--dsn", fresh_warehouse,
                 "--reason", "asked not to be contacted"]) == 0  # fmt: skip
    assert "critical messages only" in capsys.readouterr().out

    later = NOW + timedelta(days=40)
    plan_day(
        wh, account_id=account, kinds=KINDS, run_day=later.date(),
        day=(ORDERS_WINDOW[0] - timedelta(days=30), later), now=later,
    )  # fmt: skip
    got = {
        (r["amazon_order_id"], r["kind"]): (r["status"], r["reason"])
        for r in rows(
            wh,
            "SELECT amazon_order_id, kind, status, reason FROM messaging.outbox WHERE account_id = %s",
            account,
        )
    }
    theirs = {o["amazon_order_id"] for o in repeat}
    suppressed = ("skipped", "suppressed: asked not to be contacted")
    later_reviews = [
        got[(o["amazon_order_id"], "review_request")]
        for o in repeat[1:] if (o["amazon_order_id"], "review_request") in got
    ]  # fmt: skip
    assert later_reviews and all(v == suppressed for v in later_reviews)
    # nobody else is suppressed, and critical notices still reach this buyer
    others = [v for (oid, kind), v in got.items() if oid not in theirs]
    assert others and all(v != suppressed for v in others)
    assert all(v != suppressed for (oid, kind), v in got.items() if kind == "unavailability_notice")


def test_without_the_restricted_role_v0_extracts_without_buyer_data(wh, emulator_factory, caplog):
    """Amazon refuses the RDT (403) to an application without the restricted roles: the orders
    are extracted all the same, without buyer data, and `suppress` says why it cannot act."""
    server = emulator_factory(
        seed=11, orders_per_day=40, time_scale=TIME_SCALE, now=NOW,
        faults={"deny_restricted_data": True},
    )  # fmt: skip
    c = caller()
    source = order_source("v0", client("v0", server.url), c, account_id="no_role")
    stats = load_orders(wh, source, c, account_id="no_role", window=ORDERS_WINDOW)
    assert stats.orders > 50 and stats.rejected == 0
    assert "no restricted data for this application" in caplog.text
    assert rows(wh, "SELECT count(buyer_hash) AS n FROM staging.orders")[0]["n"] == 0


def test_a_failed_getorders_attempt_leaves_no_stale_token_behind(wh, emulator_factory, caplog):
    """A getOrders attempt that fails after its RDT was made (a 503 here, a 429 in the field)
    is retried with a fresh RDT and the buyer data still comes: python-amazon-sp-api leaves
    the token of a failed call on the client, which then sends it in place of the access token,
    so the retry's createRestrictedDataToken was refused with 403 and the run went on without
    buyer data (and without suppression by buyer)."""
    server = emulator_factory(
        seed=12, orders_per_day=40, time_scale=TIME_SCALE, now=NOW,
        faults={"error_rate_503": 0.4, "operations": ["getOrders"]},
    )  # fmt: skip
    c = caller()
    source = order_source("v0", client("v0", server.url), c, account_id="flaky")
    stats = load_orders(wh, source, c, account_id="flaky", window=ORDERS_WINDOW)
    assert sum(c.retries.values()) > 0, "no getOrders attempt failed: the test proves nothing"
    assert stats.orders > 50 and "no restricted data" not in caplog.text
    got = rows(wh, "SELECT count(*) AS n, count(buyer_hash) AS hashed FROM staging.orders")[0]
    assert got["hashed"] == got["n"], got
