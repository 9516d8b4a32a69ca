"""The generated evaluation set (bench/lint_eval) and its scoring."""

from __future__ import annotations

import json
from collections import Counter

from bench.lint_eval.evaluate import Outcome, score
from bench.lint_eval.generate import CASES, LOCALES, generate
from buyer_messaging.lint import CONTRACT_CATEGORIES
from buyer_messaging.lint.models import KINDS


def test_committed_cases_are_what_the_generator_writes() -> None:
    committed = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()]
    assert committed == list(generate()), "run: python -m bench.lint_eval.generate"


def test_size_coverage_and_split() -> None:
    cases = list(generate())
    assert len(cases) >= 2000
    assert len({c["id"] for c in cases}) == len(cases)
    assert sum(c["source"] == "hand" for c in cases) >= 100
    hand = [c for c in cases if c["source"] == "hand"]
    assert Counter(c["expected"] for c in hand)["pass"] >= 40  # hard cases both ways
    for c in cases:
        assert c["kind"] in KINDS and c["locale"] in LOCALES, c["id"]
        assert set(c["categories"]) <= set(CONTRACT_CATEGORIES), c["id"]
        assert (c["expected"] == "block") == bool(c["categories"]), c["id"]
    # every locale has every category of violation, and passes
    for locale in LOCALES:
        mine = [c for c in cases if c["locale"] == locale]
        cats = {cat for c in mine for cat in c["categories"]}
        assert cats >= set(CONTRACT_CATEGORIES) - {"missing_required_content"}, locale
        assert sum(c["expected"] == "pass" for c in mine) >= 50, locale
    held = sum(c["split"] == "holdout" for c in cases) / len(cases)
    assert 0.2 < held < 0.4
    # a phrasing is held out everywhere or nowhere
    split_of_phrase: dict[tuple[str, str], set[str]] = {}
    for c in cases:
        if "phrase" in c:
            split_of_phrase.setdefault((c["locale"][:2], c["phrase"]), set()).add(c["split"])
    assert all(len(s) == 1 for s in split_of_phrase.values())


def _outcome(expected: str, cats: list[str], verdict: str, got: set[str], locale: str = "en-US"):
    case = {"expected": expected, "categories": cats, "locale": locale, "split": "tune"}
    return Outcome(case, verdict, got, [])


def test_score_counts_recall_false_blocks_and_categories() -> None:
    s = score([
        _outcome("block", ["promotion"], "block", {"promotion"}),
        _outcome("block", ["promotion", "review_incentive"], "block", {"promotion"}),
        _outcome("block", ["phone_number"], "pass", set(), locale="de-DE"),
        _outcome("pass", [], "block", {"off_platform"}),
        _outcome("pass", [], "pass", set()),
        _outcome("pass", [], "pass", set(), locale="de-DE"),
    ])  # fmt: skip
    o = s["overall"]
    assert o["block_recall"] == round(2 / 3, 4)
    assert o["false_blocks"] == round(1 / 3, 4)
    assert o["category_recall"] == 0.5  # 2 of 4 expected categories reported
    assert o["exact"] == 0.5
    assert o["extra_categories"] == {"off_platform": 1}
    assert s["locales"]["de-DE"]["block_recall"] == 0.0
    assert s["locales"]["de-DE"]["false_blocks"] == 0.0
    assert s["categories"]["review_incentive"] == {"cases": 1, "recall": 0.0}
    assert s["categories"]["promotion"] == {"cases": 2, "recall": 1.0}


def test_bench_runner_declares_the_headline_figures(tmp_path) -> None:
    from bench.common import Figure
    from bench.lint_eval.figures import HEADLINE
    from bench.run import BENCHES, merge_results, write_results

    assert [tuple(x) for x in BENCHES["lint_eval"]] == HEADLINE
    path = tmp_path / "results.json"
    write_results(
        [Figure("a", 1, "x"), Figure("lint_eval_block_recall", 0.5, "u", ">= 0.99")], path
    )
    rows = merge_results(
        [Figure("lint_eval_block_recall", 0.995, "u", ">= 0.99"), Figure("b", 2, "y")], path
    )
    assert [(r["name"], r["value"], r["pass"]) for r in rows] == [
        ("a", 1.0, None),
        ("lint_eval_block_recall", 0.995, True),
        ("b", 2.0, None),
    ]
    assert json.loads(path.read_text()) == rows
