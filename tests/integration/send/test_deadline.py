"""A time-boxed send: it stops at its deadline, leaves the rest ready, and the next run claims
earliest deadline first, each message still sent exactly once. Real emulator over HTTP, real
python-amazon-sp-api client, real Postgres."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sp_api.api import Solicitations as SolicitationsApi

from buyer_messaging.send.batch import send_batch
from buyer_messaging.send.channels import Solicitations
from buyer_messaging.spapi.calls import SpApiCaller
from buyer_messaging.spapi.client import build_client
from buyer_messaging.spapi.credentials import SpApiCredentials
from buyer_messaging.warehouse.connection import transaction
from spapi_emulator.auth import DEFAULT_REFRESH_TOKEN

pytestmark = pytest.mark.integration
ACCOUNT = "a"
TIME_SCALE = 8.0  # review requests at 8/s, burst 5
BOX_S = 1.5


def reviewable_orders(url: str, n: int) -> list[tuple[str, str]]:
    """Shipped orders inside Amazon's review window now (the emulator's ground truth), so each
    one is really sent, not skipped as ineligible."""
    found = []
    for back in range(6, 45):
        day = (datetime.now(UTC).date() - timedelta(days=back)).isoformat()
        truth = httpx.get(f"{url}/_emulator/orders", params={"day": day, "limit": 100000}).json()
        now = datetime.fromisoformat(truth["now"].replace("Z", "+00:00"))
        for order in truth["orders"]:
            window = truth["lifecycle"][order["AmazonOrderId"]].get("review_window")
            if order["OrderStatus"] != "Shipped" or not window:
                continue
            opens, closes = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in window)
            if opens <= now and now + timedelta(hours=6) < closes:
                found.append((order["AmazonOrderId"], order["MarketplaceId"]))
                if len(found) >= n:
                    return found
    raise AssertionError(f"the emulator has only {len(found)} reviewable orders")


def insert_ready(conn, orders, deadlines) -> None:
    with transaction(conn) as cur:
        for (order_id, marketplace), send_before in zip(orders, deadlines, strict=True):
            cur.execute(
                "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind,"
                " channel, status, planned_for, due_on, send_before) VALUES"
                " (%s, %s, %s, 'review_request', 'solicitations', 'ready', %s, %s, %s)",
                (ACCOUNT, marketplace, order_id, date.today(), date.today(), send_before),
            )


def outbox(conn) -> dict[str, tuple[str, datetime]]:
    with conn.cursor() as cur:
        cur.execute("SELECT amazon_order_id, status, send_before FROM messaging.outbox")
        rows = {o: (s, d) for o, s, d in cur.fetchall()}
    conn.commit()
    return rows


def dispatched_in_order(conn, orders: set[str]) -> list[datetime]:
    """send_before of the given orders' dispatched attempts, in the order they left."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT o.amazon_order_id, o.send_before FROM messaging.attempts a"
            " JOIN messaging.outbox o ON o.id = a.outbox_id"
            " WHERE a.dispatched_at IS NOT NULL ORDER BY a.dispatched_at"
        )
        rows = [d for o, d in cur.fetchall() if o in orders]
    conn.commit()
    return rows


def run(conn, url: str, box: timedelta | None) -> tuple[Counter, datetime | None]:
    creds = SpApiCredentials(
        DEFAULT_REFRESH_TOKEN, "app", "secret", "US", url, f"{url}/auth/o2/token"
    )
    channel = Solicitations(SpApiCaller(), build_client(SolicitationsApi, creds))
    deadline = datetime.now(UTC) + box if box else None
    counts = send_batch(
        conn, channel, account_id=ACCOUNT, kind="review_request", limit=10_000, deadline=deadline
    )
    return counts, deadline


def test_time_boxed_send_leaves_the_rest_ready_and_the_next_run_claims_edf(wh, emulator_factory):
    emu = emulator_factory(time_scale=TIME_SCALE, orders_per_day=20)
    orders = reviewable_orders(emu.url, 60)
    now = datetime.now(UTC)
    # ids ascending, deadlines descending: id order is the opposite of deadline order
    first, later = orders[:45], orders[45:]
    insert_ready(wh, first, [now + timedelta(hours=100 - i) for i in range(len(first))])

    counts, deadline = run(wh, emu.url, timedelta(seconds=BOX_S))
    finished = datetime.now(UTC)

    rows = outbox(wh)
    done = {o for o, (s, _) in rows.items() if s != "ready"}
    assert {s for s, _ in rows.values()} == {"sent", "ready"}, rows
    assert 0 < len(done) < len(first), counts  # some sent, the box closed before the end
    # the earliest deadlines went, the rest wait
    by_deadline = sorted(rows, key=lambda o: rows[o][1])
    assert done == set(by_deadline[: len(done)])
    # an in-flight request completes after the deadline, nothing more
    assert finished - deadline < timedelta(seconds=1.5)

    # the next run: its own new rows, due sooner than the leftovers, and the leftovers
    insert_ready(wh, later, [now + timedelta(hours=1, minutes=i) for i in range(len(later))])
    run(wh, emu.url, None)
    rows = outbox(wh)
    assert {s for s, _ in rows.values()} == {"sent"}, rows
    second = {o for o, _ in orders} - done
    deadlines = dispatched_in_order(wh, second)
    assert deadlines == sorted(deadlines), "the next run sends earliest deadline first"
    assert len(deadlines) == len(second)

    received = httpx.get(f"{emu.url}/_emulator/received").json()["solicitations"]
    per_order = Counter(r["amazonOrderId"] for r in received)
    assert per_order and max(per_order.values()) == 1, "no review request sent twice"
