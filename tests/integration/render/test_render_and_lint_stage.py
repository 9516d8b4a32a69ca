"""render_and_lint over planned outbox rows: text in the buyer's language, verdicts recorded."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from buyer_messaging.compose.stage import render_and_lint
from buyer_messaging.extract import store as staging
from buyer_messaging.extract.parse import parse_item, parse_order
from buyer_messaging.plan.planner import plan_day
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
    item = {
        "OrderItemId": f"{order_id}-1",
        "ASIN": "B000TEST01",
        "SellerSKU": "SKU-1",
        "Title": title,
        "QuantityOrdered": 2,
    }
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
        cur.execute(
            "SELECT kind, status, locale, subject, body, violation_codes, error FROM messaging.outbox ORDER BY kind"
        )
        rows = {r[0]: r for r in cur.fetchall()}
    notice = rows["unavailability_notice"]
    assert notice[1] == "ready" and notice[2] == "de-DE"
    assert "302-0000000-0000001" in notice[3] + notice[4]
    assert "89,90" in notice[4] and "€" in notice[4]  # German money format, by Babel
    assert (
        "{{ 7*7 }}" in notice[4] or "49" not in notice[4]
    )  # product text is data, not template code
    confirmation = rows["shipment_confirmation"]
    assert (
        confirmation[1] == "blocked"
    )  # v0 has no carrier or tracking number: never sent half-empty
    assert confirmation[5] == ["missing_required_content"]
    assert "302-0000000-0000002" in confirmation[6] and "carrier" in confirmation[6]
    with wh.cursor() as cur:
        cur.execute(
            "SELECT status, violation_codes FROM reporting.message_log WHERE kind = 'shipment_confirmation'"
        )
        assert cur.fetchone() == ("blocked", ["missing_required_content"])


def planned(cur, order_id, kind):
    cur.execute(
        "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind, channel, status,"
        " planned_for, due_on, send_before) VALUES ('de', 'A1PA6795UKMFR9', %s, %s, 'email_relay', 'planned',"
        " %s, %s, %s)",
        (order_id, kind, D, D, START + timedelta(days=3)),
    )


def test_a_shipment_confirmation_quotes_the_packages_carrier_and_tracking(wh):
    from buyer_messaging.extract.returns_store import replace_shipments

    shipped, item = order("302-0000000-0000003", "Shipped", START + timedelta(hours=10))
    package = {
        "account_id": "de", "amazon_order_id": shipped["amazon_order_id"], "package_reference_id": "1",
        "carrier": "DHL", "tracking_number": "00340434161094042557", "shipping_service": "Paket",
        "ship_date": START + timedelta(hours=10), "package_created_at": START, "package_status": "SHIPPED",
        "package_detailed_status": None, "estimated_delivery_start": START + timedelta(days=1),
        "estimated_delivery_end": START + timedelta(days=2, hours=12), "items": [], "raw": {},
    }  # fmt: skip
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "de", [shipped], [item])
        replace_shipments(cur, "de", [shipped["amazon_order_id"]], [package])
        planned(cur, shipped["amazon_order_id"], "shipment_confirmation")
    # the address as render.address.address_lines prints it (its emulator test fetches it)
    address = ["Max Mustermann", "Hauptstraße 5", "10115 Berlin"]
    assert render_and_lint(wh, account_id="de", locale="de-DE", addresses=lambda oid: address) == {
        "ready": 1
    }
    with wh.cursor() as cur:
        cur.execute("SELECT body FROM messaging.outbox")
        (body,) = cur.fetchone()
    assert "DHL" in body and "00340434161094042557" in body
    assert "Max Mustermann\nHauptstraße 5\n10115 Berlin" in body
    assert "22. November 2026" in body  # the package's estimated delivery, in German


def return_row(order_id, rma, sku, title, quantity, refunded, delivered):
    from buyer_messaging.extract.returns import parse_return

    return parse_return(
        {
            "order-id": order_id, "order-date": "2026-11-01T10:00:00+00:00", "amazon-rma-id": rma,
            "return-request-date": "2026-11-12T09:00:00+00:00", "return-request-status": "Approved",
            "return-delivery-date": delivered, "merchant-sku": sku, "asin": "B000TEST01", "item-name": title,
            "return-quantity": str(quantity), "currency-code": "EUR", "order-amount": "89.90",
            "order-quantity": "2", "refunded-amount": refunded,
        },
        "de",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("refunds", "status"),
    [(("29.95", "15.00"), "ready"), (("", ""), "blocked")],
    ids=["refunded", "not-refunded-yet"],
)
def test_a_return_confirmation_lists_what_came_back_and_the_refund(wh, refunds, status):
    from buyer_messaging.extract.returns_store import upsert_returns

    shipped, item = order("302-0000000-0000004", "Shipped", START - timedelta(days=12))
    oid = shipped["amazon_order_id"]
    lines = [
        return_row(
            oid,
            "DkRMA1",
            "SKU-1",
            "Akku-Bohrschrauber 18 V",
            1,
            refunds[0],
            "2026-11-19T15:00:00+00:00",
        ),
        return_row(
            oid, "DkRMA2", "SKU-2", "Bit-Set 32-teilig", 1, refunds[1], "2026-11-20T08:00:00+00:00"
        ),
    ]
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "de", [shipped], [item])
        upsert_returns(cur, lines)
        planned(cur, oid, "return_confirmation")
    assert +render_and_lint(wh, account_id="de", locale="de-DE") == {status: 1}
    with wh.cursor() as cur:
        cur.execute("SELECT body, violation_codes, error FROM messaging.outbox")
        body, codes, error = cur.fetchone()
    if status == "ready":
        assert "Akku-Bohrschrauber 18 V" in body and "Bit-Set 32-teilig" in body
        assert "44,95" in body and "€" in body  # both lines' refunds, in German money format
        assert "20. November 2026" in body  # the day the last return arrived
    else:  # no refund recorded yet: blocked, never sent saying nothing or 0
        assert codes == ["missing_required_content"] and "refund_amount" in error


@pytest.mark.parametrize(("asin", "status"), [("B028C4F69A", "ready"), ("B000NOTEXT", "blocked")])
def test_product_info_says_the_sellers_text_for_the_asin_in_the_buyers_language(wh, asin, status):
    shipped, _ = order("302-0000000-0000005", "Shipped", START - timedelta(days=5))
    item = parse_item({"OrderItemId": "1", "ASIN": asin, "SellerSKU": "BRETT", "Title": "Bambus-Brettchen",
                       "QuantityOrdered": 1}, "de", shipped["amazon_order_id"])  # fmt: skip
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "de", [shipped], [item])
        planned(cur, shipped["amazon_order_id"], "product_info")
    assert +render_and_lint(wh, account_id="de", locale="de-DE") == {status: 1}
    with wh.cursor() as cur:
        cur.execute("SELECT body, error FROM messaging.outbox")
        body, error = cur.fetchone()
    if status == "ready":  # include/policies/product_info.yaml's German text, linted clean
        assert "Vor dem ersten Gebrauch" in body and "Bambus-Brettchen" in body
    else:  # no text configured for it: never sent empty or in another language
        assert "product_info" in error


def test_the_rendered_facts_are_read_as_data(wh):
    """A product called "... 5* Bewertung" is the order's data, not a review ask: render_and_lint
    passes the titles it rendered to the linter (without them the same text is blocked)."""
    from buyer_messaging.lint import lint_message, load_rules

    title = "Bohrer-Set 5* Bewertung"
    cancelled, item = order("302-0000000-0000003", "Canceled", START + timedelta(hours=9), title)
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "de", [cancelled], [item])
    day = (START, START + timedelta(days=1))
    plan_day(wh, account_id="de", kinds=("unavailability_notice",), run_day=D, day=day,
             now=START + timedelta(days=1, hours=1), tz="Europe/Berlin")  # fmt: skip
    counts = render_and_lint(wh, account_id="de", locale="de-DE", seller_name="Werkzeug Schmidt")
    assert counts == {"ready": 1}
    with wh.cursor() as cur:
        cur.execute(
            "SELECT subject, body FROM messaging.outbox WHERE kind = 'unavailability_notice'"
        )
        subject, body = cur.fetchone()
    assert title in body
    bare = lint_message(load_rules(), kind="unavailability_notice", locale="de-DE", subject=subject,
                        body=body, order_id="302-0000000-0000003")  # fmt: skip
    assert bare.blocked  # the test would prove nothing if the title alone passed


def _five_unavailability_notices(wh):
    orders, items = [], []
    for n in range(1, 6):
        o, i = order(f"302-0000000-000001{n}", "Canceled", START + timedelta(hours=n))
        orders.append(o)
        items.append(i)
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "de", orders, items)
        for o in orders:
            planned(cur, o["amazon_order_id"], "unavailability_notice")


def _statuses(wh):
    with wh.cursor() as cur:
        cur.execute("SELECT status FROM messaging.outbox ORDER BY id")
        found = [r[0] for r in cur.fetchall()]
    wh.commit()
    return found


def test_the_stage_streams_in_chunks_and_a_crash_leaves_the_rest_planned(wh, monkeypatch):
    """Chunks of 2 over 5 messages: a crash while preparing the 4th leaves the first chunk
    ready (committed) and the rest planned; the re-run prepares only those."""
    import buyer_messaging.lint as lint_module

    _five_unavailability_notices(wh)
    real = lint_module.lint_message
    linted = []

    def dies_at_the_fourth(rules, **kwargs):
        linted.append(kwargs["order_id"])
        if len(linted) == 4:
            raise RuntimeError("worker died")
        return real(rules, **kwargs)

    monkeypatch.setattr(lint_module, "lint_message", dies_at_the_fourth)
    with pytest.raises(RuntimeError, match="worker died"):
        render_and_lint(wh, account_id="de", locale="de-DE", chunk_rows=2)
    wh.rollback()
    assert _statuses(wh) == ["ready", "ready", "planned", "planned", "planned"]
    linted.clear()
    counts = render_and_lint(wh, account_id="de", locale="de-DE", chunk_rows=2)
    assert counts == {"ready": 3}
    assert len(linted) == 3  # only the rows the crash left planned
    assert _statuses(wh) == ["ready"] * 5


def test_chunked_and_whole_runs_write_the_same_texts(wh):
    _five_unavailability_notices(wh)
    counts = render_and_lint(wh, account_id="de", locale="de-DE", chunk_rows=2)
    assert counts == {"ready": 5}
    with wh.cursor() as cur:
        cur.execute("SELECT subject, body FROM messaging.outbox ORDER BY id")
        chunked = cur.fetchall()
        cur.execute("UPDATE messaging.outbox SET status = 'planned', subject = NULL, body = NULL")
    wh.commit()
    assert render_and_lint(wh, account_id="de", locale="de-DE", chunk_rows=1000) == {"ready": 5}
    with wh.cursor() as cur:
        cur.execute("SELECT subject, body FROM messaging.outbox ORDER BY id")
        assert cur.fetchall() == chunked
    wh.commit()
