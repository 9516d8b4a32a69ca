"""The outbox statuses declared in domain.py are exactly those the migrated database allows."""

import re

import pytest

from buyer_messaging import domain
from buyer_messaging.warehouse.connection import connect

pytestmark = pytest.mark.integration


def test_outbox_status_check_constraint_is_the_domains_declaration(warehouse_dsn):
    conn = connect(warehouse_dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c"
                " WHERE c.conrelid = 'messaging.outbox'::regclass AND c.conname = 'outbox_status_known'"
            )
            (definition,) = cur.fetchone()
            # Postgres prints it as: CHECK ((status = ANY (ARRAY['planned'::text, ...])))
            allowed = tuple(re.findall(r"'([a-z_]+)'::text", definition))
            assert allowed == domain.OUTBOX_STATUSES
            # and the database refuses what the declaration does not have
            cur.execute("SAVEPOINT s")
            with pytest.raises(Exception, match="outbox_status_known"):
                cur.execute(
                    "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id,"
                    " kind, channel, status, planned_for, due_on, send_before)"
                    " VALUES ('domain_check', 'A1PA6795UKMFR9', '302-0000000-0000009',"
                    " 'review_request', 'solicitations', 'posted', now(), current_date, now())"
                )
            cur.execute("ROLLBACK TO SAVEPOINT s")
    finally:
        conn.rollback()
        conn.close()
