"""`explain` answers from the planner's own SQL: for every order of the demo account (emulator
data through its Orders API), what explain says the runs will record is what planning the days
records — kind, event, status, due day and reason — and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from integration.extract.extract_helpers import NOW, TIME_SCALE, caller, client, rows

from buyer_messaging.extract.source import load_orders, order_source
from buyer_messaging.plan.explain import explain_order
from buyer_messaging.plan.planner import plan_day
from buyer_messaging.policies import load_pack, load_timing
from buyer_messaging.tasks import account

pytestmark = pytest.mark.integration
WINDOW = (NOW - timedelta(days=6), NOW - timedelta(days=1))
LATER = datetime(2026, 12, 12, 9, tzinfo=UTC)  # planning (and explaining) three weeks on


def test_explain_predicts_exactly_what_planning_records_for_every_order(wh, emulator_factory):
    acc = account("demo")
    server = emulator_factory(seed=5, orders_per_day=30, time_scale=TIME_SCALE, now=NOW)
    c = caller()
    api = acc.orders_api
    load_orders(wh, order_source(api, client(api, server.url), c, account_id=acc.id), c,
                account_id=acc.id, window=WINDOW)  # fmt: skip
    with wh.cursor() as cur:  # one buyer asked not to be contacted: suppression is decided too
        cur.execute(
            "INSERT INTO messaging.suppressions (account_id, buyer_hash, reason)"
            " SELECT account_id, buyer_hash, 'asked' FROM staging.orders"
            " WHERE account_id = %s AND buyer_hash IS NOT NULL ORDER BY amazon_order_id LIMIT 3",
            (acc.id,),
        )
    wh.commit()
    orders = [r["amazon_order_id"] for r in rows(wh, "SELECT amazon_order_id FROM staging.orders")]
    assert len(orders) > 60

    predicted = set()
    for order_id in orders:
        for p in explain_order(wh, acc.id, order_id, now=LATER)["predicted"]:
            if p["status"] is not None and not p["future"]:
                predicted.add(
                    (order_id, p["kind"], p["event"], p["status"], p["due_on"], p["reason"])
                )
    wh.rollback()

    zone = ZoneInfo(acc.tz)
    first = (WINDOW[0] - timedelta(days=3)).astimezone(zone).date()
    last = (LATER.astimezone(zone) - timedelta(days=1)).date()
    timing = load_timing()
    day = first
    while day <= last:  # the daily runs of every day, as a backfill at LATER would
        start = datetime.combine(day, time(0), tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        plan_day(
            wh, account_id=acc.id, kinds=acc.kinds, run_day=day, day=(start, end), now=LATER,
            timing=timing, pack=load_pack(acc.policy_pack or timing.default_pack),
            enabled_despite_policy=acc.enabled_despite_policy, tz=acc.tz, marketplace=acc.marketplace,
        )  # fmt: skip
        day += timedelta(days=1)
    planned = {
        (r["amazon_order_id"], r["kind"], r["event"], r["status"], r["due_on"], r["reason"])
        for r in rows(
            wh,
            "SELECT amazon_order_id, kind, event, status, due_on, reason FROM messaging.outbox"
            " WHERE due_on >= %s",
            first,
        )
    }
    predicted = {p for p in predicted if p[4] >= first}
    assert planned == predicted

    # every path is exercised, not a trivially empty agreement
    seen = {(p[1], p[3]) for p in planned}
    assert {("review_request", "planned"), ("shipment_confirmation", "expired")} <= seen
    assert any(k == "unavailability_notice" for k, _ in seen)
    reasons = {p[5] for p in planned if p[5]}
    assert any(r.startswith("suppressed") for r in reasons)
    assert {"excluded: the buyer asked for the cancellation",
            "excluded: fulfilled by Amazon, which informs the buyer itself"} <= reasons  # fmt: skip
    assert any(r.startswith("excluded: shipped late") for r in reasons)
    assert {p[2] for p in planned if p[1] == "unavailability_notice"} == {
        "cancelled", "delayed", "partially_cancelled",
    }  # fmt: skip
