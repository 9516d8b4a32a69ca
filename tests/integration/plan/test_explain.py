"""`buyer-messaging explain` tells a person why an order did or did not get each message."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from buyer_messaging.cli import main
from buyer_messaging.extract import store as staging
from buyer_messaging.extract.parse import parse_order
from buyer_messaging.plan.planner import plan_day
from buyer_messaging.warehouse.connection import transaction

pytestmark = pytest.mark.integration


def _order(order_id, edd, status="Shipped"):
    iso = lambda m: m.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    return parse_order(
        {
            "AmazonOrderId": order_id, "MarketplaceId": "ATVPDKIKX0DER", "OrderStatus": status,
            "PurchaseDate": iso(edd - timedelta(days=4)), "LastUpdateDate": iso(edd - timedelta(days=3)),
            "EarliestDeliveryDate": iso(edd), "LatestDeliveryDate": iso(edd + timedelta(days=2)),
        },
        "demo",
    )  # fmt: skip


def test_explain_names_the_rule_for_planned_and_unplanned_orders(wh, fresh_warehouse, capsys):
    now = datetime.now(UTC)
    with transaction(wh) as cur:
        staging.upsert_orders(cur, "demo", [_order("111-0000000-0000001", now - timedelta(days=8)),
                                            _order("111-0000000-0000002", now - timedelta(days=1)),
                                            _order("111-0000000-0000003", now - timedelta(days=8), "Canceled")], [])  # fmt: skip
    day_start = datetime(now.year, now.month, now.day, tzinfo=UTC)
    plan_day(wh, account_id="demo", kinds=("review_request",), run_day=day_start.date(),
             day=(day_start, day_start + timedelta(days=1)))  # fmt: skip

    assert (
        main(
            [
                "explain",
                "--account",
                "demo",
                "--order",
                "111-0000000-0000001",
                "--dsn",
                fresh_warehouse,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "- review_request: planned" in out
    assert json.loads(out[out.index("{") :])["messages"][0]["kind"] == "review_request"

    main(
        ["explain", "--account", "demo", "--order", "111-0000000-0000002", "--dsn", fresh_warehouse]
    )
    # due when Amazon's window opens (5 days after the earliest delivery date), in the account's day
    assert "- review_request: due " in (out := capsys.readouterr().out)
    assert "the run for that day will record it as planned" in out

    main(
        ["explain", "--account", "demo", "--order", "111-0000000-0000003", "--dsn", fresh_warehouse]
    )
    assert "order status is Canceled" in capsys.readouterr().out

    assert main(["explain", "--account", "demo", "--order", "nope", "--dsn", fresh_warehouse]) == 1
    assert "not in staging" in capsys.readouterr().out


def test_explain_says_why_a_returned_order_gets_no_review_request_and_no_confirmation_yet(
    wh, fresh_warehouse, capsys
):
    now = datetime.now(UTC)
    with transaction(wh) as cur:
        staging.upsert_orders(
            cur, "demo", [_order("111-0000000-0000004", now - timedelta(days=8))], []
        )
        cur.execute(
            "INSERT INTO staging.returns (account_id, amazon_order_id, return_key, line_key, order_date,"
            " return_request_date, return_quantity, refunded_amount, raw)"
            " VALUES ('demo', '111-0000000-0000004', 'rma', 'SKU', %s, %s, 1, NULL, '{}')",
            (now - timedelta(days=12), now - timedelta(days=2)),
        )
    main(
        ["explain", "--account", "demo", "--order", "111-0000000-0000004", "--dsn", fresh_warehouse]
    )
    out = capsys.readouterr().out
    assert "excluded: the order was returned" in out and "review_request: due " in out
    assert "return_confirmation: not planned — a returned item has not arrived back yet" in out


def test_explain_says_a_returned_order_without_its_order_row_is_not_missing_an_extraction(
    wh, fresh_warehouse, capsys
):
    now = datetime.now(UTC)
    with transaction(wh) as cur:
        cur.execute(
            "INSERT INTO staging.returns (account_id, amazon_order_id, return_key, line_key, order_date,"
            " return_request_date, return_quantity, refunded_amount, raw)"
            " VALUES ('demo', '111-0000000-0000009', 'rma', 'SKU', %s, %s, 1, 5, '{}')",
            (now - timedelta(days=70), now - timedelta(days=2)),
        )
    main(
        ["explain", "--account", "demo", "--order", "111-0000000-0000009", "--dsn", fresh_warehouse]
    )
    out = capsys.readouterr().out
    assert "not in staging, only its returns" in out and "not extracted yet" not in out
