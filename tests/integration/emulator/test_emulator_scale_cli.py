"""A million orders a day without holding them, and the command line."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sp_api.api import Orders

from spapi_emulator.testing import client_kwargs

ROOT = Path(__file__).resolve().parents[3]


def test_a_million_orders_a_day_are_generated_lazily(make_server, admin):
    srv = make_server(time_scale=1e6, orders_per_day=1_000_000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    client = Orders(**client_kwargs(srv.url))
    started = time.perf_counter()
    page = client.get_orders(
        CreatedAfter="2026-11-10T05:00:00Z", CreatedBefore="2026-11-10T06:00:00Z"
    )
    second = client.get_orders(NextToken=page.next_token)
    assert time.perf_counter() - started < 3.0
    assert len(page.payload["Orders"]) == len(second.payload["Orders"]) == 100
    first_ids = {o["AmazonOrderId"] for o in page.payload["Orders"]}
    assert not first_ids & {o["AmazonOrderId"] for o in second.payload["Orders"]}
    # an id leads straight back to its order: no scan of the day
    started = time.perf_counter()
    assert client.get_order(sorted(first_ids)[0]).payload["AmazonOrderId"] == sorted(first_ids)[0]
    assert time.perf_counter() - started < 1.0
    # a LastUpdated page is bounded in time even where matches are sparse (a short page + NextToken)
    started = time.perf_counter()
    updated = client.get_orders(
        LastUpdatedAfter="2026-11-10T05:00:00Z", LastUpdatedBefore="2026-11-10T06:00:00Z"
    )
    assert time.perf_counter() - started < 4.5 and updated.next_token
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100
    assert (
        admin(srv)
        .get("/_emulator/orders", params={"day": "2026-11-10", "limit": 5})
        .json()["count"]
        > 900_000
    )


def test_command_line_serves_until_stopped(tmp_path):
    faults = tmp_path / "faults.json"
    faults.write_text('{"latency_ms": [0, 1]}')
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spapi_emulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--seed",
            "4",
            "--orders-per-day",
            "12",
            "--time-scale",
            "50",
            "--faults",
            str(faults),
            "--now",
            "2026-11-20T12:00:00Z",
            "--marketplaces",
            "US,GB",
            "--returns-format",
            "hyphenated",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("spapi-emulator listening on http://127.0.0.1:")
        url = line.strip().rsplit(" ", 1)[-1]
        client = Orders(**client_kwargs(url))
        orders = client.get_orders(
            CreatedAfter="2026-11-18T00:00:00Z",
            CreatedBefore="2026-11-19T00:00:00Z",
            MarketplaceIds=["ATVPDKIKX0DER", "A1F83G8C2ARO7P"],
        ).payload["Orders"]
        assert {o["MarketplaceId"] for o in orders} == {"ATVPDKIKX0DER", "A1F83G8C2ARO7P"}
        assert httpx.get(url + "/_emulator/clock", trust_env=False).json() == {
            "now": "2026-11-20T12:00:00Z"
        }
        assert httpx.get(url + "/_emulator/report-format", trust_env=False).json() == {
            "returns": "hyphenated"
        }
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "GET /orders/v0/orders" in err and "getOrders" in err  # one line per request
