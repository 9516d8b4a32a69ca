"""send: one batch of one kind, claimed from the outbox, delivered exactly once.

Before anything is sent, `sending` rows no live sender holds (dead sender: its advisory lock is
free; hung or vanished sender: its lease ran out) are settled through their own kind's channel.
The daily run settles every kind of its account in `send_batches`, before it plans batches;
each batch settles its own kind again (a peer may have died since).
"""

from __future__ import annotations

import logging
import os
import socket
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from buyer_messaging.send import outbox
from buyer_messaging.send.channels import Channel, Delivery
from buyer_messaging.warehouse.connection import transaction

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection

log = logging.getLogger(__name__)

CLAIM_CHUNK = 10
TRIES_PER_BATCH = 4


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def settle_orphans(
    conn: PgConnection,
    channel_for: Callable[[str], Channel],
    *,
    account_id: str,
    kinds: set[str] | None = None,
    worker: str | None = None,
    lease: float = outbox.LEASE_SECONDS,
) -> Counter[str]:
    """Settle the account's orphaned `sending` rows (of `kinds`, default all), each through
    `channel_for(row.kind)`; returns counts `reconciled_<status>`."""
    worker = worker or worker_name()
    counts: Counter[str] = Counter()
    with transaction(conn) as cur:
        rows = outbox.orphans(
            cur, account_id, worker=worker, lease=lease, kinds=sorted(kinds) if kinds else None
        )
    channels: dict[str, Channel | None] = {}
    for row, was_dispatched, locked in rows:
        result: Delivery | None = None
        if was_dispatched:
            if row.kind not in channels:
                channels[row.kind] = _channel(channel_for, row.kind)
            channel = channels[row.kind]
            # no channel (e.g. its connection is missing): left `sending` for its batch to settle
            result = channel.reconcile(row) if channel else Delivery("sending", "reconcile_failed")
        with transaction(conn) as cur:
            if result is None or result.status == "ready":
                outbox.back_to_ready(
                    cur, row, "reconciled_not_dispatched" if result is None else result.outcome
                )
                status = "ready"
            elif result.status != "sending":
                outbox.finish(
                    cur, row, status=result.status, outcome=result.outcome,
                    http_status=result.http_status, error=result.error,
                )  # fmt: skip
                status = result.status
            else:
                status = "sending"
            if locked:
                outbox.release(cur, row.id)
        counts[f"reconciled_{status}"] += 1
        log.warning(
            "order %s %s: interrupted send reconciled as %s", row.amazon_order_id, row.kind, status
        )
    return counts


def _channel(channel_for: Callable[[str], Channel], kind: str) -> Channel | None:
    try:
        return channel_for(kind)
    except Exception:  # one kind's broken wiring must not keep the others unsettled
        log.exception("cannot build the channel of %s to settle its interrupted sends", kind)
        return None


def reconcile_orphans(
    conn: PgConnection, channel: Channel, *, account_id: str, kind: str
) -> Counter[str]:
    """Settle orphaned `sending` rows of `kind` with `channel` (other kinds are left alone)."""
    return settle_orphans(conn, lambda _: channel, account_id=account_id, kinds={kind})


def send_batch(
    conn: PgConnection,
    channel: Channel,
    *,
    account_id: str,
    kind: str,
    limit: int,
    worker: str | None = None,
    deadline: datetime | None = None,
) -> Counter[str]:
    """Claim and deliver up to `limit` ready messages of `kind`; returns counts per status.

    With a `deadline`, no message is claimed or sent once it has passed: a request already on
    its way completes and is recorded, claimed rows not yet sent go back to `ready` (counted
    as `left_at_deadline`), and the rest of the queue stays `ready` for the next run.
    """
    worker = worker or worker_name()
    counts: Counter[str] = settle_orphans(
        conn, lambda _: channel, account_id=account_id, kinds={kind}, worker=worker
    )
    done = 0
    tried: Counter[int] = Counter()
    while done < limit and not _past(deadline):
        with transaction(conn) as cur:
            # a message that keeps failing retryably (a greylisting relay, an Amazon outage)
            # waits for the next batch or run once it has had its tries in this one
            rows = outbox.claim(
                cur, account_id=account_id, kind=kind, limit=min(CLAIM_CHUNK, limit - done),
                worker=worker, skip=sorted(i for i, n in tried.items() if n >= TRIES_PER_BATCH),
            )  # fmt: skip
            tried.update(row.id for row in rows)
        for n, row in enumerate(rows):
            if _past(deadline):
                _unclaim(conn, rows[n:])
                counts["left_at_deadline"] += len(rows) - n
                break

            def dispatch(message_id: str | None, row: outbox.Claimed = row) -> None:
                with transaction(conn) as cur:
                    outbox.dispatched(cur, row, message_id, worker=worker)

            try:
                result = channel.send(row, dispatch)
            except outbox.LeaseLost:
                # taken over while we waited (our lease ran out): its new holder settles it
                log.warning(
                    "order %s %s: lease lost, not sent by this worker", row.amazon_order_id, kind
                )
                with transaction(conn) as cur:
                    outbox.release(cur, row.id)
                counts["lease_lost"] += 1
                done += 1
                continue
            with transaction(conn) as cur:
                if result.status == "ready":  # reply lost, and Amazon shows it never arrived
                    outbox.back_to_ready(cur, row, result.outcome, error=result.error)
                else:
                    outbox.finish(
                        cur, row, status=result.status, outcome=result.outcome,
                        http_status=result.http_status, response=result.response, error=result.error,
                    )  # fmt: skip
                outbox.release(cur, row.id)
            counts[result.status] += 1
            done += 1
        if not rows:
            break
    return counts


def _past(deadline: datetime | None) -> bool:
    return deadline is not None and datetime.now(UTC) >= deadline


def _unclaim(conn: Any, rows: list[outbox.Claimed]) -> None:
    """Claimed rows whose request never left go back to `ready` (their attempt says why)."""
    with transaction(conn) as cur:
        for row in rows:
            outbox.back_to_ready(cur, row, "not_dispatched_deadline")
            outbox.release(cur, row.id)
