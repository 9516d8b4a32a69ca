"""What a newcomer sees on the SP-API path: an endpoint that is down, a wrong refresh token,
an account in a marketplace the seller (here: the emulator) does not sell in."""

from __future__ import annotations

import json
import logging
import socket
from datetime import UTC, datetime, timedelta

import pytest
from sp_api.api import Reports
from sp_api.api.orders.orders_v0 import OrdersV0
from support import spapi_connection_json

pytestmark = pytest.mark.integration

GB = "A1F83G8C2ARO7P"


def dead_url() -> str:
    """A local port nobody listens on: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def get_orders(client, caller):
    after = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    return caller.call("getOrders", client.get_orders, client=client, LastUpdatedAfter=after)


@pytest.mark.parametrize("down", ["lwa", "sp-api"])
def test_endpoint_down_warns_on_every_retry_and_names_endpoint_and_connection(
    emulator, monkeypatch, down
):
    from buyer_messaging.spapi.calls import SpApiCaller, SpApiCallError
    from buyer_messaging.spapi.hook import SpApiHook

    dead = dead_url()
    conn = json.loads(spapi_connection_json(dead))
    if down == "sp-api":  # the token endpoint answers, the API does not
        conn["extra"]["lwa_endpoint"] = f"{emulator.url}/auth/o2/token"
    monkeypatch.setenv("AIRFLOW_CONN_SPAPI_DOWN", json.dumps(conn))
    waits: list[float] = []
    caller = SpApiCaller(sleep=waits.append)  # production defaults: attempts, back-off, budget
    client = SpApiHook("spapi_down").client(OrdersV0)
    # Airflow replaces the root logger's handlers when it first reads a connection, so
    # pytest's caplog may miss records: listen on the caller's logger itself
    records: list[logging.LogRecord] = []
    listener = logging.Handler(logging.WARNING)
    listener.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("buyer_messaging.spapi.calls")
    logger.addHandler(listener)
    try:
        with pytest.raises(SpApiCallError) as caught:
            get_orders(client, caller)
    finally:
        logger.removeHandler(listener)

    message = str(caught.value)
    assert "connection 'spapi_down'" in message and dead in message, message
    assert ("LWA token exchange" in message) == (down == "lwa")
    assert "ConnectError" in message and "gave up after" in message
    # never silent: one WARNING per wait, naming the wait; the total is capped
    warnings = [r.getMessage() for r in records if r.levelno == logging.WARNING]
    assert len(warnings) == len(waits) >= 3, warnings
    assert all(
        f"retrying in {w:.1f} s" in m and dead in m for w, m in zip(waits, warnings, strict=True)
    )
    assert sum(waits) <= caller.unreachable_budget_s <= 30


def test_a_wrong_refresh_token_is_refused_like_amazon_does(emulator, monkeypatch):
    from buyer_messaging.spapi.calls import SpApiCaller, SpApiCallError
    from buyer_messaging.spapi.hook import SpApiHook

    conn = spapi_connection_json(emulator.url, refresh_token="Atzr|a-grant-the-emulator-never-gave")
    monkeypatch.setenv("AIRFLOW_CONN_SPAPI_WRONG", conn)
    client = SpApiHook("spapi_wrong").client(OrdersV0)
    with pytest.raises(SpApiCallError) as caught:
        get_orders(client, SpApiCaller(sleep=lambda s: None))
    assert caught.value.status == 400 and caught.value.code == "invalid_grant"
    assert "connection 'spapi_wrong'" in str(caught.value)
    assert "never-gave" not in str(caught.value)
    ok, message = SpApiHook("spapi_wrong").test_connection()
    assert not ok and "invalid_grant" in message


@pytest.mark.parametrize("api", ["v0", "2026-01-01", "reports"])
def test_an_account_in_a_marketplace_the_endpoint_does_not_serve_fails_loudly(
    emulator, wh, monkeypatch, api
):
    """The emulator sells in the US only. Amazon refuses a marketplace outside the seller's
    (or the endpoint's) reach with 403 Unauthorized; an empty page would be a green day with
    no orders and no messages."""
    from buyer_messaging.extract.source import client_class, load_orders, order_source
    from buyer_messaging.spapi.calls import SpApiCaller, SpApiCallError
    from buyer_messaging.spapi.hook import SpApiHook

    monkeypatch.setenv("AIRFLOW_CONN_SPAPI_GB", spapi_connection_json(emulator.url))
    hook = SpApiHook("spapi_gb", marketplace="GB")
    caller = SpApiCaller(sleep=lambda s: None)
    now = datetime.now(UTC)
    with pytest.raises(SpApiCallError) as caught:
        if api == "reports":
            client = hook.client(Reports)
            caller.call(
                "createReport", client.create_report, client=client,
                reportType="GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE", marketplaceIds=[GB],
            )  # fmt: skip
        else:  # the extract task's own path
            source = order_source(api, hook.client(client_class(api)), caller, account_id="gb")
            load_orders(wh, source, caller, account_id="gb", window=(now - timedelta(days=1), now))
    err = caught.value
    assert (err.status, err.code) == (403, "Unauthorized")
    message = str(err)
    assert "not valid for region" in message  # Amazon's details, passed on
    assert f"marketplace {GB}" in message and "connection 'spapi_gb'" in message
    assert emulator.url in message and "registered" in message
    with wh.cursor() as cur:
        cur.execute("SELECT count(*) FROM staging.extract_runs WHERE account_id = 'gb'")
        assert cur.fetchone()[0] == 0  # no window recorded as done
