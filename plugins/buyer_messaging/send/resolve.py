"""An operator settles a `delivery_unknown` message: delivered, or re-queued to be sent again.

Only a person can: the channel (a critical Messaging API type, the e-mail relay) offers no
read-back, and guessing either way risks a duplicate or a buyer left uninformed. The decision
is recorded in `messaging.resolutions` with who made it, when and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from buyer_messaging.warehouse.connection import one_row

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor

Decision = Literal["delivered", "requeued"]


class ResolveError(ValueError):
    """The message named cannot be resolved (absent, or not `delivery_unknown`)."""


_FIND = """
SELECT o.id, o.status, o.channel <> 'solicitations' AND o.body IS NULL,
       (SELECT a.dispatched_at FROM messaging.attempts a
        WHERE a.outbox_id = o.id AND a.attempt_no = o.attempts)
FROM messaging.outbox o
WHERE o.account_id = %s AND o.amazon_order_id = %s AND o.kind = %s
FOR UPDATE
"""

_DELIVERED = """
UPDATE messaging.outbox
SET status = 'sent', sent_at = coalesce(%s, now()), updated_at = now(), lease_until = NULL,
    error = 'delivery_unknown settled as delivered by an operator (see messaging.resolutions)'
WHERE id = %s
"""

_REQUEUED = """
UPDATE messaging.outbox
SET status = 'ready', updated_at = now(), lease_until = NULL, error = NULL
WHERE id = %s
"""

_RECORD = """
INSERT INTO messaging.resolutions (outbox_id, decision, decided_by, reason, from_status)
VALUES (%s, %s, %s, %s, %s)
RETURNING decided_at
"""


def resolve(
    cur: PgCursor,
    *,
    account_id: str,
    order_id: str,
    kind: str,
    decision: Decision,
    by: str,
    reason: str,
) -> Any:
    """Settle one `delivery_unknown` row; returns when the decision was recorded."""
    if decision not in ("delivered", "requeued"):
        raise ResolveError(f"decision must be delivered or requeued, not {decision!r}")
    if not by.strip() or not reason.strip():
        raise ResolveError("say who decides (--by) and why (--reason)")
    cur.execute(_FIND, (account_id, order_id, kind))
    found = cur.fetchone()
    if found is None:
        raise ResolveError(f"no {kind} message for order {order_id} of account {account_id}")
    row_id, status, purged, dispatched_at = found
    if status != "delivery_unknown":
        raise ResolveError(
            f"the {kind} message for order {order_id} of account {account_id} is {status},"
            " not delivery_unknown: nothing to resolve"
        )
    if decision == "requeued" and purged:
        raise ResolveError(
            f"the {kind} message for order {order_id} of account {account_id} has no text any"
            " more (purged by PII retention): it cannot be sent again; resolve it as delivered or"
            " leave it"
        )
    if decision == "delivered":
        cur.execute(_DELIVERED, (dispatched_at, row_id))
    else:
        cur.execute(_REQUEUED, (row_id,))
    cur.execute(_RECORD, (row_id, decision, by.strip(), reason.strip(), status))
    return one_row(cur)[0]
