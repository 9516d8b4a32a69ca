"""Helpers shared by tests: Airflow connections for the emulator and a test warehouse."""

from __future__ import annotations

import json


def spapi_connection_json(url: str, *, marketplace: str = "US", refresh_token: str = "Atzr|test-refresh") -> str:
    return json.dumps(
        {
            "conn_type": "amazon_sp_api",
            "extra": {
                "refresh_token": refresh_token,
                "lwa_app_id": "amzn1.application-oa2-client.test",
                "lwa_client_secret": "test-client-secret",
                "marketplace": marketplace,
                "endpoint": url,
                "lwa_endpoint": f"{url}/auth/o2/token",
            },
        }
    )


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
