"""Delivery channels: Solicitations, Messaging API and the e-mail relay.

Each channel checks eligibility first, marks the attempt dispatched (committed) right before
the request leaves, and maps the answer to an outbox status. `reconcile` settles a row whose
sender died after dispatching: where Amazon lets us tell whether the message went out, it
asks; where nobody can tell (a critical message, an SMTP transaction), it records the row as
failed with the reason instead of risking a duplicate.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol

from buyer_messaging.spapi.calls import SpApiCaller, SpApiCallError
from buyer_messaging.warehouse.outbox import Claimed

Dispatch = Callable[[str | None], None]


@dataclass(frozen=True)
class Delivery:
    """What happened to one message: the outbox status it ends in, and why."""

    status: str  # sent | skipped | failed | failed_retryable
    outcome: str
    http_status: int | None = None
    error: str | None = None
    response: Any = None


UNKNOWN = Delivery(
    "failed",
    "delivery_unknown",
    error="the sender died after the request left and the channel cannot tell whether it arrived;"
    " not resent, to avoid a duplicate: check Seller Central, then re-queue it if needed",
)


class Channel(Protocol):
    def send(self, row: Claimed, dispatch: Dispatch) -> Delivery: ...

    def reconcile(self, row: Claimed) -> Delivery: ...


def _from_error(err: SpApiCallError, *, ineligible_403: bool) -> Delivery:
    if err.status == 403 and err.code == "Unauthorized" and ineligible_403:
        return Delivery("skipped", "not_eligible", 403, f"not eligible: {err.code}: {err.message}")
    if err.status == 429 or err.status >= 500 or err.status == 0:
        return Delivery("failed_retryable", "retryable", err.status or None, str(err))
    return Delivery("failed", "rejected", err.status, f"{err.code}: {err.message}")


def _action_names(payload: Any) -> set[str]:
    links = ((payload or {}).get("_links") or {}).get("actions") or []
    names = set()
    for link in links:
        names.add(link.get("name") or "")
        names.add((link.get("href") or "").rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0])
    return names


class Solicitations:
    """Amazon's own review request (productReviewAndSellerFeedback); once per order."""

    ACTION = "productReviewAndSellerFeedback"

    def __init__(self, caller: SpApiCaller, client: Any) -> None:
        self.caller, self.client = caller, client

    def offered(self, row: Claimed) -> bool:
        res = self.caller.call(
            "getSolicitationActionsForOrder", self.client.get_solicitation_actions_for_order,
            row.amazon_order_id, client=self.client, subject=row.amazon_order_id,
            marketplaceIds=row.marketplace_id,
        )  # fmt: skip
        return self.ACTION in _action_names(res.payload)

    def send(self, row: Claimed, dispatch: Dispatch) -> Delivery:
        try:
            if not self.offered(row):
                return Delivery("skipped", "not_offered", error="not eligible: Amazon offers no review request for this order now")
            dispatch(None)
            # Amazon requires marketplaceIds in the query; the library only adds it to the body
            self.caller.call(
                "createProductReviewAndSellerFeedbackSolicitation",
                self.client.create_product_review_and_seller_feedback_solicitation,
                row.amazon_order_id, client=self.client, subject=row.amazon_order_id,
                marketplaceIds=row.marketplace_id,
            )  # fmt: skip
        except SpApiCallError as err:
            return _from_error(err, ineligible_403=True)
        return Delivery("sent", "sent", 201)

    def reconcile(self, row: Claimed) -> Delivery:
        # Amazon offers the action until one is sent: still offered means ours never arrived
        try:
            if self.offered(row):
                return Delivery("ready", "reconciled_unsent")
        except SpApiCallError as err:
            return Delivery("sending", "reconcile_failed", err.status, str(err))
        return Delivery("sent", "reconciled_sent", error="reconciled: Amazon no longer offers the action")


class Messaging:
    """A Messaging API message type (e.g. createUnexpectedProblem) with the outbox text."""

    # operation id -> (action name in getMessagingActionsForOrder, client method, text limit)
    TYPES: dict[str, tuple[str, str, int]] = {
        "createUnexpectedProblem": ("unexpectedProblem", "create_unexpected_problem", 2000),
        "CreateWarranty": ("warranty", "create_warranty", 2000),
        "createConfirmDeliveryDetails": ("confirmDeliveryDetails", "create_confirm_delivery_details", 2000),
    }
    CRITICAL = {"createUnexpectedProblem"}

    def __init__(self, caller: SpApiCaller, client: Any, operation: str) -> None:
        self.caller, self.client, self.operation = caller, client, operation
        self.action, self.method, self.limit = self.TYPES[operation]

    def offered(self, row: Claimed) -> bool:
        res = self.caller.call(
            "getMessagingActionsForOrder", self.client.get_messaging_actions_for_order,
            row.amazon_order_id, client=self.client, subject=row.amazon_order_id,
        )  # fmt: skip
        return self.action in _action_names(res.payload)

    def send(self, row: Claimed, dispatch: Dispatch) -> Delivery:
        text = row.body or ""
        if not text.strip():
            return Delivery("failed", "no_text", error="no rendered text to send")
        if len(text) > self.limit:
            return Delivery("failed", "too_long", error=f"text is {len(text)} characters; {self.operation} takes {self.limit}")
        try:
            if not self.offered(row):
                return Delivery("skipped", "not_offered", error=f"not eligible: Amazon offers no {self.action} message for this order now")
            dispatch(None)
            self.caller.call(
                self.operation, getattr(self.client, self.method), row.amazon_order_id,
                client=self.client, subject=row.amazon_order_id, body={"text": text},
            )  # fmt: skip
        except SpApiCallError as err:
            return _from_error(err, ineligible_403=True)
        return Delivery("sent", "sent", 201)

    def reconcile(self, row: Claimed) -> Delivery:
        if self.operation in self.CRITICAL:
            return UNKNOWN  # critical types stay offered after a send: Amazon cannot tell us
        try:
            if self.offered(row):
                return Delivery("ready", "reconciled_unsent")
        except SpApiCallError as err:
            return Delivery("sending", "reconcile_failed", err.status, str(err))
        return Delivery("sent", "reconciled_sent", error="reconciled: Amazon no longer offers the action")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    login: str | None
    password: str | None
    sender: str
    starttls: bool = False
    timeout: float = 30.0


class EmailRelay:
    """Amazon's buyer-seller messaging relay: SMTP to the buyer's anonymised address."""

    def __init__(self, caller: SpApiCaller, orders_client: Any, smtp: SmtpSettings, tokens_client: Any) -> None:
        self.caller, self.orders, self.smtp, self.tokens = caller, orders_client, smtp, tokens_client

    def buyer_address(self, row: Claimed) -> str | None:
        # PII on demand through a Restricted Data Token; never stored in the warehouse
        path = f"/orders/v0/orders/{row.amazon_order_id}/buyerInfo"
        token = self.caller.call(
            "createRestrictedDataToken", self.tokens.create_restricted_data_token,
            client=self.tokens, subject=row.amazon_order_id,
            restrictedResources=[{"method": "GET", "path": path}],
        ).payload["restrictedDataToken"]  # fmt: skip
        self.orders.restricted_data_token = token
        try:
            res = self.caller.call(
                "getOrderBuyerInfo", self.orders.get_order_buyer_info, row.amazon_order_id,
                client=self.orders, subject=row.amazon_order_id,
            )  # fmt: skip
        finally:
            self.orders.restricted_data_token = None
        return (res.payload or {}).get("BuyerEmail")

    def send(self, row: Claimed, dispatch: Dispatch) -> Delivery:
        if not (row.body or "").strip() or not (row.subject or "").strip():
            return Delivery("failed", "no_text", error="no rendered subject/body to send")
        try:
            to = self.buyer_address(row)
        except SpApiCallError as err:
            return _from_error(err, ineligible_403=False)
        if not to:
            return Delivery("skipped", "no_address", error="Amazon gave no buyer e-mail address for this order")
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.smtp.sender, to, row.subject
        msg["Message-ID"] = make_msgid(idstring=f"outbox-{row.id}", domain=self.smtp.sender.rsplit("@", 1)[-1])
        msg.set_content(row.body)
        try:
            with smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.smtp.timeout) as server:
                if self.smtp.starttls:
                    server.starttls()
                if self.smtp.login:
                    server.login(self.smtp.login, self.smtp.password or "")
                dispatch(msg["Message-ID"])
                refused = server.send_message(msg)
        except smtplib.SMTPRecipientsRefused as err:
            return Delivery("failed", "refused", error=f"relay refused the recipient: {err.recipients}")
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, TimeoutError, ConnectionError) as err:
            return Delivery("failed_retryable", "retryable", error=f"SMTP: {err}")
        except smtplib.SMTPResponseException as err:
            status = "failed_retryable" if 400 <= err.smtp_code < 500 else "failed"
            return Delivery(status, "smtp_error", error=f"SMTP {err.smtp_code}: {err.smtp_error!r}")
        if refused:
            return Delivery("failed", "refused", error=f"relay refused: {refused}")
        return Delivery("sent", "sent", response={"message_id": msg["Message-ID"]})

    def reconcile(self, row: Claimed) -> Delivery:
        return UNKNOWN
