"""The backlog sender applies the day's negative signals before it sends: a review request an
earlier run left `ready` never goes to a buyer whose rating, extracted this run, is bad (the
signals stage, later in the run, would have skipped it too late)."""

import json
from datetime import date

import httpx
import psycopg2
import pytest
from test_deadline import reviewable_orders

from buyer_messaging.extract import store as staging
from buyer_messaging.extract.parse import buyer_hash, parse_order
from buyer_messaging.warehouse.connection import connect, transaction

pytestmark = pytest.mark.integration


def test_backlog_skips_review_requests_of_a_buyer_with_a_new_bad_rating(
    emulator, fresh_warehouse, demo_connections, smtp_relay
):
    from buyer_messaging import tasks

    orders = [o for o, _ in reviewable_orders(emulator.url, 3)]
    rated, same_buyer, other = orders
    buyers = {rated: "angry", same_buyer: "angry", other: "calm"}
    conn = connect(fresh_warehouse)
    with transaction(conn) as cur:
        staging.upsert_orders(cur, "demo", [
            parse_order({
                "AmazonOrderId": o, "MarketplaceId": "ATVPDKIKX0DER", "OrderStatus": "Shipped",
                "PurchaseDate": "2026-01-01T10:00:00Z", "LastUpdateDate": "2026-01-02T10:00:00Z",
                "BuyerInfo": {"BuyerEmail": f"{b}@marketplace.amazon.com"},
            }, "demo")
            for o, b in buyers.items()
        ], [])  # fmt: skip
        for order_id in buyers:
            # left ready by an earlier run (Amazon's rate did not reach it)
            cur.execute(
                "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind,"
                " channel, status, planned_for, due_on, subject, body) VALUES ('demo',"
                " 'ATVPDKIKX0DER', %s, 'review_request', 'solicitations', 'ready', %s, %s, '', '')",
                (order_id, date.today(), date.today()),
            )
        # this run's feedback extraction brought a 1-star rating of one of the buyer's orders
        cur.execute(
            "INSERT INTO staging.seller_feedback (account_id, amazon_order_id, marketplace_id,"
            " feedback_date, rating, comments, rater_hash) VALUES ('demo', %s, 'ATVPDKIKX0DER',"
            " %s, 1, 'arrived broken', %s)",
            (rated, date.today(), buyer_hash("angry@marketplace.amazon.com", "")),
        )
    conn.close()

    counts = tasks.send_backlog("demo", {"params": {}})

    with psycopg2.connect(fresh_warehouse) as c, c.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id, status, reason FROM messaging.outbox"
            " WHERE account_id = 'demo' AND kind = 'review_request'"
        )
        got = {o: (s, r) for o, s, r in cur.fetchall()}
        cur.execute("SELECT amazon_order_id FROM messaging.cases WHERE account_id = 'demo'")
        assert [o for (o,) in cur.fetchall()] == [rated]
    assert got[other][0] == "sent", got
    assert got[rated][0] == got[same_buyer][0] == "skipped", got
    assert "negative signal" in got[rated][1] and "another order" in got[same_buyer][1]
    solicited = [
        s["amazonOrderId"]
        for s in httpx.get(f"{emulator.url}/_emulator/received").json()["solicitations"]
    ]
    assert solicited == [other]
    assert counts["review_request"]["sent"] == 1
    # the alert went once, with the opening; the signals stage after validate opens nothing new
    assert len([m for m in smtp_relay if "negative signal" in m["data"]]) == 1
    assert json.dumps(tasks.signals("demo", {"params": {}}))
    assert len([m for m in smtp_relay if "negative signal" in m["data"]]) == 1
