"""Airflow for real: a token endpoint that echoes the request fails extract_orders, and
neither the task's exception nor its log holds the refresh token or the client secret."""

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, quote_plus
from zoneinfo import ZoneInfo

import pytest
from support import echoing_token_endpoint, postgres_connection_json, spapi_connection_json

pytestmark = pytest.mark.integration

REFRESH_TOKEN = "Atzr|SECRET-echo-refresh-0c4d91"
CLIENT_SECRET = "SECRET-echo-client-7e21aa"


def test_echoing_token_endpoint_leaves_no_secret_in_the_task_log(
    airflow_db, emulator, fresh_warehouse, monkeypatch, capfd
):
    from airflow.dag_processing.dagbag import DagBag

    from buyer_messaging.config import project_root

    with echoing_token_endpoint({"status": 400, "json": True}) as lwa_url:
        conn = json.loads(spapi_connection_json(emulator.url, refresh_token=REFRESH_TOKEN))
        conn["extra"].update(lwa_client_secret=CLIENT_SECRET, lwa_endpoint=lwa_url)
        monkeypatch.setenv("AIRFLOW_CONN_SPAPI_DEMO", json.dumps(conn))
        monkeypatch.setenv(
            "AIRFLOW_CONN_MESSAGING_WAREHOUSE", postgres_connection_json(fresh_warehouse)
        )
        dag = DagBag(dag_folder=str(project_root() / "dags")).dags["buyer_messaging_demo"]
        dag = dag.partial_subset(task_ids=["extract_orders"], include_upstream=True)
        for task in dag.tasks:
            task.retries = 0  # one failure is enough to read its log
        day = datetime.now(UTC).date() - timedelta(days=1)
        nxt = day + timedelta(days=1)
        run = dag.test(
            logical_date=datetime(
                nxt.year, nxt.month, nxt.day, tzinfo=ZoneInfo("America/Los_Angeles")
            )
        )
    assert str(run.state).endswith("failed")

    out, err = capfd.readouterr()
    logs = "".join(
        p.read_text(errors="replace") for p in Path(os.environ["AIRFLOW_HOME"]).rglob("*.log")
    )
    text = out + err + logs
    # the failure is there and says whose credentials and which operation
    assert "LWA token exchange for connection 'spapi_demo'" in text, text[-3000:]
    assert "invalid_grant" in text
    leaked = [
        form
        for secret in (REFRESH_TOKEN, CLIENT_SECRET)
        for form in (secret, quote(secret, safe=""), quote_plus(secret))
        if form in text
    ]
    assert not leaked and "SECRET-echo" not in text
    assert "too short to mask" not in text
