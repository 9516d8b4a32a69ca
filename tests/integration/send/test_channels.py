"""Messaging API and e-mail relay channels against the emulator and a real SMTP server."""

import socket
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sp_api.api import Messaging as MessagingApi
from sp_api.api import Tokens
from sp_api.api.orders.orders_v0 import OrdersV0

from buyer_messaging.send.batch import send_batch
from buyer_messaging.send.channels import EmailRelay, Messaging, SmtpSettings
from buyer_messaging.spapi.calls import SpApiCaller
from buyer_messaging.spapi.client import build_client
from buyer_messaging.spapi.credentials import SpApiCredentials
from buyer_messaging.warehouse.connection import transaction
from spapi_emulator.auth import DEFAULT_REFRESH_TOKEN

pytestmark = pytest.mark.integration


def creds(url):
    return SpApiCredentials(
        DEFAULT_REFRESH_TOKEN, "app", "secret", "US", url, f"{url}/auth/o2/token"
    )


def shipped_orders(url, days_ago=10, n=3):
    day = (datetime.now(UTC).date() - timedelta(days=days_ago)).isoformat()
    orders = httpx.get(f"{url}/_emulator/orders", params={"day": day}).json()["orders"]
    return [o["AmazonOrderId"] for o in orders if o["OrderStatus"] == "Shipped"][:n]


def ready(conn, kind, order_ids, *, subject="Your order", body=None):
    with transaction(conn) as cur:
        for order_id in order_ids:
            cur.execute(
                "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind,"
                " channel, status, planned_for, due_on, subject, body) VALUES"
                " ('a', 'ATVPDKIKX0DER', %s, %s, 'x', 'ready', %s, %s, %s, %s)",
                (
                    order_id,
                    kind,
                    date.today(),
                    date.today(),
                    subject,
                    body or f"Order {order_id}: update.",
                ),
            )


def statuses(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT amazon_order_id, status, error FROM messaging.outbox ORDER BY id")
        return cur.fetchall()


def test_unexpected_problem_through_the_messaging_api(wh, emulator):
    orders = shipped_orders(emulator.url)
    ready(wh, "unavailability_notice", orders[:2])
    ready(wh, "unavailability_notice", orders[2:], body="x" * 2001)
    channel = Messaging(
        SpApiCaller(), build_client(MessagingApi, creds(emulator.url)), "createUnexpectedProblem"
    )
    counts = send_batch(wh, channel, account_id="a", kind="unavailability_notice", limit=10)
    assert counts == {"sent": 2, "failed": 1}
    rows = statuses(wh)
    assert rows[2][1] == "failed" and "2001 characters" in rows[2][2]
    received = httpx.get(f"{emulator.url}/_emulator/received").json()["messages"]
    assert sorted(m["amazonOrderId"] for m in received) == sorted(orders[:2])
    assert all(m["type"] == "unexpectedProblem" for m in received)


@pytest.fixture
def smtp_server():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()


def test_confirmation_goes_to_the_buyers_anonymised_address_once(wh, emulator, smtp_server):
    port, received = smtp_server
    orders = shipped_orders(emulator.url, n=2)
    ready(wh, "shipment_confirmation", orders, subject="Votre commande est en route")
    channel = EmailRelay(
        SpApiCaller(), build_client(OrdersV0, creds(emulator.url)),
        SmtpSettings("127.0.0.1", port, None, None, "shop@seller.example"),
        build_client(Tokens, creds(emulator.url)),
    )  # fmt: skip
    assert send_batch(wh, channel, account_id="a", kind="shipment_confirmation", limit=10) == {
        "sent": 2
    }
    assert len(received) == 2
    assert all(m["To"].endswith("@marketplace.amazon.com") for m in received)
    assert {m["Subject"] for m in received} == {"Votre commande est en route"}
    with wh.cursor() as cur:
        cur.execute(
            "SELECT count(DISTINCT message_id) FROM messaging.attempts WHERE dispatched_at IS NOT NULL"
        )
        assert cur.fetchone()[0] == 2
    # a re-run sends nothing again
    assert send_batch(wh, channel, account_id="a", kind="shipment_confirmation", limit=10) == {}
    assert len(received) == 2
    with wh.cursor() as cur:  # the buyer's address is used, never stored
        cur.execute(
            "SELECT count(*) FROM messaging.attempts WHERE response::text LIKE '%%marketplace.amazon.com%%'"
        )
        assert cur.fetchone()[0] == 0
