"""The maintenance DAG's work: purge buyer PII past the retention period."""

from __future__ import annotations

import logging
from contextlib import closing
from datetime import datetime
from typing import Any

import yaml

from buyer_messaging.config import include_dir

log = logging.getLogger("buyer_messaging")
DEFAULT_DAYS = 30


def retention_days() -> int:
    path = include_dir() / "policies" / "timing.yaml"
    raw = yaml.safe_load(path.read_text()) if path.exists() else {}
    return int((raw or {}).get("pii_retention_days", DEFAULT_DAYS))


def purge_pii(conn: Any, days: int | None = None) -> dict[str, int]:
    from buyer_messaging.warehouse import retention
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
            "Purges buyer PII (message texts, buyer hashes, raw buyer fields, rejected raw records)"
            f" {DEFAULT_DAYS} days after delivery (`pii_retention_days` in include/policies/timing.yaml)."
            " Statuses and counts stay, so the reporting views keep their numbers. Safe to re-run."
        ),
    ) as dag:

        @task
        def purge_buyer_pii() -> dict[str, int]:
            from buyer_messaging.warehouse.connection import connect

            conn = connect()
            with closing(conn):
                return purge_pii(conn)

        purge_buyer_pii()
    return dag
