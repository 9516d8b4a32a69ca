"""SpApiHook.test_connection against the emulator, with the connection as AIRFLOW_CONN_SPAPI_X."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from support import spapi_connection_json

pytestmark = pytest.mark.integration

REVOKED = "Atzr|revoked-refresh-token-0123456789"


@pytest.fixture
def rejecting_lwa() -> Iterator[str]:
    """A token endpoint answering like Login with Amazon for a revoked refresh token; it even
    echoes the token back, so a message built from its answer would leak it."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            token = form.get("refresh_token", [""])[0]
            body = json.dumps(
                {
                    "error": "invalid_grant",
                    "error_description": f"The request has an invalid grant parameter : refresh_token {token}",
                }
            ).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/auth/o2/token"
    server.shutdown()
    server.server_close()


def test_connection_from_env_var_works_against_emulator(emulator, monkeypatch):
    from buyer_messaging.spapi.hook import SpApiHook

    monkeypatch.setenv("AIRFLOW_CONN_SPAPI_X", spapi_connection_json(emulator.url))
    ok, message = SpApiHook("spapi_x").test_connection()
    assert ok, message
    assert "US" in message and emulator.url in message
    assert "test-refresh" not in message and "test-client-secret" not in message


def test_connection_with_revoked_refresh_token_fails_clearly_without_secrets(
    emulator, rejecting_lwa, monkeypatch
):
    from buyer_messaging.spapi.hook import SpApiHook

    conn = json.loads(spapi_connection_json(emulator.url, refresh_token=REVOKED))
    conn["extra"]["lwa_endpoint"] = rejecting_lwa
    monkeypatch.setenv("AIRFLOW_CONN_SPAPI_X", json.dumps(conn))
    ok, message = SpApiHook("spapi_x").test_connection()
    assert not ok
    assert "invalid_grant" in message or "invalid grant" in message, message
    assert REVOKED not in message and "revoked-refresh" not in message
    assert "test-client-secret" not in message


def test_connection_without_refresh_token_names_the_missing_extra(emulator, monkeypatch):
    from buyer_messaging.spapi.hook import SpApiHook

    monkeypatch.setenv(
        "AIRFLOW_CONN_SPAPI_X", spapi_connection_json(emulator.url, refresh_token="")
    )
    ok, message = SpApiHook("spapi_x").test_connection()
    assert not ok
    assert "spapi_x" in message and "refresh_token" in message
    assert "test-client-secret" not in message
