"""`buyer-messaging explain`: which rules applied to an order, what was planned or not, and why.

The answers come from the planner's own statements (plan/sql/<kind>.sql and decide.sql), run
for this one order, never from a second copy of the rules:

1. what the outbox already holds for the order;
2. for each enabled kind, the kind's candidate SELECT over all time says whether the order
   qualifies at all and on which day each of its events falls due;
3. for each such day, in date order, decide.sql for that day says what the run for it
   records: planned, skipped (policy, exclusion, suppression) or expired. A past day is
   decided as a run now would (so a missed day shows what a backfill does); a future day as its
   own run will, at the day's end. An earlier day's planned proactive message (review request
   or product information: one per order) is carried into the later days, as the outbox would.

Read-only: the dashboard calls it on a read-only connection.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo

from buyer_messaging.domain import TAKING_STATUSES
from buyer_messaging.plan import explain_sql as sql
from buyer_messaging.plan.planner import PLANNED_KINDS, decide_sql, kind_params
from buyer_messaging.policies import load_pack, load_product_info, load_timing

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection
    from psycopg2.extensions import cursor as PgCursor

# a window wider than any order's life: the kind's candidate SELECT over all time
ALL_TIME = (datetime(1970, 1, 1, tzinfo=UTC), datetime(2999, 1, 1, tzinfo=UTC))
PROACTIVE = ("review_request", "product_info")  # Amazon: one of them per order
_TAKES = TAKING_STATUSES


def _local_day(moment: datetime, tz: str) -> tuple[date, datetime, datetime]:
    zone = ZoneInfo(tz)
    day = moment.astimezone(zone).date()
    start = datetime.combine(day, time(0), tzinfo=zone)
    return day, start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def _local_day_of(day: date, tz: str) -> tuple[date, datetime, datetime]:
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone)
    return day, start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def predict(
    cur: PgCursor,
    account_id: str,
    order_id: str,
    *,
    kinds: Sequence[str],
    now: datetime,
    known: set[tuple[str, str]],
    proactive_taken: bool,
    **settings: Any,
) -> tuple[list[dict[str, Any]], set[str]]:
    """(what the planner will record for the order that the outbox does not hold yet, the kinds
    whose candidate SELECT selects the order on some day). `settings`: kind_params' policies."""
    probes: list[tuple[date, int, str, str, datetime, datetime]] = []
    selected: set[str] = set()
    for position, kind in enumerate(kinds):
        if kind not in PLANNED_KINDS:
            continue
        params = kind_params(
            kind, account_id=account_id, run_day=now.date(), day=ALL_TIME, now=ALL_TIME[1],
            order_id=order_id, **settings,
        )  # fmt: skip
        # the day each event falls due as decide.sql reckons it (an A/B timing variant moves it)
        cur.execute(f"SELECT d.event, d.due_on FROM ({decide_sql(kind)}) d", params)
        for event, due_on in cur.fetchall():
            selected.add(kind)
            due, start, end = _local_day_of(due_on, settings.get("tz", "UTC"))
            probes.append((due, position, kind, event, start, end))
    predictions: list[dict[str, Any]] = []
    seen = set(known)
    for due, _, kind, event, start, end in sorted(probes):
        if (kind, event) in seen:
            continue
        seen.add((kind, event))
        run_now = now if end <= now else end
        params = kind_params(
            kind, account_id=account_id, run_day=due, day=(start, end), now=run_now, order_id=order_id,
            proactive_taken=proactive_taken, **settings,
        )  # fmt: skip
        cur.execute(decide_sql(kind), params)
        rows = [r for r in sql.rows(cur) if r["event"] == event]
        entry = {"kind": kind, "event": event, "due_on": due, "future": end > now}
        if not rows:
            predictions.append({**entry, "status": None, "reason": None})
            continue
        row = rows[0]
        predictions.append({**entry, "status": row["status"], "reason": row["reason"]})
        if kind in PROACTIVE and row["status"] == "planned":
            proactive_taken = True
    return predictions, selected


def explain_order(
    conn: PgConnection, account_id: str, order_id: str, *, now: datetime | None = None
) -> dict[str, Any]:
    """A JSON-able explanation (the UI shows the same structure)."""
    from buyer_messaging.tasks import account

    now = now or datetime.now(UTC)
    try:
        acc = account(account_id)
        kinds = list(acc.kinds)
        timing = load_timing()
        pack = load_pack(acc.policy_pack or timing.default_pack)
        settings = {
            "pack": pack, "timing": timing, "product_info": load_product_info(), "tz": acc.tz,
            "marketplace": acc.marketplace, "enabled_despite_policy": tuple(acc.enabled_despite_policy),
            "send_hour": acc.send_hour,
        }  # fmt: skip
    except KeyError:
        acc, kinds, timing = None, [], load_timing()
        pack = load_pack(timing.default_pack)
        settings = {}
    with conn.cursor() as cur:
        orders = sql.fetch(cur, sql.ORDER, account_id, order_id)
        rejected = sql.fetch(cur, sql.REJECTED, account_id, order_id)
        messages = sql.fetch(cur, sql.MESSAGES, account_id, order_id)
        returns = sql.fetch(cur, sql.RETURNS, account_id, order_id)
        items = sql.fetch(cur, sql.ITEMS, account_id, order_id)
        for message in messages:
            message["attempt_log"] = sql.fetch(cur, sql.ATTEMPTS, message["id"])
        predictions: list[dict[str, Any]] = []
        selected: set[str] = set()
        if orders and kinds:
            known = {(m["kind"], m["event"]) for m in messages}
            taken = any(m["kind"] in PROACTIVE and m["status"] in _TAKES for m in messages)
            predictions, selected = predict(
                cur, account_id, order_id, kinds=kinds, now=now, known=known, proactive_taken=taken,
                **settings,
            )  # fmt: skip
    order = orders[0] if orders else None
    reasons: list[str] = []
    if rejected:
        reasons += [f"extraction rejected the record: {r['reason']}" for r in rejected]
    if order is None and returns:
        reasons.append(
            "the order is not in staging, only its returns: it was last updated before the first"
            " extracted window, and no message is planned without the order"
        )
    elif order is None and not rejected:
        reasons.append(
            "the order is not in staging: not extracted yet (check the run for the day it was last updated)"
        )
    if order and order["quarantined"]:
        reasons.append(
            f"quarantined by validation ({order['quarantine_reason']}): no message is planned for it"
        )
    facts = {"order": order, "returns": returns, "items": items, "messages": messages}
    for kind in dict.fromkeys([*kinds, *(m["kind"] for m in messages)]):
        lines = [_message_line(m) for m in messages if m["kind"] == kind]
        lines += [_prediction_line(p, facts) for p in predictions if p["kind"] == kind]
        if not lines:
            rule = f"the planner's {kind} rule does not select this order"
            lines = [f"{kind}: not planned — {_hint(kind, facts) or rule}"]
        reasons += lines
    return {
        "account_id": account_id,
        "amazon_order_id": order_id,
        "policy_pack": f"{pack.id} ({pack.version})",
        "order": order,
        "messages": messages,
        "predicted": predictions,
        "returns": returns,
        "explanation": reasons,
    }


def _label(kind: str, event: str) -> str:
    return kind if event == "default" else f"{kind} ({event})"


def _message_line(m: dict[str, Any]) -> str:
    why = m["reason"] or m["error"] or ""
    return f"{_label(m['kind'], m['event'])}: {m['status']} (due {m['due_on']}){': ' + why if why else ''}"


def _prediction_line(p: dict[str, Any], facts: dict[str, Any]) -> str:
    label = _label(p["kind"], p["event"])
    if p["status"] is None:
        return f"{label}: due {p['due_on']}, but not selected that day — {_hint(p['kind'], facts)}"
    what = p["status"] + (f": {p['reason']}" if p["reason"] else "")
    if p["future"]:
        return f"{label}: due {p['due_on']}; the run for that day will record it as {what}"
    return f"{label}: due {p['due_on']}, not in the outbox yet; a run for that day now records it as {what}"


def _hint(kind: str, facts: dict[str, Any]) -> str | None:
    """The order's facts that keep the planner's rule from selecting it (a reading aid only: the
    decision above is the SQL's)."""
    order, returns = facts["order"], facts["returns"]
    if order is None:
        return "no order data"
    if order["quarantined"]:
        return "quarantined by validation"
    status = order["order_status"]
    others = [
        m["kind"] for m in facts["messages"] if m["kind"] in PROACTIVE and m["status"] in _TAKES
    ]
    if kind in PROACTIVE and any(o != kind for o in others):
        other = next(o for o in others if o != kind)
        return f"the order's one proactive message (Amazon's rule) is its {other} message"
    if kind == "return_confirmation":
        if not returns:
            return "no return of this order in staging"
        if any(r["return_delivery_date"] is None for r in returns):
            return "a returned item has not arrived back yet"
        if not sum(r["refunded_amount"] or 0 for r in returns):
            return "no refund recorded for the return yet"
        return None
    if kind in PROACTIVE and returns:
        return f"the order has a return: no {kind} for a returned order"
    if kind == "shipment_confirmation" and order["fulfillment_channel"] == "AFN":
        return "fulfilled by Amazon: Amazon ships and confirms it, the seller has no tracking number to quote"
    if kind in ("review_request", "product_info") and status != "Shipped":
        return f"order status is {status}; only shipped orders get a {kind}"
    if kind == "shipment_confirmation" and status not in ("Shipped", "PartiallyShipped"):
        return f"order status is {status}: nothing shipped"
    if kind == "product_info":
        return "none of its items has product information (include/policies/product_info.yaml)"
    if kind == "review_request" and (
        order["earliest_delivery_date"] is None or order["latest_delivery_date"] is None
    ):
        return "no delivery window in the order data"
    if kind == "unavailability_notice":
        return "not cancelled, partly cancelled or past its latest ship date unshipped"
    return None


def explain(account_id: str, order_id: str, *, dsn: str | None, out: TextIO) -> int:
    from buyer_messaging.warehouse.connection import connect

    conn = connect(dsn)
    try:
        result = explain_order(conn, account_id, order_id)
    finally:
        conn.rollback()
        conn.close()
    for line in result["explanation"]:
        out.write(f"- {line}\n")
    out.write(json.dumps(result, default=str, indent=2) + "\n")
    return 0 if result["order"] or result["messages"] else 1
