"""Consecutive extraction windows leave no gap: each starts where the last one really ended."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from extract_helpers import NOW, TIME_SCALE, caller, client, rows

from buyer_messaging.extract import store as staging
from buyer_messaging.extract.orders import STREAM, extraction_window
from buyer_messaging.extract.returns import STREAM as RETURNS
from buyer_messaging.extract.returns import returns_window
from buyer_messaging.extract.source import load_orders, order_source
from buyer_messaging.warehouse.connection import transaction

pytestmark = pytest.mark.integration

LAG = timedelta(minutes=2)  # Amazon: LastUpdatedBefore no later than two minutes before now
D = datetime(2026, 11, 10, 8, tzinfo=UTC)  # a local midnight (US Pacific), as the DAG's days
DAY = timedelta(days=1)


def _record(wh, account: str, window, stream: str = STREAM) -> None:
    with transaction(wh) as cur:
        staging.record_extract_run(
            cur, account, stream, window, records=0, pages=0, calls=1, throttled=0
        )


def test_the_next_window_starts_where_a_clipped_run_ended(wh):
    _record(wh, "wm", (D - 35 * DAY, D))  # onboarding: the account has loaded before
    # the DAG fires at midnight: the task starts 30 s into the next day, inside Amazon's lag
    first = extraction_window(
        wh, "wm", (D, D + DAY), lookback_days=35, now=D + DAY + timedelta(seconds=30)
    )
    assert first == (D, D + DAY - timedelta(seconds=90))
    _record(wh, "wm", first)
    second = extraction_window(wh, "wm", (D + DAY, D + 2 * DAY), lookback_days=35, now=D + 3 * DAY)
    assert second == (first[1], D + 2 * DAY)  # the 90 clipped seconds are queried now
    _record(wh, "wm", second)
    assert rows(
        wh, "SELECT queried_until FROM staging.extract_watermarks WHERE account_id = 'wm'"
    ) == [{"queried_until": D + 2 * DAY}]
    # a re-run of either day keeps its own interval (what is before it was queried already)
    assert extraction_window(wh, "wm", (D, D + DAY), lookback_days=35, now=D + 5 * DAY) == (
        D,
        D + DAY,
    )
    assert extraction_window(
        wh, "wm", (D + DAY, D + 2 * DAY), lookback_days=35, now=D + 5 * DAY
    ) == (
        D + DAY,
        D + 2 * DAY,
    )
    # a backfill of an old day, long covered by the onboarding run, is that day
    old = (D - 20 * DAY, D - 19 * DAY)
    assert extraction_window(wh, "wm", old, lookback_days=35, now=D + 5 * DAY) == old


def test_days_missed_while_paused_are_caught_up_within_the_lookback(wh, caplog):
    _record(wh, "paused", (D - DAY, D - timedelta(seconds=40)))
    # five days later (catchup off): the window goes back to where the last run ended
    later = (D + 5 * DAY, D + 6 * DAY)
    assert extraction_window(wh, "paused", later, lookback_days=35, now=D + 7 * DAY) == (
        D - timedelta(seconds=40),
        later[1],
    )
    # further back than the onboarding lookback: as far as onboarding would go, and it says so
    with caplog.at_level(logging.WARNING, logger="buyer_messaging.extract.watermark"):
        start, _ = extraction_window(wh, "paused", later, lookback_days=2, now=D + 7 * DAY)
    assert start == later[0] - 2 * DAY
    assert "leaves" in caplog.text and "unqueried" in caplog.text


def test_returns_resume_at_their_own_watermark(wh):
    _record(wh, "wm_r", (D - DAY, D - timedelta(seconds=75)), stream=RETURNS)
    assert returns_window(
        wh, "wm_r", (D, D + DAY), lookback_days=35, refresh_days=0, now=D + 2 * DAY
    ) == (
        D - timedelta(seconds=75),
        D + DAY,
    )
    # the orders stream of the same account has its own watermark (here: none, a first run)
    assert extraction_window(wh, "wm_r", (D, D + DAY), lookback_days=3, now=D + 2 * DAY) == (
        D - 3 * DAY,
        D + DAY,
    )


def _settled_order(url: str) -> tuple[str, datetime]:
    """An order of the emulator whose last update is days before NOW: it changes no more."""
    for back in range(3, 8):
        day = (NOW - timedelta(days=back)).date().isoformat()
        data = httpx.get(f"{url}/_emulator/orders", params={"day": day}, trust_env=False).json()
        for order_id, life in sorted(data["lifecycle"].items()):
            last = datetime.fromisoformat(life["last_event"].replace("Z", "+00:00"))
            if NOW - 5 * DAY < last < NOW - 2 * DAY and order_id.startswith("11"):
                return order_id, last
    raise AssertionError("the emulator has no settled order in those days")


def test_an_order_updated_in_the_clipped_seconds_is_extracted_by_the_next_run(wh, emulator_factory):
    server = emulator_factory(seed=5, orders_per_day=40, time_scale=TIME_SCALE, now=NOW)
    order_id, updated = _settled_order(server.url)
    # a day that ends 30 s after the order's last update; its run starts 60 s after that update,
    # so Amazon's lag clips its window 60 s before the update
    day1 = (updated + timedelta(seconds=30) - DAY, updated + timedelta(seconds=30))
    _record(wh, "gap", (day1[0] - 35 * DAY, day1[0]))  # the account has loaded before

    def run(interval, now):
        window = extraction_window(wh, "gap", interval, lookback_days=35, now=now)
        c = caller()
        source = order_source("v0", client("v0", server.url), c, account_id="gap")
        load_orders(wh, source, c, account_id="gap", window=window)
        return window

    def staged() -> set[str]:
        return {
            r["amazon_order_id"]
            for r in rows(wh, "SELECT amazon_order_id FROM staging.orders WHERE account_id = 'gap'")
        }

    first = run(day1, now=updated + timedelta(seconds=60))
    assert first[1] == updated - timedelta(seconds=60) < updated < day1[1]
    assert order_id not in staged()  # inside the clipped seconds: not yet extracted
    day2 = (day1[1], day1[1] + DAY)
    second = run(day2, now=NOW)
    assert second[0] == first[1] and updated < day2[0]  # the nominal start would have missed it
    assert order_id in staged()
    [row] = rows(
        wh,
        "SELECT last_update_date FROM staging.orders WHERE account_id = 'gap' AND amazon_order_id = %s",
        order_id,
    )
    assert row["last_update_date"] == updated
