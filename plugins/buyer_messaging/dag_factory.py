"""Build one DAG per account from the accounts file. Parse-time cheap: no stage imports here."""

from __future__ import annotations

import re
import zlib
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from buyer_messaging.config import Account, ConfigError, read_accounts

DOC = """\
### Buyer messaging for `{id}` ({marketplace})

Every day, for the interval [D, D+1) in `{tz}`: extract the orders updated that day (Orders
API {orders_api}), the returns requested that day and the seller feedback (1-3 star ratings)
from SP-API (connection `spapi_{id}`),
validate them (bad rows are quarantined, not dropped), open an issue-resolution case for each
negative signal (a 1-2 star rating, a defective or not-as-described return: an alert goes out,
and the order and its buyer get no further non-critical message), plan the messages due that day ({kinds}), render and lint them, send them in rate-limited
batches, and report; what earlier runs left ready is sent from the run's start
(`send_backlog`). Every outcome lands in the warehouse (connection `messaging_warehouse`):
`messaging.outbox`, `reporting.message_log`, `reporting.daily_summary`. Amazon answers only up
to two minutes before now: each extraction starts where the previous run really stopped
(`staging.extract_watermarks`), so no update between two runs is missed.

**Backfill** a missed range, one day after the other, with
`{backfill}`:
both ends are local midnights in `{tz}` with their UTC offset (a bare date is UTC midnight,
which is not a day boundary here, and loses a day), and `--max-active-runs 1` because a
backfill does not follow the DAG's own limit (Airflow defaults it to 10 runs at once) while
each day's plan depends on the days before it (in the UI's *Backfill* dialog: *Max Active
Runs* 1). Each day plans what was due that day; what is too stale to send now is recorded
as `expired`, never sent. Re-running or clearing any task is safe: the outbox holds at most one
message per (order, kind, event), and a message is never sent twice.

Trigger with `dry_run` = true to plan, render and lint without sending.
"""


def backfill_example(acc: Account, days: int = 7) -> str:
    """The CLI command that backfills the account's first `days` local days, in order."""
    zone = ZoneInfo(acc.tz)
    first = datetime(acc.start_date.year, acc.start_date.month, acc.start_date.day, tzinfo=zone)
    last_day = acc.start_date + timedelta(days=days - 1)
    last = datetime(last_day.year, last_day.month, last_day.day, tzinfo=zone)
    return (
        f"airflow backfill create --dag-id {acc.dag_id} --from-date {first.isoformat()}"
        f" --to-date {last.isoformat()} --max-active-runs 1"
    )


def build_dag(acc: Account) -> Any:
    from airflow.sdk import DAG, CronDataIntervalTimetable, Param, get_current_context, task

    from buyer_messaging import tasks
    from buyer_messaging.alerts import notify_failure
    from buyer_messaging.report.assets import reporting_assets

    default_args = {
        "owner": acc.owner,
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "on_failure_callback": notify_failure(acc.alert_emails, acc.tz),
    }
    with DAG(
        dag_id=acc.dag_id,
        schedule=CronDataIntervalTimetable("0 0 * * *", timezone=acc.tz),
        start_date=datetime(
            acc.start_date.year, acc.start_date.month, acc.start_date.day, tzinfo=ZoneInfo(acc.tz)
        ),
        catchup=False,
        max_active_runs=1,
        default_args=default_args,
        tags=["buyer-messaging", f"account:{acc.id}", f"marketplace:{acc.marketplace}"],
        doc_md=DOC.format(
            id=acc.id,
            marketplace=acc.marketplace,
            tz=acc.tz,
            kinds=", ".join(acc.kinds),
            dag_id=acc.dag_id,
            orders_api=acc.orders_api,
            backfill=backfill_example(acc),
        ),
        params={
            "dry_run": Param(
                False, type="boolean", description="Plan, render and lint; send nothing."
            )
        },
    ) as dag:
        account_id = acc.id

        @task
        def migrate_warehouse() -> dict[str, Any]:
            return tasks.migrate_warehouse()

        @task
        def extract_orders() -> dict[str, Any]:
            return tasks.extract_orders(account_id, get_current_context())

        # report-first accounts: the orders' details, by the listing, beside validate ... send
        # until the run's send deadline (no pool slot: it makes none of the send calls)
        @task
        def list_order_details(extracted: dict[str, Any]) -> dict[str, Any]:
            return tasks.list_order_details(account_id, get_current_context(), extracted)

        @task
        def extract_returns() -> dict[str, Any]:
            return tasks.extract_returns(account_id, get_current_context())

        @task
        def extract_feedback() -> dict[str, Any]:
            return tasks.extract_feedback(account_id, get_current_context())

        @task
        def validate() -> dict[str, Any]:
            return tasks.validate(account_id, get_current_context())

        @task
        def signals() -> dict[str, Any]:
            return tasks.signals(account_id, get_current_context())

        @task
        def plan() -> dict[str, int]:
            return tasks.plan(account_id, get_current_context())

        @task
        def render_and_lint() -> dict[str, int]:
            return tasks.render_and_lint(account_id, get_current_context())

        # once the day's ratings and returns are in, beside extract_orders ... render: what the
        # last runs left ready (the account's pool and shared buckets; the later `send` tasks
        # claim beside it)
        @task(pool=acc.pool)
        def send_backlog() -> dict[str, dict[str, int]]:
            return tasks.send_backlog(account_id, get_current_context())

        @task
        def send_batches() -> list[dict[str, Any]]:
            return tasks.send_batches(account_id, get_current_context())

        # the pool caps this account's concurrent batches across DAG runs and backfills;
        # the shared rate buckets keep them within Amazon's rate together; send_batches plans
        # at most send/timebox.SEND_SLOTS (4) senders less the backlog sender's slot, each
        # time-boxed to the next run's start
        @task(map_index_template="{{ batch_label }}", max_active_tis_per_dagrun=4, pool=acc.pool)
        def send(batch: dict[str, Any]) -> dict[str, int]:
            get_current_context()["batch_label"] = batch["label"]  # type: ignore[typeddict-unknown-key]
            return tasks.send(account_id, batch)

        @task(outlets=reporting_assets())
        def report() -> dict[str, Any]:
            return tasks.report(account_id, get_current_context())

        orders = extract_orders()
        # the day's negative signals (ratings, returns) stop the backlog's review requests too
        signalled = [extract_returns(), extract_feedback()]
        extracted = [orders, *signalled]
        details = list_order_details(orders)  # type: ignore[arg-type]
        migrated = migrate_warehouse()
        backlog = send_backlog()
        migrated >> extracted
        signalled >> backlog
        planned = plan()
        extracted >> validate() >> signals() >> planned
        prepared = render_and_lint()
        batches = send_batches()
        planned >> prepared >> batches
        sent = send.expand(batch=batches)
        # report runs whatever failed before it; as a teardown it is not what the run's state
        # is judged by: a failed extract, validate or send fails the run in the UI instead of
        # hiding behind a successful report. (With on_failure_fail_dagrun Airflow would judge
        # the run by the report alone again, so a failing report shows on its task only.)
        [sent, backlog, details] >> report().as_teardown()
    return dag


_SHARD_FILE = re.compile(r"_(\d+)_of_(\d+)\.py$")


def shard_of(account_id: str, shards: int) -> int:
    """Which of `shards` DAG files builds the account's DAG (1-based), stable across runs and
    processes (not Python's salted hash)."""
    return zlib.crc32(account_id.encode()) % shards + 1


def build_dags(path: str | None = None, *, shard_file: str | None = None) -> dict[str, Any]:
    """A DAG per valid account; the invalid ones are raise_account_problems()' business.

    `shard_file`: the calling DAG file, named `..._<k>_of_<n>.py`: it builds the accounts of
    shard k of n only. Airflow parses each file in its own process, and building an account's
    DAG costs a few milliseconds (its operators), so with n files no one file's parse grows
    past ~25 accounts' worth at 200 accounts. A file that cannot be read raises from shard 1
    only, so it shows as one import error.

    A task's process parses its DAG file only to find its own DAG: Airflow's parsing context
    names it, and only that account's DAG is built (Airflow's documented optimisation for
    generated DAGs). The DAG processor's context names none: all of the shard are built.
    """
    from airflow.sdk import get_parsing_context

    shard, shards = 1, 1
    if shard_file is not None:
        match = _SHARD_FILE.search(shard_file)
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            raise ValueError(f"{shard_file}: a shard's DAG file is named ..._<k>_of_<n>.py")
        shard, shards = int(match[1]), int(match[2])
    try:
        accounts = read_accounts(path).accounts
    except ConfigError:
        if shard == 1:
            raise
        return {}
    wanted = get_parsing_context().dag_id
    return {
        acc.dag_id: build_dag(acc)
        for acc in accounts
        if shard_of(acc.id, shards) == shard and (not wanted or acc.dag_id == wanted)
    }


def raise_account_problems(path: str | None = None) -> None:
    """Raise naming the file, account and key of every invalid account.

    Called from a DAG file of its own: Airflow keeps no DAG of a file that raises, so the file
    that builds the valid accounts' DAGs must not raise, while this one shows the typo as an
    import error in the UI.
    """
    try:
        read = read_accounts(path)
    except ConfigError:
        return  # a file that cannot be read at all: buyer_messaging_accounts_1_of_8.py says so
    read.raise_problems()
