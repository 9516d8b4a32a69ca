"""Postgres connections held by one task: the send task while it sends through all of its
rate buckets, and the validate task while Great Expectations reads.

A child process runs the real `tasks.send` for the demo account (accounts file, Airflow
connection `spapi_demo` from the environment, the warehouse DSN from the environment) over
ready review requests, against the emulator over HTTP: getSolicitationActionsForOrder and
the create call, each with its shared bucket in `messaging.rate_buckets`. Another runs the real
`tasks.validate` (its GX suites, quarantine and Data Docs) over orders, items and returns
bulk-loaded first. Meanwhile this process polls `pg_stat_activity` (from the admin database,
so the poll is not counted) for the backends connected to the throw-away warehouse, grouped
by application_name; the figure is the most seen at once over both tasks. Nothing else
connects to that database during a run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import psycopg2

from bench.common import (
    ADMIN_DSN,
    PY,
    ROOT,
    Emulator,
    Figure,
    insert_ready_rows,
    throwaway_database,
)

ACCOUNT = "demo"  # the shipped accounts file's account, as a deployment reads it
VALIDATE_ORDERS = 5_000


def _spapi_connection(url: str) -> str:
    from spapi_emulator.auth import DEFAULT_REFRESH_TOKEN

    return json.dumps(
        {
            "conn_type": "amazon_sp_api",
            "extra": {
                "refresh_token": DEFAULT_REFRESH_TOKEN,
                "lwa_app_id": "amzn1.application-oa2-client.bench",
                "lwa_client_secret": "bench-client-secret",
                "endpoint": url,
                "lwa_endpoint": f"{url}/auth/o2/token",
            },
        }
    )


def child(task: str, limit: int) -> None:
    """The task as Airflow's worker calls it: tasks.send for one batch, or tasks.validate for
    the last complete day (a run triggered without a logical date)."""
    from buyer_messaging import tasks

    if task == "send":
        counts = tasks.send(ACCOUNT, {"kind": "review_request", "limit": limit, "label": "bench"})
    else:
        counts = tasks.validate(ACCOUNT, {})
    print(json.dumps({"counts": counts}))


def _stage_for_validation(dsn: str, count: int) -> None:
    """`count` orders of the last 40 days with an item each and some returns, as the quality
    benchmark loads them, for the demo account."""
    from bench.common import copy_rows
    from bench.quality import RETURN_COLUMNS, _items, _orders, _returns
    from buyer_messaging.extract.store import ITEM_COLUMNS, ORDER_COLUMNS
    from buyer_messaging.warehouse.connection import connect

    def ours(rows: Any) -> Any:
        return ((ACCOUNT, *row[1:]) for row in rows)

    now = datetime.now(UTC)
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        copy_rows(cur, "staging.orders", ORDER_COLUMNS, ours(_orders(count, now)))
        copy_rows(cur, "staging.order_items", ITEM_COLUMNS, ours(_items(count)))
        copy_rows(cur, "staging.returns", RETURN_COLUMNS, ours(_returns(count, now)))
    conn.close()


def _sample(database: str, proc: subprocess.Popen[str]) -> tuple[int, Counter[str], int]:
    """(most backends at once, their application names at that moment, samples taken)."""
    admin = psycopg2.connect(ADMIN_DSN)
    admin.autocommit = True
    most, names, samples = 0, Counter[str](), 0
    with admin.cursor() as cur:
        while proc.poll() is None:
            cur.execute(
                "SELECT application_name, count(*) FROM pg_stat_activity"
                " WHERE datname = %s AND backend_type = 'client backend' GROUP BY 1",
                (database,),
            )
            now = Counter({name: int(n) for name, n in cur.fetchall()})
            samples += 1
            if sum(now.values()) > most:
                most, names = sum(now.values()), now
            time.sleep(0.005)
    admin.close()
    return most, names, samples


def _watch(task: str, dsn: str, env: dict[str, str], limit: int) -> dict[str, Any]:
    from psycopg2.extensions import parse_dsn

    proc = subprocess.Popen(
        [PY, "-m", "bench.connections", task, str(limit)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    most, names, samples = _sample(parse_dsn(dsn)["dbname"], proc)
    out, err = proc.communicate(timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"tasks.{task} failed: {err.strip().splitlines()[-1:]}")
    result = json.loads(out.strip().splitlines()[-1])
    return {"most": most, "names": dict(names), "samples": samples, **result}


def measure(orders_wanted: int) -> dict[str, dict[str, Any]]:
    with (
        Emulator(time_scale=20.0, orders_per_day=400) as emu,
        throwaway_database("bm_bench_conn") as dsn,
        tempfile.TemporaryDirectory() as docs,
    ):
        orders = emu.reviewable_orders(orders_wanted)
        insert_ready_rows(dsn, ACCOUNT, orders)
        env = {
            **os.environ,
            "BUYER_MESSAGING_WAREHOUSE_DSN": dsn,
            "AIRFLOW_CONN_SPAPI_DEMO": _spapi_connection(emu.url),
            "BUYER_MESSAGING_DATA_DOCS": docs,
        }
        env.pop("BUYER_MESSAGING_ACCOUNTS", None)  # the shipped file, with its demo account
        send = _watch("send", dsn, env, len(orders))
        emu.settle()
        send["ops"] = dict(Counter(r.operation for r in emu.log_since()))
        _stage_for_validation(dsn, VALIDATE_ORDERS)
        validate = _watch("validate", dsn, env, 0)
    return {"send": send, "validate": validate}


def run(quick: bool) -> list[Figure]:
    result = measure(60 if quick else 200)
    send, validate = result["send"], result["validate"]

    def names(found: dict[str, Any]) -> str:
        return ", ".join(f"{n or '(none)'} x{c}" for n, c in sorted(found["names"].items()))

    ops = ", ".join(f"{op} {n}" for op, n in sorted(send["ops"].items()))
    sent = send["counts"].get("sent", 0)
    checked = validate["counts"].get("checked", 0)
    about_send = (
        f"tasks.send sent {sent} review requests through the emulator ({ops}): {send['most']}"
        f" ({names(send)}) over {send['samples']} polls"
    )
    about_validate = (
        f"tasks.validate checked {checked} orders with GX: {validate['most']}"
        f" ({names(validate)}) over {validate['samples']} polls"
    )
    return [
        Figure(
            "pg_connections_per_task",
            max(send["most"], validate["most"]),
            "connections",
            "<= 1",
            note=f"most backends at once on the warehouse, polled from pg_stat_activity while one"
            f" task ran: {about_send}; {about_validate}",
        ),
        Figure(
            "pg_connections_per_task[send]", send["most"], "connections", "<= 1", note=about_send
        ),
        Figure(
            "pg_connections_per_task[validate]",
            validate["most"],
            "connections",
            "<= 1",
            note=about_validate,
        ),
    ]


if __name__ == "__main__":
    child(sys.argv[1], int(sys.argv[2]))
