"""SQL of the `messaging` schema: the outbox state machine and its attempts.

Exactly-once hinges on two things: a row is marked `sending` (committed) before any call is
made, and the sender holds a session advisory lock on the row's id until its outcome is
committed. A `sending` row whose lock can be taken therefore belongs to a dead sender and is
reconciled before anything is sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg2.extras import Json

from buyer_messaging.redact import scrub


@dataclass(frozen=True)
class Claimed:
    id: int
    account_id: str
    marketplace_id: str
    amazon_order_id: str
    kind: str
    channel: str
    locale: str | None
    subject: str | None
    body: str | None
    attempt_no: int


_CLAIM = """
WITH picked AS MATERIALIZED (
    SELECT id FROM messaging.outbox
    WHERE account_id = %(account_id)s AND kind = %(kind)s
      AND status IN ('ready', 'failed_retryable')
      AND (send_before IS NULL OR send_before > now())
    ORDER BY id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
), locked AS MATERIALIZED (
    SELECT id FROM picked WHERE pg_try_advisory_lock(id)
)
UPDATE messaging.outbox o
SET status = 'sending', attempts = o.attempts + 1, claimed_by = %(worker)s,
    claimed_at = now(), updated_at = now()
FROM locked
WHERE o.id = locked.id
RETURNING o.id, o.account_id, o.marketplace_id, o.amazon_order_id, o.kind, o.channel,
          o.locale, o.subject, o.body, o.attempts
"""

_START_ATTEMPT = """
INSERT INTO messaging.attempts (outbox_id, attempt_no, worker) VALUES (%s, %s, %s)
"""

_FINISH = """
UPDATE messaging.outbox
SET status = %(status)s, error = %(error)s, updated_at = now(),
    sent_at = CASE WHEN %(status)s = 'sent' THEN coalesce(%(sent_at)s, now()) ELSE sent_at END
WHERE id = %(id)s AND status = 'sending'
"""

_FINISH_ATTEMPT = """
UPDATE messaging.attempts
SET finished_at = now(), outcome = %(outcome)s, http_status = %(http_status)s,
    response = %(response)s, error = %(error)s
WHERE outbox_id = %(id)s AND attempt_no = %(attempt_no)s
"""

_ORPHANS = """
WITH sending AS MATERIALIZED (
    SELECT id, account_id, marketplace_id, amazon_order_id, kind, channel, locale, subject,
           body, attempts
    FROM messaging.outbox
    WHERE account_id = %s AND status = 'sending'
    ORDER BY id
)
SELECT s.*, a.dispatched_at IS NOT NULL
FROM sending s
LEFT JOIN messaging.attempts a ON a.outbox_id = s.id AND a.attempt_no = s.attempts
WHERE pg_try_advisory_lock(s.id)
"""

_DISPATCHED = """
UPDATE messaging.attempts SET dispatched_at = clock_timestamp(), message_id = %s
WHERE outbox_id = %s AND attempt_no = %s
"""

_BACK_TO_READY = """
UPDATE messaging.outbox SET status = 'ready', updated_at = now() WHERE id = %s AND status = 'sending'
"""

_EXPIRE_STALE = """
UPDATE messaging.outbox
SET status = 'expired', updated_at = now(),
    reason = 'expired: not sent before ' || to_char(send_before, 'YYYY-MM-DD HH24:MI TZ')
WHERE account_id = %s AND status IN ('planned', 'ready', 'failed_retryable')
  AND send_before IS NOT NULL AND send_before <= now()
"""

_PENDING_BY_KIND = """
SELECT kind, count(*) FROM messaging.outbox
WHERE account_id = %s AND status IN ('ready', 'failed_retryable')
  AND (send_before IS NULL OR send_before > now())
GROUP BY kind ORDER BY kind
"""


def claim(cur: Any, *, account_id: str, kind: str, limit: int, worker: str) -> list[Claimed]:
    """Claim up to `limit` rows and hold their advisory locks (caller commits at once)."""
    cur.execute(_CLAIM, {"account_id": account_id, "kind": kind, "limit": limit, "worker": worker})
    rows = [Claimed(*row) for row in cur.fetchall()]
    for row in rows:
        cur.execute(_START_ATTEMPT, (row.id, row.attempt_no, worker))
    return rows


def finish(
    cur: Any,
    row: Claimed,
    *,
    status: str,
    outcome: str,
    http_status: int | None = None,
    response: Any = None,
    error: str | None = None,
    sent_at: Any = None,
) -> None:
    # the one place delivery errors are stored: relays quote the refused recipient's address
    error = scrub(error)
    cur.execute(_FINISH, {"status": status, "error": error, "sent_at": sent_at, "id": row.id})
    cur.execute(
        _FINISH_ATTEMPT,
        {
            "outcome": outcome,
            "http_status": http_status,
            "response": Json(response) if response is not None else None,
            "error": error,
            "id": row.id,
            "attempt_no": row.attempt_no,
        },
    )


def release(cur: Any, row_id: int) -> None:
    cur.execute("SELECT pg_advisory_unlock(%s)", (row_id,))


def orphans(cur: Any, account_id: str) -> list[tuple[Claimed, bool]]:
    """`sending` rows no live sender holds (their advisory lock is now ours), each with
    whether its last attempt's request had been dispatched."""
    cur.execute(_ORPHANS, (account_id,))
    return [(Claimed(*row[:-1]), bool(row[-1])) for row in cur.fetchall()]


def dispatched(cur: Any, row: Claimed, message_id: str | None = None) -> None:
    """Mark the attempt's request as about to leave (committed before the call)."""
    cur.execute(_DISPATCHED, (message_id, row.id, row.attempt_no))


def back_to_ready(cur: Any, row: Claimed, outcome: str) -> None:
    cur.execute(_BACK_TO_READY, (row.id,))
    cur.execute(
        _FINISH_ATTEMPT,
        {"outcome": outcome, "http_status": None, "response": None, "error": None,
         "id": row.id, "attempt_no": row.attempt_no},
    )  # fmt: skip


def expire_stale(cur: Any, account_id: str) -> int:
    cur.execute(_EXPIRE_STALE, (account_id,))
    return int(cur.rowcount)


def pending_by_kind(cur: Any, account_id: str) -> dict[str, int]:
    cur.execute(_PENDING_BY_KIND, (account_id,))
    return {kind: int(n) for kind, n in cur.fetchall()}


_READY_WITHOUT_TEXT = """
UPDATE messaging.outbox SET status = 'ready', locale = %s, updated_at = now()
WHERE account_id = %s AND kind = ANY(%s) AND status = 'planned'
"""

_DAY_SUMMARY = """
SELECT kind, status, count(*) FROM reporting.message_log
WHERE account_id = %s AND planned_for = %s
GROUP BY kind, status ORDER BY kind, status
"""


def ready_without_text(cur: Any, account_id: str, kinds: list[str], locale: str) -> int:
    """Kinds whose text Amazon writes itself (solicitations) go straight to ready."""
    cur.execute(_READY_WITHOUT_TEXT, (locale, account_id, kinds))
    return int(cur.rowcount)


def day_summary(cur: Any, account_id: str, day: Any) -> list[tuple[str, str, int]]:
    cur.execute(_DAY_SUMMARY, (account_id, day))
    return [(k, s, int(n)) for k, s, n in cur.fetchall()]
