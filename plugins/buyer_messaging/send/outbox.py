"""SQL of the `messaging` schema: the outbox state machine and its attempts.

Exactly-once hinges on three things: a row is marked `sending` (committed) before any call is
made; the sender holds a session advisory lock on the row's id until its outcome is committed;
and its claim is a lease (`lease_until`) renewed when the request leaves. A `sending` row whose
lock can be taken belongs to a dead sender; one whose lease ran out belongs to a sender that
hangs or whose host vanished while Postgres still holds its session. Either is taken over and
reconciled before anything is sent again, and the old sender, fenced by (claimed_by, attempts),
can no longer dispatch or finish it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from psycopg2.extras import Json

from buyer_messaging.redact import scrub

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor


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
    # an earlier attempt may have arrived (reply lost, or sender died after dispatching): a
    # refusal or a missing action now most likely means that attempt was delivered
    after_ambiguous: bool = False


# Long enough for one chunk of claimed rows at Amazon's slowest send rate with retries; the
# lease is renewed when each request leaves.
LEASE_SECONDS = 600

# attempt outcomes after which the message may have reached the buyer
AMBIGUOUS_OUTCOMES = ("ambiguous_unsent", "reconciled_unsent")


class LeaseLost(RuntimeError):
    """This sender's claim on the row was taken over: it must not send it."""

    def __init__(self, row: Claimed) -> None:
        super().__init__(
            f"outbox row {row.id} (order {row.amazon_order_id}, {row.kind}) was taken over"
        )
        self.row = row


_CLAIM = """
WITH picked AS MATERIALIZED (
    SELECT id FROM messaging.outbox
    WHERE account_id = %(account_id)s AND kind = %(kind)s
      AND status IN ('ready', 'failed_retryable')
      AND (send_before IS NULL OR send_before > now())
      AND (send_not_before IS NULL OR send_not_before <= now())  -- held until a local hour
      AND id <> ALL(%(skip)s::bigint[])
    -- earliest deadline first: what Amazon's window closes on soonest goes before the rest
    ORDER BY send_before NULLS LAST, id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
), locked AS MATERIALIZED (
    SELECT id FROM picked WHERE pg_try_advisory_lock(id)
)
UPDATE messaging.outbox o
SET status = 'sending', attempts = o.attempts + 1, claimed_by = %(worker)s,
    claimed_at = now(), updated_at = now(),
    lease_until = now() + %(lease)s * interval '1 second'
FROM locked
WHERE o.id = locked.id
RETURNING o.id, o.account_id, o.marketplace_id, o.amazon_order_id, o.kind, o.channel,
          o.locale, o.subject, o.body, o.attempts,
          EXISTS (SELECT 1 FROM messaging.attempts a
                  WHERE a.outbox_id = o.id AND a.outcome = ANY(%(ambiguous)s))
"""

_START_ATTEMPT = """
INSERT INTO messaging.attempts (outbox_id, attempt_no, worker) VALUES (%s, %s, %s)
"""

_FINISH = """
UPDATE messaging.outbox
SET status = %(status)s, error = %(error)s, updated_at = now(),
    sent_at = CASE WHEN %(status)s = 'sent' THEN coalesce(%(sent_at)s, now()) ELSE sent_at END
WHERE id = %(id)s AND status = 'sending' AND attempts = %(attempt_no)s
"""

_FINISH_ATTEMPT = """
UPDATE messaging.attempts
SET finished_at = now(), outcome = %(outcome)s, http_status = %(http_status)s,
    response = %(response)s, error = %(error)s
WHERE outbox_id = %(id)s AND attempt_no = %(attempt_no)s
"""

_ORPHANS = """
WITH sending AS MATERIALIZED (
    SELECT id, lease_until FROM messaging.outbox
    WHERE account_id = %(account_id)s AND status = 'sending'
      AND (%(kinds)s::text[] IS NULL OR kind = ANY(%(kinds)s::text[]))
    ORDER BY id
    FOR UPDATE SKIP LOCKED
), probed AS MATERIALIZED (
    SELECT id, lease_until, pg_try_advisory_lock(id) AS locked FROM sending
), taken AS MATERIALIZED (
    SELECT id, locked FROM probed WHERE locked OR lease_until IS NULL OR lease_until < now()
)
UPDATE messaging.outbox o
SET claimed_by = %(worker)s, updated_at = now(),
    lease_until = now() + %(lease)s * interval '1 second'
FROM taken t
WHERE o.id = t.id
RETURNING o.id, o.account_id, o.marketplace_id, o.amazon_order_id, o.kind, o.channel,
          o.locale, o.subject, o.body, o.attempts,
          EXISTS (SELECT 1 FROM messaging.attempts a
                  WHERE a.outbox_id = o.id AND a.outcome = ANY(%(ambiguous)s)),
          EXISTS (SELECT 1 FROM messaging.attempts a
                  WHERE a.outbox_id = o.id AND a.attempt_no = o.attempts
                    AND a.dispatched_at IS NOT NULL),
          t.locked
"""

_RENEW = """
UPDATE messaging.outbox SET lease_until = now() + %(lease)s * interval '1 second'
WHERE id = %(id)s AND status = 'sending' AND attempts = %(attempt_no)s
  AND claimed_by = %(worker)s AND lease_until > now()
"""

_DISPATCHED = """
UPDATE messaging.attempts SET dispatched_at = clock_timestamp(), message_id = %s
WHERE outbox_id = %s AND attempt_no = %s
"""

_BACK_TO_READY = """
UPDATE messaging.outbox SET status = 'ready', updated_at = now(), lease_until = NULL
WHERE id = %s AND status = 'sending' AND attempts = %s
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


def claim(
    cur: PgCursor,
    *,
    account_id: str,
    kind: str,
    limit: int,
    worker: str,
    lease: float = LEASE_SECONDS,
    skip: Sequence[int] = (),
) -> list[Claimed]:
    """Claim up to `limit` rows (not those in `skip`) and hold their advisory locks (caller
    commits at once)."""
    cur.execute(
        _CLAIM,
        {"account_id": account_id, "kind": kind, "limit": limit, "worker": worker,
         "lease": lease, "ambiguous": list(AMBIGUOUS_OUTCOMES), "skip": list(skip)},
    )  # fmt: skip
    rows = [Claimed(*row) for row in cur.fetchall()]
    for row in rows:
        cur.execute(_START_ATTEMPT, (row.id, row.attempt_no, worker))
    return rows


def finish(
    cur: PgCursor,
    row: Claimed,
    *,
    status: str,
    outcome: str,
    http_status: int | None = None,
    response: Any = None,
    error: str | None = None,
    sent_at: datetime | None = None,
) -> None:
    # the one place delivery errors are stored: relays quote the refused recipient's address
    error = scrub(error)
    cur.execute(
        _FINISH,
        {
            "status": status,
            "error": error,
            "sent_at": sent_at,
            "id": row.id,
            "attempt_no": row.attempt_no,
        },
    )
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


def release(cur: PgCursor, row_id: int) -> None:
    cur.execute("SELECT pg_advisory_unlock(%s)", (row_id,))


def orphans(
    cur: PgCursor,
    account_id: str,
    *,
    worker: str,
    lease: float = LEASE_SECONDS,
    kinds: list[str] | None = None,
) -> list[tuple[Claimed, bool, bool]]:
    """`sending` rows (of `kinds`, default all) no live sender holds: their advisory lock is now
    ours, or their lease ran out (then the lock may still be a hung sender's). They are now
    leased to `worker`. Each comes with whether its last attempt was dispatched and whether we
    hold its lock."""
    cur.execute(
        _ORPHANS,
        {
            "account_id": account_id,
            "worker": worker,
            "lease": lease,
            "ambiguous": list(AMBIGUOUS_OUTCOMES),
            "kinds": kinds,
        },
    )
    return [(Claimed(*row[:-2]), bool(row[-2]), bool(row[-1])) for row in cur.fetchall()]


def dispatched(
    cur: PgCursor,
    row: Claimed,
    message_id: str | None = None,
    *,
    worker: str,
    lease: float = LEASE_SECONDS,
) -> None:
    """Mark the attempt's request as about to leave (committed before the call) and renew the
    lease; raises `LeaseLost` when another sender took the row over meanwhile."""
    cur.execute(
        _RENEW, {"lease": lease, "id": row.id, "attempt_no": row.attempt_no, "worker": worker}
    )
    if cur.rowcount != 1:
        raise LeaseLost(row)
    cur.execute(_DISPATCHED, (message_id, row.id, row.attempt_no))


def back_to_ready(cur: PgCursor, row: Claimed, outcome: str, *, error: str | None = None) -> None:
    cur.execute(_BACK_TO_READY, (row.id, row.attempt_no))
    cur.execute(
        _FINISH_ATTEMPT,
        {"outcome": outcome, "http_status": None, "response": None, "error": error,
         "id": row.id, "attempt_no": row.attempt_no},
    )  # fmt: skip


def expire_stale(cur: PgCursor, account_id: str) -> int:
    cur.execute(_EXPIRE_STALE, (account_id,))
    return int(cur.rowcount)


def pending_by_kind(cur: PgCursor, account_id: str) -> dict[str, int]:
    cur.execute(_PENDING_BY_KIND, (account_id,))
    return {kind: int(n) for kind, n in cur.fetchall()}


_HELD_UNTIL = """
SELECT min(send_not_before), count(*) FROM messaging.outbox
WHERE account_id = %s AND kind = %s AND status IN ('ready', 'failed_retryable')
  AND send_not_before > now() AND (send_before IS NULL OR send_before > send_not_before)
"""


def held_until(cur: Any, account_id: str, kind: str) -> tuple[Any, int]:
    """The earliest moment a held message of the kind may go out (None when none is held), and
    how many are held."""
    cur.execute(_HELD_UNTIL, (account_id, kind))
    at, n = cur.fetchone()
    return at, int(n)


_READY_WITHOUT_TEXT = """
UPDATE messaging.outbox SET status = 'ready', locale = %s, updated_at = now()
WHERE account_id = %s AND kind = ANY(%s) AND status = 'planned'
"""

_DAY_SUMMARY = """
SELECT kind, status, count(*) FROM reporting.message_log
WHERE account_id = %s AND planned_for = %s
GROUP BY kind, status ORDER BY kind, status
"""


def ready_without_text(cur: PgCursor, account_id: str, kinds: list[str], locale: str) -> int:
    """Kinds whose text Amazon writes itself (solicitations) go straight to ready."""
    cur.execute(_READY_WITHOUT_TEXT, (locale, account_id, kinds))
    return int(cur.rowcount)


def day_summary(cur: PgCursor, account_id: str, day: date) -> list[tuple[str, str, int]]:
    cur.execute(_DAY_SUMMARY, (account_id, day))
    return [(k, s, int(n)) for k, s, n in cur.fetchall()]
