"""Distributed mode, natively: a real Airflow 3.3 deployment with CeleryExecutor on this machine.

The test starts, as subprocesses sharing one environment, `airflow api-server` (the workers'
execution API), `airflow scheduler`, `airflow dag-processor` and two `airflow celery worker`s
(`-H w1`, `-H w2`, concurrency 2 each) on Redis (a private db, flushed first) and a throw-away
Postgres metadata database, with a throw-away warehouse and one SP-API emulator per account
(time-scaled: solicitations at 5/s, burst 5). It runs yesterday's interval of two accounts'
DAGs and checks what only a real deployment can show: the mapped send batches ran on both
workers, no order got two review requests, what the warehouse recorded as sent is what Amazon
(the emulator) received, and each account stayed within its rate although its batches ran in
several processes on two workers.

Each worker reports its own host name (w1, w2) through `[core] hostname_callable`
(worker_path/bm_worker_hostname.py): both run on one machine, where the FQDN is the same.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import psycopg2
import pytest
from support import postgres_connection_json, spapi_connection_json

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
AIRFLOW = Path(sys.executable).with_name("airflow")
REDIS_DB = 7
BROKER = f"redis://127.0.0.1:6379/{REDIS_DB}"
# one run at a time on a machine: the test flushes its Redis db
LOCK_FILE = Path(tempfile.gettempdir()) / f"bm-distributed-redis-{REDIS_DB}.lock"

ACCOUNTS = {"alpha": "US", "beta": "GB"}
BATCH_SIZE = 20
LOOKBACK_DAYS = 20
ORDERS_PER_DAY = 10
TIME_SCALE = 5.0  # solicitations: 1/s burst 5 at Amazon -> 5/s burst 5 here
SOLICITATION_OPS = (
    "getSolicitationActionsForOrder",
    "createProductReviewAndSellerFeedbackSolicitation",
)

RUN_TIMEOUT_S = 360  # both DAG runs, from trigger to success
START_TIMEOUT_S = 180


# --------------------------------------------------------------------------------------------
# processes


class Stack:
    """The subprocesses of one deployment: logs in `logs/`, torn down by process group."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: list[str], **extra_env: str) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it
        proc = subprocess.Popen(
            argv,
            env={**self.env, **extra_env},
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: teardown kills the whole tree
        )
        log.close()
        self.procs[name] = proc
        return proc

    def alive(self, name: str) -> bool:
        return self.procs[name].poll() is None

    def wait_for_line(self, name: str, pattern: str, timeout: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            match = regex.search((self.logs / f"{name}.log").read_text(errors="replace"))
            if match:
                return match
            if not self.alive(name):
                raise AssertionError(
                    f"{name} exited ({self.procs[name].returncode}) before /{pattern}/"
                )
            time.sleep(0.5)
        raise AssertionError(f"{name}: no /{pattern}/ within {timeout}s")

    def kill(self, name: str, grace: float = 10.0) -> None:
        self._signal_all([name], grace)

    def stop(self) -> None:
        self._signal_all(list(self.procs), grace=15.0)

    def _signal_all(self, names: list[str], grace: float) -> None:
        import psutil

        # the descendants too, by pid, in case one left the group (e.g. a task runner)
        pids: dict[str, set[int]] = {}
        for name in names:
            proc = self.procs[name]
            found = {proc.pid}
            with contextlib.suppress(psutil.Error):
                found |= {child.pid for child in psutil.Process(proc.pid).children(recursive=True)}
            pids[name] = found
        for name in names:
            self._send(self.procs[name].pid, pids[name], signal.SIGTERM)
        deadline = time.monotonic() + grace
        for name in names:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.procs[name].wait(timeout=max(0.1, deadline - time.monotonic()))
        for name in names:
            self._send(self.procs[name].pid, pids[name], signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.procs[name].wait(timeout=5)

    @staticmethod
    def _send(leader: int, pids: set[int], sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(leader, sig)  # the group we created with start_new_session
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)

    def tail(self, name: str, lines: int = 60) -> str:
        path = self.logs / f"{name}.log"
        text = (
            path.read_text(errors="replace").splitlines()[-lines:]
            if path.exists()
            else ["(no log)"]
        )
        return f"----- {name} (last {len(text)} lines of {path}) -----\n" + "\n".join(text)

    def tails(self, lines: int = 60) -> str:
        return "\n".join(self.tail(name, lines) for name in self.procs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture
def redis_db() -> Iterator[str]:
    """Redis db 7 of the machine's Redis, ours alone for the test (file lock), flushed."""
    try:
        import redis
    except ImportError:
        pytest.skip("the redis client is not installed (apache-airflow-providers-celery brings it)")
    client = redis.Redis.from_url(BROKER, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as err:
        pytest.skip(f"no Redis at 127.0.0.1:6379 ({err})")
    with open(LOCK_FILE, "a") as lock:
        deadline = time.monotonic() + 900
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(f"another run of this test held {LOCK_FILE} for 15 minutes")
                time.sleep(2)
        client.flushdb()
        try:
            yield BROKER
        finally:
            client.flushdb()
            client.close()
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture
def databases(pg_admin: str) -> Iterator[tuple[str, str]]:
    """A throw-away Airflow metadata database and a throw-away warehouse, dropped after."""
    from psycopg2.extensions import make_dsn

    names = [f"bm_dist_meta_{secrets.token_hex(4)}", f"bm_dist_wh_{secrets.token_hex(4)}"]
    admin = psycopg2.connect(pg_admin)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            for name in names:
                cur.execute(f'CREATE DATABASE "{name}"')
        yield make_dsn(pg_admin, dbname=names[0]), make_dsn(pg_admin, dbname=names[1])
    finally:
        with admin.cursor() as cur:
            for name in names:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def sqlalchemy_url(dsn: str, driver: str = "postgresql+psycopg2") -> str:
    from psycopg2.extensions import parse_dsn

    p = parse_dsn(dsn)
    auth = quote(p.get("user", "postgres"), safe="")
    if p.get("password"):
        auth += ":" + quote(p["password"], safe="")
    host, port, db = p.get("host", "127.0.0.1"), p.get("port", "5432"), p["dbname"]
    if host.startswith("/"):  # a Unix socket (the embedded Postgres)
        return f"{driver}://{auth}@/{db}?host={quote(host, safe='/')}&port={port}"
    return f"{driver}://{auth}@{host}:{port}/{db}"


# --------------------------------------------------------------------------------------------
# the test


def test_two_accounts_on_two_celery_workers(redis_db, databases, tmp_path):
    meta_dsn, warehouse_dsn = databases
    started = time.monotonic()
    home = tmp_path / "airflow_home"
    home.mkdir()
    accounts_file = tmp_path / "accounts.yaml"
    accounts_file.write_text(
        "accounts:\n"
        + "".join(
            f"  - id: {acc}\n    marketplace: {mkt}\n    kinds: [review_request]\n"
            f"    batch_size: {BATCH_SIZE}\n    lookback_days: {LOOKBACK_DAYS}\n"
            for acc, mkt in ACCOUNTS.items()
        )
    )
    api_port = free_port()
    meta_url = sqlalchemy_url(meta_dsn)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "BUYER_MESSAGING_"))}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta_url,
            "AIRFLOW__CELERY__BROKER_URL": redis_db,
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + meta_url,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            # runs are the ones this test triggers, for the interval it names
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "bm_worker_hostname.hostname",
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(HERE / "worker_path"), env.get("PYTHONPATH")])
            ),
            "BUYER_MESSAGING_ACCOUNTS": str(accounts_file),
            "BUYER_MESSAGING_DATA_DOCS": str(tmp_path / "data_docs"),
            "AIRFLOW_CONN_MESSAGING_WAREHOUSE": postgres_connection_json(warehouse_dsn),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    stack = Stack(tmp_path, env)
    timings: dict[str, float] = {}
    try:
        # emulators first (they are quick), one per account so counters are per account
        emulators: dict[str, str] = {}
        for i, (acc, mkt) in enumerate(ACCOUNTS.items()):
            stack.start(
                f"emulator-{acc}",
                [sys.executable, "-m", "spapi_emulator", "--port", "0", "--seed", str(11 + i),
                 "--orders-per-day", str(ORDERS_PER_DAY), "--time-scale", str(TIME_SCALE),
                 "--marketplaces", mkt],
            )  # fmt: skip
        stack.start("db-migrate", [str(AIRFLOW), "db", "migrate"])
        for acc, mkt in ACCOUNTS.items():
            url = stack.wait_for_line(f"emulator-{acc}", r"listening on (http://\S+)", 60)[1]
            emulators[acc] = url
            # extraction is not under test here: its item calls go fast; solicitations keep
            # Amazon's 1/s burst 5 (x time_scale)
            httpx.post(
                f"{url}/_emulator/limits",
                json={"operation": "getOrderItems", "rate": 20, "burst": 30},
            )
            env[f"AIRFLOW_CONN_SPAPI_{acc.upper()}"] = spapi_connection_json(url, marketplace=mkt)
        proc = stack.procs["db-migrate"]
        try:
            proc.wait(timeout=START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"airflow db migrate took over {START_TIMEOUT_S}s") from None
        assert proc.returncode == 0, f"airflow db migrate exited {proc.returncode}"
        timings["db migrate"] = time.monotonic() - started

        stack.start(
            "api-server",
            [
                str(AIRFLOW),
                "api-server",
                "--host",
                "127.0.0.1",
                "--port",
                str(api_port),
                "--workers",
                "1",
            ],
        )
        stack.start("scheduler", [str(AIRFLOW), "scheduler"])
        stack.start("dag-processor", [str(AIRFLOW), "dag-processor"])
        for worker in ("w1", "w2"):
            stack.start(
                f"worker-{worker}",
                [
                    str(AIRFLOW),
                    "celery",
                    "worker",
                    "-H",
                    worker,
                    "--concurrency",
                    "2",
                    "--skip-serve-logs",
                ],
                BM_WORKER_HOSTNAME=worker,
            )
        for acc in ACCOUNTS:
            stack.start(
                f"pools-set-{acc}",
                [str(AIRFLOW), "pools", "set", f"spapi_{acc}", "4", f"SP-API sends for {acc}"],
            )

        wait_http(
            stack, "api-server", f"http://127.0.0.1:{api_port}/execution/health", START_TIMEOUT_S
        )
        for worker in ("w1", "w2"):
            stack.wait_for_line(f"worker-{worker}", rf"{worker}\S* ready", START_TIMEOUT_S)
        for acc in ACCOUNTS:
            wait_exit(stack, f"pools-set-{acc}", START_TIMEOUT_S)
        dag_ids = [f"buyer_messaging_{acc}" for acc in ACCOUNTS]
        wait_serialized(stack, meta_dsn, dag_ids, START_TIMEOUT_S)
        timings["deployment up"] = time.monotonic() - started

        # yesterday [D, D+1) in each account's time zone: logical date D+1 00:00 local
        from buyer_messaging.config import load_accounts

        expected: dict[str, tuple[datetime, datetime]] = {}
        stack.start(
            "unpause",
            [
                str(AIRFLOW),
                "dags",
                "unpause",
                "--treat-dag-id-as-regex",
                "-y",
                "^buyer_messaging_(alpha|beta)$",
            ],
        )
        for acc in load_accounts(accounts_file):
            tz = ZoneInfo(acc.tz)
            today = datetime.now(tz).date()
            day = today - timedelta(days=1)
            start = datetime(day.year, day.month, day.day, tzinfo=tz)
            end = datetime(today.year, today.month, today.day, tzinfo=tz)
            expected[acc.dag_id] = (start, end)
            stack.start(
                f"trigger-{acc.id}",
                [str(AIRFLOW), "dags", "trigger", acc.dag_id, "--logical-date", end.isoformat()],
            )
        for name in ["unpause", *(f"trigger-{acc}" for acc in ACCOUNTS)]:
            wait_exit(stack, name, 120)
        triggered = time.monotonic()
        timings["triggered"] = triggered - started

        runs = wait_runs(stack, meta_dsn, dag_ids, RUN_TIMEOUT_S)
        timings["runs done"] = time.monotonic() - started
        print(f"timings (s since start): { {k: round(v, 1) for k, v in timings.items()} }")

        # 1. both runs succeeded, for yesterday's interval
        for dag_id, (state, start, end) in runs.items():
            assert state == "success", f"{dag_id}: run {state}\n{failed_task_logs(home, meta_dsn)}"
            assert (start, end) == expected[dag_id], (
                f"{dag_id}: interval {start} .. {end}, not {expected[dag_id]}"
            )

        # 2. the tasks ran on both workers
        tis = task_instances(meta_dsn, dag_ids)
        sends = [ti for ti in tis if ti["task_id"] == "send" and ti["map_index"] >= 0]
        print(
            "send batches:",
            [(ti["dag_id"][16:], ti["map_index"], ti["hostname"], ti["state"]) for ti in sends],
        )
        assert all(ti["state"] == "success" for ti in tis), [
            ti for ti in tis if ti["state"] != "success"
        ]
        # one sender per kind since the send stage is time-boxed (a second only when the queue
        # outlasts the run): each account's send ran, and the runs' tasks used both workers
        for dag_id in dag_ids:
            assert sum(ti["dag_id"] == dag_id for ti in sends) >= 1, f"{dag_id}: no send ran"
        assert {ti["hostname"] for ti in tis} == {"w1", "w2"}

        # 3. exactly once, per account: the warehouse's sent set is what Amazon received
        # 4. within each account's rate: Amazon throttled (almost) nothing
        for acc in ACCOUNTS:
            url = emulators[acc]
            received = [
                r["amazonOrderId"]
                for r in httpx.get(f"{url}/_emulator/received").json()["solicitations"]
            ]
            dupes = {order: n for order, n in Counter(received).items() if n > 1}
            assert not dupes, f"{acc}: orders with more than one review request: {dupes}"
            sent = warehouse_sent(warehouse_dsn, acc)
            assert len(sent) > 2 * BATCH_SIZE, f"{acc}: only {len(sent)} sent"
            assert set(received) == sent, (
                f"{acc}: received but not recorded {sorted(set(received) - sent)[:5]},"
                f" recorded but not received {sorted(sent - set(received))[:5]}"
            )
            print(f"{acc}: {len(sent)} review requests sent, {len(received)} received")
            print(
                f"{acc} rate buckets:",
                meta_query(
                    warehouse_dsn,
                    "SELECT operation, rate, burst, throttled FROM messaging.rate_buckets"
                    " WHERE account_id = %s ORDER BY 1",
                    (acc,),
                ),
            )
            counters = httpx.get(f"{url}/_emulator/counters").json()
            for op in SOLICITATION_OPS:
                requests = counters["requests"].get(op, 0)
                throttled = counters["throttled"].get(op, 0)
                print(f"{acc} {op}: {requests} requests, {throttled} throttled")
                assert requests >= len(sent)
                # paced at Amazon's rate, arrival jitter between processes would cost the odd
                # 429 (retried, never a duplicate); a token of headroom (calls.BURST_HEADROOM)
                # absorbs it: 0 of ~260 here. The allowance is for a heavily loaded machine
                assert throttled <= max(2, 0.02 * requests), (
                    f"{acc} {op}: {throttled} of {requests} throttled; the send batches said:\n"
                    + "\n".join(send_summaries(home, f"buyer_messaging_{acc}"))
                )

        # 5. a backfill through Airflow's own CLI, as the README's runbook gives it: alpha's two
        # days before yesterday, dates as local midnights. Each run gets its day's interval in
        # the account's time zone, and the warehouse ends as daily runs left it: everything
        # due was planned (and sent) once already, so nothing new is sent
        alpha = next(a for a in load_accounts(accounts_file) if a.id == "alpha")
        tz = ZoneInfo(alpha.tz)
        today = datetime.now(tz).date()
        days = [today - timedelta(days=n) for n in (3, 2)]
        midnight = [
            datetime(d.year, d.month, d.day, tzinfo=tz) for d in [*days, today - timedelta(days=1)]
        ]
        before = outbox_rows(warehouse_dsn, "alpha")
        received_before = len(
            httpx.get(f"{emulators['alpha']}/_emulator/received").json()["solicitations"]
        )
        stack.start(
            "backfill",
            [str(AIRFLOW), "backfill", "create", "--dag-id", alpha.dag_id,
             "--from-date", midnight[0].isoformat(), "--to-date", midnight[1].isoformat()],
        )  # fmt: skip
        wait_exit(stack, "backfill", 120)
        backfilled = wait_backfill(stack, meta_dsn, alpha.dag_id, len(days), RUN_TIMEOUT_S)
        timings["backfill done"] = time.monotonic() - started
        assert [(start, end) for _, start, end in backfilled] == [
            (midnight[0], midnight[1]), (midnight[1], midnight[2]),
        ], f"backfill intervals {backfilled}"  # fmt: skip
        assert all(state == "success" for state, _, _ in backfilled), failed_task_logs(
            home, meta_dsn
        )
        assert outbox_rows(warehouse_dsn, "alpha") == before
        received = httpx.get(f"{emulators['alpha']}/_emulator/received").json()["solicitations"]
        assert len(received) == received_before
        print(f"backfill {days[0]} .. {days[-1]}: {len(backfilled)} runs, nothing new sent")
        print(f"timings (s since start): { {k: round(v, 1) for k, v in timings.items()} }")
        print(f"distributed test: {time.monotonic() - started:.0f}s in all")
    except BaseException:
        print(stack.tails(), file=sys.stderr)
        with contextlib.suppress(Exception):
            print(failed_task_logs(home, meta_dsn), file=sys.stderr)
        raise
    finally:
        stack.stop()


# --------------------------------------------------------------------------------------------
# helpers (all bounded)


def wait_http(stack: Stack, name: str, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not stack.alive(name):
            raise AssertionError(f"{name} exited ({stack.procs[name].returncode})")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(1)
    raise AssertionError(f"{name}: {url} did not answer within {timeout}s")


def wait_exit(stack: Stack, name: str, timeout: float) -> None:
    proc = stack.procs[name]
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"{name} took over {timeout}s") from None
    assert proc.returncode == 0, f"{name} exited {proc.returncode}\n{stack.tail(name)}"


def meta_query(dsn: str, sql: str, params: tuple = ()) -> list[tuple]:
    conn = psycopg2.connect(dsn, connect_timeout=5)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def wait_serialized(stack: Stack, dsn: str, dag_ids: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name in ("scheduler", "dag-processor", "api-server", "worker-w1", "worker-w2"):
            assert stack.alive(name), f"{name} exited ({stack.procs[name].returncode})"
        with contextlib.suppress(psycopg2.Error):
            found = meta_query(
                dsn, "SELECT DISTINCT dag_id FROM serialized_dag WHERE dag_id = ANY(%s)", (dag_ids,)
            )
            if len(found) == len(dag_ids):
                return
        time.sleep(1)
    raise AssertionError(f"the dag-processor did not serialize {dag_ids} within {timeout}s")


def wait_runs(stack: Stack, dsn: str, dag_ids: list[str], timeout: float) -> dict[str, tuple]:
    deadline = time.monotonic() + timeout
    last_report = 0.0
    runs: dict[str, tuple] = {}
    while time.monotonic() < deadline:
        for name in ("scheduler", "api-server", "worker-w1", "worker-w2"):
            assert stack.alive(name), f"{name} exited ({stack.procs[name].returncode})"
        rows = meta_query(
            dsn,
            "SELECT dag_id, state, data_interval_start, data_interval_end FROM dag_run WHERE dag_id = ANY(%s)",
            (dag_ids,),
        )
        assert len(rows) <= len(dag_ids), f"more runs than triggered: {rows}"
        runs = {dag_id: (state, start, end) for dag_id, state, start, end in rows}
        if len(runs) == len(dag_ids) and all(r[0] in ("success", "failed") for r in runs.values()):
            return runs
        if time.monotonic() - last_report > 20:
            last_report = time.monotonic()
            states = meta_query(
                dsn,
                "SELECT dag_id, state, count(*) FROM task_instance WHERE dag_id = ANY(%s) GROUP BY 1, 2 ORDER BY 1, 2",
                (dag_ids,),
            )
            print(f"[{time.strftime('%H:%M:%S')}] runs {runs}; task instances {states}")
        time.sleep(2)
    raise AssertionError(f"runs not finished within {timeout}s: {runs}")


def wait_backfill(stack: Stack, dsn: str, dag_id: str, count: int, timeout: float) -> list[tuple]:
    """(state, interval start, interval end) of the DAG's backfill runs, oldest first, once done."""
    deadline = time.monotonic() + timeout
    rows: list[tuple] = []
    while time.monotonic() < deadline:
        for name in ("scheduler", "api-server", "worker-w1", "worker-w2"):
            assert stack.alive(name), f"{name} exited ({stack.procs[name].returncode})"
        rows = meta_query(
            dsn,
            "SELECT state, data_interval_start, data_interval_end FROM dag_run"
            " WHERE dag_id = %s AND run_type = 'backfill' ORDER BY data_interval_start",
            (dag_id,),
        )
        if len(rows) >= count and all(state in ("success", "failed") for state, _, _ in rows):
            return rows
        time.sleep(2)
    raise AssertionError(f"backfill of {dag_id} not finished within {timeout}s: {rows}")


def outbox_rows(dsn: str, account_id: str) -> set[tuple]:
    return set(
        meta_query(
            dsn,
            "SELECT amazon_order_id, kind, status, due_on FROM messaging.outbox WHERE account_id = %s",
            (account_id,),
        )
    )


def task_instances(dsn: str, dag_ids: list[str]) -> list[dict]:
    cols = ("dag_id", "task_id", "map_index", "state", "hostname", "try_number")
    rows = meta_query(
        dsn, f"SELECT {', '.join(cols)} FROM task_instance WHERE dag_id = ANY(%s)", (dag_ids,)
    )
    return [dict(zip(cols, row, strict=True)) for row in rows]


def warehouse_sent(dsn: str, account_id: str) -> set[str]:
    rows = meta_query(
        dsn,
        "SELECT amazon_order_id FROM reporting.message_log"
        " WHERE account_id = %s AND kind = 'review_request' AND status = 'sent'",
        (account_id,),
    )
    return {order for (order,) in rows}


def failed_task_logs(home: Path, dsn: str, lines: int = 40) -> str:
    """The tails of the task logs of task instances that did not succeed."""
    bad = meta_query(
        dsn,
        "SELECT dag_id, run_id, task_id, map_index, state FROM task_instance"
        " WHERE state IS DISTINCT FROM 'success'",
    )
    out = [f"task instances not successful: {bad}"]
    for dag_id, run_id, task_id, map_index, _ in bad[:6]:
        folder = home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
        if map_index >= 0:
            folder = folder / f"map_index={map_index}"
        for path in sorted(folder.glob("attempt=*.log"))[-2:]:
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"----- {path} -----\n" + "\n".join(text))
    return "\n".join(out)


def send_summaries(home: Path, dag_id: str) -> list[str]:
    """The `summary:` line each send batch logged (counts, calls and 429s per operation)."""
    found = []
    for path in sorted((home / "logs" / f"dag_id={dag_id}").glob("run_id=*/task_id=send/**/*.log")):
        for line in path.read_text(errors="replace").splitlines():
            if "summary:" in line:
                with contextlib.suppress(ValueError):
                    line = json.loads(line).get("event", line)
                found.append(f"{path.parent.name}: {line}")
    return found
