"""Carrier display names for shipment confirmations, declared once.

Amazon's packages (Orders API 2026-01-01 `OrderPackage.carrier`, v0 `PackageDetail.carrierCode`)
carry the carrier as a code. Most of Amazon's carrier codes are already the carrier's own name
("UPS", "Royal Mail", "DHL"); Amazon's own delivery networks are codes a buyer would not
recognise. Source of the names: Seller Central's shipping-confirmation carrier list ("Amazon
Logistics" is how Amazon names AMZN_US/AMZN_UK/... to buyers in Your Orders tracking pages).
"""

from __future__ import annotations

CARRIER_NAMES: dict[str, str] = {
    "AMZN_US": "Amazon Logistics",
    "AMZN_UK": "Amazon Logistics",
    "AMZN_DE": "Amazon Logistics",
    "AMZN_FR": "Amazon Logistics",
    "AMZN_ES": "Amazon Logistics",
    "AMZN_IT": "Amazon Logistics",
    "AMZL": "Amazon Logistics",
    "AMAZON_SHIPPING": "Amazon Shipping",
    "FEDEX": "FedEx",
    "DHL_EXPRESS": "DHL Express",
    "ROYAL_MAIL": "Royal Mail",
    "POSTE_ITALIANE": "Poste Italiane",
}


def carrier_name(code: str | None) -> str | None:
    """The name a buyer knows the carrier by; an unknown code is shown as Amazon gave it."""
    if not code:
        return None
    return CARRIER_NAMES.get(code.strip().upper(), code.strip())
