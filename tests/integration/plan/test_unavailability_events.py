"""Unavailability notices: one per (order, event) — delayed, then cancelled — naming the items,
partial cancellations with the adjusted total, and none for cancellations the buyer asked for,
Amazon made, or orders Amazon fulfils (recorded as skipped with the reason)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from buyer_messaging.compose.stage import render_and_lint
from buyer_messaging.extract import store as staging
from buyer_messaging.extract.orders_2026 import parse_order_2026
from buyer_messaging.extract.parse import parse_item, parse_order
from buyer_messaging.plan.planner import plan_day
from buyer_messaging.warehouse.connection import transaction

pytestmark = pytest.mark.integration
DAY1 = (datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC))
DAY2 = (DAY1[1], DAY1[1] + timedelta(days=1))
KINDS = ("unavailability_notice",)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def v0(order_id, status, updated, *, channel="MFN", buyer_cancel=False, total="59.90"):
    """An Orders API v0 order and its items (ordersV0.json: Order, OrderItem, BuyerRequestedCancel)."""
    raw = {
        "AmazonOrderId": order_id, "MarketplaceId": "ATVPDKIKX0DER", "OrderStatus": status,
        "FulfillmentChannel": channel, "PurchaseDate": iso(DAY1[0] - timedelta(days=2)),
        "LastUpdateDate": iso(updated), "LatestShipDate": iso(DAY1[0] + timedelta(hours=23)),
        "EarliestDeliveryDate": iso(DAY2[1]), "LatestDeliveryDate": iso(DAY2[1] + timedelta(days=2)),
    }  # fmt: skip
    if status != "Canceled":
        raw["OrderTotal"] = {"CurrencyCode": "USD", "Amount": total}
    items = [
        {"OrderItemId": "1", "ASIN": "B0LAMP0001", "SellerSKU": "LAMP", "Title": "Desk Lamp",
         "QuantityOrdered": 1, "QuantityShipped": 0, "ItemPrice": {"CurrencyCode": "USD", "Amount": "39.90"},
         "BuyerRequestedCancel": {"IsBuyerRequestedCancel": "true" if buyer_cancel else "false",
                                  "BuyerCancelReason": "Found cheaper somewhere else." if buyer_cancel else ""}},
        {"OrderItemId": "2", "ASIN": "B0BULB0001", "SellerSKU": "BULB", "Title": "LED Bulb",
         "QuantityOrdered": 2, "QuantityShipped": 0, "ItemPrice": {"CurrencyCode": "USD", "Amount": "20.00"}},
    ]  # fmt: skip
    return parse_order(raw, "us"), [parse_item(i, "us", order_id) for i in items]


def new(order_id, status, updated, cancellation, *, cancelled_units=2):
    """An Orders API 2026-01-01 order (orders_2026-01-01.json: Order, OrderItem, ItemCancellation):
    a lamp that shipped and `cancelled_units` of 3 mugs cancelled with `cancellation`."""
    mug = {
        "orderItemId": "M", "quantityOrdered": 3,
        "product": {"asin": "B0MUG00001", "sellerSku": "MUG", "title": "Coffee Mug",
                    "price": {"unitPrice": {"amount": "8.00", "currencyCode": "USD"}}},
        "fulfillment": {"quantityFulfilled": 3 - cancelled_units, "quantityUnfulfilled": 0},
        "cancellation": cancellation,
    }  # fmt: skip
    lamp = {
        "orderItemId": "L", "quantityOrdered": 1,
        "product": {"asin": "B0LAMP0001", "sellerSku": "LAMP", "title": "Desk Lamp",
                    "price": {"unitPrice": {"amount": "39.90", "currencyCode": "USD"}}},
        "fulfillment": {"quantityFulfilled": 1, "quantityUnfulfilled": 0},
    }  # fmt: skip
    order = {
        "orderId": order_id, "createdTime": iso(DAY1[0] - timedelta(days=2)), "lastUpdatedTime": iso(updated),
        "salesChannel": {"marketplaceId": "ATVPDKIKX0DER"},
        "fulfillment": {"fulfillmentStatus": status, "fulfilledBy": "MERCHANT",
                        "shipByWindow": {"latestDateTime": iso(DAY1[0] - timedelta(hours=1))}},
        "proceeds": {"grandTotal": {"amount": "63.90", "currencyCode": "USD"}},
        "orderItems": [lamp, mug],
    }  # fmt: skip
    row, items, _ = parse_order_2026(order, "us")
    return row, items


def load(wh, *orders):
    with transaction(wh) as cur:
        staging.upsert_orders(
            cur, "us", [o for o, _ in orders], [i for _, items in orders for i in items]
        )


def plan(wh, day):
    return plan_day(
        wh,
        account_id="us",
        kinds=KINDS,
        run_day=day[0].date(),
        day=day,
        now=day[1] + timedelta(hours=1),
    )


def outbox(wh):
    with wh.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id, event, status, reason, body FROM messaging.outbox"
            " WHERE kind = 'unavailability_notice' ORDER BY id"
        )
        return [
            dict(zip(("order", "event", "status", "reason", "body"), r, strict=True))
            for r in cur.fetchall()
        ]


def test_a_delay_then_a_cancellation_are_two_messages_each_sent_once(wh):
    load(wh, v0("111-0000000-0000001", "Unshipped", DAY1[0] - timedelta(days=1)))
    plan(wh, DAY1)
    render_and_lint(wh, account_id="us", locale="en-US")
    # the order is cancelled the next day
    load(wh, v0("111-0000000-0000001", "Canceled", DAY2[0] + timedelta(hours=3)))
    for _ in range(2):  # re-runs and backfills plan nothing twice
        plan(wh, DAY1)
        plan(wh, DAY2)
    render_and_lint(wh, account_id="us", locale="en-US")
    got = outbox(wh)
    assert [(r["event"], r["status"]) for r in got] == [
        ("delayed", "ready"),
        ("cancelled", "ready"),
    ]
    delayed, cancelled = got[0]["body"], got[1]["body"]
    assert "these items from your order 111-0000000-0000001 are delayed:" in delayed
    assert "1 x Desk Lamp\n2 x LED Bulb" in delayed and "full refund of $59.90" in delayed
    # v0 gives no seller reason: the seller's default (unavailability.yaml), every item, the total
    assert "are no longer available, so we had to cancel them:" in cancelled
    assert "1 x Desk Lamp\n2 x LED Bulb" in cancelled
    assert "We have refunded $59.90 on November 21, 2026" in cancelled
    with wh.cursor() as cur:
        cur.execute("SELECT event, status FROM reporting.message_log ORDER BY message_id")
        assert cur.fetchall() == [("delayed", "planned"), ("cancelled", "planned")]


def test_a_partial_cancellation_names_the_cancelled_units_and_the_adjusted_total(wh):
    merchant = {
        "cancellationExecution": {"cancelledBy": "MERCHANT", "cancelReason": "NO_INVENTORY"}
    }
    load(wh, new("111-0000000-0000002", "SHIPPED", DAY1[0] + timedelta(hours=5), merchant))
    plan(wh, DAY1)
    assert render_and_lint(wh, account_id="us", locale="en-US") == {"ready": 1}
    (row,) = outbox(wh)
    assert row["event"] == "partially_cancelled"
    body = row["body"]
    # the reason from Amazon's cancelReason, only the cancelled units, their share refunded
    assert (
        "this item from your order 111-0000000-0000002 is out of stock:\n\n2 x Coffee Mug\n" in body
    )
    assert "Desk Lamp" not in body
    assert "We have refunded $16.00" in body and "your adjusted order total is $47.90" in body


@pytest.mark.parametrize(
    ("order", "why"),
    [
        (lambda: v0("111-0000000-0000003", "Canceled", DAY1[0] + timedelta(hours=2), buyer_cancel=True),
         "excluded: the buyer asked for the cancellation"),
        (lambda: v0("111-0000000-0000004", "Canceled", DAY1[0] + timedelta(hours=2), channel="AFN"),
         "excluded: fulfilled by Amazon, which informs the buyer itself"),
        (lambda: new("111-0000000-0000005", "CANCELLED", DAY1[0] + timedelta(hours=2),
                     {"cancellationRequest": {"requester": "BUYER", "cancelReason": "ORDERED_BY_MISTAKE"},
                      "cancellationExecution": {"cancelledBy": "MERCHANT"}}, cancelled_units=3),
         "excluded: the buyer asked for the cancellation"),
        (lambda: new("111-0000000-0000006", "CANCELLED", DAY1[0] + timedelta(hours=2),
                     {"cancellationExecution": {"cancelledBy": "AMAZON", "cancelReason": "PAYMENT_NOT_AUTHORIZED"}},
                     cancelled_units=3),
         "excluded: cancelled by Amazon, which informs the buyer itself"),
    ],
    ids=["v0-buyer-requested", "v0-fba", "2026-buyer-requested", "2026-amazon"],
)  # fmt: skip
def test_cancellations_we_must_not_announce_are_skipped_with_the_reason(wh, order, why):
    load(wh, order())
    plan(wh, DAY1)
    assert [(r["status"], r["reason"]) for r in outbox(wh)] == [("skipped", why)]
    assert +render_and_lint(wh, account_id="us", locale="en-US") == {}


def test_old_rows_keep_their_event_and_are_not_planned_again(wh):
    """Rows planned before migration 0014 carry 'default', or the event the migration named."""
    load(wh, v0("111-0000000-0000007", "Canceled", DAY1[0] + timedelta(hours=2)))
    with transaction(wh) as cur:
        cur.execute(
            "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind, channel,"
            " status, planned_for, due_on) VALUES ('us', 'ATVPDKIKX0DER', '111-0000000-0000007',"
            " 'review_request', 'solicitations', 'sent', %s, %s)",
            (date(2026, 11, 1), date(2026, 11, 1)),
        )
    plan(wh, DAY1)
    assert {(r["event"], r["status"]) for r in outbox(wh)} == {("cancelled", "planned")}
    with wh.cursor() as cur:
        cur.execute("SELECT event FROM messaging.outbox WHERE kind = 'review_request'")
        assert cur.fetchone() == ("default",)
