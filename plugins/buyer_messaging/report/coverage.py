"""`buyer-messaging coverage`: an account's coverage and outcomes as a short text table, from
the same queries as the dashboard's panels (reporting.coverage, message_outcomes,
quarantined_orders), so the two never disagree."""

from __future__ import annotations

from datetime import date
from typing import Any

from buyer_messaging.ui import queries

REASONS = (
    ("excluded_cancelled", "cancelled"), ("excluded_returned", "returned"),
    ("excluded_late", "shipped late"), ("excluded_by_seller", "seller's exclusions"),
    ("excluded_buyer_informed", "buyer informed otherwise"), ("excluded_suppressed", "suppressed"),
    ("excluded_negative_signal", "negative signal"), ("excluded_by_policy", "policy"),
    ("skipped_at_send", "refused when sent"), ("excluded_other", "other"),
)  # fmt: skip


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.1%}"


def coverage_text(conn: Any, account_id: str, day_from: date, day_to: date) -> str:
    cov = queries.coverage(conn, [account_id], day_from, day_to)
    out = queries.outcomes(conn, [account_id], day_from, day_to)
    lines = [
        f"coverage of {account_id}, planned {day_from}..{day_to}"
        " (outcomes: messages sent in those days)",
        f"{'kind':<24}{'candidates':>11}{'eligible':>9}{'excluded':>9}{'sent':>7}{'sent/elig':>10}"
        f"{'neg.fb':>8}{'returned':>9}",
    ]
    for kind, c in cov["by_kind"].items():
        o = out["by_kind"].get(kind, {})
        lines.append(
            f"{kind:<24}{c['candidates']:>11}{c['eligible']:>9}{c['excluded']:>9}{c['sent']:>7}"
            f"{_pct(c['sent_rate']):>10}{_pct(o.get('negative_feedback_rate')):>8}"
            f"{_pct(o.get('returned_after_rate')):>9}"
        )
    if not cov["by_kind"]:
        lines.append("(no candidates in these days)")
    t = cov["totals"]
    reasons = ", ".join(f"{label} {t[key]}" for key, label in REASONS if t[key])
    lines.append(f"excluded by reason: {reasons or 'none'}")
    lines.append(f"orders held back by data validation: {cov['quarantined_orders']}")
    return "\n".join(lines)
