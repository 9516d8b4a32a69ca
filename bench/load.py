"""Bulk loading message rows into messaging.outbox (its constraints and indexes included):
COPY (psycopg2 copy_expert) and execute_values against row-by-row INSERT, in the same run,
into the same throw-away warehouse. Each method loads its own account's rows in one
transaction; row-by-row loads fewer rows (it is the slow one) and rows/s are compared."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bench.common import (
    MESSAGE_COLUMNS,
    Figure,
    connect,
    copy_rows,
    message_lines,
    message_rows,
    throwaway_database,
)

_INSERT = f"INSERT INTO messaging.outbox ({', '.join(MESSAGE_COLUMNS)}) VALUES ({', '.join(['%s'] * len(MESSAGE_COLUMNS))})"
_VALUES = f"INSERT INTO messaging.outbox ({', '.join(MESSAGE_COLUMNS)}) VALUES %s"


def _row_by_row(cur: Any, rows: Any) -> None:
    for row in rows:
        cur.execute(_INSERT, row)


def _execute_values(cur: Any, rows: Any) -> None:
    from psycopg2.extras import execute_values

    execute_values(cur, _VALUES, rows, page_size=1000)


def _copy(cur: Any, rows: Any) -> None:
    copy_rows(cur, "messaging.outbox", MESSAGE_COLUMNS, rows)


def _rows(method: Callable[[Any, Any], None], account: str, count: int, start: int) -> Any:
    if method is _copy:
        return message_lines(account, count, start=start)
    return message_rows(account, count, start=start)


def _timed(
    dsn: str, method: Callable[[Any, Any], None], account: str, count: int, start: int
) -> float:
    """Rows per second for loading `count` rows (generation included, as a loader pays it)."""
    conn = connect(dsn)
    started = time.perf_counter()
    with conn, conn.cursor() as cur:
        method(cur, _rows(method, account, count, start))
    seconds = time.perf_counter() - started
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM messaging.outbox WHERE account_id = %s", (account,))
        loaded = cur.fetchone()[0]
    conn.close()
    if loaded != count:
        raise RuntimeError(f"{account}: {loaded} rows loaded, {count} expected")
    return count / seconds


def run(quick: bool) -> list[Figure]:
    big = 100_000 if quick else 1_000_000
    slow = 10_000 if quick else 50_000
    middle = 20_000 if quick else 200_000
    with throwaway_database("bm_bench_load") as dsn:
        rbr = _timed(dsn, _row_by_row, "bench_rbr", slow, 0)
        values = _timed(dsn, _execute_values, "bench_values", middle, 0)
        copy = _timed(dsn, _copy, "bench_copy", big, 0)
    return [
        Figure(
            "bulk_load_speedup",
            copy / rbr,
            "x",
            ">= 5",
            note=f"COPY {copy:,.0f} rows/s vs row-by-row INSERT {rbr:,.0f} rows/s ({slow:,} rows); "
            f"execute_values {values:,.0f} rows/s ({middle:,} rows) = {values / rbr:.1f}x",
        ),
        Figure(
            "load_rows_per_s",
            copy,
            "rows/s",
            None,
            note=f"COPY of {big:,} outbox rows in one transaction",
        ),
    ]
