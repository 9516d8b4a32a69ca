"""Contact data in the forms of issue #20 items 1-2 (our own cases, not the blind files):
" at " read as an "@" only where it reads as an address, compounds with hundreds in spelled-out
phone numbers, links into chat apps and messaging apps named as a place to talk, and a missing
space between sentences that is not a domain."""

from __future__ import annotations

import pytest

from buyer_messaging.lint import lint_message, load_rules

OID = "112-3345120-9981726"


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _cats(rules, body: str, locale: str = "en-US", kind: str = "product_info") -> set[str]:
    v = lint_message(rules, kind=kind, locale=locale, subject=f"Order {OID}", body=body)
    return {x.category for x in v.violations if x.severity == "block"}


@pytest.mark.parametrize(
    ("body", "locale", "want"),
    [
        # a plain " at " after prose is a link, after a mailbox name or a "write to" an address
        ("The fitting guide is at fitwell dot co dot uk slash guide.", "en-GB", "external_link"),
        ("New colours are at lumenlab . co", "en-US", "external_link"),
        ("Visit our shop at brewbarn dot com for more.", "en-US", "external_link"),
        ("Email our support at brewbarn dot com.", "en-US", "email_address"),
        ("Questions? Write to service at holzwerk.de.", "de-DE", "email_address"),
        ("Please email jo.smith at outlook dot com.", "en-US", "email_address"),
        ("Factures : compta (a) decomaison (.) fr", "fr-FR", "email_address"),
        # hundreds inside compounds: "einhundertsiebzig", "trecentoquarantasette"
        ("Handy: null einhundertsiebzig, zwölf, vierunddreißig, sechsundfünfzig.", "de-DE",
         "phone_number"),
        ("Chiamami: tre quattro sette, trecentoquarantasette, uno due tre quattro.", "it-IT",
         "phone_number"),
        # a link into a chat app or social network moves the buyer off Amazon
        ("Faster replies: wa.me/4915123456789", "de-DE", "off_platform"),
        ("Recetas en t.me/cocinaplus", "es-ES", "off_platform"),
        ("Add me on Signal and I will sort it.", "en-GB", "off_platform"),
        # keypad letters, a letter O for a zero, short groups split by dashes
        ("For help call 1-800-FLOWERS any time.", "en-US", "phone_number"),
        ("Ring O7700 9OO 461 after six.", "en-GB", "phone_number"),
        ("Mon numéro, c'est le 06 - 12 - 34 - 56 - 78.", "fr-FR", "phone_number"),
        ("Llámanos al seiscientos doce, trescientos cuarenta y cinco, seiscientos setenta y ocho.",
         "es-ES", "phone_number"),
        ("Móvil seis, uno, dos; tres, cuatro, cinco; seis, siete, ocho.", "es-ES", "phone_number"),
        # a personal mailbox provider, words joined by hyphens, "@@", a "<dot>"
        ("Reach jake at gmail dot com.", "en-US", "email_address"),
        ("Write support-at-brewbarn-dot-com", "en-US", "email_address"),
        ("Mi correo es lucia.g@@hotmail.es", "es-ES", "email_address"),
        ("The guide is at brewbarn <dot> com", "en-US", "external_link"),
        ("Email support@brewbarn for help.", "en-US", "email_address"),
        ("Pay the difference at paypal.me/brewbarn", "en-US", "off_platform"),
        # a plain " at " is no word of German, French, Spanish or Italian: there it is an "@"
        ("Belege bitte an buchhaltung at schreinerei-vogt dot de schicken.", "de-DE",
         "email_address"),
        ("Puede contactar con nuestro técnico en el 6 44 55 66 77.", "es-ES", "phone_number"),
        # a space on the wrong side of the dot, or the dots left out of co.uk
        ("Visita cocinaplus .es", "es-ES", "external_link"),
        ("See brewbarn. com/guide", "en-US", "external_link"),
        ("The manual: hollowayhome co uk/manual", "en-GB", "external_link"),
        ("Fragen? 0 1 5 1 - 2 3 4 5 6 7 8 9", "de-DE", "phone_number"),
        # WhatsApp as people spell it, social abbreviations, phone words of everyday speech
        ("Mándame un wasap y lo vemos.", "es-ES", "off_platform"),
        ("Whatsappaci pure!", "it-IT", "off_platform"),
        ("DM us on IG and we'll fix it.", "en-US", "off_platform"),
        ("Just Google us - BrewBarn Coffee.", "en-US", "off_platform"),
        ("Tfno. 934567890", "es-ES", "phone_number"),
        ("Give us a bell on 01134960000", "en-GB", "phone_number"),
        ("Fammi uno squillo al 3401234567", "it-IT", "phone_number"),
        ("Contattaci su Skype per il montaggio.", "it-IT", "off_platform"),
        # a hyphen spelled out in the name of a disguised address
        ("For a VAT invoice, drop a line to billing at ridgeline dash supply dot com.", "en-US",
         "email_address"),
        ("Escríbenos a pedidos arroba tienda guion azul punto es", "es-ES", "email_address"),
        ("Scrivici: ordini chiocciola casa trattino moka punto it", "it-IT", "email_address"),
        ("Schreiben Sie an service at moebel bindestrich hansen punkt de", "de-DE",
         "email_address"),
        ("Écrivez à sav arobase maison tiret lumen point fr", "fr-FR", "email_address"),
    ],
)  # fmt: skip
def test_contact_forms_block_under_their_category(rules, body: str, locale: str, want: str) -> None:
    assert want in _cats(rules, f"{body} Order {OID}.", locale)


@pytest.mark.parametrize(
    ("body", "locale"),
    [
        ("Too many emails? Manage your preferences at hollowcreek.co/email-prefs", "en-US"),
        ("Plus de messages ? Vos choix sont à gérer at lumen.fr/prefs", "fr-FR"),
        ("The care guide lives at brewbarn dot com slash care", "en-US"),
    ],
)  # fmt: skip
def test_an_address_with_a_path_after_at_is_a_link(rules, body: str, locale: str) -> None:
    """ "<words> at host/path" is a page to visit, whatever the words before " at " are."""
    cats = _cats(rules, f"{body} Order {OID}.", locale)
    assert "external_link" in cats
    assert "email_address" not in cats


@pytest.mark.parametrize(
    ("body", "locale"),
    [
        ("Range depends on signal strength; the signal number shown is in dBm.", "en-US"),
        ("We are at the corner of Main and 5th, open at 9.", "en-US"),
        ("The jacket is at amazon.de in three sizes.", "de-DE"),
        # "way.It": sentences without a space between them, not the domain way.it
        ("Your parcel is on its way.It should be with you soon.", "en-US"),
        ("Gracias por su compra.Es un placer atenderle.", "es-ES"),
        ("Zwei oder drei Tage, dann ist es da; hundertprozentig.", "de-DE"),
        ("1 x Lamp returned; $49.99 refunded; RMA 2026-1104-77.", "en-US"),
        ("Dry it. Com-pact storage: fold it in two.", "en-GB"),
        ("The BIG fan (fb-200) in IG-grey colour; whatsoever you need, ask here.", "en-US"),
        ("Fijo a la pared con 4 tornillos de 40 mm.", "es-ES"),
    ],
)
def test_legitimate_text_is_not_contact_data(rules, body: str, locale: str) -> None:
    cats = _cats(rules, f"{body} Order {OID}.", locale)
    assert not cats & {"external_link", "email_address", "phone_number", "off_platform"}, cats


@pytest.mark.parametrize(
    ("body", "locale"),
    [
        # a carrier's shape without a valid check digit is still the order's tracking number
        ("1 x Lamp via USPS, 9205 5000 0000 0000 0000 00, arriving December 3, 2026.", "en-US"),
        (
            "1 x Lamp with UPS, tracking 1Z 999 AA1 01 2345 6780, arriving December 3, 2026.",
            "en-US",
        ),
        # a number right after the carrier's name is its tracking number, whatever its length
        ("1 x Lampada, InPost 6800 1234 5678 9012 3456 78, consegna il 03/12/2026.", "it-IT"),
        ("1 x Lampe, Deutsche Post 0312 3456 7890 12 34, Zustellung 03.12.2026.", "de-DE"),
    ],
)
def test_carrier_shapes_state_the_tracking_number(rules, body: str, locale: str) -> None:
    assert _cats(rules, f"Order {OID}: {body}", locale, "shipment_confirmation") == set()


def test_a_post_office_number_is_still_a_phone(rules) -> None:
    body = f"Order {OID}: 1 x Lamp via UPS 1Z999AA10123456784, arriving December 3, 2026. "
    body += "Call the post office 0207 946 0958."
    assert "phone_number" in _cats(rules, body, "en-GB", "shipment_confirmation")


@pytest.mark.parametrize(
    ("body", "locale"),
    [
        ("1 x Zaino con SDA, tracking 6012345678901: al punto di ritiro il 4 dicembre.", "it-IT"),
        (
            "1 x Rucksack mit DHL, Sendungsnummer 00340434169876543210, ab 04.12.2026 abholbereit.",
            "de-DE",
        ),
    ],
)
def test_a_pickup_date_is_the_estimated_delivery(rules, body: str, locale: str) -> None:
    assert _cats(rules, f"Order {OID}: {body}", locale, "shipment_confirmation") == set()


@pytest.mark.parametrize(
    ("body", "locale"),
    [
        # a country code with the trunk "(0)" and a dash after the area code is one number
        ("Buchhaltung: +49 (0) 40 - 87 65 43 21.", "de-DE"),
        ("Notre atelier : +33 (0)4 - 72 10 33 58.", "fr-FR"),
        # letters past the seventh of a toll-free number are not dialled
        ("Our team answers at 1-800-GO-NORTHWIND.", "en-US"),
    ],
)
def test_international_trunk_and_long_vanity_numbers_are_phones(
    rules, body: str, locale: str
) -> None:
    assert "phone_number" in _cats(rules, f"{body} Order {OID}.", locale)


def test_a_thread_count_is_no_vanity_number(rules) -> None:
    assert _cats(rules, f"Order {OID}: the 800-thread-count sheets wash at 40 degrees.") == set()


@pytest.mark.parametrize(
    ("body", "locale"),
    [
        # a freight carrier's own number: a PRO number, a Frachtbrief, grouped like a phone
        ("1 x Mattress left by freight, carrier Estes, PRO number: 0821-447-193, "
         "estimated delivery December 3, 2026.", "en-US"),
        ("1 Stück Schrank mit der Spedition Dachser, Frachtbrief 0821 447 193, "
         "Lieferung voraussichtlich am 03.12.2026.", "de-DE"),
    ],
)  # fmt: skip
def test_freight_numbers_are_tracking_not_phones(rules, body: str, locale: str) -> None:
    assert _cats(rules, f"Order {OID}: {body}", locale, "shipment_confirmation") == set()
