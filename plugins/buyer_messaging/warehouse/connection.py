"""psycopg2 connections to the warehouse, built from an Airflow connection or a DSN."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.sdk import Connection
    from psycopg2.extensions import connection as PgConnection
    from psycopg2.extensions import cursor as PgCursor

WAREHOUSE_CONN_ID = "messaging_warehouse"


def dsn_from_connection(conn: Connection) -> str:
    """A psycopg2 (libpq) DSN from an Airflow Postgres connection, read as the Postgres
    provider reads it: host, port, login, password, schema (the database), and every extra as
    a libpq parameter (sslmode, sslrootcert, sslcert, sslkey, options, target_session_attrs,
    ...) except the provider's own keys (PostgresHook.ignored_extra_options: iam, cursor, ...).

    Not PostgresHook.get_conn(): with provider 7.x that returns a psycopg 3 connection, and the
    warehouse code is psycopg2.
    """
    from airflow.providers.postgres.hooks.postgres import PostgresHook
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

    extra = connection_extras(conn)  # extra_dejson warns for every short extra
    if extra.get("iam"):
        raise ValueError(
            f"connection {conn.conn_id!r}: extra iam (cloud IAM tokens) is not supported for the"
            " warehouse: use a password or a client certificate (sslcert, sslkey)"
        )
    for key, value in extra.items():
        if key in PostgresHook.ignored_extra_options:
            continue
        if isinstance(value, bool):
            value = int(value)  # libpq's booleans (keepalives, ...) are 0 and 1
        elif not isinstance(value, str | int | float):
            # names the key, never the value: it may be a secret
            raise ValueError(f"connection {conn.conn_id!r}: extra {key!r} is not a libpq value")
        parts[key] = value
    return make_dsn(**parts)


def warehouse_dsn(conn_id: str = WAREHOUSE_CONN_ID) -> str:
    """Resolve the warehouse DSN through Airflow's connections (env vars, secrets backends, DB)."""
    explicit = os.environ.get("BUYER_MESSAGING_WAREHOUSE_DSN")
    if explicit:
        return explicit
    from airflow.sdk import BaseHook

    return dsn_from_connection(BaseHook.get_connection(conn_id))


def warehouse_dsn_outside_tasks(conn_id: str = WAREHOUSE_CONN_ID) -> str:
    """The warehouse DSN for a command run by hand, found as `airflow connections get` finds it:
    environment, secrets backends and Airflow's metadata database. The Task SDK's lookup
    (`warehouse_dsn`) skips the metadata database outside a task, where `airflow connections
    add` keeps connections."""
    explicit = os.environ.get("BUYER_MESSAGING_WAREHOUSE_DSN")
    if explicit:
        return explicit
    from airflow.models.connection import Connection

    return dsn_from_connection(Connection.get_connection_from_secrets(conn_id))


def connect(dsn: str | None = None, *, application_name: str = "buyer-messaging") -> PgConnection:
    import psycopg2

    conn = psycopg2.connect(dsn or warehouse_dsn(), application_name=application_name)
    return conn


@contextmanager
def transaction(conn: PgConnection) -> Iterator[PgCursor]:
    """A cursor inside one transaction: committed on success, rolled back on any error."""
    try:
        with conn.cursor() as cur:
            yield cur
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


def one_row(cur: PgCursor) -> tuple[Any, ...]:
    """The row of a statement that always returns one (an aggregate, RETURNING, a lock).

    No row there is a bug in the statement, not data to handle: it fails here, by name.
    """
    row = cur.fetchone()
    if row is None:
        raise LookupError("the statement returned no row where it always returns one")
    return row


def column_names(cur: PgCursor) -> list[str]:
    """The last statement's column names; only a statement returning rows has them."""
    if cur.description is None:
        raise LookupError("the last statement returned no rows to name")
    return [column.name for column in cur.description]
