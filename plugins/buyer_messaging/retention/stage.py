"""The maintenance DAG's work: purge buyer PII past the retention period, and prune old GX
Data Docs pages."""

from __future__ import annotations

import logging
import re
import shutil
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection

log = logging.getLogger("buyer_messaging")
DEFAULT_DAYS = 30
DEFAULT_DOCS_DAYS = 90
_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\.json)?")


def retention_days() -> int:
    from buyer_messaging.policies import load_timing

    return load_timing().pii_retention_days


def data_docs_retention_days() -> int:
    from buyer_messaging.policies import load_timing

    return load_timing().data_docs_retention_days


def prune_data_docs(docs_dir: Path, keep_days: int, today: date) -> dict[str, int]:
    """Delete the Data Docs sites (``<account>/<day>/``) and result files (``<account>/<day>.json``)
    of days more than ``keep_days`` before ``today``. GX's shared static files and anything
    not named by a day stay. Returns {"days": sites removed, "files": result files removed}."""
    cutoff = today - timedelta(days=keep_days)
    removed = {"days": 0, "files": 0}
    if not docs_dir.is_dir():
        return removed
    for account in sorted(p for p in docs_dir.iterdir() if p.is_dir() and not p.is_symlink()):
        if account.name.startswith("static-gx-"):
            continue
        for entry in sorted(account.iterdir()):
            m = _DAY.fullmatch(entry.name)
            if not m:
                continue
            try:
                day = date.fromisoformat(m.group(1))
            except ValueError:
                continue
            if day >= cutoff:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
                removed["days"] += 1
            elif entry.is_file():
                entry.unlink()
                removed["files"] += 1
    return removed


def purge_pii(conn: PgConnection, days: int | None = None) -> dict[str, int]:
    from buyer_messaging.retention import store as retention
    from buyer_messaging.warehouse.connection import transaction

    days = retention_days() if days is None else days
    with transaction(conn) as cur:
        counts = retention.purge(cur, days)
    log.info("summary: purged buyer PII older than %d days after delivery: %s", days, counts)
    return counts


def build_maintenance_dag() -> Any:
    from airflow.sdk import DAG, task

    with DAG(
        dag_id="buyer_messaging_maintenance",
        schedule="@daily",
        start_date=datetime(2026, 1, 1),
        catchup=False,
        tags=["buyer-messaging", "maintenance"],
        default_args={"owner": "data-engineering", "retries": 2},
        doc_md=(
            "Purges buyer PII (message texts, lint excerpts, buyer hashes, raw buyer fields of"
            " orders and items, the buyer's values in error texts, rejected raw records)"
            f" {DEFAULT_DAYS} days after delivery (`pii_retention_days` in include/policies/timing.yaml);"
            " a rejected record goes at the latest that long after it was first seen."
            " Statuses and counts stay, so the reporting views keep their numbers. Deletes GX Data"
            f" Docs pages older than {DEFAULT_DOCS_DAYS} days (`data_docs_retention_days`) from this"
            " worker's `$BUYER_MESSAGING_DATA_DOCS` (a shared volume on a multi-worker deployment)."
            " Safe to re-run."
        ),
    ) as dag:

        @task
        def purge_buyer_pii() -> dict[str, int]:
            from buyer_messaging.warehouse.connection import connect

            conn = connect()
            with closing(conn):
                return purge_pii(conn)

        @task
        def prune_old_data_docs() -> dict[str, int]:
            from buyer_messaging.tasks import docs_dir

            folder = docs_dir()
            days = data_docs_retention_days()
            removed = prune_data_docs(folder, days, datetime.now(UTC).date())
            log.info(
                "summary: removed Data Docs older than %d days from %s: %s", days, folder, removed
            )
            return removed

        purge_buyer_pii()
        prune_old_data_docs()
    return dag
