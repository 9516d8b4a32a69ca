"""The operations: LWA, Orders, Solicitations and the admin API, with Amazon's shapes."""

from __future__ import annotations

import hmac
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from . import auth
from .app import ApiError, Request, Response, first_purchase_day, invalid, parse_day, parse_time
from .data import OrderFacts, iso
from .marketplaces import BY_ID

if TYPE_CHECKING:
    from .app import Emulator

ORDER_ID = r"(?P<order_id>[^/]+)"
STATUSES = {
    "PendingAvailability",
    "Pending",
    "Unshipped",
    "PartiallyShipped",
    "Shipped",
    "Canceled",
    "Unfulfillable",
    "InvoiceUnconfirmed",
}
# Amazon wants the upper bound of an order query to lie at least two minutes in the past.
SETTLE = timedelta(minutes=2)


def money(amount: float, currency: str) -> dict[str, str]:
    return {"CurrencyCode": currency, "Amount": f"{amount:.2f}"}


# --- views -----------------------------------------------------------------------------------


def order_v0(
    facts: OrderFacts, now: datetime, pii: set[str] | frozenset[str] = frozenset()
) -> dict[str, Any]:
    """An Order as getOrders/getOrder return it at `now`. `pii` holds the RDT data elements."""
    status, updated = facts.status_at(now)
    market = facts.marketplace
    done = [i for i in facts.items if i.shipped_at and i.shipped_at <= now]
    shipped_qty = sum(i.quantity for i in done if not i.cancelled)
    # a line the seller cancelled when the rest shipped is neither shipped nor to ship
    total_qty = sum(i.quantity for i in facts.items) - sum(i.quantity for i in done if i.cancelled)
    order: dict[str, Any] = {
        "AmazonOrderId": facts.amazon_order_id,
        "SellerOrderId": facts.amazon_order_id,
        "PurchaseDate": iso(facts.purchase),
        "LastUpdateDate": iso(updated),
        "OrderStatus": status,
        "FulfillmentChannel": facts.fulfillment,
        "SalesChannel": market.sales_channel,
        "ShipServiceLevel": f"{facts.service_level} {market.country} Dom",
        "NumberOfItemsShipped": 0 if status == "Canceled" else shipped_qty,
        "NumberOfItemsUnshipped": 0 if status == "Canceled" else total_qty - shipped_qty,
        "PaymentMethod": "Other",
        "PaymentMethodDetails": ["Standard"],
        "MarketplaceId": market.marketplace_id,
        "ShipmentServiceLevelCategory": facts.service_level,
        "OrderType": "StandardOrder",
        "EarliestShipDate": iso(facts.earliest_ship),
        "LatestShipDate": iso(facts.latest_ship),
        "EarliestDeliveryDate": iso(facts.earliest_delivery),
        "LatestDeliveryDate": iso(facts.latest_delivery),
        "IsBusinessOrder": facts.is_business,
        "IsPrime": facts.is_prime,
        "IsPremiumOrder": False,
        "IsGlobalExpressEnabled": False,
        "IsReplacementOrder": False,
        "IsSoldByAB": False,
        "IsISPU": False,
        "IsAccessPointOrder": False,
        "HasRegulatedItems": False,
        "ShippingAddress": shipping_address(facts, "shippingAddress" in pii),
        "BuyerInfo": buyer_info(facts, "buyerInfo" in pii),
        "AutomatedShippingSettings": {"HasAutomatedShippingSettings": False},
    }
    # Amazon leaves the total out while payment is pending and once an order is cancelled.
    if status not in ("Pending", "Canceled"):
        order["OrderTotal"] = money(facts.total(), facts.currency)
    return order


def shipping_address(facts: OrderFacts, with_pii: bool) -> dict[str, Any]:
    address: dict[str, Any] = {
        "City": facts.city,
        "StateOrRegion": facts.state,
        "PostalCode": facts.postal_code,
        "CountryCode": facts.marketplace.country,
    }
    if with_pii:
        address = {
            "Name": facts.buyer_name,
            "AddressLine1": facts.address_line,
            **address,
            "Phone": facts.phone,
            "AddressType": "Residential",
        }
    return address


def buyer_info(facts: OrderFacts, with_pii: bool) -> dict[str, Any]:
    if not with_pii:
        return {}
    return {"BuyerEmail": facts.buyer_email, "BuyerName": facts.buyer_name}


def order_item_v0(facts: OrderFacts, line: int, now: datetime) -> dict[str, Any]:
    item = facts.items[line]
    status, _ = facts.status_at(now)
    shipped = item.shipped_at is not None and item.shipped_at <= now and status != "Canceled"
    shipped = shipped and not item.cancelled
    out: dict[str, Any] = {
        "ASIN": item.asin,
        "SellerSKU": item.sku,
        "OrderItemId": item.order_item_id,
        "Title": item.title,
        "QuantityOrdered": item.quantity,
        "QuantityShipped": item.quantity if shipped else 0,
        "ProductInfo": {"NumberOfItems": "1"},
        "IsGift": "false",
        "ConditionId": "New",
        "ConditionSubtypeId": "New",
        "IsTransparency": False,
        "SerialNumberRequired": False,
        "BuyerRequestedCancel": {
            "IsBuyerRequestedCancel": "true",
            "BuyerCancelReason": "Ordered by mistake.",
        }
        if facts.buyer_cancelled and status == "Canceled"
        else {"IsBuyerRequestedCancel": "false", "BuyerCancelReason": ""},
    }
    # Pricing is not available while the order is Pending (Amazon's documented behaviour).
    if status != "Pending":
        currency = facts.currency
        price = item.unit_price * item.quantity
        shipping = facts.shipping_price if line == 0 else 0.0
        out.update(
            {
                "ItemPrice": money(price, currency),
                "ItemTax": money(round(price * 0.08, 2) if currency == "USD" else 0.0, currency),
                "ShippingPrice": money(shipping, currency),
                "ShippingTax": money(0.0, currency),
                "ShippingDiscount": money(0.0, currency),
                "ShippingDiscountTax": money(0.0, currency),
                "PromotionDiscount": money(0.0, currency),
                "PromotionDiscountTax": money(0.0, currency),
                "PromotionIds": [],
            }
        )
    return out


# --- LWA -------------------------------------------------------------------------------------


def lwa_token(emu: Emulator, request: Request) -> Response:
    form = {
        k: v[0]
        for k, v in parse_qs(
            request.body.decode("utf-8", "replace"), keep_blank_values=True
        ).items()
    }
    grant = form.get("grant_type", "")

    def lwa_error(error: str, description: str) -> Response:
        return Response.json(400, {"error": error, "error_description": description})

    if grant == "refresh_token":
        refresh = form.get("refresh_token", "")
        # Amazon's answer to an empty, unknown or revoked refresh token (Login with Amazon
        # "Access token request" errors: 400 invalid_grant)
        if not refresh or not hmac.compare_digest(refresh.encode(), emu.refresh_token.encode()):
            return lwa_error(
                "invalid_grant", "The request has an invalid grant parameter : refresh_token"
            )
        token = auth.issue_access_token(refresh, emu.token_lifetime_s)
        return Response.json(
            200,
            {
                "access_token": token,
                "refresh_token": refresh,
                "token_type": "bearer",
                "expires_in": int(emu.token_lifetime_s),
            },
        )
    if grant == "client_credentials":
        if not form.get("scope"):
            return lwa_error("invalid_scope", "The request has an invalid parameter : scope")
        token = auth.issue_access_token("grantless:" + form["scope"], emu.token_lifetime_s)
        return Response.json(
            200,
            {
                "access_token": token,
                "scope": form["scope"],
                "token_type": "bearer",
                "expires_in": int(emu.token_lifetime_s),
            },
        )
    return lwa_error("unsupported_grant_type", f"Unsupported grant_type: {grant or '(none)'}")


# --- Orders v0 -------------------------------------------------------------------------------


def get_orders(emu: Emulator, request: Request) -> Response:
    now = emu.now()
    markets = request.listed("MarketplaceIds")
    if not markets:
        raise invalid("Missing required parameter MarketplaceIds.", "MarketplaceIds is required.")
    for market in markets:
        if market not in BY_ID:
            raise invalid(f"Invalid MarketplaceIds value {market!r}.")
    if len(markets) > 50:
        raise invalid("MarketplaceIds accepts at most 50 values.")
    emu.require_markets(markets)
    token = request.first("NextToken")
    if token:
        # Like Amazon, a NextToken carries the whole query; the other filters are ignored.
        state = emu.decode_token(token)
        try:
            spec, day, index = state["q"], parse_day(state["d"]), int(state["i"])
            snapshot = datetime.fromisoformat(state["n"])
        except (KeyError, TypeError, ValueError):
            raise invalid("Invalid NextToken.") from None
    else:
        spec = orders_query(request, now, markets)
        day, index, snapshot = first_purchase_day(spec), 0, now
    found, nxt = emu.scan_orders(spec, day, index, snapshot, spec["max"])
    orders = [emu.faults.mangle_order(order_v0(f, snapshot, request.pii), f) for f in found]
    payload: dict[str, Any] = {"Orders": orders}
    if nxt is not None:
        payload["NextToken"] = emu.encode_token(
            {"q": spec, "d": nxt[0].isoformat(), "i": nxt[1], "n": snapshot.isoformat()}
        )
    key = "CreatedBefore" if spec["mode"] == "created" else "LastUpdatedBefore"
    payload[key] = iso(datetime.fromisoformat(spec["before"]))
    return Response.json(200, {"payload": payload})


def orders_query(request: Request, now: datetime, markets: list[str]) -> dict[str, Any]:
    created_after = request.first("CreatedAfter")
    created_before = request.first("CreatedBefore")
    updated_after = request.first("LastUpdatedAfter")
    updated_before = request.first("LastUpdatedBefore")
    if not created_after and not updated_after:
        raise invalid("Either CreatedAfter or LastUpdatedAfter must be specified.")
    if created_after and (updated_after or updated_before):
        raise invalid(
            "LastUpdatedAfter and LastUpdatedBefore cannot be set when CreatedAfter is set."
        )
    if updated_after and created_before:
        raise invalid("CreatedAfter or CreatedBefore cannot be set when LastUpdatedAfter is set.")
    mode = "created" if created_after else "updated"
    after_name, before_name = (
        ("CreatedAfter", "CreatedBefore")
        if created_after
        else ("LastUpdatedAfter", "LastUpdatedBefore")
    )
    after = parse_time(created_after or updated_after or "", after_name)
    latest = now - SETTLE
    raw_before = created_before if created_after else updated_before
    if raw_before:
        before = parse_time(raw_before, before_name)
        if before > latest:
            raise invalid(
                f"{before_name} must be at least two minutes before the current time.",
                f"{before_name} {raw_before} is later than {iso(latest)}.",
            )
        if before < after:
            raise invalid(f"{before_name} must be equal to or after {after_name}.")
    else:
        before = latest
    if after > latest:
        raise invalid(f"{after_name} must be at least two minutes before the current time.")
    statuses = request.listed("OrderStatuses")
    for status in statuses:
        if status not in STATUSES:
            raise invalid(f"Invalid OrderStatuses value {status!r}.")
    channels = request.listed("FulfillmentChannels")
    for channel in channels:
        if channel not in ("AFN", "MFN"):
            raise invalid(f"Invalid FulfillmentChannels value {channel!r}.")
    ids = request.listed("AmazonOrderIds")
    if len(ids) > 50:
        raise invalid("AmazonOrderIds accepts at most 50 values.")
    raw_max = request.first("MaxResultsPerPage")
    try:
        max_results = int(raw_max) if raw_max else 100
    except ValueError:
        raise invalid("MaxResultsPerPage must be an integer.") from None
    if not 1 <= max_results <= 100:
        raise invalid("MaxResultsPerPage must be between 1 and 100.")
    return {
        "mode": mode,
        "after": after.isoformat(),
        "before": before.isoformat(),
        "markets": sorted(markets),
        "statuses": sorted(statuses),
        "channels": sorted(channels),
        "ids": sorted(ids),
        "max": max_results,
    }


def get_order_items(emu: Emulator, request: Request) -> Response:
    now = emu.now()
    facts = emu.order_or_404(request.params["order_id"])
    start = 0
    token = request.first("NextToken")
    if token:
        state = emu.decode_token(token)
        if state.get("o") != facts.amazon_order_id or not isinstance(state.get("i"), int):
            raise invalid("Invalid NextToken.")
        start = state["i"]
    end = min(len(facts.items), start + emu.items_page_size)
    payload: dict[str, Any] = {
        "OrderItems": [order_item_v0(facts, line, now) for line in range(start, end)],
        "AmazonOrderId": facts.amazon_order_id,
    }
    if end < len(facts.items):
        payload["NextToken"] = emu.encode_token({"o": facts.amazon_order_id, "i": end})
    return Response.json(200, {"payload": payload})


def get_order(emu: Emulator, request: Request) -> Response:
    now = emu.now()
    facts = emu.order_or_404(request.params["order_id"])
    return Response.json(
        200, {"payload": emu.faults.mangle_order(order_v0(facts, now, request.pii), facts)}
    )


def _require_rdt(request: Request) -> None:
    # Amazon answers a restricted operation called with a plain LWA token with a 403.
    if request.token_kind != auth.RDT_KIND:
        raise ApiError(
            403,
            "Unauthorized",
            "Access to requested resource is denied.",
            "This operation returns restricted data: call it with a Restricted Data Token.",
        )


def get_order_address(emu: Emulator, request: Request) -> Response:
    _require_rdt(request)
    facts = emu.order_or_404(request.params["order_id"])
    return Response.json(
        200,
        {
            "payload": {
                "AmazonOrderId": facts.amazon_order_id,
                "ShippingAddress": shipping_address(facts, True),
            }
        },
    )


def get_order_buyer_info(emu: Emulator, request: Request) -> Response:
    _require_rdt(request)
    facts = emu.order_or_404(request.params["order_id"])
    return Response.json(
        200, {"payload": {"AmazonOrderId": facts.amazon_order_id, **buyer_info(facts, True)}}
    )


def get_order_items_buyer_info(emu: Emulator, request: Request) -> Response:
    _require_rdt(request)
    facts = emu.order_or_404(request.params["order_id"])
    return Response.json(
        200,
        {
            "payload": {
                "AmazonOrderId": facts.amazon_order_id,
                "OrderItems": [{"OrderItemId": i.order_item_id} for i in facts.items],
            }
        },
    )


DATA_ELEMENTS = {"buyerInfo", "shippingAddress", "buyerTaxInformation"}
_ELEMENT_PATHS = re.compile(r"^/orders/v0/orders(/[^/]+(/orderItems)?)?$")


def create_restricted_data_token(emu: Emulator, request: Request) -> Response:
    body = request.json_body()
    resources = body.get("restrictedResources")
    if not isinstance(resources, list) or not 1 <= len(resources) <= 50:
        raise invalid("restrictedResources must list 1 to 50 resources.")
    granted = []
    for resource in resources:
        if not isinstance(resource, dict):
            raise invalid("Each restricted resource must be an object.")
        method, path = resource.get("method"), resource.get("path")
        if method not in ("GET", "PUT", "POST", "DELETE"):
            raise invalid(f"Invalid method {method!r} in restrictedResources.")
        if not isinstance(path, str) or not path.startswith("/"):
            raise invalid(f"Invalid path {path!r} in restrictedResources.")
        elements = resource.get("dataElements") or []
        if elements and not _ELEMENT_PATHS.match(path):
            raise invalid(f"dataElements are not supported for the resource {path}.")
        unknown = set(elements) - DATA_ELEMENTS
        if unknown:
            raise invalid(f"Invalid dataElements: {', '.join(sorted(unknown))}.")
        granted.append({"method": method, "path": path, "dataElements": list(elements)})
    lifetime = 3600
    return Response.json(
        200, {"restrictedDataToken": auth.issue_rdt(granted, lifetime), "expiresIn": lifetime}
    )


# --- Solicitations ---------------------------------------------------------------------------

SOLICITATION_OPEN = timedelta(days=5)
SOLICITATION_CLOSE = timedelta(days=30)


NOT_AVAILABLE = "The requested solicitation is not available for this amazonOrderId."
# Amazon's own wording (a typographic apostrophe included)
OUTSIDE_WINDOW = "You can\u2019t use this feature to request a review outside the 5-30 day range after the order delivery date."


def solicitation_refusal(emu: Emulator, facts: OrderFacts, now: datetime) -> str | None:
    """Amazon's message for why no review request can be sent now, or None when one can."""
    status, _ = facts.status_at(now)
    if status != "Shipped" or facts.amazon_order_id in emu.solicited:
        return NOT_AVAILABLE
    if (
        not facts.earliest_delivery + SOLICITATION_OPEN
        <= now
        <= facts.latest_delivery + SOLICITATION_CLOSE
    ):
        return OUTSIDE_WINDOW
    return None


def _check_market(facts: OrderFacts, market_id: str) -> None:
    if facts.marketplace.marketplace_id != market_id:
        raise invalid(f"Order {facts.amazon_order_id} was not placed in marketplace {market_id}.")


def get_solicitation_actions(emu: Emulator, request: Request) -> Response:
    now = emu.now()
    market = emu.market_of_request(request)
    facts = emu.order_or_404(request.params["order_id"])
    _check_market(facts, market.marketplace_id)
    base = f"/solicitations/v1/orders/{facts.amazon_order_id}"
    query = f"?marketplaceIds={market.marketplace_id}"
    actions: list[dict] = []
    embedded: list[dict] = []
    if solicitation_refusal(emu, facts, now) is None:
        name = "productReviewAndSellerFeedback"
        href = f"{base}/solicitations/{name}"
        actions.append({"href": href + query, "name": name})
        embedded.append(
            {
                "_links": {
                    "self": {"href": href + query, "name": name},
                    "schema": {"href": href + "/schema", "name": name},
                },
                "payload": {"name": name},
            }
        )
    body = {
        "_links": {"actions": actions, "self": {"href": base + query}},
        "_embedded": {"actions": embedded},
    }
    return Response.json(200, body, content_type="application/hal+json")


def create_solicitation(emu: Emulator, request: Request) -> Response:
    now = emu.now()
    market = emu.market_of_request(request)
    facts = emu.order_or_404(request.params["order_id"])
    _check_market(facts, market.marketplace_id)
    with emu._lock:
        refusal = solicitation_refusal(emu, facts, now)
        if refusal is not None:
            raise ApiError(403, "Unauthorized", refusal, "")
        emu.solicited.add(facts.amazon_order_id)
    emu.record(
        "solicitations",
        {
            "amazonOrderId": facts.amazon_order_id,
            "marketplaceIds": [market.marketplace_id],
            "at": iso(now),
        },
    )
    return Response.json(201, {})


# --- admin -----------------------------------------------------------------------------------


def admin_received(emu: Emulator, request: Request) -> Response:
    wanted = request.first("amazonOrderId")
    with emu._lock:
        out = {
            kind: [e for e in entries if not wanted or e["amazonOrderId"] == wanted]
            for kind, entries in emu.received.items()
        }
    return Response.json(200, out)


def admin_counters(emu: Emulator, request: Request) -> Response:
    with emu._lock:
        return Response.json(200, {name: dict(counter) for name, counter in emu.counters.items()})


def admin_reset(emu: Emulator, request: Request) -> Response:
    emu.reset()
    return Response.json(200, {"reset": True})


def admin_limits(emu: Emulator, request: Request) -> Response:
    if request.method == "GET":
        return Response.json(
            200,
            {
                op: {
                    "rate": emu.limit(op)[0] / emu.time_scale,
                    "burst": emu.limit(op)[1],
                    "effective_rate": emu.limit(op)[0],
                }
                for op in sorted(emu._limits)
            },
        )
    body = request.json_body()
    operation = body.get("operation")
    if not isinstance(operation, str) or not operation:
        raise invalid("operation is required.")
    return Response.json(200, emu.set_limit(operation, body.get("rate"), body.get("burst")))


def admin_orders(emu: Emulator, request: Request) -> Response:
    raw = request.first("day")
    if not raw:
        raise invalid("day=YYYY-MM-DD is required.")
    day = parse_day(raw)
    now = emu.now()
    offset = int(request.first("offset") or 0)
    limit = int(request.first("limit") or 100_000)
    orders, items, lifecycle = [], {}, {}
    for facts in emu.catalog.orders(day, start=offset):
        if len(orders) >= limit:
            break
        if not facts.visible(now):
            continue
        orders.append(order_v0(facts, now))
        items[facts.amazon_order_id] = [
            order_item_v0(facts, n, now) for n in range(len(facts.items))
        ]
        lifecycle[facts.amazon_order_id] = lifecycle_of(facts)
        lifecycle[facts.amazon_order_id]["malformed"] = emu.faults.malformed_kind(
            facts.amazon_order_id
        )
    return Response.json(
        200,
        {
            "day": day.isoformat(),
            "count": emu.catalog.count(day),
            "now": iso(now),
            "orders": orders,
            "items": items,
            "lifecycle": lifecycle,
        },
    )


def lifecycle_of(facts: OrderFacts) -> dict[str, Any]:
    def t(moment: datetime | None) -> str | None:
        return iso(moment) if moment else None

    ret = facts.ret
    return {
        "purchase": t(facts.purchase),
        "authorized": t(facts.authorized_at),
        "canceled": t(facts.canceled_at),
        "shipped": [t(i.shipped_at) for i in facts.items],
        "delivered": t(facts.delivered_at),
        "late_shipment": facts.late,
        "final_status": facts.status_at(facts.last_event)[0],
        "last_event": t(facts.last_event),
        "buyer_locale": facts.buyer_locale,
        "buyer_opted_out": facts.buyer_opted_out,
        "review_window": [
            t(facts.earliest_delivery + SOLICITATION_OPEN),
            t(facts.latest_delivery + SOLICITATION_CLOSE),
        ],
        "carrier": facts.carrier,
        "tracking_number": facts.tracking_number,
        "return": None
        if ret is None
        else {
            "requested": t(ret.requested_at),
            "refunded": t(ret.refund_at),
            "amount": f"{ret.refunded_amount:.2f}",
            "reason": ret.reason,
            "sku": facts.items[ret.item_index].sku,
            "quantity": ret.quantity,
        },
    }


def admin_clock(emu: Emulator, request: Request) -> Response:
    if request.method == "POST":
        body = request.json_body()
        emu.set_now(parse_time(body["now"], "now") if body.get("now") else None)
    return Response.json(200, {"now": iso(emu.now())})


def admin_faults(emu: Emulator, request: Request) -> Response:
    if request.method == "POST":
        from .faults import Faults

        try:
            emu.faults = Faults(request.json_body(), emu.seed)
        except ValueError as exc:
            raise invalid(str(exc)) from None
    return Response.json(200, emu.faults.as_dict())


# --- registration ----------------------------------------------------------------------------


def register(emu: Emulator) -> None:
    def bind(handler):
        return lambda request: handler(emu, request)

    routes = [
        ("POST", "/auth/o2/token", "lwaToken", lwa_token, "lwa"),
        ("GET", "/orders/v0/orders", "getOrders", get_orders, "spapi"),
        (
            "GET",
            f"/orders/v0/orders/{ORDER_ID}/orderItems",
            "getOrderItems",
            get_order_items,
            "spapi",
        ),
        ("GET", f"/orders/v0/orders/{ORDER_ID}", "getOrder", get_order, "spapi"),
        (
            "GET",
            f"/orders/v0/orders/{ORDER_ID}/address",
            "getOrderAddress",
            get_order_address,
            "spapi",
        ),
        (
            "GET",
            f"/orders/v0/orders/{ORDER_ID}/buyerInfo",
            "getOrderBuyerInfo",
            get_order_buyer_info,
            "spapi",
        ),
        (
            "GET",
            f"/orders/v0/orders/{ORDER_ID}/orderItems/buyerInfo",
            "getOrderItemsBuyerInfo",
            get_order_items_buyer_info,
            "spapi",
        ),
        (
            "POST",
            "/tokens/2021-03-01/restrictedDataToken",
            "createRestrictedDataToken",
            create_restricted_data_token,
            "spapi",
        ),
        (
            "GET",
            f"/solicitations/v1/orders/{ORDER_ID}",
            "getSolicitationActionsForOrder",
            get_solicitation_actions,
            "spapi",
        ),
        (
            "POST",
            f"/solicitations/v1/orders/{ORDER_ID}/solicitations/productReviewAndSellerFeedback",
            "createProductReviewAndSellerFeedbackSolicitation",
            create_solicitation,
            "spapi",
        ),
        ("GET", "/_emulator/received", "admin", admin_received, "admin"),
        ("GET", "/_emulator/counters", "admin", admin_counters, "admin"),
        ("POST", "/_emulator/reset", "admin", admin_reset, "admin"),
        ("GET", "/_emulator/limits", "admin", admin_limits, "admin"),
        ("POST", "/_emulator/limits", "admin", admin_limits, "admin"),
        ("GET", "/_emulator/orders", "admin", admin_orders, "admin"),
        ("GET", "/_emulator/clock", "admin", admin_clock, "admin"),
        ("POST", "/_emulator/clock", "admin", admin_clock, "admin"),
        ("GET", "/_emulator/faults", "admin", admin_faults, "admin"),
        ("POST", "/_emulator/faults", "admin", admin_faults, "admin"),
    ]
    for method, pattern, operation, handler, kind in routes:
        emu.route(method, pattern, operation, kind)(bind(handler))
    from . import messaging, orders2026, reports

    for module in (orders2026, messaging, reports):
        for method, pattern, operation, handler, kind in module.ROUTES:
            emu.route(method, pattern, operation, kind)(bind(handler))
