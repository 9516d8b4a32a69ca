"""A negative signal opens a case, stops non-critical messages to the order and its buyer,
alerts the seller, and the seller closes the case."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "plan"))
from test_suppressions import DAY, NOW, D, order, outbox, plan  # noqa: E402

from buyer_messaging.cli import main  # noqa: E402
from buyer_messaging.compose.stage import render_and_lint  # noqa: E402
from buyer_messaging.extract import store as staging  # noqa: E402
from buyer_messaging.extract.parse import buyer_hash  # noqa: E402
from buyer_messaging.plan.planner import plan_day  # noqa: E402
from buyer_messaging.signals.policy import SignalsPolicy  # noqa: E402
from buyer_messaging.signals.stage import alert_new_cases, alert_text, open_signal_cases  # noqa: E402
from buyer_messaging.warehouse.connection import transaction  # noqa: E402

pytestmark = pytest.mark.integration
POLICY = SignalsPolicy(negative_feedback_max_stars=2, negative_return_reasons=("CR-DEFECTIVE",))
NONCRITICAL = ["review_request", "product_info", "shipment_confirmation", "return_confirmation"]


def feedback(wh, order_id: str, rating: int, rater: str) -> None:
    with wh.cursor() as cur:
        cur.execute(
            "INSERT INTO staging.seller_feedback (account_id, amazon_order_id, marketplace_id,"
            " feedback_date, rating, comments, rater_hash) VALUES ('us', %s, 'ATVPDKIKX0DER', %s, %s,"
            " 'arrived broken', %s)",
            (
                order_id,
                date(2026, 11, 19),
                rating,
                buyer_hash(f"{rater}@marketplace.amazon.com", ""),
            ),
        )
    wh.commit()


def test_bad_feedback_stops_review_requests_to_the_buyer_and_the_case_closes(
    wh, fresh_warehouse, capsys
):
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "us", [
            order("111-0000000-0000011", "angry"), order("111-0000000-0000012", "angry"),
            order("111-0000000-0000013", "angry", status="Canceled"),
            order("111-0000000-0000014", "happy"), order("111-0000000-0000015", "meh"),
        ], [])  # fmt: skip
    feedback(wh, "111-0000000-0000011", 1, "angry")
    feedback(wh, "111-0000000-0000015", 3, "meh")  # neutral: no case

    cases, skipped = open_signal_cases(
        wh, "us", tz="America/Los_Angeles", noncritical_kinds=NONCRITICAL, policy=POLICY
    )
    assert [(c.amazon_order_id, c.signal, c.status) for c in cases] == [
        ("111-0000000-0000011", "seller feedback 1 star", "open")
    ]
    assert skipped == 0  # nothing was pending yet
    # a re-run opens nothing new
    assert open_signal_cases(
        wh, "us", tz="America/Los_Angeles", noncritical_kinds=NONCRITICAL, policy=POLICY
    ) == ([], 0)

    plan(wh)
    got = outbox(wh)
    case = cases[0].id
    assert got[("111-0000000-0000011", "review_request")] == (
        "skipped", f"negative signal: seller feedback 1 star (case {case})",
    )  # fmt: skip
    assert got[("111-0000000-0000012", "review_request")] == (
        "skipped",
        f"negative signal: seller feedback 1 star on another order of this buyer (case {case})",
    )
    # a cancellation notice is critical: still planned for the same buyer
    assert got[("111-0000000-0000013", "unavailability_notice")] == ("planned", None)
    assert got[("111-0000000-0000014", "review_request")] == ("planned", None)
    assert got[("111-0000000-0000015", "review_request")] == ("planned", None)

    # the case's own message: one issue-resolution message to the order, not stopped by its case
    counts = plan_day(
        wh, account_id="us", kinds=("issue_resolution",), run_day=D, day=DAY, now=NOW,
        tz="America/Los_Angeles",
    )  # fmt: skip
    assert counts == {"issue_resolution:planned": 1}
    assert outbox(wh)[("111-0000000-0000011", "issue_resolution")] == ("planned", None)
    render_and_lint(wh, account_id="us", locale="en-US", seller_name="Acme")
    with wh.cursor() as cur:
        cur.execute(
            "SELECT status, subject, body FROM messaging.outbox WHERE kind = 'issue_resolution'"
        )
        status, subject, body = cur.fetchone()
    wh.commit()
    assert status == "ready" and "111-0000000-0000011" in subject and "make it right" in body
    assert "review" not in body.lower() and "feedback" not in body.lower()

    base = ["cases", "--account", "us", "--dsn", fresh_warehouse]
    assert main(["cases", "list", *base[1:]]) == 0
    assert "111-0000000-0000011\topen\tseller feedback 1 star" in capsys.readouterr().out
    close = ["cases", "close", *base[1:], "--order", "111-0000000-0000011"]
    assert main([*close, "--by", "maria", "--resolution", "replacement sent"]) == 0
    assert "closed by maria: replacement sent" in capsys.readouterr().out
    assert main([*close, "--by", "maria", "--resolution", "again"]) == 1  # none open now
    assert "has no open case" in capsys.readouterr().err
    with wh.cursor() as cur:
        cur.execute(
            "SELECT status, closed_by, resolution, closed_at IS NOT NULL FROM messaging.cases"
        )
        assert cur.fetchall() == [("closed", "maria", "replacement sent", True)]
    wh.commit()


def test_a_defective_return_skips_messages_already_pending(wh):
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "us", [order("111-0000000-0000021", "broke")], [])
    plan(wh)
    assert outbox(wh)[("111-0000000-0000021", "review_request")] == ("planned", None)
    returned = DAY[0] - timedelta(days=1)
    with wh.cursor() as cur:
        cur.execute(
            "INSERT INTO staging.returns (account_id, amazon_order_id, return_key, line_key,"
            " order_date, return_request_date, return_quantity, return_reason, raw)"
            " VALUES ('us', '111-0000000-0000021', 'R1', 'SKU', %s, %s, 1, 'CR-DEFECTIVE', '{}')",
            (returned - timedelta(days=9), returned),
        )
    wh.commit()
    cases, skipped = open_signal_cases(
        wh, "us", tz="America/Los_Angeles", noncritical_kinds=NONCRITICAL, policy=POLICY
    )
    assert [c.signal for c in cases] == ["return: CR-DEFECTIVE"] and skipped == 1
    status, reason = outbox(wh)[("111-0000000-0000021", "review_request")]
    assert status == "skipped" and reason.startswith("negative signal: return: CR-DEFECTIVE")


def test_the_alert_names_orders_and_signals_but_no_buyer_data(caplog, capsys):
    from buyer_messaging.signals.cases import Case

    case = Case(
        1, "us", "111-0000000-0000031", "feedback", "seller feedback 1 star", date(2026, 11, 19),
        datetime(2026, 11, 20, tzinfo=UTC), "open", None, None, None,
    )  # fmt: skip
    subject, body = alert_text("us", [case])
    assert "us" in subject and "1 new negative signal" in subject
    assert "111-0000000-0000031: seller feedback 1 star" in body
    assert "never ask to change or remove feedback" in body
    assert "cases close --account us" in body
    # a notifier the seller configures gets the text through its templated fields
    spec = {"notifier": f"{__name__}.RecordingNotifier", "params": {"text": "{{ case_summary }}"}}
    RecordingNotifier.seen.clear()
    assert alert_new_cases("us", [case], notifiers=[spec, {"notifier": "no.such.Notifier"}]) == 1
    assert RecordingNotifier.seen and "111-0000000-0000031" in RecordingNotifier.seen[0]
    # (Airflow's structlog set-up prints records once airflow is imported)
    assert "could not be built" in caplog.text + capsys.readouterr().out


class RecordingNotifier:
    """Stands in for a seller's own notifier (e.g. Slack): an Airflow BaseNotifier subclass."""

    seen: list[str] = []

    def __new__(cls, **params):  # built lazily so that importing this test needs no Airflow
        from airflow.sdk.bases.notifier import BaseNotifier

        class _Recording(BaseNotifier):
            template_fields = ("text",)

            def __init__(self, text: str) -> None:
                super().__init__()
                self.text = text

            def notify(self, context) -> None:
                RecordingNotifier.seen.append(self.text)

        return _Recording(**params)
