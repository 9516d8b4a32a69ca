"""psycopg2 connections to the warehouse, built from an Airflow connection or a DSN."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

WAREHOUSE_CONN_ID = "messaging_warehouse"


def dsn_from_connection(conn: Any) -> str:
    """A libpq DSN from an Airflow Connection (host, port, login, password, schema = database)."""
    from psycopg2.extensions import make_dsn

    parts: dict[str, Any] = {
        "host": conn.host or "127.0.0.1",
        "port": conn.port or 5432,
        "user": conn.login or "postgres",
        "dbname": conn.schema or "postgres",
    }
    if conn.password:
        parts["password"] = conn.password
    from buyer_messaging.masking import connection_extras

    extra = connection_extras(conn)
    for key in ("sslmode", "connect_timeout", "application_name"):
        if key in extra:
            parts[key] = extra[key]
    return make_dsn(**parts)


def warehouse_dsn(conn_id: str = WAREHOUSE_CONN_ID) -> str:
    """Resolve the warehouse DSN through Airflow's connections (env vars, secrets backends, DB)."""
    explicit = os.environ.get("BUYER_MESSAGING_WAREHOUSE_DSN")
    if explicit:
        return explicit
    from airflow.sdk import BaseHook

    return dsn_from_connection(BaseHook.get_connection(conn_id))


def connect(dsn: str | None = None, *, application_name: str = "buyer-messaging") -> Any:
    import psycopg2

    conn = psycopg2.connect(dsn or warehouse_dsn(), application_name=application_name)
    return conn


@contextmanager
def transaction(conn: Any) -> Iterator[Any]:
    """A cursor inside one transaction: committed on success, rolled back on any error."""
    try:
        with conn.cursor() as cur:
            yield cur
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
