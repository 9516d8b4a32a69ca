"""Memory of render_and_lint at scale: the real stage over 1,000,000 planned outbox rows.

Staging (orders with the buyer's name and delivery address in `raw`, one item each, one
package with carrier and tracking number) and the outbox's planned shipment confirmations
are bulk-loaded with COPY and ANALYZEd (not measured). Then `render_and_lint` (the function
`tasks.render_and_lint` calls) runs in a child process over all of them, on one connection,
and the child reports its own peak RSS (VmHWM, `common.peak_rss_mb`): the stage's whole process,
interpreter, Jinja2, Babel, the linter's rules and Hyperscan database included.

Quick mode: 50,000 rows, named so (`render_lint_peak_rss_mb_50k`); the 1M figure is only
produced by a full run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import (
    PY,
    ROOT,
    Figure,
    connect,
    copy_rows,
    order_id,
    peak_rss_mb,
    throwaway_database,
)

ACCOUNT = "bench_render"
SHIPMENT_COLUMNS = (
    "account_id", "amazon_order_id", "package_reference_id", "carrier", "tracking_number",
    "ship_date", "estimated_delivery_start", "estimated_delivery_end", "raw",
)  # fmt: skip
OUTBOX_COLUMNS = (
    "account_id", "marketplace_id", "amazon_order_id", "kind", "channel", "status",
    "planned_for", "due_on", "send_before",
)  # fmt: skip
TITLES = (
    "Wireless Earbuds, Bluetooth 5.3",
    "Crème brûlée torch — professional ☕",
    "Kids' <b>Puzzle</b> Set {{ 7*7 }} 1000 pieces",
    "Ergonomic Office Chair with Lumbar Support, Adjustable Height, Breathable Mesh",
    "Stainless Steel Water Bottle 750 ml\u200b",
)
NAMES = ("Zoë Miller", "José Álvarez", "Łukasz Nowak", "Anne-Marie Smith", "O'Brien Kelly")
CARRIERS = ("UPS", "USPS", "FEDEX", "AMZN_US")


def _raw(n: int) -> str:
    return json.dumps(
        {
            "AmazonOrderId": order_id(n),
            "BuyerInfo": {"BuyerName": NAMES[n % len(NAMES)]},
            "ShippingAddress": {
                "Name": NAMES[n % len(NAMES)],
                "AddressLine1": f"{1 + n % 900} Main Street",
                "City": "Seattle",
                "StateOrRegion": "WA",
                "PostalCode": "98101",
                "CountryCode": "US",
            },
        },
        ensure_ascii=False,
    )


def _orders(count: int, now: datetime) -> Iterator[tuple[Any, ...]]:
    for n in range(count):
        bought = now - timedelta(days=2, seconds=n % 80_000)
        yield (
            ACCOUNT, order_id(n), "ATVPDKIKX0DER", "US", "Shipped", "MFN", bought.isoformat(),
            now.isoformat(), bought.isoformat(), (bought + timedelta(days=1)).isoformat(),
            (bought + timedelta(days=3)).isoformat(), (bought + timedelta(days=6)).isoformat(),
            f"{10 + n % 90}.99", "USD", n % 3 == 0, 1, 0, f"{n:016x}", _raw(n),
        )  # fmt: skip


def _items(count: int) -> Iterator[tuple[Any, ...]]:
    for n in range(count):
        oid = order_id(n)
        yield (
            ACCOUNT, oid, f"{n:014d}", f"B0{n % 10**8:08d}", f"SKU-{n % 5000}",
            TITLES[n % len(TITLES)], 1 + n % 3, 1 + n % 3, f"{10 + n % 90}.99", "USD", "{}",
        )  # fmt: skip


def _shipments(count: int, now: datetime) -> Iterator[tuple[Any, ...]]:
    for n in range(count):
        shipped = now - timedelta(hours=10)
        yield (
            ACCOUNT, order_id(n), f"P{n}", CARRIERS[n % len(CARRIERS)], f"1Z{n:016d}",
            shipped.isoformat(), (shipped + timedelta(days=2)).isoformat(),
            (shipped + timedelta(days=4)).isoformat(), "{}",
        )  # fmt: skip


def _outbox(count: int, now: datetime) -> Iterator[tuple[Any, ...]]:
    today = now.date()
    before = (now + timedelta(days=5)).isoformat()
    for n in range(count):
        yield (
            ACCOUNT, "ATVPDKIKX0DER", order_id(n), "shipment_confirmation", "email_relay",
            "planned", today, today, before,
        )  # fmt: skip


def load(dsn: str, count: int) -> None:
    from buyer_messaging.extract.store import ITEM_COLUMNS, ORDER_COLUMNS

    now = datetime.now(UTC)
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        copy_rows(cur, "staging.orders", ORDER_COLUMNS, _orders(count, now))
        copy_rows(cur, "staging.order_items", ITEM_COLUMNS, _items(count))
        copy_rows(cur, "staging.shipments", SHIPMENT_COLUMNS, _shipments(count, now))
        copy_rows(cur, "messaging.outbox", OUTBOX_COLUMNS, _outbox(count, now))
    conn.autocommit = True
    with conn.cursor() as cur:
        for table in ("staging.orders", "staging.order_items", "staging.shipments"):
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("VACUUM ANALYZE messaging.outbox")
    conn.close()


def child(dsn: str) -> None:
    """In its own process: the stage over every planned row; prints seconds, counts, RSS."""
    from buyer_messaging.compose.stage import render_and_lint
    from buyer_messaging.lint import load_rules

    rules = load_rules()  # the stage's own start-up, so the figure below is the stage's growth
    before_mb = peak_rss_mb()
    conn = connect(dsn)
    started = time.perf_counter()
    counts = render_and_lint(
        conn, account_id=ACCOUNT, locale="en-US", seller_name="Acme Home & Garden", rules=rules
    )
    seconds = time.perf_counter() - started
    conn.close()
    peak_mb = peak_rss_mb()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "counts": dict(counts),
                "peak_rss_mb": peak_mb,
                "start_rss_mb": before_mb,
            }
        )
    )


def measure(count: int) -> dict[str, Any]:
    with throwaway_database("bm_bench_render") as dsn:
        started = time.perf_counter()
        load(dsn, count)
        loaded_s = time.perf_counter() - started
        out = subprocess.run(
            [PY, "-m", "bench.render_memory", dsn],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=7200,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        conn = connect(dsn)
        with conn, conn.cursor() as cur:
            cur.execute(
                "SELECT status, count(*) FROM messaging.outbox WHERE account_id = %s GROUP BY 1",
                (ACCOUNT,),
            )
            result["statuses"] = dict(cur.fetchall())
        conn.close()
    result["load_s"] = loaded_s
    return result


def run(quick: bool) -> list[Figure]:
    count = 50_000 if quick else 1_000_000
    result = measure(count)
    statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(result["statuses"].items()))
    name = "render_lint_peak_rss_mb_50k" if quick else "render_lint_peak_rss_mb_1m"
    return [
        Figure(
            name,
            result["peak_rss_mb"],
            "MB",
            "<= 300",
            note=f"render_and_lint over {count:,} planned shipment confirmations in"
            f" {result['seconds']:.0f}s ({count / result['seconds']:,.0f} msgs/s), ending {statuses};"
            f" {result['start_rss_mb']:.0f} MB after imports and rules, before the first row"
            + (
                "; quick mode: 50k rows (the whole quick bench stays under 10 minutes), the 1M figure is full mode only"
                if quick
                else ""
            ),
        )
    ]


if __name__ == "__main__":
    child(sys.argv[1])
