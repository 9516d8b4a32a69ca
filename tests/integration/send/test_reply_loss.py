"""Exactly once when the reply is lost after Amazon or the relay processed the request (#16).

The emulator's `reply_loss` fault and `spapi_emulator.relay.LossyRelay` process every request
and then lose the reply of every third order's first send (a 502 page, a reset, a reply after
the client's timeout; for SMTP a drop after DATA). The real send code runs against them.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sp_api.api import Messaging as MessagingApi
from sp_api.api import Solicitations as SolicitationsApi
from sp_api.api import Tokens
from sp_api.api.orders.orders_v0 import OrdersV0

from buyer_messaging.send.batch import send_batch
from buyer_messaging.send.channels import EmailRelay, Messaging, SmtpSettings, Solicitations
from buyer_messaging.spapi.calls import SpApiCaller
from buyer_messaging.spapi.client import build_client
from buyer_messaging.spapi.credentials import SpApiCredentials
from buyer_messaging.warehouse.connection import transaction
from spapi_emulator.auth import DEFAULT_REFRESH_TOKEN
from spapi_emulator.relay import LossyRelay

pytestmark = pytest.mark.integration
ACCOUNT = "a"


def creds(url: str) -> SpApiCredentials:
    return SpApiCredentials(
        DEFAULT_REFRESH_TOKEN, "app", "secret", "US", url, f"{url}/auth/o2/token"
    )


def orders_of(url: str, statuses: set[str], days_ago: range, n: int) -> list[str]:
    found: list[str] = []
    for ago in days_ago:
        day = (datetime.now(UTC).date() - timedelta(days=ago)).isoformat()
        for order in httpx.get(f"{url}/_emulator/orders", params={"day": day}).json()["orders"]:
            if order["OrderStatus"] in statuses and order["AmazonOrderId"] not in found:
                found.append(order["AmazonOrderId"])
    assert len(found) >= n, f"the emulator has only {len(found)} such orders"
    return found[:n]


def ready(conn, kind: str, order_ids: list[str], *, subject: str = "Your order") -> None:
    with transaction(conn) as cur:
        for order_id in order_ids:
            cur.execute(
                "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind,"
                " channel, status, planned_for, due_on, subject, body) VALUES"
                " (%s, 'ATVPDKIKX0DER', %s, %s, 'x', 'ready', %s, %s, %s, %s)",
                (
                    ACCOUNT,
                    order_id,
                    kind,
                    date.today(),
                    date.today(),
                    subject,
                    f"Order {order_id}: update.",
                ),
            )


def outbox(conn) -> dict[str, tuple[str, str | None]]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id, status, error FROM messaging.outbox WHERE account_id = %s",
            (ACCOUNT,),
        )
        return {oid: (status, error) for oid, status, error in cur.fetchall()}


def by_status(rows: dict[str, tuple[str, str | None]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for oid, (status, _) in rows.items():
        out.setdefault(status, set()).add(oid)
    return out


def attempt_outcomes(conn) -> Counter[str]:
    with conn.cursor() as cur:
        cur.execute("SELECT outcome FROM messaging.attempts")
        return Counter(o for (o,) in cur.fetchall())


LOSS_MODES = ["bad_gateway", "reset", "slow"]


def lossy_emulator(emulator_factory, operation: str, mode: str):
    loss = {"mode": mode, "every_nth_order": 3, "operations": [operation], "delay_s": 1.5}
    return emulator_factory(time_scale=200.0, faults={"reply_loss": loss})


@pytest.mark.parametrize("mode", LOSS_MODES)
def test_review_requests_whose_reply_is_lost_are_recorded_sent_not_skipped(
    emulator_factory, wh, mode
):
    operation = "createProductReviewAndSellerFeedbackSolicitation"
    srv = lossy_emulator(emulator_factory, operation, mode)
    orders = orders_of(srv.url, {"Shipped"}, range(12, 20), 12)
    ready(wh, "review_request", orders)
    client = build_client(SolicitationsApi, creds(srv.url), timeout=1.0)
    channel = Solicitations(SpApiCaller(backoff_base=0.01), client)
    counts = send_batch(wh, channel, account_id=ACCOUNT, kind="review_request", limit=100)

    received = Counter(
        r["amazonOrderId"]
        for r in httpx.get(f"{srv.url}/_emulator/received").json()["solicitations"]
    )
    lost = {x["order"] for x in srv.emulator.faults.lost}
    rows = by_status(outbox(wh))
    assert len(lost) >= 3, "the fault must have bitten"
    assert max(received.values()) == 1
    # what the warehouse says was sent is exactly what Amazon received; the lost replies too
    assert rows.get("sent", set()) == set(received) and lost <= rows["sent"]
    assert "sending" not in rows
    assert not rows.get("skipped", set()) & set(received), (
        "a delivered request is never recorded skipped"
    )
    assert attempt_outcomes(wh)["reconciled_sent"] == len(lost)
    assert counts["sent"] == len(orders) - len(rows.get("skipped", set()))


@pytest.mark.parametrize("mode", ["bad_gateway", "reset"])
def test_unavailability_notices_are_never_sent_twice_and_lost_replies_are_delivery_unknown(
    emulator_factory, wh, mode
):
    operation = "createUnexpectedProblem"
    srv = lossy_emulator(emulator_factory, operation, mode)
    orders = orders_of(srv.url, {"Unshipped", "PartiallyShipped", "Shipped"}, range(1, 6), 9)
    ready(wh, "unavailability_notice", orders)
    channel = Messaging(
        SpApiCaller(backoff_base=0.01), build_client(MessagingApi, creds(srv.url)), operation
    )
    send_batch(wh, channel, account_id=ACCOUNT, kind="unavailability_notice", limit=100)
    # a second run (a retry, a re-run of the day) sends nothing again
    send_batch(wh, channel, account_id=ACCOUNT, kind="unavailability_notice", limit=100)

    received = Counter(
        m["amazonOrderId"] for m in httpx.get(f"{srv.url}/_emulator/received").json()["messages"]
    )
    lost = {x["order"] for x in srv.emulator.faults.lost}
    rows = by_status(outbox(wh))
    assert len(lost) == 3
    assert max(received.values()) == 1, "no buyer gets the same notice twice"
    assert rows["delivery_unknown"] == lost, "every ambiguous attempt is accounted for"
    assert rows["sent"] == set(received) - lost
    assert rows.keys() <= {"sent", "delivery_unknown", "skipped"}, rows
    for oid in lost:
        assert "Seller Central" in outbox(wh)[oid][1]


def email_channel(url: str, port: int, timeout: float = 30.0) -> EmailRelay:
    return EmailRelay(
        SpApiCaller(backoff_base=0.01), build_client(OrdersV0, creds(url)),
        SmtpSettings("127.0.0.1", port, None, None, "shop@seller.example", timeout=timeout),
        build_client(Tokens, creds(url)),
    )  # fmt: skip


@pytest.mark.parametrize("mode", ["drop", "slow"])
def test_emails_whose_250_is_lost_are_delivery_unknown_not_resent(emulator, wh, mode):
    orders = orders_of(emulator.url, {"Shipped"}, range(8, 14), 9)
    ready(wh, "shipment_confirmation", orders)
    with LossyRelay(every_nth=3, mode=mode, delay_s=1.0) as relay:
        channel = email_channel(emulator.url, relay.port, timeout=0.5)
        send_batch(wh, channel, account_id=ACCOUNT, kind="shipment_confirmation", limit=100)
        send_batch(wh, channel, account_id=ACCOUNT, kind="shipment_confirmation", limit=100)
        delivered = Counter(m["To"] for m in relay.received)
        lost = len(relay.lost)
    rows = outbox(wh)
    statuses = Counter(status for status, _ in rows.values())
    assert lost == 3
    assert len(relay.received) == len(orders) and max(delivered.values()) == 1, (
        "no buyer gets two copies"
    )
    assert statuses == {"sent": len(orders) - lost, "delivery_unknown": lost}
    for _, error in rows.values():  # the buyer's address never reaches the warehouse
        assert "@" not in (error or ""), error
    with wh.cursor() as cur:
        cur.execute("SELECT count(*) FROM messaging.attempts WHERE error LIKE '%%@%%'")
        assert cur.fetchone()[0] == 0


def test_smtp_failures_before_data_are_retried_and_name_no_address(emulator, wh):
    from aiosmtpd.controller import Controller

    orders = orders_of(emulator.url, {"Shipped"}, range(8, 14), 2)
    ready(wh, "shipment_confirmation", orders)

    class Refuse:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "451 4.3.0 try again later"

    relay = LossyRelay()  # only for its free port
    relay.start()
    port = relay.port
    relay.stop()
    controller = Controller(Refuse(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        counts = send_batch(
            wh,
            email_channel(emulator.url, port),
            account_id=ACCOUNT,
            kind="shipment_confirmation",
            limit=1,
        )
    finally:
        controller.stop()
    assert counts == {"failed_retryable": 1}
    # nothing listens any more: connection refused, before DATA as well
    counts = send_batch(
        wh,
        email_channel(emulator.url, port),
        account_id=ACCOUNT,
        kind="shipment_confirmation",
        limit=1,
    )
    assert counts == {"failed_retryable": 1}
    with wh.cursor() as cur:
        cur.execute("SELECT error, dispatched_at FROM messaging.attempts ORDER BY id")
        attempts = cur.fetchall()
    assert [a[1] for a in attempts] == [None, None], "never marked as leaving: nothing left"
    assert "451" in attempts[0][0] and "RCPT" in attempts[0][0] and "@" not in attempts[0][0]
    assert sorted(status for status, _ in outbox(wh).values()) == ["failed_retryable", "ready"]


def test_a_refusal_after_an_ambiguous_attempt_confirms_the_earlier_request(emulator, wh):
    """Amazon may show a lost request's effect late: the attempt was re-queued as unsent, and
    by the next claim Amazon no longer offers the action. That is our request, not `skipped`."""
    orders = orders_of(emulator.url, {"Shipped"}, range(12, 20), 2)
    ready(wh, "review_request", orders)
    client = build_client(SolicitationsApi, creds(emulator.url))
    with transaction(wh) as cur:  # attempt 1 of both: reply lost, Amazon still offered the action
        cur.execute(
            "UPDATE messaging.outbox SET attempts = 1 WHERE account_id = %s RETURNING id",
            (ACCOUNT,),
        )
        for (row_id,) in cur.fetchall():
            cur.execute(
                "INSERT INTO messaging.attempts (outbox_id, attempt_no, dispatched_at, outcome)"
                " VALUES (%s, 1, now(), 'ambiguous_unsent')",
                (row_id,),
            )
    # ... and yet the first one arrived
    client.create_product_review_and_seller_feedback_solicitation(
        orders[0], marketplaceIds="ATVPDKIKX0DER"
    )
    channel = Solicitations(SpApiCaller(backoff_base=0.01), client)
    assert send_batch(wh, channel, account_id=ACCOUNT, kind="review_request", limit=10) == {
        "sent": 2
    }
    assert attempt_outcomes(wh)["confirmed_by_refusal"] == 1 and attempt_outcomes(wh)["sent"] == 1
    received = httpx.get(f"{emulator.url}/_emulator/received").json()["solicitations"]
    assert sorted(r["amazonOrderId"] for r in received) == sorted(orders)
