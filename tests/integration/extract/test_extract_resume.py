"""Orders extraction that fits Amazon's budget: pages committed with a checkpoint (a killed run
resumes where it stopped), items fetched only for the orders whose messages need them, and by
the all-orders report when getOrderItems cannot keep up (issue #21)."""

from __future__ import annotations

import logging

import pytest
from extract_helpers import (
    NOW,
    ORDERS_WINDOW,
    TIME_SCALE,
    CrashAfter,
    InjectedCrash,
    caller,
    client,
    days,
    fast_polling,
    rows,
    staging_hashes,
)

from buyer_messaging.extract.items import BATCH, EVERY_ORDER, ItemsNeed, ItemsPlan
from buyer_messaging.extract.source import load_orders, order_source

pytestmark = pytest.mark.integration

TABLES = ("orders", "items", "rejected")


@pytest.fixture
def server(emulator_factory):
    return emulator_factory(seed=11, orders_per_day=40, time_scale=TIME_SCALE, now=NOW)


def _run(wh, url, account, *, orders_client=None, plan=None, c=None, window=ORDERS_WINDOW):
    c = c or caller()
    source = order_source(
        "v0", orders_client or client("v0", url), c, account_id=account, page_size=10,
        with_items=False,
    )  # fmt: skip
    plan = plan or ItemsPlan(need=EVERY_ORDER, setting="orders_api")
    stats = load_orders(wh, source, c, account_id=account, window=window, items=plan)
    return stats, c


def _calls(c) -> int:
    return sum(c.calls[op] for op in ("getOrders", "getOrderItems"))


@pytest.mark.parametrize("method, after", [("get_orders", 3), ("get_order_items", 40)])
def test_a_killed_run_resumes_and_leaves_staging_as_a_clean_run(wh, server, method, after):
    _, clean = _run(wh, server.url, "acct_clean")
    expected = staging_hashes(wh, "acct_clean", TABLES)
    assert expected["items"][0] > 50

    crashing = CrashAfter(client("v0", server.url), method, after)
    with pytest.raises(InjectedCrash):
        _run(wh, server.url, "acct_killed", orders_client=crashing)
    assert crashing.crashed
    saved = rows(wh, "SELECT count(*) AS n FROM staging.orders WHERE account_id = 'acct_killed'")
    assert saved[0]["n"] >= 20  # the pages before the crash are in, not lost with it
    checkpoint = rows(
        wh, "SELECT pages, next_token FROM staging.extract_checkpoints WHERE account_id = %s",
        "acct_killed",
    )  # fmt: skip
    assert len(checkpoint) == 1 and checkpoint[0]["pages"] >= 3

    lacking = rows(
        wh,
        "SELECT count(*) AS n FROM staging.orders WHERE account_id = 'acct_killed'"
        " AND items_as_of IS DISTINCT FROM last_update_date",
    )[0]["n"]
    stats, resumed = _run(wh, server.url, "acct_killed")
    assert staging_hashes(wh, "acct_killed", TABLES) == expected
    assert _calls(resumed) < _calls(clean)
    if method == "get_orders":
        assert resumed.calls["getOrders"] < clean.calls["getOrders"]
    else:  # paging was done: only the items not committed before the crash are fetched again
        assert resumed.calls["getOrders"] == 0
        assert 0 < lacking <= expected["orders"][0] - BATCH  # the first batch was committed
        answered = resumed.calls["getOrderItems"] - resumed.throttled["getOrderItems"]
        assert lacking <= answered < clean.calls["getOrderItems"] - clean.throttled["getOrderItems"]
    assert not rows(
        wh, "SELECT * FROM staging.extract_checkpoints WHERE account_id = 'acct_killed'"
    )
    run = rows(
        wh, "SELECT records, pages FROM staging.extract_runs WHERE account_id = 'acct_killed'"
    )
    assert run == [{"records": expected["orders"][0], "pages": clean.calls["getOrders"]}]
    assert stats.orders < expected["orders"][0] or method == "get_order_items"


def test_a_later_run_finishes_the_stopped_window_then_extracts_its_own(wh, server):
    """The next run starts at the same watermark with a later end: the checkpoint's NextToken
    holds the stopped run's query, so that window is finished first, then the rest."""
    _run(wh, server.url, "acct_whole")
    start, end = ORDERS_WINDOW
    crashing = CrashAfter(client("v0", server.url), "get_orders", 2)
    with pytest.raises(InjectedCrash):
        _run(wh, server.url, "acct_later", orders_client=crashing, window=(start, end - days(1)))
    stats, _ = _run(wh, server.url, "acct_later")
    assert stats.window_end == end
    assert staging_hashes(wh, "acct_later", TABLES) == staging_hashes(wh, "acct_whole", TABLES)
    windows = rows(
        wh,
        "SELECT window_start, window_end FROM staging.extract_runs WHERE account_id = 'acct_later'"
        " ORDER BY 1",
    )
    assert [(w["window_start"], w["window_end"]) for w in windows] == [
        (start, end - days(1)), (end - days(1), end),
    ]  # fmt: skip


def test_a_rerun_of_a_finished_window_fetches_no_items_again(wh, server):
    _run(wh, server.url, "acct_twice")
    before = staging_hashes(wh, "acct_twice", TABLES)
    _, again = _run(wh, server.url, "acct_twice")
    assert again.calls["getOrderItems"] == 0 and again.calls["getOrders"] > 0
    assert staging_hashes(wh, "acct_twice", TABLES) == before


def test_items_only_for_the_orders_whose_messages_need_them(wh, server):
    # review requests only: not one getOrderItems call
    stats, c = _run(wh, server.url, "acct_reviews", plan=ItemsPlan(need=ItemsNeed()))
    assert stats.orders > 50 and c.calls["getOrderItems"] == 0
    assert not rows(wh, "SELECT 1 FROM staging.order_items WHERE account_id = 'acct_reviews'")

    # shipment confirmations: shipped merchant-fulfilled orders only
    need = ItemsNeed(merchant_shipped=True)
    _, c = _run(wh, server.url, "acct_ship", plan=ItemsPlan(need=need))
    wanted = rows(
        wh,
        "SELECT amazon_order_id FROM staging.orders WHERE account_id = 'acct_ship'"
        " AND fulfillment_channel = 'MFN' AND order_status IN ('Shipped', 'PartiallyShipped')",
    )
    with_items = rows(
        wh,
        "SELECT DISTINCT amazon_order_id FROM staging.order_items WHERE account_id = 'acct_ship'",
    )
    assert 0 < len(wanted) < stats.orders
    # one call per wanted order; a call answered 429 or retried (a loaded machine falls behind
    # the time-scaled bucket) is the same order's call again
    again = c.throttled["getOrderItems"] + c.retries["getOrderItems"]
    assert c.calls["getOrderItems"] - again == len(wanted)
    assert sorted(r["amazon_order_id"] for r in with_items) == sorted(
        r["amazon_order_id"] for r in wanted
    )


ITEM_FACTS = """
SELECT amazon_order_id, asin, seller_sku, title, quantity_ordered, quantity_shipped, item_price,
       currency
FROM staging.order_items WHERE account_id = %s ORDER BY 1, 2, 3
"""


class _Said(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_past_the_budget_the_all_orders_report_brings_the_same_items(wh, emulator_factory):
    # seed 1: the window holds a merchant-fulfilled order shipped without a line it cancelled
    server = emulator_factory(seed=1, orders_per_day=40, time_scale=TIME_SCALE, now=NOW)
    _run(wh, server.url, "acct_calls")
    plan = ItemsPlan(
        need=EVERY_ORDER, setting="auto", reports_client=client("reports", server.url),
        marketplace_id="ATVPDKIKX0DER", polling=fast_polling(), budget=20,
    )  # fmt: skip
    said, logger = _Said(), logging.getLogger("buyer_messaging.extract.items")
    logger.addHandler(said)
    logger.setLevel(logging.INFO)
    try:
        stats, c = _run(wh, server.url, "acct_report", plan=plan)
    finally:
        logger.removeHandler(said)
    assert stats.items_source == "report" and c.calls["getOrderItems"] == 0
    assert c.calls["createReport"] == 1
    # the choice is logged with the volume and the budget it was made from
    assert any(
        "need them" in line and "allows 20 calls" in line and "all-orders report" in line
        for line in said.lines
    )
    assert rows(wh, ITEM_FACTS, "acct_report") == rows(wh, ITEM_FACTS, "acct_calls")
    # a line cancelled inside an order that shipped counts as cancelled (v0 alone cannot say)
    partial = rows(
        wh,
        "SELECT c.amazon_order_id FROM staging.order_item_cancellations c"
        " JOIN staging.orders o USING (account_id, amazon_order_id)"
        " WHERE c.account_id = 'acct_report' AND c.quantity_cancelled > 0"
        " AND o.order_status <> 'Canceled'",
    )
    assert partial
    # a re-run finds every order's items current: no getOrderItems, no document downloaded (the
    # report is requested before paging, as the last run loaded more orders than the budget)
    _, again = _run(wh, server.url, "acct_report", plan=plan)
    assert again.calls["getOrderItems"] == 0 and again.calls["getReportDocument"] == 0
    assert again.calls["createReport"] == 1


def test_a_busy_account_requests_the_report_before_paging(wh, emulator_factory):
    """Its last run loaded more orders than getOrderItems' budget: the report is requested
    first, so Amazon builds it while getOrders pages."""
    server = emulator_factory(seed=1, orders_per_day=40, time_scale=TIME_SCALE, now=NOW)
    reports = client("reports", server.url)
    plan = ItemsPlan(
        need=EVERY_ORDER, reports_client=reports, marketplace_id="ATVPDKIKX0DER",
        polling=fast_polling(), budget=10_000,
    )  # fmt: skip
    first, c = _run(wh, server.url, "acct_busy", plan=plan)  # no history: per order
    assert first.items_source == "orders_api" and c.calls["createReport"] == 0
    before = staging_hashes(wh, "acct_busy", TABLES)
    with wh.cursor() as cur:  # its orders now need items again, and the budget is smaller
        cur.execute("UPDATE staging.orders SET items_as_of = NULL WHERE account_id = 'acct_busy'")
    wh.commit()
    seen: list[str] = []

    class Watched:
        def __getattr__(self, name):
            seen.append(name)
            return getattr(reports, name)

    orders = client("v0", server.url)

    class WatchedOrders:
        def __getattr__(self, name):
            seen.append(name)
            return getattr(orders, name)

    plan = ItemsPlan(
        need=EVERY_ORDER, reports_client=Watched(), marketplace_id="ATVPDKIKX0DER",
        polling=fast_polling(), budget=first.orders - 1,
    )  # fmt: skip
    second, c = _run(wh, server.url, "acct_busy", plan=plan, orders_client=WatchedOrders())
    assert second.items_source == "report" and c.calls["createReport"] == 1
    assert seen.index("create_report") < seen.index("get_orders")
    assert not plan.pending  # used, not left behind
    assert c.calls["getOrderItems"] == 0
    items_then = before["items"]
    assert staging_hashes(wh, "acct_busy", ("items",))["items"][0] == items_then[0]
