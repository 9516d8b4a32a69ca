"""Validation at scale: the GX suites (orders, order items, returns) over a 100,000-order day.

Staging is bulk-loaded with COPY (not timed): the plan benchmark's synthetic orders, one item
each, and a return for every twelfth order; 1% of the orders carry a negative total so the
quarantine path runs too. GX is imported before the clock starts (a task pays that once, ~6 s,
and the DAG file never does). Timed: `validate_orders` as the task calls it, Data Docs included.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import Figure, connect, copy_rows, order_id, throwaway_database
from bench.plan import ACCOUNT, staging_rows

TARGET = "< 60"


def _orders(count: int, now: datetime) -> Iterator[tuple[Any, ...]]:
    for n, row in enumerate(staging_rows(count, now)):
        if n % 100 == 99:
            row = (*row[:12], "-1.00", *row[13:])  # a negative order total: quarantined
        yield row


def _items(count: int) -> Iterator[tuple[Any, ...]]:
    for n in range(count):
        yield (ACCOUNT, order_id(n), f"{n:014d}", f"B0{n % 10**8:08d}", f"SKU-{n % 500}",
               "Bamboo Cutting Board Set", 1 + n % 3, 1, f"{10 + n % 90}.99", "USD", "{}")  # fmt: skip


def _returns(count: int, now: datetime) -> Iterator[tuple[Any, ...]]:
    for n in range(0, count, 12):
        purchase = now - timedelta(days=40) + timedelta(seconds=(n * 7919) % (40 * 86400))
        yield (ACCOUNT, order_id(n), f"RMA{n}", f"SKU-{n % 500}", f"RMA{n}", f"SKU-{n % 500}",
               (purchase).isoformat(), (purchase + timedelta(days=8)).isoformat(),
               (purchase + timedelta(days=12)).isoformat(), 1, "USD", f"{10 + n % 90}.99", 2,
               f"{(10 + n % 90) / 2:.2f}", "{}")  # fmt: skip


RETURN_COLUMNS = (
    "account_id", "amazon_order_id", "return_key", "line_key", "amazon_rma_id", "merchant_sku",
    "order_date", "return_request_date", "return_delivery_date", "return_quantity", "currency",
    "order_amount", "order_quantity", "refunded_amount", "raw",
)  # fmt: skip


def validate_once(count: int) -> tuple[float, Any]:
    import great_expectations  # noqa: F401 - imported before the clock, as a task's first import

    from buyer_messaging.extract.store import ITEM_COLUMNS, ORDER_COLUMNS
    from buyer_messaging.quality.validate import validate_orders

    now = datetime.now(UTC)
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with throwaway_database("bm_bench_quality") as dsn:
        conn = connect(dsn)
        with conn, conn.cursor() as cur:
            copy_rows(cur, "staging.orders", ORDER_COLUMNS, _orders(count, now))
            copy_rows(cur, "staging.order_items", ITEM_COLUMNS, _items(count))
            copy_rows(cur, "staging.returns", RETURN_COLUMNS, _returns(count, now))
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE staging.orders, staging.order_items, staging.returns")
        conn.autocommit = False
        with tempfile.TemporaryDirectory() as docs:
            started = time.perf_counter()
            outcome = validate_orders(
                conn, account_id=ACCOUNT, window=(now - timedelta(days=45), now), run_day=day_start.date(),
                max_bad_share=0.5, docs_dir=Path(docs),
            )  # fmt: skip
            seconds = time.perf_counter() - started
        conn.close()
    return seconds, outcome


def run(quick: bool) -> list[Figure]:
    count = 20_000 if quick else 100_000
    seconds, outcome = validate_once(count)
    value = seconds * (100_000 / count)
    return [
        Figure(
            "validate_100k_s",
            value,
            "s",
            TARGET,
            note=f"{outcome.rows_checked:,} orders, {outcome.returns_checked:,} with returns, "
            f"{len(outcome.bad_rows):,} quarantined, Data Docs written"
            + ("; quick mode: 20k measured, scaled to 100k" if quick else ""),
        )
    ]
