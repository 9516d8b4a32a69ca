"""The labelled policy corpus (../shared/policy-corpus/dev.jsonl): every case right.

Right means the verdict and the set of contract categories (DESIGN.md's ten codes) both match;
rules of our own categories (emoji, line_breaks, ...) are outside the corpus' vocabulary.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from buyer_messaging.lint import CONTRACT_CATEGORIES, lint_message, load_rules

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "policy-corpus" / "dev.jsonl"


def _cases() -> list[dict]:
    if not CORPUS.is_file():
        return []
    return [
        json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


CASES = _cases()


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.mark.skipif(
    not CASES, reason=f"{CORPUS} is absent (only CI and the team's machines have it)"
)
def test_corpus_score(rules) -> None:
    wrong = []
    for case in CASES:
        v = lint_message(
            rules,
            kind=case["kind"],
            locale=case["locale"],
            subject=case["subject"],
            body=case["body"],
        )
        got = {x.category for x in v.violations if x.category in CONTRACT_CATEGORIES}
        if v.verdict != case["expected"] or got != set(case["categories"]):
            wrong.append(f"{case['id']}: expected {case['expected']} {sorted(case['categories'])}, "
                         f"got {v.verdict} {[(x.rule, x.excerpt) for x in v.violations]}")  # fmt: skip
    assert not wrong, f"{len(CASES) - len(wrong)}/{len(CASES)} right:\n" + "\n".join(wrong)


@pytest.mark.skipif(not CASES, reason=f"{CORPUS} is absent")
def test_every_violation_names_its_rule(rules) -> None:
    ids = {r.id for r in rules}
    for case in CASES:
        v = lint_message(
            rules,
            kind=case["kind"],
            locale=case["locale"],
            subject=case["subject"],
            body=case["body"],
        )
        for x in v.violations:
            assert x.rule in ids and x.excerpt
