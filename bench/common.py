"""What every benchmark shares: figures, a throw-away database, the emulator, checked clients.

Nothing here measures anything; each bench/<name>.py does, and returns a list of `Figure`.
"""

from __future__ import annotations

import json
import operator
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from spapi_emulator.auth import DEFAULT_REFRESH_TOKEN

ROOT = Path(__file__).resolve().parents[1]
ADMIN_DSN = os.environ.get(
    "BUYER_MESSAGING_BENCH_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)
PY = sys.executable


def prepare_environment() -> None:
    """Keep the emulator out of any proxy, and the library's env overrides out of our clients."""
    hosts = "127.0.0.1,localhost"
    for name in ("NO_PROXY", "no_proxy"):
        current = os.environ.get(name, "")
        os.environ[name] = f"{current},{hosts}" if current else hosts
    os.environ.pop("SP_API_DEFAULT_MARKETPLACE", None)
    os.environ.pop("BUYER_MESSAGING_WAREHOUSE_DSN", None)


# -- figures -------------------------------------------------------------------------------------

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq}
_TARGET = re.compile(r"^\s*(>=|<=|==|>|<)\s*(-?[0-9.]+)\s*$")


def passes(value: float | None, target: str | None) -> bool | None:
    """`target` is e.g. ">= 0.95"; None when there is no target or no value."""
    if target is None or value is None:
        return None
    match = _TARGET.match(target)
    if not match:
        raise ValueError(f"target {target!r} must look like '>= 0.95'")
    return bool(_OPS[match[1]](value, float(match[2])))


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    target: str | None = None
    note: str | None = None
    passed: bool | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.value is not None:
            self.value = round(float(self.value), 4)
        self.passed = passes(self.value, self.target)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "target": self.target,
            "pass": self.passed,
        }
        if self.note:
            out["note"] = self.note
        return out


def skipped(name: str, unit: str, target: str | None, why: str) -> Figure:
    return Figure(name, None, unit, target, note=f"skipped: {why}")


def failed(name: str, unit: str, target: str | None, why: str) -> Figure:
    fig = Figure(name, None, unit, target, note=f"error: {why}")
    fig.passed = False if target else None
    return fig


def peak_rss_mb() -> float:
    """This process's peak resident set size, in MB.

    /proc/self/status's VmHWM where there is one: it belongs to this program's own memory map.
    getrusage's ru_maxrss is kept across execve on Linux, so a child started by a big process
    (bench.run, after in-process benchmarks) would report at least its parent's size."""
    import resource

    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- warehouse -----------------------------------------------------------------------------------


@contextmanager
def throwaway_database(prefix: str = "bm_bench", *, migrated: bool = True) -> Iterator[str]:
    """A fresh database (migrated with the product's migrations), dropped afterwards."""
    import psycopg2
    from psycopg2.extensions import make_dsn

    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = psycopg2.connect(ADMIN_DSN)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    dsn = make_dsn(ADMIN_DSN, dbname=name)
    try:
        if migrated:
            from buyer_messaging.warehouse.connection import connect
            from buyer_messaging.warehouse.migrate import migrate

            conn = connect(dsn)
            migrate(conn)
            conn.close()
        yield dsn
    finally:
        admin = psycopg2.connect(ADMIN_DSN)
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def connect(dsn: str) -> Any:
    from buyer_messaging.warehouse.connection import connect as product_connect

    return product_connect(dsn, application_name="buyer-messaging-bench")


# -- emulator ------------------------------------------------------------------------------------

_LOG_LINE = re.compile(r"^(\S+) (\S+) -> (\d{3}) (\S+) ")
_ORDER_IN_PATH = re.compile(r"/orders/([0-9]{3}-[0-9]{7}-[0-9]{7})")


@dataclass(frozen=True)
class Request:
    """One SP-API request as the emulator logged it, stamped with our monotonic clock."""

    at: float
    method: str
    path: str
    status: int
    operation: str

    @property
    def order_id(self) -> str | None:
        match = _ORDER_IN_PATH.search(self.path)
        return match[1] if match else None


class Emulator:
    """`python -m spapi_emulator` in its own process (its own core and GIL), request log parsed.

    The emulator logs one line per request when it has handled it; a reader thread stamps
    each with `time.monotonic()` so benchmarks can look at the pace Amazon would see.
    """

    def __init__(
        self,
        *,
        seed: int = 11,
        orders_per_day: int = 400,
        time_scale: float = 20.0,
        faults: dict[str, Any] | None = None,
        marketplaces: str = "US",
    ) -> None:
        self.args = [
            PY, "-m", "spapi_emulator", "--host", "127.0.0.1", "--port", "0", "--seed", str(seed),
            "--orders-per-day", str(orders_per_day), "--time-scale", str(time_scale),
            "--marketplaces", marketplaces,
        ]  # fmt: skip
        self.time_scale = time_scale
        self.faults = faults
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.requests: list[Request] = []
        self._lock = threading.Lock()

    def start(self) -> Emulator:
        self.proc = subprocess.Popen(
            self.args,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            self.stop()
            raise RuntimeError(f"the emulator did not start: {line!r}")
        self.url = match[1]
        threading.Thread(target=self._read_log, daemon=True, name="emulator-log").start()
        if self.faults:
            self.post("/_emulator/faults", self.faults)
        return self

    def _read_log(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for line in self.proc.stderr:
            now = time.monotonic()
            match = _LOG_LINE.match(line)
            if match and not match[2].startswith("/_emulator") and not match[2].startswith("/auth"):
                with self._lock:
                    self.requests.append(Request(now, match[1], match[2], int(match[3]), match[4]))

    def log_since(self, start: float = 0.0, operation: str | None = None) -> list[Request]:
        with self._lock:
            return [
                r
                for r in self.requests
                if r.at >= start and (operation is None or r.operation == operation)
            ]

    def settle(self, quiet_s: float = 0.2) -> None:
        """Wait until the request log has stopped growing (the reader thread caught up)."""
        seen = -1
        while True:
            with self._lock:
                count = len(self.requests)
            if count == seen:
                return
            seen = count
            time.sleep(quiet_s)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # admin API
    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=60) as res:  # noqa: S310 - our emulator
            return json.load(res)

    def post(self, path: str, body: Any) -> Any:
        req = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(req, timeout=60) as res:  # noqa: S310
            return json.load(res)

    def reset(self) -> None:
        self.post("/_emulator/reset", {})
        with self._lock:
            self.requests.clear()

    def set_limit(self, operation: str, rate: float, burst: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"operation": operation, "rate": rate}
        if burst is not None:
            body["burst"] = burst
        return self.post("/_emulator/limits", body)

    def limit(self, operation: str) -> tuple[float, int]:
        """(effective rate per second, burst) of an operation now."""
        plan = self.get("/_emulator/limits")[operation]
        return float(plan["effective_rate"]), int(plan["burst"])

    def counters(self) -> dict[str, dict[str, int]]:
        return self.get("/_emulator/counters")

    def reviewable_orders(
        self, want: int, *, margin: timedelta = timedelta(hours=6)
    ) -> list[tuple[str, str]]:
        """(amazon_order_id, marketplace_id) of Shipped orders inside Amazon's review window now,
        from the emulator's ground truth, newest purchase days first."""
        found: list[tuple[str, str]] = []
        today = datetime.now(UTC).date()
        for back in range(6, 45):
            day = (today - timedelta(days=back)).isoformat()
            truth = self.get(f"/_emulator/orders?day={day}&limit=100000")
            now = _parse_time(truth["now"])
            for order in truth["orders"]:
                life = truth["lifecycle"][order["AmazonOrderId"]]
                window = life.get("review_window")
                if order["OrderStatus"] != "Shipped" or not window:
                    continue
                opens, closes = _parse_time(window[0]), _parse_time(window[1])
                if opens <= now and now + margin < closes:
                    found.append((order["AmazonOrderId"], order["MarketplaceId"]))
                    if len(found) >= want:
                        return found
        raise RuntimeError(
            f"only {len(found)} reviewable orders in the emulator; raise orders_per_day"
        )


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def credentials(url: str, marketplace: str = "US") -> Any:
    from buyer_messaging.spapi.credentials import SpApiCredentials

    return SpApiCredentials(
        refresh_token=DEFAULT_REFRESH_TOKEN,  # the one the emulator accepts
        lwa_app_id="amzn1.application-oa2-client.bench",
        lwa_client_secret="bench-client-secret",
        marketplace=marketplace,
        endpoint=url,
        lwa_endpoint=f"{url}/auth/o2/token",
    )


def client(api_cls: type, url: str, marketplace: str = "US") -> Any:
    """The product's checked python-amazon-sp-api client, pointed at the emulator."""
    from buyer_messaging.spapi.client import build_client

    return build_client(api_cls, credentials(url, marketplace))


def solicitations_client(url: str) -> Any:
    from sp_api.api import Solicitations

    return client(Solicitations, url)


def orders_client(url: str) -> Any:
    from sp_api.api.orders.orders_v0 import OrdersV0

    return client(OrdersV0, url)


# -- outbox --------------------------------------------------------------------------------------


def insert_ready_rows(
    dsn: str, account_id: str, orders: list[tuple[str, str]], *, kind: str = "review_request"
) -> int:
    """Outbox rows as plan + render_and_lint leave them for a solicitation: status ready."""
    from psycopg2.extras import execute_values

    today = datetime.now(UTC).date()
    send_before = datetime.now(UTC) + timedelta(days=2)
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        execute_values(
            cur,
            "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind, channel,"
            " status, planned_for, due_on, send_before, locale) VALUES %s",
            [
                (
                    account_id,
                    mp,
                    oid,
                    kind,
                    "solicitations",
                    "ready",
                    today,
                    today,
                    send_before,
                    "en_US",
                )
                for oid, mp in orders
            ],
        )
    conn.close()
    return len(orders)


def outbox_statuses(dsn: str, account_id: str) -> dict[str, int]:
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT status, count(*) FROM messaging.outbox WHERE account_id = %s GROUP BY status",
            (account_id,),
        )
        out = {status: int(n) for status, n in cur.fetchall()}
    conn.close()
    return out


def quiet_logs() -> None:
    import logging

    logging.getLogger("buyer_messaging").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)


class Alongside:
    """Run a baseline in a thread while ours runs in the caller's: the same seconds, the same
    noise on a shared machine. `result()` re-raises the baseline's exception."""

    def __init__(self, fn: Any, *args: Any) -> None:
        self._out: dict[str, Any] = {}

        def target() -> None:
            try:
                self._out["value"] = fn(*args)
            except BaseException as err:  # re-raised in result()
                self._out["error"] = err

        self._thread = threading.Thread(target=target, daemon=True, name="baseline")

    def start(self) -> Alongside:
        self._thread.start()
        return self

    def result(self) -> Any:
        self._thread.join()
        if "error" in self._out:
            raise self._out["error"]
        return self._out["value"]


# -- bulk loading --------------------------------------------------------------------------------


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


class CopyStream:
    """A file-like object COPY reads from, fed lazily by an iterator of row tuples (bounded
    memory whatever the row count)."""

    def __init__(self, rows: Iterator[tuple[Any, ...]] | Iterator[str]) -> None:
        """`rows`: tuples, or lines already in COPY text format (ending in a newline)."""
        self._rows = rows
        self._buffer = ""

    def read(self, size: int = 65536) -> str:
        parts = [self._buffer]
        have = len(self._buffer)
        for row in self._rows:
            line = row if isinstance(row, str) else "\t".join(_copy_text(v) for v in row) + "\n"
            parts.append(line)
            have += len(line)
            if have >= size:
                break
        data = "".join(parts)
        self._buffer = data[size:]
        return data[:size]

    readline = read


def copy_rows(
    cur: Any, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]] | Iterator[str]
) -> None:
    """COPY rows into table (psycopg2 copy_expert, text format)."""
    cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", CopyStream(rows))


def order_id(n: int) -> str:
    """A synthetic AmazonOrderId, unique per n."""
    return (
        f"9{n % 100:02d}-{(n // 100) % 10_000_000:07d}-{n // 1_000_000_000 + 1000000 + n % 7:07d}"
    )


MESSAGE_COLUMNS = (
    "account_id", "marketplace_id", "amazon_order_id", "kind", "channel", "status", "planned_for",
    "due_on", "send_before", "locale", "subject", "body",
)  # fmt: skip


def message_rows(account_id: str, count: int, *, start: int = 0) -> Iterator[tuple[Any, ...]]:
    """Outbox rows as render_and_lint leaves an e-mail relay message: ready, with its text."""
    today = datetime.now(UTC).date()
    before = datetime.now(UTC) + timedelta(days=20)
    for n in range(start, start + count):
        oid = order_id(n)
        yield (
            account_id, "ATVPDKIKX0DER", oid, "shipment_confirmation", "email_relay", "ready", today,
            today, before, "en_US", f"Your order {oid} is on its way",
            f"Hello,\n\nyour order {oid} left our warehouse today and should arrive within 3 days.\n"
            "Thank you for shopping with us.\n\nThe team",
        )  # fmt: skip


# -- the product's sender, as tasks.send wires it ------------------------------------------------


def caller_for(conn: Any, account_id: str, *, shared: bool = True) -> Any:
    """An SpApiCaller as tasks.send builds it: buckets shared in the warehouse when it can,
    on the sender's own connection `conn`."""
    import inspect

    from buyer_messaging.spapi.calls import SpApiCaller

    if shared and "shared" in inspect.signature(SpApiCaller).parameters:
        return SpApiCaller(shared=(conn, account_id))
    return SpApiCaller()


def send_review_requests(
    conn: Any, caller: Any, client: Any, *, account_id: str, limit: int
) -> Any:
    """send_batch for review requests through the Solicitations channel; copes with both the
    channel API (send_batch(conn, channel, ...)) and the older send_batch(conn, client, caller, ...)."""
    from buyer_messaging.send.batch import send_batch

    try:
        from buyer_messaging.send.channels import Solicitations
    except ImportError:
        return send_batch(
            conn, client, caller, account_id=account_id, kind="review_request", limit=limit
        )
    return send_batch(
        conn,
        Solicitations(caller, client),
        account_id=account_id,
        kind="review_request",
        limit=limit,
    )


def close_caller(caller: Any) -> None:
    if hasattr(caller, "close"):
        caller.close()


def message_lines(account_id: str, count: int, *, start: int = 0) -> Iterator[str]:
    """`message_rows` as COPY text lines, built with one format per row (a loader that streams
    COPY formats its text once, it does not escape field by field)."""
    first = next(message_rows(account_id, 1))
    cells = [_copy_text(v) for v in first]
    oid = first[2]
    template = "\t".join(cells).replace("{", "{{").replace("}", "}}").replace(oid, "{oid}") + "\n"
    for n in range(start, start + count):
        yield template.format(oid=order_id(n))
