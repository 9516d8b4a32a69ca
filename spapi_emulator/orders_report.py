"""GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL from the emulator's order ground truth.

The form is Amazon's (../shared/amazon-report-formats.md, from Amazon's documentation of the
order tracking reports): tab-separated, one row per order item, the documented 31-column
header; ISO 8601 timestamps with an offset; `item-status` spells `Cancelled` (the Orders API's
`Canceled`), and a line the seller cancelled inside a shipped order is `Cancelled` while the
order is shipped; `order-status` is compound once delivered (`Shipped - Delivered to Buyer`);
`Pending` orders carry no prices. No buyer-identifying data: ship-to city, state, postcode and
country only. Orders are those whose last update falls in the report's data range, as the
emulator's getOrders by LastUpdatedAfter/Before sees them at the report's creation.
`Emulator.all_orders_with_url`: the older files' header, with a `url` column after
`order-channel` (the documentation says to parse by name); its content is not documented, so
the emulator leaves it empty.
"""

from __future__ import annotations

import gzip
from datetime import datetime
from typing import TYPE_CHECKING

from .data import OrderFacts

if TYPE_CHECKING:
    from .app import Emulator

REPORT_TYPE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
COLUMNS = [
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "ship-service-level",
    "product-name", "sku", "asin", "item-status", "quantity", "currency", "item-price",
    "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax",
    "item-promotion-discount", "ship-promotion-discount", "ship-city", "ship-state",
    "ship-postal-code", "ship-country", "promotion-ids", "is-business-order",
    "purchase-order-number", "price-designation",
]  # fmt: skip


OLDER_COLUMNS = [*COLUMNS[:8], "url", *COLUMNS[8:]]


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _order_status(facts: OrderFacts, now: datetime) -> str:
    status, _ = facts.status_at(now)
    if status == "Canceled":
        return "Cancelled"
    if status == "Shipped" and facts.delivered_at is not None and facts.delivered_at <= now:
        return "Shipped - Delivered to Buyer"
    return status


def _item_status(facts: OrderFacts, line: int, now: datetime) -> str:
    status, _ = facts.status_at(now)
    item = facts.items[line]
    if status in ("Canceled", "Pending"):
        return "Cancelled" if status == "Canceled" else "Pending"
    if item.shipped_at is not None and item.shipped_at <= now:
        # a cancelled line's time is when the rest shipped and the seller cancelled it
        return "Cancelled" if item.cancelled else "Shipped"
    return "Unshipped"


def order_rows(facts: OrderFacts, now: datetime) -> list[list[str]]:
    status, updated = facts.status_at(now)
    priced = status != "Pending"
    rows = []
    for line, item in enumerate(facts.items):
        price = item.unit_price * item.quantity
        usd = facts.currency == "USD"
        rows.append([
            facts.amazon_order_id, "", _time(facts.purchase), _time(updated),
            _order_status(facts, now), "Amazon" if facts.fulfillment == "AFN" else "Merchant",
            facts.marketplace.sales_channel, "", facts.service_level,
            item.title, item.sku, item.asin, _item_status(facts, line, now), str(item.quantity),
            facts.currency if priced else "",
            f"{price:.2f}" if priced else "",
            f"{round(price * 0.08, 2) if usd else 0.0:.2f}" if priced else "",
            f"{facts.shipping_price if line == 0 else 0.0:.2f}" if priced else "",
            "0.00" if priced else "", "", "", "", "",
            facts.city, facts.state, facts.postal_code, facts.marketplace.country, "",
            "true" if facts.is_business else "false", "", "",
        ])  # fmt: skip
    return rows


# the columns whose values come from free text (titles, SKUs, places): the only ones a tab or
# a line break could reach; the others are ids, codes, numbers and timestamps it formats itself
_TEXT = frozenset(
    COLUMNS.index(c)
    for c in ("sales-channel", "ship-service-level", "product-name", "sku", "ship-city",
              "ship-state", "ship-postal-code")
)  # fmt: skip
_BREAKS = str.maketrans({"\t": " ", "\r": " ", "\n": " "})


def _clean(value: str) -> str:
    return value.translate(_BREAKS)


def _line(row: list[str]) -> str:
    return "\t".join(_clean(v) if n in _TEXT else v for n, v in enumerate(row))


def build_all_orders_document(
    emu: Emulator,
    start: datetime,
    end: datetime,
    markets: set[str],
    now: datetime,
    *,
    with_url: bool | None = None,
) -> tuple[bytes, int]:
    """(gzip document, rows): every item line of the orders last updated in [start, end]."""
    from .data import MAX_EVENT_LAG

    spec = {
        "mode": "updated", "after": start.isoformat(), "before": min(end, now).isoformat(),
        "markets": sorted(markets), "statuses": [], "channels": [], "ids": [], "max": 10**9,
    }  # fmt: skip
    position = ((start - MAX_EVENT_LAG).date(), 0)
    with_url = emu.all_orders_with_url if with_url is None else with_url
    lines = ["\t".join(OLDER_COLUMNS if with_url else COLUMNS)]
    count = 0
    while position is not None:
        found, position = emu.scan_orders(spec, position[0], position[1], now, 10**9)
        for facts in found:
            for row in order_rows(facts, now):
                line = _line(row)
                if with_url:  # the empty `url` after `order-channel`, the eighth column
                    cells = line.split("\t", 8)
                    line = "\t".join([*cells[:8], "", cells[8]])
                lines.append(line)
                count += 1
    return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0), count
