"""Helpers shared by tests: Airflow connections for the emulator and a test warehouse."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from spapi_emulator.auth import DEFAULT_REFRESH_TOKEN  # what the test emulators accept


def spapi_connection_json(
    url: str, *, marketplace: str | None = None, refresh_token: str = DEFAULT_REFRESH_TOKEN
) -> str:
    extra = {
        "refresh_token": refresh_token,
        "lwa_app_id": "amzn1.application-oa2-client.test",
        "lwa_client_secret": "test-client-secret",
        "endpoint": url,
        "lwa_endpoint": f"{url}/auth/o2/token",
    }
    if marketplace:  # accounts.yaml says it; as an extra, Airflow warns "too short to mask"
        extra["marketplace"] = marketplace
    return json.dumps({"conn_type": "amazon_sp_api", "extra": extra})


def postgres_connection_json(dsn: str) -> str:
    from psycopg2.extensions import parse_dsn

    if "://" in dsn:
        import psycopg2

        conn = psycopg2.connect(dsn)
        params = conn.get_dsn_parameters()
        conn.close()
    else:
        params = parse_dsn(dsn)
    return json.dumps(
        {
            "conn_type": "postgres",
            "host": params.get("host", "127.0.0.1"),
            "port": int(params.get("port", 5432)),
            "login": params.get("user", "postgres"),
            "password": params.get("password") or None,
            "schema": params.get("dbname", "postgres"),
        }
    )


@contextmanager
def echoing_token_endpoint(mode: dict[str, Any]) -> Iterator[str]:
    """A token endpoint that answers with the request it got (request line, headers, form):
    as an LWA error body (`error_description`) when mode["json"], else as plain text, with
    status mode["status"]. Yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            got = self.rfile.read(int(self.headers["Content-Length"])).decode()
            got = f"{self.requestline} {dict(self.headers)} {got}"
            if mode.get("json", True):
                body = json.dumps({"error": "invalid_grant", "error_description": got}).encode()
            else:
                body = got.encode()
            self.send_response(mode.get("status", 400))
            self.send_header(
                "Content-Type", "application/json" if mode.get("json", True) else "text/plain"
            )
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/auth/o2/token"
    finally:
        server.shutdown()
        server.server_close()
