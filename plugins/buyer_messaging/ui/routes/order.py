"""The order panel: one order's messages, attempts, violations and the plan's explanation."""

import logging
from typing import Any

from fastapi import APIRouter

from buyer_messaging.redact import scrub_tree
from buyer_messaging.ui import queries
from buyer_messaging.ui.deps import (
    Account,
    NotMigrated,
    User,
    Warehouse,
    notice_of,
    readable_accounts,
)

log = logging.getLogger(__name__)

router = APIRouter()


@router.get("/order/{amazon_order_id}")
def order(
    user: User, conn: Warehouse, amazon_order_id: str, account: Account = None
) -> dict[str, Any]:
    """One order's messages (reporting.message_log), outbox rows with attempts and lint
    violations, and per account the explanation of ``buyer_messaging.plan.explain``."""
    accounts = readable_accounts(user, conn, account)
    found = queries.order(conn, accounts, amazon_order_id)
    if isinstance(conn, NotMigrated):
        explain_for = []
    elif account:
        explain_for = [account]
    else:
        explain_for = queries.order_accounts(conn, accounts, amazon_order_id)
    found["accounts"] = accounts
    found["explanations"] = [_explain(conn, a, amazon_order_id) for a in explain_for]
    # error texts and lint excerpts may quote the buyer: never hand them to a browser
    buyer = queries.buyer_values(conn, accounts, amazon_order_id)
    return scrub_tree(found, buyer) | notice_of(conn)


def _explain(conn: Any, account_id: str, amazon_order_id: str) -> dict[str, Any]:
    """``buyer_messaging.plan.explain.explain_order`` for one account; its failure is reported, not raised."""
    try:
        from buyer_messaging.plan.explain import explain_order

        return queries.jsonable(explain_order(conn, account_id, amazon_order_id))
    except Exception as exc:  # noqa: BLE001 - the rest of the answer is still worth showing
        log.exception("buyer-messaging UI: explain failed for %s %s", account_id, amazon_order_id)
        conn.rollback()
        return {
            "account_id": account_id,
            "amazon_order_id": amazon_order_id,
            "error": f"{type(exc).__name__}: {exc}",
        }
