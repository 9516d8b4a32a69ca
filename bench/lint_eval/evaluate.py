"""Scoring the linter on labelled cases: block recall, false blocks, category recall.

- block recall: share of the cases that must be blocked which are blocked;
- false blocks: share of the cases that must pass which are blocked;
- category recall: of the categories the blocked cases must be reported under, the share that
  is reported (a case blocked under the wrong category counts as blocked, not as recalled);
- exact: share of all cases whose verdict and set of contract categories are both right (the
  dev corpus' own criterion), so extra categories show up here.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from buyer_messaging.lint import CONTRACT_CATEGORIES, RuleSet, lint_message

DEV_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "policy-corpus" / "dev.jsonl"


BLIND_DIR = Path(__file__).resolve().parent / "blind"


def load_cases(path: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def untuned_blind_files() -> list[Path]:
    """The blind files no rule has been tuned on yet (`blind/UNTUNED`, one name a line): the
    closest we have to the independent sets the issue measures the linter on. A file leaves
    the list in the commit that first changes a rule because of it."""
    listing = BLIND_DIR / "UNTUNED"
    if not listing.is_file():
        return []
    names = [ln.split("#")[0].strip() for ln in listing.read_text(encoding="utf-8").splitlines()]
    return [BLIND_DIR / n for n in names if n and (BLIND_DIR / n).is_file()]


def load_blind_cases() -> list[dict[str, Any]]:
    """Hand-written cases in `blind/*.jsonl`, split "blind": written before the rules that catch
    them were changed, and never fed to the generator, so they measure what tuning on the
    generated set does not."""
    cases: list[dict[str, Any]] = []
    for path in sorted(BLIND_DIR.glob("*.jsonl")):
        for case in load_cases(path):
            cases.append({**case, "split": "blind"})
    return cases


@dataclass
class Tally:
    blocks: int = 0  # cases that must be blocked
    blocked: int = 0  # ... and were
    passes: int = 0  # cases that must pass
    false_blocks: int = 0  # ... and were blocked
    cats: int = 0  # expected categories on must-block cases
    cats_found: int = 0
    exact: int = 0
    extra: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # reported, unexpected

    def add(self, expected: str, cats: set[str], verdict: str, got: set[str]) -> None:
        if expected == "block":
            self.blocks += 1
            self.blocked += verdict == "block"
            self.cats += len(cats)
            self.cats_found += len(cats & got)
        else:
            self.passes += 1
            self.false_blocks += verdict == "block"
        self.exact += verdict == expected and got == cats
        for c in got - cats:
            self.extra[c] += 1

    @property
    def n(self) -> int:
        return self.blocks + self.passes

    def figures(self) -> dict[str, float | int | None]:
        def share(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        return {
            "cases": self.n,
            "block_recall": share(self.blocked, self.blocks),
            "false_blocks": share(self.false_blocks, self.passes),
            "category_recall": share(self.cats_found, self.cats),
            "exact": share(self.exact, self.n),
        }


@dataclass
class Outcome:
    case: dict[str, Any]
    verdict: str
    got: set[str]
    rules: list[str]

    @property
    def right(self) -> bool:
        return self.verdict == self.case["expected"] and set(self.case["categories"]) <= self.got

    @property
    def exact(self) -> bool:
        return self.verdict == self.case["expected"] and set(self.case["categories"]) == self.got


def run_cases(rules: RuleSet, cases: Iterable[dict[str, Any]]) -> list[Outcome]:
    out = []
    for case in cases:
        v = lint_message(
            rules, kind=case["kind"], locale=case["locale"], subject=case["subject"],
            body=case["body"],
        )  # fmt: skip
        blocking = [x for x in v.violations if x.severity == "block"]
        got = {x.category for x in blocking if x.category in CONTRACT_CATEGORIES}
        out.append(Outcome(case, v.verdict, got, [x.rule for x in blocking]))
    return out


def score(outcomes: Iterable[Outcome]) -> dict[str, Any]:
    """Overall, per locale, per category (recall of cases that must carry it), per variant."""
    overall = Tally()
    by_locale: dict[str, Tally] = defaultdict(Tally)
    by_variant: dict[str, Tally] = defaultdict(Tally)
    by_source: dict[str, Tally] = defaultdict(Tally)
    per_cat: dict[str, list[int]] = {c: [0, 0] for c in CONTRACT_CATEGORIES}  # [found, expected]
    for o in outcomes:
        c = o.case
        cats = set(c["categories"])
        for t in (overall, by_locale[c["locale"]], by_variant[c.get("variant", "plain")],
                  by_source[c.get("source", "?")]):  # fmt: skip
            t.add(c["expected"], cats, o.verdict, o.got)
        for cat in cats:
            per_cat.setdefault(cat, [0, 0])
            per_cat[cat][1] += 1
            per_cat[cat][0] += cat in o.got
    return {
        "overall": overall.figures() | {"extra_categories": dict(overall.extra)},
        "locales": {k: by_locale[k].figures() for k in sorted(by_locale)},
        "categories": {
            k: {"cases": e, "recall": round(f / e, 4) if e else None}
            for k, (f, e) in per_cat.items()
        },
        "variants": {k: by_variant[k].figures() for k in sorted(by_variant)},
        "sources": {k: by_source[k].figures() for k in sorted(by_source)},
    }
