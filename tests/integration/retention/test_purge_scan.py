"""After the purge, no column of any table holds the buyer's e-mail, name or address.

The warehouse is filled the way the pipeline fills it: orders and items upserted by the
staging code, rejected records by its reject path, verdicts by compose, and deliveries sent
through the real e-mail relay channel (the emulator's RDT + getOrderBuyerInfo, a real SMTP
server that refuses or greylists the buyer, quoting the address as real relays do). Then
every text, varchar, json/jsonb and array column of every table of every schema is scanned.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sp_api.api import Tokens
from sp_api.api.orders.orders_v0 import OrdersV0

from buyer_messaging.compose import store as compose
from buyer_messaging.extract import store as staging
from buyer_messaging.extract.parse import parse_item, parse_order
from buyer_messaging.plan import suppressions
from buyer_messaging.retention.stage import purge_pii
from buyer_messaging.send.batch import TRIES_PER_BATCH, send_batch
from buyer_messaging.send.channels import EmailRelay, SmtpSettings
from buyer_messaging.spapi.calls import SpApiCaller
from buyer_messaging.spapi.client import build_client
from buyer_messaging.spapi.credentials import SpApiCredentials
from buyer_messaging.warehouse.connection import transaction

pytestmark = pytest.mark.integration

ACCOUNT = "pii"
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "ARRAY", "USER-DEFINED")


def creds(url: str) -> SpApiCredentials:
    from spapi_emulator.testing import CREDENTIALS

    return SpApiCredentials(
        CREDENTIALS["refresh_token"], "app", CREDENTIALS["lwa_client_secret"], "US", url,
        f"{url}/auth/o2/token",
    )  # fmt: skip


@pytest.fixture
def refusing_relay():
    """A real SMTP server: refuses one recipient (550) and greylists another (450), each time
    naming the address in its reply, as Postfix does."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    verdicts: dict[str, str] = {}

    class Relay:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
            reply = verdicts.get(address)
            if reply:
                return reply.format(address=address)
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            return "250 Message accepted"

    controller = Controller(Relay(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, verdicts
    controller.stop()


def people(emulator, order_ids):
    """The emulator's buyer for each order: (e-mail, name, street address)."""
    found = {}
    for order_id in order_ids:
        facts = emulator.emulator.catalog.find(order_id)
        found[order_id] = (facts.buyer_email, facts.buyer_name, facts.address_line)
    return found


def stage(conn, emulator, order_ids, delivered):
    """Orders and items as extraction stages them, with the raw buyer fields older code kept,
    the buyer's gift message on an item, and a rejected record of each order."""
    from spapi_emulator.handlers import order_item_v0, order_v0

    now = emulator.emulator.now()
    with transaction(conn) as cur:
        for order_id in order_ids:
            facts = emulator.emulator.catalog.find(order_id)
            raw = order_v0(facts, now, {"buyerInfo", "shippingAddress"})
            raw["LatestDeliveryDate"] = delivered.isoformat()
            record = parse_order(raw, ACCOUNT, salt="s")
            record["raw"] = raw  # as stored before parse_order dropped BuyerInfo/ShippingAddress
            item_raw = order_item_v0(facts, 0, now)
            item_raw["BuyerInfo"] = {
                "GiftMessageText": f"For {facts.buyer_name}, {facts.address_line}"
            }
            item_raw["BuyerRequestedCancel"] = {
                "BuyerCancelReason": f"write to {facts.buyer_email}"
            }
            item = parse_item(item_raw, ACCOUNT, order_id)
            staging.upsert_orders(cur, ACCOUNT, [record], [item])
            bad = {**raw, "OrderStatus": {"not": "a status"}}
            staging.reject_records(
                cur, ACCOUNT, "order_items",
                [(f"{order_id}/{item_raw['OrderItemId']}", f"BuyerInfo of {facts.buyer_email}: bad", bad)],
            )  # fmt: skip


def outbox(conn, order_ids, kind, status, delivered, *, subject=None, body=None):
    with transaction(conn) as cur:
        for order_id in order_ids:
            cur.execute(
                "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind,"
                " channel, status, planned_for, due_on, subject, body) VALUES"
                " (%s, 'ATVPDKIKX0DER', %s, %s, 'email_relay', %s, %s, %s, %s, %s)",
                (
                    ACCOUNT,
                    order_id,
                    kind,
                    status,
                    delivered.date(),
                    delivered.date(),
                    subject,
                    body,
                ),
            )


def compose_blocked(conn, order_ids, who):
    """A verdict whose error and excerpt quote the body, as render_and_lint stores them."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, amazon_order_id FROM messaging.outbox WHERE account_id = %s AND status = 'planned'",
            (ACCOUNT,),
        )
        planned = dict((o, i) for i, o in cur.fetchall())
    rows, violations = [], []
    for order_id in order_ids:
        email, name, street = who[order_id]
        body = f"Dear {name}, we ship to {street}. Questions? {email}"
        excerpt = f"{name}, we ship to {street}. Questions? {email}"
        rows.append((planned[order_id], "blocked", "en-US", "Your order", body, ["email_address"],
                     f"no_email_addresses: {excerpt}"))  # fmt: skip
        violations.append(
            (planned[order_id], "no_email_addresses", "email_address", "block", excerpt)
        )
    with transaction(conn) as cur:
        compose.apply_verdicts(cur, rows, violations)


def scan(conn, needles):
    """(schema.table.column, needle) for every text-like column holding a needle."""
    hits = set()
    with conn.cursor() as cur:
        cur.execute(
            "SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c"
            " JOIN information_schema.tables t USING (table_schema, table_name)"
            " WHERE t.table_type = 'BASE TABLE' AND c.data_type = ANY(%s)"
            " AND c.table_schema NOT IN ('pg_catalog', 'information_schema')",
            (list(TEXT_TYPES),),
        )
        columns = cur.fetchall()
        assert len(columns) > 40, columns  # the scan sees the whole warehouse
        for schema, table, column in columns:
            for needle in needles:
                cur.execute(
                    f'SELECT 1 FROM "{schema}"."{table}" WHERE strpos(lower("{column}"::text), lower(%s)) > 0 LIMIT 1',
                    (needle,),
                )
                if cur.fetchone():
                    hits.add((f"{schema}.{table}.{column}", needle))
    return hits


def test_purge_leaves_no_buyer_data_in_any_column(wh, emulator, refusing_relay):
    import httpx

    port, verdicts = refusing_relay
    day = (datetime.now(UTC).date() - timedelta(days=10)).isoformat()
    listed = httpx.get(f"{emulator.url}/_emulator/orders", params={"day": day}).json()["orders"]
    shipped = [o["AmazonOrderId"] for o in listed if o["OrderStatus"] == "Shipped"]
    old, recent = shipped[:3], shipped[3:5]
    assert len(recent) == 2
    who = people(emulator, old + recent)
    now = datetime.now(UTC)
    stage(wh, emulator, old, now - timedelta(days=45))
    stage(wh, emulator, recent, now - timedelta(days=5))

    # deliveries through the real channel: refused, greylisted, sent
    verdicts[who[old[0]][0]] = "550 5.1.1 <{address}>: Recipient address rejected: User unknown"
    verdicts[who[old[1]][0]] = "450 4.2.0 <{address}>: Recipient address rejected: Greylisted"
    verdicts[who[recent[0]][0]] = "550 5.1.1 <{address}>: Recipient address rejected: User unknown"
    sent_orders = [old[0], old[1], old[2], recent[0]]
    outbox(wh, sent_orders, "shipment_confirmation", "ready", now - timedelta(days=45),
           subject="Your order", body="Your parcel is on its way.")  # fmt: skip
    channel = EmailRelay(
        SpApiCaller(), build_client(OrdersV0, creds(emulator.url)),
        SmtpSettings("127.0.0.1", port, None, None, "shop@seller.example"),
        build_client(Tokens, creds(emulator.url)),
    )  # fmt: skip
    counts = send_batch(wh, channel, account_id=ACCOUNT, kind="shipment_confirmation", limit=10)
    # the greylisted one is tried a few times, then waits as failed_retryable for the next batch
    assert counts == {"sent": 1, "failed": 2, "failed_retryable": TRIES_PER_BATCH}, counts

    # blocked verdicts that quote the body
    outbox(wh, old + recent, "issue_resolution", "planned", now - timedelta(days=45))
    compose_blocked(wh, old + recent, who)

    # an operator suppresses a buyer, pasting the address into the reason (kept for ever)
    with transaction(wh) as cur:
        suppressions.suppress(cur, ACCOUNT, old[0], f"{who[old[0]][0]} asked us to stop")

    emails = [who[o][0] for o in old + recent]
    # an address is never stored in an error text, not even before the purge
    with wh.cursor() as cur:
        cur.execute(
            "SELECT m.error, a.error FROM messaging.outbox m JOIN messaging.attempts a ON a.outbox_id = m.id"
            " WHERE m.status LIKE 'failed%%'"
        )
        errors = cur.fetchall()
    # the relay's refusal is named by its code and stage, never by the text that quotes it
    assert len(errors) == 2 + TRIES_PER_BATCH and all(  # one row per attempt
        ("SMTP 550" in e or "SMTP 450" in e) and "@" not in e for row in errors for e in row
    )
    places = {column for column, _ in scan(wh, emails)}
    stored_texts = {
        "messaging.outbox.error",
        "messaging.attempts.error",
        "messaging.suppressions.reason",
    }
    assert places and not places & stored_texts, places

    # before the purge the scan does find the old orders' buyers, in every place they land
    needles_old = [v for o in old for v in who[o]]
    before = {column for column, _ in scan(wh, needles_old)}
    assert before == {
        "staging.orders.raw", "staging.order_items.raw", "staging.rejected_records.raw",
        "staging.rejected_records.reason", "messaging.outbox.body", "messaging.outbox.error",
        "messaging.lint_violations.excerpt",
    }, before  # fmt: skip

    # the rejected record is re-extracted today: its purge date must not move
    with transaction(wh) as cur:
        cur.execute(
            "UPDATE staging.rejected_records SET first_seen_at = now() - interval '45 days'"
            " WHERE account_id = %s",
            (ACCOUNT,),
        )
        cur.execute(
            "INSERT INTO staging.rejected_records (account_id, source, record_key, reason, raw)"
            " SELECT account_id, source, record_key, reason, raw FROM staging.rejected_records"
            " WHERE account_id = %s ON CONFLICT (account_id, source, record_key) DO UPDATE SET"
            " reason = EXCLUDED.reason, raw = EXCLUDED.raw, seen_at = now()",
            (ACCOUNT,),
        )

    with wh.cursor() as cur:
        cur.execute("SELECT kind, status, messages FROM reporting.daily_summary ORDER BY 1, 2")
        summary = cur.fetchall()
    purge_pii(wh, days=30)

    assert scan(wh, needles_old) == set()
    # the recent orders keep what they still need (their texts); still no address in errors
    kept = {column for column, _ in scan(wh, [v for o in recent for v in who[o]])}
    assert "messaging.outbox.body" in kept and "messaging.outbox.error" in kept
    assert not {("messaging.outbox.error", e) for e in emails} & scan(wh, emails)
    with wh.cursor() as cur:
        cur.execute("SELECT kind, status, messages FROM reporting.daily_summary ORDER BY 1, 2")
        assert cur.fetchall() == summary
        cur.execute(
            "SELECT error FROM messaging.outbox WHERE status = 'blocked' ORDER BY id LIMIT 1"
        )
        # the verdict keeps its rule and meaning, minus the buyer
        assert cur.fetchone()[0].startswith("no_email_addresses: [buyer data removed], we ship to")

    purge_pii(wh, days=1)
    assert scan(wh, [v for o in old + recent for v in who[o]]) == set()


def test_migration_scrubs_addresses_stored_before(wh):
    """Rows written by earlier versions held the relay's text verbatim."""
    from buyer_messaging.warehouse.migrate import MIGRATIONS_DIR

    with transaction(wh) as cur:
        cur.execute(
            "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind, channel,"
            " status, planned_for, due_on, error) VALUES ('legacy', 'ATVPDKIKX0DER', '111-1111111-1111111',"
            " 'shipment_confirmation', 'email_relay', 'failed', current_date, current_date,"
            " %s) RETURNING id",
            (
                "relay refused the recipient: {'x7k2b9q@marketplace.amazon.com': (550, b'5.1.1 User unknown')}",
            ),
        )
        outbox_id = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO messaging.attempts (outbox_id, attempt_no, error) VALUES (%s, 1, %s)",
            (outbox_id, "SMTP 450: b'4.2.0 <x7k2b9q@marketplace.amazon.com>: Greylisted'"),
        )
        cur.execute(next(Path(MIGRATIONS_DIR).glob("0013_*.sql")).read_text())
        cur.execute(
            "SELECT m.error, a.error FROM messaging.outbox m JOIN messaging.attempts a ON a.outbox_id = m.id"
        )
        assert cur.fetchone() == (
            "relay refused the recipient: {'[e-mail removed]': (550, b'5.1.1 User unknown')}",
            "SMTP 450: b'4.2.0 <[e-mail removed]>: Greylisted'",
        )
