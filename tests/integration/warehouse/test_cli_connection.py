"""`buyer-messaging migrate` (and every warehouse command) finds the `messaging_warehouse`
connection where `airflow connections add` keeps it: Airflow's metadata database (README step 4).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from psycopg2.extensions import parse_dsn

pytestmark = pytest.mark.integration


def _connection_tables() -> None:
    """The metadata DB's connection table (and the team table it refers to): enough here."""
    from airflow import settings
    from airflow.models.connection import Connection
    from airflow.models.team import Team

    for table in (Team.__table__, Connection.__table__):
        table.create(settings.engine, checkfirst=True)


@pytest.fixture
def metadata_connection(
    make_database, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str]]:
    """A warehouse database and its connection in Airflow's metadata DB, as the CLI stores it;
    nothing in the environment."""
    from airflow import settings
    from airflow.models.connection import Connection

    monkeypatch.delenv("AIRFLOW_CONN_MESSAGING_WAREHOUSE", raising=False)
    monkeypatch.delenv("BUYER_MESSAGING_WAREHOUSE_DSN", raising=False)
    dsn = make_database("bm_cli_conn")
    parts = parse_dsn(dsn)
    dbname = parts["dbname"]
    conn_id = f"messaging_warehouse_{dbname}"
    _connection_tables()
    session = settings.Session()
    session.add(
        Connection(conn_id=conn_id, conn_type="postgres", host=parts.get("host", "127.0.0.1"),
                   port=int(parts.get("port", 5432)), login=parts.get("user", "postgres"),
                   password=parts.get("password"), schema=dbname)
    )  # fmt: skip
    session.commit()
    yield conn_id, dbname
    session.query(Connection).filter(Connection.conn_id == conn_id).delete()
    session.commit()
    session.close()


def test_a_connection_in_the_metadata_database_is_found_outside_a_task(metadata_connection):
    from buyer_messaging.warehouse.connection import warehouse_dsn_outside_tasks

    conn_id, dbname = metadata_connection
    assert parse_dsn(warehouse_dsn_outside_tasks(conn_id))["dbname"] == dbname


def test_buyer_messaging_migrate_reads_it(metadata_connection, monkeypatch, capsys):
    import buyer_messaging.warehouse.connection as connection
    from buyer_messaging.cli import main

    conn_id, _ = metadata_connection
    monkeypatch.setattr(connection, "WAREHOUSE_CONN_ID", conn_id)
    assert main(["migrate"]) == 0
    assert capsys.readouterr().out.startswith("applied: 0001")


def test_without_the_connection_the_command_says_what_to_create(monkeypatch, capsys):
    import buyer_messaging.warehouse.connection as connection
    from buyer_messaging.cli import main

    monkeypatch.delenv("BUYER_MESSAGING_WAREHOUSE_DSN", raising=False)
    monkeypatch.setattr(connection, "WAREHOUSE_CONN_ID", "messaging_warehouse_nowhere")
    _connection_tables()
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert "no Airflow connection 'messaging_warehouse_nowhere'" in err and "--dsn" in err
