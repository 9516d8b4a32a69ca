"""render_and_lint: planned messages get their text and a lint verdict, then become ready.

Review requests go through Amazon's Solicitations API, which sends Amazon's own text: there
is nothing of ours to render or lint, so they move straight to ready. Every other kind is
rendered from its template in the buyer's locale and linted; a render error (a missing
value) or a blocking lint violation marks it `blocked` with the codes, and it is never sent.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from buyer_messaging import domain
from buyer_messaging.compose import store as compose
from buyer_messaging.render.address import address_lines
from buyer_messaging.render.carriers import carrier_name
from buyer_messaging.send import outbox
from buyer_messaging.warehouse.connection import transaction

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection

    from buyer_messaging.lint.engine import RuleSet

AMAZON_WRITTEN = list(domain.AMAZON_WRITTEN)
WRITTEN_BY_US = list(domain.WRITTEN_BY_US)
CHANNEL_OF = domain.CHANNEL_OF


def template_context(
    row: dict[str, Any], seller_name: str | None, unavailability: Any = None
) -> dict[str, Any]:
    """What the templates may use (include/templates/README.md lists it)."""
    context: dict[str, Any] = {
        "order_id": row["amazon_order_id"],
        # as Amazon gives it (kept until the retention purge); the templates clean it (no
        # markup, emoji or control characters, clipped) and it is data, never template code
        "buyer_name": row.get("buyer_name") or None,
        "marketplace": row["marketplace"],
        "items": [
            {
                "title": i.get("title") or "",
                "quantity": i.get("quantity") or 1,
                "asin": i.get("asin"),
                "sku": i.get("sku"),
            }
            for i in row["items"] or []
        ],
        "seller_name": seller_name,
        "currency": row["currency"],
        # v0 orders carry no carrier or tracking number (the 2026-01-01 API's packages do): a
        # shipment confirmation without them is blocked as missing required content rather
        # than sent half-empty
        "carrier": carrier_name(row.get("carrier")),
        "tracking_number": row.get("tracking_number"),
        "ship_date": row["ship_date"].date() if row.get("ship_date") else None,
        "estimated_delivery": row["estimated_delivery"].date()
        if row.get("estimated_delivery")
        else None,
        "reason": None,
        "refund_amount": None,
        "refund_date": None,
        "adjusted_amount": None,
    }
    returned = row.get("returned")
    if row["kind"] == "return_confirmation" and returned:
        context["items"] = [
            {
                "title": i.get("title") or "",
                "quantity": i.get("quantity") or 1,
                "asin": i.get("asin"),
                "sku": i.get("sku"),
            }
            for i in returned["items"] or []
        ]
        refunded = returned.get("refunded_amount")
        # nothing refunded yet is a missing value: the message is blocked, not sent saying 0.00
        context["refund_amount"] = Decimal(str(refunded)) if refunded else None
        context["currency"] = returned.get("currency") or row["currency"]
        context["refund_date"] = _date(returned.get("refund_date"))
    if row["kind"] == "unavailability_notice":
        context.update(unavailability_context(row, unavailability))
    return context


def _event(row: dict[str, Any]) -> str:
    event = row.get("event") or "default"
    if event == "default":  # planned before events existed (migration 0014 names most of them)
        return "cancelled" if row["order_status"] == "Canceled" else "delayed"
    return event


def _share(price: Any, part: int, whole: int) -> Decimal | None:
    """The price of `part` of a line's `whole` units (Amazon prices a line, not a unit)."""
    if price is None or not whole:
        return None
    return (Decimal(str(price)) * part / whole).quantize(Decimal("0.01"))


def unavailability_context(row: dict[str, Any], policy: Any = None) -> dict[str, Any]:
    """Which items, why, and the money, per event:

    - delayed: the units not shipped yet; the full order total if the buyer cancels;
    - cancelled: every item; the order total refunded on the day of the cancellation;
    - partially_cancelled: the cancelled units; their share of the line prices refunded, and
      the rest of the items' total as the adjusted amount.
    The reason of a cancellation is Amazon's (mapped in unavailability.yaml) or the seller's.
    """
    from buyer_messaging.policies import load_unavailability

    policy = policy or load_unavailability()
    event = _event(row)
    lines = row.get("lines") or []
    total = Decimal(str(row["order_total"])) if row.get("order_total") is not None else None
    out: dict[str, Any] = {"refund_amount": None, "refund_date": None, "adjusted_amount": None}
    if event == "delayed":
        affected = [(ln, (ln.get("quantity") or 0) - (ln.get("shipped") or 0)) for ln in lines]
        out.update(reason="delayed", refund_amount=total, estimated_delivery=None)
    else:
        reasons = [ln.get("cancel_reason") for ln in lines if ln.get("cancelled")]
        out["reason"] = policy.reason_for(reasons, row.get("account_id"))
        out["refund_date"] = row["last_update_date"].date() if row.get("last_update_date") else None
        if event == "cancelled":
            affected = [(ln, ln.get("quantity") or 0) for ln in lines]
            out["refund_amount"] = total
        else:
            affected = [(ln, ln.get("cancelled") or 0) for ln in lines]
            parts = [
                _share(ln.get("price"), q, ln.get("quantity") or 0) for ln, q in affected if q > 0
            ]
            rest = [
                _share(
                    ln.get("price"),
                    (ln.get("quantity") or 0) - (ln.get("cancelled") or 0),
                    ln.get("quantity") or 0,
                )
                for ln in lines
            ]
            # an unpriced line makes the amounts unknown: blocked as missing, never a wrong figure
            # (no None left in a list once `None in` it is false)
            out["refund_amount"] = (
                None if None in parts else sum(cast(list[Decimal], parts), Decimal(0))
            )
            out["adjusted_amount"] = (
                None if None in rest else sum(cast(list[Decimal], rest), Decimal(0))
            )
    items = [
        {
            "title": ln.get("title") or "",
            "quantity": q,
            "asin": ln.get("asin"),
            "sku": ln.get("sku"),
        }
        for ln, q in affected
        if q > 0
    ]
    if items or lines:
        out["items"] = items
    return out


def buyer_pii(context: dict[str, Any]) -> list[str]:
    """The words of the buyer's name and address as a message may quote them (an excerpt may
    hold only part of a line)."""
    from buyer_messaging.render.engine import clean_text

    values = [context.get("buyer_name") or "", *(context.get("delivery_address") or [])]
    words = {w for raw in values for w in clean_text(raw, 200).split() if len(w) > 2}
    return sorted(words, key=len, reverse=True)


def redact(text: str, pii: list[str]) -> str:
    """A lint excerpt for `error` and lint_violations: buyer PII never reaches error text."""
    if not pii or not text:
        return text
    words = "|".join(re.escape(w) for w in pii)
    return re.sub(rf"(?<!\w)(?:{words})(?!\w)", "[buyer data]", text)


def product_info_for(
    info: Any, items: list[dict[str, Any]], locale: str
) -> tuple[dict[str, Any] | None, str | None]:
    """(the first item with configured product information, its text in the locale's language)."""
    for item in items:
        text = info.text_for([item.get("asin")], locale)
        if text is not None:
            return item, text
    return None, None


def lint_facts(context: dict[str, Any]) -> dict[str, Any]:
    """The order's own values the template put in: the linter reads them as data, so a product
    called "5 Stars Deluxe" is not a review ask and a tracking number is not a phone number."""
    return {
        "order_id": context.get("order_id"),
        "item_titles": [i["title"] for i in context.get("items") or [] if i.get("title")],
        "tracking_numbers": [context["tracking_number"]] if context.get("tracking_number") else [],
        "address": list(context.get("delivery_address") or []),
        "buyer_name": context.get("buyer_name") or "",
    }


def _date(value: Any) -> date | None:
    """A date from json_build_object's timestamptz text (ISO 8601), or None."""
    if not value:
        return None
    return datetime.fromisoformat(str(value)).date()


def render_and_lint(
    conn: PgConnection,
    *,
    account_id: str,
    locale: str,
    seller_name: str | None = None,
    rules: RuleSet | None = None,
    addresses: Callable[[str], list[str]] | None = None,
    locales: Callable[[str], str | None] | None = None,
    chunk_rows: int = compose.CHUNK_ROWS,
) -> Counter[str]:
    """`addresses(order_id)`: the delivery address lines of an order whose address extraction
    did not keep (`render.address.DeliveryAddresses` reads it from Amazon now); a shipment
    confirmation with no address either way is blocked as missing required content.
    `locales(order_id)`: the buyer's preferred locale (`render.buyer_locale.BuyerLocales`);
    the message is in it when we have templates in its language, else the marketplace's.

    Streams: the planned rows come `chunk_rows` at a time and each chunk's verdicts are
    committed before the next is read, so memory does not grow with the day. A crash leaves
    the chunks already done ready/blocked and the rest planned; a re-run picks up the rest."""
    counts: Counter[str] = Counter()
    with transaction(conn) as cur:
        counts["ready"] += outbox.ready_without_text(cur, account_id, AMAZON_WRITTEN, locale)
    chunks = compose.planned_chunks(conn, account_id, WRITTEN_BY_US, chunk_rows=chunk_rows)
    first = next(chunks, None)
    if first is None:
        return counts
    from buyer_messaging.experiments.policy import load_ab_tests
    from buyer_messaging.lint import load_rules
    from buyer_messaging.policies import load_product_info

    prepare = _Preparer(
        account_id=account_id, seller_name=seller_name, rules=rules or load_rules(),
        product_info=load_product_info(), ab_tests=load_ab_tests(), addresses=addresses,
        locales=locales,
    )  # fmt: skip
    try:
        for chunk in itertools.chain([first], chunks):
            verdicts, violations = prepare.chunk(chunk, counts)
            with transaction(conn) as cur:
                compose.apply_verdicts(cur, verdicts, violations)
    finally:
        chunks.close()  # the server-side cursor, now rather than when collected
    return counts


class _Preparer:
    """Renders and lints planned rows with what every chunk of one run shares."""

    def __init__(
        self,
        *,
        account_id: str,
        seller_name: str | None,
        rules: Any,
        product_info: Any,
        ab_tests: Any,
        addresses: Callable[[str], list[str]] | None,
        locales: Callable[[str], str | None] | None,
    ) -> None:
        self.account_id, self.seller_name = account_id, seller_name
        self.rules, self.product_info, self.ab_tests = rules, product_info, ab_tests
        self.addresses, self.locales = addresses, locales

    def chunk(
        self, planned: list[dict[str, Any]], counts: Counter[str]
    ) -> tuple[list[compose.VerdictRow], list[compose.ViolationRow]]:
        """(verdicts, violations) of the rows, for compose.apply_verdicts; counts updated."""
        from buyer_messaging.lint import lint_message
        from buyer_messaging.render import RenderError, choose_locale, render_message

        account_id, rules = self.account_id, self.rules
        addresses, locales = self.addresses, self.locales
        product_info, ab_tests, seller_name = self.product_info, self.ab_tests, self.seller_name
        verdicts: list[compose.VerdictRow] = []
        violations: list[compose.ViolationRow] = []
        for row in planned:
            preferred = locales(row["amazon_order_id"]) if locales is not None else None
            msg_locale = choose_locale(row["marketplace"], preferred)
            context = template_context(row, seller_name)
            if row["kind"] == "shipment_confirmation":
                # the address extraction kept (until the retention purge), else Amazon's, now
                stored = address_lines(row.get("stored_address"))
                if not stored and addresses is not None:
                    stored = addresses(row["amazon_order_id"])
                context["delivery_address"] = stored
            if row["kind"] == "product_info":
                # the message is about the item whose text it carries, not the order's first item
                item, context["product_info"] = product_info_for(
                    product_info, context["items"], msg_locale
                )
                context["items"] = [item] if item else []
            try:
                msg = render_message(
                    row["kind"], msg_locale, context, account_id=account_id, html=False,
                    variant=ab_tests.template_of(row.get("ab_test"), row.get("variant")),
                )  # fmt: skip
            except RenderError as err:
                verdicts.append(
                    (
                        row["id"],
                        "blocked",
                        msg_locale,
                        None,
                        None,
                        ["missing_required_content"],
                        str(err),
                    )
                )
                violations.append(
                    (row["id"], "render", "missing_required_content", "block", str(err)[:500])
                )
                counts["blocked"] += 1
                continue
            verdict = lint_message(
                rules, kind=row["kind"], locale=msg_locale, subject=msg.subject, body=msg.body,
                channel=CHANNEL_OF.get(row["kind"], "email_relay"), order_id=row["amazon_order_id"],
                preferred_locale=preferred, facts=lint_facts(context),
            )  # fmt: skip
            codes = sorted({v.category for v in verdict.violations if v.severity == "block"})
            status = "blocked" if verdict.verdict == "block" else "ready"
            pii = buyer_pii(context)
            error = (
                "; ".join(
                    f"{v.rule}: {redact(v.excerpt or '', pii)}"
                    for v in verdict.violations
                    if v.severity == "block"
                )
                or None
            )
            verdicts.append((row["id"], status, msg_locale, msg.subject, msg.body, codes, error))
            violations += [
                (row["id"], v.rule, v.category, v.severity, redact(v.excerpt or "", pii)[:500])
                for v in verdict.violations
            ]
            counts[status] += 1
        return verdicts, violations
