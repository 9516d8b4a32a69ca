"""SQL behind the dashboard's JSON API: reads only `reporting.*` views (and the outbox for one order).

Every function takes a psycopg2 connection, the accounts the caller may see (never empty) and
an inclusive day range, and returns JSON-able dicts (dates as ISO strings).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from buyer_messaging.warehouse.connection import column_names

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection
    from psycopg2.extensions import cursor as PgCursor

from buyer_messaging.domain import REPORTED_STATUSES

# delivery_unknown: a reply was lost where the channel offers no read-back (settled by an operator)
STATUSES = REPORTED_STATUSES

ACCOUNTS = """
SELECT account_id FROM messaging.outbox
UNION SELECT account_id FROM quality.runs
ORDER BY 1
"""

SUMMARY = """
SELECT account_id, day, kind, status, sum(messages)::integer AS messages
FROM reporting.daily_summary
WHERE account_id = ANY(%(accounts)s) AND day BETWEEN %(from)s AND %(to)s
GROUP BY account_id, day, kind, status
ORDER BY day, account_id, kind, status
"""

VIOLATIONS = """
SELECT rule, category, severity, sum(count)::integer AS count,
       (array_agg(sample ORDER BY day DESC) FILTER (WHERE sample IS NOT NULL))[1] AS sample
FROM reporting.lint_violations
WHERE account_id = ANY(%(accounts)s) AND day BETWEEN %(from)s AND %(to)s
GROUP BY rule, category, severity
ORDER BY count DESC, rule, category
LIMIT %(limit)s
"""

QUALITY = """
SELECT account_id, day, suite, runs, success, rows_checked, rows_bad, expectations,
       expectations_passed, docs_path
FROM reporting.quality_summary
WHERE account_id = ANY(%(accounts)s) AND day BETWEEN %(from)s AND %(to)s
ORDER BY day, account_id, suite
"""

THROTTLING = """
SELECT stage, operation, sum(calls)::integer AS calls, sum(throttled)::integer AS throttled
FROM reporting.throttling
WHERE account_id = ANY(%(accounts)s) AND day BETWEEN %(from)s AND %(to)s
GROUP BY stage, operation
ORDER BY stage, operation
"""

ORDER_MESSAGES = """
SELECT message_id, account_id, marketplace_id, amazon_order_id, kind, channel, status, due_on,
       sent_at, violation_codes, error, planned_for, outbox_status, attempts
FROM reporting.message_log
WHERE account_id = ANY(%(accounts)s) AND amazon_order_id = %(order)s
ORDER BY account_id, kind
"""

ORDER_OUTBOX = """
SELECT o.id, o.account_id, o.kind, o.channel, o.status, o.planned_for, o.due_on, o.send_before,
       o.reason, o.error, o.violation_codes, o.attempts, o.sent_at, o.created_at, o.updated_at
FROM messaging.outbox o
WHERE o.account_id = ANY(%(accounts)s) AND o.amazon_order_id = %(order)s
ORDER BY o.account_id, o.kind
"""

ORDER_ACCOUNTS = """
SELECT account_id FROM messaging.outbox
WHERE account_id = ANY(%(accounts)s) AND amazon_order_id = %(order)s
UNION
SELECT account_id FROM staging.orders
WHERE account_id = ANY(%(accounts)s) AND amazon_order_id = %(order)s
ORDER BY 1
"""

ORDER_ATTEMPTS = """
SELECT a.outbox_id, a.attempt_no, a.started_at, a.finished_at, a.outcome, a.http_status, a.error
FROM messaging.attempts a WHERE a.outbox_id = ANY(%(ids)s) ORDER BY a.outbox_id, a.attempt_no
"""

# The order's raw buyer fields, only to cut them out of the answer (never returned).
ORDER_BUYER_RAW = """
SELECT o.raw FROM staging.orders o
WHERE o.account_id = ANY(%(accounts)s) AND o.amazon_order_id = %(order)s
"""

ORDER_ITEMS_RAW = """
SELECT i.raw FROM staging.order_items i
WHERE i.account_id = ANY(%(accounts)s) AND i.amazon_order_id = %(order)s
"""

ORDER_VIOLATIONS = """
SELECT v.outbox_id, v.rule, v.category, v.severity, v.excerpt
FROM messaging.lint_violations v WHERE v.outbox_id = ANY(%(ids)s)
ORDER BY v.outbox_id, v.severity, v.rule
"""


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _rows(cur: PgCursor, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    cur.execute(sql, params)
    names = column_names(cur)
    return [{n: jsonable(v) for n, v in zip(names, row, strict=True)} for row in cur.fetchall()]


def accounts(conn: PgConnection) -> list[str]:
    with conn.cursor() as cur:
        cur.execute(ACCOUNTS)
        return [r[0] for r in cur.fetchall()]


def summary(
    conn: PgConnection, accounts: list[str], day_from: date, day_to: date
) -> dict[str, Any]:
    params = {"accounts": accounts, "from": day_from, "to": day_to}
    with conn.cursor() as cur:
        rows = _rows(cur, SUMMARY, params)
    by_status: dict[str, int] = dict.fromkeys(STATUSES, 0)
    by_kind: dict[str, dict[str, int]] = {}
    by_day: dict[str, dict[str, int]] = {}
    for r in rows:
        n, status = r["messages"], r["status"]
        by_status[status] = by_status.get(status, 0) + n
        kind = by_kind.setdefault(r["kind"], dict.fromkeys(STATUSES, 0))
        kind[status] = kind.get(status, 0) + n
        day = by_day.setdefault(r["day"], dict.fromkeys(STATUSES, 0))
        day[status] = day.get(status, 0) + n
    return {
        "rows": rows,
        "totals": {"messages": sum(by_status.values()), "by_status": by_status},
        "by_kind": dict(sorted(by_kind.items())),
        "by_day": dict(sorted(by_day.items())),
    }


def violations(
    conn: PgConnection, accounts: list[str], day_from: date, day_to: date, limit: int = 10
) -> dict[str, Any]:
    params = {"accounts": accounts, "from": day_from, "to": day_to, "limit": limit}
    with conn.cursor() as cur:
        rows = _rows(cur, VIOLATIONS, params)
    return {"violations": rows}


def quality(
    conn: PgConnection, accounts: list[str], day_from: date, day_to: date
) -> dict[str, Any]:
    params = {"accounts": accounts, "from": day_from, "to": day_to}
    with conn.cursor() as cur:
        rows = _rows(cur, QUALITY, params)
    suites: dict[str, dict[str, Any]] = {}
    for r in rows:
        s = suites.setdefault(
            r["suite"], {"checks": 0, "passed": 0, "rows_checked": 0, "rows_bad": 0}
        )
        s["checks"] += 1
        s["passed"] += int(r["success"])
        s["rows_checked"] += r["rows_checked"]
        s["rows_bad"] += r["rows_bad"]
    for s in suites.values():
        s["pass_rate"] = _rate(s["passed"], s["checks"])
    checks, passed = len(rows), sum(int(r["success"]) for r in rows)
    rows_checked, rows_bad = sum(r["rows_checked"] for r in rows), sum(r["rows_bad"] for r in rows)
    expectations = sum(r["expectations"] for r in rows)
    expectations_passed = sum(r["expectations_passed"] for r in rows)
    return {
        "days": rows,
        "suites": dict(sorted(suites.items())),
        "totals": {
            # one check = one suite on one day (its latest run)
            "checks": checks,
            "passed": passed,
            "pass_rate": _rate(passed, checks),
            "rows_checked": rows_checked,
            "rows_bad": rows_bad,
            "row_pass_rate": _rate(rows_checked - rows_bad, rows_checked),
            "expectations": expectations,
            "expectations_passed": expectations_passed,
            "expectation_pass_rate": _rate(expectations_passed, expectations),
        },
    }


def throttling(
    conn: PgConnection, accounts: list[str], day_from: date, day_to: date
) -> dict[str, Any]:
    params = {"accounts": accounts, "from": day_from, "to": day_to}
    with conn.cursor() as cur:
        rows = _rows(cur, THROTTLING, params)
    for r in rows:
        r["throttled_rate"] = _rate(r["throttled"], r["calls"])
    calls, throttled = sum(r["calls"] for r in rows), sum(r["throttled"] for r in rows)
    return {
        "operations": rows,
        "totals": {
            "calls": calls,
            "throttled": throttled,
            "throttled_rate": _rate(throttled, calls),
        },
    }


def order(conn: PgConnection, accounts: list[str], amazon_order_id: str) -> dict[str, Any]:
    """The order's messages (reporting.message_log) and, per outbox row, why it is where it is."""
    params = {"accounts": accounts, "order": amazon_order_id}
    with conn.cursor() as cur:
        messages = _rows(cur, ORDER_MESSAGES, params)
        outbox = _rows(cur, ORDER_OUTBOX, params)
        ids = [o["id"] for o in outbox]
        attempts = _rows(cur, ORDER_ATTEMPTS, {"ids": ids}) if ids else []
        lint = _rows(cur, ORDER_VIOLATIONS, {"ids": ids}) if ids else []
    for o in outbox:
        o["attempt_log"] = [_without(a, "outbox_id") for a in attempts if a["outbox_id"] == o["id"]]
        o["lint_violations"] = [_without(v, "outbox_id") for v in lint if v["outbox_id"] == o["id"]]
    return {"amazon_order_id": amazon_order_id, "messages": messages, "outbox": outbox}


def buyer_values(conn: PgConnection, accounts: list[str], amazon_order_id: str) -> set[str]:
    """The order's buyer name, e-mail and address as the warehouse holds them (until purged)."""
    from buyer_messaging.redact import ITEM_PII_KEYS, buyer_values

    params = {"accounts": accounts, "order": amazon_order_id}
    found: set[str] = set()
    with conn.cursor() as cur:
        cur.execute(ORDER_BUYER_RAW, params)
        for (raw,) in cur.fetchall():
            found |= buyer_values(raw)
        cur.execute(ORDER_ITEMS_RAW, params)
        for (raw,) in cur.fetchall():
            found |= buyer_values(raw, ITEM_PII_KEYS)
    return found


def order_accounts(conn: PgConnection, accounts: list[str], amazon_order_id: str) -> list[str]:
    """The accounts (of those given) that know the order, from staging or the outbox."""
    with conn.cursor() as cur:
        cur.execute(ORDER_ACCOUNTS, {"accounts": accounts, "order": amazon_order_id})
        return [r[0] for r in cur.fetchall()]


def _without(row: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != key}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- Coverage, outcomes and open cases (issue #19 item 3): reporting.coverage, exclusions,
# quarantined_orders, message_outcomes and open_cases (migration 0018). Optional filters:
# `kind` and `marketplace` (None: all).

COVERAGE_COUNTS = (
    "candidates", "eligible", "excluded", "excluded_cancelled", "excluded_returned",
    "excluded_late", "excluded_by_seller", "excluded_buyer_informed", "excluded_suppressed",
    "excluded_negative_signal", "excluded_by_policy", "skipped_at_send", "excluded_other",
    "pending", "sent", "blocked", "failed", "delivery_unknown", "expired",
)  # fmt: skip
OUTCOME_COUNTS = ("sent", "negative_feedback", "neutral_feedback", "returned_after")
CASE_AGES = (("0-2 days", 0, 2), ("3-7 days", 3, 7), ("8-14 days", 8, 14),
             ("15-30 days", 15, 30), ("over 30 days", 31, None))  # fmt: skip

_FILTERS = """
WHERE account_id = ANY(%(accounts)s) AND day BETWEEN %(from)s AND %(to)s
  AND (%(kind)s::text IS NULL OR kind = %(kind)s)
  AND (%(marketplace)s::text IS NULL OR marketplace_id = %(marketplace)s)
"""

COVERAGE = (
    "SELECT day, kind, "
    + ", ".join(f"sum({c})::integer AS {c}" for c in COVERAGE_COUNTS)
    + " FROM reporting.coverage"
    + _FILTERS
    + " GROUP BY day, kind ORDER BY day, kind"
)

QUARANTINED = """
SELECT coalesce(sum(orders), 0)::integer FROM reporting.quarantined_orders
WHERE account_id = ANY(%(accounts)s) AND day BETWEEN %(from)s AND %(to)s
  AND (%(marketplace)s::text IS NULL OR marketplace_id = %(marketplace)s)
"""

OUTCOMES = (
    "SELECT kind, "
    + ", ".join(f"sum({c})::integer AS {c}" for c in OUTCOME_COUNTS)
    + ", (sum(sent) FILTER (WHERE NOT feedback_window_closed))::integer AS sent_window_open"
    + " FROM reporting.message_outcomes"
    + _FILTERS
    + " GROUP BY kind ORDER BY kind"
)

OPEN_CASES = """
SELECT case_id, account_id, marketplace_id, amazon_order_id, source, signal, signalled_on,
       opened_at, age_days, message_status
FROM reporting.open_cases
WHERE account_id = ANY(%(accounts)s)
  AND (%(marketplace)s::text IS NULL OR marketplace_id = %(marketplace)s)
ORDER BY age_days DESC, case_id
"""


def _filters(
    accounts: list[str], day_from: date, day_to: date, kind: str | None, marketplace: str | None
) -> dict[str, Any]:
    return {
        "accounts": accounts, "from": day_from, "to": day_to, "kind": kind,
        "marketplace": marketplace,
    }  # fmt: skip


def coverage(
    conn: Any,
    accounts: list[str],
    day_from: date,
    day_to: date,
    kind: str | None = None,
    marketplace: str | None = None,
) -> dict[str, Any]:
    """Candidates per day and kind: eligible, excluded by reason class, and what became of them."""
    params = _filters(accounts, day_from, day_to, kind, marketplace)
    with conn.cursor() as cur:
        rows = _rows(cur, COVERAGE, params)
        cur.execute(QUARANTINED, params)
        found = cur.fetchone()
    by_kind: dict[str, dict[str, Any]] = {}
    by_day: dict[str, dict[str, Any]] = {}
    totals: dict[str, Any] = dict.fromkeys(COVERAGE_COUNTS, 0)
    for r in rows:
        for into in (
            by_kind.setdefault(r["kind"], dict.fromkeys(COVERAGE_COUNTS, 0)),
            by_day.setdefault(r["day"], dict.fromkeys(COVERAGE_COUNTS, 0)),
            totals,
        ):
            for c in COVERAGE_COUNTS:
                into[c] += r[c]
    for counts in (*by_kind.values(), totals):
        counts["sent_rate"] = _rate(counts["sent"], counts["eligible"])
    return {
        "rows": rows,
        "by_kind": dict(sorted(by_kind.items())),
        "by_day": dict(sorted(by_day.items())),
        "totals": totals,
        # validation held these back: no kind planned from them (issue #18)
        "quarantined_orders": found[0] if found else 0,
    }


def outcomes(
    conn: Any,
    accounts: list[str],
    day_from: date,
    day_to: date,
    kind: str | None = None,
    marketplace: str | None = None,
) -> dict[str, Any]:
    """Per kind, of the messages sent in the range: negative/neutral feedback within 60 days and
    returns after the message, with rates (of messages sent)."""
    params = _filters(accounts, day_from, day_to, kind, marketplace)
    with conn.cursor() as cur:
        rows = _rows(cur, OUTCOMES, params)
    for r in rows:
        r["sent_window_open"] = r["sent_window_open"] or 0  # a sum over no row is NULL
    by_kind = {r.pop("kind"): r for r in rows}
    totals = {c: sum(r[c] for r in by_kind.values()) for c in (*OUTCOME_COUNTS, "sent_window_open")}
    for counts in (*by_kind.values(), totals):
        for c in ("negative_feedback", "neutral_feedback", "returned_after"):
            counts[f"{c}_rate"] = _rate(counts[c], counts["sent"])
    return {"by_kind": by_kind, "totals": totals}


def open_cases(
    conn: Any, accounts: list[str], marketplace: str | None = None, limit: int = 50
) -> dict[str, Any]:
    """Open issue-resolution cases, oldest first, and how many fall in each age bracket."""
    with conn.cursor() as cur:
        rows = _rows(cur, OPEN_CASES, {"accounts": accounts, "marketplace": marketplace})
    ages = {label: 0 for label, _, _ in CASE_AGES}
    for r in rows:
        for label, low, high in CASE_AGES:
            if r["age_days"] >= low and (high is None or r["age_days"] <= high):
                ages[label] += 1
                break
    return {"cases": rows[:limit], "total": len(rows), "ages": ages}


# -- send forecast (issue #21): the latest per account and kind, after that run's sends ---------

SEND_FORECAST = """
SELECT account_id, kind, computed_at, run_day, ready, expiring_unsent, rate_per_s
FROM reporting.send_forecast
WHERE account_id = ANY(%(accounts)s)
ORDER BY account_id, kind
"""


def send_forecast(conn: Any, accounts: list[str]) -> dict[str, Any]:
    """What the last run left ready per account and kind, and how much of it will expire
    unsent at the current send rate (not bound to the day range: it looks ahead)."""
    with conn.cursor() as cur:
        rows = _rows(cur, SEND_FORECAST, {"accounts": accounts})
    ready, expiring = sum(r["ready"] for r in rows), sum(r["expiring_unsent"] for r in rows)
    return {
        "forecast": rows,
        "totals": {
            "ready": ready,
            "expiring_unsent": expiring,
            "expiring_rate": _rate(expiring, ready),
        },
    }
