"""render_and_lint over planned outbox rows: text in the buyer's language, verdicts recorded."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from buyer_messaging.extract.parse import parse_item, parse_order
from buyer_messaging.plan.planner import plan_day
from buyer_messaging.render_and_lint import render_and_lint
from buyer_messaging.warehouse import staging
from buyer_messaging.warehouse.connection import transaction

pytestmark = pytest.mark.integration
BERLIN = ZoneInfo("Europe/Berlin")
D = date(2026, 11, 20)
START = datetime(2026, 11, 20, tzinfo=BERLIN)


def iso(m):
    return m.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def order(order_id, status, updated, title="Akku-Bohrschrauber 18 V {{ 7*7 }}"):
    raw = {
        "AmazonOrderId": order_id, "MarketplaceId": "A1PA6795UKMFR9", "OrderStatus": status,
        "PurchaseDate": iso(updated - timedelta(days=2)), "LastUpdateDate": iso(updated),
        "EarliestDeliveryDate": iso(updated + timedelta(days=2)), "LatestDeliveryDate": iso(updated + timedelta(days=4)),
        "OrderTotal": {"CurrencyCode": "EUR", "Amount": "89.90"},
    }  # fmt: skip
    item = {"OrderItemId": f"{order_id}-1", "ASIN": "B000TEST01", "SellerSKU": "SKU-1", "Title": title, "QuantityOrdered": 2}
    return parse_order(raw, "de"), parse_item(item, "de", order_id)


def test_planned_messages_are_rendered_linted_and_blocked_when_incomplete(wh):
    cancelled, item1 = order("302-0000000-0000001", "Canceled", START + timedelta(hours=9))
    shipped, item2 = order("302-0000000-0000002", "Shipped", START + timedelta(hours=10))
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "de", [cancelled, shipped], [item1, item2])
    day = (START, START + timedelta(days=1))
    plan_day(wh, account_id="de", kinds=("unavailability_notice", "shipment_confirmation"), run_day=D, day=day,
             now=START + timedelta(days=1, hours=1), tz="Europe/Berlin",
             enabled_despite_policy=("shipment_confirmation",))  # fmt: skip
    counts = render_and_lint(wh, account_id="de", locale="de-DE", seller_name="Werkzeug Schmidt")
    assert counts == {"ready": 1, "blocked": 1}
    with wh.cursor() as cur:
        cur.execute("SELECT kind, status, locale, subject, body, violation_codes, error FROM messaging.outbox ORDER BY kind")
        rows = {r[0]: r for r in cur.fetchall()}
    notice = rows["unavailability_notice"]
    assert notice[1] == "ready" and notice[2] == "de-DE"
    assert "302-0000000-0000001" in notice[3] + notice[4]
    assert "89,90" in notice[4] and "€" in notice[4]  # German money format, by Babel
    assert "{{ 7*7 }}" in notice[4] or "49" not in notice[4]  # product text is data, not template code
    confirmation = rows["shipment_confirmation"]
    assert confirmation[1] == "blocked"  # v0 has no carrier or tracking number: never sent half-empty
    assert confirmation[5] == ["missing_required_content"]
    assert "302-0000000-0000002" in confirmation[6] and "carrier" in confirmation[6]
    with wh.cursor() as cur:
        cur.execute("SELECT status, violation_codes FROM reporting.message_log WHERE kind = 'shipment_confirmation'")
        assert cur.fetchone() == ("blocked", ["missing_required_content"])
