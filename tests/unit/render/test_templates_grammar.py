"""What a buyer reads must be grammatical in the cases templates branch on."""

from decimal import Decimal

import pytest

from buyer_messaging.render import render_message


@pytest.mark.parametrize("locale", ["en-US", "en-GB"])
@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (
            [{"title": "Desk Lamp", "quantity": 1}],
            "this item from your order 111-1234567-1234567 is out of stock:\n\n1 x Desk Lamp\n",
        ),
        (
            [{"title": "Desk Lamp", "quantity": 1}, {"title": "Bulb", "quantity": 2}],
            "these items from your order 111-1234567-1234567 are out of stock:\n\n1 x Desk Lamp\n2 x Bulb\n",
        ),
    ],
)
def test_an_unavailability_notice_agrees_with_how_many_items(locale, items, expected):
    context = {"order_id": "111-1234567-1234567", "items": items, "reason": "out_of_stock",
               "refund_amount": Decimal("10.00"), "currency": "USD", "marketplace": "US"}  # fmt: skip
    assert expected in render_message("unavailability_notice", locale, context).body


@pytest.mark.parametrize(
    ("locale", "one", "several"),
    [
        ("es-ES", "el siguiente artículo de su pedido 111-1234567-1234567 está agotado:",
         "los siguientes artículos de su pedido 111-1234567-1234567 están agotados:"),
        ("it-IT", "il seguente articolo del tuo ordine 111-1234567-1234567 è esaurito:",
         "i seguenti articoli del tuo ordine 111-1234567-1234567 sono esauriti:"),
        ("de-DE", "der folgende Artikel aus Ihrer Bestellung 111-1234567-1234567 ist leider nicht mehr vorrätig:",
         "die folgenden Artikel aus Ihrer Bestellung 111-1234567-1234567 sind leider nicht mehr vorrätig:"),
        ("fr-FR", "l'article suivant de votre commande 111-1234567-1234567 est en rupture de stock :",
         "les articles suivants de votre commande 111-1234567-1234567 sont en rupture de stock :"),
    ],
)  # fmt: skip
def test_notices_in_other_languages_agree_too(locale, one, several):
    lamp = {"title": "Lámpara", "quantity": 1}
    base = {"order_id": "111-1234567-1234567", "reason": "out_of_stock", "refund_amount": Decimal("10.00"),
            "currency": "EUR", "marketplace": "ES"}  # fmt: skip
    assert one in render_message("unavailability_notice", locale, {**base, "items": [lamp]}).body
    assert (
        several
        in render_message("unavailability_notice", locale, {**base, "items": [lamp, lamp]}).body
    )
