"""reporting.coverage, exclusions, quarantined_orders, message_outcomes and open_cases (0018) on a
hand-built scenario in a real migrated warehouse: every number asserted, edges included."""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from buyer_messaging.warehouse.connection import transaction

pytestmark = pytest.mark.integration

US, DE = "ATVPDKIKX0DER", "A1PA6795UKMFR9"
D = date(2026, 11, 20)
SENT = "2026-11-20 10:00:00+00"
ACCOUNT = "cov"


def add_order(
    cur: Any,
    order_id: str,
    asins: list[str],
    *,
    marketplace: str = US,
    quarantine: str | None = None,
    purchased: str = "2026-11-15 10:00:00+00",
) -> None:
    cur.execute(
        "INSERT INTO staging.orders (account_id, amazon_order_id, marketplace_id, marketplace,"
        " order_status, purchase_date, last_update_date, raw, quarantined, quarantine_reason)"
        " VALUES (%s, %s, %s, 'US', 'Shipped', %s, %s, '{}', %s, %s)",
        (ACCOUNT, order_id, marketplace, purchased, purchased, quarantine is not None, quarantine),
    )
    for n, asin in enumerate(asins):
        cur.execute(
            "INSERT INTO staging.order_items (account_id, amazon_order_id, order_item_id, asin, raw)"
            " VALUES (%s, %s, %s, %s, '{}')",
            (ACCOUNT, order_id, f"item-{n}", asin),
        )


def add_message(
    cur: Any,
    order_id: str,
    status: str,
    *,
    kind: str = "review_request",
    reason: str | None = None,
    day: date = D,
    sent_at: str | None = None,
    event: str = "default",
    marketplace: str = US,
) -> None:
    cur.execute(
        "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind, event,"
        " channel, status, planned_for, due_on, reason, sent_at)"
        " VALUES (%s, %s, %s, %s, %s, 'solicitations', %s, %s, %s, %s, %s)",
        (ACCOUNT, marketplace, order_id, kind, event, status, day, day, reason, sent_at),
    )


def add_feedback(cur: Any, order_id: str, rating: int, on: date) -> None:
    cur.execute(
        "INSERT INTO staging.seller_feedback (account_id, amazon_order_id, marketplace_id,"
        " feedback_date, rating) VALUES (%s, %s, %s, %s, %s)",
        (ACCOUNT, order_id, US, on, rating),
    )


def add_return(cur: Any, order_id: str, asin: str, requested: str) -> None:
    cur.execute(
        "INSERT INTO staging.returns (account_id, amazon_order_id, return_key, line_key, asin,"
        " order_date, return_request_date, return_quantity, raw)"
        " VALUES (%s, %s, %s, %s, %s, '2026-11-15', %s, 1, %s)",
        (ACCOUNT, order_id, f"rma-{order_id}-{asin}", asin, asin, requested, json.dumps({})),
    )


def view(cur: Any, name: str, key: tuple[str, ...]) -> dict[tuple[Any, ...], dict[str, Any]]:
    cur.execute(f"SELECT * FROM reporting.{name} WHERE account_id = %s", (ACCOUNT,))
    names = [d[0] for d in cur.description]
    out = {}
    for raw in cur.fetchall():
        row = dict(zip(names, raw, strict=True))
        out[tuple(row.pop(k) for k in key)] = row
        row.pop("account_id", None)
    return out


@pytest.fixture(scope="module")
def scenario(warehouse_dsn: str) -> Any:
    from buyer_messaging.warehouse.connection import connect

    conn = connect(warehouse_dsn)
    with transaction(conn) as cur:
        add_order(cur, "o01", ["A", "B", "A"])  # two items of A: the order counts once under A
        add_message(cur, "o01", "sent", sent_at=SENT)
        skipped = {
            "o02": "excluded: the order was cancelled",
            "o03": "excluded: the order was returned",
            "o04": "excluded: shipped late, after its latest ship date 2026-11-10",
            "o05": "negative signal: 1-2 star rating (case 7)",
            "o06": "suppressed: asked by e-mail not to be contacted",
            "o07": None,  # skipped by the send stage: Amazon said not eligible
            "o12": "policy:de-no-review-requests",
            "o17": "excluded: repeat buyer (an earlier order within 30 days)",
            "o19": "a reason no class knows yet",
        }
        for order_id, reason in skipped.items():
            add_order(cur, order_id, ["A"])
            add_message(cur, order_id, "skipped", reason=reason)
        for order_id, status in [
            ("o08", "expired"), ("o09", "blocked"), ("o10", "failed"), ("o13", "planned"),
            ("o24", "delivery_unknown"), ("o26", "failed_retryable"),
        ]:  # fmt: skip
            add_order(cur, order_id, ["A"])
            add_message(cur, order_id, status)
        add_message(cur, "o11", "sent", sent_at=SENT)  # its items are unknown: asin NULL
        add_order(cur, "o14", ["A"])
        add_message(
            cur, "o14", "sent", kind="shipment_confirmation", sent_at="2026-11-20 23:30:00+00"
        )
        add_order(cur, "o15", ["A"], marketplace=DE)
        add_message(cur, "o15", "sent", marketplace=DE, sent_at="2026-11-21 00:30:00+00")
        add_order(cur, "o18", ["A"])
        add_message(cur, "o18", "skipped", kind="unavailability_notice", event="cancelled",
                    reason="excluded: fulfilled by Amazon, which informs the buyer itself")  # fmt: skip
        add_message(cur, "o18", "planned", kind="unavailability_notice", event="delayed")
        # quarantined: never planned
        add_order(cur, "o16", ["A", "B"], quarantine="latest_delivery_date null",
                  purchased="2026-11-14 23:00:00+00")  # fmt: skip
        add_order(cur, "o25", [], quarantine="latest_delivery_date null",
                  purchased="2026-11-14 23:00:00+00")  # fmt: skip

        # outcomes: planned three days earlier, sent on D at 10:00 UTC
        earlier = D - timedelta(days=3)
        for order_id in ("o20", "o21", "o22", "o23"):
            add_order(cur, order_id, ["A"])
            add_message(cur, order_id, "sent", day=earlier, sent_at=SENT)
        add_feedback(cur, "o01", 1, D + timedelta(days=60))  # day 60: counts
        add_return(cur, "o01", "B", "2026-11-25 00:00:00+00")  # after, of B only
        add_feedback(cur, "o20", 2, D + timedelta(days=61))  # day 61: too late
        add_return(cur, "o20", "A", "2026-11-20 09:59:59+00")  # a second before the message
        add_feedback(cur, "o21", 3, D)  # neutral, dated the day of the message
        add_feedback(cur, "o22", 1, D - timedelta(days=1))  # before the message
        add_return(cur, "o22", "A", SENT)  # at the very moment sent: after
        add_feedback(cur, "o23", 5, D + timedelta(days=5))  # positive: neither
        add_feedback(cur, "o13", 1, D)  # not sent: no outcome
        # a message whose 60 days are long over
        add_order(cur, "o30", ["C"])
        add_message(cur, "o30", "sent", day=date(2026, 1, 1), sent_at="2026-01-01 12:00:00+00")

        # issue-resolution cases
        add_order(cur, "o40", ["A"])
        cur.execute(
            "INSERT INTO messaging.cases (account_id, amazon_order_id, source, signal, signalled_on,"
            " opened_at, status) VALUES"
            " (%(a)s, 'o40', 'feedback', '1-2 star rating', '2026-11-10',"
            "  now() - interval '10 days 1 hour', 'open'),"
            " (%(a)s, 'o41', 'return', 'return: DEFECTIVE', '2026-12-01',"
            "  now() - interval '23 hours 59 minutes', 'open'),"
            " (%(a)s, 'o42', 'return', 'return: DEFECTIVE', '2026-11-01',"
            "  now() - interval '30 days', 'closed')",
            {"a": ACCOUNT},
        )
        add_message(cur, "o40", "planned", kind="issue_resolution", day=date(2026, 11, 10))
    yield conn
    conn.close()


def test_coverage_counts_every_candidate_once_per_asin_with_its_reason(scenario):
    with scenario.cursor() as cur:
        got = view(cur, "coverage_by_asin", ("day", "marketplace_id", "kind", "asin"))
        per_order = view(cur, "coverage", ("day", "marketplace_id", "kind"))
    scenario.rollback()
    zero = {c: 0 for c in next(iter(got.values()))}

    def row(**counts: int) -> dict[str, int]:
        return zero | counts

    earlier = D - timedelta(days=3)
    assert got == {
        (D, US, "review_request", "A"): row(
            candidates=16, eligible=7, excluded=9, excluded_cancelled=1, excluded_returned=1,
            excluded_late=1, excluded_by_seller=1, excluded_suppressed=1,
            excluded_negative_signal=1, excluded_by_policy=1, skipped_at_send=1, excluded_other=1,
            pending=2, sent=1, blocked=1, failed=1, delivery_unknown=1, expired=1,
        ),
        (D, US, "review_request", "B"): row(candidates=1, eligible=1, sent=1),
        (D, US, "review_request", None): row(candidates=1, eligible=1, sent=1),
        (D, US, "shipment_confirmation", "A"): row(candidates=1, eligible=1, sent=1),
        (D, DE, "review_request", "A"): row(candidates=1, eligible=1, sent=1),
        (D, US, "unavailability_notice", "A"): row(
            candidates=2, eligible=1, excluded=1, excluded_buyer_informed=1, pending=1
        ),
        (earlier, US, "review_request", "A"): row(candidates=4, eligible=4, sent=4),
        (date(2026, 1, 1), US, "review_request", "C"): row(candidates=1, eligible=1, sent=1),
        (date(2026, 11, 10), US, "issue_resolution", "A"): row(candidates=1, eligible=1, pending=1),
    }  # fmt: skip
    # per order: o01 (ASINs A and B) counts once, o11 (no items) adds one
    a = got[(D, US, "review_request", "A")]
    assert per_order[(D, US, "review_request")] == a | {
        "candidates": 17, "eligible": 8, "sent": 2,
    }  # fmt: skip
    assert len(per_order) == len(got) - 2


def test_exclusions_name_each_reason_class(scenario):
    with scenario.cursor() as cur:
        got = view(cur, "exclusions", ("day", "marketplace_id", "kind", "reason_class"))
    scenario.rollback()
    a = (D, US, "review_request")
    assert got == {
        (*a, "cancelled"): {"candidates": 1},
        (*a, "returned"): {"candidates": 1},
        (*a, "shipped_late"): {"candidates": 1},
        (*a, "negative_signal"): {"candidates": 1},
        (*a, "suppressed"): {"candidates": 1},
        (*a, "skipped_at_send"): {"candidates": 1},
        (*a, "forbidden_by_policy"): {"candidates": 1},
        (*a, "repeat_buyer"): {"candidates": 1},
        (*a, "other"): {"candidates": 1},
        (D, US, "unavailability_notice", "amazon_informs_buyer"): {"candidates": 1},
    }


def test_quarantined_orders_are_counted_though_never_planned(scenario):
    with scenario.cursor() as cur:
        got = view(cur, "quarantined_orders", ("day", "marketplace_id"))
    scenario.rollback()
    # o16 (two ASINs) and o25 (no items), purchased 23:00 UTC; o01.. are not quarantined
    assert got == {(date(2026, 11, 14), US): {"reason": "latest_delivery_date null", "orders": 2}}


def test_outcomes_count_feedback_within_60_days_and_returns_after_the_message(scenario):
    with scenario.cursor() as cur:
        got = view(cur, "message_outcomes_by_asin", ("day", "marketplace_id", "kind", "asin"))
        per_order = view(cur, "message_outcomes", ("day", "marketplace_id", "kind"))
    scenario.rollback()
    none = {"negative_feedback": 0, "neutral_feedback": 0, "returned_after": 0,
            "asin_returned_after": 0, "feedback_window_closed": False}  # fmt: skip
    assert got == {
        # o01, o20 (day-61 rating, return a second before), o21 (neutral on the day), o22 (rating
        # the day before; return at the moment sent), o23 (5 stars)
        (D, US, "review_request", "A"): none | {
            "sent": 5, "negative_feedback": 1, "neutral_feedback": 1, "returned_after": 2,
            "asin_returned_after": 1,
        },
        # o01 again: its rating is per order; its return was of B
        (D, US, "review_request", "B"): none | {
            "sent": 1, "negative_feedback": 1, "returned_after": 1, "asin_returned_after": 1,
        },
        (D, US, "review_request", None): none | {"sent": 1},
        (D, US, "shipment_confirmation", "A"): none | {"sent": 1},  # 23:30 UTC is still D
        (D + timedelta(days=1), DE, "review_request", "A"): none | {"sent": 1},  # 00:30 UTC
        (date(2026, 1, 1), US, "review_request", "C"): none | {
            "sent": 1, "feedback_window_closed": True,
        },
    }  # fmt: skip
    # per order: the five of A (o01 among them) and o11
    assert per_order[(D, US, "review_request")] == {
        "sent": 6, "negative_feedback": 1, "neutral_feedback": 1, "returned_after": 2,
        "feedback_window_closed": False,
    }  # fmt: skip
    assert per_order[(date(2026, 1, 1), US, "review_request")]["feedback_window_closed"] is True
    assert len(per_order) == len(got) - 2


def test_open_cases_with_their_age(scenario):
    with scenario.cursor() as cur:
        got = view(cur, "open_cases", ("amazon_order_id",))
    scenario.rollback()
    for row in got.values():
        row.pop("case_id"), row.pop("opened_at")
    assert got == {
        ("o40",): {
            "marketplace_id": US, "source": "feedback", "signal": "1-2 star rating",
            "signalled_on": date(2026, 11, 10), "age_days": 10, "message_status": "planned",
        },
        # opened a minute short of a day ago; its order is not in staging
        ("o41",): {
            "marketplace_id": None, "source": "return", "signal": "return: DEFECTIVE",
            "signalled_on": date(2026, 12, 1), "age_days": 0, "message_status": None,
        },
    }  # fmt: skip


def test_the_planners_own_reasons_fall_in_their_classes(wh, fresh_warehouse):
    """The classes read decide.sql's texts: a reworded reason must not slip into `other`."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "plan"))
    from test_suppressions import order, plan

    from buyer_messaging.cli import main
    from buyer_messaging.extract import store as staging

    with transaction(wh) as cur:
        staging.upsert_orders(cur, "us", [
            order("111-0000000-0000001", "quiet"), order("111-0000000-0000002", "chatty"),
            order("111-0000000-0000003", "other", status="Canceled"),
        ], [])  # fmt: skip
    assert main(["suppress", "--account", "us", "--order", "111-0000000-0000001",
                 "--dsn", fresh_warehouse, "--reason", "asked not to be contacted"]) == 0  # fmt: skip
    plan(wh)
    with wh.cursor() as cur:
        cur.execute(
            "SELECT kind, sum(candidates), sum(excluded_suppressed), sum(excluded_cancelled),"
            " sum(excluded_other), sum(pending) FROM reporting.coverage WHERE account_id = 'us'"
            " GROUP BY kind ORDER BY kind"
        )
        got = cur.fetchall()
    wh.rollback()
    assert got == [("review_request", 3, 1, 1, 0, 1), ("unavailability_notice", 1, 0, 0, 0, 1)]


def test_views_are_documented_for_bi_tools(scenario):
    with scenario.cursor() as cur:
        cur.execute(
            "SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'reporting'"
            " AND c.relname IN ('coverage', 'coverage_by_asin', 'exclusions', 'quarantined_orders',"
            " 'message_outcomes', 'message_outcomes_by_asin', 'open_cases')"
        )
        comments = dict(cur.fetchall())
    scenario.rollback()
    assert len(comments) == 7 and all(comments.values())
    assert "once under each distinct ASIN" in comments["coverage_by_asin"]


def test_the_coverage_command_prints_the_per_kind_table(scenario, warehouse_dsn, capsys):
    from buyer_messaging.cli import main

    args = ["coverage", "--account", ACCOUNT, "--days", "30", "--until", "2026-11-30"]
    assert main([*args, "--dsn", warehouse_dsn]) == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        out[0]
        == "coverage of cov, planned 2026-11-01..2026-11-30 (outcomes: messages sent in those days)"
    )
    rows = {line.split()[0]: line.split()[1:] for line in out[2:-2]}
    # review_request planned: D in the US (17 per order) and DE (1), D-3 (4); sent on D (6) and
    # D+1 in DE (1): 1 negative rating and 2 returns after, of 7
    assert rows["review_request"] == ["22", "13", "9", "7", "53.8%", "14.3%", "28.6%"]
    assert rows["unavailability_notice"] == ["2", "1", "1", "0", "0.0%", "–", "–"]
    assert out[-2] == (
        "excluded by reason: cancelled 1, returned 1, shipped late 1, seller's exclusions 1,"
        " buyer informed otherwise 1, suppressed 1, negative signal 1, policy 1,"
        " refused when sent 1, other 1"
    )
    assert out[-1] == "orders held back by data validation: 2"
