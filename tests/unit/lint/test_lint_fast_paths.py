"""The linter's fast paths only save time: the gates (cheap necessary conditions in front of
each regex, lint/gate.py) and the rewritten regexes (lint/fastre.py). A rule set with them
gives exactly the verdicts and excerpts of the same rules without them."""

from __future__ import annotations

import itertools
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from test_lint_rules import CLEAN, FIRES, FIRES_REVIEW, OID

from buyer_messaging.lint import detectors, lint_message, load_rules
from buyer_messaging.lint.fastre import compile_rule_regex
from buyer_messaging.lint.gate import gate_for
from buyer_messaging.lint.text import LANGS, fold_pattern, normalize
from buyer_messaging.render.paths import include_dir

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "policy-corpus" / "dev.jsonl"

# literals inside words, across punctuation, at the start and end of the text, in capitals
TRICKY = [
    ("en-US", "WORKSHOP notes: we'll send a 5-STAR coupon if you don't mind."),
    ("es-ES", "¿Le ha GUSTADO? Descuentos del 20% en su próxima compra: ¡nos encantaría!"),
    ("de-DE", "Jetzt nachbestellen und Rabattcode sichern – 5 Sterne bitte!"),
    ("fr-FR", "Remises exceptionnelles: promotion -30 % sur la boutique"),
    ("it-IT", "Ti è piaciuto? Lasciaci 5 stelle ★★★★★ e ricevi un buono regalo"),
    ("en-US", "shop"),
    ("en-US", "$5"),
    ("en-US", "Call +1 (415) 555-0134 or e-mail help@acme.example about <b>it</b>."),
]


def _messages() -> list[tuple[str, str, str, str]]:
    out = [("product_info", loc, f"Order {OID}", body) for _, loc, body in FIRES + FIRES_REVIEW]
    out += [("product_info", loc, f"Order {OID}", body) for loc, body in CLEAN + TRICKY]
    if CORPUS.is_file():
        for line in CORPUS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                out.append((case["kind"], case["locale"], case["subject"], case["body"]))
    out += _rendered()
    return out


def _rendered() -> list[tuple[str, str, str, str]]:
    from buyer_messaging.render import render_message
    from buyer_messaging.render.paths import include_dir

    pairs = sorted((p.parent.name, p.stem) for p in (include_dir() / "templates").glob("*/*.j2"))
    titles = (
        "Crème brûlée torch — pro ☕",
        "Shop-Vac 5 Gallon, 5-star rated",
        "Kids' <b>Puzzle</b>",
    )
    out = []
    for n, ((kind, locale), title) in enumerate(itertools.product(pairs, titles)):
        ctx = {
            "amazon_order_id": OID, "order_id": OID, "buyer_name": "Zoë", "seller_name": "Acme",
            "locale": locale, "items": [{"title": title, "quantity": 2, "asin": "B000000001"}],
            "product_title": title, "tracking_number": "1Z999AA10123456784", "carrier": "UPS",
            "marketplace": "US", "estimated_delivery": date(2026, 11, 25),
            "ship_date": date(2026, 11, 21), "currency": "EUR", "reason": "delayed",
            "refund_amount": Decimal("24.90") + n, "refund_date": date(2026, 11, 22),
            "adjusted_amount": None, "product_info": "Wash by hand before first use.",
            "delivery_address": ["Zoë Doe", "1200 12th Ave S", "Seattle, WA 98144"],
        }  # fmt: skip
        msg = render_message(kind, locale, ctx)
        out.append((kind, locale, msg.subject, msg.body))
    return out


def _rewritten(rules) -> int:
    """How many of the phrase rules' regexes are in their rewritten form (it has no source)."""
    maps = [r.check.primary for r in rules if isinstance(r.check, detectors.Phrase)]
    groups = [g for m in maps for g in (*m.by_lang.values(), m.any)]
    return sum(regex.pattern is None for g in groups for _, regex in g)


def _verdicts(rules, messages):
    out = []
    for kind, locale, subject, body in messages:
        v = lint_message(rules, kind=kind, locale=locale, subject=subject, body=body)
        out.append((v.verdict, [(x.rule, x.excerpt) for x in v.violations]))
    return out


def _plain(pattern: str, *, lowercase_text: bool):
    import re

    return re.compile(pattern, re.IGNORECASE if lowercase_text else 0)


def test_fast_paths_never_change_a_verdict(monkeypatch) -> None:
    messages = _messages()
    gated = load_rules()
    with monkeypatch.context() as m:
        m.setattr(detectors, "gate_for", lambda pattern, flags=0: None)
        m.setattr(detectors, "compile_rule_regex", _plain)
        ungated = load_rules()
    assert len(messages) > 150
    assert _rewritten(gated) > 50 and _rewritten(ungated) == 0
    diffs = [
        f"{msg[1]} {msg[3][:80]!r}: gated {a}, ungated {b}"
        for msg, a, b in zip(
            messages, _verdicts(gated, messages), _verdicts(ungated, messages), strict=True
        )
        if a != b
    ]
    assert not diffs, "\n".join(diffs)
    blocked = sum(v == "block" for v, _ in _verdicts(gated, messages))
    assert 0 < blocked < len(messages)  # both outcomes are exercised


@pytest.mark.parametrize(
    ("pattern", "text", "opens"),
    [
        (r"\bdescuentos?\b", "los descuentos", True),  # a word-start key
        (r"(?:d|D)escuento", "SUPERDESCUENTO", True),  # a literal inside a word
        (r"(?:d|D)escuento", "sin descuen to", False),
        (r"\bdon't\b", "we don't", True),  # a literal with punctuation: looked for in the text
        (r"\bdon't\b", "we do not", False),
    ],
)
def test_a_gate_opens_exactly_when_its_literal_occurs(pattern, text, opens) -> None:
    from buyer_messaging.lint.text import Message

    gate = gate_for(pattern.lower())
    assert gate is not None
    msg = Message(kind="product_info", locale="en-US", subject="", body=text)
    assert gate.open(msg.held_clauses) is opens


def _rule_patterns() -> list[str]:
    """Every regex of the shipped rule files' pattern maps."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node and set(node) <= {*LANGS, "any"}:
                found.extend(p for v in node.values() if isinstance(v, list) for p in v)
            else:
                for v in node.values():
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in sorted((include_dir() / "policies" / "lint").glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return sorted({fold_pattern(p) for p in found})


def test_rewritten_rule_regexes_find_the_same_spans() -> None:
    import re

    patterns = _rule_patterns()
    texts = [normalize(f"{subject}\n{body}") for _, _, subject, body in _messages()]
    rewritten = 0
    for pattern in patterns:
        plain = re.compile(pattern, re.IGNORECASE)
        fast = compile_rule_regex(pattern, lowercase_text=True)
        rewritten += fast.pattern is None
        for text in texts:
            expected = [m.span() for m in plain.finditer(text)]
            assert [m.span() for m in fast.finditer(text)] == expected, (pattern, text)
    assert len(patterns) > 150 and rewritten > len(patterns) // 2


@pytest.mark.parametrize(
    ("pattern", "text", "spans"),
    [
        (r"\b(?:call|phone) us\b", "call us or recall us", [(0, 7)]),  # at the start, not in a word
        (r"\b(?:call|phone) us\b", "please phone us", [(7, 15)]),
        (r"\bstars?\b|\bgift\b", "5 stars, a gift, superstars", [(2, 7), (11, 15)]),
        (r"Amazon", "amazon", [(0, 6)]),  # an upper-case pattern keeps IGNORECASE
        (r"\b_x\b", "a _x", [(2, 4)]),
        (r"\bcafe\b", "un café", []),  # matching is on normalised text: "café" is folded first
        (r"\b\d{3}\b", "a 123 b", [(2, 5)]),  # not rewritten (the first item repeats)
    ],
)
def test_rewritten_regex_examples(pattern, text, spans) -> None:
    fast = compile_rule_regex(pattern, lowercase_text=True)
    assert [m.span() for m in fast.finditer(text)] == spans
