"""No orphan outlives a run (#16): leases, take-over of a hung sender, settling every kind, and
the operator's `resolve` of a delivery_unknown message."""

from __future__ import annotations

from datetime import date

import psycopg2
import pytest

from buyer_messaging.send import outbox
from buyer_messaging.send.batch import settle_orphans
from buyer_messaging.send.channels import UNKNOWN, Delivery
from buyer_messaging.warehouse.connection import connect, transaction

pytestmark = pytest.mark.integration
ACCOUNT = "a"


def insert(conn, order_id: str, kind: str, status: str = "ready") -> int:
    with transaction(conn) as cur:
        cur.execute(
            "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind, channel,"
            " status, planned_for, due_on, subject, body) VALUES (%s, 'ATVPDKIKX0DER', %s, %s, 'x', %s,"
            " %s, %s, 'Subject', 'Body') RETURNING id",
            (ACCOUNT, order_id, kind, status, date.today(), date.today()),
        )
        return cur.fetchone()[0]


def claim(conn, kind: str, worker: str, lease: float = 600) -> outbox.Claimed:
    with transaction(conn) as cur:
        (row,) = outbox.claim(
            cur, account_id=ACCOUNT, kind=kind, limit=1, worker=worker, lease=lease
        )
    return row


def status(conn, row_id: int) -> tuple[str, str | None]:
    with conn.cursor() as cur:
        cur.execute("SELECT status, claimed_by FROM messaging.outbox WHERE id = %s", (row_id,))
        found = cur.fetchone()
    conn.commit()
    return found


class Recorder:
    """A channel that answers reconcile() with a fixed Delivery and remembers the rows."""

    def __init__(self, answer: Delivery) -> None:
        self.answer, self.rows = answer, []

    def send(self, row, dispatch):  # pragma: no cover - settle never sends
        raise AssertionError("settling must never send")

    def reconcile(self, row):
        self.rows.append(row)
        return self.answer


def test_every_kind_is_settled_through_its_own_channel(fresh_warehouse):
    dead = connect(fresh_warehouse)  # a sender that dies after dispatching
    a = insert(dead, "111-0000001-0000001", "unavailability_notice")
    b = insert(dead, "111-0000002-0000002", "review_request")
    c = insert(dead, "111-0000003-0000003", "shipment_confirmation")
    rows = [
        claim(dead, kind, "dead:1")
        for kind in ("unavailability_notice", "review_request", "shipment_confirmation")
    ]
    with transaction(dead) as cur:
        outbox.dispatched(cur, rows[0], worker="dead:1")
        outbox.dispatched(cur, rows[1], worker="dead:1")  # c never left
    dead.close()  # its session ends: the advisory locks are free

    live = connect(fresh_warehouse)
    channels = {
        "unavailability_notice": Recorder(UNKNOWN),
        "review_request": Recorder(Delivery("sent", "reconciled_sent")),
        "shipment_confirmation": Recorder(UNKNOWN),
    }
    counts = settle_orphans(live, channels.__getitem__, account_id=ACCOUNT, worker="live:2")
    assert counts == {"reconciled_delivery_unknown": 1, "reconciled_sent": 1, "reconciled_ready": 1}
    assert [status(live, i)[0] for i in (a, b, c)] == ["delivery_unknown", "sent", "ready"]
    assert channels["shipment_confirmation"].rows == [], "an undispatched row needs no asking"
    with live.cursor() as cur:
        cur.execute("SELECT count(*) FROM messaging.outbox WHERE status = 'sending'")
        assert cur.fetchone()[0] == 0
        cur.execute(
            "SELECT messages FROM reporting.daily_summary WHERE account_id = %s AND status = 'delivery_unknown'",
            (ACCOUNT,),
        )
        assert cur.fetchall() == [(1,)], "daily_summary counts delivery_unknown"
    live.close()


def test_a_hung_sender_is_taken_over_when_its_lease_runs_out_and_cannot_send_after(fresh_warehouse):
    hung = connect(fresh_warehouse)  # alive: its session (and advisory lock) stays
    row_id = insert(hung, "111-0000004-0000004", "unavailability_notice")
    row = claim(hung, "unavailability_notice", "hung:1", lease=600)
    live = connect(fresh_warehouse)
    channel = Recorder(UNKNOWN)

    # lease running and lock held: a live sender; nobody touches it
    assert settle_orphans(live, lambda _: channel, account_id=ACCOUNT, worker="live:2") == {}
    assert status(live, row_id) == ("sending", "hung:1")

    with transaction(live) as cur:  # the lease runs out; the hung sender still holds its lock
        cur.execute(
            "UPDATE messaging.outbox SET lease_until = now() - interval '1 second' WHERE id = %s",
            (row_id,),
        )
    counts = settle_orphans(live, lambda _: channel, account_id=ACCOUNT, worker="live:2")
    assert counts == {"reconciled_ready": 1}, "never dispatched: simply ready again"
    assert status(live, row_id) == ("ready", "live:2")

    # the hung sender wakes up: it may neither dispatch nor finish the row any more
    with pytest.raises(outbox.LeaseLost), transaction(hung) as cur:
        outbox.dispatched(cur, row, worker="hung:1")
    with transaction(hung) as cur:
        outbox.finish(cur, row, status="sent", outcome="sent")
    assert status(live, row_id)[0] == "ready"
    hung.close()
    live.close()


def test_an_expired_lease_is_not_renewed_by_its_old_holder_after_a_new_claim(fresh_warehouse):
    first = connect(fresh_warehouse)
    row_id = insert(first, "111-0000005-0000005", "review_request")
    old = claim(first, "review_request", "w:1")
    with transaction(first) as cur:
        cur.execute(
            "UPDATE messaging.outbox SET status = 'ready', lease_until = NULL WHERE id = %s",
            (row_id,),
        )
        outbox.release(cur, row_id)
    new = claim(first, "review_request", "w:1")  # same worker name, a later attempt
    assert new.attempt_no == old.attempt_no + 1
    with pytest.raises(outbox.LeaseLost), transaction(first) as cur:
        outbox.dispatched(cur, old, worker="w:1")  # fenced by the attempt number
    with transaction(first) as cur:
        outbox.dispatched(cur, new, worker="w:1")
    first.close()


# -- buyer-messaging resolve -------------------------------------------------------------------


def unknown_row(conn, order_id: str) -> int:
    row_id = insert(conn, order_id, "unavailability_notice")
    row = claim(conn, "unavailability_notice", "w:1")
    with transaction(conn) as cur:
        outbox.dispatched(cur, row, worker="w:1")
        outbox.finish(
            cur, row, status="delivery_unknown", outcome="delivery_unknown", error=UNKNOWN.error
        )
        outbox.release(cur, row.id)
    return row_id


def test_resolve_records_who_decided_when_and_why(fresh_warehouse, capsys):
    from buyer_messaging.cli import main

    conn = connect(fresh_warehouse)
    delivered = unknown_row(conn, "111-0000006-0000006")
    requeued = unknown_row(conn, "111-0000007-0000007")
    base = [
        "resolve",
        "--account",
        ACCOUNT,
        "--kind",
        "unavailability_notice",
        "--dsn",
        fresh_warehouse,
    ]
    assert (
        main(
            [
                *base,
                "--order",
                "111-0000006-0000006",
                "--delivered",
                "--by",
                "jane",
                "--reason",
                "seen in Seller Central",
            ]
        )
        == 0
    )
    assert "recorded as sent" in capsys.readouterr().out
    assert (
        main(
            [
                *base,
                "--order",
                "111-0000007-0000007",
                "--requeue",
                "--by",
                "jane",
                "--reason",
                "not in Seller Central",
            ]
        )
        == 0
    )
    assert status(conn, delivered)[0] == "sent" and status(conn, requeued)[0] == "ready"
    with psycopg2.connect(fresh_warehouse) as c, c.cursor() as cur:
        cur.execute(
            "SELECT outbox_id, decision, decided_by, reason, from_status, decided_at IS NOT NULL FROM messaging.resolutions ORDER BY id"
        )
        assert cur.fetchall() == [
            (delivered, "delivered", "jane", "seen in Seller Central", "delivery_unknown", True),
            (requeued, "requeued", "jane", "not in Seller Central", "delivery_unknown", True),
        ]
        cur.execute("SELECT sent_at IS NOT NULL FROM messaging.outbox WHERE id = %s", (delivered,))
        assert cur.fetchone() == (True,)

    # a message that is not delivery_unknown (now sent), or absent, is refused with a reason
    assert (
        main(
            [
                *base,
                "--order",
                "111-0000006-0000006",
                "--requeue",
                "--by",
                "jane",
                "--reason",
                "oops",
            ]
        )
        == 1
    )
    assert "is sent, not delivery_unknown" in capsys.readouterr().err
    assert (
        main(
            [
                *base,
                "--order",
                "111-9999999-9999999",
                "--delivered",
                "--by",
                "jane",
                "--reason",
                "x",
            ]
        )
        == 1
    )
    assert (
        "no unavailability_notice message for order 111-9999999-9999999" in capsys.readouterr().err
    )
    with pytest.raises(
        SystemExit
    ):  # one of --delivered / --requeue, and --by/--reason, are required
        main([*base, "--order", "111-0000006-0000006", "--by", "jane", "--reason", "x"])
    conn.close()


def test_a_kind_whose_channel_cannot_be_built_does_not_keep_the_others_unsettled(fresh_warehouse):
    dead = connect(fresh_warehouse)
    a = insert(dead, "111-0000008-0000008", "unavailability_notice")
    b = insert(dead, "111-0000009-0000009", "shipment_confirmation")
    for kind in ("unavailability_notice", "shipment_confirmation"):
        row = claim(dead, kind, "dead:1")
        with transaction(dead) as cur:
            outbox.dispatched(cur, row, worker="dead:1")
    dead.close()

    def channel_for(kind: str):
        if kind == "shipment_confirmation":
            raise KeyError("connection smtp_relay is not defined")
        return Recorder(UNKNOWN)

    live = connect(fresh_warehouse)
    counts = settle_orphans(live, channel_for, account_id=ACCOUNT, worker="live:2")
    assert counts == {"reconciled_delivery_unknown": 1, "reconciled_sending": 1}
    assert status(live, a)[0] == "delivery_unknown" and status(live, b)[0] == "sending"
    # a batch of one kind leaves another kind's rows alone, lease included
    with transaction(live) as cur:
        cur.execute(
            "UPDATE messaging.outbox SET lease_until = now() - interval '1 second' WHERE id = %s",
            (b,),
        )
    assert (
        settle_orphans(
            live, lambda _: Recorder(UNKNOWN), account_id=ACCOUNT, kinds={"review_request"}
        )
        == {}
    )
    assert status(live, b) == ("sending", "live:2")
    live.close()


def test_a_message_whose_text_was_purged_cannot_be_requeued(fresh_warehouse, capsys):
    from buyer_messaging.cli import main

    conn = connect(fresh_warehouse)
    row_id = unknown_row(conn, "111-0000010-0000010")
    with transaction(conn) as cur:  # PII retention ran meanwhile
        cur.execute(
            "UPDATE messaging.outbox SET subject = NULL, body = NULL WHERE id = %s", (row_id,)
        )
    base = [
        "resolve",
        "--account",
        ACCOUNT,
        "--kind",
        "unavailability_notice",
        "--order",
        "111-0000010-0000010",
    ]
    assert (
        main([*base, "--requeue", "--by", "jane", "--reason", "x", "--dsn", fresh_warehouse]) == 1
    )
    assert "purged by PII retention" in capsys.readouterr().err
    assert status(conn, row_id)[0] == "delivery_unknown"
    assert (
        main([*base, "--delivered", "--by", "jane", "--reason", "x", "--dsn", fresh_warehouse]) == 0
    )
    assert status(conn, row_id)[0] == "sent"
    conn.close()
