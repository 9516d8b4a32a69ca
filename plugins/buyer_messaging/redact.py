"""Buyer PII out of free text: e-mail addresses always, and an order's known buyer values.

Error texts come from relays, Amazon and our own linter, and quote what they saw (an SMTP
relay names the refused recipient, a lint verdict quotes the body). They are kept for
operators and shown in reporting.message_log and the dashboard, so they are scrubbed where
they are written, and again by the purge for rows written before this existed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# Kept POSIX-compatible so the purge can apply the very same pattern in Postgres.
EMAIL_PATTERN = r"[A-Za-z0-9._%+=-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
EMAIL_MARK = "[e-mail removed]"
VALUE_MARK = "[buyer data removed]"
_EMAIL = re.compile(EMAIL_PATTERN)

# Where Amazon puts the buyer in an order (ordersV0.json Order: BuyerInfo, ShippingAddress,
# BuyerTaxInformation; orders_2026-01-01.json Order: buyer, recipient) and in an order item
# (ordersV0.json OrderItem: BuyerInfo with the gift message, BuyerRequestedCancel).
ORDER_PII_KEYS = ("BuyerInfo", "ShippingAddress", "BuyerTaxInformation", "buyer", "recipient")
ITEM_PII_KEYS = ("BuyerInfo", "BuyerRequestedCancel")
# shorter values (country codes, "US", gift-wrap levels) would scrub innocent words
MIN_VALUE_LENGTH = 4


def scrub(text: str | None, values: Iterable[str] = ()) -> str | None:
    """`text` without e-mail addresses and without any of `values` (case-insensitive)."""
    if not text:
        return text
    words = sorted({v for v in values if len(v) >= MIN_VALUE_LENGTH}, key=len, reverse=True)
    if words:
        text = re.sub("|".join(map(re.escape, words)), VALUE_MARK, text, flags=re.IGNORECASE)
    return _EMAIL.sub(EMAIL_MARK, text)


def buyer_values(raw: Any, keys: Iterable[str] = ORDER_PII_KEYS) -> set[str]:
    """Every string under the buyer's fields of a raw order (or item): name, e-mail, address."""
    found: set[str] = set()
    if isinstance(raw, dict):
        for key in keys:
            _strings(raw.get(key), found)
    return {v for v in found if len(v) >= MIN_VALUE_LENGTH}


def _strings(node: Any, into: set[str]) -> None:
    if isinstance(node, str):
        into.add(node.strip())
    elif isinstance(node, dict):
        for value in node.values():
            _strings(value, into)
    elif isinstance(node, list):
        for value in node:
            _strings(value, into)


def scrub_tree(node: Any, values: Iterable[str] = ()) -> Any:
    """`scrub` applied to every string of a JSON-like value (an API answer)."""
    values = list(values)
    if isinstance(node, str):
        return scrub(node, values)
    if isinstance(node, dict):
        return {k: scrub_tree(v, values) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [scrub_tree(v, values) for v in node]
    return node
