"""Extraction pace: getOrders pages per allowed call while paging a window with many pages, and
orders with their items extracted per hour at Amazon's real rates, and how long the listing
of their details takes.

`extract_efficiency`: ours is the real `extract_orders` listing (`load_orders` over a
`V0OrderSource` without items, as `tasks.extract_orders` lists: SpApiCaller + checked OrdersV0
client, parse, staging upsert per page, in a throw-away warehouse) with its items left out:
Amazon allows getOrderItems 30× as often as getOrders but a page holds 100 orders, so with
items the page rate is bound by getOrderItems and says nothing about how well getOrders is
paced. The run stops at a deadline (the next getOrders call raises).

Baseline: python-amazon-sp-api's documented paging, `load_all_pages()` with its defaults
(a fixed `throttle_by_seconds=2` sleep between pages, no rate-limit header) around a page
call wrapped in the library's `throttle_retry()` (delay 5 s × 1.3 per retry) so a 429 does
not end it; its sleeps are divided by the time scale, as Amazon's clock is.

`extract_orders_per_hour`: the product path of `tasks.extract_orders` for an Orders API v0
account whose messages need every order's items (the worst case: an exclusion by ASIN),
`orders_source: auto`, nothing patched out: `load_orders` with the `ItemsPlan` and `OrdersPlan`
the task builds, through the checked python-amazon-sp-api clients to the emulator over HTTP,
into a throw-away warehouse whose extract_runs hold a previous day's run of 100,000 orders (the
history `auto` decides from). The emulator runs at `PER_HOUR_SCALE` times Amazon's rates for
every operation (its modelled report processing time is divided by the same factor); the wall
time is multiplied back into Amazon hours. The value: orders staged with their items per Amazon
hour of the report phase (createReport to the last commit). Quick mode measures the same 24 h
window of a 100,000-order day. Then `list_order_details` runs for a sample (20 s quick, 60 s
full) to measure the listing's pace; the note says how long listing the day's orders by
creation time needs (and the LastUpdated window as the report saw it), against the day left
beside the pipeline.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import (
    Alongside,
    Emulator,
    Figure,
    connect,
    orders_client,
    quiet_logs,
    throwaway_database,
)

OP = "getOrders"
PER_HOUR_SCALE = 120.0  # every operation at 120x Amazon's rate; getOrders ~2 pages/s
PER_HOUR_ORDERS_PER_DAY = 100_000
TIME_SCALE = 60.0  # getOrders at ~1 page/s, burst 20: pacing, not our CPU, is the bound
ORDERS_PER_DAY = 20_000
ACCOUNT = "bench_extract"


class _Deadline(Exception):
    pass


class _UntilDeadline:
    """The client, whose get_orders refuses to start after the deadline."""

    def __init__(self, client: Any, deadline: float) -> None:
        self._client = client
        self._deadline = deadline

    def get_orders(self, **kwargs: Any) -> Any:
        if time.monotonic() >= self._deadline:
            raise _Deadline
        return self._client.get_orders(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def _window() -> tuple[datetime, datetime]:
    end = (datetime.now(UTC) - timedelta(minutes=5)).replace(second=0, microsecond=0)
    return end - timedelta(days=2), end


def _ours(emu: Emulator, dsn: str, seconds: float) -> tuple[float, float]:
    """Run the extract_orders listing until the deadline; returns (start, end) on our clock."""
    from buyer_messaging.extract import parse  # noqa: F401 - nor is importing the parsers (models)
    from buyer_messaging.extract.source import V0OrderSource, load_orders
    from buyer_messaging.spapi.calls import SpApiCaller

    conn = connect(dsn)
    client = orders_client(emu.url)
    client.auth  # noqa: B018 - the LWA token is not part of the pace
    t0 = time.monotonic()
    deadline = t0 + seconds
    caller = SpApiCaller()
    # pages without items (what tasks.extract_orders lists for v0: items are fetched apart)
    source = V0OrderSource(
        _UntilDeadline(client, deadline), caller, account_id=ACCOUNT, with_items=False
    )
    try:
        load_orders(conn, source, caller, account_id=ACCOUNT, window=_window())
    except _Deadline:
        pass
    conn.close()
    return t0, min(deadline, time.monotonic())


def _baseline(emu: Emulator, seconds: float) -> tuple[int, float]:
    """load_all_pages() defaults + throttle_retry(); (pages, elapsed)."""
    from sp_api.api import Orders
    from sp_api.util import load_all_pages, throttle_retry

    from spapi_emulator.testing import client_kwargs

    orders = Orders(**client_kwargs(emu.url))
    scale = emu.time_scale

    @load_all_pages(throttle_by_seconds=2 / scale)  # the default, 2 s, in Amazon time
    @throttle_retry(delay=5 / scale)  # the default, 5 s, in Amazon time
    def all_orders(**kwargs: Any) -> Any:
        return orders.get_orders(**kwargs)

    start, end = _window()
    pages = 0
    orders.get_orders  # noqa: B018
    t0 = time.monotonic()
    for _ in all_orders(
        LastUpdatedAfter=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        LastUpdatedBefore=end.strftime("%Y-%m-%dT%H:%M:%SZ"),
    ):
        pages += 1
        if time.monotonic() - t0 >= seconds:
            break
    return pages, time.monotonic() - t0


def _warm_up(emu: Emulator) -> None:
    start, end = _window()
    orders_client(emu.url).get_orders(
        LastUpdatedAfter=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        LastUpdatedBefore=end.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def _share(log: list[Any]) -> float:
    return sum(r.status == 429 for r in log) / len(log) if log else 0.0


def _orders_per_hour(quick: bool) -> Figure:
    """Orders with their items staged per Amazon hour through the product path of
    tasks.extract_orders (the same 24 h window of a 100,000-order day in both modes); the note
    says which path was chosen, the calls, and how long the listing (tasks.list_order_details,
    run here for a while on the same emulator) needs to bring every order's details."""
    from sp_api.api import Reports

    from bench.common import client
    from buyer_messaging.extract.items import EVERY_ORDER, ItemsPlan
    from buyer_messaging.extract.report_first import OrdersPlan
    from buyer_messaging.extract.returns import Polling
    from buyer_messaging.extract.source import list_order_details, load_orders, order_source
    from buyer_messaging.spapi.calls import SpApiCaller
    from buyer_messaging.spapi.limits import usage_plan
    from spapi_emulator.reports import PROCESS_S, QUEUE_S

    scale = PER_HOUR_SCALE
    hours = 24.0  # ~180k orders last updated in a day's window of a 100,000-order day
    listing_s = 20.0 if quick else 60.0  # the details listing's sample (wall seconds)
    end = (datetime.now(UTC) - timedelta(minutes=5)).replace(second=0, microsecond=0)
    window = (end - timedelta(hours=hours), end)
    account = "bench_per_hour"
    with (
        Emulator(orders_per_day=PER_HOUR_ORDERS_PER_DAY, time_scale=scale) as emu,
        throwaway_database("bm_bench_extract_h") as dsn,
    ):
        _warm_up(emu)
        emu.reset()
        conn = connect(dsn)
        with conn.cursor() as cur:  # the account's history: yesterday's run held a day's orders
            cur.execute(
                "INSERT INTO staging.extract_runs (account_id, stream, window_start, window_end,"
                " records, pages, calls, throttled) VALUES (%s, 'orders', %s, %s, %s, 0, 3, 0)",
                (account, window[0] - timedelta(days=1), window[0], PER_HOUR_ORDERS_PER_DAY),
            )
        conn.commit()
        caller = SpApiCaller()
        orders = orders_client(emu.url)
        reports = client(Reports, emu.url)
        orders.auth, reports.auth  # noqa: B018 - the LWA tokens are not part of the pace
        polling = Polling(initial=5.0 / scale, cap=60.0 / scale, timeout=3 * 3600.0 / scale)
        # as tasks.extract_orders builds them, for an account whose messages need every
        # order's items (an exclusion by ASIN: the worst case), orders_source: auto
        source = order_source("v0", orders, caller, account_id=account, with_items=False)
        items = ItemsPlan(
            need=EVERY_ORDER, setting="auto", reports_client=reports,
            marketplace_id="ATVPDKIKX0DER", polling=polling,
        )  # fmt: skip
        plan = OrdersPlan(
            setting="auto", reports_client=reports, marketplace_id="ATVPDKIKX0DER",
            polling=polling,
        )  # fmt: skip
        t0 = time.monotonic()
        stats = load_orders(
            conn, source, caller, account_id=account, window=window, items=items, orders=plan
        )
        wall = time.monotonic() - t0
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FILTER (WHERE items_as_of = last_update_date), count(*),"
                " count(*) FILTER (WHERE fulfillment_channel = 'MFN'),"
                " count(*) FILTER (WHERE purchase_date >= %s AND purchase_date < %s)"
                " FROM staging.orders WHERE account_id = %s",
                (*window, account),
            )
            with_items, staged, mfn, created = cur.fetchone()
        # then list_order_details, as the DAG runs it beside the pipeline, for a sample
        lister = SpApiCaller()
        listing = order_source("v0", orders, lister, account_id=account, with_items=False)
        t1 = time.monotonic()
        listed = list_order_details(
            conn, listing, lister, account_id=account, until=t1 + listing_s,
            clock=time.monotonic, items=items,
        )  # fmt: skip
        listed_wall = time.monotonic() - t1
        conn.close()
    # Orders with items are all in when the report phase ends. Amazon's clock runs `scale`
    # times faster here, our own CPU and Postgres do not: the wait for the report (Amazon's
    # processing; the emulator's build of the document counted as such) is multiplied back,
    # downloading, parsing and committing it (one getReportDocument, then no SP-API call) is
    # the time it takes, as at Amazon's real rates.
    load_s = stats.report_seconds - stats.report_wait_seconds
    staged_h = (
        (stats.report_wait_seconds * scale + load_s) / 3600
        if stats.path == "report"
        else wall * scale / 3600
    )
    all_scaled_h = (stats.report_seconds if stats.path == "report" else wall) * scale / 3600
    rate, burst = usage_plan("getOrders")
    # the listing's pace measured past its burst, in Amazon hours; what the window needs
    paced = max(0, listed.pages - burst)
    pages_per_h = paced / (listed_wall * scale / 3600) if paced else rate * 3600
    need_h, mfn_h = staged / 100 / pages_per_h, mfn / 100 / pages_per_h
    # the listing by creation time lists each order once, on its day of purchase: a day's
    # listing is the day's created orders (two passes, MFN then AFN: a part page more each)
    created_h = (created / 100 + 2) / pages_per_h
    # beside the pipeline: from the end of extract_orders to the next run's start less the
    # default send margin (5 min)
    free_h = 24.0 - staged_h - 5 / 60
    return Figure(
        "extract_orders_per_hour",
        with_items / staged_h if staged_h else None,
        "orders/h",
        ">= 50000",
        note=f"{'quick: ' if quick else ''}{with_items} of {staged} orders with items staged in"
        f" {staged_h:.2f} Amazon hours: {stats.report_wait_seconds * scale / 3600:.2f} h waiting"
        f" for the report to be DONE ({stats.report_wait_seconds:.1f} s x time_scale {scale:g};"
        f" the emulator's modelled {QUEUE_S + PROCESS_S:g} s in queue and processing, or its"
        f" build of the document when longer) + {load_s:.1f} s downloading, parsing and"
        f" committing it (our CPU and Postgres, not scaled; scaled too it would be"
        f" {all_scaled_h:.2f} h, {with_items / all_scaled_h if all_scaled_h else 0:,.0f}/h);"
        f" path: {'the all-orders report first' if stats.path == 'report' else 'the listing'}"
        f" (auto, from a previous day's run of {PER_HOUR_ORDERS_PER_DAY:,} orders);"
        f" calls: {caller.calls['createReport']} createReport, {caller.calls['getReport']}"
        f" getReport, {caller.calls['getReportDocument']} getReportDocument,"
        f" {caller.calls['getOrders']} getOrders, {caller.calls['getOrderItems']} getOrderItems,"
        f" {sum(caller.throttled.values())} throttled; list_order_details then ran"
        f" {listed_wall:.0f} s ({listed_wall * scale / 3600:.2f} Amazon h): {listed.pages} pages,"
        f" {listed.orders} orders' details ({lister.calls['getOrderItems']} getOrderItems,"
        f" {sum(lister.throttled.values())} throttled), {pages_per_h:.0f} pages/Amazon h past"
        f" its burst of {burst} (getOrders' {rate:g}/s: {rate * 3600:.0f}); at that pace,"
        f" listing by creation time (CreatedAfter/Before, a window per day of purchase, each"
        f" order once): the day's {created} created orders need {created_h:.1f} h of listing"
        f" against {free_h:.1f} h left in the day beside the pipeline:"
        f" {'fits' if created_h <= free_h else 'does not fit'}; by the LastUpdated window as"
        f" the report saw it (every order that changed that day, the listing before) the"
        f" {staged} orders would need {need_h:.1f} h, its {mfn} merchant-fulfilled {mfn_h:.1f} h;"
        f" {hours:g} h window of {PER_HOUR_ORDERS_PER_DAY:,} orders/day",
    )


def run(quick: bool) -> list[Figure]:
    quiet_logs()
    seconds = 15.0 if quick else 60.0
    mode = "quick: " if quick else ""
    with (
        Emulator(orders_per_day=ORDERS_PER_DAY, time_scale=TIME_SCALE) as emu,
        Emulator(orders_per_day=ORDERS_PER_DAY, time_scale=TIME_SCALE) as base_emu,
        throwaway_database("bm_bench_extract") as dsn,
    ):
        rate, burst = emu.limit(OP)
        import sp_api.util  # noqa: F401

        import buyer_messaging.extract.orders  # noqa: F401 - imports are not the pace

        for each in (emu, base_emu):  # the emulator's first scan of a day is slow: not our pace
            _warm_up(each)
            each.reset()
        baseline = Alongside(_baseline, base_emu, seconds).start()
        t0, t1 = _ours(emu, dsn, seconds)
        base_pages, base_elapsed = baseline.result()
        emu.settle()
        base_emu.settle()
        calls = [r for r in emu.log_since(t0, OP) if r.at <= t1]
        pages = sum(r.status == 200 for r in calls)
        allowed = burst + rate * (t1 - t0)
        ours_per_s = pages / (t1 - t0)
        base_per_s = base_pages / base_elapsed
        base_share = _share(base_emu.log_since(0, OP))
    per_hour = _orders_per_hour(quick)  # after the others: its own emulator, not alongside
    return [
        Figure(
            "extract_efficiency",
            pages / allowed,
            "pages/allowed",
            ">= 0.95",
            note=f"{mode}{pages} getOrders pages in {t1 - t0:.1f}s at {rate:g}/s burst {burst} "
            f"(time_scale {TIME_SCALE:g}, {ORDERS_PER_DAY} orders/day; getOrderItems left out)",
        ),
        Figure(
            "extract_throttled_share", _share(calls), "429s/requests", "<= 0.01", note="getOrders"
        ),
        Figure(
            "extract_vs_load_all_pages",
            ours_per_s / base_per_s if base_per_s else None,
            "x",
            ">= 0.95",
            note=f"ours {ours_per_s:.2f} pages/s vs load_all_pages {base_per_s:.2f} pages/s "
            f"({base_pages} in {base_elapsed:.1f}s on its own emulator, at the same time; "
            f"{base_share:.0%} of its calls throttled)",
        ),
        per_hour,
    ]
