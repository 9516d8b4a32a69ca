"""send: one batch of one kind, claimed from the outbox, delivered exactly once."""

from __future__ import annotations

import logging
import os
import socket
from collections import Counter
from collections.abc import Callable
from typing import Any

from buyer_messaging.send.solicitations import (
    Delivery,
    reconcile_review_request,
    send_review_request,
)
from buyer_messaging.spapi.calls import SpApiCaller
from buyer_messaging.warehouse import outbox
from buyer_messaging.warehouse.connection import transaction

log = logging.getLogger(__name__)

CLAIM_CHUNK = 10
Sender = Callable[[SpApiCaller, Any, str, str], Delivery]
SENDERS: dict[str, tuple[Sender, Sender]] = {
    "review_request": (send_review_request, reconcile_review_request),
}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def reconcile_orphans(conn: Any, client: Any, caller: SpApiCaller, *, account_id: str) -> Counter[str]:
    """Settle `sending` rows whose sender died, before anything is sent again."""
    counts: Counter[str] = Counter()
    with transaction(conn) as cur:
        rows = outbox.orphans(cur, account_id)
    for row in rows:
        _, reconcile = SENDERS[row.kind]
        result = reconcile(caller, client, row.amazon_order_id, row.marketplace_id)
        with transaction(conn) as cur:
            if result.status != "sending":
                outbox.finish(
                    cur, row, status=result.status, outcome=result.outcome,
                    http_status=result.http_status, error=result.error,
                )  # fmt: skip
            outbox.release(cur, row.id)
        counts[f"reconciled_{result.status}"] += 1
        log.warning("order %s %s: interrupted send reconciled as %s", row.amazon_order_id, row.kind, result.status)
    return counts


def send_batch(
    conn: Any,
    client: Any,
    caller: SpApiCaller,
    *,
    account_id: str,
    kind: str,
    limit: int,
    worker: str | None = None,
) -> Counter[str]:
    """Claim and deliver up to `limit` ready messages of `kind`; returns counts per status."""
    worker = worker or worker_name()
    send, _ = SENDERS[kind]
    counts: Counter[str] = reconcile_orphans(conn, client, caller, account_id=account_id)
    done = 0
    while done < limit:
        with transaction(conn) as cur:
            rows = outbox.claim(
                cur, account_id=account_id, kind=kind, limit=min(CLAIM_CHUNK, limit - done), worker=worker
            )
        if not rows:
            break
        for row in rows:
            result = send(caller, client, row.amazon_order_id, row.marketplace_id)
            with transaction(conn) as cur:
                outbox.finish(
                    cur, row, status=result.status, outcome=result.outcome,
                    http_status=result.http_status, response=result.response, error=result.error,
                )  # fmt: skip
                outbox.release(cur, row.id)
            counts[result.status] += 1
            done += 1
    return counts
