"""Off-platform in the forms of issue #20 (our own sentences, not the blind files): a web address
that names the seller's site, an invitation to a physical shop, leaving a mailing list, and a
device that shows chat apps' notifications (a feature, not a channel)."""

from __future__ import annotations

import pytest

from buyer_messaging.lint import lint_message, load_rules

OID = "305-1182736-4410927"


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _cats(rules, body: str, locale: str) -> set[str]:
    v = lint_message(rules, kind="product_info", locale=locale, subject=f"Order {OID}", body=body)
    return {x.category for x in v.violations if x.severity == "block"}


@pytest.mark.parametrize(
    ("body", "locale", "want"),
    [
        # read as one address, whatever its dots: the seller's site
        (
            "Spare blades are listed at bladeworks.shop/spares.",
            "en-US",
            {"external_link", "off_platform"},
        ),
        ("Le tutoriel est sur lampesetco．fr/tuto.", "fr-FR", {"external_link", "off_platform"}),
        ("Anleitung: gartenzwerg[.]de/anleitung", "de-DE", {"external_link", "off_platform"}),
        # spelled out in spaced words: a link, and the seller's site only when called "ours"
        ("The chart is at sizeguide dot co dot uk.", "en-GB", {"external_link"}),
        (
            "Unsere Pflegetipps stehen auf gartenzwerg punkt de.",
            "de-DE",
            {"external_link", "off_platform"},
        ),
        (
            "Las recetas de nuestro chef: cocinaviva punto es",
            "es-ES",
            {"external_link", "off_platform"},
        ),
        # a markup target is hidden: a link only
        (
            'Il manuale è <a href="https://casaforte.it/manuale">qui</a>.',
            "it-IT",
            {"external_link"},
        ),
        # a physical shop, showroom or studio the buyer is invited to
        (
            "We teach pottery at our studio on Elm Road, drop in on Sundays.",
            "en-US",
            {"off_platform", "promotion"},
        ),
        ("Kommen Sie in unserem Hofladen in Celle vorbei.", "de-DE", {"off_platform", "promotion"}),
        # taking oneself off the seller's list
        ("To be removed from our mailing list, reply REMOVE.", "en-GB", {"opt_out_link"}),
        ("Vom Newsletter austragen: einfach antworten.", "de-DE", {"opt_out_link"}),
        ("Para que te quitemos de nuestra lista, responde BAJA.", "es-ES", {"opt_out_link"}),
        # apps named as a place to talk, also in a list
        ("Schreiben Sie uns per Signal oder Threema.", "de-DE", {"off_platform"}),
    ],
)
def test_off_platform_forms(rules, body: str, locale: str, want: set[str]) -> None:
    assert _cats(rules, body, locale) >= want


@pytest.mark.parametrize(
    ("body", "locale"),
    [
        ("Once paired, the band shows WhatsApp and Telegram notifications.", "en-US"),
        ("Die Uhr zeigt Benachrichtigungen von WhatsApp und Messenger an.", "de-DE"),
        ("Le bracelet affiche les notifications WhatsApp et Signal.", "fr-FR"),
        ("La pulsera muestra las notificaciones de WhatsApp.", "es-ES"),
        ("Il braccialetto mostra le notifiche di WhatsApp e Telegram.", "it-IT"),
        # a workshop that repairs under warranty, reached through Amazon, is no shop invitation
        (
            "Notre atelier de réparation remet l'appareil en état sous garantie via votre retour Amazon.",
            "fr-FR",
        ),
        # "our shop" with nothing physical around it may be the Amazon storefront: not off_platform
    ],
)
def test_features_and_workshops_are_not_off_platform(rules, body: str, locale: str) -> None:
    assert not _cats(rules, body, locale) & {"off_platform", "promotion"}


def test_our_shop_without_a_place_is_not_off_platform(rules) -> None:
    cats = _cats(rules, "Scopri la collezione nel nostro negozio con il codice AUTUNNO10.", "it-IT")
    assert "off_platform" not in cats


def _verdict(rules, kind: str, locale: str, body: str) -> set[str]:
    v = lint_message(rules, kind=kind, locale=locale, subject=f"Order {OID}", body=body)
    return {x.rule for x in v.violations if x.severity == "block"}


@pytest.mark.parametrize(
    ("kind", "locale", "body", "blocked"),
    [
        # an item named in prose is what shipped or came back; "your order" names nothing
        ("shipment_confirmation", "en-US",
         f"Your Oak Bread Bin from order {OID} shipped with UPS, tracking 1Z999AA10123456784, "
         "arriving December 9.", False),
        ("shipment_confirmation", "en-US",
         f"Your order {OID} shipped with UPS, tracking 1Z999AA10123456784, arriving December 9.",
         True),
        ("return_confirmation", "fr-FR",
         f"Nous avons reçu les sandales retournées de la commande {OID} et remboursé 35,00 € le "
         "03/12/2026.", False),
        ("return_confirmation", "fr-FR",
         f"Nous avons reçu votre retour de la commande {OID} et remboursé 35,00 € le 03/12/2026.",
         True),
        # the carrier's label right before the number ("parcel no." is no sentence end)
        ("shipment_confirmation", "en-GB",
         f"Order {OID}: 1 x Door Stop went with DPD, parcel no. 1550 4412 9031 27, due 11/12/2026.",
         False),
        ("shipment_confirmation", "it-IT",
         f"Ordine {OID}: 1 x Vaso affidato a BRT. Segnacollo 0501 7733 2190 045, consegna prevista "
         "il 10/12/2026.", False),
    ],
)  # fmt: skip
def test_required_content_in_prose(rules, kind: str, locale: str, body: str, blocked: bool) -> None:
    assert bool(_verdict(rules, kind, locale, body)) is blocked


def test_a_host_posing_as_amazon_is_a_link_only(rules) -> None:
    assert _cats(rules, "Confirm your refund at amaz0n-refunds.com/verify", "en-US") == {
        "external_link"
    }


def test_point_as_a_noun_before_a_short_word_is_no_domain(rules) -> None:
    assert (
        _cats(rules, "Eco mode holds 2 degrees below the set point to save energy.", "en-US")
        == set()
    )
    assert "external_link" in _cats(rules, "Tutto su negoziobello punto it per te.", "it-IT")
