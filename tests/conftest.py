"""Shared fixtures: an isolated Airflow home, a throw-away warehouse database, the emulator.

Postgres: the server at 127.0.0.1:5432 (trust auth) when it answers, else an embedded one
(pgserver). Each test session gets its own database, dropped at the end.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import postgres_connection_json, spapi_connection_json  # noqa: E402,F401

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# Airflow reads its configuration at import: isolate it before any test imports airflow.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="bm-airflow-home-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("no_proxy", "127.0.0.1,localhost")
os.environ.pop("SP_API_DEFAULT_MARKETPLACE", None)
os.environ.pop("BUYER_MESSAGING_WAREHOUSE_DSN", None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


def _admin_dsn() -> tuple[str, object | None]:
    """A DSN for a database we may CREATE DATABASE from, and the embedded server if used."""
    import psycopg2

    dsn = os.environ.get(
        "BUYER_MESSAGING_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
    )
    try:
        psycopg2.connect(dsn, connect_timeout=3).close()
        return dsn, None
    except psycopg2.OperationalError:
        import pgserver

        data = Path(tempfile.mkdtemp(prefix="bm-pg-"))
        server = pgserver.get_server(data, cleanup_mode="delete")
        return server.get_uri(), server


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[str]:
    dsn, server = _admin_dsn()
    yield dsn
    del server


@pytest.fixture(scope="session")
def make_database(pg_admin: str) -> Iterator[object]:
    """Factory: a fresh, empty database; all are dropped at session end."""
    import psycopg2
    from psycopg2.extensions import make_dsn

    created: list[str] = []

    def create(prefix: str = "bm_test") -> str:
        name = f"{prefix}_{secrets.token_hex(4)}"
        admin = psycopg2.connect(pg_admin)
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        created.append(name)
        return make_dsn(pg_admin, dbname=name)

    yield create
    admin = psycopg2.connect(pg_admin)
    admin.autocommit = True
    with admin.cursor() as cur:
        for name in created:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="session")
def warehouse_dsn(make_database) -> str:
    """A migrated warehouse shared by the session (tests use distinct account ids)."""
    from buyer_messaging.warehouse.connection import connect
    from buyer_messaging.warehouse.migrate import migrate

    dsn = make_database("bm_wh")
    conn = connect(dsn)
    migrate(conn)
    conn.close()
    return dsn


@pytest.fixture
def fresh_warehouse(make_database) -> str:
    """A migrated warehouse of the test's own."""
    from buyer_messaging.warehouse.connection import connect
    from buyer_messaging.warehouse.migrate import migrate

    dsn = make_database("bm_wh")
    conn = connect(dsn)
    migrate(conn)
    conn.close()
    return dsn


@pytest.fixture
def wh(fresh_warehouse: str) -> Iterator[object]:
    from buyer_messaging.warehouse.connection import connect

    conn = connect(fresh_warehouse)
    yield conn
    conn.close()


@pytest.fixture
def emulator_factory() -> Iterator[object]:
    from spapi_emulator.server import EmulatorServer

    servers: list[EmulatorServer] = []

    def start(**kwargs: object) -> EmulatorServer:
        kwargs.setdefault("seed", 7)
        kwargs.setdefault("orders_per_day", 8)
        server = EmulatorServer(host="127.0.0.1", port=0, **kwargs).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def emulator(emulator_factory) -> object:
    return emulator_factory(time_scale=200.0)


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (only CI and the team's machines have it)")
    return SHARED


@pytest.fixture
def demo_connections(monkeypatch, emulator, fresh_warehouse):
    """The demo account's Airflow connections, as a task reads them: SP-API to the emulator,
    the warehouse to a fresh database (its DSN is returned)."""
    monkeypatch.setenv("AIRFLOW_CONN_SPAPI_DEMO", spapi_connection_json(emulator.url))
    monkeypatch.setenv(
        "AIRFLOW_CONN_MESSAGING_WAREHOUSE", postgres_connection_json(fresh_warehouse)
    )
    return fresh_warehouse


@pytest.fixture
def smtp_relay(monkeypatch):
    """A real local SMTP server as connection `smtp_relay`; yields the messages it received."""
    import json
    import socket

    from aiosmtpd.controller import Controller

    received: list[dict[str, str]] = []

    class Keep:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
            received.append(
                {
                    "to": ",".join(envelope.rcpt_tos),
                    "data": envelope.content.decode("utf-8", "replace"),
                }
            )
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_RELAY",
        json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": port,
                "extra": {
                    "from_email": "seller@seller.example",
                    "disable_tls": True,
                    "disable_ssl": True,
                },
            }
        ),
    )
    yield received
    controller.stop()
