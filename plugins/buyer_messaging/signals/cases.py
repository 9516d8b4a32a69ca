"""SQL of `messaging.cases`: one issue-resolution case per order with a negative signal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor

# A rating or a return opens a case once; a case never reopens or changes its first signal,
# so a re-run, a backfill or a later report of the same rating opens nothing new.
_OPEN_FROM_FEEDBACK = """
INSERT INTO messaging.cases (account_id, amazon_order_id, buyer_hash, source, signal, signalled_on)
SELECT f.account_id, f.amazon_order_id, coalesce(o.buyer_hash, f.rater_hash), 'feedback',
       'seller feedback ' || f.rating || ' star' || CASE WHEN f.rating = 1 THEN '' ELSE 's' END,
       f.feedback_date
FROM staging.seller_feedback f
LEFT JOIN staging.orders o ON o.account_id = f.account_id AND o.amazon_order_id = f.amazon_order_id
WHERE f.account_id = %(account_id)s AND f.rating <= %(max_stars)s
ON CONFLICT (account_id, amazon_order_id) DO NOTHING
RETURNING id
"""

_OPEN_FROM_RETURNS = """
INSERT INTO messaging.cases (account_id, amazon_order_id, buyer_hash, source, signal, signalled_on)
SELECT DISTINCT ON (r.amazon_order_id)
       r.account_id, r.amazon_order_id, o.buyer_hash, 'return', 'return: ' || r.return_reason,
       (r.return_request_date AT TIME ZONE %(tz)s)::date
FROM staging.returns r
LEFT JOIN staging.orders o ON o.account_id = r.account_id AND o.amazon_order_id = r.amazon_order_id
WHERE r.account_id = %(account_id)s AND r.return_reason = ANY(%(reasons)s) AND NOT r.quarantined
ORDER BY r.amazon_order_id, r.return_request_date
ON CONFLICT (account_id, amazon_order_id) DO NOTHING
RETURNING id
"""

# A buyer hash arrives later than the signal when the order was extracted after it.
_FILL_BUYER = """
UPDATE messaging.cases c SET buyer_hash = o.buyer_hash
FROM staging.orders o
WHERE c.account_id = %(account_id)s AND c.buyer_hash IS NULL
  AND o.account_id = c.account_id AND o.amazon_order_id = c.amazon_order_id
  AND o.buyer_hash IS NOT NULL
"""

# Messages planned before the signal arrived and not yet sent stop too.
_SKIP_PENDING = """
WITH affected AS (
    SELECT cs.id, cs.signal, cs.amazon_order_id, false AS other
    FROM messaging.cases cs WHERE cs.id = ANY(%(ids)s)
    UNION ALL
    SELECT cs.id, cs.signal, o.amazon_order_id, true
    FROM messaging.cases cs
    JOIN staging.orders o ON o.account_id = cs.account_id AND o.buyer_hash = cs.buyer_hash
    WHERE cs.id = ANY(%(ids)s) AND o.amazon_order_id <> cs.amazon_order_id
)
UPDATE messaging.outbox ob
SET status = 'skipped', updated_at = now(),
    reason = 'negative signal: ' || a.signal
             || CASE WHEN a.other THEN ' on another order of this buyer' ELSE '' END
             || ' (case ' || a.id || ')'
FROM affected a
WHERE ob.account_id = %(account_id)s AND ob.amazon_order_id = a.amazon_order_id
  AND ob.kind = ANY(%(kinds)s) AND ob.status IN ('planned', 'ready', 'failed_retryable')
"""

_COLUMNS = (
    "id, account_id, amazon_order_id, source, signal, signalled_on, opened_at, status,"
    " closed_at, closed_by, resolution"
)

_BY_ID = f"SELECT {_COLUMNS} FROM messaging.cases WHERE id = ANY(%s) ORDER BY id"

_LIST = f"""
SELECT {_COLUMNS} FROM messaging.cases
WHERE account_id = %(account_id)s AND (%(status)s::text IS NULL OR status = %(status)s)
ORDER BY opened_at, id
"""

_CLOSE = f"""
UPDATE messaging.cases
SET status = 'closed', closed_at = now(), closed_by = %(by)s, resolution = %(resolution)s
WHERE account_id = %(account_id)s AND amazon_order_id = %(order_id)s AND status = 'open'
RETURNING {_COLUMNS}
"""


@dataclass(frozen=True)
class Case:
    id: int
    account_id: str
    amazon_order_id: str
    source: str
    signal: str
    signalled_on: date | None
    opened_at: datetime
    status: str
    closed_at: datetime | None
    closed_by: str | None
    resolution: str | None


def open_cases(
    cur: PgCursor, account_id: str, *, max_stars: int, reasons: tuple[str, ...], tz: str
) -> list[Case]:
    """Open a case for every order with a negative signal that has none; the new cases."""
    params = {"account_id": account_id, "max_stars": max_stars, "reasons": list(reasons), "tz": tz}
    ids: list[int] = []
    cur.execute(_OPEN_FROM_FEEDBACK, params)
    ids += [r[0] for r in cur.fetchall()]
    cur.execute(_OPEN_FROM_RETURNS, params)
    ids += [r[0] for r in cur.fetchall()]
    cur.execute(_FILL_BUYER, params)
    cur.execute(_BY_ID, (ids,))
    return [Case(*r) for r in cur.fetchall()]


def skip_pending(cur: PgCursor, account_id: str, case_ids: list[int], kinds: list[str]) -> int:
    """Skip the not-yet-sent messages of `kinds` to the cases' orders and buyers."""
    if not case_ids:
        return 0
    cur.execute(_SKIP_PENDING, {"account_id": account_id, "ids": case_ids, "kinds": kinds})
    return int(cur.rowcount)


def list_cases(cur: PgCursor, account_id: str, status: str | None = None) -> list[Case]:
    cur.execute(_LIST, {"account_id": account_id, "status": status})
    return [Case(*r) for r in cur.fetchall()]


def close_case(
    cur: PgCursor, account_id: str, order_id: str, *, by: str, resolution: str
) -> Case | None:
    """Close the order's open case; None when it has none open."""
    cur.execute(
        _CLOSE, {"account_id": account_id, "order_id": order_id, "by": by, "resolution": resolution}
    )
    row = cur.fetchone()
    return Case(*row) if row else None
