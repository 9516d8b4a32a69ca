"""Templates: every kind in every locale renders for every marketplace and passes the linter;
missing values are errors naming order, template and variable; data is never template code."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from buyer_messaging.lint import lint_message, load_rules
from buyer_messaging.render import (
    KINDS,
    LOCALES,
    RenderError,
    choose_locale,
    locale_for_marketplace,
    render_message,
)
from buyer_messaging.render.paths import include_dir

TITLES = [
    "Crème brûlée torch — professional ☕",
    "Kids' <b>Puzzle</b> Set {{ 7*7 }} {% raw %} 1000 pieces",
    "Ergonomic Office Chair with Lumbar Support, Adjustable Height, Breathable Mesh, 5 Year Warranty "
    * 3,
    "Stainless Steel Water Bottle 750 ml\u200b",
    "Gartenschlauch 25 m – Ösen & Düsen",
    "مصباح مكتب LED",
]
MARKETS = {"US": "USD", "GB": "GBP", "FR": "EUR", "DE": "EUR", "ES": "EUR", "IT": "EUR"}
REASONS = ["out_of_stock", "delayed", "cancelled", "damaged", "discontinued"]
# as render.address.address_lines prints Amazon's addresses (its own tests pin the shapes)
ADDRESSES = {
    "US": ["Jane Doe", "1200 12th Ave S", "Apt 4", "Seattle, WA 98144"],
    "GB": ["Tom Smith", "17 Baker Street", "London", "NW1 6XE"],
    "FR": ["Anne Martin", "12 rue de Rivoli", "75001 Paris"],
    "DE": ["<b>Max</b> Müller 🚚", "Hauptstraße 5", "10115 Berlin"],
    "ES": ["Lucía García", "Calle Mayor 3", "28013 Madrid"],
    "IT": ["Giulia Rossi", "Via Roma 10", "00184 Roma"],
}


def context(n: int, marketplace: str) -> dict:
    return {
        "order_id": f"{111 + n % 300:03d}-{n * 7919 % 10**7:07d}-{n * 104729 % 10**7:07d}",
        "buyer_name": [None, "Zoë", "José Álvarez", "{{ buyer }}", "", "Anne-Marie O'Brien"][n % 6],
        "marketplace": marketplace,
        "currency": MARKETS[marketplace],
        "items": [
            {
                "title": TITLES[(n + i) % len(TITLES)],
                "quantity": 1 + (n + i) % 3,
                "asin": "B08N5WRWNW",
                "sku": f"SKU-{n}",
            }
            for i in range(1 + n % 3)
        ],
        "carrier": ["UPS", "DHL", "Colissimo", "SEUR", "GLS", "Royal Mail"][n % 6],
        "tracking_number": f"1Z{n:016d}",
        "estimated_delivery": date(2026, 11, 25),
        "ship_date": date(2026, 11, 20),
        "reason": REASONS[n % len(REASONS)],
        "refund_amount": Decimal("1234.50") + n,
        "refund_date": date(2026, 11, 21),
        "adjusted_amount": Decimal("31.00") if n % 2 else None,
        "seller_name": "Acme Home & Garden" if n % 2 else None,
        "product_info": "Hand wash only.\n\n\n\nOil the board every 3-4 weeks with food-safe mineral oil.",
        "delivery_address": ADDRESSES[marketplace],
    }


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def test_every_template_exists() -> None:
    root = include_dir() / "templates"
    for kind, locale in itertools.product(KINDS, LOCALES):
        assert (root / kind / f"{locale}.j2").is_file(), (kind, locale)


@pytest.mark.parametrize("kind", KINDS)
def test_rendered_templates_pass_lint_for_every_marketplace(rules, kind: str) -> None:
    for n, (marketplace, locale) in enumerate(itertools.product(MARKETS, LOCALES)):
        ctx = context(n, marketplace)
        msg = render_message(kind, locale, ctx)
        for channel in ("messaging", "email_relay"):
            v = lint_message(rules, kind=kind, locale=locale, subject=msg.subject, body=msg.body,
                             channel=channel, order_id=ctx["order_id"])  # fmt: skip
            assert v.verdict == "pass", (kind, locale, channel, v, msg.body)
            assert not v.violations, (kind, locale, channel, v.violations)
        assert ctx["order_id"] in msg.subject + msg.body
        assert "{{" not in msg.body.replace("{{ 7*7 }}", "").replace("{{ buyer }}", "")
        assert len(msg.body) <= 2000 and "\n\n\n" not in msg.body


def test_required_content_is_rendered() -> None:
    ctx = context(1, "DE")
    ship = render_message("shipment_confirmation", "de-DE", ctx).body
    assert (
        "Versanddienstleister: DHL" in ship and f"Sendungsnummer: {ctx['tracking_number']}" in ship
    )
    assert "25. November 2026" in ship and "2 x " in ship
    # the delivery address as Amazon gave it, one line each, markup and emoji out
    assert "Lieferadresse:\nMax Müller\nHauptstraße 5\n10115 Berlin\n" in ship
    ret = render_message("return_confirmation", "fr-FR", {**ctx, "marketplace": "FR"}).body
    assert "1\u202f235,50\xa0€" in ret and "21 novembre 2026" in ret
    un = render_message(
        "unavailability_notice", "en-US", {**context(0, "US"), "reason": "delayed"}
    ).body
    assert "full refund of $1,234.50" in un


def test_data_is_never_template_code() -> None:
    ctx = context(1, "US")
    msg = render_message("shipment_confirmation", "en-US", ctx)
    assert "{{ 7*7 }}" in msg.body and "49" not in msg.body
    assert "<b>" not in msg.body  # markup stripped from product text in plain text
    html = render_message(
        "shipment_confirmation", "en-US", {**ctx, "buyer_name": "<script>x</script>"}, html=True
    )
    assert "<script>" not in html.body and "&lt;script&gt;" not in html.body or "<p>" in html.body
    assert html.body.startswith("<p>") and "&amp; Garden" in html.body
    assert "&" in html.subject or "<" not in html.subject


def test_missing_value_names_order_template_and_variable() -> None:
    ctx = context(2, "US")
    del ctx["tracking_number"]
    with pytest.raises(RenderError) as info:
        render_message("shipment_confirmation", "en-US", ctx)
    err = info.value
    assert (err.order_id, err.variable) == (ctx["order_id"], "tracking_number")
    assert err.template.endswith("shipment_confirmation/en-US.j2")
    assert ctx["order_id"] in str(err) and "tracking_number" in str(err) and "en-US.j2" in str(err)
    with pytest.raises(RenderError, match="refund_amount"):
        render_message(
            "unavailability_notice",
            "it-IT",
            {**ctx, "refund_amount": None, "adjusted_amount": None},
        )
    with pytest.raises(RenderError, match="estimated_delivery"):
        render_message(
            "shipment_confirmation", "fr-FR", {**context(1, "FR"), "estimated_delivery": None}
        )


def test_undefined_variable_in_an_override(tmp_path: Path) -> None:
    over = tmp_path / "accounts" / "acme_us" / "product_info"
    over.mkdir(parents=True)
    (over / "en-US.j2").write_text(
        "{% block subject %}Hi {{ order_id }}{% endblock %}{% block body %}{{ colour }}{% endblock %}"
    )
    with pytest.raises(RenderError) as info:
        render_message(
            "product_info", "en-US", context(3, "US"), account_id="acme_us", templates_dir=tmp_path
        )
    assert info.value.variable == "colour" and "accounts/acme_us" in info.value.template


def test_account_override_wins_and_may_extend(tmp_path: Path) -> None:
    root = include_dir() / "templates"
    base = tmp_path / "product_info"
    base.mkdir()
    (base / "en-US.j2").write_text(
        (root / "product_info" / "en-US.j2").read_text(encoding="utf-8"), encoding="utf-8"
    )
    over = tmp_path / "accounts" / "acme_us" / "product_info"
    over.mkdir(parents=True)
    (over / "en-US.j2").write_text(
        '{% extends "product_info/en-US.j2" %}{% block subject %}Care guide, order {{ need("order_id") }}{% endblock %}'
    )
    ctx = context(3, "US")
    msg = render_message("product_info", "en-US", ctx, account_id="acme_us", templates_dir=tmp_path)
    assert msg.subject == f"Care guide, order {ctx['order_id']}" and "Hand wash only." in msg.body
    assert msg.template.endswith("accounts/acme_us/product_info/en-US.j2")
    other = render_message("product_info", "en-US", ctx, account_id="other", templates_dir=tmp_path)
    assert other.subject.startswith("Information about your order")


def test_sandbox_refuses_unsafe_templates(tmp_path: Path) -> None:
    (tmp_path / "product_info").mkdir()
    (tmp_path / "product_info" / "en-US.j2").write_text(
        "{% block subject %}x{% endblock %}{% block body %}{{ ''.__class__.__mro__ }}{% endblock %}"
    )
    with pytest.raises(RenderError):
        render_message("product_info", "en-US", context(1, "US"), templates_dir=tmp_path)


def test_locales() -> None:
    assert [locale_for_marketplace(m) for m in MARKETS] == list(LOCALES)
    assert choose_locale("DE", "en-GB") == "en-GB"
    assert choose_locale("US", "fr") == "fr-FR"
    assert choose_locale("ES", "en-CA") == "en-US"
    assert choose_locale("IT", "nl-NL") == "it-IT"
    with pytest.raises(ValueError):
        locale_for_marketplace("JP")
    with pytest.raises(RenderError, match="locale"):
        render_message("product_info", "nl-NL", context(1, "US"))


def test_include_dir_env(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BUYER_MESSAGING_INCLUDE", str(tmp_path))
    assert include_dir() == tmp_path.resolve()
    monkeypatch.delenv("BUYER_MESSAGING_INCLUDE")
    assert (include_dir() / "templates" / "README.md").is_file()
