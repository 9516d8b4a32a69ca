"""The send stage's time box and how many senders each kind gets."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from buyer_messaging.send.timebox import SEND_SLOTS, next_run_start, plan_senders, send_deadline

BERLIN = ZoneInfo("Europe/Berlin")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_the_run_sends_until_the_margin_before_the_next_run():
    interval = (local(2026, 3, 1), local(2026, 3, 2))
    deadline, why = send_deadline(
        interval, "Europe/Berlin", now=local(2026, 3, 2, 0, 20), margin=timedelta(minutes=5)
    )
    assert deadline == local(2026, 3, 2, 23, 55)
    assert "next run due" in why


def test_the_next_run_stays_at_local_midnight_across_dst():
    # 29 March 2026: Berlin skips 02:00-03:00, the day has 23 hours
    interval = (local(2026, 3, 28), local(2026, 3, 29))
    assert next_run_start(interval, "Europe/Berlin") == local(2026, 3, 30)
    due = next_run_start(interval, "Europe/Berlin").astimezone(UTC)
    assert due - interval[1].astimezone(UTC) == timedelta(hours=23)


def test_a_budget_caps_the_time_box():
    interval = (local(2026, 3, 1), local(2026, 3, 2))
    now = local(2026, 3, 2, 0, 20)
    deadline, why = send_deadline(
        interval, "Europe/Berlin", now=now, margin=timedelta(minutes=5), budget=timedelta(hours=2)
    )
    assert deadline == now + timedelta(hours=2)
    assert "budget" in why


def test_a_late_run_gets_one_interval_from_now():
    interval = (local(2026, 1, 1), local(2026, 1, 2))  # a backfill of a past day
    now = local(2026, 3, 2, 12)
    deadline, why = send_deadline(interval, "Europe/Berlin", now=now, margin=timedelta(minutes=5))
    assert deadline == now + timedelta(days=1, minutes=-5)
    assert "late run" in why


def test_senders_critical_first_small_queues_next_big_queue_covered():
    now = datetime(2026, 3, 2, tzinfo=UTC)
    deadline = now + timedelta(hours=23)  # 82,800 sends at 1/s
    pending = {"review_request": 120_000, "unavailability_notice": 30, "product_info": 500}
    batches = plan_senders(pending, critical={"unavailability_notice"}, deadline=deadline, now=now)
    assert [b["kind"] for b in batches] == [
        "unavailability_notice", "product_info", "review_request", "review_request"
    ]  # fmt: skip
    # the last messages' calls (two per sender, at 1/s) fit before the deadline
    stops = [datetime.fromisoformat(b["deadline"]) for b in batches]
    assert [deadline - s for s in stops] == [timedelta(seconds=s) for s in (2, 2, 4, 4)]
    assert batches[2]["limit"] == 120_000  # both senders drain one queue, SKIP LOCKED
    assert batches[2]["label"].startswith("review_request 1/2 · 120000 ready · until 23:00")


def test_a_queue_the_time_box_can_drain_gets_one_sender():
    now = datetime(2026, 3, 2, tzinfo=UTC)
    batches = plan_senders(
        {"review_request": 5_000}, critical=set(), deadline=now + timedelta(hours=23), now=now
    )
    assert len(batches) == 1


def test_never_more_senders_than_slots():
    now = datetime(2026, 3, 2, tzinfo=UTC)
    pending = {f"kind{i}": 100_000 for i in range(SEND_SLOTS)}
    batches = plan_senders(pending, critical=set(), deadline=now + timedelta(hours=1), now=now)
    assert len(batches) == SEND_SLOTS
    assert plan_senders({"review_request": 0}, critical=set(), deadline=now, now=now) == []
