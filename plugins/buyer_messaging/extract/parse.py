"""Turn SP-API order JSON into staging rows; a bad record raises an error naming its field.

A record is checked for what Postgres can store (`records.storage_problem`), then against the
types Amazon's model declares (`models`), then for what staging needs (a known status and
marketplace, the marketplace's currency); what is left cannot fail in SQL."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any, TypeVar

from buyer_messaging.extract import models, records
from buyer_messaging.marketplaces import BY_ID

if TYPE_CHECKING:
    from pydantic import BaseModel

T = TypeVar("T", bound="BaseModel")
_INDEX = re.compile(r"\[(\d+)\]")

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


Reject = tuple[str, str, Any]  # (record key, reason naming the field, what is kept of the record)


def rejection(err: RecordError, raw: Any) -> Reject:
    """What staging.rejected_records keeps of a record `err` rejected: no buyer PII, storable."""
    return err.record_key, records.mask_emails(str(err)), records.kept(raw)


def checked(model: type[T], raw: Any, key: str, *, prefix: str = "") -> T:
    """`raw` as `model`, or a RecordError naming the record and the field."""
    from pydantic import ValidationError

    try:
        return model.model_validate(raw)
    except ValidationError as err:
        field, problem = models.first_problem(err, prefix)
        raise RecordError(key, field, problem) from None


def storable(raw: Any, key: str, *, prefix: str = "") -> None:
    found = records.storage_problem(raw)
    if found is not None:
        path, problem = found
        entries = _INDEX.findall(path)
        if entries:  # named like the model's errors: orderItems[].title (entry 2)
            path, problem = _INDEX.sub("[]", path), f"{problem} (entry {', '.join(entries)})"
        raise RecordError(key, f"{prefix}{path}" if path != "(record)" else path, problem)


def buyer_hash(email: str | None, salt: str) -> str | None:
    if not email:
        return None
    return hashlib.sha256(f"{salt}:{email.strip().lower()}".encode()).hexdigest()


def parse_order(
    raw: Any, account_id: str, *, salt: str = "", check_storable: bool = True
) -> dict[str, Any]:
    """The staging.orders row of a v0 Order; RecordError (naming the field) when it is not one."""
    key = records.record_key(raw, "AmazonOrderId")
    if not isinstance(raw, dict):
        raise RecordError(key, "(record)", f"not a JSON object but {records.short(raw)}")
    if check_storable:
        storable(raw, key)
    order = checked(models.OrderV0, raw, key)
    if order.OrderStatus not in ORDER_STATUSES:
        raise RecordError(key, "OrderStatus", f"unknown status {records.short(order.OrderStatus)}")
    marketplace = BY_ID.get(order.MarketplaceId or "")
    if marketplace is None:
        raise RecordError(
            key, "MarketplaceId", f"unknown marketplace {records.short(order.MarketplaceId)}"
        )
    total = order.OrderTotal.Amount if order.OrderTotal else None
    currency = order.OrderTotal.CurrencyCode if order.OrderTotal else None
    if currency and currency != marketplace.currency:
        raise RecordError(
            key,
            "OrderTotal.CurrencyCode",
            f"{records.short(currency)} is not the currency of marketplace {marketplace.code} ({marketplace.currency})",
        )
    return {
        "account_id": account_id,
        "amazon_order_id": order.AmazonOrderId,
        "marketplace_id": marketplace.marketplace_id,
        "marketplace": marketplace.code,
        "order_status": order.OrderStatus,
        "fulfillment_channel": order.FulfillmentChannel,
        "purchase_date": order.PurchaseDate,
        "last_update_date": order.LastUpdateDate,
        "earliest_ship_date": order.EarliestShipDate,
        "latest_ship_date": order.LatestShipDate,
        "earliest_delivery_date": order.EarliestDeliveryDate,
        "latest_delivery_date": order.LatestDeliveryDate,
        "order_total": total,
        "currency": currency or marketplace.currency,
        "is_prime": order.IsPrime,
        "number_of_items_shipped": order.NumberOfItemsShipped,
        "number_of_items_unshipped": order.NumberOfItemsUnshipped,
        "buyer_hash": buyer_hash(order.BuyerInfo.BuyerEmail if order.BuyerInfo else None, salt),
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


def parse_item(
    raw: Any,
    account_id: str,
    order_id: str,
    *,
    entry: int | None = None,
    check_storable: bool = True,
) -> dict[str, Any]:
    """The staging.order_items row of a v0 OrderItem of order `order_id` (already validated)."""
    where = f" (entry {entry})" if entry is not None else ""
    if not isinstance(raw, dict):
        raise RecordError(
            order_id, "OrderItems[]", f"not a JSON object but {records.short(raw)}{where}"
        )
    try:
        if check_storable:
            storable(raw, order_id, prefix="OrderItems[].")
        item = checked(models.OrderItemV0, raw, order_id, prefix="OrderItems[].")
    except RecordError as err:
        raise RecordError(order_id, err.field, err.problem + where) from None
    return {
        "account_id": account_id,
        "amazon_order_id": order_id,
        "order_item_id": item.OrderItemId,
        "asin": item.ASIN,
        "seller_sku": item.SellerSKU,
        "title": item.Title,
        "quantity_ordered": item.QuantityOrdered,
        "quantity_shipped": item.QuantityShipped,
        "item_price": item.ItemPrice.Amount if item.ItemPrice else None,
        "currency": item.ItemPrice.CurrencyCode if item.ItemPrice else None,
        "raw": raw,
    }


def unique_items(
    order_id: str, items: list[dict[str, Any]], field: str = "OrderItems[].OrderItemId"
) -> None:
    """An order listing one item id twice is not an order staging can hold (its key repeats)."""
    seen: set[str] = set()
    for item in items:
        if item["order_item_id"] in seen:
            raise RecordError(
                order_id, field, f"{records.short(item['order_item_id'])} appears twice"
            )
        seen.add(item["order_item_id"])
