"""The coverage, outcomes and open-cases panels' plots (issue #19 item 3), drawn from the
answers of ``queries.coverage``, ``queries.outcomes`` and ``queries.open_cases``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from buyer_messaging.ui import plots

# what the candidates became: sent, eligible but not (yet) sent, then each exclusion reason
COVERAGE_SERIES: plots.Series = (
    ("sent", "sent", "#2f9e44"),
    ("not_sent", "eligible, not sent", "#74c0fc"),
    ("excluded_cancelled", "cancelled", "#495057"),
    ("excluded_returned", "returned", "#868e96"),
    ("excluded_late", "shipped late", "#f08c00"),
    ("excluded_by_seller", "seller's exclusions", "#ae3ec9"),
    ("excluded_buyer_informed", "buyer informed otherwise", "#adb5bd"),
    ("excluded_suppressed", "suppressed buyer", "#4c6ef5"),
    ("excluded_negative_signal", "negative signal", "#e03131"),
    ("excluded_by_policy", "policy", "#5f3dc4"),
    ("skipped_at_send", "refused when sent", "#fab005"),
    ("excluded_other", "other", "#ced4da"),
)
OUTCOME_SERIES: plots.Series = (
    ("negative_feedback_rate", "negative feedback (1-2) within 60 days", "#e03131"),
    ("neutral_feedback_rate", "neutral feedback (3) within 60 days", "#fab005"),
    ("returned_after_rate", "returned after the message", "#4c6ef5"),
)
CASE_SERIES: plots.Series = (("cases", "open cases", "#e03131"),)
PLOTS = ("coverage-by-kind", "coverage-by-day", "outcomes-by-kind", "case-ages")


def _segments(counts: dict[str, int]) -> dict[str, float | None]:
    out: dict[str, float | None] = {k: counts.get(k, 0) for k, _, _ in COVERAGE_SERIES}
    out["not_sent"] = counts["eligible"] - counts["sent"]
    return out


def coverage_by_kind(data: dict[str, Any]) -> str:
    return plots.hbars(
        "Candidates per kind: sent, eligible not sent, excluded by reason",
        {kind: _segments(c) for kind, c in data["by_kind"].items()},
        COVERAGE_SERIES,
        empty_message="No candidates in this range.",
    )


def coverage_by_day(data: dict[str, Any], day_from: date, day_to: date) -> str:
    days = [(day_from + timedelta(n)).isoformat() for n in range((day_to - day_from).days + 1)]
    return plots.columns(
        "Candidates per planned day",
        {day: _segments(c) for day, c in data["by_day"].items()},
        COVERAGE_SERIES,
        days,
        empty_message="No candidates in this range.",
    )


def outcomes_by_kind(data: dict[str, Any]) -> str:
    return plots.hbars(
        "After a message: negative and neutral feedback, returns (share of messages sent)",
        {f"{kind} ({c['sent']} sent)": c for kind, c in data["by_kind"].items()},
        OUTCOME_SERIES,
        stacked=False,
        percent=True,
        empty_message="No message sent in this range.",
    )


def case_ages(data: dict[str, Any]) -> str:
    if not data["total"]:
        return plots.empty("Open issue-resolution cases by age", "No open case.")
    return plots.hbars(
        "Open issue-resolution cases by age",
        {label: {"cases": n} for label, n in data["ages"].items()},
        CASE_SERIES,
    )
