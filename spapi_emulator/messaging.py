"""Messaging API v1: which messages an order allows, the buyer's locale, and every message type.

The rules Amazon applies and the emulator keeps (see README.md for the table):
- a message type is offered only in the order states it is meant for, and only until 30 days
  after the order's completion (its latest delivery date, or its cancellation);
- buyers who opted out of unsolicited messages (a deterministic ~3%) are offered only the
  critical types (unexpectedProblem, legalDisclosure, invoice);
- each non-critical type can be sent once per order (a second one gets a 403);
- texts have Amazon's lengths (1..2000, 800 for customisation, 400 for a digital access key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .app import ApiError, Request, Response, invalid
from .data import OrderFacts, iso
from .handlers import ORDER_ID

if TYPE_CHECKING:
    from .app import Emulator

WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class MessageType:
    name: str  # the action name and the path's last segment
    operation: str
    text_max: int | None  # None: the type carries no text
    text_required: bool
    critical: bool  # allowed for opted-out buyers, and more than once
    states: frozenset[str]  # OrderStatus values it is offered in
    attachments_required: bool = False
    before_delivery: bool = False  # offered only until the order is delivered


TYPES: dict[str, MessageType] = {
    t.name: t
    for t in (
        MessageType(
            "confirmCustomizationDetails",
            "confirmCustomizationDetails",
            800,
            False,
            False,
            frozenset({"Unshipped"}),
        ),
        MessageType(
            "confirmDeliveryDetails",
            "createConfirmDeliveryDetails",
            2000,
            True,
            False,
            frozenset({"Unshipped", "PartiallyShipped", "Shipped"}),
            before_delivery=True,
        ),
        MessageType(
            "legalDisclosure",
            "createLegalDisclosure",
            None,
            False,
            True,
            frozenset({"Unshipped", "PartiallyShipped", "Shipped"}),
        ),
        MessageType(
            "confirmOrderDetails",
            "createConfirmOrderDetails",
            2000,
            True,
            False,
            frozenset({"Unshipped", "PartiallyShipped"}),
        ),
        MessageType(
            "confirmServiceDetails", "createConfirmServiceDetails", 2000, True, False, frozenset()
        ),  # Home Services orders only: never offered for product orders
        MessageType(
            "warranty",
            "CreateWarranty",
            None,
            False,
            False,
            frozenset({"Shipped"}),
            attachments_required=True,
        ),
        MessageType(
            "digitalAccessKey",
            "createDigitalAccessKey",
            400,
            False,
            False,
            frozenset({"Unshipped", "PartiallyShipped", "Shipped"}),
        ),
        MessageType(
            "invoice",
            "sendInvoice",
            None,
            False,
            True,
            frozenset({"Shipped"}),
            attachments_required=True,
        ),
        MessageType(
            "unexpectedProblem",
            "createUnexpectedProblem",
            2000,
            True,
            True,
            frozenset({"Unshipped", "PartiallyShipped", "Shipped", "Canceled"}),
        ),
    )
}


def window_end(facts: OrderFacts, now: datetime) -> datetime:
    status, _ = facts.status_at(now)
    if status == "Canceled" and facts.canceled_at is not None:
        return facts.canceled_at + WINDOW
    return facts.latest_delivery + WINDOW


def refusal(emu: Emulator, facts: OrderFacts, kind: MessageType, now: datetime) -> str | None:
    """Why `kind` cannot be sent for the order now, or None when it can."""
    status, _ = facts.status_at(now)
    if status not in kind.states:
        return f"{kind.name} is not available for an order in status {status}."
    if now > window_end(facts, now):
        return "Messages can be sent only until 30 days after the order is completed."
    if kind.before_delivery and facts.delivered_at is not None and facts.delivered_at <= now:
        return f"{kind.name} is available only until the order is delivered."
    if facts.buyer_opted_out and not kind.critical:
        return "The buyer has opted out of unsolicited messages."
    if not kind.critical and kind.name in emu.messaged.get(facts.amazon_order_id, set()):
        return f"A {kind.name} message has already been sent for this order."
    return None


def _order(emu: Emulator, request: Request) -> OrderFacts:
    market = emu.market_of_request(request)
    facts = emu.order_or_404(request.params["order_id"])
    if facts.marketplace.marketplace_id != market.marketplace_id:
        raise invalid(
            f"Order {facts.amazon_order_id} was not placed in marketplace {market.marketplace_id}."
        )
    return facts


def get_actions(emu: Emulator, request: Request) -> Response:
    now = emu.now()
    facts = _order(emu, request)
    market_id = facts.marketplace.marketplace_id
    base = f"/messaging/v1/orders/{facts.amazon_order_id}"
    query = f"?marketplaceIds={market_id}"
    actions, embedded = [], []
    for kind in TYPES.values():
        if refusal(emu, facts, kind, now) is not None:
            continue
        href = f"{base}/messages/{kind.name}"
        actions.append({"href": href + query, "name": kind.name})
        embedded.append(
            {
                "_links": {
                    "self": {"href": href + query, "name": kind.name},
                    "schema": {"href": href + "/schema", "name": kind.name},
                },
                "payload": {"name": kind.name},
            }
        )
    return Response.json(
        200,
        {
            "_links": {"self": {"href": base + query}, "actions": actions},
            "_embedded": {"actions": embedded},
        },
        content_type="application/hal+json",
    )


def get_attributes(emu: Emulator, request: Request) -> Response:
    facts = _order(emu, request)
    return Response.json(200, {"buyer": {"locale": facts.buyer_locale}})


def _validate(kind: MessageType, body: dict) -> str:
    text = body.get("text")
    if kind.text_max is None:
        if text is not None:
            raise invalid(f"{kind.name} does not accept text.")
        text = ""
    else:
        if text is None:
            if kind.text_required:
                raise invalid(
                    "text is required.",
                    f"{kind.name} needs a text of 1 to {kind.text_max} characters.",
                )
            text = ""
        elif not isinstance(text, str):
            raise invalid("text must be a string.")
        elif not 1 <= len(text) <= kind.text_max:
            raise invalid(
                f"text must be 1 to {kind.text_max} characters long.",
                f"The text has {len(text)} characters.",
            )
    attachments = body.get("attachments")
    if attachments is not None:
        if not isinstance(attachments, list) or len(attachments) > 5:
            raise invalid("attachments must be a list of at most 5 attachments.")
        for attachment in attachments:
            if (
                not isinstance(attachment, dict)
                or not attachment.get("uploadDestinationId")
                or not attachment.get("fileName")
            ):
                raise invalid("Each attachment needs uploadDestinationId and fileName.")
    if kind.attachments_required and not attachments:
        raise invalid("attachments are required.", f"{kind.name} needs 1 to 5 attachments.")
    return text


def send(kind: MessageType):
    def handler(emu: Emulator, request: Request) -> Response:
        now = emu.now()
        facts = _order(emu, request)
        body = request.json_body()
        text = _validate(kind, body)
        with emu._lock:
            reason = refusal(emu, facts, kind, now)
            if reason is not None:
                # Amazon's wording whatever the reason, details empty: as on Amazon, the way to
                # know is whether getMessagingActionsForOrder offers the type
                raise ApiError(
                    403, "Unauthorized", "Invalid amazonOrderId and template combination.", ""
                )
            emu.messaged.setdefault(facts.amazon_order_id, set()).add(kind.name)
        payload: dict[str, Any] = {
            k: v for k, v in body.items() if k not in ("marketplaceIds", "MarketplaceIds")
        }
        emu.record(
            "messages",
            {
                "amazonOrderId": facts.amazon_order_id,
                "type": kind.name,
                "body": text,
                "payload": payload,
                "marketplaceIds": [facts.marketplace.marketplace_id],
                "locale": facts.buyer_locale,
                "at": iso(now),
            },
        )
        return Response.json(201, {})

    return handler


ROUTES = [
    (
        "GET",
        f"/messaging/v1/orders/{ORDER_ID}",
        "getMessagingActionsForOrder",
        get_actions,
        "spapi",
    ),
    (
        "GET",
        f"/messaging/v1/orders/{ORDER_ID}/attributes",
        "GetAttributes",
        get_attributes,
        "spapi",
    ),
] + [
    (
        "POST",
        f"/messaging/v1/orders/{ORDER_ID}/messages/{kind.name}",
        kind.operation,
        send(kind),
        "spapi",
    )
    for kind in TYPES.values()
]
