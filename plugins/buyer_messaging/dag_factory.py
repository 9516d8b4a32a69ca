"""Build one DAG per account from the accounts file. Parse-time cheap: no stage imports here."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from buyer_messaging.config import Account, load_accounts

DOC = """\
### Buyer messaging for `{id}` ({marketplace})

Every day, for the interval [D, D+1) in `{tz}`: extract the orders updated that day (Orders
API {orders_api}) and the returns requested that day from SP-API (connection `spapi_{id}`),
validate them (bad rows are quarantined, not dropped), plan the messages due that day ({kinds}), render and lint them, send them in rate-limited
batches, and report. Every outcome lands in the warehouse (connection `messaging_warehouse`):
`messaging.outbox`, `reporting.message_log`, `reporting.daily_summary`.

**Backfill** a missed range with
`airflow backfill create --dag-id {dag_id} --from-date 2026-01-01 --to-date 2026-01-07`:
each day plans what was due that day; what is too stale to send now is recorded as
`expired`, never sent. Re-running or clearing any task is safe: the outbox holds at most one
message per (order, kind, event), and a message is never sent twice.

Trigger with `dry_run` = true to plan, render and lint without sending.
"""


def build_dag(acc: Account) -> Any:
    from airflow.sdk import DAG, CronDataIntervalTimetable, Param, get_current_context, task

    from buyer_messaging import tasks
    from buyer_messaging.alerts import notify_failure
    from buyer_messaging.assets import reporting_assets

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

        @task
        def extract_returns() -> dict[str, Any]:
            return tasks.extract_returns(account_id, get_current_context())

        @task
        def validate() -> dict[str, Any]:
            return tasks.validate(account_id, get_current_context())

        @task
        def plan() -> dict[str, int]:
            return tasks.plan(account_id, get_current_context())

        @task
        def render_and_lint() -> dict[str, int]:
            return tasks.render_and_lint(account_id, get_current_context())

        @task
        def send_batches() -> list[dict[str, Any]]:
            return tasks.send_batches(account_id, get_current_context())

        # the pool caps this account's concurrent batches across DAG runs and backfills;
        # the shared rate buckets keep them within Amazon's rate together
        @task(map_index_template="{{ batch_label }}", max_active_tis_per_dagrun=4, pool=acc.pool)
        def send(batch: dict[str, Any]) -> dict[str, int]:
            get_current_context()["batch_label"] = batch["label"]  # type: ignore[typeddict-unknown-key]
            return tasks.send(account_id, batch)

        @task(trigger_rule="all_done", outlets=reporting_assets())
        def report() -> dict[str, Any]:
            return tasks.report(account_id, get_current_context())

        extracted = [extract_orders(), extract_returns()]
        migrate_warehouse() >> extracted
        planned = plan()
        extracted >> validate() >> planned
        prepared = render_and_lint()
        batches = send_batches()
        planned >> prepared >> batches
        sent = send.expand(batch=batches)
        sent >> report()
    return dag


def build_dags(path: str | None = None) -> dict[str, Any]:
    return {acc.dag_id: build_dag(acc) for acc in load_accounts(path)}
