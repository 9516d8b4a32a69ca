"""The six marketplaces the emulator sells in, with the facts Amazon attaches to them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Marketplace:
    code: str
    marketplace_id: str
    currency: str
    locale: str  # the marketplace's default language, as GetAttributes spells it
    country: str
    sales_channel: str
    email_domain: str
    order_prefixes: tuple[str, ...]  # first group of the 3-7-7 AmazonOrderId


MARKETPLACES: dict[str, Marketplace] = {
    m.code: m
    for m in (
        Marketplace(
            "US",
            "ATVPDKIKX0DER",
            "USD",
            "en-US",
            "US",
            "Amazon.com",
            "marketplace.amazon.com",
            ("111", "112", "113", "114"),
        ),
        Marketplace(
            "GB",
            "A1F83G8C2ARO7P",
            "GBP",
            "en-GB",
            "GB",
            "Amazon.co.uk",
            "marketplace.amazon.co.uk",
            ("202", "203", "204", "205", "206"),
        ),
        Marketplace(
            "FR",
            "A13V1IB3VIYZZH",
            "EUR",
            "fr-FR",
            "FR",
            "Amazon.fr",
            "marketplace.amazon.fr",
            ("402", "403", "404", "405", "407"),
        ),
        Marketplace(
            "DE",
            "A1PA6795UKMFR9",
            "EUR",
            "de-DE",
            "DE",
            "Amazon.de",
            "marketplace.amazon.de",
            ("302", "303", "304", "305", "306"),
        ),
        Marketplace(
            "ES",
            "A1RKKUPIHCS9HS",
            "EUR",
            "es-ES",
            "ES",
            "Amazon.es",
            "marketplace.amazon.es",
            ("171", "402", "403", "404", "406"),
        ),
        Marketplace(
            "IT",
            "APJ6JRA9NG5V4",
            "EUR",
            "it-IT",
            "IT",
            "Amazon.it",
            "marketplace.amazon.it",
            ("171", "402", "403", "405", "408"),
        ),
    )
}

BY_ID: dict[str, Marketplace] = {m.marketplace_id: m for m in MARKETPLACES.values()}


def resolve(codes: list[str] | tuple[str, ...] | str | None) -> tuple[Marketplace, ...]:
    """Marketplaces from codes ("US") or ids ("ATVPDKIKX0DER"); a comma string is split."""
    if codes is None:
        codes = ["US"]
    if isinstance(codes, str):
        codes = [c for c in codes.split(",") if c.strip()]
    out = []
    for code in codes:
        key = code.strip()
        market = MARKETPLACES.get(key.upper()) or BY_ID.get(key)
        if market is None:
            raise ValueError(f"unknown marketplace {code!r}; known: {', '.join(MARKETPLACES)}")
        if market not in out:
            out.append(market)
    if not out:
        raise ValueError("at least one marketplace is needed")
    return tuple(out)
