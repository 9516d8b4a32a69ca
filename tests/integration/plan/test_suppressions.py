"""A buyer who asked not to be contacted gets critical messages only, from every order."""

from datetime import UTC, date, datetime, timedelta

import pytest

from buyer_messaging.cli import main
from buyer_messaging.extract import store as staging
from buyer_messaging.extract.parse import parse_order
from buyer_messaging.plan.planner import plan_day
from buyer_messaging.warehouse.connection import transaction

pytestmark = pytest.mark.integration
D = date(2026, 11, 20)
DAY = (datetime(2026, 11, 20, 8, tzinfo=UTC), datetime(2026, 11, 21, 8, tzinfo=UTC))
NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)


def order(order_id, buyer, status="Shipped"):
    iso = lambda m: m.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    edd = DAY[0] - timedelta(days=6)
    return parse_order(
        {
            "AmazonOrderId": order_id, "MarketplaceId": "ATVPDKIKX0DER", "OrderStatus": status,
            "PurchaseDate": iso(edd - timedelta(days=4)),
            "LastUpdateDate": iso(DAY[0] + timedelta(hours=2) if status == "Canceled" else edd - timedelta(days=3)),
            "EarliestDeliveryDate": iso(edd), "LatestDeliveryDate": iso(edd + timedelta(days=2)),
            "BuyerInfo": {"BuyerEmail": f"{buyer}@marketplace.amazon.com"},
        },
        "us",
    )  # fmt: skip


def plan(wh):
    return plan_day(
        wh, account_id="us", kinds=("review_request", "unavailability_notice"), run_day=D, day=DAY,
        now=NOW, tz="America/Los_Angeles",
    )  # fmt: skip


def outbox(wh):
    with wh.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id, kind, status, reason FROM messaging.outbox ORDER BY 1, 2"
        )
        return {(o, k): (s, r) for o, k, s, r in cur.fetchall()}


def test_a_suppressed_buyer_gets_only_critical_messages(wh, fresh_warehouse, capsys):
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "us", [
            order("111-0000000-0000001", "quiet"), order("111-0000000-0000002", "quiet"),
            order("111-0000000-0000003", "quiet", status="Canceled"), order("111-0000000-0000004", "chatty"),
        ], [])  # fmt: skip
    args = [
        "suppress",
        "--account",
        "us",
        "--order",
        "111-0000000-0000001",
        "--dsn",
        fresh_warehouse,
    ]
    assert main([*args, "--reason", "asked by e-mail not to be contacted"]) == 0
    assert "critical messages only" in capsys.readouterr().out

    plan(wh)
    got = outbox(wh)
    suppressed = ("skipped", "suppressed: asked by e-mail not to be contacted")
    # every order of that buyer, not only the one it was recorded from
    assert got[("111-0000000-0000001", "review_request")] == suppressed
    assert got[("111-0000000-0000002", "review_request")] == suppressed
    # a cancellation notice is critical (Amazon's unexpected-problem message): still planned
    assert got[("111-0000000-0000003", "unavailability_notice")] == ("planned", None)
    assert got[("111-0000000-0000004", "review_request")] == ("planned", None)

    main(["explain", "--account", "us", "--order", "111-0000000-0000002", "--dsn", fresh_warehouse])
    assert "review_request: skipped (due" in capsys.readouterr().out


def test_suppression_can_be_lifted_and_an_unknown_order_is_a_clear_error(
    wh, fresh_warehouse, capsys
):
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "us", [order("111-0000000-0000005", "back")], [])
    base = ["suppress", "--account", "us", "--dsn", fresh_warehouse]
    assert main([*base, "--order", "111-0000000-0000005"]) == 0
    assert main([*base, "--order", "111-0000000-0000005", "--remove"]) == 0
    assert "no longer suppressed" in capsys.readouterr().out
    plan(wh)
    assert outbox(wh)[("111-0000000-0000005", "review_request")] == ("planned", None)

    assert main([*base, "--order", "999-0000000-0000000"]) == 1
    assert "order 999-0000000-0000000: the order is not in staging" in capsys.readouterr().err
