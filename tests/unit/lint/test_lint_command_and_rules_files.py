"""`lint --jsonl` contract, and rule files: validated at load with errors naming file and key."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from buyer_messaging.lint import RuleFileError, lint_message, load_rules
from buyer_messaging.lint.command import run_jsonl

OK = {"id": "a", "kind": "review_request", "locale": "en-GB", "subject": "Order 204-5520183-6610293",
      "body": "We'd be grateful for your honest opinion on Amazon."}  # fmt: skip
BAD = {"id": 7, "kind": "review_request", "locale": "en-US", "subject": "Order 114-9920183-7712039",
       "body": "Leave us a 5-star review and get a $10 gift card!"}  # fmt: skip


def test_jsonl_contract(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps(OK),
        "{not json",
        json.dumps({**OK, "id": "c", "body": None}),
        "",
        json.dumps(BAD),
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = run_jsonl(str(src), out, err=err)
    assert code == 1
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == ["a", 7]
    assert rows[0] == {"id": "a", "verdict": "pass", "violations": []}
    assert rows[1]["verdict"] == "block"
    assert {v["category"] for v in rows[1]["violations"]} == {
        "positive_review_ask",
        "review_incentive",
    }
    assert set(rows[1]["violations"][0]) == {"rule", "category", "severity", "excerpt"}
    messages = err.getvalue()
    assert "line 2: not valid JSON" in messages
    assert "line 3: field 'body' must be a string" in messages


def test_jsonl_exit_codes(tmp_path: Path) -> None:
    src = tmp_path / "ok.jsonl"
    src.write_text(json.dumps(OK) + "\n", encoding="utf-8")
    assert run_jsonl(str(src), io.StringIO(), err=io.StringIO()) == 0
    src.write_text(
        json.dumps(OK) + "\n" + json.dumps({"id": 2, "kind": "review_request"}) + "\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    assert run_jsonl(str(src), io.StringIO(), err=err) == 2
    assert "line 2: field 'locale' is missing" in err.getvalue()
    src.write_text(json.dumps({**OK, "kind": "newsletter"}) + "\n", encoding="utf-8")
    err = io.StringIO()
    assert run_jsonl(str(src), io.StringIO(), err=err) == 2 and "field 'kind'" in err.getvalue()
    assert run_jsonl(str(tmp_path / "absent.jsonl"), io.StringIO(), err=io.StringIO()) == 2


def _rule_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "extra.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_seller_adds_a_phrase_rule_without_code(tmp_path: Path) -> None:
    path = _rule_file(
        tmp_path,
        """
rules:
  - id: no_competitor_names
    category: promotion
    severity: warn
    detector: phrase
    description: never name competitors
    params:
      patterns:
        en: ['\\bmegastore\\b']
        de: ['\\bmegamarkt\\b']
""",
    )
    rules = load_rules(path)
    v = lint_message(
        rules, kind="product_info", locale="de-DE", subject="x", body="Günstiger als bei MegaMarkt!"
    )
    assert v.verdict == "pass" and [x.rule for x in v.violations] == ["no_competitor_names"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("rules:\n  - {id: a, category: x, severity: stop, detector: phrase, description: d, params: {patterns: {en: [a]}}}\n",
         "rules[0].severity"),
        ("rules:\n  - {id: a, category: x, severity: block, detector: nope, description: d}\n", "detector: unknown detector"),
        ("rules:\n  - {id: a, category: x, severity: block, detector: phrase, description: d, params: {patterns: {en: ['(']}}}\n",
         "params.patterns"),
        ("rules:\n  - {id: a, category: x, severity: block, detector: phrase, description: d, params: {patterns: {xx: [a]}}}\n",
         "unknown language key"),
        ("rules:\n  - {id: a, category: x, severity: block, detector: phrase, description: d, params: {pattern: {en: [a]}}}\n",
         "params.pattern"),
        ("rules:\n  - {id: a, category: x, severity: block, detector: phrase, description: d, locales: [xx-XX], params: {patterns: {en: [a]}}}\n",
         "rules[0].locales"),
        ("rules: [\n", "not valid YAML"),
    ],
)  # fmt: skip
def test_rule_file_errors_name_file_and_key(tmp_path: Path, text: str, needle: str) -> None:
    path = _rule_file(tmp_path, text)
    with pytest.raises(RuleFileError) as info:
        load_rules(path)
    assert str(path) in str(info.value) and needle in str(info.value), str(info.value)


def test_duplicate_rule_ids_are_refused(tmp_path: Path) -> None:
    rule = "  - {id: same, category: x, severity: warn, detector: emoji, description: d}\n"
    (tmp_path / "a.yaml").write_text("rules:\n" + rule, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("rules:\n" + rule, encoding="utf-8")
    with pytest.raises(RuleFileError, match="already defined"):
        load_rules(tmp_path)


def test_shipped_rules_cover_the_contract_categories() -> None:
    from buyer_messaging.lint import CONTRACT_CATEGORIES

    rules = load_rules()
    assert set(CONTRACT_CATEGORIES) <= {r.category for r in rules}
    assert all(r.description for r in rules)
