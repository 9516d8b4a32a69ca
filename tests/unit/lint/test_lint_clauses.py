"""Clause-level review rules (lint/clauses.py, 30_reviews.yaml): a review mention *combined
with* a condition, a contact-first request or a benefit; neither part alone is a violation.

Phrasings written for these tests from Amazon's communication guidelines (no positive-only
review asks, no review gating, nothing in exchange for a review, no requests to change one)."""

from __future__ import annotations

import pytest

from buyer_messaging.lint import RuleFileError, lint_message, load_rules
from buyer_messaging.lint.engine import load_rule_file

OIDS = {"en-US": "112-3345120-9981726", "fr-FR": "406-3382019-1120384", "de-DE": "304-8812093-2271640",
        "es-ES": "171-1102938-4456120", "it-IT": "405-8812039-2276104"}  # fmt: skip


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def lint(rules, locale: str, body: str):
    oid = OIDS[locale]
    return lint_message(rules, kind="product_info", locale=locale, subject=f"Order {oid}",
                        body=f"{oid}: {body}")  # fmt: skip


BLOCKS = [
    # gating: the condition in the same sentence, or in the sentence before the ask
    ("en-US", "review_gating_question", "condition", "Satisfied? Then a quick rating on Amazon would be lovely."),
    ("en-US", "review_gating", "condition", "If the kettle lived up to your expectations, a review would mean a lot."),
    ("de-DE", "review_gating", "condition", "Sind Sie rundum zufrieden, dann freuen wir uns über Ihre Rezension."),
    ("it-IT", "review_gating_contact_first", "contact_first",
     "Lascia una recensione su Amazon, altrimenti scrivici: ne parliamo."),
    ("fr-FR", "review_gating_question", "condition", "Vous êtes ravi ? Dites-le dans un commentaire."),
    # incentives: the benefit in the review's sentence
    ("en-US", "review_incentive", "benefit", "Leave a review and we'll send a little something."),
    ("fr-FR", "review_incentive", "benefit", "Pour votre avis, un petit quelque chose vous attend."),
    ("es-ES", "review_incentive", "benefit", "Por su valoración le ampliamos la garantía un año."),
    # a review ask conditional on the experience, whatever the words of the condition
    ("en-US", "review_gating_conditional", "condition", "If it worked out for you, a review on Amazon would help."),
    ("it-IT", "review_gating_conditional", "condition", "Se il regalo ha fatto centro, lascia una recensione."),
    # the reward in the next sentence, tied to the review
    ("de-DE", "review_incentive_followup", "benefit", "Schreiben Sie eine Rezension. Als Dank erhalten Sie einen Gutschein."),
    # a change request that names the review, then says "it"
    ("en-US", "review_change_request_pronoun", "change_it", "Your review hurts our listing; could you withdraw it?"),
]  # fmt: skip


@pytest.mark.parametrize(("locale", "rule", "evidence", "body"), BLOCKS)
def test_clause_fires_and_names_its_evidence(rules, locale, rule, evidence, body) -> None:
    v = lint(rules, locale, body)
    assert v.verdict == "block", v
    hits = {x.rule: x for x in v.violations}
    assert rule in hits, v
    assert hits[rule].excerpt.startswith(f"{evidence}: "), hits[rule].excerpt


PASSES = [
    # a condition without any review ask
    ("en-US", "If you enjoy cooking with cast iron, season it after each use."),
    ("de-DE", "Wenn Ihnen die Farbe nicht gefällt, können Sie den Artikel zurücksenden."),
    # a negated condition next to a neutral review ask
    ("fr-FR", "Si la taille ne vous convient pas, le retour est gratuit. Un avis sincère aide les autres clients."),
    ("es-ES", "Si el color no le convence, puede devolverlo. Si le apetece, deje una reseña sincera."),
    # a benefit far from the review, and a neutral ask
    ("it-IT", "La spazzola in omaggio è nella scatola. Se ti va, lascia una recensione sincera su Amazon."),
    ("en-US", "Feel free to leave an honest review, good or bad."),
    # a product called five stars, and a past refund next to a change of nothing
    ("en-US", "Your 5 Stars Deluxe Pillow is vacuum-packed; give it 24 hours to expand."),
    # polite conditions on a review ask are not gating
    ("en-US", "If you have a moment, we would be grateful if you left an honest review."),
    ("fr-FR", "Si vous le souhaitez, laissez un avis sincère sur Amazon."),
    ("de-DE", "Wir würden uns freuen, wenn Sie eine ehrliche Bewertung schreiben."),
    ("es-ES", "Si le apetece, deje una reseña sincera en Amazon."),
    ("it-IT", "Se ti va, lascia una recensione sincera su Amazon."),
    # an if-clause about something else in the sentence before a neutral review ask
    ("es-ES", "Si le gusta cocinar a fuego alto, use la tapa. Si le apetece, deje una reseña sincera."),
    ("en-US", "Please leave an honest review. As a thank you for your order, here is our care guide."),
    # reviews mentioned, not asked for, next to an if-clause
    ("en-US", "If the lid feels loose, tighten the screw, as reviews of the earlier model mention."),
    ("it-IT", "Se il coperchio si muove, stringi la vite: lo dicono anche le recensioni del modello precedente."),
    # a rate, a technical rating or a "Note :" next to something free is not a review
    ("en-US", "The flat shipping rate is free on this order, so nothing was charged."),
    ("en-US", "The IP rating is IPX7, and a free carry bag is included."),
    ("fr-FR", "Note : la livraison de la pièce est gratuite."),
    ("es-ES", "Nota: el envío de la pieza es gratuito."),
]  # fmt: skip


@pytest.mark.parametrize(("locale", "body"), PASSES)
def test_parts_alone_do_not_fire(rules, locale, body) -> None:
    v = lint(rules, locale, body)
    assert v.verdict == "pass", v


def test_window_is_bounded(rules) -> None:
    # the condition two sentences before the ask is another clause
    body = ("If you are happy with the colour, keep the tag on for now. The lid is glass. "
            "An honest review helps other buyers.")  # fmt: skip
    assert lint(rules, "en-US", body).verdict == "pass"
    body = "If you are happy with the colour, an honest review helps other buyers."
    assert lint(rules, "en-US", body).verdict == "block"


def test_clause_params_are_validated(tmp_path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        "rules:\n  - id: x\n    category: positive_review_ask\n    severity: block\n"
        "    detector: clause\n    description: d\n    params:\n"
        "      ask: {en: ['\\breview\\b']}\n      evidence: {condition: {xx: ['a']}}\n"
    )
    with pytest.raises(RuleFileError, match=r"evidence.*condition.*unknown language key 'xx'"):
        load_rule_file(path)
