"""An order known only from the all-orders report (no buyer, no delivery window: migration
0024's details_from) reaches no buyer a suppression, case or repeat-buyer rule would stop: only
critical kinds those rules do not cover plan it, the rest wait for the Orders API listing.

The report line's form: ../shared/amazon-report-formats.md (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL).
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from buyer_messaging.cli import main
from buyer_messaging.extract import orders_report
from buyer_messaging.extract import store as staging
from buyer_messaging.extract.parse import parse_item, parse_order
from buyer_messaging.plan.planner import plan_day
from buyer_messaging.policies import Exclusions
from buyer_messaging.warehouse.connection import transaction

pytestmark = pytest.mark.integration
D = date(2026, 11, 20)
DAY = (datetime(2026, 11, 20, 8, tzinfo=UTC), datetime(2026, 11, 21, 8, tzinfo=UTC))
NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)
EDD = DAY[0] - timedelta(days=6)  # delivered in time for a review request due on D
KINDS = ("review_request", "shipment_confirmation", "unavailability_notice")
US = "ATVPDKIKX0DER"


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def listed(account: str, order_id: str, buyer: str, *, status: str, updated: datetime) -> dict:
    """The order as the Orders API v0 lists it: with its buyer and delivery window."""
    return parse_order(
        {
            "AmazonOrderId": order_id, "MarketplaceId": US, "OrderStatus": status,
            "FulfillmentChannel": "MFN", "PurchaseDate": iso(EDD - timedelta(days=4)),
            "LastUpdateDate": iso(updated), "LatestShipDate": iso(DAY[1] + timedelta(days=1)),
            "EarliestDeliveryDate": iso(EDD), "LatestDeliveryDate": iso(EDD + timedelta(days=2)),
            "BuyerInfo": {"BuyerEmail": f"{buyer}@marketplace.amazon.com"},
        },
        account,
    )  # fmt: skip


def report_line(order_id: str, *, status: str, item_status: str, updated: datetime) -> dict:
    """One line of the all-orders report, every documented column (no buyer in any)."""
    row = dict.fromkeys(orders_report.COLUMNS, "")
    row.update({
        "amazon-order-id": order_id, "purchase-date": iso(EDD - timedelta(days=4)),
        "last-updated-date": updated.isoformat(), "order-status": status,
        "fulfillment-channel": "Merchant", "sales-channel": "Amazon.com", "sku": "MUG-1",
        "asin": "B000000001", "item-status": item_status, "quantity": "1", "currency": "USD",
        "item-price": "12.00", "product-name": "Mug", "ship-city": "Seattle",
        "ship-postal-code": "98109", "ship-country": "US",
    })  # fmt: skip
    return row


def stage_from_report(wh, account: str, lines: list[dict]) -> None:
    text = "\n".join(
        ["\t".join(orders_report.COLUMNS)]
        + ["\t".join(line[c] for c in orders_report.COLUMNS) for line in lines]
    )
    found, rejects = orders_report.orders_in_document(text, account, US)
    assert not rejects
    with transaction(wh) as cur:
        staging.upsert_report_orders(
            cur, account, [o for o, _ in found], [i for _, items in found for i in items]
        )


def plan(wh, account: str, exclusions: Exclusions | None = None) -> None:
    plan_day(
        wh, account_id=account, kinds=KINDS, run_day=D, day=DAY, now=NOW,
        tz="America/Los_Angeles", exclusions=exclusions or Exclusions(),
        # the default pack forbids proactive shipment confirmations; a seller may enable them
        enabled_despite_policy=("shipment_confirmation",),
    )  # fmt: skip


def outbox(wh, account: str) -> dict[tuple[str, str], tuple[str, str | None]]:
    with wh.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id, kind, status, reason FROM messaging.outbox"
            " WHERE account_id = %s",
            (account,),
        )
        got = {(o, k): (s, r) for o, k, s, r in cur.fetchall()}
    wh.commit()
    return got


def test_a_suppressed_buyers_report_only_order_waits_for_the_listing(wh, fresh_warehouse):
    account = "rep"
    known, shipped, cancelled = "111-0000000-0000101", "111-0000000-0000102", "111-0000000-0000103"
    updated = DAY[0] + timedelta(hours=2)
    with transaction(wh) as cur:  # the buyer's earlier order, listed: the suppression's source
        staging.upsert_orders(
            cur, account, [listed(account, known, "quiet", status="Shipped", updated=EDD)], []
        )
    assert main(["suppress", "--account", account, "--order", known, "--dsn", fresh_warehouse,
                 "--reason", "asked not to be contacted"]) == 0  # fmt: skip
    # two more orders of that buyer, known only from the report: one shipped (delivered) on
    # the run's day, one cancelled on it
    stage_from_report(wh, account, [
        report_line(shipped, status="Shipped - Delivered to Buyer", item_status="Shipped", updated=updated),
        report_line(cancelled, status="Cancelled", item_status="Cancelled", updated=updated),
    ])  # fmt: skip
    with wh.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id, order_status, fulfillment_channel, details_from, buyer_hash"
            " FROM staging.orders WHERE account_id = %s ORDER BY 1",
            (account,),
        )
        staged = cur.fetchall()
    wh.commit()
    assert staged[1:] == [
        (shipped, "Shipped", "MFN", "report", None), (cancelled, "Canceled", "MFN", "report", None),
    ]  # fmt: skip

    plan(wh, account)
    got = outbox(wh, account)
    assert got[(known, "review_request")] == ("skipped", "suppressed: asked not to be contacted")
    # the shipped order would be a shipment confirmation today (a non-critical kind): its buyer
    # is unknown, so nothing is planned or recorded for it, not even a skip
    assert not [key for key in got if key[0] == shipped]
    # the cancellation notice is critical, but the report does not say who cancelled: it
    # waits, unrecorded, for the Orders API's items (it would be skipped if the buyer asked)
    assert not [key for key in got if key[0] == cancelled]

    # the listing brings the shipped order's details: the suppression now applies to it
    with transaction(wh) as cur:
        staging.upsert_orders(
            cur, account, [listed(account, shipped, "quiet", status="Shipped", updated=updated)], []
        )
    plan(wh, account)
    got = outbox(wh, account)
    suppressed = ("skipped", "suppressed: asked not to be contacted")
    assert got[(shipped, "review_request")] == suppressed
    assert got[(shipped, "shipment_confirmation")] == suppressed


def test_a_critical_kind_a_repeat_buyer_rule_covers_waits_too(wh):
    account = "rep_repeat"
    cancelled = "111-0000000-0000201"
    stage_from_report(wh, account, [
        report_line(cancelled, status="Cancelled", item_status="Cancelled",
                    updated=DAY[0] + timedelta(hours=3)),
    ])  # fmt: skip
    repeat = Exclusions.model_validate(
        {"repeat_buyers": {"kinds": ["unavailability_notice"], "within_days": 30}}
    )
    api_items(wh, account, cancelled, buyer_requested=False, at=DAY[0] + timedelta(hours=4))
    plan(wh, account, repeat)
    assert outbox(wh, account) == {}  # the rule reads the buyer: it waits for the listing
    plan(wh, account)
    assert outbox(wh, account) == {(cancelled, "unavailability_notice"): ("planned", None)}


def api_items(wh, account: str, order_id: str, *, buyer_requested: bool, at: datetime) -> None:
    """The order's items as Orders API v0 getOrderItems gives them (ordersV0.json: OrderItem,
    BuyerRequestedCancel), in place of the report's lines; `at`: when they came (the test's
    days are in the past: the stamp the replace wrote, now(), is moved to that moment)."""
    item = {
        "OrderItemId": "1", "ASIN": "B000000001", "SellerSKU": "MUG-1", "Title": "Mug",
        "QuantityOrdered": 1, "QuantityShipped": 0,
        "BuyerRequestedCancel": {
            "IsBuyerRequestedCancel": "true" if buyer_requested else "false",
            "BuyerCancelReason": "Ordered by mistake." if buyer_requested else "",
        },
    }  # fmt: skip
    with transaction(wh) as cur:
        staging.replace_items(cur, account, [order_id], [parse_item(item, account, order_id)])
        cur.execute(
            "UPDATE staging.orders SET items_listed_at = %s WHERE account_id = %s"
            " AND amazon_order_id = %s AND items_listed_at IS NOT NULL",
            (at, account, order_id),
        )
        assert cur.rowcount == 1  # stamped: they replaced the report's lines


def plan_on(wh, account: str, day: tuple[datetime, datetime], now: datetime) -> None:
    plan_day(
        wh, account_id=account, kinds=KINDS, run_day=day[0].date(), day=day, now=now,
        tz="America/Los_Angeles", exclusions=Exclusions(),
        enabled_despite_policy=("shipment_confirmation",),
    )  # fmt: skip


def list_details(wh, account: str, order: dict, at: datetime) -> None:
    """The listing stages the order's details; `at`: when (the test's days are in the past,
    so the stamp the upsert wrote, now(), is moved to that moment)."""
    with transaction(wh) as cur:
        staging.upsert_orders(cur, account, [order], [])
        cur.execute(
            "UPDATE staging.orders SET details_listed_at = %s WHERE account_id = %s"
            " AND amazon_order_id = %s AND details_listed_at IS NOT NULL",
            (at, account, order["amazon_order_id"]),
        )
        assert cur.rowcount == 1  # the listing stamped it: it was known from the report only


def test_details_a_day_late_still_get_the_shipment_confirmation_once(wh):
    account = "rep_late"
    late, stale = "111-0000000-0000301", "111-0000000-0000302"
    before = (DAY[0] - timedelta(days=1), DAY[0])
    shipped = before[0] + timedelta(hours=5)  # shipped the day before, known from the report
    stage_from_report(wh, account, [
        report_line(late, status="Shipped", item_status="Shipped", updated=shipped),
        report_line(stale, status="Shipped", item_status="Shipped",
                    updated=shipped - timedelta(days=3)),
    ])  # fmt: skip
    plan_on(wh, account, before, before[1] + timedelta(hours=1))
    assert outbox(wh, account) == {}  # no buyer yet: it waits for the listing
    # the listing brings both on the run's day; the second shipped 4 days ago, past its 2
    list_details(wh, account, listed(account, late, "b1", status="Shipped", updated=shipped),
                 DAY[0] + timedelta(hours=3))  # fmt: skip
    list_details(wh, account, listed(account, stale, "b2", status="Shipped",
                                     updated=shipped - timedelta(days=3)),
                 DAY[0] + timedelta(hours=3))  # fmt: skip
    plan(wh, account)
    got = outbox(wh, account)
    confirmations = {k: v for k, v in got.items() if k[1] == "shipment_confirmation"}
    assert confirmations == {(late, "shipment_confirmation"): ("planned", None)}
    with wh.cursor() as cur:
        cur.execute(
            "SELECT send_before FROM messaging.outbox WHERE account_id = %s AND kind ="
            " 'shipment_confirmation'",
            (account,),
        )
        # its own day's end (local midnight, 08:00 UTC) plus the kind's 2 stale days
        assert cur.fetchall() == [(before[1] + timedelta(days=2),)]
    wh.commit()
    # the same day again, and the day it shipped re-run now that its details are in: one
    # message, the outbox's natural key (account, order, kind, event)
    plan(wh, account)
    plan_on(wh, account, before, NOW)
    with wh.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM messaging.outbox WHERE account_id = %s"
            " AND amazon_order_id = %s AND kind = 'shipment_confirmation'",
            (account, late),
        )
        assert cur.fetchone() == (1,)
    wh.commit()
    # the day after the details arrived plans nothing more for it
    plan_on(wh, account, (DAY[1], DAY[1] + timedelta(days=1)), NOW + timedelta(days=1))
    assert outbox(wh, account) == got


def test_details_a_day_late_still_get_the_delay_notice(wh):
    account = "rep_delayed"
    order = "111-0000000-0000401"
    stage_from_report(wh, account, [
        report_line(order, status="Pending", item_status="Unshipped",
                    updated=DAY[0] - timedelta(days=3)),
    ])  # fmt: skip
    row = listed(account, order, "b3", status="Unshipped", updated=DAY[0] - timedelta(days=3))
    row["latest_ship_date"] = DAY[0] - timedelta(hours=6)  # passed the day before
    list_details(wh, account, row, DAY[0] + timedelta(hours=1))
    plan(wh, account)
    assert outbox(wh, account)[(order, "unavailability_notice")] == ("planned", None)
    plan(wh, account)  # again: still one
    with wh.cursor() as cur:
        cur.execute(
            "SELECT event, count(*) FROM messaging.outbox WHERE account_id = %s"
            " AND kind = 'unavailability_notice' GROUP BY 1",
            (account,),
        )
        assert cur.fetchall() == [("delayed", 1)]
    wh.commit()


NEXT = (DAY[1], DAY[1] + timedelta(days=1))


def notices(wh, account: str) -> dict[str, tuple[str, str, str | None, datetime]]:
    with wh.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id, event, status, reason, send_before FROM messaging.outbox"
            " WHERE account_id = %s AND kind = 'unavailability_notice'",
            (account,),
        )
        got = {o: (e, s, r, b) for o, e, s, r, b in cur.fetchall()}
    wh.commit()
    return got


def test_a_report_only_cancellation_waits_for_who_cancelled(wh):
    """The report says Cancelled, not who asked: no notice until the Orders API's items say
    it; then the seller's cancellation gets one, the buyer's is skipped, with its reason."""
    account = "rep_requester"
    seller, buyer, partial = "111-0000000-0000501", "111-0000000-0000502", "111-0000000-0000503"
    cancelled_at = DAY[0] + timedelta(hours=2)
    stage_from_report(wh, account, [
        report_line(seller, status="Cancelled", item_status="Cancelled", updated=cancelled_at),
        report_line(buyer, status="Cancelled", item_status="Cancelled", updated=cancelled_at),
        # a line cancelled inside an order that goes on (the report's item-status)
        report_line(partial, status="Shipped", item_status="Cancelled", updated=cancelled_at),
    ])  # fmt: skip
    plan(wh, account)
    assert notices(wh, account) == {}  # all three wait, unrecorded
    # the next day the Orders API's items arrive (list_order_details: getOrderItems)
    at = NEXT[0] + timedelta(hours=1)
    api_items(wh, account, seller, buyer_requested=False, at=at)
    api_items(wh, account, buyer, buyer_requested=True, at=at)
    plan_on(wh, account, NEXT, NOW + timedelta(days=1))
    stale = DAY[1] + timedelta(days=3)  # the cancellation's local day's end plus 3 stale days
    assert notices(wh, account) == {
        seller: ("cancelled", "planned", None, stale),
        buyer: ("cancelled", "skipped", "excluded: the buyer asked for the cancellation", stale),
    }
    # the cancellation's own day again, and the day after: one notice each, never a second
    plan(wh, account)
    plan_on(wh, account, (NEXT[1], NEXT[1] + timedelta(days=1)), NOW + timedelta(days=2))
    assert set(notices(wh, account)) == {seller, buyer}


def test_a_requester_never_known_in_time_is_recorded_expired(wh):
    account = "rep_never"
    order = "111-0000000-0000601"
    cancelled_at = DAY[0] + timedelta(hours=2)
    stage_from_report(wh, account, [
        report_line(order, status="Cancelled", item_status="Cancelled", updated=cancelled_at),
    ])  # fmt: skip
    stale = DAY[1] + timedelta(days=3)  # 08:00 UTC, local midnight, 3 days after its day
    for n in range(3):  # its day and the next two: it waits
        day = (DAY[0] + timedelta(days=n), DAY[1] + timedelta(days=n))
        plan_on(wh, account, day, day[1] + timedelta(hours=1))
    assert notices(wh, account) == {}
    stale_day = (stale, stale + timedelta(days=1))
    plan_on(wh, account, stale_day, stale_day[1] + timedelta(hours=1))
    why = (
        "expired: who cancelled was not known in time: the Orders API had not brought the"
        " order's items by 2026-11-24 08:00 UTC"
    )
    assert notices(wh, account) == {order: ("cancelled", "expired", why, stale)}
    # the items come after all: too late, still the one expired row
    api_items(wh, account, order, buyer_requested=False, at=stale_day[1] + timedelta(hours=2))
    later = (stale_day[1], stale_day[1] + timedelta(days=1))
    plan_on(wh, account, later, later[1] + timedelta(hours=1))
    assert notices(wh, account) == {order: ("cancelled", "expired", why, stale)}


def test_a_listed_order_cancelled_later_waits_too(wh):
    """Listed before it was cancelled: the report that brings the cancellation replaces its
    items with its lines, which do not say who cancelled."""
    account = "rep_listed_first"
    order = "111-0000000-0000701"
    stage_from_report(wh, account, [
        report_line(order, status="Pending", item_status="Unshipped",
                    updated=DAY[0] - timedelta(days=1)),
    ])  # fmt: skip
    list_details(
        wh, account,
        listed(account, order, "b7", status="Unshipped", updated=DAY[0] - timedelta(days=1)),
        DAY[0] - timedelta(hours=20),
    )  # fmt: skip
    stage_from_report(wh, account, [
        report_line(order, status="Cancelled", item_status="Cancelled",
                    updated=DAY[0] + timedelta(hours=2)),
    ])  # fmt: skip
    plan(wh, account)
    assert notices(wh, account) == {}
    api_items(wh, account, order, buyer_requested=True, at=NEXT[0] + timedelta(hours=1))
    plan_on(wh, account, NEXT, NOW + timedelta(days=1))
    assert notices(wh, account)[order][:3] == (
        "cancelled", "skipped", "excluded: the buyer asked for the cancellation",
    )  # fmt: skip
