"""Known facts: the values the renderer put into a message (order id, item titles, tracking
numbers, address), found in its normalised text.

A product called "5 Stars Deluxe" or an address on "Via Roma 12, 00184 Roma" is the order's
own data, not the seller's words: product titles, addresses and names are blanked before the
phrase rules run (letters and digits become ``x``, so the text keeps its shape: "2 x <title>"
still states an item), and tracking numbers are known not to be phone numbers.

``facts`` is a mapping; a key naming a tracking number (``tracking_number(s)``), an order id
(``order_id``) or text to blank (``item_titles``, ``titles``, ``items``, ``address``,
``seller_name``, …) takes a string, a list of strings, or objects (an item's ``title``).
Other keys (``carrier``) are left alone: they are what a rule looks for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

_BLANK_KEYS = re.compile(r"title|item|product|address|street|city|name|sku|asin|model|part")
_TRACKING_KEYS = re.compile(r"track")
_ORDER_KEYS = re.compile(r"order")
_WORD_CHAR = re.compile(r"\w")
MIN_LEN = 3  # shorter values ("A", "12") would blank ordinary words


@dataclass(frozen=True)
class Known:
    masked: str  # the normalised text with blanked facts
    tracking_spans: list[tuple[int, int]] = field(default_factory=list)
    order_ids: tuple[str, ...] = ()


def _strings(value: Any, key: str) -> Iterator[tuple[str, str]]:
    """(key, string) pairs of a fact value: strings, numbers, lists and objects."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield key, str(value)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, key)
    elif isinstance(value, dict):
        for sub, item in value.items():
            yield from _strings(item, f"{key}.{str(sub).lower()}")


def _spans(norm: str, needle: str) -> Iterator[tuple[int, int]]:
    start = norm.find(needle)
    while start >= 0:
        yield start, start + len(needle)
        start = norm.find(needle, start + len(needle))


def find_known(norm: str, facts: object, normalize: Callable[[str], str]) -> Known:
    """`normalize`: the linter's own (lint.text.normalize), so a fact is found in the text as
    the text was normalised (passed in: lint.text calls this module)."""
    if not facts or not isinstance(facts, dict):
        return Known(norm)
    blank: list[tuple[int, int]] = []
    tracking: list[tuple[int, int]] = []
    orders: list[str] = []
    for key, value in facts.items():
        for name, raw in _strings(value, str(key).lower()):
            text = normalize(raw).strip()
            if len(text) < MIN_LEN:
                continue
            if "carrier" in name:
                continue
            if _TRACKING_KEYS.search(name):
                # as given or in groups: "02079460958" is also "0207 946 0958"
                compact = re.sub(r"[\s-]", "", text)
                grouped = r"[ \-]?".join(re.escape(c) for c in compact)
                tracking += [m.span() for m in re.finditer(grouped, norm)]
            elif _ORDER_KEYS.search(name) and not _BLANK_KEYS.search(name.split(".")[-1]):
                orders.append(text)
            elif _BLANK_KEYS.search(name):
                blank += _spans(norm, text)
    if not blank:
        return Known(norm, sorted(tracking), tuple(orders))
    chars = list(norm)
    for start, end in blank:
        for i in range(start, end):
            if _WORD_CHAR.match(chars[i]):
                chars[i] = "x"
    return Known("".join(chars), sorted(tracking), tuple(orders))
