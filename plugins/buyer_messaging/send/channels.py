"""Delivery channels: Solicitations, Messaging API and the e-mail relay.

Each channel checks eligibility first, marks the attempt dispatched (committed) right before
the request's bytes leave, and maps the answer to an outbox status. A send whose reply is lost
after the request may have arrived (SP-API 5xx, timeout, reset; SMTP anything after DATA) is
*ambiguous* and never sent again blindly. It is settled like a row whose sender died after
dispatching (`reconcile`): where Amazon lets us tell whether the message went out
(solicitations, non-critical message types), we ask; where nobody can tell (critical message
types, the SMTP relay), the row ends `delivery_unknown` for an operator to settle.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import TYPE_CHECKING, Any, Protocol

from buyer_messaging.send.outbox import Claimed
from buyer_messaging.spapi.calls import SpApiCaller, SpApiCallError

if TYPE_CHECKING:
    from sp_api.base import Client

Dispatch = Callable[[str | None], None]


@dataclass(frozen=True)
class Delivery:
    """What happened to one message: the outbox status it ends in, and why."""

    status: str  # sent | skipped | failed | failed_retryable | delivery_unknown | ready | sending
    outcome: str
    http_status: int | None = None
    error: str | None = None
    response: Any = None


UNKNOWN = Delivery(
    "delivery_unknown",
    "delivery_unknown",
    error="the request left but its reply was lost (or the sender died), and the channel cannot"
    " tell whether it arrived; not resent, to avoid a duplicate: check Seller Central, then"
    " settle it with `buyer-messaging resolve --delivered` or `--requeue`",
)


def _unknown(why: str, http_status: int | None = None) -> Delivery:
    return Delivery("delivery_unknown", "delivery_unknown", http_status, f"{why}; {UNKNOWN.error}")


class Channel(Protocol):
    def send(self, row: Claimed, dispatch: Dispatch) -> Delivery: ...

    def reconcile(self, row: Claimed) -> Delivery: ...


def _from_error(err: SpApiCallError, *, ineligible_403: bool) -> Delivery:
    if err.ambiguous:  # the request may have been processed: never resent
        return _unknown(str(err), err.status or None)
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

    def __init__(self, caller: SpApiCaller, client: Client) -> None:
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
                if row.after_ambiguous:  # our earlier request arrived after all
                    return CONFIRMED_BY_REFUSAL
                return Delivery(
                    "skipped",
                    "not_offered",
                    error="not eligible: Amazon offers no review request for this order now",
                )
            # Amazon requires marketplaceIds in the query; the library only adds it to the body
            self.caller.call(
                "createProductReviewAndSellerFeedbackSolicitation",
                self.client.create_product_review_and_seller_feedback_solicitation,
                row.amazon_order_id, client=self.client, subject=row.amazon_order_id,
                before_send=lambda: dispatch(None), marketplaceIds=row.marketplace_id,
            )  # fmt: skip
        except SpApiCallError as err:
            if err.ambiguous:
                return self.settle(row, err)
            if err.status == 403 and row.after_ambiguous:
                return CONFIRMED_BY_REFUSAL
            return _from_error(err, ineligible_403=True)
        return Delivery("sent", "sent", 201)

    def settle(self, row: Claimed, err: SpApiCallError) -> Delivery:
        """After a lost reply: Amazon withdraws the action once a request is recorded."""
        result = self.reconcile(row)
        if result.status == "ready":  # not recorded: safe to send again, in a later claim
            return Delivery(
                "ready", "ambiguous_unsent", err.status or None, f"reply lost, not delivered: {err}"
            )
        return result

    def reconcile(self, row: Claimed) -> Delivery:
        # Amazon offers the action until one is sent: still offered means ours never arrived
        try:
            if self.offered(row):
                return Delivery("ready", "reconciled_unsent")
        except SpApiCallError as err:
            return Delivery("sending", "reconcile_failed", err.status, str(err))
        return Delivery(
            "sent", "reconciled_sent", error="reconciled: Amazon no longer offers the action"
        )


CONFIRMED_BY_REFUSAL = Delivery(
    "sent", "confirmed_by_refusal",
    error="reconciled: an earlier request's reply was lost and Amazon now refuses or no longer"
    " offers the action, so that request arrived",
)  # fmt: skip


class Messaging:
    """A Messaging API message type (e.g. createUnexpectedProblem) with the outbox text."""

    # operation id -> (action name in getMessagingActionsForOrder, client method, text limit)
    TYPES: dict[str, tuple[str, str, int]] = {
        "createUnexpectedProblem": ("unexpectedProblem", "create_unexpected_problem", 2000),
        "CreateWarranty": ("warranty", "create_warranty", 2000),
        "createConfirmDeliveryDetails": (
            "confirmDeliveryDetails",
            "create_confirm_delivery_details",
            2000,
        ),
    }
    CRITICAL = {"createUnexpectedProblem"}

    def __init__(self, caller: SpApiCaller, client: Client, operation: str) -> None:
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
            return Delivery(
                "failed",
                "too_long",
                error=f"text is {len(text)} characters; {self.operation} takes {self.limit}",
            )
        try:
            if not self.offered(row):
                if row.after_ambiguous and self.operation not in self.CRITICAL:
                    return CONFIRMED_BY_REFUSAL
                return Delivery(
                    "skipped",
                    "not_offered",
                    error=f"not eligible: Amazon offers no {self.action} message for this order now",
                )
            self.caller.call(
                self.operation, getattr(self.client, self.method), row.amazon_order_id,
                client=self.client, subject=row.amazon_order_id, body={"text": text},
                before_send=lambda: dispatch(None),
            )  # fmt: skip
        except SpApiCallError as err:
            if err.ambiguous:
                if self.operation in self.CRITICAL:
                    return _from_error(err, ineligible_403=True)
                result = self.reconcile(row)
                if result.status == "ready":
                    return Delivery(
                        "ready",
                        "ambiguous_unsent",
                        err.status or None,
                        f"reply lost, not delivered: {err}",
                    )
                return result
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
        return Delivery(
            "sent", "reconciled_sent", error="reconciled: Amazon no longer offers the action"
        )


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

    def __init__(
        self, caller: SpApiCaller, orders_client: Client, smtp: SmtpSettings, tokens_client: Client
    ) -> None:
        self.caller, self.orders, self.smtp, self.tokens = (
            caller,
            orders_client,
            smtp,
            tokens_client,
        )

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
            return Delivery(
                "skipped", "no_address", error="Amazon gave no buyer e-mail address for this order"
            )
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.smtp.sender, to, row.subject
        msg["Message-ID"] = make_msgid(
            idstring=f"outbox-{row.id}", domain=self.smtp.sender.rsplit("@", 1)[-1]
        )
        msg.set_content(row.body)
        return self._transact(msg, to, dispatch)

    def _transact(self, msg: EmailMessage, to: str, dispatch: Dispatch) -> Delivery:
        """One SMTP transaction. Errors before DATA are retryable; after DATA was issued the
        relay may hold the message whatever happens next, so a lost reply is ambiguous.
        Error texts carry SMTP codes, never the recipient's address."""
        data_issued = False
        try:
            server = smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.smtp.timeout)
        except (smtplib.SMTPException, OSError) as err:
            return Delivery(
                "failed_retryable", "retryable", error=f"SMTP: {type(err).__name__} on connect"
            )
        try:
            server.ehlo_or_helo_if_needed()
            if self.smtp.starttls:
                server.starttls()
                server.ehlo()
            if self.smtp.login:
                server.login(self.smtp.login, self.smtp.password or "")
            code, _ = server.mail(self.smtp.sender)
            if code != 250:
                return _smtp_refusal("MAIL FROM", code)
            code, _ = server.rcpt(to)
            if code not in (250, 251):
                return Delivery("failed" if code >= 500 else "failed_retryable", "refused",
                                error=f"relay refused the recipient: SMTP {code} to RCPT TO")  # fmt: skip
            # marked as leaving as late as possible: only DATA can deliver the message
            dispatch(msg["Message-ID"])
            data_issued = True
            code, _ = server.data(msg.as_bytes())
        except smtplib.SMTPDataError as err:  # DATA itself refused (no 354): nothing went
            return _smtp_refusal("DATA", err.smtp_code)
        except (smtplib.SMTPException, OSError) as err:  # disconnects, resets, timeouts, codes
            what = (
                f"SMTP {err.smtp_code}"
                if isinstance(err, smtplib.SMTPResponseException)
                else f"SMTP: {type(err).__name__}"
            )
            if data_issued:
                return _unknown(f"{what} after DATA, before the relay's reply")
            return Delivery("failed_retryable", "retryable", error=f"{what} before DATA")
        finally:
            _quit(server)
        if code != 250:
            return _smtp_refusal("the message", code)
        return Delivery("sent", "sent", response={"message_id": msg["Message-ID"]})

    def reconcile(self, row: Claimed) -> Delivery:
        return UNKNOWN


def _quit(server: smtplib.SMTP) -> None:
    # the outcome is decided by then: a failing QUIT changes nothing
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()


def _smtp_refusal(stage: str, code: int) -> Delivery:
    status = "failed_retryable" if 400 <= code < 500 else "failed"
    return Delivery(status, "smtp_error", error=f"SMTP {code}: relay refused {stage}")
