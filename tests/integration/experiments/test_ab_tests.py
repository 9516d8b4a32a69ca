"""A/B tests: stable assignment by order, timing variants, text variants, outcome comparison."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "plan"))
from test_suppressions import DAY, NOW, D, order  # noqa: E402

from buyer_messaging.cli import main  # noqa: E402
from buyer_messaging.experiments.policy import AbTests  # noqa: E402
from buyer_messaging.experiments.report import compare  # noqa: E402
from buyer_messaging.extract import store as staging  # noqa: E402
from buyer_messaging.plan.planner import plan_day  # noqa: E402
from buyer_messaging.warehouse.connection import transaction  # noqa: E402

pytestmark = pytest.mark.integration
TESTS = AbTests.model_validate(
    {
        "tests": [
            {
                "id": "rr-1",
                "kind": "review_request",
                "variants": [
                    {"name": "control", "weight": 1},
                    {"name": "later", "weight": 1, "delay_days": 20},
                ],
            }
        ]
    }
)


def plan(wh, tests=TESTS, days_on=0):
    """The daily run of D + `days_on`, run the day after it."""
    shift = timedelta(days=days_on)
    return plan_day(
        wh, account_id="us", kinds=("review_request",), run_day=D + shift,
        day=(DAY[0] + shift, DAY[1] + shift), now=NOW + shift, tz="America/Los_Angeles",
        ab_tests=tests,
    )  # fmt: skip


def rows(wh):
    with wh.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id, status, ab_test, variant, due_on FROM messaging.outbox"
            " WHERE kind = 'review_request' ORDER BY 1"
        )
        out = {r[0]: r[1:] for r in cur.fetchall()}
    wh.commit()
    return out


def test_orders_split_stably_and_a_timing_variant_falls_due_later(wh):
    orders = [order(f"111-0000000-{n:07d}", f"b{n}") for n in range(200)]
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "us", orders, [])
    plan(wh)
    got = rows(wh)
    control = {o for o, (_, test, variant, _) in got.items() if variant == "control"}
    assert all(test == "rr-1" for _, test, _, _ in got.values())
    # the "later" variant (20 more days) is not due yet: only control rows
    assert set(got) == control and 70 < len(control) < 130  # about half of 200
    # a re-run keeps every assignment; the day the later variant falls due plans it
    plan(wh)
    assert rows(wh) == got
    plan(wh, days_on=20)
    again = rows(wh)
    assert {o: v[2] for o, v in again.items() if o in control} == dict.fromkeys(control, "control")
    later = {o: v for o, v in again.items() if o not in control}
    assert later and all(v[2] == "later" for v in later.values())
    assert all(v[3] >= D + timedelta(days=19) for v in later.values())  # it fell due 20 days later
    assert {v[0] for v in later.values()} == {"planned"}


def test_without_a_test_no_variant_is_stored(wh):
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "us", [order("111-0000001-0000001", "solo")], [])
    plan(wh, tests=AbTests())
    assert rows(wh)["111-0000001-0000001"][1:3] == (None, None)


def test_comparison_says_when_the_sample_is_too_small_and_when_a_variant_wins():
    small = compare("t", "review_request", "negative_feedback", [("a", 20, 2), ("b", 25, 0)])
    assert "too small to conclude" in small.verdict
    assert small.variants[0].low < 0.1 < small.variants[0].high  # Wilson interval around 10%
    unclear = compare("t", "review_request", "negative_feedback", [("a", 200, 10), ("b", 200, 7)])
    assert unclear.p_value is not None and unclear.p_value > 0.05
    assert "no significant difference" in unclear.verdict
    clear = compare("t", "review_request", "negative_feedback", [("a", 500, 60), ("b", 500, 15)])
    assert clear.p_value is not None and clear.p_value < 0.001
    assert clear.verdict.startswith("b brings the least negative feedback")


def sent_with_ratings(wh, orders: int, sent_at: str, rated: int, feedback_date: date) -> None:
    """`orders` orders planned and sent at `sent_at`; `rated` of them got a 1-star rating."""
    with transaction(wh) as cur:
        staging.upsert_orders(
            cur, "us", [order(f"111-0000002-{n:07d}", f"r{n}") for n in range(orders)], []
        )
    plan(wh)
    with wh.cursor() as cur:
        cur.execute("UPDATE messaging.outbox SET status = 'sent', sent_at = %s", (sent_at,))
        cur.execute(
            "INSERT INTO staging.seller_feedback (account_id, amazon_order_id, marketplace_id,"
            " feedback_date, rating) SELECT account_id, amazon_order_id, marketplace_id, %s, 1"
            " FROM messaging.outbox LIMIT %s",
            (feedback_date, rated),
        )
    wh.commit()


def test_ab_report_reads_the_outcomes_view(wh, fresh_warehouse, capsys):
    sent_with_ratings(wh, 40, str(datetime.now(UTC) - timedelta(days=3)), 3, date.today())
    assert main(["ab-report", "--account", "us", "--dsn", fresh_warehouse]) == 0
    out = capsys.readouterr().out
    assert "A/B test rr-1 (review_request), outcome: negative feedback" in out
    assert "control" in out and "verdict: only one variant has sent messages yet" in out


def test_outcomes_count_the_same_feedback_in_every_session_time_zone(wh):
    """Messages sent at 02:00 UTC and 1-star ratings dated the UTC day before: the ratings
    came before the messages, so they are no outcome of them. Read `sent_at::date` in a
    session west of UTC, the send's day was the rating's day and the view counted them."""
    sent_with_ratings(wh, 10, "2026-03-10 02:00+00", 10, date(2026, 3, 9))
    counts = {}
    for zone in ("Pacific/Pago_Pago", "UTC", "Pacific/Kiritimati"):
        with wh.cursor() as cur:
            cur.execute("SET TIME ZONE %s", (zone,))
            cur.execute(
                "SELECT sum(sent), sum(negative_feedback) FROM reporting.ab_outcomes"
                " WHERE account_id = 'us' AND ab_test = 'rr-1'"
            )
            counts[zone] = cur.fetchall()
        wh.rollback()
    assert counts["UTC"][0][0] > 0 and counts["UTC"][0][1] == 0, counts
    assert counts["Pacific/Pago_Pago"] == counts["UTC"] == counts["Pacific/Kiritimati"], counts
