"""Compare an A/B test's variants: the rate of an outcome per variant, with its confidence
interval, and whether the difference is real or the sample is too small to say.

The statistics are SciPy's: Wilson score intervals (`binomtest(...).proportion_ci`) for each
rate, Fisher's exact test for two variants and a chi-square test of independence for more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from buyer_messaging.warehouse.connection import column_names

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor

OUTCOMES = ("negative_feedback", "negative_or_neutral_feedback", "returned_after")
MIN_SENT = 30  # below this per variant, no verdict is given whatever the test says
ALPHA = 0.05

_OUTCOMES_SQL = """
SELECT ab_test, kind, variant, sent, negative_feedback, negative_or_neutral_feedback,
       returned_after
FROM reporting.ab_outcomes
WHERE account_id = %(account_id)s AND (%(test)s::text IS NULL OR ab_test = %(test)s)
ORDER BY ab_test, variant
"""


@dataclass(frozen=True)
class VariantRate:
    variant: str
    sent: int
    hits: int
    rate: float
    low: float
    high: float


@dataclass(frozen=True)
class Comparison:
    ab_test: str
    kind: str
    outcome: str
    variants: list[VariantRate]
    p_value: float | None
    verdict: str


def compare(
    ab_test: str, kind: str, outcome: str, counts: list[tuple[str, int, int]]
) -> Comparison:
    """`counts`: (variant, sent, orders with the outcome) per variant."""
    import numpy as np
    from scipy.stats import binomtest, chi2_contingency, fisher_exact

    rates = []
    for variant, sent, hits in counts:
        if sent:
            ci = binomtest(hits, sent).proportion_ci(confidence_level=1 - ALPHA, method="wilson")
            rates.append(VariantRate(variant, sent, hits, hits / sent, ci.low, ci.high))
        else:
            rates.append(VariantRate(variant, 0, 0, 0.0, 0.0, 1.0))
    table = [[r.hits, r.sent - r.hits] for r in rates if r.sent]
    p_value: float | None = None
    if len(table) >= 2 and any(row[0] for row in table) and any(row[1] for row in table):
        if len(table) == 2:
            p_value = float(fisher_exact(np.asarray(table)).pvalue)
        else:
            p_value = float(chi2_contingency(table).pvalue)
    what = outcome.replace("_", " ")
    small = [r.variant for r in rates if r.sent < MIN_SENT]
    if len(rates) < 2:
        verdict = "only one variant has sent messages yet: nothing to compare"
    elif small:
        verdict = (
            f"sample too small to conclude: {', '.join(small)} sent fewer than {MIN_SENT} messages"
        )
    elif p_value is None:
        verdict = f"no difference: no variant's orders had any {what} (or all had)"
    elif p_value < ALPHA:
        best = min(rates, key=lambda r: r.rate)
        verdict = (
            f"{best.variant} brings the least {what} ({best.rate:.1%}); the difference is"
            f" significant (p = {p_value:.3g} < {ALPHA})"
        )
    else:
        verdict = (
            f"no significant difference in {what} (p = {p_value:.3g}): the sample is too small"
            " to conclude; keep the test running"
        )
    return Comparison(ab_test, kind, outcome, rates, p_value, verdict)


def compare_all(cur: PgCursor, account_id: str, test: str | None, outcome: str) -> list[Comparison]:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}")
    cur.execute(_OUTCOMES_SQL, {"account_id": account_id, "test": test})
    names = column_names(cur)
    grouped: dict[tuple[str, str], list[tuple[str, int, int]]] = {}
    for raw in cur.fetchall():
        row = dict(zip(names, raw, strict=True))
        grouped.setdefault((row["ab_test"], row["kind"]), []).append(
            (row["variant"] or "(none)", int(row["sent"]), int(row[outcome]))
        )
    return [compare(t, k, outcome, counts) for (t, k), counts in grouped.items()]


def format_comparison(c: Comparison) -> str:
    lines = [f"A/B test {c.ab_test} ({c.kind}), outcome: {c.outcome.replace('_', ' ')}"]
    for r in c.variants:
        lines.append(
            f"  {r.variant:<16} sent {r.sent:>6}  with outcome {r.hits:>5}  rate {r.rate:6.1%}"
            f"  95% CI [{r.low:.1%}, {r.high:.1%}]"
        )
    lines.append(f"  verdict: {c.verdict}")
    return "\n".join(lines)
