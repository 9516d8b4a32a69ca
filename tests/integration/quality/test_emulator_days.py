"""Validation on the emulator's days: its malformed orders never reach staging (extraction
rejects them with the reason), its realistic orders and returns pass every suite, and rows made
bad on top of a day (a crafted day) are exactly the ones quarantined and left out of planning."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "extract"))
from extract_helpers import NOW, TIME_SCALE, US, caller, client, fast_polling  # noqa: E402

from buyer_messaging.extract.returns import extract_returns  # noqa: E402
from buyer_messaging.extract.source import load_orders, order_source  # noqa: E402
from buyer_messaging.plan.planner import plan_day  # noqa: E402
from buyer_messaging.quality.validate import validate_orders  # noqa: E402
from buyer_messaging.warehouse.connection import transaction  # noqa: E402

pytestmark = pytest.mark.integration

WINDOW = (datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC))
PLAN_DAYS = [datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=n) for n in range(30)]


def extract(wh, url: str, account_id: str) -> None:
    c = caller()
    source = order_source("v0", client("v0", url), c, account_id=account_id, page_size=50)
    load_orders(wh, source, c, account_id=account_id, window=WINDOW)
    extract_returns(wh, client("reports", url), c, account_id=account_id, window=WINDOW,
                    marketplace_id=US, polling=fast_polling())  # fmt: skip


def ids(wh, sql: str, *params) -> set[str]:
    with wh.cursor() as cur:
        cur.execute(sql, params)
        found = {r[0] for r in cur.fetchall()}
    wh.commit()
    return found


def validate(wh, dsn: str, account_id: str):
    return validate_orders(
        wh, account_id=account_id, window=WINDOW, run_day=NOW.date(), max_bad_share=0.5
    )


def planned(wh, account_id: str) -> set[tuple[str, str]]:
    for start in PLAN_DAYS:
        plan_day(wh, account_id=account_id, kinds=("review_request", "return_confirmation"), run_day=start.date(),
                 day=(start, start + timedelta(days=1)), now=start + timedelta(days=1),
                 enabled_despite_policy=("return_confirmation",))  # fmt: skip
    with wh.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id, kind FROM messaging.outbox WHERE account_id = %s",
            (account_id,),
        )
        found = set(cur.fetchall())
    wh.commit()
    return found


def test_emulator_days_malformed_orders_rejected_clean_data_passes_crafted_rows_quarantined(
    wh, fresh_warehouse, emulator_factory
):
    emu = emulator_factory(
        seed=11, orders_per_day=12, time_scale=TIME_SCALE, now=NOW, faults={"malformed_order": 0.2}
    )
    extract(wh, emu.url, "clean")
    extract(wh, emu.url, "crafted")
    # the malformed-order fault: unknown status, missing PurchaseDate, wrong currency; rejected by
    # extraction with the reason, so no suite ever sees them and nothing is planned from them
    rejected = ids(
        wh,
        "SELECT record_key FROM staging.rejected_records WHERE account_id = 'clean' AND source = 'orders'",
    )
    assert len(rejected) >= 10
    assert not rejected & ids(wh, "SELECT amazon_order_id FROM staging.orders")

    clean = validate(wh, fresh_warehouse, "clean")  # the emulator's realistic days pass every suite
    assert (clean.bad_rows, clean.bad_returns, clean.alerts) == ({}, {}, [])
    assert clean.rows_checked > 200 and clean.returns_checked >= 3
    expected = planned(wh, "clean")
    kinds = {kind for _, kind in expected}
    assert kinds == {"review_request", "return_confirmation"}

    # a crafted day: the same data with three orders made bad, each in a different table
    review = sorted(o for o, k in expected if k == "review_request")
    returned = sorted(o for o, k in expected if k == "return_confirmation")
    bad_total, bad_item, bad_refund = review[0], review[1], returned[0]
    with transaction(wh) as cur:
        cur.execute("UPDATE staging.orders SET order_total = -5 WHERE account_id = 'crafted' AND amazon_order_id = %s",
                    (bad_total,))  # fmt: skip
        cur.execute("UPDATE staging.order_items SET quantity_ordered = 0 WHERE account_id = 'crafted'"
                    " AND amazon_order_id = %s", (bad_item,))  # fmt: skip
        cur.execute("UPDATE staging.returns SET refunded_amount = order_amount + 1 WHERE account_id = 'crafted'"
                    " AND amazon_order_id = %s", (bad_refund,))  # fmt: skip
    crafted = validate(wh, fresh_warehouse, "crafted")
    assert crafted.bad_rows == {
        bad_total: "orders.expect_column_values_to_be_between(order_total)",
        bad_item: "order_items.expect_column_values_to_be_between(quantity_ordered)",
    }
    assert crafted.bad_returns == {
        bad_refund: "returns.expect_column_pair_values_a_to_be_greater_than_b(order_amount,refunded_amount)"
    }
    assert crafted.alerts == []
    # planning leaves out exactly the quarantined orders' messages, and plans everything else
    assert planned(wh, "crafted") == expected - {(bad_total, "review_request"), (bad_item, "review_request"),
                                                 (bad_refund, "return_confirmation")}  # fmt: skip
