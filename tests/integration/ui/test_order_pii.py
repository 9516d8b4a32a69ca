"""The dashboard's /order answer never carries the buyer's e-mail, name or address, even
while the warehouse still holds them (before the purge) or holds texts written before
errors were scrubbed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from psycopg2.extras import Json
from support import postgres_connection_json
from test_api import auth, auth_manager, token  # noqa: F401 - fixtures

from buyer_messaging.warehouse.connection import connect, transaction

pytestmark = pytest.mark.integration

ORDER = "112-7000001-7000001"
EMAIL, NAME, STREET = (
    "q8v1zz0kpt@marketplace.amazon.com",
    "Maëlle Quintard-Ross",
    "41 Rue des Tanneurs",
)


@pytest.fixture
def client(fresh_warehouse, auth_manager, monkeypatch) -> Iterator[object]:  # noqa: F811
    from fastapi.testclient import TestClient

    conn = connect(fresh_warehouse)
    with transaction(conn) as cur:
        raw = {"AmazonOrderId": ORDER, "BuyerInfo": {"BuyerEmail": EMAIL, "BuyerName": NAME},
               "ShippingAddress": {"Name": NAME, "AddressLine1": STREET, "CountryCode": "FR"}}  # fmt: skip
        cur.execute(
            "INSERT INTO staging.orders (account_id, amazon_order_id, marketplace_id, marketplace,"
            " order_status, purchase_date, last_update_date, raw) VALUES"
            " ('acme_fr', %s, 'A13V1IB3VIYZZH', 'FR', 'Shipped', now(), now(), %s)",
            (ORDER, Json(raw)),
        )
        cur.execute(
            "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind, channel,"
            " status, planned_for, due_on, body, error) VALUES ('acme_fr', 'A13V1IB3VIYZZH', %s,"
            " 'issue_resolution', 'email_relay', 'blocked', current_date, current_date, %s, %s) RETURNING id",
            (ORDER, f"Dear {NAME}", f"no_email_addresses: {NAME}, {STREET}, {EMAIL}"),
        )
        outbox_id = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO messaging.lint_violations VALUES (%s, 'no_email_addresses', 'email_address',"
            " 'block', %s)",
            (outbox_id, f"{NAME}, write to {EMAIL}"),
        )
        cur.execute(
            "INSERT INTO messaging.attempts (outbox_id, attempt_no, outcome, error) VALUES (%s, 1, 'refused', %s)",
            (outbox_id, f"relay refused the recipient: {{'{EMAIL}': (550, b'<{EMAIL}> unknown')}}"),
        )
    conn.close()
    monkeypatch.setenv(
        "AIRFLOW_CONN_MESSAGING_WAREHOUSE", postgres_connection_json(fresh_warehouse)
    )
    from buyer_messaging.ui.app import create_app

    with TestClient(create_app()) as c:
        yield c


def test_order_answer_holds_no_buyer_data(client, auth):  # noqa: F811
    answer = client.get(f"/order/{ORDER}", headers=auth)
    assert answer.status_code == 200
    body = answer.json()
    text = answer.text
    for needle in (EMAIL, NAME, STREET, "Quintard"):
        assert needle.lower() not in text.lower(), needle
    # the answer still says what happened and which rule
    [row] = body["outbox"]
    assert row["error"].startswith("no_email_addresses: [buyer data removed]")
    assert [v["rule"] for v in row["lint_violations"]] == ["no_email_addresses"]
    assert row["attempt_log"][0]["error"].startswith("relay refused the recipient: {'[")
