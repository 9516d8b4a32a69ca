"""The send forecast over a real outbox: the ready queue by deadline, the stored bucket's rate,
stored per run and read back by the dashboard's query (the latest per account and kind)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from buyer_messaging.send import forecast_store as send_forecast
from buyer_messaging.send import rate_buckets
from buyer_messaging.send.forecast import CHANNEL_OPERATIONS, forecast_queue
from buyer_messaging.ui import queries
from buyer_messaging.warehouse.connection import transaction

pytestmark = pytest.mark.integration
SOLICITATIONS = CHANNEL_OPERATIONS["solicitations"]


def test_forecast_of_a_hand_computed_queue_is_stored_and_shown(wh):
    now = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    # review requests: 100 due in 1 minute, 100 in 3, 50 done already, 1 without a deadline
    rows = [(now + timedelta(minutes=1), "ready")] * 100 + [
        (now + timedelta(minutes=3), "ready")
    ] * 100
    rows += [(now + timedelta(minutes=3), "sent")] * 50 + [(None, "failed_retryable")]
    with transaction(wh) as cur:
        for i, (send_before, status) in enumerate(rows):
            cur.execute(
                "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind,"
                " channel, status, planned_for, due_on, send_before) VALUES"
                " ('acc', 'ATVPDKIKX0DER', %s, 'review_request', 'solicitations', %s, %s, %s, %s)",
                (f"111-{i:07d}-0000001", status, date.today(), date.today(), send_before),
            )
        # Amazon's header said 0.5/s for the create: the slower operation paces the kind
        rate_buckets.ensure(cur, "acc", SOLICITATIONS[1], 1.0, 5)
        rate_buckets.set_rate(cur, "acc", SOLICITATIONS[1], 0.5)

    with transaction(wh) as cur:
        queue = send_forecast.ready_queue(cur, "acc", now)
        stored = send_forecast.stored_rates(cur, "acc", list(SOLICITATIONS))
    [f] = forecast_queue(queue, {"review_request": SOLICITATIONS}, stored, now=now)
    # at 0.5/s from now: 30 sends before the 1-minute deadline (70 of 100 expire), 60 more
    # before 3 minutes (40 of 100 expire); the one without a deadline never expires
    assert (f.ready, f.expiring_unsent, f.rate) == (201, 70 + 40, 0.5)

    with transaction(wh) as cur:
        for at, expiring in ((now - timedelta(days=1), 999), (now, f.expiring_unsent)):
            send_forecast.store(
                cur, "acc", "review_request", computed_at=at, run_day=date.today(),
                ready=f.ready, expiring_unsent=expiring, rate=f.rate,
            )  # fmt: skip
    shown = queries.send_forecast(wh, ["acc", "other"])
    wh.rollback()
    assert [(r["kind"], r["ready"], r["expiring_unsent"]) for r in shown["forecast"]] == [
        ("review_request", 201, 110)
    ]
    assert shown["totals"] == {"ready": 201, "expiring_unsent": 110, "expiring_rate": 0.5473}
