"""SQL of the shared token buckets (messaging.rate_buckets): each a single statement, run in
autocommit on the task's connection (spapi.ratelimit.SharedTokenBucket): one round trip per token."""

from __future__ import annotations

from typing import TYPE_CHECKING

from buyer_messaging.warehouse.connection import one_row

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor

# Refill, then take a token if there is one; returns (granted, seconds to wait otherwise).
_TAKE = """
WITH b AS (
    SELECT rate, burst, paused_until,
           least(burst::double precision,
                 tokens + extract(epoch FROM clock_timestamp() - stamp) * rate) AS tokens
    FROM messaging.rate_buckets
    WHERE account_id = %(account_id)s AND operation = %(operation)s
    FOR UPDATE
), decided AS (
    SELECT b.*, (b.paused_until <= clock_timestamp() AND b.tokens >= 1 - 1e-9) AS granted FROM b
), upd AS (
    UPDATE messaging.rate_buckets r
    SET tokens = d.tokens - CASE WHEN d.granted THEN 1 ELSE 0 END, stamp = clock_timestamp()
    FROM decided d
    WHERE r.account_id = %(account_id)s AND r.operation = %(operation)s
    RETURNING d.granted,
              greatest(extract(epoch FROM d.paused_until - clock_timestamp()),
                       (1 - d.tokens) / d.rate, 0) AS wait
)
SELECT granted, wait FROM upd
"""

_ENSURE = """
INSERT INTO messaging.rate_buckets (account_id, operation, rate, burst, tokens)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (account_id, operation) DO UPDATE SET burst = EXCLUDED.burst
WHERE messaging.rate_buckets.burst <> EXCLUDED.burst
"""

_SET_RATE = """
UPDATE messaging.rate_buckets
SET tokens = least(burst::double precision,
                   tokens + extract(epoch FROM clock_timestamp() - stamp) * rate),
    stamp = clock_timestamp(), rate = %s
WHERE account_id = %s AND operation = %s AND rate <> %s
"""

_THROTTLED = """
UPDATE messaging.rate_buckets
SET tokens = 0, stamp = clock_timestamp(), throttled = throttled + 1,
    paused_until = greatest(paused_until, clock_timestamp() + make_interval(secs => %s))
WHERE account_id = %s AND operation = %s
"""


def ensure(cur: PgCursor, account_id: str, operation: str, rate: float, burst: int) -> None:
    cur.execute(_ENSURE, (account_id, operation, rate, burst, float(burst)))


def take(cur: PgCursor, account_id: str, operation: str) -> tuple[bool, float]:
    cur.execute(_TAKE, {"account_id": account_id, "operation": operation})
    granted, wait = one_row(cur)
    return bool(granted), float(wait)


def set_rate(cur: PgCursor, account_id: str, operation: str, rate: float) -> None:
    cur.execute(_SET_RATE, (rate, account_id, operation, rate))


def throttled(cur: PgCursor, account_id: str, operation: str, pause: float) -> None:
    cur.execute(_THROTTLED, (pause, account_id, operation))
