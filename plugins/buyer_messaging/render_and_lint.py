"""render_and_lint: planned messages get their text and a lint verdict, then become ready.

Review requests go through Amazon's Solicitations API, which sends Amazon's own text: there
is nothing of ours to render or lint, so they move straight to ready. Every other kind is
rendered from its template in the buyer's locale and linted; a render error (a missing
value) or a blocking lint violation marks it `blocked` with the codes, and it is never sent.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from buyer_messaging.warehouse import compose, outbox
from buyer_messaging.warehouse.connection import transaction

AMAZON_WRITTEN = ["review_request"]
WRITTEN_BY_US = [
    "shipment_confirmation",
    "unavailability_notice",
    "return_confirmation",
    "product_info",
]
CHANNEL_OF = {"unavailability_notice": "messaging"}


def template_context(row: dict[str, Any], seller_name: str | None) -> dict[str, Any]:
    """What the templates may use (include/templates/README.md lists it)."""
    context: dict[str, Any] = {
        "order_id": row["amazon_order_id"],
        "buyer_name": None,  # buyer PII is not kept in the warehouse
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
        "carrier": row.get("carrier"),
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
        cancelled = row["order_status"] == "Canceled"
        context["reason"] = "cancelled" if cancelled else "delayed"
        context["refund_amount"] = (
            Decimal(row["order_total"]) if row["order_total"] is not None else None
        )
        context["refund_date"] = row["last_update_date"].date() if cancelled else None
        context["adjusted_amount"] = None
    return context


def lint_facts(context: dict[str, Any]) -> dict[str, Any]:
    """The order's own values the template put in: the linter reads them as data, so a product
    called "5 Stars Deluxe" is not a review ask and a tracking number is not a phone number."""
    return {
        "order_id": context.get("order_id"),
        "item_titles": [i["title"] for i in context.get("items") or [] if i.get("title")],
        "tracking_numbers": [context["tracking_number"]] if context.get("tracking_number") else [],
    }


def _date(value: Any) -> date | None:
    """A date from json_build_object's timestamptz text (ISO 8601), or None."""
    if not value:
        return None
    return datetime.fromisoformat(str(value)).date()


def render_and_lint(
    conn: Any,
    *,
    account_id: str,
    locale: str,
    seller_name: str | None = None,
    rules: Any = None,
) -> Counter[str]:
    counts: Counter[str] = Counter()
    with transaction(conn) as cur:
        counts["ready"] += outbox.ready_without_text(cur, account_id, AMAZON_WRITTEN, locale)
        planned = compose.planned_with_context(cur, account_id, WRITTEN_BY_US)
    if not planned:
        return counts
    from buyer_messaging.lint import lint_message, load_rules
    from buyer_messaging.policies import load_product_info
    from buyer_messaging.render import RenderError, locale_for_marketplace, render_message

    rules = rules or load_rules()
    product_info = load_product_info()
    verdicts, violations = [], []
    for row in planned:
        msg_locale = locale_for_marketplace(row["marketplace"])
        context = template_context(row, seller_name)
        if row["kind"] == "product_info":
            context["product_info"] = product_info.text_for(
                [i["asin"] for i in context["items"]], msg_locale
            )
        try:
            msg = render_message(
                row["kind"], msg_locale, context, account_id=account_id, html=False,
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
            facts=lint_facts(context),
        )  # fmt: skip
        codes = sorted({v.category for v in verdict.violations if v.severity == "block"})
        status = "blocked" if verdict.verdict == "block" else "ready"
        error = (
            "; ".join(f"{v.rule}: {v.excerpt}" for v in verdict.violations if v.severity == "block")
            or None
        )
        verdicts.append((row["id"], status, msg_locale, msg.subject, msg.body, codes, error))
        violations += [
            (row["id"], v.rule, v.category, v.severity, (v.excerpt or "")[:500])
            for v in verdict.violations
        ]
        counts[status] += 1
    with transaction(conn) as cur:
        compose.apply_verdicts(cur, verdicts, violations)
    return counts
