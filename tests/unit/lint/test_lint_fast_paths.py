"""The linter's prefilter only saves time: one Hyperscan scan per message tells which rule
regexes may match (lint/prefilter.py), and only those run. A rule set with it gives exactly
the verdicts and excerpts of the same rules run in full, and it reports every regex that
matches (it may report a few more)."""

from __future__ import annotations

import itertools
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from test_lint_rules import CLEAN, FIRES, FIRES_REVIEW, OID

from buyer_messaging.lint import lint_message, load_rules, prefilter
from buyer_messaging.lint.prefilter import INDEX, PatternIndex, case_flags
from buyer_messaging.lint.text import LANGS, fold_pattern, normalize
from buyer_messaging.render.paths import include_dir

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "policy-corpus" / "dev.jsonl"

# literals inside words, across punctuation, at the start and end of the text, in capitals,
# letters of other scripts next to rule words
TRICKY = [
    ("en-US", "WORKSHOP notes: we'll send a 5-STAR coupon if you don't mind."),
    ("es-ES", "¿Le ha GUSTADO? Descuentos del 20% en su próxima compra: ¡nos encantaría!"),
    ("de-DE", "Jetzt nachbestellen und Rabattcode sichern – 5 Sterne bitte!"),
    ("fr-FR", "Remises exceptionnelles: promotion -30 % sur la boutique"),
    ("it-IT", "Ti è piaciuto? Lasciaci 5 stelle ★★★★★ e ricevi un buono regalo"),
    ("en-US", "shop"),
    ("en-US", "$5"),
    ("en-US", "Call +1 (415) 555-0134 or e-mail help@acme.example about <b>it</b>."),
    ("de-DE", "Große Freude: 5 Sterne für 李雷 und Straße 12, bitte bewerten Sie uns!"),
    ("en-GB", "Leave a 5★ review。Visit shop。com, аmazon deals"),
]


class _Everything:
    def __contains__(self, _item: object) -> bool:
        return True

    def isdisjoint(self, other: object) -> bool:
        return not other


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


def _verdicts(rules, messages):
    out = []
    for kind, locale, subject, body in messages:
        v = lint_message(rules, kind=kind, locale=locale, subject=subject, body=body)
        out.append((v.verdict, [(x.rule, x.excerpt) for x in v.violations]))
    return out


def test_the_prefilter_never_changes_a_verdict(monkeypatch) -> None:
    messages = _messages()
    rules = load_rules()
    filtered = _verdicts(rules, messages)
    ran = []
    with monkeypatch.context() as m:
        m.setattr(INDEX, "scan", lambda text, groups=None: ran.append(text) or _Everything())
        full = _verdicts(rules, messages)
    assert len(messages) > 150 and len(ran) == len(messages)  # every regex ran on each
    diffs = [
        f"{msg[1]} {msg[3][:80]!r}: prefiltered {a}, in full {b}"
        for msg, a, b in zip(messages, filtered, full, strict=True)
        if a != b
    ]
    assert not diffs, "\n".join(diffs)
    blocked = sum(v == "block" for v, _ in filtered)
    assert 0 < blocked < len(messages)  # both outcomes are exercised


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


def test_the_prefilter_reports_every_rule_regex_that_matches() -> None:
    patterns = _rule_patterns()
    texts = [normalize(f"{subject}\n{body}") for _, _, subject, body in _messages()]
    index = PatternIndex()
    compiled = [(index.register(p, case_flags(p)), re.compile(p, case_flags(p))) for p in patterns]
    reported = matched = 0
    for text in texts:
        may = index.scan(text)
        for pid, regex in compiled:
            if regex.search(text):
                matched += 1
                assert pid in may, (regex.pattern, text)
        reported += len(may)
    assert len(patterns) > 150 and matched > 300
    assert reported < 2 * matched  # it filters: few regexes run that then find nothing


@pytest.mark.parametrize(
    ("pattern", "text", "reported"),
    [
        (r"\bdescuentos?\b", "los descuentos", True),
        (r"\bdescuentos?\b", "sin descuen to", False),
        (r"(?<!\w)call us\b", "recall us", True),  # lookarounds relaxed: reported, then re decides
        (r"\bgr\w+e\b", "gro\u00dfe", True),  # a non-ASCII letter is a word character
        (r"\bstra\u00dfe\b", "stra\u00dfe", True),  # a regex with one is always run
        (r"\b\d{3}\b", "a \u0663\u0664\u0665 b", True),  # other scripts' digits are digits
        (r"a{,3}b", "aab", True),  # Python's {,3} is {0,3}
        (r"\bif\b[^.]{0,3}\bnot\b", "if it is not", True),  # repeats open: reported, re decides
        (r"x[{0,9}]y", "x9y", True),  # ... but a class is left as written
        (r"\bif\b[^.]{0,3}\bnot\b", "if it is. not", False),
        (r"Amazon", "amazon", True),  # an upper-case pattern stays case-insensitive
        (r"\bdon't\b", "we do not", False),
    ],
)
def test_prefilter_examples(pattern: str, text: str, reported: bool) -> None:
    index = PatternIndex()
    pid = index.register(pattern, case_flags(pattern))
    index.register(r"\bnever-matches-anything\b", 0)  # a database with something in it
    assert (pid in index.scan(text)) is reported
    if re.search(pattern, text, case_flags(pattern)):
        assert reported


def test_case_flags() -> None:
    assert case_flags(r"\bcall\W+us\b") == 0  # \W is an escape, not an upper-case letter
    assert case_flags(r"Amazon") == re.IGNORECASE
    assert case_flags(r"\\Bx") == re.IGNORECASE  # an escaped backslash, then a letter B
    assert prefilter.INDEX is INDEX


@pytest.mark.parametrize(
    "text",
    [
        "order 117-1380812-1318417: 3 x the 2nd item, the_best de3le und_die",
        "x\u00b2 the\u00bd le\u0663les ya_ il9il \u2160 e\u0301t\u00e9 stra\u00dfe a",
        "",
    ],
)
def test_a_texts_stop_words_are_its_words_and_their_split_pieces(text: str) -> None:
    from buyer_messaging.lint.language import scores, split_words

    words = re.findall(r"\w+", text)
    together = scores(words + split_words(words))
    assert together == scores(text)
    assert text.strip() == "" or any(together.values())  # the examples have stop words


def test_a_language_that_leads_a_sentence_may_lead() -> None:
    """may_lead only skips scoring: every sentence detect() gives a language to, of the test
    messages in every locale, has that language pass may_lead."""
    from buyer_messaging.lint.language import _WORD, detect, may_lead, scores, stop_word_languages
    from buyer_messaging.lint.text import Message

    mixed = [
        "Merci pour votre commande. Please leave us a review on the page, thank you!",
        "Vielen Dank. Si le ha gustado, nos encantaria su opinion para el producto.",
        "Grazie per il tuo ordine. Que le vaya bien y que lo disfrute con su familia.",
    ]
    led = 0
    for kind, locale, subject, body in [*_messages(), *(("x", "fr-FR", "", m) for m in mixed)]:
        msg = Message(kind=kind, locale=locale, subject=subject, body=body)
        for start, end in msg.sentences:
            words = _WORD.findall(msg.norm[start:end])
            for min_hits in (2, 3):
                lang = detect(scores(words), min_hits=min_hits)
                if lang:
                    led += 1
                    assert may_lead(lang, stop_word_languages(words)), msg.norm[start:end]
    assert led > 100


def test_a_language_whose_stop_words_are_all_shared_cannot_lead() -> None:
    from buyer_messaging.lint.language import may_lead, stop_word_languages

    shared = stop_word_languages("que le que les".split())  # "les": French only
    assert not may_lead("es", shared) and may_lead("fr", shared)
    assert may_lead("es", stop_word_languages("que le el pedido".split()))


def test_a_message_is_scanned_with_its_languages_lists_and_every_languages() -> None:
    index = PatternIndex()
    fr = index.register(r"\bmerci\b", 0, "fr")
    both = index.register(r"\bbonus\b", 0, "any")
    shared = index.register(r"\bpromo\b", 0, "en")
    assert index.register(r"\bpromo\b", 0, "fr") == shared  # one regex, in both lists
    text = "merci, bonus promo"
    assert index.scan(text, ("any", "en")) == {both, shared}
    assert index.scan(text, ("any", "fr")) == {fr, both, shared}
    assert index.scan(text) == {fr, both, shared}  # default: every list
    assert index.scan(text, ("de",)) == frozenset()  # a language without a list
