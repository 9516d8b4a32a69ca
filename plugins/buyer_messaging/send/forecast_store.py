"""SQL of the send forecast: the ready queue by deadline, the stored send rates, the forecasts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

# deadlines truncated to the minute: a day's queue is at most 1,440 groups per kind however many
# rows it holds; a message counts as due at the start of its minute (errs towards expiring)
_QUEUE = """
SELECT kind, date_trunc('minute', send_before) AS due, count(*)
FROM messaging.outbox
WHERE account_id = %(account_id)s AND status IN ('ready', 'failed_retryable')
  AND (send_before IS NULL OR send_before > %(now)s)
GROUP BY kind, due
ORDER BY kind, due NULLS LAST
"""

_RATES = """
SELECT operation, rate FROM messaging.rate_buckets
WHERE account_id = %s AND operation = ANY(%s)
"""

_STORE = """
INSERT INTO messaging.send_forecasts
    (account_id, kind, computed_at, run_day, ready, expiring_unsent, rate_per_s)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (account_id, kind, computed_at) DO NOTHING
"""


def ready_queue(cur: Any, account_id: str, now: datetime) -> dict[str, list[tuple[Any, int]]]:
    """Per kind, (send_before truncated to the minute or None, count) of the sendable rows."""
    cur.execute(_QUEUE, {"account_id": account_id, "now": now})
    queue: dict[str, list[tuple[Any, int]]] = {}
    for kind, due, n in cur.fetchall():
        queue.setdefault(kind, []).append((due, int(n)))
    return queue


def stored_rates(cur: Any, account_id: str, operations: list[str]) -> dict[str, float]:
    """The rates the shared buckets currently hold (Amazon's rate-limit header overrides the plan)."""
    cur.execute(_RATES, (account_id, operations))
    return {op: float(rate) for op, rate in cur.fetchall()}


def store(
    cur: Any,
    account_id: str,
    kind: str,
    *,
    computed_at: datetime,
    run_day: date | None,
    ready: int,
    expiring_unsent: int,
    rate: float,
) -> None:
    cur.execute(
        _STORE,
        (account_id, kind, computed_at, run_day, ready, expiring_unsent, rate),
    )
