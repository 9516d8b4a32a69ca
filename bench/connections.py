"""Postgres connections held by one send task while it sends through all of its rate buckets.

A child process runs the real `tasks.send` for the demo account (accounts file, Airflow
connection `spapi_demo` from the environment, the warehouse DSN from the environment) over
ready review requests, against the emulator over HTTP: getSolicitationActionsForOrder and
the create call, each with its shared bucket in `messaging.rate_buckets`. Meanwhile this
process polls `pg_stat_activity` (from the admin database, so the poll is not counted) for the
backends connected to the throw-away warehouse, grouped by application_name; the figure is
the most seen at once. Nothing else connects to that database during the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
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


def child(limit: int) -> None:
    """The send task as Airflow's worker calls it (tasks.send), for one batch."""
    from buyer_messaging import tasks

    counts = tasks.send(ACCOUNT, {"kind": "review_request", "limit": limit, "label": "bench"})
    print(json.dumps({"counts": counts}))


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


def measure(orders_wanted: int) -> dict[str, Any]:
    from psycopg2.extensions import parse_dsn

    with (
        Emulator(time_scale=20.0, orders_per_day=400) as emu,
        throwaway_database("bm_bench_conn") as dsn,
    ):
        orders = emu.reviewable_orders(orders_wanted)
        insert_ready_rows(dsn, ACCOUNT, orders)
        env = {
            **os.environ,
            "BUYER_MESSAGING_WAREHOUSE_DSN": dsn,
            "AIRFLOW_CONN_SPAPI_DEMO": _spapi_connection(emu.url),
        }
        env.pop("BUYER_MESSAGING_ACCOUNTS", None)  # the shipped file, with its demo account
        proc = subprocess.Popen(
            [PY, "-m", "bench.connections", str(len(orders))],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        most, names, samples = _sample(parse_dsn(dsn)["dbname"], proc)
        out, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"the send task failed: {err.strip().splitlines()[-1:]}")
        result = json.loads(out.strip().splitlines()[-1])
        emu.settle()
        ops = Counter(r.operation for r in emu.log_since())
    return {"most": most, "names": dict(names), "samples": samples, "ops": dict(ops), **result}


def run(quick: bool) -> list[Figure]:
    result = measure(60 if quick else 200)
    sent = result["counts"].get("sent", 0)
    ops = ", ".join(f"{op} {n}" for op, n in sorted(result["ops"].items()))
    names = ", ".join(f"{name or '(none)'} x{n}" for name, n in sorted(result["names"].items()))
    return [
        Figure(
            "pg_connections_per_task",
            result["most"],
            "connections",
            "<= 1",
            note=f"most backends at once on the warehouse ({names}) over {result['samples']}"
            f" polls of pg_stat_activity while tasks.send sent {sent} review requests through"
            f" the emulator ({ops})",
        )
    ]


if __name__ == "__main__":
    child(int(sys.argv[1]))
