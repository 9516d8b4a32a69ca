"""The marketplaces we run in: ids, regions, currencies, languages and local time zones."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Marketplace:
    code: str
    marketplace_id: str
    region: str
    endpoint: str
    currency: str
    locale: str
    timezone: str
    country: str


_NA = "https://sellingpartnerapi-na.amazon.com"
_EU = "https://sellingpartnerapi-eu.amazon.com"

MARKETPLACES: dict[str, Marketplace] = {
    m.code: m
    for m in (
        Marketplace(
            "US", "ATVPDKIKX0DER", "us-east-1", _NA, "USD", "en-US", "America/Los_Angeles", "US"
        ),
        Marketplace(
            "GB", "A1F83G8C2ARO7P", "eu-west-1", _EU, "GBP", "en-GB", "Europe/London", "GB"
        ),
        Marketplace("FR", "A13V1IB3VIYZZH", "eu-west-1", _EU, "EUR", "fr-FR", "Europe/Paris", "FR"),
        Marketplace(
            "DE", "A1PA6795UKMFR9", "eu-west-1", _EU, "EUR", "de-DE", "Europe/Berlin", "DE"
        ),
        Marketplace(
            "ES", "A1RKKUPIHCS9HS", "eu-west-1", _EU, "EUR", "es-ES", "Europe/Madrid", "ES"
        ),
        Marketplace("IT", "APJ6JRA9NG5V4", "eu-west-1", _EU, "EUR", "it-IT", "Europe/Rome", "IT"),
    )
}
BY_ID: dict[str, Marketplace] = {m.marketplace_id: m for m in MARKETPLACES.values()}


def marketplace(code: str) -> Marketplace:
    try:
        return MARKETPLACES[code]
    except KeyError:
        raise ValueError(
            f"unknown marketplace {code!r}; expected one of {', '.join(MARKETPLACES)}"
        ) from None
