"""Retention: after the purge nothing personal is left for old orders; counts stay."""

from datetime import UTC, datetime, timedelta

import pytest
from psycopg2.extras import Json

from buyer_messaging.retention.stage import purge_pii
from buyer_messaging.warehouse.connection import transaction

pytestmark = pytest.mark.integration


def seed(conn, order_id, delivered):
    tag = order_id[-1]
    NAME, EMAIL = f"Zoë Plantedname{tag}", f"plantedbuyer{tag}@marketplace.amazon.fr"  # noqa: N806
    with transaction(conn) as cur:
        cur.execute(
            "INSERT INTO staging.orders (account_id, amazon_order_id, marketplace_id, marketplace,"
            " order_status, purchase_date, last_update_date, latest_delivery_date, buyer_hash, raw)"
            " VALUES ('r', %s, 'A13V1IB3VIYZZH', 'FR', 'Shipped', %s, %s, %s, %s, %s)",
            (order_id, delivered - timedelta(days=3), delivered, delivered, f"hash-planted{tag}",
             Json({"AmazonOrderId": order_id, "BuyerInfo": {"BuyerEmail": EMAIL, "BuyerName": NAME}})),
        )  # fmt: skip
        cur.execute(
            "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind, channel,"
            " status, planned_for, due_on, subject, body) VALUES ('r', 'A13V1IB3VIYZZH', %s,"
            " 'shipment_confirmation', 'email_relay', 'sent', %s, %s, %s, %s) RETURNING id",
            (
                order_id,
                delivered.date(),
                delivered.date(),
                f"Bonjour {NAME}",
                f"Bonjour {NAME}, ...",
            ),
        )
        outbox_id = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO messaging.attempts (outbox_id, attempt_no, response) VALUES (%s, 1, %s)",
            (outbox_id, Json({"to": EMAIL})),
        )
        cur.execute(  # a rating: the buyer's words and the rater's hash
            "INSERT INTO staging.seller_feedback (account_id, amazon_order_id, marketplace_id,"
            " feedback_date, rating, comments, rater_hash) VALUES ('r', %s, 'A13V1IB3VIYZZH', %s, 1,"
            " %s, %s)",
            (order_id, (delivered + timedelta(days=1)).date(), f"{NAME} ici: colis abîmé",
             f"hash-planted{tag}"),
        )  # fmt: skip
        cur.execute(
            "INSERT INTO staging.rejected_records (account_id, source, record_key, reason, raw, seen_at)"
            " VALUES ('r', 'orders', %s, 'bad', %s, %s)",
            (order_id, Json({"BuyerInfo": {"BuyerEmail": EMAIL}}), delivered),
        )


def personal_rows(conn, tag=""):
    found = []
    with conn.cursor() as cur:
        cur.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema IN ('staging', 'messaging') AND table_type = 'BASE TABLE'"
        )
        for schema, table in cur.fetchall():
            cur.execute(
                f'SELECT t::text FROM "{schema}"."{table}" t WHERE t::text ~ %s',
                (f"Plantedname{tag}|plantedbuyer{tag}|hash-planted{tag}",),
            )
            found += [(f"{schema}.{table}", r[0]) for r in cur.fetchall()]
    return found


def test_purge_leaves_nothing_personal_for_old_orders_and_keeps_counts(wh):
    now = datetime.now(UTC)
    seed(wh, "405-0000000-0000001", now - timedelta(days=45))
    seed(wh, "405-0000000-0000002", now - timedelta(days=5))
    with wh.cursor() as cur:
        cur.execute("SELECT kind, status, messages FROM reporting.daily_summary ORDER BY 1, 2")
        before = cur.fetchall()
    purge_pii(wh, days=30)
    assert personal_rows(wh, "1") == []
    assert len(personal_rows(wh, "2")) == 5  # the recent order keeps what it still needs
    with wh.cursor() as cur:
        cur.execute("SELECT kind, status, messages FROM reporting.daily_summary ORDER BY 1, 2")
        assert cur.fetchall() == before
    purge_pii(wh, days=1)
    assert personal_rows(wh) == []
