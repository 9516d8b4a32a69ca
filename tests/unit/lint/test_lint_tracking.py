"""Legitimate numbers: tracking numbers written in groups in the carriers' formats are the
required tracking number and never a phone number; part numbers are not phone numbers; a
real phone number next to a carrier name still is. Our own cases, six locales.

Formats: UPS 1Z, USPS, FedEx, DHL Express, S10 (UPU standard S10, used by Royal Mail,
Colissimo abroad, Poste Italiane) and Amazon TBA are checked by ``tracking_numbers`` with the
carriers' check digits (the numbers below were made valid with it); the rest follow the
table in ``lint/tracking.py``.
"""

from __future__ import annotations

import pytest

from buyer_messaging.lint import lint_message, load_rules
from buyer_messaging.lint.text import Message
from buyer_messaging.lint.tracking import find_tracking

OID = "112-3345120-9981726"
ITEMS = {"en": "Items: 1 x Lamp.", "fr": "Articles : 1 x Lampe.", "de": "Artikel: 1 x Lampe.",
         "es": "Art\u00edculos: 1 x L\u00e1mpara.", "it": "Articoli: 1 x Lampada."}  # fmt: skip
WHEN = {"en": "Expected delivery: November 25, 2026.", "fr": "Livraison pr\u00e9vue le 26 novembre.",
        "de": "Voraussichtliche Lieferung am 26.11.2026.", "es": "Entrega prevista: 26/11/2026.",
        "it": "Consegna prevista il 26 novembre."}  # fmt: skip


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _ship(rules, locale: str, sentence: str):
    lang = locale[:2]
    body = f"{ITEMS[lang]} {sentence} {WHEN[lang]} ({OID})"
    return lint_message(
        rules, kind="shipment_confirmation", locale=locale, subject=f"{OID}", body=body
    )


@pytest.mark.parametrize(
    ("locale", "sentence", "number"),
    [
        ("en-US", "Shipped with USPS, tracking number 9400 1118 9922 3197 4284 97.",
         "9400 1118 9922 3197 4284 97"),
        ("en-US", "Your FedEx tracking number is 7946 1234 5670.", "7946 1234 5670"),
        ("en-US", "Carrier: UPS, tracking 1Z 999 AA1 01 2345 6784.", "1z 999 aa1 01 2345 6784"),
        ("en-GB", "Sent by Royal Mail Tracked 24, reference RR 1234 5678 5GB.", "rr 1234 5678 5gb"),
        ("en-GB", "Your DPD parcel number is 1550 1234 5678 90.", "1550 1234 5678 90"),
        ("fr-FR", "Transporteur : Colissimo, num\u00e9ro de suivi 6A 123 456 789 01.", "6a 123 456 789 01"),
        ("fr-FR", "Exp\u00e9di\u00e9 avec Mondial Relay, suivi 1234 5678.", "1234 5678"),
        ("de-DE", "Versand mit DHL, Sendungsnummer 0034 0434 1610 9404 2557.",
         "0034 0434 1610 9404 2557"),
        ("de-DE", "Ihr Paket ist mit GLS unterwegs, Paketnummer 1234 5678 901.", "1234 5678 901"),
        ("es-ES", "Transportista: SEUR, n\u00famero de env\u00edo 0123 4567 8901 23.", "0123 4567 8901 23"),
        ("es-ES", "Enviado con Nacex, seguimiento 0018 1234 5678.", "0018 1234 5678"),
        ("it-IT", "Corriere BRT, numero di spedizione 0612 3456 7890 123.", "0612 3456 7890 123"),
        ("it-IT", "Spedito con Poste Italiane, codice RA 123 456 785 IT.", "ra 123 456 785 it"),
        ("en-US", "Delivered by Amazon Logistics, tracking TBA 1234 5678 9000.", "tba 1234 5678 9000"),
        # after a tracking word any carrier-like number is the tracking number, also one whose
        # check digit a writer got wrong
        ("en-US", "Handed to USPS. Tracking: 9400 1118 9922 3197 4284 90.", "9400 1118 9922 3197 4284 90"),
        ("fr-FR", "Confi\u00e9 \u00e0 Colissimo ; suivi : 6A12345678901.", "6a12345678901"),
    ],
)  # fmt: skip
def test_grouped_tracking_numbers_pass_as_the_tracking_number(
    rules, locale: str, sentence: str, number: str
) -> None:
    v = _ship(rules, locale, sentence)
    assert not v.blocked, v.violations
    msg = Message(kind="shipment_confirmation", locale=locale, subject="", body=sentence)
    assert number in [msg.norm[s:e] for s, e in find_tracking(msg.norm, msg.sentences)]


@pytest.mark.parametrize(
    ("locale", "sentence"),
    [
        ("en-US", "Shipped with UPS. Questions? Call 555 123 4567 any time."),
        ("en-GB", "Royal Mail has it. Our line: 020 7946 0958."),
        ("fr-FR", "Colissimo l'achemine. Appelez-nous au 06 12 34 56 78."),
        ("de-DE", "Versand mit DHL. DHL-Hotline: 0228 4333 112."),
        ("es-ES", "Enviado con SEUR, o llame al 0034 912 345 678."),
        ("it-IT", "Spedito con BRT. Per dubbi chiamate il 333 123 4567."),
    ],
)
def test_phone_numbers_next_to_carriers_still_block(rules, locale: str, sentence: str) -> None:
    v = _ship(rules, locale, sentence)
    assert "phone_number" in v.blocking_categories, v.violations


@pytest.mark.parametrize(
    ("locale", "body"),
    [
        ("de-DE", "Passende Bremsbel\u00e4ge: Bosch 0 986 494 294, Teilenummer 0 986 494 294."),
        ("en-GB", "The replacement filter is part no. 0 986 494 294 for your model."),
        ("de-DE", "Das Ersatzteil 0 986 494 294 passt zu Ihrem Modell."),
        (
            "fr-FR",
            "La pi\u00e8ce de rechange r\u00e9f. 0 986 494 294 convient \u00e0 votre mod\u00e8le.",
        ),
        ("es-ES", "El recambio referencia 0 986 494 294 es compatible con su modelo."),
        ("it-IT", "Il ricambio codice 0 986 494 294 \u00e8 compatibile con il suo modello."),
        ("en-US", "Your ASIN B08N5WRWNW and SKU 4006381333931 are on the invoice."),
    ],
)
def test_part_numbers_are_not_phone_numbers(rules, locale: str, body: str) -> None:
    v = lint_message(
        rules, kind="product_info", locale=locale, subject=f"{OID}", body=f"{body} ({OID})"
    )
    assert "phone_number" not in v.categories, v.violations


def test_a_known_tracking_number_is_never_a_phone(rules) -> None:
    body = f"{ITEMS['en']} Carrier: Hermes. Please note: 0207 946 0958. {WHEN['en']} ({OID})"
    args = dict(kind="shipment_confirmation", locale="en-GB", subject=OID, body=body)
    assert "phone_number" in lint_message(rules, **args).categories
    facts = {"tracking_numbers": ["02079460958"]}
    assert not lint_message(rules, **args, facts=facts).blocked


@pytest.mark.parametrize(
    ("locale", "sentence"),
    [
        ("fr-FR", "Exp\u00e9di\u00e9 avec Mondial Relay le 2026-11-21."),
        ("de-DE", "Versand mit DPD am 21 11 2026."),
        ("en-GB", "Sent with Royal Mail, your order 203-4455667-8899001."),
    ],
)
def test_dates_and_order_ids_are_not_the_tracking_number(rules, locale: str, sentence: str) -> None:
    v = _ship(rules, locale, sentence)
    missing = [x.excerpt for x in v.violations if x.category == "missing_required_content"]
    assert missing and "tracking_number" in missing[0], v.violations
