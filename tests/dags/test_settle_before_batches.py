"""The send stage settles every orphaned `sending` row of the account, all kinds, before it
plans batches (#16): a lone orphan of a kind with nothing else pending is not left behind."""

import json
from datetime import date

import httpx
import psycopg2
import pytest

from buyer_messaging.send import outbox
from buyer_messaging.warehouse.connection import connect, transaction

pytestmark = pytest.mark.integration


def test_send_batches_settles_orphans_of_every_kind_first(
    emulator, fresh_warehouse, demo_connections, smtp_relay
):
    from buyer_messaging import tasks

    orders = [
        o["AmazonOrderId"]
        for o in httpx.get(f"{emulator.url}/_emulator/orders", params={"day": "2026-01-01"}).json()[
            "orders"
        ]
    ]
    dead = connect(fresh_warehouse)
    with transaction(dead) as cur:
        for order_id, kind in zip(
            orders, ("unavailability_notice", "shipment_confirmation"), strict=False
        ):
            cur.execute(
                "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind, channel,"
                " status, planned_for, due_on, subject, body) VALUES ('demo', 'ATVPDKIKX0DER', %s, %s, 'x',"
                " 'ready', %s, %s, 'Subject', 'Body')",
                (order_id, kind, date.today(), date.today()),
            )
    with transaction(dead) as cur:
        notice = outbox.claim(
            cur, account_id="demo", kind="unavailability_notice", limit=1, worker="dead:1"
        )[0]
        outbox.claim(cur, account_id="demo", kind="shipment_confirmation", limit=1, worker="dead:1")
    with transaction(dead) as cur:
        outbox.dispatched(cur, notice, worker="dead:1")  # the notice left; the e-mail did not
    dead.close()

    batches = tasks.send_batches("demo", {"params": {}})

    with psycopg2.connect(fresh_warehouse) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT kind, status FROM messaging.outbox WHERE account_id = 'demo' ORDER BY kind"
        )
        assert cur.fetchall() == [
            ("shipment_confirmation", "ready"),
            ("unavailability_notice", "delivery_unknown"),
        ]
    assert [b["kind"] for b in batches] == ["shipment_confirmation"], (
        "the re-queued e-mail goes out in this run"
    )
    assert json.dumps(batches)  # XCom-sized, plain data


def test_a_critical_message_left_delivery_unknown_fails_the_send_and_says_what_to_do(
    emulator, fresh_warehouse, demo_connections, smtp_relay
):
    from datetime import UTC, datetime, timedelta

    from airflow.sdk.exceptions import AirflowFailException

    from buyer_messaging import tasks

    loss = {"mode": "bad_gateway", "every_nth_order": 2, "operations": ["createUnexpectedProblem"]}
    assert (
        httpx.post(f"{emulator.url}/_emulator/faults", json={"reply_loss": loss}).status_code == 200
    )
    day = (datetime.now(UTC).date() - timedelta(days=2)).isoformat()
    orders = [
        o["AmazonOrderId"]
        for o in httpx.get(f"{emulator.url}/_emulator/orders", params={"day": day}).json()["orders"]
        if o["OrderStatus"] in ("Unshipped", "Shipped")
    ][:2]
    with transaction(conn := connect(fresh_warehouse)) as cur:
        for order_id in orders:
            cur.execute(
                "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind, channel,"
                " status, planned_for, due_on, subject, body) VALUES ('demo', 'ATVPDKIKX0DER', %s,"
                " 'unavailability_notice', 'x', 'ready', %s, %s, 'Subject', 'We cannot ship your order.')",
                (order_id, date.today(), date.today()),
            )
    conn.close()

    batch = {"kind": "unavailability_notice", "limit": 10, "label": "unavailability_notice 1/1"}
    with pytest.raises(
        AirflowFailException, match="1 unavailability_notice message.* delivery_unknown.*resolve"
    ):
        tasks.send("demo", batch)
    with psycopg2.connect(fresh_warehouse) as c, c.cursor() as cur:
        cur.execute("SELECT status FROM messaging.outbox WHERE account_id = 'demo' ORDER BY id")
        assert [s for (s,) in cur.fetchall()] == ["sent", "delivery_unknown"]
    received = httpx.get(f"{emulator.url}/_emulator/received").json()["messages"]
    assert sorted(m["amazonOrderId"] for m in received) == sorted(orders), "both arrived, once each"
