"""send_backlog: what is already `ready` when a run starts goes out from the run's start.

A seller whose queue outlasts a day (more review requests than Amazon's 1/s allows) ends every
run with rows left `ready` at its deadline. Waiting for the day's extract, validate, plan and
render before sending them would leave Amazon's rate unused for that long every day, and every
unused second is a message that expires unsent. So one sender starts with the run and works
through the backlog, while the day's pipeline runs beside it; the run's `send` tasks join it
once render is done. All of them claim from the same outbox (earliest deadline first, `FOR
UPDATE SKIP LOCKED` and advisory locks: no message is claimed twice) and take tokens from the
account's shared buckets, so together they stay within Amazon's rate.

One sender, kinds one after the other: critical kinds first, then the smaller queues, so a
small critical backlog is never kept waiting behind the big review-request queue, which runs
last and until the deadline. Each kind's stop leaves room for its last message's calls before
the margin, as `timebox.plan_senders` does for one sender.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from buyer_messaging.send import forecast_store, outbox
from buyer_messaging.send.batch import send_batch
from buyer_messaging.send.channels import Channel
from buyer_messaging.send.forecast import kind_operations, send_rate
from buyer_messaging.send.timebox import CALLS_PER_MESSAGE
from buyer_messaging.warehouse.connection import transaction

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection

# the backlog sender holds one of the account's pool slots from the run's start
BACKLOG_SENDERS = 1


def backlog_order(pending: dict[str, int], critical: set[str]) -> list[str]:
    """The kinds with ready messages in the order the backlog sender works them."""
    return sorted(
        (k for k, n in pending.items() if n > 0), key=lambda k: (k not in critical, pending[k], k)
    )


def send_backlog(
    conn: PgConnection,
    channel_for: Callable[[str], Channel],
    *,
    account_id: str,
    pending: dict[str, int],
    critical: set[str],
    deadline: datetime,
    rates: dict[str, float] | None = None,
    worker: str | None = None,
) -> dict[str, Counter[str]]:
    """Send up to `pending[kind]` messages of each kind (what was ready at the run's start),
    kinds in `backlog_order`, until `deadline`; returns the counts per kind.

    `rates` (messages per second per kind, default 1/s) set how early each kind stops claiming:
    its last message's calls are paced by the shared buckets and must end before `deadline`.
    """
    counts: dict[str, Counter[str]] = {}
    for kind in backlog_order(pending, critical):
        stop = deadline - timedelta(seconds=CALLS_PER_MESSAGE / (rates or {}).get(kind, 1.0))
        if datetime.now(UTC) >= stop:
            break
        counts[kind] = send_batch(
            conn, channel_for(kind), account_id=account_id, kind=kind, limit=pending[kind],
            worker=worker, deadline=stop,
        )  # fmt: skip
    return counts


def ready_and_rates(
    conn: PgConnection, account_id: str, pack: Any
) -> tuple[int, dict[str, int], dict[str, float]]:
    """What a sender plan starts from: expire what is too stale to send, count what is ready
    per kind, and each kind's rate (its slowest operation's stored bucket rate, else Amazon's
    plan). Returns (expired, pending, rates)."""
    with transaction(conn) as cur:
        expired = outbox.expire_stale(cur, account_id)
        pending = outbox.pending_by_kind(cur, account_id)
        ops = kind_operations(pack, pending)
        stored = forecast_store.stored_rates(
            cur, account_id, sorted({o for v in ops.values() for o in v})
        )
    return expired, pending, {k: send_rate(ops[k], stored) for k in pending}
