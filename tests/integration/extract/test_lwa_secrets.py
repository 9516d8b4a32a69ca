"""Credentials on the error path: a token endpoint that echoes its request must not get the
refresh token or the client secret into an exception, and every credential is registered
with Airflow's secrets masker as soon as it is read or obtained."""

from __future__ import annotations

import json
import traceback
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, quote_plus

import pytest
from sp_api.api.orders.orders_v0 import OrdersV0
from support import echoing_token_endpoint, spapi_connection_json

pytestmark = pytest.mark.integration

REFRESH = "Atzr|IwEBIEcho-refresh-5b1f0c2e9a"
SECRET = "amzn1.oa2-cs.v1.echo-client-secret-77d3"
FORMS = [f(s) for s in (REFRESH, SECRET) for f in (str, quote_plus, lambda v: quote(v, safe=""))]


@pytest.fixture
def echoing_lwa() -> Iterator[tuple[str, dict]]:
    mode = {"status": 400, "json": True}
    with echoing_token_endpoint(mode) as url:
        yield url, mode


def echo_connection(monkeypatch, emulator_url: str, lwa_url: str) -> None:
    conn = json.loads(spapi_connection_json(emulator_url, refresh_token=REFRESH))
    conn["extra"]["lwa_client_secret"] = SECRET
    conn["extra"]["lwa_endpoint"] = lwa_url
    monkeypatch.setenv("AIRFLOW_CONN_SPAPI_ECHO", json.dumps(conn))


@pytest.mark.parametrize(
    ("status", "as_json"),
    [(400, True), (401, False), (503, True)],
    ids=["lwa-error", "text", "5xx"],
)
def test_an_echoing_token_endpoint_leaks_nothing_and_the_error_names_account_and_operation(
    emulator, echoing_lwa, monkeypatch, status, as_json
):
    from buyer_messaging.spapi.calls import SpApiCaller, SpApiCallError
    from buyer_messaging.spapi.hook import SpApiHook

    url, mode = echoing_lwa
    mode.update(status=status, json=as_json)
    echo_connection(monkeypatch, emulator.url, url)
    client = SpApiHook("spapi_echo").client(OrdersV0)
    caller = SpApiCaller(max_attempts=3, sleep=lambda s: None)
    after = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    with pytest.raises(SpApiCallError) as caught:
        caller.call("getOrders", client.get_orders, client=client, LastUpdatedAfter=after)
    text = "".join(traceback.format_exception(caught.value))  # the whole chain, as a log shows it
    assert not [form for form in FORMS if form in text], text
    message = str(caught.value)
    assert "getOrders" in message and "LWA token exchange" in message
    assert "connection 'spapi_echo'" in message and url in message
    assert str(status) in message


def test_credentials_are_registered_with_the_secrets_masker_when_read(emulator, monkeypatch):
    from airflow.sdk._shared.secrets_masker import redact

    from buyer_messaging.spapi.calls import SpApiCaller
    from buyer_messaging.spapi.hook import SpApiHook

    # fresh values, no words: an earlier test in the process may have registered a secret that
    # is a word ("secret", "password"), which the masker then masks inside any other string
    refresh, secret = f"Atzr|{uuid.uuid4().hex}", uuid.uuid4().hex
    from spapi_emulator.testing import CREDENTIALS

    conn = json.loads(spapi_connection_json(emulator.url, refresh_token=refresh))
    conn["extra"]["lwa_client_secret"] = secret
    monkeypatch.setenv("AIRFLOW_CONN_SPAPI_MASK", json.dumps(conn))
    assert redact(f"a {secret} b") == f"a {secret} b"  # not known before it is read
    hook = SpApiHook("spapi_mask")
    hook.get_credentials()
    assert redact(f"a {refresh} b {secret}") == "a *** b ***"

    # the access token LWA hands out, from the moment it is obtained
    conn["extra"]["refresh_token"] = CREDENTIALS["refresh_token"]
    monkeypatch.setenv("AIRFLOW_CONN_SPAPI_MASK", json.dumps(conn))
    client = hook.client(OrdersV0)
    after = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    SpApiCaller().call("getOrders", client.get_orders, client=client, LastUpdatedAfter=after)
    access = client._auth.get_auth().access_token
    assert access and redact(f"token {access}") == "token ***"


def test_reading_a_connection_raises_no_short_secret_warning(emulator, monkeypatch, caplog):
    """`marketplace: US` is not a secret: Airflow warned "too short to mask" for it on every task."""
    from airflow.sdk._shared.secrets_masker.secrets_masker import SecretsMasker

    from buyer_messaging.spapi.hook import SpApiHook

    monkeypatch.setattr(SecretsMasker, "_has_warned_short_secret", False)
    monkeypatch.setenv("AIRFLOW_CONN_SPAPI_SHORT", spapi_connection_json(emulator.url))
    with caplog.at_level("WARNING"):
        creds = SpApiHook("spapi_short").get_credentials()
    assert creds.marketplace == "US"
    assert not [r for r in caplog.records if "too short" in r.getMessage()]


def test_library_debug_logs_of_request_headers_hold_no_token(emulator):
    """python-amazon-sp-api logs request headers at DEBUG: the access token and the RDT of a
    getOrderBuyerInfo call (one RDT per e-mail: too many for Airflow's masker) must not show."""
    import logging

    import httpx
    from sp_api.api import Tokens

    from buyer_messaging.spapi.calls import SpApiCaller
    from buyer_messaging.spapi.client import build_client
    from buyer_messaging.spapi.credentials import SpApiCredentials
    from spapi_emulator.testing import CREDENTIALS

    url = emulator.url
    creds = SpApiCredentials(
        CREDENTIALS["refresh_token"], "app", "secret", "US", url, f"{url}/auth/o2/token"
    )
    day = (datetime.now(UTC) - timedelta(days=10)).date().isoformat()
    order_id = httpx.get(f"{url}/_emulator/orders", params={"day": day}).json()["orders"][0][
        "AmazonOrderId"
    ]
    orders, tokens = build_client(OrdersV0, creds), build_client(Tokens, creds)
    caller = SpApiCaller()
    records: list[logging.LogRecord] = []
    listener = logging.Handler(logging.DEBUG)
    listener.emit = records.append  # type: ignore[method-assign]
    library = logging.getLogger("sp_api.base.client")
    level = library.level
    library.setLevel(logging.DEBUG)
    library.addHandler(listener)
    try:
        rdt = caller.call(
            "createRestrictedDataToken", tokens.create_restricted_data_token, client=tokens,
            restrictedResources=[{"method": "GET", "path": f"/orders/v0/orders/{order_id}/buyerInfo"}],
        ).payload["restrictedDataToken"]  # fmt: skip
        orders.restricted_data_token = rdt
        caller.call("getOrderBuyerInfo", orders.get_order_buyer_info, order_id, client=orders)
    finally:
        library.removeHandler(listener)
        library.setLevel(level)
    access = orders._auth.get_auth().access_token
    logged = "\n".join(r.getMessage() for r in records)
    assert "Request Headers" in logged and "x-amz-access-token" in logged  # what the library logs
    assert rdt.startswith("Atz.sprdt|") and rdt not in logged and access not in logged
