"""The warehouse connection read the Airflow way: every libpq extra reaches libpq."""

from __future__ import annotations

import json

import pytest
from psycopg2.extensions import parse_dsn
from support import postgres_connection_json

pytestmark = pytest.mark.integration


def _with_extra(dsn: str, extra: dict) -> str:
    conn = json.loads(postgres_connection_json(dsn))
    conn["extra"] = extra
    return json.dumps(conn)


def test_every_libpq_extra_is_honoured_and_the_providers_own_keys_are_not_passed(
    make_database, monkeypatch, tmp_path
):
    from buyer_messaging.warehouse.connection import connect, warehouse_dsn

    db = make_database("bm_conn")
    extra = {
        # libpq parameters (https://www.postgresql.org/docs/current/libpq-connect.html)
        "sslmode": "disable",  # the test server has no TLS; the others must still arrive
        "sslrootcert": str(tmp_path / "root.crt"),
        "sslcert": str(tmp_path / "client.crt"),
        "sslkey": str(tmp_path / "client.key"),
        "options": "-c statement_timeout=4321 -c search_path=reporting,public",
        "target_session_attrs": "any",
        "keepalives": True,
        "connect_timeout": 7,
        # the Postgres provider's own keys (PostgresHook.ignored_extra_options): not libpq's
        "cursor": "dictcursor",
        "sqlalchemy_scheme": "postgresql+psycopg2",
    }
    monkeypatch.setenv("AIRFLOW_CONN_MESSAGING_WAREHOUSE", _with_extra(db, extra))
    dsn = warehouse_dsn()
    params = parse_dsn(dsn)
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "options", "target_session_attrs"):
        assert params[key] == extra[key], key
    assert params["keepalives"] == "1" and params["connect_timeout"] == "7"
    assert "cursor" not in params and "sqlalchemy_scheme" not in params

    conn = connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW statement_timeout")
            assert cur.fetchone()[0] == "4321ms"  # `options` reached the server
            cur.execute("SHOW search_path")
            assert cur.fetchone()[0] == "reporting,public"
    finally:
        conn.close()


def test_an_unusable_extra_is_named_without_its_value(make_database, monkeypatch):
    from buyer_messaging.warehouse.connection import warehouse_dsn

    db = make_database("bm_conn")
    monkeypatch.setenv(
        "AIRFLOW_CONN_MESSAGING_WAREHOUSE", _with_extra(db, {"sslpassword": {"v": "SECRET-x"}})
    )
    with pytest.raises(ValueError) as err:
        warehouse_dsn()
    assert "'sslpassword' is not a libpq value" in str(err.value)
    assert "SECRET" not in str(err.value)
    monkeypatch.setenv("AIRFLOW_CONN_MESSAGING_WAREHOUSE", _with_extra(db, {"iam": True}))
    with pytest.raises(ValueError, match="iam"):
        warehouse_dsn()
