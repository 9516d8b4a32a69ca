"""Phone numbers spelled out in words (per language, via text2num) or with a dash after the
area code are phone numbers; quantities in words are not. Our own cases, six locales."""

from __future__ import annotations

import re

import pytest

from buyer_messaging.lint import lint_message, load_rules
from buyer_messaging.lint.numwords import digitise
from buyer_messaging.lint.text import normalize

OID = "112-3345120-9981726"


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _lint(rules, body: str, locale: str):
    return lint_message(
        rules, kind="product_info", locale=locale, subject=f"Order {OID}", body=f"{body} ({OID})"
    )


@pytest.mark.parametrize(
    ("lang", "text", "digits"),
    [
        ("en", "call oh-seven-seven double-oh nine one two", "07 7 009 1 2"),
        ("fr", "au zéro six douze trente-quatre", "06 12 34"),
        ("de", "null eins sieben zweiundvierzig", "01 7 42"),
        ("es", "al seis uno dos tres", "6 1 2 3"),
        ("it", "allo tre tre tre doppio zero", "3 3 3 00"),
    ],
)
def test_number_words_become_digits(lang: str, text: str, digits: str) -> None:
    norm = normalize(text)
    d = digitise(norm, re.findall(r"\w+", norm), (lang,), text)
    assert d is not None and digits in d.text


@pytest.mark.parametrize(
    ("locale", "body", "quoted"),
    [
        ("en-US", "Call us: five five five, one two three, four five six seven.", None),
        ("en-GB", "Ring oh-seven-seven double-oh nine double-one two three four five.", None),
        ("fr-FR", "Appelez le zéro six douze trente-quatre cinquante-six soixante-dix-huit.",
         "zéro six douze trente-quatre cinquante-six soixante-dix-huit"),
        ("de-DE", "Rufen Sie uns an: null eins sieben eins, zwei drei vier fünf sechs sieben acht.", None),
        ("es-ES", "Llámenos al seis uno dos, tres cuatro cinco, seis siete ocho.", None),
        ("it-IT", "Chiamateci: zero sei, uno due tre quattro cinque sei sette otto.", None),
        ("en-US", "Call (555) \u2013 123 4567 any time.", "(555) \u2013 123 4567"),
        ("en-GB", "Our line: 020 \u2013 7946 0958.", "020 \u2013 7946 0958"),
        ("fr-FR", "Ligne directe : 01 \u2013 42 68 53 00.", None),
        ("it-IT", "Il nostro numero: tre tre tre, uno due tre, quattro cinque sei sette.", None),
        ("de-DE", "Unsere Nummer: null drei null, eins zwei drei vier f\u00fcnf sechs sieben.", None),
        ("fr-FR", "Appelez le 06\u00b712\u00b734\u00b756\u00b778.", "06\u00b712\u00b734\u00b756\u00b778"),
        ("it-IT", "Chiamate il 333\uff0e123\uff0e4567.", "333\uff0e123\uff0e4567"),
    ],
)  # fmt: skip
def test_spelled_out_and_dashed_phone_numbers_block(
    rules, locale: str, body: str, quoted: str | None
) -> None:
    v = _lint(rules, body, locale)
    phones = [x for x in v.violations if x.category == "phone_number"]
    assert phones, (body, v.violations)
    if quoted:
        assert phones[0].excerpt == quoted


@pytest.mark.parametrize(
    ("locale", "body"),
    [
        ("en-US", "Your order is a set of four glasses; one or two may arrive in three days."),
        ("en-GB", "We packed two, three and four seasons sizes, one per box."),
        ("fr-FR", "Vous recevrez deux coussins et trois housses, un par carton."),
        ("de-DE", "Sie erhalten zwei Kissen und drei Bez\u00fcge in einem Paket."),
        ("es-ES", "Recibir\u00e1 dos cojines y tres fundas, uno por caja, en cinco d\u00edas."),
        ("it-IT", "Ricever\u00e0 due cuscini e tre federe, uno per scatola, in cinque giorni."),
        ("en-US", "Sizes 40 - 42 - 44 are in stock; delivery 12.11.2026 - 15.11.2026."),
    ],
)
def test_quantities_in_words_are_not_phone_numbers(rules, locale: str, body: str) -> None:
    v = _lint(rules, body, locale)
    assert "phone_number" not in v.categories, v.violations


SHIP_TAIL = {
    "en": "Carrier: UPS, tracking 1Z999AA10123456784. Expected delivery: November 25, 2026.",
    "fr": "Transporteur : UPS, suivi 1Z999AA10123456784. Livraison pr\u00e9vue le 26 novembre.",
    "de": "Versand mit UPS, Sendungsnummer 1Z999AA10123456784. Lieferung am 26.11.2026.",
    "es": "Transportista: UPS, seguimiento 1Z999AA10123456784. Entrega prevista: 26/11/2026.",
    "it": "Corriere UPS, tracking 1Z999AA10123456784. Consegna prevista il 26 novembre.",
}


@pytest.mark.parametrize(
    ("locale", "items", "stated"),
    [
        ("en-US", "Your set of four coasters has shipped.", True),
        ("en-GB", "We sent two candles and a pair of gloves.", True),
        ("fr-FR", "Vos deux coussins sont partis.", True),
        ("de-DE", "Wir haben zwei Kissen verschickt.", True),
        ("es-ES", "Sus tres cojines han salido.", True),
        ("it-IT", "I suoi due cuscini sono partiti.", True),
        ("en-US", "Your order has shipped and arrives in two days.", False),
        ("fr-FR", "Votre commande arrive dans deux jours.", False),
        ("de-DE", "Ihre Bestellung kommt in zwei Tagen.", False),
        ("es-ES", "Su pedido llega en tres d\u00edas.", False),
        ("it-IT", "Il suo ordine arriva tra due giorni.", False),
    ],
)
def test_quantities_in_words_state_the_items(rules, locale: str, items: str, stated: bool) -> None:
    body = f"{items} {SHIP_TAIL[locale[:2]]} ({OID})"
    v = lint_message(rules, kind="shipment_confirmation", locale=locale, subject=OID, body=body)
    missing = [x.excerpt for x in v.violations if x.category == "missing_required_content"]
    if stated:
        assert not v.blocked, v.violations
    else:
        assert missing and "items" in missing[0]
