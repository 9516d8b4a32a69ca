"""Orders API 2026-01-01: searchOrders and getOrder, with `includedData` datasets."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from .app import Request, Response, first_purchase_day, invalid, parse_day
from .data import OrderFacts, iso
from .handlers import ORDER_ID, orders_query
from .marketplaces import BY_ID

if TYPE_CHECKING:
    from .app import Emulator

INCLUDED = {
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "EXPENSE",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
    "PAYMENT",
    "FULFILLMENT_ORDERS",
}
STATUS = {
    "Pending": "PENDING",
    "Unshipped": "UNSHIPPED",
    "PartiallyShipped": "PARTIALLY_SHIPPED",
    "Shipped": "SHIPPED",
    "Canceled": "CANCELLED",
}
STATUS_V0 = {v: k for k, v in STATUS.items()} | {
    "PENDING_AVAILABILITY": "PendingAvailability",
    "UNFULFILLABLE": "Unfulfillable",
}
SERVICE = {
    "Standard": "STANDARD",
    "Expedited": "EXPEDITED",
    "NextDay": "NEXT_DAY",
    "SecondDay": "SECOND_DAY",
    "FreeEconomy": "FREE_ECONOMY",
}


def money(amount: float, currency: str) -> dict[str, str]:
    return {"amount": f"{amount:.2f}", "currencyCode": currency}


def order_2026(facts: OrderFacts, now: datetime, included: set[str]) -> dict[str, Any]:
    status, updated = facts.status_at(now)
    market = facts.marketplace
    currency = facts.currency
    programs = (["PRIME"] if facts.is_prime else []) + (
        ["AMAZON_BUSINESS"] if facts.is_business else []
    )
    items = []
    for line, item in enumerate(facts.items):
        shipped = item.shipped_at is not None and item.shipped_at <= now and status != "Canceled"
        cut = item.cancelled and shipped  # cancelled by the seller when the rest shipped
        shipped = shipped and not item.cancelled
        entry: dict[str, Any] = {
            "orderItemId": item.order_item_id,
            "quantityOrdered": item.quantity,
            "product": {
                "asin": item.asin,
                "title": item.title,
                "sellerSku": item.sku,
                "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
                "price": {"unitPrice": money(item.unit_price, currency)},
            },
        }
        if "FULFILLMENT" in included:
            entry["fulfillment"] = {
                "quantityFulfilled": item.quantity if shipped else 0,
                "quantityUnfulfilled": 0
                if shipped or cut or status == "Canceled"
                else item.quantity,
            }
        if "PROCEEDS" in included and status not in ("Pending", "Canceled"):
            subtotal = item.unit_price * item.quantity
            shipping = facts.shipping_price if line == 0 else 0.0
            entry["proceeds"] = {
                "proceedsTotal": money(subtotal + shipping, currency),
                "breakdowns": [
                    {"type": "ITEM", "subtotal": money(subtotal, currency)},
                    {"type": "SHIPPING", "subtotal": money(shipping, currency)},
                ],
            }
        if "CANCELLATION" in included and (status == "Canceled" or cut):
            by = "AMAZON" if facts.authorized_at is None else "MERCHANT"
            entry["cancellation"] = {
                "cancellationExecution": {
                    "cancelledBy": by,
                    "cancelReason": "PAYMENT_NOT_AUTHORIZED" if by == "AMAZON" else "NO_INVENTORY",
                }
            }
            if facts.buyer_cancelled and status == "Canceled":
                entry["cancellation"] = {
                    "cancellationRequest": {
                        "requester": "BUYER",
                        "cancelReason": "ORDERED_BY_MISTAKE",
                    },
                    "cancellationExecution": {
                        "cancelledBy": "MERCHANT",
                        "cancelReason": "BUYER_REQUESTED",
                    },
                }
        items.append(entry)
    order: dict[str, Any] = {
        "orderId": facts.amazon_order_id,
        "orderAliases": [{"aliasId": facts.amazon_order_id, "aliasType": "SELLER_ORDER_ID"}],
        "createdTime": iso(facts.purchase),
        "lastUpdatedTime": iso(updated),
        "programs": programs,
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": market.marketplace_id,
            "marketplaceName": market.sales_channel,
        },
        "orderItems": items,
    }
    if "BUYER" in included:
        buyer: dict[str, Any] = {"buyerName": facts.buyer_name}
        if facts.fulfillment == "MFN":  # the model: buyerEmail only for merchant-fulfilled orders
            buyer["buyerEmail"] = facts.buyer_email
        if facts.is_business:
            buyer["buyerCompanyName"] = f"{facts.buyer_name.split(' ')[-1][:40]} GmbH"
        order["buyer"] = buyer
    if "RECIPIENT" in included:
        order["recipient"] = {
            "deliveryAddress": {
                "name": facts.buyer_name,
                "addressLine1": facts.address_line,
                "city": facts.city,
                "stateOrRegion": facts.state,
                "postalCode": facts.postal_code,
                "countryCode": market.country,
                "phone": facts.phone,
                "addressType": "RESIDENTIAL",
            }
        }
    if "PROCEEDS" in included and status not in ("Pending", "Canceled"):
        subtotal = sum(i.unit_price * i.quantity for i in facts.items)
        order["proceeds"] = {
            "grandTotal": money(facts.total(), currency),
            "breakdowns": [
                {"type": "ITEM", "subtotal": money(subtotal, currency)},
                {"type": "SHIPPING", "subtotal": money(facts.shipping_price, currency)},
            ],
        }
    if "FULFILLMENT" in included:
        order["fulfillment"] = {
            "fulfillmentStatus": STATUS[status],
            "fulfilledBy": "AMAZON" if facts.fulfillment == "AFN" else "MERCHANT",
            "fulfillmentServiceLevel": SERVICE.get(facts.service_level, "STANDARD"),
            "shipByWindow": {
                "earliestDateTime": iso(facts.earliest_ship),
                "latestDateTime": iso(facts.latest_ship),
            },
            "deliverByWindow": {
                "earliestDateTime": iso(facts.earliest_delivery),
                "latestDateTime": iso(facts.latest_delivery),
            },
        }
    if "PACKAGES" in included and facts.fulfillment == "MFN":
        order["packages"] = packages(facts, now)
    return order


def packages(facts: OrderFacts, now: datetime) -> list[dict[str, Any]]:
    """One package per shipment time; tracking numbers differ per package."""
    by_time: dict[datetime, list[int]] = {}
    for line, item in enumerate(facts.items):
        if item.shipped_at is not None and item.shipped_at <= now and not item.cancelled:
            by_time.setdefault(item.shipped_at, []).append(line)
    out = []
    for number, (shipped, lines) in enumerate(sorted(by_time.items()), start=1):
        delivered = facts.delivered_at is not None and facts.delivered_at <= now
        tracking = (
            facts.tracking_number if number == 1 else f"{facts.tracking_number[:-2]}{number:02d}"
        )
        out.append(
            {
                "packageReferenceId": str(number),
                "createdTime": iso(shipped),
                "packageStatus": {
                    "status": "DELIVERED" if delivered else "IN_TRANSIT",
                    "detailedStatus": "DELIVERED" if delivered else "PICKED_UP",
                },
                "carrier": facts.carrier,
                "shipTime": iso(shipped),
                "shippingService": f"{facts.carrier} {facts.service_level}",
                "trackingNumber": tracking,
                "packageItems": [
                    {
                        "orderItemId": facts.items[line].order_item_id,
                        "quantity": facts.items[line].quantity,
                    }
                    for line in lines
                ],
            }
        )
    return out


def _included(request: Request) -> set[str]:
    values = set(request.listed("includedData"))
    unknown = values - INCLUDED
    if unknown:
        raise invalid(f"Invalid includedData value(s): {', '.join(sorted(unknown))}.")
    return values


class _V0View:
    """searchOrders' query parameters under getOrders' names, to share the validation."""

    def __init__(self, request: Request) -> None:
        self.query: dict[str, list[str]] = {}
        for new, old in (
            ("createdAfter", "CreatedAfter"),
            ("createdBefore", "CreatedBefore"),
            ("lastUpdatedAfter", "LastUpdatedAfter"),
            ("lastUpdatedBefore", "LastUpdatedBefore"),
            ("maxResultsPerPage", "MaxResultsPerPage"),
        ):
            if new in request.query:
                self.query[old] = request.query[new]
        statuses = []
        for status in request.listed("fulfillmentStatuses"):
            if status not in STATUS_V0:
                raise invalid(f"Invalid fulfillmentStatuses value {status!r}.")
            statuses.append(STATUS_V0[status])
        if statuses:
            self.query["OrderStatuses"] = [",".join(statuses)]
        channels = []
        for by in request.listed("fulfilledBy"):
            if by not in ("AMAZON", "MERCHANT"):
                raise invalid(f"Invalid fulfilledBy value {by!r}.")
            channels.append("AFN" if by == "AMAZON" else "MFN")
        if channels:
            self.query["FulfillmentChannels"] = [",".join(channels)]

    def first(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def listed(self, name: str) -> list[str]:
        return [v for value in self.query.get(name, []) for v in value.split(",") if v]


def search_orders(emu: Emulator, request: Request) -> Response:
    now = emu.now()
    included = _included(request)
    token = request.first("paginationToken")
    raw_max = request.first("maxResultsPerPage")
    if token:
        # the token keeps the filters; maxResultsPerPage and includedData may change per page
        state = emu.decode_token(token)
        try:
            spec, day, index = dict(state["q"]), parse_day(state["d"]), int(state["i"])
            snapshot = datetime.fromisoformat(state["n"])
        except (KeyError, TypeError, ValueError):
            raise invalid("Invalid paginationToken.") from None
        if raw_max:
            spec["max"] = _page_size(raw_max)
    else:
        markets = request.listed("marketplaceIds") or [m.marketplace_id for m in emu.markets]
        for market in markets:
            if market not in BY_ID:
                raise invalid(f"Invalid marketplaceIds value {market!r}.")
        emu.require_markets(markets)
        spec = orders_query(_V0View(request), now, markets)  # type: ignore[arg-type]
        day, index, snapshot = first_purchase_day(spec), 0, now
    found, nxt = emu.scan_orders(spec, day, index, snapshot, spec["max"])
    body: dict[str, Any] = {
        "orders": [emu.faults.mangle_order_2026(order_2026(f, snapshot, included)) for f in found]
    }
    if nxt is not None:
        body["pagination"] = {
            "nextToken": emu.encode_token(
                {"q": spec, "d": nxt[0].isoformat(), "i": nxt[1], "n": snapshot.isoformat()}
            )
        }
    body["createdBefore" if spec["mode"] == "created" else "lastUpdatedBefore"] = iso(
        datetime.fromisoformat(spec["before"])
    )
    return Response.json(200, body)


def _page_size(raw: str) -> int:
    try:
        size = int(raw)
    except ValueError:
        raise invalid("maxResultsPerPage must be an integer.") from None
    if not 1 <= size <= 100:
        raise invalid("maxResultsPerPage must be between 1 and 100.")
    return size


def get_order(emu: Emulator, request: Request) -> Response:
    included = _included(request)
    facts = emu.order_or_404(request.params["order_id"])
    return Response.json(200, {"order": order_2026(facts, emu.now(), included)})


ROUTES = [
    ("GET", "/orders/2026-01-01/orders", "searchOrders", search_orders, "spapi"),
    ("GET", f"/orders/2026-01-01/orders/{ORDER_ID}", "getOrder@2026-01-01", get_order, "spapi"),
]
