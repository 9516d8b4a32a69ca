"""Normalisation before matching: NFKC, look-alike dots, at-signs and letters (Unicode's
confusables data), invisible characters; excerpts quote the message as written. Cases are
our own, in the six locales, both ways (must block, must pass)."""

from __future__ import annotations

import pytest

from buyer_messaging.lint import lint_message, load_rules
from buyer_messaging.lint.text import Message, normalize, normalize_mapped

OID = "112-3345120-9981726"


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _lint(rules, body: str, locale: str = "en-US", facts=None):
    return lint_message(
        rules, kind="product_info", locale=locale, subject=f"{OID}", body=f"{body} ({OID})",
        facts=facts,
    )  # fmt: skip


def test_nfkc_and_confusables_map_to_ascii() -> None:
    assert normalize("ＳＨＯＰ．ＣＯＭ") == "shop.com"  # full-width (NFKC)
    assert normalize("shop\u2024com") == "shop.com"  # one-dot leader (NFKC)
    assert normalize("shop\u3002com") == "shop.com"  # ideographic full stop
    assert normalize("j\uff20x.de") == "j@x.de"  # full-width at-sign
    assert normalize("\u0430mazon") == "amazon"  # Cyrillic a (confusables data)
    assert normalize("Caf\u00e9 cr\u00e8me") == "cafe creme"
    assert normalize("\u674e\u96f7") == "\u674e\u96f7"  # CJK letters are not disguises
    assert normalize("\u0660\u0666 \u06f1\u06f2") == "06 12"  # Arabic-Indic digits are digits


def test_offsets_map_back_to_the_original() -> None:
    text = "The \ufb01ne bit\u200b.ly link"  # ligature grows, zero-width space vanishes
    n = normalize_mapped(text)
    assert n.text == "the fine bit.ly link"
    start = n.text.index("bit.ly")
    assert text[n.orig(start) : n.orig_end(start + len("bit.ly"))] == "bit\u200b.ly"
    assert normalize_mapped("plain ascii").offsets is None


@pytest.mark.parametrize(
    ("locale", "body", "category", "quoted"),
    [
        ("en-US", "Visit acmeshop\u2024com for more.", "external_link", "acmeshop\u2024com"),
        ("en-GB", "Everything is on acmeshop\uff0eco\uff0euk now.", "external_link", None),
        ("fr-FR", "Rendez-vous sur boutique\u3002fr pour la suite.", "external_link", None),
        ("de-DE", "Mehr auf www\u3002laden\u3002de, bis bald.", "external_link", None),
        ("es-ES", "Visite tienda\u00b7es para ver mas.", "external_link", None),
        ("it-IT", "Scrivete a info\uff20negozio.it per assistenza.", "email_address", None),
        ("fr-FR", "Ecrivez a contact arobase boutique point fr.", "email_address", None),
        ("es-ES", "Escribanos a ventas (arroba) tienda (punto) es.", "email_address", None),
        ("en-US", "Find us online at acmeshop dot com today.", "external_link", None),
        ("en-US", "Email jane at acmeshop dot com for help.", "email_address", None),
        ("en-GB", "Questions: info at acmeshop dot co dot uk.", "email_address", None),
        ("en-US", "Everything is on sale at acmeshop dot com.", "external_link", None),
        ("de-DE", "Besuchen Sie \u0430mazon.de/review f\u00fcr Details.", "external_link", None),
        (
            "it-IT",
            "Link: bit\u200b.ly/abc123 per lo sconto.",
            "external_link",
            "bit\u200b.ly/abc123",
        ),
        ("en-US", "Deals at hxxps://acmeshop.com/deals today.", "external_link", None),
        ("en-GB", "Our site: w w w . acmeshop . co . uk", "external_link", None),
        ("de-DE", "Alles unter https : //laden.de/angebote.", "external_link", None),
    ],
)
def test_disguised_contacts_are_found_in_their_own_category(
    rules, locale: str, body: str, category: str, quoted: str | None
) -> None:
    v = _lint(rules, body, locale)
    cats = v.blocking_categories
    assert category in cats, (body, v.violations)
    other = {"external_link": "email_address", "email_address": "external_link"}[category]
    assert other not in cats, (body, v.violations)  # never swapped or doubled
    if quoted:
        assert any(x.excerpt == quoted for x in v.violations)


@pytest.mark.parametrize(
    ("locale", "body"),
    [
        ("en-US", "Thank you for your order\u2026It ships today from our warehouse."),
        ("en-GB", "Your \ufb01ne china set (\u2116 4) is packed \u2013 it ships today."),
        ("fr-FR", "Merci\u3002Votre commande part aujourd'hui, caf\u00e9 cr\u00e8me inclus."),
        ("de-DE", "Ihr Artikel \u201eKaffeem\u00fchle\u201c ist unterwegs\u3002Danke!"),
        ("es-ES", "Su pedido sale hoy\u30fbGracias por su compra."),
        ("it-IT", "Grazie\uff0eIl suo ordine \u00e8 in viaggio."),
        ("en-US", "See amazon.com/gp/your-orders for the order page."),
    ],
)
def test_look_alike_characters_in_ordinary_text_pass(rules, locale: str, body: str) -> None:
    v = _lint(rules, body, locale)
    assert not v.blocked, v.violations


def test_excerpt_quotes_the_original_sentence(rules) -> None:
    v = _lint(rules, "Tr\u00e8s \ufb01er de vous : visitez boutique\u3002fr !", "fr-FR")
    assert [x.excerpt for x in v.violations if x.category == "external_link"] == [
        "boutique\u3002fr"
    ]


def test_message_spans_stay_in_their_fields() -> None:
    msg = Message(kind="product_info", locale="en-US", subject="\ufb01rst", body="a\u200bb")
    assert msg.norm == "first\nab"
    assert msg.field_spans(("subject",)) == [(0, 5)]
    assert msg.field_spans(("body",)) == [(6, 8)]
    assert msg.quote(6, 8) == "a\u200bb"


@pytest.mark.parametrize(
    ("locale", "title", "body"),
    [
        ("en-US", "5 Stars Deluxe Blender", "Your 5 Stars Deluxe Blender has shipped."),
        ("fr-FR", "Coffret 5 \u00e9toiles", "Votre Coffret 5 \u00c9toiles est parti."),
        ("de-DE", "F\u00fcnf Sterne Kochset", "Ihr F\u00fcnf Sterne Kochset ist unterwegs."),
        ("es-ES", "Set Cinco Estrellas", "Su Set Cinco Estrellas ya est\u00e1 en camino."),
        ("it-IT", "Kit Cinque Stelle", "Il suo Kit Cinque Stelle \u00e8 in viaggio."),
        ("en-GB", "Review Pro 5-Star Mic", "Your Review Pro 5-Star Mic is on its way."),
    ],
)
def test_known_product_titles_are_not_read_as_review_asks(
    rules, locale: str, title: str, body: str
) -> None:
    facts = {"item_titles": [title]}
    assert not _lint(rules, body, locale, facts).blocked
    # the same words outside the title still count
    ask = {"en": "Please leave us 5 stars!", "fr": "Laissez-nous 5 \u00e9toiles !",
           "de": "Bitte geben Sie uns 5 Sterne!", "es": "\u00a1D\u00e9jenos 5 estrellas!",
           "it": "Ci lasci 5 stelle!"}[locale[:2]]  # fmt: skip
    assert _lint(rules, f"{body} {ask}", locale, facts).blocked
