"""Promotion by shape (lint/clauses.py `offer`, 25_offers.yaml): other goods than the order's
with a buying, price or looking cue, or money saved on a future purchase; clauses about the
order itself (its refund, price paid, replacement, what came in the box) lend neither.

Phrasings written for these tests from Amazon's communication guidelines (no marketing or
promotional content; facts about the order, its refund and a replacement are allowed)."""

from __future__ import annotations

import pytest

from buyer_messaging.lint import RuleFileError, lint_message, load_rules
from buyer_messaging.lint.engine import load_rule_file

OIDS = {"en-US": "112-3345120-9981726", "en-GB": "204-1182736-5520193", "fr-FR": "406-3382019-1120384",
        "de-DE": "304-8812093-2271640", "es-ES": "171-1102938-4456120", "it-IT": "405-8812039-2276104"}  # fmt: skip


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def lint(rules, locale: str, body: str, kind: str = "product_info", facts=None):
    oid = OIDS[locale]
    return lint_message(rules, kind=kind, locale=locale, subject=f"Order {oid}",
                        body=f"{oid}: {body}", facts=facts)  # fmt: skip


def offer_rules(verdict) -> set[str]:
    return {v.rule for v in verdict.violations if v.rule.startswith("promotion_")}


BLOCKS = [
    ("en-US", "promotion_other_goods", "The grill brush is stainless. Our patio heaters arrived this week at $89."),
    ("en-GB", "promotion_other_goods", "The rug is hand-tufted. Have a nosy at our doormats too, lovely for a hallway."),
    ("en-US", "promotion_future_saving", "Thanks for bearing with us; we'll take 20% off the next purchase you make."),
    ("de-DE", "promotion_other_goods", "Die Tasse ist spülmaschinenfest. Unsere Untersetzer kosten im Set 8 €."),
    ("de-DE", "promotion_future_saving", "Bei Ihrer nächsten Bestellung erhalten Sie 5 € Nachlass."),
    ("fr-FR", "promotion_other_goods", "La bougie brûle 40 heures. Nos diffuseurs sont à 15 € en ce moment."),
    ("fr-FR", "promotion_future_saving", "Pour votre prochaine commande, une remise de 10 % vous attend."),
    ("es-ES", "promotion_other_goods", "La funda es de silicona. Nuestros cargadores cuestan 12 € esta semana."),
    ("es-ES", "promotion_future_saving", "En tu próxima compra tendrás un descuento del 10 %."),
    ("it-IT", "promotion_other_goods", "La lampada è a LED. Le nostre abat-jour costano 20 € fino a domenica."),
    ("it-IT", "promotion_future_saving", "Sul tuo prossimo ordine avrai uno sconto di 5 €."),
]  # fmt: skip


@pytest.mark.parametrize(("locale", "rule", "body"), BLOCKS)
def test_offer_fires(rules, locale, rule, body) -> None:
    v = lint(rules, locale, body)
    assert v.verdict == "block"
    assert rule in offer_rules(v)


PASSES = [
    # the order's own money: refund, price paid, coupon used
    ("en-US", "return_confirmation",
     "We received 1 x Lamp on June 2 and refunded $34.50; the coupon you used at checkout was deducted."),
    ("en-US", "product_info", "You paid $45.99 for the kettle, which included the deal price at the time."),
    # a replacement of the same item, the box's own accessories
    ("en-GB", "issue_resolution", "A new kettle of the same model ships today, free of charge."),
    ("en-US", "product_info", "The drill comes with two batteries and a charger in the box, worth $60 on their own."),
    # "available" in an unavailability notice
    ("de-DE", "unavailability_notice",
     "Der Stuhl ist leider nicht mehr verfügbar, da der Hersteller ihn eingestellt hat; wir haben 89 € erstattet."),
    ("fr-FR", "unavailability_notice",
     "Le fauteuil n'est plus disponible car le fabricant a arrêté la série ; nous avons remboursé 199 €."),
    # goods alone, a cue alone
    ("es-ES", "product_info", "Nuestra manta es de algodón orgánico."),
    ("it-IT", "product_info", "Hai pagato 39,90 € con lo sconto applicato al momento dell'acquisto."),
]  # fmt: skip


@pytest.mark.parametrize(("locale", "kind", "body"), PASSES)
def test_order_facts_are_not_offers(rules, locale, kind, body) -> None:
    assert not offer_rules(lint(rules, locale, body, kind=kind)) & {
        "promotion_other_goods",
        "promotion_future_saving",
    }


def test_an_own_clause_does_not_cover_the_next(rules) -> None:
    # the refund's clause lends nothing, the pitch after "and" still counts
    body = "We refunded $20 today, and our new candle range is $15 this week."
    v = lint(rules, "en-US", body)
    assert "promotion_other_goods" in offer_rules(v)


def test_product_names_are_not_cues(rules) -> None:
    body = "Your Our Holiday Range Sale Set shipped today."
    assert "promotion_other_goods" in offer_rules(lint(rules, "en-US", body))
    facts = {"items": [{"title": "Our Holiday Range Sale Set"}]}
    assert "promotion_other_goods" not in offer_rules(lint(rules, "en-US", body, facts=facts))


def test_offer_params_are_validated(tmp_path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        "rules:\n  - id: x\n    category: promotion\n    severity: block\n"
        "    detector: offer\n    description: d\n    params:\n"
        "      goods: {en: ['\\bour\\b']}\n      own: {en: ['refund']}\n      breaks: {any: [',']}\n"
        "      cues: {price: {xx: ['a']}}\n"
    )
    with pytest.raises(RuleFileError, match=r"cues.*price.*unknown language key 'xx'"):
        load_rule_file(path)
