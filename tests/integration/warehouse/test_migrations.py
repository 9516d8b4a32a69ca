import pytest

from buyer_messaging.warehouse.connection import connect
from buyer_messaging.warehouse.migrate import discover, migrate

pytestmark = pytest.mark.integration


def test_migrations_create_schemas_and_are_safe_to_apply_twice(make_database):
    dsn = make_database()
    conn = connect(dsn)
    try:
        first = migrate(conn)
        assert first == [f"{m.version:04d}_{m.name}" for m in discover()]
        assert migrate(conn) == []
        with conn.cursor() as cur:
            cur.execute(
                "SELECT schema_name FROM information_schema.schemata"
                " WHERE schema_name IN ('staging', 'messaging', 'quality', 'reporting')"
            )
            assert {r[0] for r in cur.fetchall()} == {
                "staging",
                "messaging",
                "quality",
                "reporting",
            }
            cur.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = 'reporting' AND table_name = 'message_log'"
            )
            columns = {r[0] for r in cur.fetchall()}
        assert {
            "account_id", "marketplace_id", "amazon_order_id", "kind", "channel", "status",
            "due_on", "sent_at", "violation_codes", "error",
        } <= columns  # fmt: skip
    finally:
        conn.close()


def test_outbox_allows_one_message_per_order_and_kind(wh):
    with wh.cursor() as cur:
        insert = (
            "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind,"
            " channel, planned_for, due_on) VALUES ('a', 'ATVPDKIKX0DER', %s, 'review_request',"
            " 'solicitations', '2026-11-01', '2026-11-01')"
        )
        cur.execute(insert, ("111-0000000-0000001",))
        with pytest.raises(Exception, match="outbox_one_per_order_kind"):
            cur.execute(insert, ("111-0000000-0000001",))
    wh.rollback()
