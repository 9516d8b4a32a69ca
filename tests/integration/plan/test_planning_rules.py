"""Planning rules over crafted orders: every window boundary, time zones, policy, backfills."""

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from buyer_messaging.extract import store as staging
from buyer_messaging.extract.parse import parse_item, parse_order
from buyer_messaging.plan.planner import plan_day
from buyer_messaging.policies import load_pack
from buyer_messaging.warehouse.connection import transaction

pytestmark = pytest.mark.integration
PARIS = ZoneInfo("Europe/Paris")
FR = "A13V1IB3VIYZZH"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def order(
    order_id: str,
    *,
    status="Shipped",
    edd=None,
    ldd=None,
    updated=None,
    latest_ship=None,
    channel=None,
):
    purchase = (edd or updated or NOW) - timedelta(days=3)
    raw = {
        "AmazonOrderId": order_id,
        "MarketplaceId": FR,
        "OrderStatus": status,
        "PurchaseDate": iso(purchase),
        "LastUpdateDate": iso(updated or purchase + timedelta(days=1)),
        "OrderTotal": {"CurrencyCode": "EUR", "Amount": "19.90"},
    }
    if edd:
        raw["EarliestDeliveryDate"] = iso(edd)
        raw["LatestDeliveryDate"] = iso(ldd or edd + timedelta(days=2))
    if latest_ship:
        raw["LatestShipDate"] = iso(latest_ship)
    if channel:
        raw["FulfillmentChannel"] = channel
    # parse_order accepts only Amazon's 3-7-7 ids: these rows are named for the rule they test
    row = parse_order({**raw, "AmazonOrderId": "111-0000000-0000001"}, "fr")
    return {**row, "amazon_order_id": order_id, "raw": {**row["raw"], "AmazonOrderId": order_id}}


def load(conn, *orders, quarantine=()):
    with transaction(conn) as cur:
        staging.upsert_orders(cur, "fr", list(orders), [])
        for order_id in quarantine:
            cur.execute(
                "UPDATE staging.orders SET quarantined = true WHERE amazon_order_id = %s",
                (order_id,),
            )


def paris_day(d: date) -> tuple[datetime, datetime]:
    start = datetime(d.year, d.month, d.day, tzinfo=PARIS)
    nxt = d + timedelta(days=1)
    return start.astimezone(UTC), datetime(nxt.year, nxt.month, nxt.day, tzinfo=PARIS).astimezone(
        UTC
    )


def plan(conn, d: date, kinds=("review_request",), **kwargs):
    return plan_day(
        conn,
        account_id="fr",
        kinds=kinds,
        run_day=d,
        day=paris_day(d),
        now=NOW,
        tz="Europe/Paris",
        **kwargs,
    )


def outbox(conn):
    with conn.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id, kind, status, planned_for, reason FROM messaging.outbox"
            " WHERE account_id = 'fr' ORDER BY amazon_order_id, kind"
        )
        return cur.fetchall()


def planned_ids(conn, day=None):
    return {r[0] for r in outbox(conn) if day is None or r[3] == day}


D = date(2026, 11, 20)


def test_review_window_opens_five_days_after_earliest_delivery_in_account_time(wh):
    start, end = paris_day(D)
    load(
        wh,
        order("opens-last-second", edd=end - timedelta(days=5, seconds=1)),
        order("opens-at-midnight", edd=end - timedelta(days=5)),
        # 23:30 Paris: in UTC already 22:30, the same Paris day
        order("paris-2330", edd=datetime(2026, 11, 15, 23, 30, tzinfo=PARIS)),
        # 00:30 Paris on the 16th is still the 15th in UTC: not due on the 20th in Paris
        order("paris-0030", edd=datetime(2026, 11, 16, 0, 30, tzinfo=PARIS)),
    )
    plan(wh, D)
    assert planned_ids(wh, D) == {"opens-last-second", "paris-2330"}
    plan(wh, D + timedelta(days=1))
    assert planned_ids(wh, D + timedelta(days=1)) == {"opens-at-midnight", "paris-0030"}


def test_review_window_closes_thirty_days_after_latest_delivery(wh):
    start, _ = paris_day(D)
    load(
        wh,
        order(
            "closed-yesterday",
            edd=start - timedelta(days=40),
            ldd=start - timedelta(days=30, seconds=1),
        ),
        order("closes-today", edd=start - timedelta(days=40), ldd=start - timedelta(days=30)),
    )
    plan(wh, D)
    rows = {r[0]: r for r in outbox(wh)}
    assert set(rows) == {"closes-today"}
    # due on the 20th but Amazon's window closed before NOW (the 22nd): expired, never sent
    assert rows["closes-today"][2] == "expired"
    assert rows["closes-today"][4].startswith("expired:")


@pytest.mark.parametrize(
    "status, quarantined",
    [("Canceled", False), ("Unshipped", False), ("PartiallyShipped", False), ("Shipped", True)],
)
def test_exclusions(wh, status, quarantined):
    start, _ = paris_day(D)
    load(
        wh,
        order("x", status=status, edd=start - timedelta(days=8)),
        quarantine=["x"] if quarantined else [],
    )
    plan(wh, D)
    assert {r[0] for r in outbox(wh) if r[2] != "skipped"} == set()
    # a cancelled order is counted, as skipped with its reason; the others are not due (yet)
    skipped = [(r[2], r[4]) for r in outbox(wh)]
    assert skipped == (
        [("skipped", "excluded: the order was cancelled")] if status == "Canceled" else []
    )


def test_no_review_request_for_a_returned_order(wh):
    start, _ = paris_day(D)
    load(
        wh,
        order("returned", edd=start - timedelta(days=8)),
        order("kept", edd=start - timedelta(days=8)),
    )
    with transaction(wh) as cur:
        cur.execute(
            "INSERT INTO staging.returns (account_id, amazon_order_id, return_key, line_key, order_date,"
            " return_request_date, return_quantity, raw) VALUES ('fr', 'returned', 'r1', 'l1', %s, %s, 1, '{}')",
            (start - timedelta(days=12), start - timedelta(days=2)),
        )
    plan(wh, D)
    assert {r[0]: (r[2], r[4]) for r in outbox(wh)} == {
        "kept": ("planned", None),
        "returned": ("skipped", "excluded: the order was returned"),
    }


def test_at_most_one_message_per_order_and_kind_ever(wh):
    start, _ = paris_day(D)
    load(wh, order("once", edd=start - timedelta(days=8)))
    assert sum(plan(wh, D).values()) == 1
    assert sum(plan(wh, D).values()) == 0  # a re-run or a cleared task plans nothing new
    assert sum(plan(wh, D + timedelta(days=1)).values()) == 0  # nor does the next day
    assert len(outbox(wh)) == 1


def test_a_row_a_time_boxed_run_left_ready_is_not_planned_again(wh):
    # issue #21: a run's sends stop at its deadline; what is left stays ready for the next run,
    # whose planner must neither add a second row nor touch the first
    start, _ = paris_day(D)
    load(wh, order("left", edd=start - timedelta(days=8)))
    plan(wh, D)
    with transaction(wh) as cur:
        cur.execute("UPDATE messaging.outbox SET status = 'ready' WHERE account_id = 'fr'")
    before = outbox(wh)
    assert sum(plan(wh, D + timedelta(days=1)).values()) == 0
    assert outbox(wh) == before and before[0][2] == "ready"


def test_policy_pack_forbids_shipment_confirmations_unless_enabled_on_purpose(wh, make_database):
    start, _ = paris_day(D)
    load(wh, order("shipped-today", updated=start + timedelta(hours=3)))
    plan(wh, D, kinds=("shipment_confirmation",))
    [row] = outbox(wh)
    assert row[2] == "skipped" and row[4] == "policy:no-proactive-shipping-confirmation"

    with transaction(wh) as cur:
        cur.execute("DELETE FROM messaging.outbox")
    plan(wh, D, kinds=("shipment_confirmation",), enabled_despite_policy=("shipment_confirmation",))
    [row] = outbox(wh)
    assert row[2] == "planned"
    plan(wh, D, kinds=("shipment_confirmation",), pack=load_pack("seed-2019"))
    assert len(outbox(wh)) == 1


def test_backfilled_shipment_confirmations_older_than_two_days_expire(wh):
    old_day, fresh_day = date(2026, 11, 12), date(2026, 11, 21)
    load(
        wh,
        order("old", updated=paris_day(old_day)[0] + timedelta(hours=5)),
        order("fresh", updated=paris_day(fresh_day)[0] + timedelta(hours=5)),
    )
    enabled = {
        "kinds": ("shipment_confirmation",),
        "enabled_despite_policy": ("shipment_confirmation",),
    }
    plan(wh, old_day, **enabled)
    plan(wh, fresh_day, **enabled)
    statuses = {r[0]: r[2] for r in outbox(wh)}
    assert statuses == {"old": "expired", "fresh": "planned"}


def test_unavailability_for_cancelled_and_late_orders(wh):
    start, end = paris_day(D)
    load(
        wh,
        order("cancelled", status="Canceled", updated=start + timedelta(hours=2)),
        order(
            "late",
            status="Unshipped",
            updated=start - timedelta(days=2),
            latest_ship=start + timedelta(hours=10),
        ),
        order(
            "not-late-yet",
            status="Unshipped",
            updated=start - timedelta(days=2),
            latest_ship=end + timedelta(hours=1),
        ),
    )
    plan(wh, D, kinds=("unavailability_notice",))
    assert {r[0]: r[2] for r in outbox(wh)} == {"cancelled": "planned", "late": "planned"}


def test_backfill_in_any_order_gives_the_same_outbox(make_database):
    from buyer_messaging.warehouse.connection import connect
    from buyer_messaging.warehouse.migrate import migrate

    rng = random.Random(5)
    days = [date(2026, 11, 10) + timedelta(days=i) for i in range(10)]
    orders = []
    for i in range(120):
        edd = datetime(2026, 10, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 45))
        orders.append(order(f"o{i:03d}", edd=edd, ldd=edd + timedelta(days=rng.randrange(0, 4))))
        orders.append(order(f"s{i:03d}", updated=edd + timedelta(days=20)))
    results = []
    for ordering in (days, list(reversed(days)), rng.sample(days, len(days))):
        conn = connect(make_database())
        migrate(conn)
        load(conn, *orders)
        for d in ordering:
            plan(conn, d, kinds=("review_request", "shipment_confirmation"))
        results.append(outbox(conn))
        conn.close()
    assert results[0] and results[0] == results[1] == results[2]


def returned(conn, order_id, *lines):
    """lines: (received_at or None, refunded amount or None) per returned line."""
    with transaction(conn) as cur:
        for i, (received, refunded) in enumerate(lines):
            cur.execute(
                "INSERT INTO staging.returns (account_id, amazon_order_id, return_key, line_key, order_date,"
                " return_request_date, return_delivery_date, return_quantity, refunded_amount, raw)"
                " VALUES ('fr', %s, %s, 'SKU', %s, %s, %s, 1, %s, '{}')",
                (
                    order_id,
                    f"rma-{i}",
                    NOW - timedelta(days=30),
                    NOW - timedelta(days=15),
                    received,
                    refunded,
                ),
            )


def return_confirmations(conn):
    return {r[0]: (r[2], r[3]) for r in outbox(conn) if r[1] == "return_confirmation"}


def test_a_return_confirmation_falls_due_when_the_last_line_is_back_and_refunded(wh):
    start, end = paris_day(D)
    late_evening = datetime(
        2026, 11, 20, 23, 30, tzinfo=PARIS
    )  # 22:30 UTC: still the 20th in Paris
    cases = {
        "back-and-refunded": [(late_evening, "19.90")],
        "two-lines-both-back": [
            (start + timedelta(hours=9), "10.00"),
            (start + timedelta(hours=15), "9.90"),
        ],
        "one-line-still-on-its-way": [(start + timedelta(hours=9), "10.00"), (None, None)],
        "not-refunded-yet": [(start + timedelta(hours=9), None)],
        "back-after-the-day": [(end + timedelta(minutes=1), "19.90")],
        "back-a-week-ago": [(start - timedelta(days=7), "19.90")],
        "back-four-days-ago": [(start - timedelta(days=4), "19.90")],
        "back-two-days-ago": [(start - timedelta(days=2), "19.90")],
        "quarantined": [(start + timedelta(hours=9), "19.90")],
        "order-not-in-staging": [(start + timedelta(hours=9), "19.90")],
    }
    load(wh, *(order(oid, edd=start - timedelta(days=10)) for oid in cases if oid != "order-not-in-staging"),
         quarantine=["quarantined"])  # fmt: skip
    for oid, lines in cases.items():
        returned(wh, oid, *lines)
    plan(wh, D, kinds=("return_confirmation",), enabled_despite_policy=("return_confirmation",))
    assert return_confirmations(wh) == {
        "back-and-refunded": ("planned", D),  # the day in Paris, not the UTC date
        "two-lines-both-back": ("planned", D),
        # fell due earlier and was not seen then (returns arrive late): planned for its own day
        "back-two-days-ago": ("planned", D - timedelta(days=2)),
        # stale (5 days) by NOW, the 22nd: recorded, never sent; a week ago was stale before
        # this day began: the run of its own day (or a backfill of it) records it
        "back-four-days-ago": ("expired", D - timedelta(days=4)),
    }
    # one confirmation per order however often its day or a later one is planned; the next
    # day adds only the return that arrived then
    first = return_confirmations(wh)
    plan(wh, D, kinds=("return_confirmation",), enabled_despite_policy=("return_confirmation",))
    plan(
        wh,
        D + timedelta(days=1),
        kinds=("return_confirmation",),
        enabled_despite_policy=("return_confirmation",),
    )
    assert return_confirmations(wh) == {
        **first,
        "back-after-the-day": ("planned", D + timedelta(days=1)),
    }


def test_return_confirmations_follow_the_policy_pack(wh):
    start, _ = paris_day(D)
    load(wh, order("r", edd=start - timedelta(days=10)))
    returned(wh, "r", (start + timedelta(hours=9), "19.90"))
    plan(wh, D, kinds=("return_confirmation",))
    ((status, reason),) = [(r[2], r[4]) for r in outbox(wh)]
    assert status == "skipped" and reason == "policy:no-proactive-order-confirmation"


def test_no_shipment_confirmation_for_an_order_amazon_fulfils(wh):
    start, _ = paris_day(D)
    load(
        wh,
        order("seller-ships", updated=start + timedelta(hours=10), channel="MFN"),
        order("amazon-ships", updated=start + timedelta(hours=10), channel="AFN"),
    )
    plan(wh, D, kinds=("shipment_confirmation",), enabled_despite_policy=("shipment_confirmation",))
    assert planned_ids(wh) == {"seller-ships"}


def test_product_info_for_configured_asins_after_delivery_and_never_with_a_review_request(wh):
    from buyer_messaging.extract import store as st
    from buyer_messaging.policies import ProductInfo

    info = ProductInfo.model_validate(
        {
            "asins": {
                "B0CARE": {"text": {"fr": "Huilez la planche."}, "delay_days": 2},
                "B0OTHER": {"text": {"en": "x"}},
            }
        }
    )
    start, end = paris_day(D)
    ldd = start - timedelta(days=2) + timedelta(hours=1)  # + 2 days delay: due on D
    orders = {
        "care-due": ("B0CARE", ldd),
        "care-not-yet": ("B0CARE", ldd + timedelta(days=1)),
        "care-too-late": ("B0CARE", start - timedelta(days=31)),  # Amazon's 30 days are over
        "no-configured-asin": ("B0PLAIN", ldd),
        "care-reviewed": ("B0CARE", ldd),
        "care-returned": ("B0CARE", ldd),
    }
    rows = [order(oid, edd=d - timedelta(days=2), ldd=d) for oid, (_, d) in orders.items()]
    items = [
        parse_item({"OrderItemId": f"{oid}-1", "ASIN": asin, "SellerSKU": "S", "Title": "Planche", "QuantityOrdered": 1},
                   "fr", oid)
        for oid, (asin, _) in orders.items()
    ]  # fmt: skip
    with transaction(wh) as cur:
        st.upsert_orders(cur, "fr", rows, items)
        cur.execute(
            "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind, channel, status,"
            " planned_for, due_on, send_before) VALUES ('fr', %s, 'care-reviewed', 'review_request',"
            " 'solicitations', 'sent', %s, %s, %s)", (FR, D, D, NOW + timedelta(days=20)),
        )  # fmt: skip
    returned(wh, "care-returned", (start - timedelta(days=1), "19.90"))
    plan(wh, D, kinds=("product_info",), product_info=info)
    assert {r[0]: (r[2], r[3]) for r in outbox(wh) if r[1] == "product_info"} == {
        "care-due": ("planned", D)
    }


def test_a_marketplace_override_delays_review_requests_there_only(wh):
    from buyer_messaging.policies import Timing

    timing = Timing.model_validate(
        {
            "default_pack": "amazon-2020",
            "kinds": {"review_request": {"by_marketplace": {"FR": {"delay_days": 2}}}},
        }
    )
    start, _ = paris_day(D)
    load(wh, order("opens-today", edd=start - timedelta(days=5) + timedelta(hours=1)))
    plan(wh, D, timing=timing, marketplace="FR")  # two days later in France: not yet
    assert planned_ids(wh) == set()
    plan(wh, D, timing=timing, marketplace="DE")
    assert planned_ids(wh) == {"opens-today"}


def test_an_asin_override_makes_its_orders_wait_for_the_longest_delay(wh):
    from buyer_messaging.policies import Timing

    timing = Timing.model_validate(
        {
            "default_pack": "amazon-2020",
            "kinds": {"review_request": {"by_asin": {"B0SLOW": {"delay_days": 1}}}},
        }
    )
    start, _ = paris_day(D)
    edd = start - timedelta(days=5) + timedelta(hours=1)  # the window opens on D
    orders = {"slow": ["B0SLOW", "B0FAST"], "fast": ["B0FAST"]}
    items = [
        parse_item({"OrderItemId": f"{oid}-{n}", "ASIN": asin, "SellerSKU": "S", "Title": "T", "QuantityOrdered": 1}, "fr", oid)
        for oid, asins in orders.items() for n, asin in enumerate(asins)
    ]  # fmt: skip
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "fr", [order(oid, edd=edd) for oid in orders], items)
    plan(wh, D, timing=timing)
    assert planned_ids(wh) == {"fast"}
    plan(wh, D + timedelta(days=1), timing=timing)
    assert planned_ids(wh, D + timedelta(days=1)) == {"slow"}
