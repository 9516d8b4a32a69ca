"""An example downstream DAG: a weekly digest, scheduled on the reporting Assets."""

from __future__ import annotations

import logging
from contextlib import closing
from datetime import datetime
from typing import Any

log = logging.getLogger("buyer_messaging")

WEEK = """
SELECT account_id, kind, status, sum(messages)::int
FROM reporting.daily_summary
WHERE day > current_date - 7
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""


def weekly_digest() -> list[list[Any]]:
    from buyer_messaging.warehouse.connection import connect

    conn = connect()
    with closing(conn), conn.cursor() as cur:
        cur.execute(WEEK)
        rows = cur.fetchall()
    for account_id, kind, status, n in rows:
        log.info("digest: %s %s %s = %d", account_id, kind, status, n)
    log.info("summary: %d (account, kind, status) rows over the last 7 days", len(rows))
    return [list(r) for r in rows]


def build_digest_dag() -> Any:
    from airflow.sdk import DAG, task

    from buyer_messaging.report.assets import reporting_assets

    with DAG(
        dag_id="buyer_messaging_weekly_digest",
        schedule=reporting_assets()[:1],
        start_date=datetime(2026, 1, 1),
        catchup=False,
        tags=["buyer-messaging", "digest"],
        doc_md="Runs whenever an account DAG refreshes `reporting.message_log`; logs the last 7 days"
        " by account, kind and status (an example of scheduling on the reporting Assets).",
        default_args={"owner": "data-engineering"},
    ) as dag:
        task(weekly_digest)()
    return dag
