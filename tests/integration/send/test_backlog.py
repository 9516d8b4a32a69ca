"""The backlog sender starts with the run and the run's `send` tasks join it later: both claim
from the same outbox at the same time, on the account's shared buckets, and every message is
still sent exactly once, earliest deadline first. Real emulator over HTTP, real
python-amazon-sp-api clients, real Postgres, one connection per sender as in the tasks."""

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import psycopg2
import pytest
from sp_api.api import Solicitations as SolicitationsApi
from test_deadline import insert_ready, reviewable_orders

from buyer_messaging.send.backlog import send_backlog
from buyer_messaging.send.batch import send_batch, settle_orphans
from buyer_messaging.send.channels import Solicitations
from buyer_messaging.spapi.calls import SpApiCaller
from buyer_messaging.spapi.client import build_client
from buyer_messaging.spapi.credentials import SpApiCredentials
from buyer_messaging.warehouse.connection import connect
from spapi_emulator.auth import DEFAULT_REFRESH_TOKEN

pytestmark = pytest.mark.integration
ACCOUNT = "a"  # test_deadline's insert_ready writes this account
TIME_SCALE = 12.0  # review requests at 12/s
BACKLOG, LATER = 40, 24


class Sender:
    """One task's sender: its own warehouse connection, its buckets on it (shared in the
    warehouse with the other senders of the account), its own client."""

    def __init__(self, dsn: str, url: str) -> None:
        creds = SpApiCredentials(
            DEFAULT_REFRESH_TOKEN, "app", "secret", "US", url, f"{url}/auth/o2/token"
        )
        self.conn = connect(dsn)
        self.channel = Solicitations(
            SpApiCaller(shared=(self.conn, ACCOUNT)), build_client(SolicitationsApi, creds)
        )
        self.counts: Counter[str] = Counter()
        self.error: BaseException | None = None

    def run(self, work) -> threading.Thread:
        def target() -> None:
            try:
                self.counts.update(work(self))
            except BaseException as err:  # surfaced by the test, not lost in the thread
                self.error = err

        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        return thread


def sent_count(dsn: str) -> int:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM messaging.outbox WHERE status = 'sent'")
        return cur.fetchone()[0]


def test_backlog_sender_and_the_runs_senders_share_the_queue_exactly_once(
    wh, fresh_warehouse, emulator_factory
):
    emu = emulator_factory(time_scale=TIME_SCALE, orders_per_day=30)
    orders = reviewable_orders(emu.url, BACKLOG + LATER)
    now = datetime.now(UTC)
    backlog, later = orders[:BACKLOG], orders[BACKLOG:]
    # ids ascending, deadlines descending: a sender in id order would show
    insert_ready(wh, backlog, [now + timedelta(hours=200 - i) for i in range(BACKLOG)])
    deadline = now + timedelta(minutes=5)

    first = Sender(fresh_warehouse, emu.url)
    threads = [
        first.run(
            lambda s: Counter(
                send_backlog(
                    s.conn, lambda _: s.channel, account_id=ACCOUNT,
                    pending={"review_request": BACKLOG}, critical=set(), deadline=deadline,
                    rates={"review_request": TIME_SCALE},
                )["review_request"]
            )
        )
    ]  # fmt: skip
    started = time.monotonic()
    while sent_count(fresh_warehouse) < 5:  # the backlog is being sent when the day's rows land
        assert time.monotonic() - started < 30, "the backlog sender sent nothing"
        time.sleep(0.05)

    # send_batches settles orphans while the backlog sender is live: its claimed rows are not
    # orphans (their advisory locks are held), so nothing of it is touched
    settler = connect(fresh_warehouse)
    assert settle_orphans(settler, lambda _: first.channel, account_id=ACCOUNT) == Counter()
    settler.close()
    # render is done: the day's rows, due sooner than the backlog, and the run's senders
    insert_ready(wh, later, [now + timedelta(hours=50 - i) for i in range(LATER)])
    others = [Sender(fresh_warehouse, emu.url) for _ in range(2)]
    threads += [
        s.run(
            lambda s: send_batch(
                s.conn, s.channel, account_id=ACCOUNT, kind="review_request",
                limit=BACKLOG + LATER, deadline=deadline,
            )
        )
        for s in others
    ]  # fmt: skip
    for t in threads:
        t.join(timeout=120)
    senders = [first, *others]
    assert [s.error for s in senders] == [None, None, None]

    with wh.cursor() as cur:
        cur.execute("SELECT amazon_order_id, status FROM messaging.outbox")
        statuses = dict(cur.fetchall())
    wh.commit()
    received = Counter(
        r["amazonOrderId"]
        for r in httpx.get(f"{emu.url}/_emulator/received").json()["solicitations"]
    )
    assert set(statuses.values()) == {"sent"}, statuses
    assert received == Counter({o: 1 for o, _ in orders}), "each message arrived exactly once"
    assert sum(s.counts["sent"] for s in senders) == len(orders)
    assert first.counts["sent"] >= 5 and sum(s.counts["sent"] for s in others) > 0, [
        dict(s.counts) for s in senders
    ]
    counters = httpx.get(f"{emu.url}/_emulator/counters").json()
    assert counters["requests"]["createProductReviewAndSellerFeedbackSolicitation"] == len(orders)
    # three senders on unshared buckets would ask for three times the rate (most throttled);
    # a token taken a few ms early on a loaded machine may still meet a 429, which is retried
    throttled = sum(counters.get("throttled", {}).values())
    assert throttled <= 0.05 * sum(counters["requests"].values()), counters
    for s in senders:
        s.conn.close()


def test_backlog_sender_works_critical_kinds_first_and_stops_at_the_deadline(
    wh, fresh_warehouse, emulator_factory
):
    """Kinds in order (critical, then smaller queues), each stopping early enough for its last
    message's two calls to end before the deadline; what is left stays ready."""
    from buyer_messaging.send.backlog import backlog_order

    assert backlog_order(
        {"review_request": 900, "shipment_confirmation": 30, "unavailability_notice": 2,
         "warranty_info": 0},
        critical={"unavailability_notice"},
    ) == ["unavailability_notice", "shipment_confirmation", "review_request"]  # fmt: skip

    emu = emulator_factory(time_scale=TIME_SCALE, orders_per_day=30)
    orders = reviewable_orders(emu.url, 60)
    now = datetime.now(UTC)
    insert_ready(wh, orders, [now + timedelta(hours=100 - i) for i in range(len(orders))])
    sender = Sender(fresh_warehouse, emu.url)
    deadline = datetime.now(UTC) + timedelta(seconds=1.5)
    counts = send_backlog(
        sender.conn, lambda _: sender.channel, account_id=ACCOUNT,
        pending={"review_request": len(orders)}, critical=set(), deadline=deadline,
        rates={"review_request": TIME_SCALE},
    )["review_request"]  # fmt: skip
    # sending all 60 at 12/s would end ~5 s after the start, 3.5 s past the deadline; the slack
    # is for the last message's calls on a loaded machine
    assert datetime.now(UTC) <= deadline + timedelta(seconds=2)
    with wh.cursor() as cur:
        cur.execute("SELECT status, count(*) FROM messaging.outbox GROUP BY status")
        statuses = dict(cur.fetchall())
    wh.commit()
    assert 0 < statuses.get("sent", 0) < len(orders), (statuses, counts)
    assert statuses == {"sent": counts["sent"], "ready": len(orders) - counts["sent"]}
    sender.conn.close()
