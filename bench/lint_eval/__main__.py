"""`python -m bench.lint_eval [--split tune|holdout|all] [--failures N]`: score the linter.

Prints block recall, false blocks and category recall overall, per locale, per category and
per obfuscation for the chosen split of bench/lint_eval/cases.jsonl, and the dev corpus as a
sanity check. ``--failures`` lists wrong cases of the *tune* split only: the held-out split is
for measuring, never for reading while writing rules.
"""

from __future__ import annotations

import argparse
import json
import sys

from bench.lint_eval.evaluate import DEV_CORPUS, load_blind_cases, load_cases, run_cases, score
from bench.lint_eval.generate import CASES
from buyer_messaging.lint import load_rules


def _row(name: str, f: dict) -> str:
    def pct(x: float | None) -> str:
        return "   -  " if x is None else f"{x:6.3f}"

    return (f"{name:<22} {f['cases']:>5}  {pct(f['block_recall'])}  {pct(f['false_blocks'])}  "
            f"{pct(f['category_recall'])}  {pct(f['exact'])}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench.lint_eval", description=__doc__)
    ap.add_argument("--split", choices=("tune", "holdout", "blind", "all"), default="all")
    ap.add_argument("--failures", type=int, default=0, help="list up to N wrong tune cases")
    ap.add_argument("--category", default=None, help="only cases expecting this category")
    ap.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = ap.parse_args(argv)
    rules = load_rules()
    cases = load_cases(CASES) + load_blind_cases()
    if args.split != "all":
        cases = [c for c in cases if c["split"] == args.split]
    if args.category:
        cases = [c for c in cases if args.category in c["categories"]]
    outcomes = run_cases(rules, cases)
    s = score(outcomes)
    if args.json:
        print(json.dumps(s, indent=2))
        return 0
    print(f"split={args.split}  {'':<10} cases  recall  f.block  cat.rec  exact")
    print(_row("overall", s["overall"]))
    for name, f in s["locales"].items():
        print(_row(name, f))
    print("-- per obfuscation / source")
    for name, f in {**s["variants"], **s["sources"]}.items():
        print(_row(name, f))
    print("-- category recall")
    for name, f in s["categories"].items():
        if f["cases"]:
            print(f"{name:<26} {f['cases']:>5}  {f['recall']:.3f}")
    print("-- categories reported but not expected:", s["overall"]["extra_categories"])
    if DEV_CORPUS.is_file():
        dev = score(run_cases(rules, load_cases(DEV_CORPUS)))["overall"]
        print(_row("dev corpus (138)", dev))
    if args.failures:
        wrong = [o for o in outcomes if o.case["split"] == "tune" and not o.exact]
        print(f"-- {len(wrong)} wrong tune cases (showing {min(len(wrong), args.failures)})")
        for o in wrong[: args.failures]:
            c = o.case
            print(f"{c['id']} {c['locale']} {c['kind']} expected {c['expected']} "
                  f"{c['categories']} got {o.verdict} {sorted(o.got)} {o.rules}")  # fmt: skip
            print("   ", c["body"].replace("\n", " / ")[:400])
    return 0


if __name__ == "__main__":
    sys.exit(main())
