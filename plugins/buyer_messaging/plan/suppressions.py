"""SQL of `messaging.suppressions`: buyers who get critical messages only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from buyer_messaging.redact import scrub

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor

_ADD = """
INSERT INTO messaging.suppressions (account_id, buyer_hash, reason, source, order_id)
SELECT o.account_id, o.buyer_hash, %(reason)s, %(source)s, o.amazon_order_id
FROM staging.orders o
WHERE o.account_id = %(account_id)s AND o.amazon_order_id = %(order_id)s AND o.buyer_hash IS NOT NULL
ON CONFLICT (account_id, buyer_hash) DO UPDATE SET reason = EXCLUDED.reason, source = EXCLUDED.source
RETURNING buyer_hash
"""

_REMOVE = """
DELETE FROM messaging.suppressions s
USING staging.orders o
WHERE o.account_id = %(account_id)s AND o.amazon_order_id = %(order_id)s
  AND s.account_id = o.account_id AND s.buyer_hash = o.buyer_hash
RETURNING s.buyer_hash
"""

_ORDER_BUYER = """
SELECT buyer_hash FROM staging.orders WHERE account_id = %(account_id)s AND amazon_order_id = %(order_id)s
"""


class UnknownBuyer(LookupError):
    pass


def suppress(
    cur: PgCursor, account_id: str, order_id: str, reason: str, *, source: str = "operator"
) -> str:
    """Suppress the buyer of an order (all their orders of this account); returns the buyer hash."""
    # kept past PII retention on purpose, so never with an e-mail address an operator pasted
    reason = scrub(reason) or reason
    params = {"account_id": account_id, "order_id": order_id, "reason": reason, "source": source}
    cur.execute(_ADD, params)
    row = cur.fetchone()
    if row is None:
        raise UnknownBuyer(_why_unknown(cur, params))
    return row[0]


def unsuppress(cur: PgCursor, account_id: str, order_id: str) -> bool:
    params = {"account_id": account_id, "order_id": order_id}
    cur.execute(_REMOVE, params)
    if cur.fetchone() is not None:
        return True
    cur.execute(_ORDER_BUYER, params)
    row = cur.fetchone()
    if row is None or row[0] is None:
        raise UnknownBuyer(_why_unknown(cur, params))
    return False


def _why_unknown(cur: PgCursor, params: dict[str, Any]) -> str:
    cur.execute(_ORDER_BUYER, params)
    row = cur.fetchone()
    where = f"account {params['account_id']}, order {params['order_id']}"
    if row is None:
        return f"{where}: the order is not in staging (extract its day first)"
    return f"{where}: the order has no buyer hash (its buyer data was purged or never extracted)"
