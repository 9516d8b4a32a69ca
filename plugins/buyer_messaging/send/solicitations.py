"""The Solicitations channel: Amazon's own review-request message (productReviewAndSellerFeedback)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from buyer_messaging.spapi.calls import SpApiCaller, SpApiCallError

ACTION = "productReviewAndSellerFeedback"


@dataclass(frozen=True)
class Delivery:
    """What happened to one message: the outbox status it ends in, and why."""

    status: str  # sent | skipped | failed | failed_retryable
    outcome: str
    http_status: int | None = None
    error: str | None = None
    response: Any = None


def offered(caller: SpApiCaller, client: Any, order_id: str, marketplace_id: str) -> bool:
    res = caller.call(
        "getSolicitationActionsForOrder",
        client.get_solicitation_actions_for_order,
        order_id,
        client=client,
        subject=order_id,
        marketplaceIds=marketplace_id,
    )
    actions = ((res.payload or {}).get("_links") or {}).get("actions") or []
    return any(ACTION in (a.get("href") or "") or a.get("name") == ACTION for a in actions)


def send_review_request(
    caller: SpApiCaller, client: Any, order_id: str, marketplace_id: str
) -> Delivery:
    try:
        if not offered(caller, client, order_id, marketplace_id):
            return Delivery("skipped", "not_offered", error="not eligible: Amazon offers no review request for this order now")
        # Amazon requires marketplaceIds in the query; the library only adds it to the body.
        caller.call(
            "createProductReviewAndSellerFeedbackSolicitation",
            client.create_product_review_and_seller_feedback_solicitation,
            order_id,
            client=client,
            subject=order_id,
            marketplaceIds=marketplace_id,
        )
    except SpApiCallError as err:
        if err.status == 403 and err.code == "Unauthorized":
            return Delivery("skipped", "unauthorized", 403, f"not eligible: {err.code}: {err.message}")
        if err.status == 429 or err.status >= 500 or err.status == 0:
            return Delivery("failed_retryable", "retryable", err.status or None, str(err))
        return Delivery("failed", "rejected", err.status, f"{err.code}: {err.message}")
    return Delivery("sent", "sent", 201)


def reconcile_review_request(
    caller: SpApiCaller, client: Any, order_id: str, marketplace_id: str
) -> Delivery:
    """A `sending` row left by a dead sender: if Amazon still offers the action, nothing went
    out and the row can be sent again; if not, the interrupted call went through."""
    try:
        if offered(caller, client, order_id, marketplace_id):
            return Delivery("ready", "reconciled_unsent")
    except SpApiCallError as err:
        return Delivery("sending", "reconcile_failed", err.status, str(err))
    return Delivery(
        "sent", "reconciled_sent", error="reconciled: Amazon no longer offers the action"
    )
