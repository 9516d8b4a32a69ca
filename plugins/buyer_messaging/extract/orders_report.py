"""Item lines of Amazon's all-orders report, as staging.order_items rows.

GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL (../shared/amazon-report-formats.md, from
Amazon's documentation of the order tracking reports): tab-separated, one row per order item,
31 columns read by name (older files carry a `url` column after `order-channel`); timestamps
ISO 8601 with an offset; `item-status` spells `Cancelled` where the Orders API spells
`Canceled`, and a line can be cancelled inside a shipped order; `order-status` can be compound
(`Shipped - Delivered to Buyer`). It carries no buyer-identifying data, and the ship-to city,
state, postcode and country are not kept.

The report has no OrderItemId: a line is keyed by its SKU (`sku:<sku>`, `#2`... when an order
lists a SKU twice). An order's lines replace its staged items as a whole, so these keys never
mix with getOrderItems' ids within one order.

`orders_in_document` also reads the orders themselves (extract/report_first.py): the report's
spellings are mapped to the Orders API's here, in `STATUS_OF`, `compound_status` and
`CHANNEL_OF`, and nowhere else. What the report does not carry (the buyer, the delivery window,
LatestShipDate, IsPrime, OrderTotal) stays NULL in such a row, and `details_from` says so.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from buyer_messaging.extract import records
from buyer_messaging.extract.parse import ORDER_STATUSES, RecordError, Reject, rejection
from buyer_messaging.extract.returns import report_spans

# a line's `source` in staging is the report's type: one name for both (extract/store.py)
from buyer_messaging.extract.store import REPORT_LINE as REPORT_TYPE
from buyer_messaging.marketplaces import BY_ID

REPORT_SPAN = timedelta(days=30)  # one all-orders report per 30 days of a window
# Amazon's documented header (the source named above), in its order
COLUMNS = (
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "ship-service-level",
    "product-name", "sku", "asin", "item-status", "quantity", "currency", "item-price",
    "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax",
    "item-promotion-discount", "ship-promotion-discount", "ship-city", "ship-state",
    "ship-postal-code", "ship-country", "promotion-ids", "is-business-order",
    "purchase-order-number", "price-designation",
)  # fmt: skip
REQUIRED = ("amazon-order-id", "last-updated-date", "sku", "asin", "item-status", "quantity")
# what a staged line keeps of its row (no ship-to fields)
KEPT = (
    "order-status", "last-updated-date", "item-status", "quantity", "item-price", "currency",
    "product-name", "sku", "asin", "fulfillment-channel", "sales-channel",
)  # fmt: skip
CANCELLED = "Cancelled"  # the report's spelling
# The report's order statuses and channels in the Orders API's words (source: module
# docstring). A compound status (`Shipped - Delivered to Buyer`, `Shipped - Returned to
# Seller`, ...) is a shipped order: the Orders API says `Shipped` for all of them.
STATUS_OF = {CANCELLED: "Canceled"}
SHIPPED_PREFIX = "Shipped - "
CHANNEL_OF = {"Amazon": "AFN", "Merchant": "MFN"}
# what an order row keeps of its first line in `raw` (no ship-to fields, no buyer)
ORDER_KEPT = (
    "order-status", "purchase-date", "last-updated-date", "fulfillment-channel", "sales-channel",
    "ship-service-level", "is-business-order",
)  # fmt: skip


class UnreadableOrdersReport(ValueError):
    """The document lacks a column we cannot do without: no row of it can be staged."""


def _cell(row: dict[str, str], column: str) -> str:
    return (row.get(column) or "").strip()


def _timestamp(row: dict[str, str], key: str, column: str) -> datetime:
    value = _cell(row, column)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(key, column, f"not an ISO 8601 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise RecordError(key, column, f"timestamp without an offset: {value!r}")
    return parsed


def _quantity(row: dict[str, str], key: str) -> int:
    value = _cell(row, "quantity")
    try:
        quantity = int(value)
    except ValueError:
        raise RecordError(key, "quantity", f"not a whole number: {value!r}") from None
    if not 0 <= quantity < 2**31:
        raise RecordError(key, "quantity", f"out of range: {value!r}")
    return quantity


def _price(row: dict[str, str], key: str) -> Decimal | None:
    value = _cell(row, "item-price")
    if not value:
        return None  # Amazon prices an order once payment is authorised (Pending: none)
    try:
        price = Decimal(value)
    except InvalidOperation:
        raise RecordError(key, "item-price", f"not an amount: {value!r}") from None
    if not price.is_finite() or abs(price) >= 10**12:
        raise RecordError(key, "item-price", f"out of range: {value!r}")
    return price


def parse_line(row: dict[str, str], account_id: str) -> dict[str, Any]:
    """A staging.order_items row (order_item_id still the bare `sku:` key); RecordError names
    the order and the report's column."""
    key = _cell(row, "amazon-order-id") or "?"
    found = records.storage_problem(row)
    if found is not None:
        raise RecordError(key, *found)
    if key == "?":
        raise RecordError(key, "amazon-order-id", "missing")
    _timestamp(row, key, "last-updated-date")
    sku, asin = _cell(row, "sku"), _cell(row, "asin")
    if not sku and not asin:
        raise RecordError(key, "sku", "missing, and no asin either")
    quantity = _quantity(row, key)
    status = _cell(row, "item-status")
    return {
        "account_id": account_id,
        "amazon_order_id": key,
        "order_item_id": f"sku:{sku}" if sku else f"asin:{asin}",
        "asin": asin or None,
        "seller_sku": sku or None,
        "title": _cell(row, "product-name") or None,
        "quantity_ordered": quantity,
        "quantity_shipped": quantity if status == "Shipped" else 0,
        "item_price": _price(row, key),
        "currency": _cell(row, "currency") or None,
        "raw": {"source": REPORT_TYPE, **{c: _cell(row, c) for c in KEPT if c in row}},
    }


def spans(window: tuple[datetime, datetime]) -> list[tuple[datetime, datetime]]:
    """The window cut into the spans one all-orders report each covers, in order."""
    return report_spans(window, REPORT_SPAN)


def read_lines(text: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str] | None]]]:
    """(header, rows by name); a row whose width is not the header's comes as None."""
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = [name.strip().lstrip("\ufeff") for name in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if header and missing:
        raise UnreadableOrdersReport(
            f"{REPORT_TYPE}: no column {', '.join(missing)} in the header"
            f" ({len(header)} columns, first {', '.join(header[:4])})"
        )

    def rows() -> Iterator[tuple[int, dict[str, str] | None]]:
        for line, cells in enumerate(reader, start=2):
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                yield line, None
            else:
                yield line, dict(zip(header, cells, strict=True))

    return header, rows()


def _line_rejection(err: RecordError, row: dict[str, str]) -> Reject:
    kept = {c: row.get(c) for c in KEPT if c in row}
    return rejection(err, {"amazon-order-id": row.get("amazon-order-id"), **kept})


def _add_line(lines: list[dict[str, Any]], item: dict[str, Any]) -> None:
    """Append an order's item line; a second line with the same key (an order that lists a SKU
    twice) gets `#2`, `#3`... so each keeps its own row."""
    base = item["order_item_id"]
    twice = sum(1 for i in lines if i["order_item_id"].split("#")[0] == base)
    if twice:
        item["order_item_id"] = f"{base}#{twice + 1}"
    lines.append(item)


def _short_row(line: int) -> Reject:
    err = RecordError(f"line-{line}", "(row)", "not as many columns as the header")
    return rejection(err, {"line": line})


def items_by_order(
    text: str, account_id: str
) -> tuple[dict[str, list[dict[str, Any]]], list[Reject]]:
    """Every order's item lines in the document, and the lines rejected (an order with a
    rejected line is left out whole: half its items would read as a smaller order)."""
    _, rows = read_lines(text)
    orders: dict[str, list[dict[str, Any]]] = {}
    rejects: list[Reject] = []
    bad: set[str] = set()
    for line, row in rows:
        if row is None:
            rejects.append(_short_row(line))
            continue
        try:
            item = parse_line(row, account_id)
        except RecordError as err:
            rejects.append(_line_rejection(err, row))
            bad.add(err.record_key)
            continue
        _add_line(orders.setdefault(item["amazon_order_id"], []), item)
    for key in bad:
        orders.pop(key, None)
    return orders, rejects


def compound_status(value: str, key: str) -> str:
    """The Orders API's OrderStatus for the report's `order-status`; RecordError if unknown."""
    status = "Shipped" if value.startswith(SHIPPED_PREFIX) else STATUS_OF.get(value, value)
    if status not in ORDER_STATUSES:
        raise RecordError(key, "order-status", f"unknown status {records.short(value)}")
    return status


def parse_order_row(row: dict[str, str], account_id: str, marketplace_id: str) -> dict[str, Any]:
    """The staging.orders row of a report line's order (its first line; the report is asked
    for one marketplace, the account's). Columns the report lacks are None; RecordError names
    the order and the report's column."""
    key = _cell(row, "amazon-order-id") or "?"
    marketplace = BY_ID.get(marketplace_id)
    if marketplace is None:
        raise ValueError(f"unknown marketplace id {marketplace_id!r}")
    channel = _cell(row, "fulfillment-channel")
    if channel and channel not in CHANNEL_OF:
        raise RecordError(key, "fulfillment-channel", f"unknown channel {records.short(channel)}")
    currency = _cell(row, "currency")
    if currency and currency != marketplace.currency:
        raise RecordError(
            key,
            "currency",
            f"{records.short(currency)} is not the currency of marketplace {marketplace.code}"
            f" ({marketplace.currency})",
        )
    return {
        "account_id": account_id,
        "amazon_order_id": key,
        "marketplace_id": marketplace.marketplace_id,
        "marketplace": marketplace.code,
        "order_status": compound_status(_cell(row, "order-status"), key),
        "fulfillment_channel": CHANNEL_OF.get(channel),
        "purchase_date": _timestamp(row, key, "purchase-date"),
        "last_update_date": _timestamp(row, key, "last-updated-date"),
        "earliest_ship_date": None,
        "latest_ship_date": None,
        "earliest_delivery_date": None,
        "latest_delivery_date": None,
        "order_total": None,
        "currency": marketplace.currency,
        "is_prime": None,
        "number_of_items_shipped": None,
        "number_of_items_unshipped": None,
        "buyer_hash": None,
        "raw": {"source": REPORT_TYPE, **{c: _cell(row, c) for c in ORDER_KEPT if c in row}},
    }


ReportOrder = tuple[dict[str, Any], list[dict[str, Any]]]  # (staging.orders row, its items)


def orders_in_document(
    text: str, account_id: str, marketplace_id: str
) -> tuple[list[ReportOrder], list[Reject]]:
    """Every order of the document with its item lines, in the order the document first names
    them (a re-read of the same document gives the same list: a resumed load skips what it
    committed by position), and the lines rejected. An order with a rejected line, or whose
    lines disagree on the order's own fields, is left out whole."""
    _, rows = read_lines(text)
    firsts: dict[str, dict[str, str]] = {}
    lines: dict[str, list[dict[str, Any]]] = {}
    rejects: list[Reject] = []
    bad: set[str] = set()
    for line, row in rows:
        if row is None:
            rejects.append(_short_row(line))
            continue
        key = _cell(row, "amazon-order-id")
        try:
            item = parse_line(row, account_id)
            first = firsts.setdefault(key, row)
            for column in ("purchase-date", "last-updated-date", "order-status"):
                if _cell(first, column) != _cell(row, column):
                    raise RecordError(key, column, "differs between the order's lines")
        except RecordError as err:
            rejects.append(_line_rejection(err, row))
            bad.add(err.record_key)
            continue
        _add_line(lines.setdefault(key, []), item)
    orders: list[ReportOrder] = []
    for key, first in firsts.items():
        if key in bad or key not in lines:
            continue
        try:
            orders.append((parse_order_row(first, account_id, marketplace_id), lines[key]))
        except RecordError as err:
            kept = {c: first.get(c) for c in ORDER_KEPT if c in first}
            rejects.append(rejection(err, {"amazon-order-id": key, **kept}))
    return orders, rejects
