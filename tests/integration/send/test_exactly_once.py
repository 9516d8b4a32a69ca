"""Exactly once: kill -9 at random points, concurrent senders, faults — no duplicate, none lost."""

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg2
import pytest
from sp_api.api.orders.orders_v0 import OrdersV0

from buyer_messaging.compose.stage import render_and_lint
from buyer_messaging.extract.orders import extract_orders
from buyer_messaging.plan.planner import plan_day
from buyer_messaging.spapi.calls import SpApiCaller
from buyer_messaging.spapi.client import build_client
from buyer_messaging.spapi.credentials import SpApiCredentials
from buyer_messaging.warehouse.connection import connect
from spapi_emulator.auth import DEFAULT_REFRESH_TOKEN

pytestmark = pytest.mark.integration
CHILD = Path(__file__).with_name("sender_child.py")
ACCOUNT = "acct"
FINAL = {"sent", "skipped", "failed"}


def credentials(url: str) -> SpApiCredentials:
    return SpApiCredentials(
        DEFAULT_REFRESH_TOKEN, "app", "secret", "US", url, f"{url}/auth/o2/token"
    )


def prepare_outbox(dsn: str, url: str) -> int:
    """Real extraction of 40 days and a real plan: the outbox fills with due review requests."""
    conn = connect(dsn)
    now = datetime.now(UTC)
    extract_orders(
        conn, build_client(OrdersV0, credentials(url)), SpApiCaller(),
        account_id=ACCOUNT, window=(now - timedelta(days=40), now - timedelta(minutes=5)),
    )  # fmt: skip
    today = now.date()
    start = datetime(today.year, today.month, today.day, tzinfo=UTC)
    plan_day(
        conn,
        account_id=ACCOUNT,
        kinds=("review_request",),
        run_day=today,
        day=(start, start + timedelta(days=1)),
    )
    render_and_lint(conn, account_id=ACCOUNT, locale="en-US")
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM messaging.outbox WHERE status = 'ready'")
        ready = cur.fetchone()[0]
    conn.close()
    return ready


def spawn(dsn: str, url: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
    return subprocess.Popen([sys.executable, str(CHILD), dsn, url, ACCOUNT, *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def outcome(dsn: str, url: str) -> tuple[dict[str, str], Counter]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id, status FROM messaging.outbox WHERE account_id = %s", (ACCOUNT,)
        )
        statuses = dict(cur.fetchall())
    received = httpx.get(f"{url}/_emulator/received").json()["solicitations"]
    return statuses, Counter(r["amazonOrderId"] for r in received)


def assert_exactly_once(statuses: dict[str, str], received: Counter) -> None:
    duplicates = {order: n for order, n in received.items() if n > 1}
    lost = {order: s for order, s in statuses.items() if s not in FINAL | {"expired"}}
    assert duplicates == {}
    assert lost == {}
    sent = {order for order, s in statuses.items() if s == "sent"}
    assert sent == set(received), "what the warehouse says was sent is exactly what Amazon received"


def test_kill_minus_nine_at_random_points_then_rerun(emulator_factory, fresh_warehouse):
    emulator = emulator_factory(time_scale=30.0, orders_per_day=6)
    ready = prepare_outbox(fresh_warehouse, emulator.url)
    assert ready > 40
    rng = random.Random(20261122)
    kills = 0
    for _ in range(12):
        child = spawn(fresh_warehouse, emulator.url)
        assert child.stdout.readline().strip() == "started"
        time.sleep(rng.uniform(0.0, 0.5))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            kills += 1
        child.wait()
    assert kills >= 6, "the children must be killed mid-send, not after finishing"
    final = spawn(fresh_warehouse, emulator.url)
    out, err = final.communicate(timeout=300)
    assert final.returncode == 0, err
    statuses, received = outcome(fresh_warehouse, emulator.url)
    assert_exactly_once(statuses, received)
    assert Counter(statuses.values())["sent"] >= ready * 0.9
    with psycopg2.connect(fresh_warehouse) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM messaging.attempts WHERE outcome LIKE 'reconciled%%'")
        assert cur.fetchone()[0] > 0, "some kills must have left rows in flight to reconcile"


def test_two_senders_at_once_share_the_rate_limit(emulator_factory, fresh_warehouse):
    emulator = emulator_factory(time_scale=8.0, orders_per_day=3)
    prepare_outbox(fresh_warehouse, emulator.url)
    httpx.post(f"{emulator.url}/_emulator/reset")
    children = [spawn(fresh_warehouse, emulator.url) for _ in range(2)]
    for child in children:
        _, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
    statuses, received = outcome(fresh_warehouse, emulator.url)
    assert_exactly_once(statuses, received)
    counters = httpx.get(f"{emulator.url}/_emulator/counters").json()
    assert counters["throttled"].get("createProductReviewAndSellerFeedbackSolicitation", 0) == 0
    assert counters["throttled"].get("getSolicitationActionsForOrder", 0) == 0


def test_faults_on_end_the_same_as_a_clean_run(emulator_factory, make_database):
    from sp_api.api import Solicitations

    from buyer_messaging.send.batch import send_batch
    from buyer_messaging.send.channels import Solicitations as SolicitationsChannel
    from buyer_messaging.warehouse.migrate import migrate

    faults = {
        "error_rate_500": 0.05, "error_rate_503": 0.05, "latency_ms": [1, 20],
        "throttle_storm": {"every_s": 2, "duration_s": 0.4}, "empty_error_body": 0.02,
        "operations": ["getSolicitationActionsForOrder", "createProductReviewAndSellerFeedbackSolicitation"],
    }  # fmt: skip
    outcomes = []
    for fault_config in (None, faults):
        emulator = emulator_factory(time_scale=30.0, orders_per_day=4, faults=fault_config)
        dsn = make_database()
        conn = connect(dsn)
        migrate(conn)
        prepare_outbox(dsn, emulator.url)
        caller = SpApiCaller(backoff_base=0.05, max_attempts=12)
        channel = SolicitationsChannel(
            caller, build_client(Solicitations, credentials(emulator.url))
        )
        send_batch(conn, channel, account_id=ACCOUNT, kind="review_request", limit=10_000)
        conn.close()
        statuses, received = outcome(dsn, emulator.url)
        assert_exactly_once(statuses, received)
        outcomes.append((statuses, caller))
    (clean, _), (faulty, caller) = outcomes
    assert faulty == clean
    assert sum(caller.retries.values()) + sum(caller.throttled.values()) > 0, (
        "the faults must have bitten"
    )


def test_lost_replies_kills_and_two_senders_at_once(emulator_factory, fresh_warehouse):
    """Issue #16: Amazon processes every request and loses 30% of the replies, two senders run
    at once and one is killed mid-send; a last run settles everything. Nothing is received
    twice, the warehouse's `sent` is what Amazon received, and no row is left `sending`."""
    loss = {
        "mode": "reset",
        "rate": 0.3,
        "operations": ["createProductReviewAndSellerFeedbackSolicitation"],
    }
    emulator = emulator_factory(time_scale=30.0, orders_per_day=4, faults={"reply_loss": loss})
    ready = prepare_outbox(fresh_warehouse, emulator.url)
    assert ready > 20
    children = [spawn(fresh_warehouse, emulator.url) for _ in range(2)]
    for child in children:
        assert child.stdout.readline().strip() == "started"
    time.sleep(0.4)
    children[0].send_signal(signal.SIGKILL)
    for child in children:
        child.communicate(timeout=300)
    final = spawn(fresh_warehouse, emulator.url)
    _, err = final.communicate(timeout=300)
    assert final.returncode == 0, err
    statuses, received = outcome(fresh_warehouse, emulator.url)
    assert_exactly_once(statuses, received)
    assert "sending" not in statuses.values()
    lost = {x["order"] for x in emulator.emulator.faults.lost}
    assert len(lost) >= 3, "the fault must have bitten"
    assert lost <= {order for order, s in statuses.items() if s == "sent"}, (
        "a lost reply is still a delivery"
    )
