"""The evaluation set's figures for bench/results.json (module `lint_eval` of bench.run).

Targets apply to the held-out split (issue #20: block recall >= 0.99, false blocks <= 0.03,
category recall >= 0.95, overall and in every locale) and to the blind files no rule was tuned
on yet (`lint_eval_untuned_*`: hand-written by authors who read no rule, the nearest to the
issue's independent sets); the tune split and the per-category recalls are reported without a
target, the dev corpus must stay entirely right.
"""

from __future__ import annotations

from typing import Any

from bench.common import Figure
from bench.lint_eval.evaluate import (
    DEV_CORPUS,
    load_cases,
    run_cases,
    score,
    untuned_blind_files,
)
from bench.lint_eval.generate import CASES
from buyer_messaging.lint import load_rules

TARGETS = {"block_recall": ">= 0.99", "false_blocks": "<= 0.03", "category_recall": ">= 0.95"}
UNITS = {"block_recall": "blocked/must-block", "false_blocks": "blocked/must-pass",
         "category_recall": "found/expected"}  # fmt: skip
HEADLINE = [(f"lint_eval_{k}", UNITS[k], TARGETS[k]) for k in TARGETS] + [
    ("lint_eval_dev_corpus_exact", "right/cases", "== 1")
]


def _three(prefix: str, f: dict[str, Any], targets: bool, note: str | None = None) -> list[Figure]:
    return [
        Figure(
            f"{prefix}{k}",
            f[k],
            UNITS[k],
            TARGETS[k] if targets else None,
            note=note if k == "block_recall" else None,
        )  # fmt: skip
        for k in TARGETS
    ]


def run(quick: bool) -> list[Figure]:  # noqa: ARG001 - ~2,500 lints, a second or two either way
    rules = load_rules()
    cases = load_cases(CASES)
    held = [c for c in cases if c["split"] == "holdout"]
    tune = [c for c in cases if c["split"] == "tune"]
    h = score(run_cases(rules, held))
    t = score(run_cases(rules, tune))
    blocks = sum(c["expected"] == "block" for c in held)
    out = _three("lint_eval_", h["overall"], True,
                 note=f"held-out split: {len(held)} cases ({blocks} must block) of {len(cases)}")  # fmt: skip
    for locale, f in h["locales"].items():
        out += [Figure(f"lint_eval_{k}[{locale}]", f[k], UNITS[k], TARGETS[k]) for k in TARGETS]
    for cat, f in h["categories"].items():
        if f["cases"]:
            out.append(Figure(f"lint_eval_category_recall[{cat}]", f["recall"], UNITS["category_recall"],
                              None, note=f"{f['cases']} held-out cases"))  # fmt: skip
    out += [
        Figure(
            f"lint_eval_tune_{k}",
            t["overall"][k],
            UNITS[k],
            None,
            note=f"tune split: {len(tune)} cases" if k == "block_recall" else None,
        )  # fmt: skip
        for k in TARGETS
    ]
    untuned = untuned_blind_files()
    if untuned:
        cases_u = [c for path in untuned for c in load_cases(path)]
        u = score(run_cases(rules, cases_u))
        names = ", ".join(p.name for p in untuned)
        out += _three("lint_eval_untuned_", u["overall"], True,
                      note=f"blind files no rule was tuned on: {names} ({len(cases_u)} cases)")  # fmt: skip
        for locale, f in u["locales"].items():
            out += [Figure(f"lint_eval_untuned_{k}[{locale}]", f[k], UNITS[k], TARGETS[k])
                    for k in TARGETS]  # fmt: skip
    if DEV_CORPUS.is_file():
        dev = score(run_cases(rules, load_cases(DEV_CORPUS)))["overall"]
        out.append(Figure("lint_eval_dev_corpus_exact", dev["exact"], "right/cases", "== 1",
                          note=f"{dev['cases']} cases of ../shared/policy-corpus/dev.jsonl"))  # fmt: skip
    return out
