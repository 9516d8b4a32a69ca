"""Bulk loading, in the same run into the same throw-away warehouse:

- `bulk_load_speedup`: the loader the product uses, `staging.upsert_orders` (execute_values
  upserts of orders and their items, one call per page of 100 orders as extract_orders
  calls it), against the same upsert statements one row at a time; orders/s compared.
- `load_rows_per_s` and the note: message rows into messaging.outbox (constraints and
  indexes included) by COPY, execute_values and row-by-row INSERT, for reference: the
  product does not COPY (the planner fills the outbox inside Postgres).

Each method loads its own account's rows in one transaction; the slow one loads fewer."""

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


PAGE = 100  # getOrders' page size: extract_orders upserts one page at a time


def _order(account: str, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A parsed order and its item, as extract.parse leaves them for staging."""
    from bench.common import order_id

    oid = order_id(n)
    order = {
        "account_id": account, "amazon_order_id": oid, "marketplace_id": "ATVPDKIKX0DER",
        "marketplace": "US", "order_status": "Shipped", "fulfillment_channel": "MFN",
        "purchase_date": "2026-11-20T10:00:00Z", "last_update_date": "2026-11-21T10:00:00Z",
        "earliest_ship_date": "2026-11-20T10:00:00Z", "latest_ship_date": "2026-11-21T10:00:00Z",
        "earliest_delivery_date": "2026-11-23T10:00:00Z",
        "latest_delivery_date": "2026-11-26T10:00:00Z", "order_total": f"{10 + n % 90}.99",
        "currency": "USD", "is_prime": n % 3 == 0, "number_of_items_shipped": 1,
        "number_of_items_unshipped": 0, "buyer_hash": f"{n:016x}",
        "raw": {"AmazonOrderId": oid, "OrderStatus": "Shipped"},
    }  # fmt: skip
    item = {
        "account_id": account, "amazon_order_id": oid, "order_item_id": f"{n:014d}",
        "asin": f"B0{n % 10**8:08d}", "seller_sku": f"SKU-{n % 5000}", "title": "Water Bottle",
        "quantity_ordered": 1, "quantity_shipped": 1, "item_price": "19.99", "currency": "USD",
        "raw": {"OrderItemId": f"{n:014d}"},
    }  # fmt: skip
    return order, item


def _orders_timed(dsn: str, account: str, count: int, *, product: bool) -> float:
    """Orders per second into staging (parsed records built inside the clock, as extract does)."""
    from buyer_messaging.extract import store as staging

    conn = connect(dsn)
    started = time.perf_counter()
    with conn, conn.cursor() as cur:
        for first in range(0, count, PAGE):
            page = [_order(account, n) for n in range(first, min(count, first + PAGE))]
            orders, items = [p[0] for p in page], [p[1] for p in page]
            if product:
                staging.upsert_orders(cur, account, orders, items)
                continue
            for order, item in page:  # the same statements, one row each
                staging.upsert_orders(cur, account, [order], [item])
    seconds = time.perf_counter() - started
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM staging.order_items WHERE account_id = %s", (account,))
        loaded = cur.fetchone()[0]
    conn.close()
    if loaded != count:
        raise RuntimeError(f"{account}: {loaded} orders loaded, {count} expected")
    return count / seconds


def run(quick: bool) -> list[Figure]:
    big = 100_000 if quick else 1_000_000
    slow = 10_000 if quick else 50_000
    middle = 20_000 if quick else 200_000
    orders_slow, orders_fast = (5_000, 20_000) if quick else (20_000, 100_000)
    with throwaway_database("bm_bench_load") as dsn:
        one_by_one = _orders_timed(dsn, "bench_orders_rbr", orders_slow, product=False)
        product = _orders_timed(dsn, "bench_orders_pages", orders_fast, product=True)
        rbr = _timed(dsn, _row_by_row, "bench_rbr", slow, 0)
        values = _timed(dsn, _execute_values, "bench_values", middle, 0)
        copy = _timed(dsn, _copy, "bench_copy", big, 0)
    return [
        Figure(
            "bulk_load_speedup",
            product / one_by_one,
            "x",
            ">= 5",
            note=f"staging.upsert_orders per page of {PAGE} orders (the product's loader)"
            f" {product:,.0f} orders/s ({orders_fast:,}) vs the same call one order at a time"
            f" {one_by_one:,.0f} orders/s ({orders_slow:,}); each order with one item. Outbox"
            f" rows, for reference: COPY {copy / rbr:.1f}x, execute_values {values / rbr:.1f}x"
            f" row-by-row INSERT ({rbr:,.0f} rows/s)",
        ),
        Figure(
            "load_rows_per_s",
            copy,
            "rows/s",
            None,
            note=f"COPY of {big:,} outbox rows in one transaction",
        ),
    ]
