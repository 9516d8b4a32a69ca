"""Orders at volume from the all-orders report first, then the listing (issue #21 item 1):
the report's orders and items, what it lacks left to the listing (list_order_details, beside
the pipeline, merchant-fulfilled orders first) and never overwritten with NULL, the choice from
the account's history, and a run killed during the report's load.

The report's form: ../shared/amazon-report-formats.md, GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from extract_helpers import (
    ORDERS_WINDOW,
    TIME_SCALE,
    US,
    InjectedCrash,
    caller,
    client,
    days,
    fast_polling,
    rows,
    staging_hashes,
)

from buyer_messaging.extract.items import EVERY_ORDER, ItemsPlan
from buyer_messaging.extract.report_first import OrdersPlan, listing_capacity
from buyer_messaging.extract.source import list_order_details, load_orders, order_source

pytestmark = pytest.mark.integration

TABLES = ("orders", "items", "rejected")
# what the Orders API listing alone brings (the report carries none of it)
LATER = (ORDERS_WINDOW[1], ORDERS_WINDOW[1] + timedelta(hours=6))  # the next run's window
LISTING_ONLY = (
    "buyer_hash", "earliest_delivery_date", "latest_delivery_date", "latest_ship_date", "is_prime",
)  # fmt: skip


@pytest.fixture
def server(emulator_factory):
    from extract_helpers import NOW

    return emulator_factory(seed=11, orders_per_day=40, time_scale=TIME_SCALE, now=NOW)


def _plan(url: str, *, setting: str = "report", budget_s: float = 3600.0, **kw: Any) -> OrdersPlan:
    return OrdersPlan(
        setting=setting, reports_client=client("reports", url), marketplace_id=US,
        polling=fast_polling(), listing_budget_s=budget_s, **kw,
    )  # fmt: skip


def _source(api: str, url: str, c: Any, account: str) -> Any:
    return order_source(
        api, client(api, url), c, account_id=account, page_size=10, with_items=False,
        marketplace_id=US,
    )  # fmt: skip


def _run(wh, url, account, *, orders=None, conn=None, window=ORDERS_WINDOW, api="v0"):
    c = caller()
    source = _source(api, url, c, account)
    stats = load_orders(
        conn or wh, source, c, account_id=account, window=window,
        items=ItemsPlan(need=EVERY_ORDER, setting="orders_api"), orders=orders,
    )  # fmt: skip
    return stats, c


def _list(
    wh, url, account, *, until: float = 1.0, clock=lambda: 0.0, conn=None, api="v0",
    cancellations_since=None,
):  # fmt: skip
    """list_order_details until `until` on `clock` (by default: until every window is listed)."""
    c = caller()
    source = _source(api, url, c, account)
    stats = list_order_details(
        conn or wh, source, c, account_id=account, until=until, clock=clock,
        items=ItemsPlan(need=EVERY_ORDER, setting="orders_api"),
        cancellations_since=cancellations_since,
    )  # fmt: skip
    return stats, c


def _details(wh, account: str) -> dict[str, int]:
    got = rows(
        wh,
        "SELECT details_from, count(*) AS n FROM staging.orders WHERE account_id = %s GROUP BY 1",
        account,
    )
    return {r["details_from"]: r["n"] for r in got}


def _created(wh, account: str) -> list[dict[str, Any]]:
    """The details listing's creation windows, oldest first; `done`: both passes listed."""
    return rows(
        wh,
        "SELECT window_start, window_end, next_token, channel, pass_started,"
        " channel = 'AFN' AND pass_started AND next_token IS NULL AS done"
        " FROM staging.extract_checkpoints WHERE account_id = %s AND listed_by = 'created'"
        " ORDER BY window_start",
        account,
    )


ORDER_FACTS = """
SELECT amazon_order_id, marketplace_id, order_status, fulfillment_channel, purchase_date,
       last_update_date, items_as_of = last_update_date AS items_current
FROM staging.orders WHERE account_id = %s ORDER BY 1
"""
ITEM_FACTS = """
SELECT amazon_order_id, asin, seller_sku, title, quantity_ordered, item_price, currency
FROM staging.order_items WHERE account_id = %s ORDER BY 1, 2, 3
"""


def test_the_report_brings_the_windows_orders_and_items_and_the_listing_their_details(wh, server):
    _run(wh, server.url, "acct_listed")  # the listing alone: the reference
    # no listing in extract_orders on this path: staging holds what the report gave
    stats, c = _run(wh, server.url, "acct_report", orders=_plan(server.url, budget_s=0))
    assert stats.path == "report" and not stats.stopped
    assert c.calls["createReport"] == 1 and c.calls["getOrders"] == 0
    assert c.calls["getOrderItems"] == 0
    assert stats.report_orders > 50 and stats.details_left == stats.report_orders
    assert _details(wh, "acct_report") == {"report": stats.report_orders}
    # the same orders, statuses and channels in the Orders API's words, and the same items
    assert rows(wh, ORDER_FACTS, "acct_report") == rows(wh, ORDER_FACTS, "acct_listed")
    assert rows(wh, ITEM_FACTS, "acct_report") == rows(wh, ITEM_FACTS, "acct_listed")
    missing = rows(
        wh,
        f"SELECT count(*) AS n FROM staging.orders WHERE account_id = 'acct_report'"
        f" AND num_nonnulls({', '.join(LISTING_ONLY)}) > 0",
    )
    assert missing == [{"n": 0}]
    # the window is recorded (the watermark moves on); its listing is list_order_details'
    run = rows(wh, "SELECT records FROM staging.extract_runs WHERE account_id = 'acct_report'")
    assert run == [{"records": stats.report_orders}]
    assert not rows(
        wh, "SELECT 1 FROM staging.extract_checkpoints WHERE account_id = 'acct_report'"
    )
    assert not rows(
        wh, "SELECT 1 FROM staging.extract_report_checkpoints WHERE account_id = 'acct_report'"
    )

    # a deadline already passed: not a page
    stopped, c = _list(wh, server.url, "acct_report", until=0.0)
    assert stopped.stopped and c.calls["getOrders"] == 0
    # list_order_details, beside the pipeline, lists it: every order's details then equal the
    # listing's, and the report's items are not fetched again
    stats, c = _list(wh, server.url, "acct_report")
    assert c.calls["getOrders"] > 0 and c.calls["getOrderItems"] == 0
    assert not stats.stopped and stats.details_left == 0
    staged = rows(wh, "SELECT count(*) AS n FROM staging.orders WHERE account_id = 'acct_report'")
    assert _details(wh, "acct_report") == {"orders_api": staged[0]["n"]}
    # by creation time each order is listed once: every order it saw is staged, none twice
    assert stats.orders == staged[0]["n"] and stats.rejected == 0
    windows = _created(wh, "acct_report")
    assert len(windows) > 1 and all(w["done"] for w in windows)  # a day each, listed
    # one page per channel pass of a day beyond full ones: the orders the pages held
    assert c.calls["getOrders"] <= stats.orders // 10 + 2 * len(windows)
    # listed and nothing new: the next run lists nothing
    again, c = _list(wh, server.url, "acct_report")
    assert c.calls["getOrders"] == 0 and again.orders == 0 and again.details_left == 0
    compared = (
        f"SELECT amazon_order_id, order_status, {', '.join(LISTING_ONLY)}, raw"
        " FROM staging.orders WHERE account_id = %s AND last_update_date >= %s"
        " AND last_update_date < %s ORDER BY 1"
    )  # the listing by creation time stages too the orders of those days updated since, or before
    assert rows(wh, compared, "acct_report", *ORDERS_WINDOW) == rows(
        wh, compared, "acct_listed", *ORDERS_WINDOW
    )


def test_an_older_report_with_url_is_read_by_name(wh, server):
    _run(wh, server.url, "acct_current", orders=_plan(server.url, budget_s=0))
    server.emulator.all_orders_with_url = True
    stats, _ = _run(wh, server.url, "acct_older", orders=_plan(server.url, budget_s=0))
    assert stats.report_orders > 50 and stats.rejected == 0
    assert rows(wh, ORDER_FACTS, "acct_older") == rows(wh, ORDER_FACTS, "acct_current")
    assert rows(wh, ITEM_FACTS, "acct_older") == rows(wh, ITEM_FACTS, "acct_current")


def test_the_report_never_overwrites_what_the_listing_stored(wh, server):
    from extract_helpers import NOW

    # listed a day earlier; by the report, many of those orders have shipped or been delivered
    server.emulator.set_now(ORDERS_WINDOW[1] + timedelta(minutes=10))
    _run(wh, server.url, "acct_both")
    kept = f"amazon_order_id, {', '.join(LISTING_ONLY)}, raw, details_from"
    listed = f"SELECT {kept} FROM staging.orders WHERE account_id = 'acct_both' ORDER BY 1"
    states = (
        "SELECT amazon_order_id, order_status, last_update_date, items_as_of"
        " FROM staging.orders WHERE account_id = 'acct_both' ORDER BY 1"
    )
    before, then = rows(wh, listed), {r["amazon_order_id"]: r for r in rows(wh, states)}
    assert sum(1 for r in before if r["buyer_hash"] and r["latest_delivery_date"]) > 20
    server.emulator.set_now(NOW)
    stats, _ = _run(
        wh, server.url, "acct_both", orders=_plan(server.url, budget_s=0),
        window=(ORDERS_WINDOW[0], NOW - timedelta(hours=1)),
    )  # fmt: skip
    assert stats.report_orders > len(before)
    ids = {r["amazon_order_id"] for r in before}
    after = [
        r
        for r in rows(
            wh, listed.replace(" ORDER BY", " AND amazon_order_id = ANY(%s) ORDER BY"), sorted(ids)
        )
    ]
    assert after == before  # no NULL over a listed value, the listing's raw (buyer name) kept
    newer = [
        r for r in rows(wh, states)
        if r["amazon_order_id"] in ids and r["last_update_date"] > then[r["amazon_order_id"]]["last_update_date"]
    ]  # fmt: skip
    # the report was newer about these: their status and items are the report's
    assert len(newer) > 5
    assert any(r["order_status"] != then[r["amazon_order_id"]]["order_status"] for r in newer)
    assert all(r["items_as_of"] == r["last_update_date"] for r in newer)


def test_the_choice_follows_the_accounts_last_week(wh, server, caplog):
    # no history: the listing (there is nothing to size the window from)
    stats, c = _run(wh, server.url, "acct_auto", orders=_plan(server.url, setting="auto"))
    assert stats.path == "orders_api" and c.calls["createReport"] == 0
    # the day before, the account's run loaded 100,000 orders: this window's two days hold far
    # more than the listing gets through in an hour
    with wh.cursor() as cur:
        cur.execute(
            "INSERT INTO staging.extract_runs (account_id, stream, window_start, window_end,"
            " records, pages, calls, throttled) VALUES ('acct_auto', 'orders', %s, %s, 100000,"
            " 0, 3, 0)",
            (ORDERS_WINDOW[0] - days(1), ORDERS_WINDOW[0]),
        )
    wh.commit()
    per_day = (100_000 + stats.orders) / 3
    assert per_day * 2 > listing_capacity("v0", 3600.0)
    caplog.set_level(logging.INFO, logger="buyer_messaging.extract.source")
    stats, c = _run(wh, server.url, "acct_auto", orders=_plan(server.url, setting="auto"))
    assert stats.path == "report" and c.calls["createReport"] == 1
    said = [r.getMessage() for r in caplog.records if "all-orders report first" in r.getMessage()]
    assert said and f"{per_day:,.0f} orders/day over the last week's runs" in said[0]
    assert f"gets through ~{listing_capacity('v0', 3600.0):,} in 60 min" in said[0]
    # the account's setting overrides it
    stats, c = _run(wh, server.url, "acct_auto", orders=_plan(server.url, setting="orders_api"))
    assert stats.path == "orders_api" and c.calls["createReport"] == 0


class _KilledAfterCommits:
    """The warehouse connection of a worker that dies after `commits` committed transactions."""

    def __init__(self, inner: Any, commits: int) -> None:
        self._inner = inner
        self._left = commits
        self.killed = False

    def commit(self) -> None:
        if self._left <= 0:
            self.killed = True
            raise InjectedCrash("worker killed before this commit")
        self._left -= 1
        self._inner.commit()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.mark.parametrize("commits, committed", [(2, 0), (6, 30)])
def test_a_run_killed_during_the_report_load_resumes_without_a_new_report(
    wh, server, commits, committed
):
    account = f"acct_killed_{commits}"
    clean, _ = _run(wh, server.url, "acct_whole", orders=_plan(server.url, batch=10))
    expected = staging_hashes(wh, "acct_whole", TABLES)
    assert clean.report_orders > 50 and expected["items"][0] > 50

    # commits: 1 the span's checkpoint read, 2 the report requested, 3 its document recorded,
    # then a batch of 10 orders each; killed at the next one
    killed = _KilledAfterCommits(wh, commits)
    with pytest.raises(InjectedCrash):
        _run(wh, server.url, account, orders=_plan(server.url, batch=10), conn=killed)
    assert killed.killed
    partial = rows(wh, "SELECT count(*) AS n FROM staging.orders WHERE account_id = %s", account)
    assert partial == [{"n": committed}]  # the committed batches are in
    checkpoint = rows(
        wh,
        "SELECT report_id, document_id, orders_done, done FROM staging.extract_report_checkpoints"
        " WHERE account_id = %s",
        account,
    )
    assert len(checkpoint) == 1 and checkpoint[0]["orders_done"] == committed
    assert bool(checkpoint[0]["document_id"]) == (commits > 2) and not checkpoint[0]["done"]

    resumed, c = _run(wh, server.url, account, orders=_plan(server.url, batch=10))
    assert c.calls["createReport"] == 0  # the report is reused, not requested again
    assert resumed.report_ids == (checkpoint[0]["report_id"],)
    assert resumed.report_orders == clean.report_orders - committed  # committed batches skipped
    assert staging_hashes(wh, account, TABLES) == expected


@pytest.mark.parametrize("api", ["v0", "2026-01-01"])
def test_the_details_listing_brings_merchant_fulfilled_orders_first_and_resumes(wh, server, api):
    """getOrders' FulfillmentChannels (../shared/spapi-models/ordersV0.json) or searchOrders'
    fulfilledBy (orders_2026-01-01.json): a pass of MFN orders, then one of AFN; stopped
    between them, the next listing starts the AFN pass."""
    account = f"acct_mfn_{api[:2]}"
    _run(wh, server.url, account, orders=_plan(server.url), api=api)
    channels = rows(
        wh,
        "SELECT fulfillment_channel AS ch, count(*) AS n FROM staging.orders"
        " WHERE account_id = %s GROUP BY 1 ORDER BY 1",
        account,
    )
    assert [r["ch"] for r in channels] == ["AFN", "MFN"] and min(r["n"] for r in channels) > 5
    mfn_waiting = (
        "SELECT count(*) AS n FROM staging.orders WHERE account_id = %s"
        " AND fulfillment_channel = 'MFN' AND details_from = 'report'"
    )

    def clock() -> float:  # the deadline falls once no merchant-fulfilled order waits
        return 0.0 if rows(wh, mfn_waiting, account)[0]["n"] else 1.0

    first, c = _list(wh, server.url, account, clock=clock, api=api)
    assert first.stopped and c.calls["getOrders" if api == "v0" else "searchOrders"] > 0
    got = rows(
        wh,
        "SELECT fulfillment_channel AS ch, details_from AS src, count(*) AS n,"
        " count(details_listed_at) AS stamped FROM staging.orders"
        " WHERE account_id = %s AND last_update_date < %s GROUP BY 1, 2 ORDER BY 1, 2",
        account, ORDERS_WINDOW[1],
    )  # fmt: skip
    mfn = next(r["n"] for r in channels if r["ch"] == "MFN")
    afn = next(r["n"] for r in channels if r["ch"] == "AFN")
    # every day's MFN orders first (the days' orders updated since the report are the
    # listing's too, staged with their details, never with the report's)
    assert [r for r in got if r["src"] == "report"] == [
        {"ch": "AFN", "src": "report", "n": afn, "stamped": 0}
    ]
    assert next(r["stamped"] for r in got if r["ch"] == "MFN") == mfn
    days = _created(wh, account)
    assert len(days) > 1 and all(d["next_token"] is None for d in days)
    # the MFN pass of every day is in: the next run begins the AFN passes
    assert {(d["channel"], d["pass_started"]) for d in days} == {("MFN", True)}

    second, c = _list(wh, server.url, account, api=api)  # the next run's: the AFN pass only
    assert not second.stopped and second.details_left == 0
    staged = rows(wh, "SELECT count(*) AS n FROM staging.orders WHERE account_id = %s", account)
    assert _details(wh, account) == {"orders_api": staged[0]["n"]}
    assert first.orders + second.orders == staged[0]["n"]  # each order listed once
    assert all(d["done"] for d in _created(wh, account))


def test_the_details_listing_resumes_mid_page_and_lists_each_order_once(wh, server):
    """Stopped after a few pages (a NextToken kept), then after a few more, the next runs
    resume each day's pass from its checkpoint: every report order gets its details and no
    order is listed twice (the orders the runs saw add up to those staged)."""
    account = "acct_resume"
    report, _ = _run(wh, server.url, account, orders=_plan(server.url))
    seen, kept = 0, []
    for n in (2, 5, 100_000):  # getOrders pages a run gets before its deadline
        c = caller()
        source = order_source(
            "v0", client("v0", server.url), c, account_id=account, page_size=2, with_items=False
        )
        stats = list_order_details(
            wh, source, c, account_id=account, until=1.0,
            clock=lambda: 0.0 if c.calls["getOrders"] < n else 1.0,  # noqa: B023
        )  # fmt: skip
        seen += stats.orders
        if n < 100_000:
            assert stats.stopped and stats.pages == n
            kept += [d for d in _created(wh, account) if d["next_token"]]
    assert kept  # a run stopped inside a day's pass: the next resumed at its NextToken
    assert not stats.stopped and stats.details_left == 0
    staged = rows(wh, "SELECT count(*) AS n FROM staging.orders WHERE account_id = %s", account)
    assert staged[0]["n"] >= report.report_orders
    assert _details(wh, account) == {"orders_api": staged[0]["n"]}
    assert seen == staged[0]["n"]


def test_a_listed_day_is_listed_again_only_from_where_it_ended(wh, server):
    """A day listed up to its latest report order; the next report brings later orders of that
    day: the day is listed again from just past the end it reached (CreatedAfter)."""
    from extract_helpers import NOW

    account = "acct_later"
    first_end = ORDERS_WINDOW[1] + timedelta(hours=3)
    _run(wh, server.url, account, orders=_plan(server.url), window=(ORDERS_WINDOW[0], first_end))
    _list(wh, server.url, account)
    before = {d["window_start"]: d for d in _created(wh, account)}
    last_day = max(before)
    assert before[last_day]["window_end"] <= first_end and before[last_day]["done"]
    _run(
        wh, server.url, account, orders=_plan(server.url),
        window=(first_end, NOW - timedelta(hours=1)),
    )  # fmt: skip
    waiting = rows(
        wh,
        "SELECT count(*) AS n FROM staging.orders WHERE account_id = %s"
        " AND details_from = 'report' AND purchase_date >= %s",
        account, last_day,
    )[0]  # fmt: skip
    assert waiting["n"] > 0  # the day's orders after the first report's end
    stats, c = _list(wh, server.url, account)
    assert stats.details_left == 0
    resumed = next(d for d in _created(wh, account) if d["window_start"] >= last_day)
    assert resumed["window_start"] == before[last_day]["window_end"] + timedelta(seconds=1)
    assert resumed["done"]


@pytest.mark.parametrize("api", ["v0", "2026-01-01"])
def test_a_report_only_cancellation_is_noticed_only_when_the_buyer_did_not_ask(
    wh, emulator_factory, api
):
    """The all-orders report says Cancelled, never who asked (../shared/amazon-report-formats.md);
    Amazon's Orders API says it on the items: v0 getOrderItems' BuyerRequestedCancel
    (ordersV0.json), 2026-01-01 getOrder's cancellation.cancellationRequest.requester
    (orders_2026-01-01.json, includedData CANCELLATION), as the emulator serves them. A
    buyer-cancelled and a seller-cancelled merchant-fulfilled order staged from the report get
    no notice until list_order_details brings their items; then the seller's gets one and the
    buyer's is skipped, saying why."""
    from datetime import UTC, date, datetime

    from extract_helpers import NOW

    from buyer_messaging.plan.planner import plan_day
    from buyer_messaging.policies import Exclusions

    # seed 14: its window holds a buyer-cancelled and a seller-cancelled MFN order
    server = emulator_factory(seed=14, orders_per_day=40, time_scale=TIME_SCALE, now=NOW)
    window = (datetime(2026, 11, 17, tzinfo=UTC), NOW - timedelta(hours=1))
    facts = [
        f for d in range(15, 21) for f in server.emulator.catalog.orders(date(2026, 11, d))
        if f.fulfillment == "MFN" and f.status_at(NOW)[0] == "Canceled"
        and window[0] <= f.status_at(NOW)[1] < window[1]
    ]  # fmt: skip
    buyer = next(f.amazon_order_id for f in facts if f.buyer_cancelled)
    sellers = [f for f in facts if not f.buyer_cancelled and f.authorized_at]
    # the latest: its notice is not stale yet on the emulator's day
    seller = max(sellers, key=lambda f: f.status_at(NOW)[1]).amazon_order_id
    account = f"acct_who_{api[:2]}"
    _run(wh, server.url, account, orders=_plan(server.url), window=window, api=api)
    assert {r["details_from"] for r in rows(
        wh, "SELECT details_from FROM staging.orders WHERE account_id = %s"
        " AND amazon_order_id IN (%s, %s)", account, buyer, seller,
    )} == {"report"}  # fmt: skip

    def plan(day: datetime, now: datetime) -> None:
        plan_day(
            wh, account_id=account, kinds=("unavailability_notice",), run_day=day.date(),
            day=(day, day + days(1)), now=now, exclusions=Exclusions(),
        )  # fmt: skip

    def notices() -> dict[str, tuple[str, str | None]]:
        got = rows(
            wh,
            "SELECT amazon_order_id, status, reason FROM messaging.outbox WHERE account_id = %s"
            " AND kind = 'unavailability_notice' AND amazon_order_id IN (%s, %s)",
            account, buyer, seller,
        )  # fmt: skip
        return {r["amazon_order_id"]: (r["status"], r["reason"]) for r in got}

    for n in range(3):  # each day of the window, run after it: who cancelled is unknown
        plan(window[0] + days(n), window[0] + days(n + 1) + timedelta(hours=1))
    assert notices() == {}

    per_order = "getOrderItems" if api == "v0" else "getOrder"
    # a deadline already passed: no call; the next run's listing fetches them
    stopped, c = _list(wh, server.url, account, api=api, until=0.0, cancellations_since=window[0])
    assert stopped.stopped and stopped.requesters == 0 and stopped.requesters_left >= 2
    assert c.calls[per_order] == 0
    stats, c = _list(wh, server.url, account, api=api, cancellations_since=window[0])
    assert stats.requesters == stopped.requesters_left
    assert stats.requesters >= 2 and c.calls[per_order] == stats.requesters
    assert stats.requesters_left == 0 and stats.details_left == 0
    with wh.cursor() as cur:  # the test's days are in the past: the stamp moved onto them
        cur.execute(
            "UPDATE staging.orders SET items_listed_at = %s WHERE account_id = %s"
            " AND amazon_order_id IN (%s, %s) AND items_listed_at IS NOT NULL",
            (NOW, account, buyer, seller),
        )
        assert cur.rowcount == 2  # the API's items replaced the report's lines of both
    wh.commit()
    plan(NOW.replace(hour=0), NOW + timedelta(hours=1))  # the emulator's day, in progress
    assert notices() == {
        seller: ("planned", None),
        buyer: ("skipped", "excluded: the buyer asked for the cancellation"),
    }
