"""Each rule, firing and not firing, in several languages (paraphrases, not corpus sentences)."""

from __future__ import annotations

import pytest

from buyer_messaging.lint import lint_message, load_rules

OID = "112-3345120-9981726"


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def cats(rules, body, *, kind="product_info", locale="en-US", subject=None, **kw):
    v = lint_message(
        rules, kind=kind, locale=locale, subject=subject or f"Order {OID}", body=body, **kw
    )
    return {x.category for x in v.violations}, v


FIRES = [
    # links, plain and disguised; look-alikes of Amazon
    (
        "external_link",
        "en-US",
        "The manual is at https://acme-tools.com/manual.pdf for order 112-3345120-9981726.",
    ),
    ("external_link", "en-GB", "Setup video: youtu.be/abc123 (order 112-3345120-9981726)."),
    ("external_link", "en-US", "See acme tools dot com slash guide for order 112-3345120-9981726."),
    (
        "external_link",
        "fr-FR",
        "Le guide de la commande 112-3345120-9981726 est sur maison-bleue[.]fr/guide.",
    ),
    (
        "external_link",
        "de-DE",
        "Anleitung zur Bestellung 112-3345120-9981726: werkzeug-profi punkt de.",
    ),
    (
        "external_link",
        "es-ES",
        "Vea el vídeo del pedido 112-3345120-9981726 en www . casa-sol . es / video",
    ),
    ("external_link", "it-IT", "Guida all'ordine 112-3345120-9981726 su amazon-offerte.it/guida."),
    ("external_link", "en-US", 'Order 112-3345120-9981726: <a href="https://x.io">guide</a>'),
    (
        "external_link",
        "en-US",
        'Order 112-3345120-9981726 <img src="https://cdn.acme.net/logo.png">',
    ),
    (
        "external_link",
        "en-US",
        "Details for order 112-3345120-9981726: amazon.com.deals-today.net/x",
    ),
    # e-mail addresses, plain and disguised
    ("email_address", "en-US", "Questions about order 112-3345120-9981726? help@acme-home.com"),
    (
        "email_address",
        "en-GB",
        "Order 112-3345120-9981726: write to sales at acmehome dot co dot uk",
    ),
    (
        "email_address",
        "de-DE",
        "Bestellung 112-3345120-9981726: service [at] werkzeug-profi [dot] de",
    ),
    (
        "email_address",
        "es-ES",
        "Pedido 112-3345120-9981726: escriba a ayuda arroba casasol punto es",
    ),
    (
        "email_address",
        "it-IT",
        "Ordine 112-3345120-9981726: assistenza chiocciola casabella punto it",
    ),
    (
        "email_address",
        "fr-FR",
        "Commande 112-3345120-9981726 : écrivez à boutique.atelierlin chez gmail point com",
    ),
    # phone numbers in the six marketplaces' formats
    ("phone_number", "en-US", "Order 112-3345120-9981726: call 1-800-555-0199 for help."),
    ("phone_number", "en-GB", "Order 112-3345120-9981726 questions: 020 7946 0958."),
    ("phone_number", "fr-FR", "Commande 112-3345120-9981726 : appelez le 01 42 68 53 00."),
    ("phone_number", "de-DE", "Bestellung 112-3345120-9981726: Tel. 030/1234567"),
    ("phone_number", "es-ES", "Pedido 112-3345120-9981726: llámenos al 91 123 45 67."),
    ("phone_number", "it-IT", "Ordine 112-3345120-9981726: chiamaci al +39 02 1234 5678."),
    # spelled out beside a tracking number in digits; groups set apart by middle dots
    (
        "phone_number",
        "en-US",
        "Order 112-3345120-9981726: UPS tracking 1Z 8V4 R61 03 4477 2190. Questions? Call Mike "
        "at five one two, five five five, zero one eight seven.",
    ),
    (
        "phone_number",
        "es-ES",
        "Pedido 112-3345120-9981726: llámenos al seis cero cero · uno dos · tres cuatro · cinco seis.",
    ),
    # a number word in full-width letters is read from the normalised text
    (
        "phone_number",
        "it-IT",
        "Ordine 112-3345120-9981726. Per info: tre tre tre · uno due tre · ｑｕａｔｔｒｏ cinque sei sette.",
    ),
    # promotion and cross-selling
    (
        "promotion",
        "en-US",
        "Order 112-3345120-9981726: enjoy 15% off your next purchase with code SAVE15.",
    ),
    ("promotion", "en-GB", "Order 112-3345120-9981726: have a look at our new arrivals!"),
    (
        "promotion",
        "fr-FR",
        "Commande 112-3345120-9981726 : découvrez aussi nos autres produits en bambou.",
    ),
    (
        "promotion",
        "de-DE",
        "Bestellung 112-3345120-9981726: Entdecken Sie unsere neue Kollektion mit 20 % Rabatt.",
    ),
    (
        "promotion",
        "es-ES",
        "Pedido 112-3345120-9981726: descubra nuestros nuevos productos, ahora con descuento.",
    ),
    (
        "promotion",
        "it-IT",
        "Ordine 112-3345120-9981726: scopri i nostri altri prodotti in offerta.",
    ),
    (
        "promotion",
        "en-US",
        "Order 112-3345120-9981726: visit https://www.amazon.com/stores/AcmeHome/page/123",
    ),
    # off Amazon
    (
        "off_platform",
        "en-US",
        "Order 112-3345120-9981726: next time buy directly from us on our website.",
    ),
    ("off_platform", "fr-FR", "Commande 112-3345120-9981726 : suivez-nous sur Instagram !"),
    (
        "off_platform",
        "de-DE",
        "Bestellung 112-3345120-9981726: Tipps gibt es in unserem Onlineshop.",
    ),
    (
        "off_platform",
        "es-ES",
        "Pedido 112-3345120-9981726: escríbanos por WhatsApp si tiene dudas.",
    ),
    ("off_platform", "it-IT", "Ordine 112-3345120-9981726: seguici su Facebook per altre idee."),
    ("off_platform", "en-GB", "Order 112-3345120-9981726: any problems, just give us a call."),
    # opt-out
    (
        "opt_out_link",
        "en-US",
        "Order 112-3345120-9981726. To opt out of these messages, reply STOP.",
    ),
    ("opt_out_link", "fr-FR", "Commande 112-3345120-9981726. Pour vous désabonner, répondez NON."),
    (
        "opt_out_link",
        "es-ES",
        "Pedido 112-3345120-9981726. Si no desea recibir más mensajes, avísenos.",
    ),
]

FIRES_REVIEW = [
    ("positive_review_ask", "en-US", "We'd love a 5-star rating for order 112-3345120-9981726!"),
    (
        "positive_review_ask",
        "en-GB",
        "If you're satisfied with order 112-3345120-9981726, please leave a review.",
    ),
    (
        "positive_review_ask",
        "en-US",
        "Order 112-3345120-9981726: any issue? Contact us first before leaving feedback.",
    ),
    (
        "positive_review_ask",
        "fr-FR",
        "Un avis positif sur la commande 112-3345120-9981726 nous aiderait beaucoup.",
    ),
    (
        "positive_review_ask",
        "de-DE",
        "Wenn Sie zufrieden sind, freuen wir uns über eine Bewertung (Bestellung 112-3345120-9981726).",
    ),
    (
        "positive_review_ask",
        "es-ES",
        "Si está satisfecho con el pedido 112-3345120-9981726, déjenos una reseña.",
    ),
    (
        "positive_review_ask",
        "it-IT",
        "Una recensione a cinque stelle per l'ordine 112-3345120-9981726 ci aiuterebbe.",
    ),
    (
        "review_incentive",
        "en-US",
        "Post a review of order 112-3345120-9981726 and get a free travel case.",
    ),
    (
        "review_incentive",
        "fr-FR",
        "Laissez un avis sur la commande 112-3345120-9981726 et recevez un bon d'achat.",
    ),
    (
        "review_incentive",
        "de-DE",
        "Für Ihre Rezension zu Bestellung 112-3345120-9981726 erhalten Sie ein Geschenk.",
    ),
    (
        "review_incentive",
        "es-ES",
        "Por su reseña del pedido 112-3345120-9981726 le regalamos una funda.",
    ),
    (
        "review_incentive",
        "it-IT",
        "Lascia una recensione per l'ordine 112-3345120-9981726 e riceverai un omaggio.",
    ),
    (
        "review_change_request",
        "en-US",
        "Could you please revise your 1-star review of order 112-3345120-9981726?",
    ),
    (
        "review_change_request",
        "fr-FR",
        "Pourriez-vous supprimer votre commentaire négatif (commande 112-3345120-9981726) ?",
    ),
    (
        "review_change_request",
        "de-DE",
        "Würden Sie Ihre Bewertung zu Bestellung 112-3345120-9981726 bitte löschen?",
    ),
    (
        "review_change_request",
        "es-ES",
        "¿Podría actualizar su valoración del pedido 112-3345120-9981726?",
    ),
    (
        "review_change_request",
        "it-IT",
        "Potresti rimuovere la tua recensione negativa dell'ordine 112-3345120-9981726?",
    ),
]


@pytest.mark.parametrize(("category", "locale", "body"), FIRES)
def test_fires(rules, category, locale, body) -> None:
    got, v = cats(rules, body, locale=locale)
    assert category in got, v
    assert v.verdict == "block"


@pytest.mark.parametrize(("category", "locale", "body"), FIRES_REVIEW)
def test_review_rules_fire(rules, category, locale, body) -> None:
    got, v = cats(rules, body, kind="review_request", locale=locale)
    assert category in got, v


CLEAN = [
    # numbers that are not phone numbers
    (
        "en-US",
        "Order 112-3345120-9981726 (ASIN B08N5WRWNW, SKU 4412-88-1203) ships with UPS 1Z999AA10123456784.",
    ),
    (
        "en-US",
        "Order 112-3345120-9981726: tracking 794612345678, total $1,299.99, delivered 11/14/2026.",
    ),
    (
        "en-GB",
        "Order 112-3345120-9981726 goes to SW1A 1AA; tracking number 00340434161234567890, £34.99.",
    ),
    (
        "de-DE",
        "Bestellung 112-3345120-9981726, Sendungsnummer 00340434169876543210, PLZ 10115, 1.234,56 €, 26.11.2026.",
    ),
    (
        "fr-FR",
        "Commande 112-3345120-9981726 : suivi 6A12345678901, code postal 75008, 2026-2027, 12 345,00 €.",
    ),
    ("es-ES", "Pedido 112-3345120-9981726, seguimiento 61234567890, CP 28013, entrega 26/11/2026."),
    (
        "it-IT",
        "Ordine 112-3345120-9981726, codice di tracciamento RR123456785IT, CAP 20121, 49,90 €.",
    ),
    # Amazon's own pages, neutral review wording, ordinary prose
    (
        "en-US",
        "Order 112-3345120-9981726: you can leave an honest review at https://www.amazon.com/review/create-review?asin=B08N5WRWNW",
    ),
    (
        "de-DE",
        "Bestellung 112-3345120-9981726: Ihre ehrliche Meinung können Sie auf amazon.de teilen.",
    ),
    (
        "fr-FR",
        "Commande 112-3345120-9981726 : votre colis vous attend au point de retrait. Bonne journée !",
    ),
    ("es-ES", "Pedido 112-3345120-9981726: el punto es que el envío llega mañana."),
    (
        "en-US",
        "Order 112-3345120-9981726: the lid is BPA-free. Feel free to reply to this message.",
    ),
    ("it-IT", "Ordine 112-3345120-9981726: il prodotto è buono per 2 anni, conserva la fattura."),
    (
        "en-US",
        "Order 112-3345120-9981726: remove the cover with the star screwdriver. Every review, positive or negative, helps.",
    ),
]


@pytest.mark.parametrize(("locale", "body"), CLEAN)
def test_does_not_fire(rules, locale, body) -> None:
    got, v = cats(rules, body, locale=locale)
    assert v.verdict == "pass", v


def test_email_is_not_also_a_link(rules) -> None:
    got, _ = cats(
        rules, "Order 112-3345120-9981726: info@acme-home.co.uk or info (at) acme (dot) de"
    )
    assert "email_address" in got and "external_link" not in got


def test_call_us_with_a_number_is_a_phone_number_only(rules) -> None:
    got, _ = cats(rules, "Order 112-3345120-9981726: call us on +44 20 7946 0958.", locale="en-GB")
    assert got == {"phone_number"}


def test_required_content(rules) -> None:
    ship = "Order 112-3345120-9981726 has shipped: 2 x Mug. Carrier: DHL, tracking number JJD0001234567. Estimated delivery: 12/11/2026."
    assert cats(rules, ship, kind="shipment_confirmation")[1].verdict == "pass"
    got, v = cats(
        rules, "Order 112-3345120-9981726 has shipped with DHL.", kind="shipment_confirmation"
    )
    assert got == {"missing_required_content"}
    assert "items" in v.violations[0].excerpt and "tracking_number" in v.violations[0].excerpt
    ret = "Wir haben Ihre Rücksendung (1 x Toaster, Bestellung 112-3345120-9981726) erhalten und am 3. November 2026 29,99 € erstattet."
    assert cats(rules, ret, kind="return_confirmation", locale="de-DE")[1].verdict == "pass"
    got, v = cats(
        rules,
        "Reso dell'ordine 112-3345120-9981726 ricevuto, grazie.",
        kind="return_confirmation",
        locale="it-IT",
    )
    assert got == {"missing_required_content"}
    un = "Le grille-pain de la commande 112-3345120-9981726 est en rupture de stock ; nous vous avons remboursé 19,99 €."
    assert cats(rules, un, kind="unavailability_notice", locale="fr-FR")[1].verdict == "pass"
    got, _ = cats(
        rules,
        "Hay un problema con su pedido 112-3345120-9981726.",
        kind="unavailability_notice",
        locale="es-ES",
    )
    assert got == {"missing_required_content"}


def test_order_id_required_unless_something_else_blocks(rules) -> None:
    got, _ = cats(rules, "Hand wash the bowl and oil it monthly.", subject="Care guide")
    assert got == {"missing_required_content"}
    got, _ = cats(rules, "Hand wash the bowl. Follow us on Instagram!", subject="Care guide")
    assert got == {"off_platform"}
    got, _ = cats(
        rules, "Hand wash the bowl.", subject="Care guide", order_id="114-0000000-0000001"
    )
    assert got == {"missing_required_content"}


def test_format_rules(rules) -> None:
    body = "Order 112-3345120-9981726.\n\n\n\nThanks 😀"
    got, v = cats(rules, body)
    assert {"emoji", "line_breaks"} <= got and v.verdict == "pass"  # warnings only
    got, v = cats(rules, "Order 112-3345120-9981726: <b>hand wash</b> only.", channel="messaging")
    assert "html_content" in got and v.verdict == "block"
    assert (
        "html_content"
        not in cats(rules, "Order 112-3345120-9981726: <b>hand wash</b>.", channel="email_relay")[0]
    )
    long = "Order 112-3345120-9981726. " + "Hand wash only. " * 60
    assert "length_limit" in cats(rules, long, message_type="confirmCustomizationDetails")[0]
    assert "length_limit" not in cats(rules, long, channel="messaging")[0]
    assert "length_limit" in cats(rules, long, message_type="createDigitalAccessKey")[0]
    got, _ = cats(rules, "Order 112-3345120-9981726: care guide.", subject="[Important] care guide")
    assert "important_subject" in got
    ok = lint_message(rules, kind="unavailability_notice", locale="en-US", subject="[Important] order 112-3345120-9981726",
                      body="The mug in order 112-3345120-9981726 is out of stock; we refunded $9.99.")  # fmt: skip
    assert ok.verdict == "pass"


def test_wrong_language(rules) -> None:
    body = "Vielen Dank für Ihre Bestellung 112-3345120-9981726. Die Garantie gilt für zwei Jahre ab dem Lieferdatum, bitte bewahren Sie die Rechnung auf."
    got, _ = cats(rules, body, locale="en-US")
    assert "wrong_language" in got
    assert "wrong_language" not in cats(rules, body, locale="de-DE")[0]
    got, _ = cats(rules, body, locale="de-DE", preferred_locale="fr-FR")
    assert "wrong_language" in got


def test_verdict_shape(rules) -> None:
    v = lint_message(
        rules,
        kind="review_request",
        locale="en-US",
        subject=f"Order {OID}",
        body="Five stars please!",
    )
    assert v.verdict == "block"
    (x,) = v.violations
    assert (x.rule, x.category, x.severity) == (
        "positive_review_ask",
        "positive_review_ask",
        "block",
    )
    assert x.excerpt == "Five stars please!"


def test_chez_before_a_shop_domain_is_no_email_address() -> None:
    """ "chez" is an "@" only where the name reads as a mailbox ("boutique.atelierlin chez gmail
    point com"); "disponible chez darty point com" names a shop's site: a link, no address."""
    from buyer_messaging.lint.links import find_emails

    assert find_emails("ecrivez a boutique.atelierlin chez gmail point com") != []
    assert find_emails("le livre est aussi disponible chez darty point com") == []
