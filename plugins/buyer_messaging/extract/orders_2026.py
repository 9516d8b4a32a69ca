"""Orders API 2026-01-01 (searchOrders) as an `OrderSource`: the same staging rows as v0.

searchOrders by lastUpdatedAfter/Before with includedData FULFILLMENT (status, channel, ship and
delivery windows, quantities), PROCEEDS (the order total), PACKAGES (carrier, tracking number,
ship time per package; merchant-fulfilled orders only), CANCELLATION (who cancelled which item
and why) and BUYER, for `buyer.buyerEmail`: the anonymised address is hashed with the account's
salt into `buyer_hash` (as v0 does with BuyerInfo.BuyerEmail) and never stored. Amazon's "Access
Orders PII" guide: v2026-01-01 needs no Restricted Data Token for PII (a restricted role
instead), and gives buyerEmail only for merchant-fulfilled orders (the model says so too), so
Amazon-fulfilled orders keep an empty buyer_hash on this API. The buyer's name (greeting) and
RECIPIENT's delivery address (shipment confirmations) stay in `raw`, without the phone, until
the retention purge removes `buyer` and `recipient`.

Each 2026 order is mapped to the v0 fields and parsed by `extract.parse` (one set of rules for
both APIs); errors name the 2026 field. `raw` keeps the 2026 order as Amazon sent it.
Fields only one API has: v0's ShipServiceLevel, PaymentMethod, IsBusinessOrder... live in v0's
`raw` only; 2026's packages land in `staging.shipments`. Items of a Pending order get no price,
as v0 gives none (Amazon prices them once payment is authorised).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from buyer_messaging.extract import models, records
from buyer_messaging.extract.order_pages import LISTED_BY, OrderPage, iso_utc, page_entries
from buyer_messaging.extract.parse import (
    RecordError,
    checked,
    parse_item,
    parse_order,
    rejection,
    storable,
    unique_items,
)
from buyer_messaging.spapi.calls import SpApiCaller

if TYPE_CHECKING:
    from sp_api.base import Client

log = logging.getLogger(__name__)

INCLUDED_DATA = ("FULFILLMENT", "PROCEEDS", "PACKAGES", "CANCELLATION", "BUYER", "RECIPIENT")
PAGE_SIZE = 100
STATUS_V0 = {
    "PENDING": "Pending", "UNSHIPPED": "Unshipped", "PARTIALLY_SHIPPED": "PartiallyShipped",
    "SHIPPED": "Shipped", "CANCELLED": "Canceled", "PENDING_AVAILABILITY": "PendingAvailability",
    "UNFULFILLABLE": "Unfulfillable",
}  # fmt: skip
CHANNEL_V0 = {"AMAZON": "AFN", "MERCHANT": "MFN"}
# v0 field (as parse.py names it in errors) -> where it comes from in a 2026 order
FIELD_2026 = {
    "AmazonOrderId": "orderId",
    "OrderStatus": "fulfillment.fulfillmentStatus",
    "MarketplaceId": "salesChannel.marketplaceId",
    "PurchaseDate": "createdTime",
    "LastUpdateDate": "lastUpdatedTime",
    "EarliestShipDate": "fulfillment.shipByWindow.earliestDateTime",
    "LatestShipDate": "fulfillment.shipByWindow.latestDateTime",
    "EarliestDeliveryDate": "fulfillment.deliverByWindow.earliestDateTime",
    "LatestDeliveryDate": "fulfillment.deliverByWindow.latestDateTime",
    "OrderTotal": "proceeds.grandTotal",
    "OrderTotal.Amount": "proceeds.grandTotal.amount",
    "OrderTotal.CurrencyCode": "proceeds.grandTotal.currencyCode",
    "NumberOfItemsShipped": "orderItems[].fulfillment.quantityFulfilled",
    "NumberOfItemsUnshipped": "orderItems[].fulfillment.quantityUnfulfilled",
    "OrderItems[].OrderItemId": "orderItems[].orderItemId",
    "OrderItems[].ItemPrice": "orderItems[].product.price.unitPrice",
    "OrderItems[].ItemPrice.Amount": "orderItems[].product.price.unitPrice.amount",
}


def _get(node: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _money_v0(raw: Any) -> Any:
    """2026 Money {amount, currencyCode} -> v0 Money {Amount, CurrencyCode}; odd shapes kept for parse to reject."""
    if not raw:
        return None
    if isinstance(raw, dict) and "amount" in raw:
        return {"Amount": raw.get("amount"), "CurrencyCode": raw.get("currencyCode")}
    return raw


def _quantity_sum(items: list[dict[str, Any]], key: str) -> int | None:
    values = [_get(i, "fulfillment", key) for i in items]
    if not values or any(v is None for v in values):
        return None
    return sum(int(v) for v in values)


def as_v0_order(order: dict[str, Any]) -> dict[str, Any]:
    """A 2026 order under the v0 field names parse_order reads."""
    items = order.get("orderItems") or []
    status = _get(order, "fulfillment", "fulfillmentStatus")
    programs = order.get("programs")
    v0: dict[str, Any] = {
        "AmazonOrderId": order.get("orderId"),
        "OrderStatus": STATUS_V0.get(status, status) if isinstance(status, str) else status,
        "MarketplaceId": _get(order, "salesChannel", "marketplaceId"),
        "FulfillmentChannel": CHANNEL_V0.get(_get(order, "fulfillment", "fulfilledBy") or ""),
        "PurchaseDate": order.get("createdTime"),
        "LastUpdateDate": order.get("lastUpdatedTime"),
        "EarliestShipDate": _get(order, "fulfillment", "shipByWindow", "earliestDateTime"),
        "LatestShipDate": _get(order, "fulfillment", "shipByWindow", "latestDateTime"),
        "EarliestDeliveryDate": _get(order, "fulfillment", "deliverByWindow", "earliestDateTime"),
        "LatestDeliveryDate": _get(order, "fulfillment", "deliverByWindow", "latestDateTime"),
        "IsPrime": ("PRIME" in programs) if isinstance(programs, list) else None,
        "NumberOfItemsShipped": _quantity_sum(items, "quantityFulfilled"),
        "NumberOfItemsUnshipped": _quantity_sum(items, "quantityUnfulfilled"),
    }
    total = _money_v0(_get(order, "proceeds", "grandTotal"))
    if total is not None:
        v0["OrderTotal"] = total
    email = _get(order, "buyer", "buyerEmail")
    if email:
        v0["BuyerInfo"] = {"BuyerEmail": email}
    return v0


def as_v0_item(item: dict[str, Any], order_status: str | None) -> dict[str, Any]:
    product = item.get("product") or {}
    quantity = item.get("quantityOrdered")
    v0: dict[str, Any] = {
        "OrderItemId": item.get("orderItemId"),
        "ASIN": product.get("asin"),
        "SellerSKU": product.get("sellerSku"),
        "Title": product.get("title"),
        "QuantityOrdered": quantity,
        "QuantityShipped": _get(item, "fulfillment", "quantityFulfilled"),
    }
    unit = _get(product, "price", "unitPrice")
    if unit and order_status != "Pending":
        try:
            line_total = Decimal(str(unit["amount"])) * int(quantity or 0)
            v0["ItemPrice"] = {"Amount": str(line_total), "CurrencyCode": unit.get("currencyCode")}
        except (KeyError, TypeError, ValueError, InvalidOperation):
            v0["ItemPrice"] = unit  # parse_item rejects it, naming the field
    return v0


def _without_pii(order: dict[str, Any]) -> dict[str, Any]:
    """No buyer data at all (a rejected record)."""
    return {k: v for k, v in order.items() if k not in ("buyer", "recipient")}


def _kept(order: dict[str, Any]) -> dict[str, Any]:
    """The order for staging: no e-mail (hashed) or phone; the buyer's name and the delivery
    address messages quote stay until the retention purge."""
    kept = _without_pii(order)
    name = _get(order, "buyer", "buyerName")
    if name:
        kept["buyer"] = {"buyerName": name}
    address = _get(order, "recipient", "deliveryAddress")
    if isinstance(address, dict) and address.get("addressLine1"):
        kept["recipient"] = {"deliveryAddress": {k: v for k, v in address.items() if k != "phone"}}
    return kept


def _timestamp(value: Any, key: str, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(key, field, f"not an ISO 8601 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise RecordError(key, field, f"timestamp without a time zone: {value!r}")
    return parsed


def parse_shipments(order: dict[str, Any], account_id: str) -> list[dict[str, Any]]:
    """staging.shipments rows from the order's packages (merchant-fulfilled orders only)."""
    key = order.get("orderId") or "?"
    delivery_start = _timestamp(
        _get(order, "fulfillment", "deliverByWindow", "earliestDateTime"), key,
        "fulfillment.deliverByWindow.earliestDateTime",
    )  # fmt: skip
    delivery_end = _timestamp(
        _get(order, "fulfillment", "deliverByWindow", "latestDateTime"), key,
        "fulfillment.deliverByWindow.latestDateTime",
    )  # fmt: skip
    rows = []
    for package in order.get("packages") or []:
        ref = package.get("packageReferenceId") if isinstance(package, dict) else None
        if not ref:
            raise RecordError(key, "packages[].packageReferenceId", "missing")
        rows.append(
            {
                "account_id": account_id,
                "amazon_order_id": key,
                "package_reference_id": str(ref),
                "carrier": package.get("carrier"),
                "tracking_number": package.get("trackingNumber"),
                "shipping_service": package.get("shippingService"),
                "ship_date": _timestamp(package.get("shipTime"), key, f"packages[{ref}].shipTime"),
                "package_created_at": _timestamp(
                    package.get("createdTime"), key, f"packages[{ref}].createdTime"
                ),
                "package_status": _get(package, "packageStatus", "status"),
                "package_detailed_status": _get(package, "packageStatus", "detailedStatus"),
                "estimated_delivery_start": delivery_start,
                "estimated_delivery_end": delivery_end,
                "items": package.get("packageItems") or [],
                "raw": package,
            }
        )
    return rows


def parse_order_2026(
    order: Any, account_id: str, *, salt: str = ""
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """(order row, item rows, shipment rows) of one 2026 order; RecordError names the 2026 field.

    The order is checked against the 2026 model first, so the mapping to v0 meets only the
    types Amazon declares; what parse_order then rejects is named by its 2026 field."""
    key = records.record_key(order, "orderId")
    if not isinstance(order, dict):
        raise RecordError(key, "(record)", f"not a JSON object but {records.short(order)}")
    storable(order, key)
    checked(models.Order2026, order, key)
    try:
        row = parse_order(as_v0_order(order), account_id, salt=salt, check_storable=False)
        row["raw"] = _kept(order)
        items = []
        for entry, raw_item in enumerate(order["orderItems"]):
            item = parse_item(
                as_v0_item(raw_item, row["order_status"]), account_id, row["amazon_order_id"],
                entry=entry, check_storable=False,
            )  # fmt: skip
            item["raw"] = raw_item
            items.append(item)
        unique_items(key, items)
    except RecordError as err:
        raise RecordError(
            err.record_key, FIELD_2026.get(err.field, err.field), err.problem
        ) from None
    shipments = parse_shipments(order, account_id)
    refs = [s["package_reference_id"] for s in shipments]
    if len(set(refs)) != len(refs):
        twice = next(r for r in refs if refs.count(r) > 1)
        raise RecordError(
            key, "packages[].packageReferenceId", f"{records.short(twice)} appears twice"
        )
    return row, items, shipments


class Orders2026Source:
    """Orders API 2026-01-01: searchOrders by lastUpdatedAfter/Before, one call per page."""

    api = "2026-01-01"
    operations: tuple[str, ...] = ("searchOrders", "getOrder")
    provides_shipments = True

    def __init__(
        self,
        client: Client,
        caller: SpApiCaller,
        *,
        account_id: str,
        salt: str = "",
        marketplace_id: str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.client = client
        self.caller = caller
        self.account_id = account_id
        self.salt = salt
        self.marketplace_id = marketplace_id or getattr(client, "marketplace_id", None)
        self.page_size = page_size

    def requester_page(self, order_id: str) -> OrderPage:
        """The order by getOrder with the listing's includedData: its items' `cancellation` says
        who asked for a cancellation (the all-orders report's lines do not). getOrder has a
        bucket of its own (0.5/s, burst 30), 90 times searchOrders' page rate, so a cancelled
        order need not wait for its day's turn in the listing."""
        res = self.caller.call(
            "getOrder", self.client.get_order, order_id, client=self.client, subject=order_id,
            includedData=list(INCLUDED_DATA),
        )  # fmt: skip
        page = OrderPage()
        raw = res.payload.get("order") if isinstance(res.payload, dict) else None
        try:
            if not isinstance(raw, dict):  # GetOrderResponse requires `order`
                raise RecordError(order_id, "order", f"not a JSON object but {records.short(raw)}")
            order, items, shipments = parse_order_2026(raw, self.account_id, salt=self.salt)
        except RecordError as err:
            page.rejects.append(rejection(err, raw))
            return page
        page.orders.append(order)
        page.items.extend(items)
        page.shipments.extend(shipments)
        return page

    def pages(
        self,
        window: tuple[datetime, datetime],
        token: str | None = None,
        *,
        channel: str | None = None,
        by: str = LISTED_BY[0],
    ) -> Iterator[OrderPage]:
        # ../shared/spapi-models/orders_2026-01-01.json: exactly one of createdAfter and
        # lastUpdatedAfter, the before of the same pair
        after, before = ("createdAfter", "createdBefore") if by == "created" else (
            "lastUpdatedAfter", "lastUpdatedBefore"
        )  # fmt: skip
        first: dict[str, Any] = {after: iso_utc(window[0]), before: iso_utc(window[1])}
        if channel is not None:  # searchOrders' fulfilledBy: MERCHANT or AMAZON
            first["fulfilledBy"] = [by for by, v0 in CHANNEL_V0.items() if v0 == channel]
        if self.marketplace_id:
            first["marketplaceIds"] = [self.marketplace_id]
        every = {"includedData": list(INCLUDED_DATA), "maxResultsPerPage": self.page_size}
        while True:
            # the token carries the filters; includedData and the page size go with every page
            kwargs = {"paginationToken": token, **every} if token else {**first, **every}
            res = self.caller.call(
                "searchOrders", self.client.search_orders, client=self.client, **kwargs
            )
            page = OrderPage()
            for raw in page_entries(res.payload, "orders", page):
                try:
                    order, items, shipments = parse_order_2026(raw, self.account_id, salt=self.salt)
                except RecordError as err:
                    page.rejects.append(rejection(err, raw))
                    continue
                page.orders.append(order)
                page.items.extend(items)
                page.shipments.extend(shipments)
            token = _next_token(res)
            page.next_token = token
            yield page
            if not token:
                return


def _next_token(res: Any) -> str | None:
    pagination = getattr(res, "pagination", None) or (res.payload or {}).get("pagination") or {}
    token = pagination.get("nextToken") if isinstance(pagination, dict) else None
    return token if isinstance(token, str) and token else None
