"""send: one batch of one kind, claimed from the outbox, delivered exactly once."""

from __future__ import annotations

import logging
import os
import socket
from collections import Counter
from typing import Any

from buyer_messaging.send.channels import Channel
from buyer_messaging.warehouse import outbox
from buyer_messaging.warehouse.connection import transaction

log = logging.getLogger(__name__)

CLAIM_CHUNK = 10


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def reconcile_orphans(conn: Any, channel: Channel, *, account_id: str, kind: str) -> Counter[str]:
    """Settle `sending` rows whose sender died, before anything is sent again."""
    counts: Counter[str] = Counter()
    rows = []
    with transaction(conn) as cur:
        for row, was_dispatched in outbox.orphans(cur, account_id):
            if row.kind == kind:
                rows.append((row, was_dispatched))
            else:  # another kind's batch settles it, with its own channel
                outbox.release(cur, row.id)
    for row, was_dispatched in rows:
        result = channel.reconcile(row) if was_dispatched else None
        with transaction(conn) as cur:
            if result is None or result.status == "ready":
                outbox.back_to_ready(cur, row, "reconciled_unsent" if result is None else result.outcome)
                status = "ready"
            elif result.status != "sending":
                outbox.finish(
                    cur, row, status=result.status, outcome=result.outcome,
                    http_status=result.http_status, error=result.error,
                )  # fmt: skip
                status = result.status
            else:
                status = "sending"
            outbox.release(cur, row.id)
        counts[f"reconciled_{status}"] += 1
        log.warning("order %s %s: interrupted send reconciled as %s", row.amazon_order_id, row.kind, status)
    return counts


def send_batch(
    conn: Any,
    channel: Channel,
    *,
    account_id: str,
    kind: str,
    limit: int,
    worker: str | None = None,
) -> Counter[str]:
    """Claim and deliver up to `limit` ready messages of `kind`; returns counts per status."""
    worker = worker or worker_name()
    counts: Counter[str] = reconcile_orphans(conn, channel, account_id=account_id, kind=kind)
    done = 0
    while done < limit:
        with transaction(conn) as cur:
            rows = outbox.claim(
                cur, account_id=account_id, kind=kind, limit=min(CLAIM_CHUNK, limit - done), worker=worker
            )
        for row in rows:

            def dispatch(message_id: str | None, row: outbox.Claimed = row) -> None:
                with transaction(conn) as cur:
                    outbox.dispatched(cur, row, message_id)

            result = channel.send(row, dispatch)
            with transaction(conn) as cur:
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
