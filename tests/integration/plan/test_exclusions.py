"""Exclusions as data (include/policies/exclusions.yaml): late shipments, products, per-order
do-not-contact and repeat buyers, each excluded order recorded as skipped with its reason, so
reporting shows eligible, excluded by reason, and the rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from buyer_messaging.config import ConfigError
from buyer_messaging.extract import store as staging
from buyer_messaging.extract.parse import parse_item, parse_order
from buyer_messaging.extract.returns_store import replace_shipments
from buyer_messaging.plan.planner import plan_day
from buyer_messaging.policies import Exclusions, load_exclusions
from buyer_messaging.warehouse.connection import transaction

pytestmark = pytest.mark.integration
DAY = (datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC))
NOW = DAY[1] + timedelta(hours=1)
EDD = DAY[0] - timedelta(days=6)  # review requests due on DAY
LSD = EDD - timedelta(days=3)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def order(order_id, *, shipped=LSD - timedelta(hours=5), channel="MFN", buyer=None, asin="B0OK000001",
          sku="OK", purchased=LSD - timedelta(days=2)):  # fmt: skip
    """A shipped v0 order (ordersV0.json); v0 has no ship time: its last update is the shipping."""
    raw = {
        "AmazonOrderId": order_id, "MarketplaceId": "ATVPDKIKX0DER", "OrderStatus": "Shipped",
        "FulfillmentChannel": channel, "PurchaseDate": iso(purchased), "LastUpdateDate": iso(shipped),
        "LatestShipDate": iso(LSD), "EarliestDeliveryDate": iso(EDD), "LatestDeliveryDate": iso(EDD + timedelta(days=2)),
        "BuyerInfo": {"BuyerEmail": f"{buyer or order_id}@marketplace.amazon.com"},
    }  # fmt: skip
    item = {
        "OrderItemId": "1",
        "ASIN": asin,
        "SellerSKU": sku,
        "Title": "Thing",
        "QuantityOrdered": 1,
    }
    return parse_order(raw, "us", salt="s"), parse_item(item, "us", order_id)


def test_each_exclusion_is_recorded_with_its_reason(wh):
    orders = [
        order("111-0000000-0000001"),  # eligible
        order("111-0000000-0000002", shipped=LSD + timedelta(hours=3)),  # late (v0: last update)
        order("111-0000000-0000003", shipped=LSD + timedelta(hours=3), channel="AFN"),  # Amazon's
        order("111-0000000-0000004"),  # late by its package (2026-01-01 shipments)
        order("111-0000000-0000005", asin="B0NOPE0001"),
        order("111-0000000-0000006", sku="NOPE-SKU"),
        order("111-0000000-0000007"),  # do not contact
        order("111-0000000-0000008", buyer="loyal", purchased=LSD - timedelta(days=40)),
        order("111-0000000-0000009", buyer="loyal"),  # the same buyer again: a repeat buyer
    ]
    package = {
        "account_id": "us", "amazon_order_id": "111-0000000-0000004", "package_reference_id": "1",
        "carrier": "UPS", "tracking_number": "1Z999", "shipping_service": None,
        "ship_date": LSD + timedelta(days=1), "package_created_at": LSD, "package_status": "DELIVERED",
        "package_detailed_status": None, "estimated_delivery_start": None, "estimated_delivery_end": None,
        "items": [], "raw": {},
    }  # fmt: skip
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "us", [o for o, _ in orders], [i for _, i in orders])
        replace_shipments(cur, "us", ["111-0000000-0000004"], [package])
    exclusions = Exclusions.model_validate({
        "late_shipment": {"kinds": ["review_request"]},
        "products": {"asins": ["B0NOPE0001"], "skus": ["NOPE-SKU"], "kinds": ["review_request"]},
        "do_not_contact": {"orders": ["111-0000000-0000007"], "kinds": ["review_request"]},
        "repeat_buyers": {"kinds": ["review_request"], "within_days": 60},
    })  # fmt: skip
    plan_day(wh, account_id="us", kinds=("review_request",), run_day=DAY[0].date(), day=DAY, now=NOW,
             exclusions=exclusions)  # fmt: skip
    with wh.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id, status, error FROM reporting.message_log"
            " WHERE kind = 'review_request' ORDER BY 1"
        )
        got = {o[-1]: (s, e) for o, s, e in cur.fetchall()}
    late = ("skipped", "excluded: shipped late, after its latest ship date 2026-11-11")
    assert got == {
        "1": ("planned", None),
        "2": late,
        "3": ("planned", None),
        "4": late,
        "5": ("skipped", "excluded: a product of the order is on the exclude list"),
        "6": ("skipped", "excluded: a product of the order is on the exclude list"),
        "7": ("skipped", "excluded: the order is on the do-not-contact list"),
        "8": ("planned", None),
        "9": ("skipped", "excluded: repeat buyer (an earlier order within 60 days)"),
    }
    # reporting: eligible, excluded by reason, planned
    with wh.cursor() as cur:
        cur.execute(
            "SELECT coalesce(error, status), count(*) FROM reporting.message_log"
            " WHERE kind = 'review_request' GROUP BY 1 ORDER BY 1"
        )
        assert (
            dict(cur.fetchall())["excluded: shipped late, after its latest ship date 2026-11-11"]
            == 2
        )


def test_the_shipped_file_excludes_late_shipments_from_review_requests_only():
    shipped = load_exclusions()
    assert shipped.params("review_request")["excl_late"] is True
    assert shipped.params("product_info")["excl_late"] is False
    assert shipped.params("unavailability_notice") == {
        "excl_late": False, "excl_asins": [], "excl_skus": [], "excl_orders": [], "excl_repeat_days": 0,
    }  # fmt: skip


def test_an_unknown_kind_or_key_is_an_error_naming_the_file(tmp_path: Path):
    (tmp_path / "exclusions.yaml").write_text("late_shipment: {kinds: [review_requests]}\n")
    with pytest.raises(
        ConfigError, match="exclusions.yaml: late_shipment.kinds: unknown kind review_requests"
    ):
        load_exclusions(tmp_path)
    (tmp_path / "exclusions.yaml").write_text("products: {asin: [B0X]}\n")
    with pytest.raises(ConfigError, match="exclusions.yaml: products.asin"):
        load_exclusions(tmp_path)
