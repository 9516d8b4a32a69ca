"""`buyer-messaging explain`: which rules applied to an order, what was planned or not, and why."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from buyer_messaging.policies import load_pack, load_timing
from buyer_messaging.warehouse import explain as sql


def explain_order(conn: Any, account_id: str, order_id: str, *, now: datetime | None = None) -> dict[str, Any]:
    """A JSON-able explanation (the UI shows the same structure)."""
    from buyer_messaging.tasks import account

    now = now or datetime.now(UTC)
    with conn.cursor() as cur:
        orders = sql.fetch(cur, sql.ORDER, account_id, order_id)
        rejected = sql.fetch(cur, sql.REJECTED, account_id, order_id)
        messages = sql.fetch(cur, sql.MESSAGES, account_id, order_id)
        returns = sql.fetch(cur, sql.RETURNS, account_id, order_id)
        for message in messages:
            message["attempt_log"] = sql.fetch(cur, sql.ATTEMPTS, message["id"])
    try:
        acc = account(account_id)
        kinds = list(acc.kinds)
        timing = load_timing()
        pack = load_pack(acc.policy_pack or timing.default_pack)
    except KeyError:
        acc, kinds, timing, pack = None, [], load_timing(), load_pack(load_timing().default_pack)
    reasons: list[str] = []
    if rejected:
        reasons += [f"extraction rejected the record: {r['reason']}" for r in rejected]
    if not orders and not rejected:
        reasons.append("the order is not in staging: not extracted yet (check the run for the day it was last updated)")
    order = orders[0] if orders else None
    if order and order["quarantined"]:
        reasons.append(f"quarantined by validation ({order['quarantine_reason']}): no message is planned for it")
    planned = {m["kind"]: m for m in messages}
    # the account's kinds, and whatever the outbox holds (an account since removed from the file)
    for kind in dict.fromkeys([*kinds, *planned]):
        if kind in planned:
            m = planned[kind]
            why = m["reason"] or m["error"] or ""
            reasons.append(f"{kind}: {m['status']} (due {m['due_on']}){': ' + why if why else ''}")
            continue
        rule = pack.forbidding_rule(kind) if acc and kind not in acc.enabled_despite_policy else None
        reasons.append(f"{kind}: not planned — {_why_not(kind, order, timing, now, rule, returns)}")
    return {
        "account_id": account_id,
        "amazon_order_id": order_id,
        "policy_pack": f"{pack.id} ({pack.version})",
        "order": order,
        "messages": messages,
        "returns": returns,
        "explanation": reasons,
    }


def _why_not(
    kind: str,
    order: dict[str, Any] | None,
    timing: Any,
    now: datetime,
    rule: str | None,
    returns: list[dict[str, Any]] | None = None,
) -> str:
    returns = returns or []
    if order is None:
        return "no order data"
    if kind == "return_confirmation":
        if not returns:
            return "no return of this order in staging"
        if any(r["return_delivery_date"] is None for r in returns):
            return "a returned item has not arrived back yet"
        if not sum(r["refunded_amount"] or 0 for r in returns):
            return "no refund recorded for the return yet"
    if kind == "shipment_confirmation" and order["fulfillment_channel"] == "AFN":
        return "fulfilled by Amazon: Amazon ships and confirms it, the seller has no tracking number to quote"
    if kind == "review_request":
        if returns:
            return "the order has a return: no review request for a returned order"
        if order["order_status"] != "Shipped":
            return f"order status is {order['order_status']}; Amazon allows review requests for shipped orders only"
        edd, ldd = order["earliest_delivery_date"], order["latest_delivery_date"]
        if edd is None or ldd is None:
            return "no delivery window in the order data"
        opens = edd + timedelta(days=5 + timing.of(kind).delay_days)
        closes = ldd + timedelta(days=30)
        if now < opens:
            return f"Amazon's review window opens {opens:%Y-%m-%d %H:%M %Z} (5 days after the earliest delivery date)"
        if now > closes:
            return f"Amazon's review window closed {closes:%Y-%m-%d %H:%M %Z}"
        return "due, but no run has planned it yet (the next daily run will)"
    if rule:
        return f"the policy pack forbids it ({rule})"
    return f"the {kind} rule did not match this order (status {order['order_status']})"


def explain(account_id: str, order_id: str, *, dsn: str | None, out: TextIO) -> int:
    from buyer_messaging.warehouse.connection import connect

    conn = connect(dsn)
    try:
        result = explain_order(conn, account_id, order_id)
    finally:
        conn.close()
    for line in result["explanation"]:
        out.write(f"- {line}\n")
    out.write(json.dumps(result, default=str, indent=2) + "\n")
    return 0 if result["order"] or result["messages"] else 1
