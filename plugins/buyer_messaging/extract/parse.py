"""Turn SP-API order JSON into staging rows; a bad record raises an error naming its field."""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from buyer_messaging.marketplaces import BY_ID

ORDER_STATUSES = frozenset(
    {
        "Pending", "Unshipped", "PartiallyShipped", "Shipped", "Canceled", "Unfulfillable",
        "InvoiceUnconfirmed", "PendingAvailability",
    }
)  # fmt: skip


class RecordError(ValueError):
    def __init__(self, record_key: str, field: str, problem: str) -> None:
        super().__init__(f"order {record_key}: field {field}: {problem}")
        self.record_key = record_key
        self.field = field
        self.problem = problem


def _timestamp(raw: dict[str, Any], key: str, field: str, *, required: bool) -> datetime | None:
    value = raw.get(field)
    if value in (None, ""):
        if required:
            raise RecordError(key, field, "missing")
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(key, field, f"not an ISO 8601 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise RecordError(key, field, f"timestamp without a time zone: {value!r}")
    return parsed


def _money(raw: dict[str, Any] | None, key: str, field: str) -> tuple[Decimal | None, str | None]:
    if not raw:
        return None, None
    try:
        return Decimal(str(raw["Amount"])), raw.get("CurrencyCode")
    except (KeyError, InvalidOperation):
        raise RecordError(key, field, f"not a Money object: {raw!r}") from None


def buyer_hash(email: str | None, salt: str) -> str | None:
    if not email:
        return None
    return hashlib.sha256(f"{salt}:{email.strip().lower()}".encode()).hexdigest()


def parse_order(raw: dict[str, Any], account_id: str, *, salt: str = "") -> dict[str, Any]:
    key = raw.get("AmazonOrderId")
    if not key or not isinstance(key, str):
        raise RecordError("?", "AmazonOrderId", "missing")
    status = raw.get("OrderStatus")
    if status not in ORDER_STATUSES:
        raise RecordError(key, "OrderStatus", f"unknown status {status!r}")
    marketplace = BY_ID.get(raw.get("MarketplaceId", ""))
    if marketplace is None:
        raise RecordError(key, "MarketplaceId", f"unknown marketplace {raw.get('MarketplaceId')!r}")
    total, currency = _money(raw.get("OrderTotal"), key, "OrderTotal")
    if currency and currency != marketplace.currency:
        raise RecordError(
            key,
            "OrderTotal.CurrencyCode",
            f"{currency} is not the currency of marketplace {marketplace.code} ({marketplace.currency})",
        )
    email = (raw.get("BuyerInfo") or {}).get("BuyerEmail")
    return {
        "account_id": account_id,
        "amazon_order_id": key,
        "marketplace_id": marketplace.marketplace_id,
        "marketplace": marketplace.code,
        "order_status": status,
        "fulfillment_channel": raw.get("FulfillmentChannel"),
        "purchase_date": _timestamp(raw, key, "PurchaseDate", required=True),
        "last_update_date": _timestamp(raw, key, "LastUpdateDate", required=True),
        "earliest_ship_date": _timestamp(raw, key, "EarliestShipDate", required=False),
        "latest_ship_date": _timestamp(raw, key, "LatestShipDate", required=False),
        "earliest_delivery_date": _timestamp(raw, key, "EarliestDeliveryDate", required=False),
        "latest_delivery_date": _timestamp(raw, key, "LatestDeliveryDate", required=False),
        "order_total": total,
        "currency": currency or marketplace.currency,
        "is_prime": raw.get("IsPrime"),
        "number_of_items_shipped": raw.get("NumberOfItemsShipped"),
        "number_of_items_unshipped": raw.get("NumberOfItemsUnshipped"),
        "buyer_hash": buyer_hash(email, salt),
        "raw": _without_pii(raw),
    }


def _without_pii(raw: dict[str, Any]) -> dict[str, Any]:
    """Staging keeps the order as Amazon sent it, minus the buyer's e-mail (hashed above) and
    phone; the name and delivery address messages quote stay until the retention purge."""
    kept = {k: v for k, v in raw.items() if k not in ("BuyerInfo", "ShippingAddress")}
    name = (raw.get("BuyerInfo") or {}).get("BuyerName")
    if name:
        kept["BuyerInfo"] = {"BuyerName": name}
    address = raw.get("ShippingAddress")
    if isinstance(address, dict) and address.get("AddressLine1"):
        kept["ShippingAddress"] = {k: v for k, v in address.items() if k != "Phone"}
    return kept


def without_any_pii(raw: dict[str, Any]) -> dict[str, Any]:
    """A rejected v0 record as kept in staging.rejected_records: no buyer data at all."""
    return {k: v for k, v in raw.items() if k not in ("BuyerInfo", "ShippingAddress")}


def parse_item(raw: dict[str, Any], account_id: str, order_id: str) -> dict[str, Any]:
    item_id = raw.get("OrderItemId")
    if not item_id:
        raise RecordError(order_id, "OrderItems[].OrderItemId", "missing")
    price, currency = _money(raw.get("ItemPrice"), order_id, "OrderItems[].ItemPrice")
    return {
        "account_id": account_id,
        "amazon_order_id": order_id,
        "order_item_id": item_id,
        "asin": raw.get("ASIN"),
        "seller_sku": raw.get("SellerSKU"),
        "title": raw.get("Title"),
        "quantity_ordered": raw.get("QuantityOrdered"),
        "quantity_shipped": raw.get("QuantityShipped"),
        "item_price": price,
        "currency": currency,
        "raw": raw,
    }
