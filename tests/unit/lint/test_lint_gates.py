"""The gates (cheap necessary conditions in front of each regex, lint/gate.py) only save time:
a rule set with them gives exactly the verdicts and excerpts of the same rules without them."""

from __future__ import annotations

import itertools
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from test_lint_rules import CLEAN, FIRES, FIRES_REVIEW, OID

from buyer_messaging.lint import detectors, lint_message, load_rules
from buyer_messaging.lint.gate import gate_for

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
        }  # fmt: skip
        msg = render_message(kind, locale, ctx)
        out.append((kind, locale, msg.subject, msg.body))
    return out


def _verdicts(rules, messages):
    out = []
    for kind, locale, subject, body in messages:
        v = lint_message(rules, kind=kind, locale=locale, subject=subject, body=body)
        out.append((v.verdict, [(x.rule, x.excerpt) for x in v.violations]))
    return out


def test_gates_never_change_a_verdict(monkeypatch) -> None:
    messages = _messages()
    gated = load_rules()
    with monkeypatch.context() as m:
        m.setattr(detectors, "gate_for", lambda pattern, flags=0: None)
        ungated = load_rules()
    assert len(messages) > 150
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
