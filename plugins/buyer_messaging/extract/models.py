"""The types Amazon's Orders models declare for the fields staging has columns for.

Source: `ordersV0.json` (definitions Order, OrderItem, Money, BuyerInfo) and
`orders_2026-01-01.json` (Order, OrderItem, ItemProduct, ItemPrice, Money, OrderFulfillment,
ItemFulfillment, DateTimeRange, OrderPackage, PackageStatus, Buyer), Amazon's OpenAPI models
in ../shared/spapi-models/. Types are strict, as declared (a "5" is not an integer, a 1 is
not a boolean), and bounded by the column each field lands in: integers fit Postgres'
`integer`, amounts `numeric(14, 2)`, ids stay short enough for a btree key. Fields staging
does not read are allowed and land in `raw` only (Amazon adds fields without notice), after
`records.storage_problem` has checked them. Amounts are strings in both models; a JSON number
is accepted too, as it cannot be misread.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)
from pydantic_core import ErrorDetails

from buyer_messaging.extract.records import ORDER_ID, short

INT4 = 2**31 - 1
MAX_AMOUNT = Decimal("1e12")  # numeric(14, 2)


def _timestamp(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not an ISO 8601 timestamp: {short(value)}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {short(value)}")
    return parsed


def _amount(value: str | int | float) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not an amount: {short(value)}") from None
    if not amount.is_finite():
        raise ValueError(f"not an amount: {short(value)}")
    if abs(amount) >= MAX_AMOUNT:
        raise ValueError(
            f"amount out of range: {short(value)} (at most 12 digits before the point)"
        )
    return amount.quantize(Decimal("0.01"))


def _order_id(value: str) -> str:
    if not ORDER_ID.fullmatch(value):
        raise ValueError(f"not an Amazon order id (3-7-7 digits): {short(value)}")
    return value


Int = Annotated[StrictInt, Field(ge=-INT4 - 1, le=INT4)]
Id = Annotated[StrictStr, Field(min_length=1, max_length=128)]
Code = Annotated[StrictStr, Field(max_length=128)]
Text = Annotated[StrictStr, Field(max_length=20_000)]
OrderId = Annotated[StrictStr, Field(max_length=19), AfterValidator(_order_id)]
Timestamp = Annotated[StrictStr, Field(max_length=64), AfterValidator(_timestamp)]
Amount = Annotated[StrictStr | StrictInt | StrictFloat, AfterValidator(_amount)]


class _Amazon(BaseModel):
    # fields staging does not read stay in raw, unchecked here (records.storage_problem checks them)
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


# --- Orders API v0 -------------------------------------------------------------------------


class MoneyV0(_Amazon):
    CurrencyCode: Code | None = None
    Amount: Amount


class BuyerInfoV0(_Amazon):
    BuyerEmail: Text | None = None


class OrderV0(_Amazon):
    AmazonOrderId: OrderId
    PurchaseDate: Timestamp
    LastUpdateDate: Timestamp
    OrderStatus: Code
    MarketplaceId: Code | None = None
    FulfillmentChannel: Code | None = None
    OrderTotal: MoneyV0 | None = None
    NumberOfItemsShipped: Int | None = None
    NumberOfItemsUnshipped: Int | None = None
    EarliestShipDate: Timestamp | None = None
    LatestShipDate: Timestamp | None = None
    EarliestDeliveryDate: Timestamp | None = None
    LatestDeliveryDate: Timestamp | None = None
    IsPrime: StrictBool | None = None
    BuyerInfo: BuyerInfoV0 | None = None
    ShippingAddress: dict[str, Any] | None = None


class OrderItemV0(_Amazon):
    OrderItemId: Id
    QuantityOrdered: Int
    ASIN: Code | None = None
    SellerSKU: Text | None = None
    Title: Text | None = None
    QuantityShipped: Int | None = None
    ItemPrice: MoneyV0 | None = None


# --- Orders API 2026-01-01 -----------------------------------------------------------------


class Money2026(_Amazon):
    amount: Amount
    currencyCode: Code


class Window(_Amazon):
    earliestDateTime: Timestamp | None = None
    latestDateTime: Timestamp | None = None


class Fulfillment2026(_Amazon):
    fulfillmentStatus: Code | None = None
    fulfilledBy: Code | None = None
    shipByWindow: Window | None = None
    deliverByWindow: Window | None = None


class SalesChannel(_Amazon):
    marketplaceId: Code | None = None


class Proceeds(_Amazon):
    grandTotal: Money2026 | None = None


class Buyer(_Amazon):
    buyerEmail: Text | None = None


class ItemPrice(_Amazon):
    unitPrice: Money2026 | None = None


class ItemProduct(_Amazon):
    asin: Code | None = None
    sellerSku: Text | None = None
    title: Text | None = None
    price: ItemPrice | None = None


class ItemFulfillment(_Amazon):
    quantityFulfilled: Int | None = None
    quantityUnfulfilled: Int | None = None


class OrderItem2026(_Amazon):
    orderItemId: Id
    quantityOrdered: Int
    product: ItemProduct
    fulfillment: ItemFulfillment | None = None


class PackageStatus(_Amazon):
    status: Code
    detailedStatus: Code | None = None


class Package(_Amazon):
    packageReferenceId: Id
    carrier: Text | None = None
    trackingNumber: Text | None = None
    shippingService: Text | None = None
    shipTime: Timestamp | None = None
    createdTime: Timestamp | None = None
    packageStatus: PackageStatus | None = None
    packageItems: list[dict[str, Any]] | None = None


class Order2026(_Amazon):
    orderId: OrderId
    createdTime: Timestamp
    lastUpdatedTime: Timestamp
    salesChannel: SalesChannel
    orderItems: list[OrderItem2026]
    programs: list[Code] | None = None
    fulfillment: Fulfillment2026 | None = None
    proceeds: Proceeds | None = None
    buyer: Buyer | None = None
    packages: list[Package] | None = None


# --- errors --------------------------------------------------------------------------------

_PII_PARTS = frozenset({"BuyerInfo", "ShippingAddress", "buyer", "recipient"})


def _field(loc: tuple[Any, ...], prefix: str) -> tuple[str, str]:
    """('OrderItems[].Title', ' (entry 2)') from pydantic's ('OrderItems', 2, 'Title')."""
    parts: list[str] = []
    entries: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[]"]
            entries.append(str(part))
        elif part in ("str", "int", "float", "function-after[_amount(), union[str,int,float]]"):
            continue  # the branch of a union pydantic tried, not a field
        else:
            parts.append(str(part) if len(str(part)) <= 64 else short(str(part)))
    name = prefix + ".".join(parts) if parts else prefix.rstrip(".") or "(record)"
    return name, f" (entry {', '.join(entries)})" if entries else ""


def _problem(error: ErrorDetails, pii: bool) -> str:
    kind, given = error["type"], error.get("input")
    if kind == "missing" or given is None:
        return "missing"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind in ("string_too_long", "string_too_short"):
        return f"{len(given)} characters; {error['msg'].lower()}"
    if kind in ("less_than_equal", "greater_than_equal"):
        return (
            f"{error['msg']} (a column of type integer)"
            if pii
            else f"{short(given)}: {error['msg']}"
        )
    expected = _EXPECTED.get(kind)
    if expected:
        return f"should be {expected}, not {_JSON_TYPES.get(type(given), type(given).__name__)}"
    return f"{error['msg']} (got {_JSON_TYPES.get(type(given), type(given).__name__)})"


_EXPECTED = {
    "model_type": "a JSON object", "dict_type": "a JSON object", "model_attributes_type": "a JSON object",
    "list_type": "a JSON array", "string_type": "a string", "int_type": "an integer",
    "bool_type": "true or false", "float_type": "a number",
}  # fmt: skip
_JSON_TYPES = {str: "a string", int: "an integer", float: "a number", bool: "a boolean", dict: "an object",
               list: "an array"}  # fmt: skip


def first_problem(err: ValidationError, prefix: str = "") -> tuple[str, str]:
    """(field, problem) of a validation error: the first failure, naming the others' fields.
    No value of a buyer field ever appears in it."""
    found = []
    for error in err.errors(include_url=False, include_context=True):
        field, entry = _field(error["loc"], prefix)
        pii = any(p in _PII_PARTS for p in error["loc"])
        found.append((field, _problem(error, pii) + entry))
    field, problem = found[0]
    others = sorted({f for f, _ in found[1:] if f != field})
    if others:
        problem += f" (also: {', '.join(others[:5])}{', …' if len(others) > 5 else ''})"
    return field, problem
