"""Invariants of the generated orders, checked over thousands of them (no server needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from spapi_emulator.data import MAX_EVENT_LAG, MAX_RETURN_LAG, REGULAR_LAG, Catalog, day_start
from spapi_emulator.limits import TokenBucket
from spapi_emulator.marketplaces import resolve

DAY = date(2026, 10, 5)


def test_lifecycles_are_consistent():
    catalog = Catalog(9, 500, resolve("US,GB,FR,DE,ES,IT"))
    seen_ids = set()
    for day in (DAY, DAY + timedelta(days=1)):
        previous = None
        for facts in catalog.orders(day):
            assert facts.amazon_order_id not in seen_ids
            seen_ids.add(facts.amazon_order_id)
            assert catalog.find(facts.amazon_order_id) == facts
            assert previous is None or previous <= facts.purchase  # ids ordered by purchase time
            previous = facts.purchase
            assert day_start(day) <= facts.purchase < day_start(day) + timedelta(days=1)
            assert facts.last_event - facts.purchase <= MAX_EVENT_LAG
            if not catalog.in_slow_tier(day, facts.index):
                assert facts.last_event <= day_start(day) + REGULAR_LAG
                assert not facts.late
            if facts.ret is not None:
                assert facts.ret.requested_at - facts.purchase <= MAX_RETURN_LAG
                assert (
                    facts.delivered_at is not None and facts.ret.requested_at > facts.delivered_at
                )
            assert (
                facts.earliest_ship
                <= facts.latest_ship
                < facts.earliest_delivery
                < facts.latest_delivery
            )
            # the status only moves forward, and LastUpdateDate never runs ahead of "now"
            order = ["Pending", "Unshipped", "PartiallyShipped", "Shipped"]
            last_rank = -1
            for hours in range(0, 24 * 8, 6):
                now = facts.purchase + timedelta(hours=hours)
                status, updated = facts.status_at(now)
                assert updated <= now
                if status == "Canceled":
                    last_rank = 99
                    continue
                assert last_rank != 99, "nothing follows a cancellation"
                assert order.index(status) >= last_rank
                last_rank = order.index(status)
            assert facts.items and all(i.quantity >= 1 for i in facts.items)
            assert facts.buyer_email.endswith(facts.marketplace.email_domain)


def test_same_seed_same_orders_other_seed_other_orders():
    a = [f.amazon_order_id for f in Catalog(1, 50, resolve("US")).orders(DAY)]
    b = [f.amazon_order_id for f in Catalog(1, 50, resolve("US")).orders(DAY)]
    c = [f.amazon_order_id for f in Catalog(2, 50, resolve("US")).orders(DAY)]
    assert a == b and a != c


def test_unknown_ids_are_not_found():
    catalog = Catalog(1, 50, resolve("US"))
    real = catalog.order(DAY, 3).amazon_order_id
    tampered = real[:-1] + str((int(real[-1]) + 1) % 10)
    for oid in ("", "abc", "111-1111111-1111111", tampered, real.replace("-", "")):
        assert catalog.find(oid) is None


def test_token_bucket_refills_at_its_rate():
    clock = [0.0]
    bucket = TokenBucket(2.0, 3, clock=lambda: clock[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock[0] += 0.5
    assert bucket.take() and not bucket.take()
    clock[0] += 100
    assert sum(bucket.take() for _ in range(10)) == 3


def test_purchase_times_start_at_the_day_start():
    catalog = Catalog(1, 10, resolve("US"))
    assert catalog.first_index_at_or_after(DAY, datetime(2026, 10, 4, tzinfo=UTC)) == 0
    moment = datetime(2026, 10, 5, 13, tzinfo=UTC)
    start = catalog.first_index_at_or_after(DAY, moment)
    assert all(catalog.purchase_time(DAY, i) < moment for i in range(start))


def test_showcase_makes_each_days_first_orders_a_partial_and_a_full_seller_cancellation():
    plain, shown = Catalog(42, 12, resolve("US")), Catalog(42, 12, resolve("US"), showcase=True)
    for day in (DAY, DAY + timedelta(days=1)):
        partial, full = shown.order(day, 0), shown.order(day, 1)
        assert partial.fulfillment == "MFN" and partial.canceled_at is None
        assert len(partial.items) >= 2 and [i.cancelled for i in partial.items][-1] is True
        assert not any(i.cancelled for i in partial.items[:-1])
        assert full.fulfillment == "MFN" and full.canceled_at is not None
        assert not full.buyer_cancelled, "a cancellation the seller made, not the buyer"
        # every other order is exactly what the plain catalogue generates
        for index in range(2, plain.count(day)):
            assert shown.order(day, index) == plain.order(day, index)
