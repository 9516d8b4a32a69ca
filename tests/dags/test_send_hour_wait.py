"""A send batch whose messages are held until a local hour (#19 item 5) sends what is not held,
then waits for the rest rescheduled (no worker slot held) and sends them when it wakes."""

from datetime import UTC, datetime, timedelta

import httpx
import psycopg2
import pytest

from buyer_messaging.warehouse.connection import connect, transaction

pytestmark = pytest.mark.integration


def statuses(dsn):
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT amazon_order_id, status FROM messaging.outbox ORDER BY 1")
        return dict(cur.fetchall())


def test_a_batch_sends_what_is_due_and_waits_for_the_held_rest(
    emulator, fresh_warehouse, demo_connections, smtp_relay
):
    from airflow.sdk.exceptions import AirflowRescheduleException

    from buyer_messaging import tasks

    day = (datetime.now(UTC).date() - timedelta(days=2)).isoformat()
    first, second = [
        o["AmazonOrderId"]
        for o in httpx.get(f"{emulator.url}/_emulator/orders", params={"day": day}).json()["orders"]
    ][:2]
    hold = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    conn = connect(fresh_warehouse)
    with transaction(conn) as cur:
        for order_id, at in ((first, None), (second, hold)):
            cur.execute(
                "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind,"
                " channel, status, planned_for, due_on, subject, body, send_not_before)"
                " VALUES ('demo', 'ATVPDKIKX0DER', %s, 'shipment_confirmation', 'email', 'ready',"
                " current_date, current_date, 'Your order has shipped', 'Hello, it is on its way.',"
                " %s)",
                (order_id, at),
            )
    conn.close()
    batch = {"kind": "shipment_confirmation", "limit": 2, "label": "shipment_confirmation 1/1"}

    with pytest.raises(AirflowRescheduleException) as waiting:
        tasks.send("demo", batch)
    assert waiting.value.reschedule_date == hold
    assert statuses(fresh_warehouse) == {first: "sent", second: "ready"}
    assert len(smtp_relay) == 1

    # the hour comes: the rescheduled task runs again and sends the rest
    with psycopg2.connect(fresh_warehouse) as c, c.cursor() as cur:
        cur.execute("UPDATE messaging.outbox SET send_not_before = now() - interval '1 minute'")
    assert tasks.send("demo", batch) == {"sent": 1, "left_ready": 0}
    assert statuses(fresh_warehouse) == {first: "sent", second: "sent"}
    assert len(smtp_relay) == 2
