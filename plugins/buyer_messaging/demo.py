"""`make demo`: the demo account's last three days, end to end, through Airflow.

Starts the SP-API emulator (a subprocess) and, unless the `messaging_warehouse` connection is
configured, an embedded Postgres (pgserver) under var/demo/; then runs the DAG once per day
with `dag.test()` and prints what happened.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from buyer_messaging.config import project_root
from buyer_messaging.domain import REPORTED_STATUSES
from buyer_messaging.warehouse.connection import one_row

ACCOUNT = "demo"
DAG_ID = f"buyer_messaging_{ACCOUNT}"
STATUSES = REPORTED_STATUSES


# the emulator is started with it, so its LWA accepts this token and no other
DEMO_REFRESH_TOKEN = "Atzr|demo-refresh-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_emulator(
    var: Path, *, seed: int, orders_per_day: int
) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    log = open(var / "emulator.log", "w")  # noqa: SIM115 - lives as long as the emulator
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "spapi_emulator", "--host", "127.0.0.1", "--port", str(port),
            "--seed", str(seed), "--orders-per-day", str(orders_per_day), "--time-scale", "100",
            # a 1-star rating every purchase day, so each demo shows a negative signal at work
            "--feedback-min-per-day", "1",
            # and a partial and a full seller cancellation every day (unavailability notices)
            "--showcase",
            "--refresh-token", DEMO_REFRESH_TOKEN,
        ],
        stdout=subprocess.PIPE, stderr=log, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if "listening on" in line:
            return proc, line.strip().rsplit(" ", 1)[-1]
        if proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError(f"the SP-API emulator did not start; see {var / 'emulator.log'}")


def _start_relay(var: Path) -> tuple[Any, Path]:
    """A local SMTP server standing in for Amazon's buyer-seller messaging relay."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    mail = var / "mail"
    # a Maildir: Python's mailbox creates its tmp/new/cur only when the folder is new
    for sub in ("tmp", "new", "cur"):
        (mail / sub).mkdir(parents=True, exist_ok=True)
    port = _free_port()
    controller = Controller(Mailbox(mail), hostname="127.0.0.1", port=port)
    controller.start()
    os.environ["AIRFLOW_CONN_SMTP_RELAY"] = json.dumps(
        {
            "conn_type": "smtp",
            "host": "127.0.0.1",
            "port": port,
            "extra": {
                "from_email": "demo-kitchen@seller.example",
                "disable_tls": True,
                "disable_ssl": True,
            },
        }
    )
    return controller, mail


def _alerts(mail: Path, to: tuple[str, ...], before: set[str]) -> list[str]:
    """Subjects of the alert e-mails (to the account's alert_emails) that this demo run put in
    its mailbox: the mailbox lives under var/demo and keeps earlier runs' mail."""
    import mailbox

    if not to:
        return []
    box = mailbox.Maildir(str(mail), create=False)
    return [
        str(m["Subject"])
        for key, m in box.items()
        if key not in before and any(a in str(m["To"]) for a in to)
    ]


def _mail_keys(mail: Path) -> set[str]:
    import mailbox

    return set(mailbox.Maildir(str(mail), create=False).keys()) if mail.exists() else set()


def _mail_count(mail: Path) -> int:
    return sum(1 for _ in (mail / "new").glob("*")) if (mail / "new").exists() else 0


def _warehouse(var: Path) -> tuple[str, Any]:
    """The configured warehouse connection, else an embedded Postgres kept under var/demo/pg."""
    env_conn = os.environ.get("AIRFLOW_CONN_MESSAGING_WAREHOUSE")
    if env_conn:
        return "connection messaging_warehouse (from the environment)", None
    import logging
    import warnings

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    import pgserver

    logging.getLogger("pgserver").setLevel(logging.WARNING)
    server = pgserver.get_server(var / "pg", cleanup_mode="stop")
    import psycopg2

    conn = psycopg2.connect(server.get_uri())
    params = conn.get_dsn_parameters()
    conn.close()
    os.environ["AIRFLOW_CONN_MESSAGING_WAREHOUSE"] = json.dumps(
        {"conn_type": "postgres", "host": params["host"], "login": params.get("user", "postgres"),
         "schema": params.get("dbname", "postgres"), "port": int(params.get("port", 5432))}
    )  # fmt: skip
    return f"embedded Postgres 16 at {var / 'pg'} ({server.get_uri()})", server


def _airflow_env(var: Path, emulator_url: str) -> None:
    root = project_root()
    os.environ.update(
        {
            "AIRFLOW_HOME": str(var / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(root / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(var / "airflow" / "logs"),
            "BUYER_MESSAGING_DATA_DOCS": str(var / "data_docs"),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "AIRFLOW_CONN_SPAPI_DEMO": json.dumps(
                {
                    "conn_type": "amazon_sp_api",
                    "extra": {
                        "refresh_token": DEMO_REFRESH_TOKEN,
                        "lwa_app_id": "amzn1.application-oa2-client.demo",
                        "lwa_client_secret": "demo-client-secret",
                        "endpoint": emulator_url,
                        "lwa_endpoint": f"{emulator_url}/auth/o2/token",
                    },
                }
            ),
        }
    )
    os.environ.pop("SP_API_DEFAULT_MARKETPLACE", None)


def _sent_total(dsn: str) -> int:
    from buyer_messaging.warehouse.connection import connect

    conn = connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('reporting.message_log') IS NOT NULL")
            if not one_row(cur)[0]:
                return 0
            cur.execute(
                "SELECT count(*) FROM reporting.message_log WHERE account_id = %s AND status = 'sent'",
                (ACCOUNT,),
            )
            return int(one_row(cur)[0])
    finally:
        conn.close()


def _suppress_a_returning_buyer(dsn: str, until: date) -> str | None:
    """Suppress a buyer whose messages the later demo days will plan (a shipped order with no
    message yet, its review request due by `until`), the one with the most orders; returns the
    order it was recorded from, or None when there is none."""
    from buyer_messaging.plan import suppressions
    from buyer_messaging.warehouse.connection import connect, transaction

    conn = connect(dsn)
    try:
        with transaction(conn) as cur:
            cur.execute(
                "SELECT max(o.amazon_order_id) FROM staging.orders o"
                " WHERE o.account_id = %(a)s AND o.buyer_hash IN ("
                "   SELECT d.buyer_hash FROM staging.orders d"
                "   WHERE d.account_id = %(a)s AND d.order_status = 'Shipped'"
                "     AND d.earliest_delivery_date + interval '5 days' < %(until)s"
                "     AND NOT EXISTS (SELECT 1 FROM messaging.outbox m WHERE m.account_id = d.account_id"
                "                     AND m.amazon_order_id = d.amazon_order_id))"
                " GROUP BY o.buyer_hash ORDER BY count(*) DESC, 1 LIMIT 1",
                {"a": ACCOUNT, "until": until},
            )
            row = cur.fetchone()
            if row is None:
                return None
            suppressions.suppress(
                cur, ACCOUNT, row[0], "asked not to be contacted (demo)", source="demo"
            )
            return str(row[0])
    finally:
        conn.close()


def _summary(dsn: str, days: list[date]) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
    from buyer_messaging.warehouse.connection import connect

    conn = connect(dsn)
    try:
        with conn.cursor() as cur:
            # messages that fell due before the first demo day (the onboarding backlog) are
            # sent on the first run: they show as one "earlier" row
            cur.execute(
                "SELECT CASE WHEN day < %s THEN 'earlier' ELSE day::text END, kind, status,"
                " sum(messages) FROM reporting.daily_summary"
                " WHERE account_id = %s AND day <= %s GROUP BY 1, 2, 3 ORDER BY min(day), 2, 3",
                (days[0], ACCOUNT, days[-1]),
            )
            rows = cur.fetchall()
    finally:
        conn.close()
    totals = dict.fromkeys(STATUSES, 0)
    for _, _, status, n in rows:
        totals[status] = totals.get(status, 0) + int(n)
    return rows, totals


def run_demo(*, days: int = 3, orders_per_day: int = 12, seed: int = 42) -> int:
    var = project_root() / "var" / "demo"
    var.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    where, _server = _warehouse(var)
    emulator, url = _start_emulator(var, seed=seed, orders_per_day=orders_per_day)
    relay, mail = _start_relay(var)
    mails_before = _mail_count(mail)
    keys_before = _mail_keys(mail)
    try:
        _airflow_env(var, url)
        subprocess.run(
            [str(Path(sys.executable).with_name("airflow")), "db", "migrate"],
            check=True, stdout=subprocess.DEVNULL, stderr=(var / "airflow-db.log").open("w"),
        )  # fmt: skip
        from buyer_messaging.warehouse.connection import warehouse_dsn

        dsn = warehouse_dsn()
        sent_before = _sent_total(dsn)
        from zoneinfo import ZoneInfo

        from buyer_messaging.tasks import account

        today = datetime.now(ZoneInfo(account(ACCOUNT).tz)).date()  # yesterday is the account's
        run_days = [today - timedelta(days=n) for n in range(days, 0, -1)]
        # the first day extracts the onboarding backlog; then a returning buyer asks not to
        # be contacted (as a seller would record with `buyer-messaging suppress`), so the
        # later days show their non-critical messages skipped as suppressed
        failed = _run_days(run_days[:1], var)
        suppressed = _suppress_a_returning_buyer(dsn, run_days[-1])
        failed += _run_days(run_days[1:], var)
        received = _fetch(url + "/_emulator/received")
        (var / "emulator-received.json").write_text(json.dumps(received, indent=2))
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)
        relay.stop()
    rows, totals = _summary(dsn, run_days)
    coverage = _coverage(dsn, run_days)
    cases = _open_cases(dsn)
    comparisons = _ab_comparisons(dsn)
    paths = _paths(dsn)
    sent_now = _sent_total(dsn) - sent_before
    if _server is not None:
        _server.cleanup()  # stop the embedded Postgres now, so its log lines come before ours
    received["relay_mail"] = _mail_count(mail) - mails_before
    _print_cases(cases)
    alerts = _alerts(mail, account(ACCOUNT).alert_emails, keys_before)
    if alerts:
        print(
            f"alerts: {len(alerts)} e-mail(s) to {', '.join(account(ACCOUNT).alert_emails)} in"
            f" {mail}, e.g. {alerts[-1]!r}"
        )
    _print_ab(comparisons)
    _print_paths(paths)
    _print_report(rows, totals, sent_now, received, where, var, url, time.monotonic() - started)
    print()
    print(coverage)
    if suppressed:
        print(f"suppressed: the buyer of order {suppressed} (asked not to be contacted)")
    if failed:
        print(
            f"FAILED: DAG runs for {', '.join(map(str, failed))} did not succeed; see {var / 'airflow' / 'dag-runs.log'}"
        )
        return 1
    return 0


def _open_cases(dsn: str) -> list[Any]:
    from buyer_messaging.signals.cases import list_cases
    from buyer_messaging.warehouse.connection import connect, transaction

    conn = connect(dsn)
    try:
        with transaction(conn) as cur:
            return list_cases(cur, ACCOUNT, "open")
    finally:
        conn.close()


def _coverage(dsn: str, days: list[date]) -> str:
    from buyer_messaging.report.coverage import coverage_text
    from buyer_messaging.warehouse.connection import connect

    conn = connect(dsn)
    try:
        return coverage_text(conn, ACCOUNT, days[0], days[-1])
    finally:
        conn.rollback()
        conn.close()


def _ab_comparisons(dsn: str) -> list[Any]:
    from buyer_messaging.experiments.report import compare_all
    from buyer_messaging.warehouse.connection import connect, transaction

    conn = connect(dsn)
    try:
        with transaction(conn) as cur:
            return compare_all(cur, ACCOUNT, None, "negative_feedback")
    finally:
        conn.close()


def _print_ab(comparisons: list[Any]) -> None:
    from buyer_messaging.experiments.report import format_comparison

    for comparison in comparisons:
        print()
        print(format_comparison(comparison))
    if comparisons:
        print(
            f"(any time: buyer-messaging ab-report --account {ACCOUNT}; include/policies/ab_tests.yaml)"
        )


# Every path a message can take, as the demo's warehouse recorded it: the unavailability events,
# what the linter blocked and why, and the reasons messages were not sent (case ids and dates
# cut, so alike reasons count together).
_PATHS = {
    "unavailability notices": """
        SELECT event || ': ' || status || coalesce(' (' || reason || ')', ''), count(*)
        FROM messaging.outbox WHERE account_id = %(a)s AND kind = 'unavailability_notice'
        GROUP BY 1 ORDER BY 1""",
    "blocked by the policy linter": """
        SELECT o.kind || ': ' || v.rule || ' "' || left(v.excerpt, 60) || '"', count(DISTINCT o.id)
        FROM messaging.outbox o JOIN messaging.lint_violations v ON v.outbox_id = o.id
        WHERE o.account_id = %(a)s AND o.status = 'blocked' AND v.severity = 'block'
        GROUP BY 1 ORDER BY 2 DESC""",
    "not sent, and why": """
        SELECT regexp_replace(reason,
                   ' \\(case [0-9]+\\)| (after )?[0-9]{4}-[0-9]{2}-[0-9]{2}.*$', '', 'g'),
               count(*)
        FROM messaging.outbox WHERE account_id = %(a)s AND status IN ('skipped', 'expired')
        GROUP BY 1 ORDER BY 2 DESC LIMIT 12""",
}


def _paths(dsn: str) -> dict[str, list[tuple[str, int]]]:
    from buyer_messaging.warehouse.connection import connect, transaction

    conn = connect(dsn)
    try:
        with transaction(conn) as cur:
            out = {}
            for title, query in _PATHS.items():
                cur.execute(query, {"a": ACCOUNT})
                out[title] = [(str(what), int(n)) for what, n in cur.fetchall()]
            return out
    finally:
        conn.close()


def _print_paths(paths: dict[str, list[tuple[str, int]]]) -> None:
    for title, rows in paths.items():
        if rows:
            print()
            print(f"{title}:")
            for what, n in rows:
                print(f"  {n:>4}  {what}")


def _print_cases(cases: list[Any]) -> None:
    if not cases:
        return
    print()
    print(
        f"negative signals: {len(cases)} open issue-resolution case(s); their orders and buyers get"
    )
    print("no further review request (skipped, with the case as the reason), one apology each:")
    for case in cases[-5:]:
        print(
            f"  case {case.id}: order {case.amazon_order_id}, {case.signal} ({case.signalled_on})"
        )
    print(
        f"close one: buyer-messaging cases close --account {ACCOUNT} --order ORDER --by NAME"
        " --resolution TEXT (list them: buyer-messaging cases list --account demo)"
    )


@contextmanager
def _output_to(path: Path) -> Iterator[TextIO]:
    """Send everything Airflow prints (fd 1 and 2) to a log file; yield the real stdout."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    console = os.fdopen(os.dup(saved_out), "w", buffering=1)
    with path.open("a") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield console
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved_out, 1)
            os.dup2(saved_err, 2)
            os.close(saved_out)
            os.close(saved_err)
            console.close()


def _run_days(run_days: list[date], var: Path) -> list[date]:
    log_path = var / "airflow" / "dag-runs.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    failed = []
    with _output_to(log_path) as console:
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
        if bag.import_errors:
            raise RuntimeError(f"DAG import errors: {bag.import_errors}")
        dag = bag.dags[DAG_ID]
        for day in run_days:
            started = time.monotonic()
            console.write(f"{DAG_ID}: running the day {day} through Airflow (dag.test) ... ")
            run = dag.test(logical_date=_logical_date(day))
            state = str(getattr(run, "state", "")).rsplit(".", 1)[-1].lower()
            console.write(f"{state} in {time.monotonic() - started:.0f} s\n")
            if state != "success":
                failed.append(day)
    return failed


def _logical_date(day: date) -> datetime:
    from zoneinfo import ZoneInfo

    from buyer_messaging.tasks import account

    tz = ZoneInfo(account(ACCOUNT).tz)
    # a manual run covers the interval that ends at its logical date: [D, D+1) needs D+1
    nxt = day + timedelta(days=1)
    return datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)


def _fetch(url: str) -> Any:
    import httpx

    return httpx.get(url, timeout=30).json()


def _print_report(
    rows: list[tuple[Any, ...]], totals: dict[str, int], sent_now: int, received: Any,
    where: str, var: Path, url: str, seconds: float,
) -> None:  # fmt: skip
    print()
    print(f"{'day':<12}{'kind':<24}{'status':<10}{'messages':>9}")
    for day, kind, status, n in rows:
        print(f"{day!s:<12}{kind:<24}{status:<10}{int(n):>9}")
    print()
    if sent_now == 0:
        print(
            "nothing new was sent on this run: every due message was already handled by an earlier run"
        )
    else:
        print(f"sent on this run: {sent_now}")
    print(f"warehouse:  {where}")
    print(f"airflow logs: {var / 'airflow' / 'dag-runs.log'}")
    n_received = len(received.get("solicitations", [])) + len(received.get("messages", []))
    print(
        f"emulator record: {var / 'emulator-received.json'} ({n_received} received this run; log {var / 'emulator.log'})"
    )
    print(
        f"e-mail relay: {var / 'mail'} ({received.get('relay_mail', 0)} e-mails received this run)"
    )
    print(f"demo took {seconds:.0f} s")
    print(
        "total "
        + " ".join(
            f"{s}={totals.get(s, 0)}" for s in ("sent", "blocked", "skipped", "expired", "failed")
        )
    )
