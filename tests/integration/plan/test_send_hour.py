"""Send time of day (#19 item 5): an account or an A/B variant holds non-critical messages until
a local hour; critical ones are never held, and a run that starts after that hour sends at once."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_suppressions import DAY, D, order  # noqa: E402

from buyer_messaging.experiments.policy import AbTests  # noqa: E402
from buyer_messaging.extract import store as staging  # noqa: E402
from buyer_messaging.plan.planner import plan_day  # noqa: E402
from buyer_messaging.send import outbox  # noqa: E402
from buyer_messaging.warehouse.connection import transaction  # noqa: E402

pytestmark = pytest.mark.integration
LA = ZoneInfo("America/Los_Angeles")
NO_TESTS = AbTests()


def plan(wh, *, now, send_hour, tests=NO_TESTS):
    return plan_day(
        wh, account_id="us", kinds=("review_request", "unavailability_notice"), run_day=D, day=DAY,
        now=now, tz="America/Los_Angeles", send_hour=send_hour, ab_tests=tests,
    )  # fmt: skip


def held(wh):
    with wh.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id, kind, status, variant, send_not_before FROM messaging.outbox"
            " ORDER BY 1, 2"
        )
        out = {(o, k): (s, v, at) for o, k, s, v, at in cur.fetchall()}
    wh.commit()
    return out


def load(wh, n=2, canceled=1):
    orders = [order(f"111-0000000-{i:07d}", f"b{i}") for i in range(n)]
    orders += [order(f"111-0000001-{i:07d}", f"c{i}", status="Canceled") for i in range(canceled)]
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "us", orders, [])


def test_a_run_after_midnight_holds_review_requests_until_the_local_hour(wh):
    load(wh)
    now = datetime(2026, 11, 21, 9, tzinfo=UTC)  # 01:00 in Los Angeles
    plan(wh, now=now, send_hour=9)
    rows = held(wh)
    reviews = {k: v for k, v in rows.items() if k[1] == "review_request" and v[0] == "planned"}
    assert len(reviews) == 2
    nine_local = datetime(2026, 11, 21, 9, tzinfo=LA)
    assert {v[2] for v in reviews.values()} == {nine_local}
    skipped = [v for k, v in rows.items() if v[0] != "planned"]
    assert skipped and all(v[2] is None for v in skipped), "only what will be sent is held"
    notices = [v for k, v in rows.items() if k[1] == "unavailability_notice"]
    assert notices and all(v[2] is None for v in notices), "a critical kind is never held"


def test_a_run_that_starts_after_the_hour_sends_at_once(wh):
    load(wh)
    plan(wh, now=datetime(2026, 11, 21, 20, tzinfo=UTC), send_hour=9)  # 12:00 in Los Angeles
    assert {v[2] for v in held(wh).values()} == {None}


def test_no_send_hour_holds_nothing(wh):
    load(wh)
    plan(wh, now=datetime(2026, 11, 21, 9, tzinfo=UTC), send_hour=None)
    assert {v[2] for v in held(wh).values()} == {None}


def test_an_ab_variant_sets_its_own_hour_over_the_accounts(wh):
    load(wh, n=60, canceled=0)
    tests = AbTests.model_validate(
        {"tests": [{"id": "rr-hour", "kind": "review_request", "variants": [
            {"name": "morning", "weight": 1},
            {"name": "afternoon", "weight": 1, "send_hour": 15},
        ]}]}
    )  # fmt: skip
    plan(wh, now=datetime(2026, 11, 21, 9, tzinfo=UTC), send_hour=9, tests=tests)
    by_variant = {}
    for _status, variant, at in held(wh).values():
        by_variant.setdefault(variant, set()).add(at)
    assert by_variant == {
        "morning": {datetime(2026, 11, 21, 9, tzinfo=LA)},
        "afternoon": {datetime(2026, 11, 21, 15, tzinfo=LA)},
    }


def test_a_claim_skips_a_held_row_until_its_moment(wh):
    load(wh, n=2, canceled=0)
    plan(wh, now=datetime(2026, 11, 21, 9, tzinfo=UTC), send_hour=None)
    with transaction(wh) as cur:
        cur.execute(
            "UPDATE messaging.outbox SET status = 'ready', send_before = NULL,"
            " send_not_before = CASE WHEN amazon_order_id LIKE '%%0' THEN now() + interval '1 hour'"
            " END"
        )
    with transaction(wh) as cur:
        at, n = outbox.held_until(cur, "us", "review_request")
        claimed = outbox.claim(cur, account_id="us", kind="review_request", limit=5, worker="t:1")
    assert n == 1 and at > datetime.now(UTC)
    assert [c.amazon_order_id for c in claimed] == ["111-0000000-0000001"]
    with transaction(wh) as cur:
        for c in claimed:
            outbox.release(cur, c.id)
        cur.execute("UPDATE messaging.outbox SET send_not_before = now() - interval '1 second'")
        assert outbox.held_until(cur, "us", "review_request") == (None, 0)
        again = outbox.claim(cur, account_id="us", kind="review_request", limit=5, worker="t:1")
        assert [c.amazon_order_id for c in again] == ["111-0000000-0000000"]
        for c in again:
            outbox.release(cur, c.id)
