"""Valid records from Amazon's models, and Hypothesis strategies that mutate them.

Seeds (checked against ../shared/spapi-models by tests/unit/extract/test_fuzz_records.py):
- ORDER_V0: ordersV0.json, getOrders 200 example (the one Order), plus an OrderTotal shaped as
  the model's Money (the example has none).
- ITEM_V0: ordersV0.json, getOrderItems 200 example, first OrderItem.
- ORDER_2026: orders_2026-01-01.json, searchOrders 200 example, its one order cut down to a
  subtree (every field kept has the example's value): the fields staging reads, buyer and
  recipient PII, and a few the product ignores.
- RETURN_ROW: one row of GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE under the parser's column
  names; values after the real US 2025 row quoted in ../shared/amazon-report-formats.md and
  issue 17 (113-6277818-6289068, Approved, AMZ-PG-WJ-TOO-SMALL), dates in ISO 8601.

Mutations: 1-3 per record, each at a random place in it: a value replaced by junk (wrong
types, nulls, huge and boundary numbers, NaN, NUL bytes, lone surrogates, huge strings,
nested junk) or by a plausible edge value of the field (so that many mutants are still valid
and exercise the SQL), a key deleted, a junk key added; one record in twenty is junk whole.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

ORDER_V0: dict[str, Any] = {
    "AmazonOrderId": "902-3159896-1390916",
    "PurchaseDate": "2017-01-20T19:49:35Z",
    "LastUpdateDate": "2017-01-20T19:49:35Z",
    "OrderStatus": "Pending",
    "FulfillmentChannel": "MFN",
    "NumberOfItemsShipped": 0,
    "NumberOfItemsUnshipped": 0,
    "PaymentMethod": "Other",
    "PaymentMethodDetails": ["CreditCard", "GiftCertificate"],
    "MarketplaceId": "ATVPDKIKX0DER",
    "ShipmentServiceLevelCategory": "Standard",
    "OrderType": "StandardOrder",
    "EarliestShipDate": "2017-01-20T19:51:16Z",
    "LatestShipDate": "2017-01-25T19:49:35Z",
    "IsBusinessOrder": False,
    "IsPrime": False,
    "IsAccessPointOrder": False,
    "IsGlobalExpressEnabled": False,
    "IsPremiumOrder": False,
    "IsSoldByAB": False,
    "IsIBA": False,
    "ShippingAddress": {
        "Name": "Michigan address",
        "AddressLine1": "1 Cross St.",
        "City": "Canton",
        "StateOrRegion": "MI",
        "PostalCode": "48817",
        "CountryCode": "US",
    },
    "BuyerInfo": {
        "BuyerEmail": "user@example.com",
        "BuyerName": "John Doe",
        "BuyerTaxInfo": {"CompanyLegalName": "A Company Name"},
        "PurchaseOrderNumber": "1234567890123",
    },
    "OrderTotal": {"CurrencyCode": "USD", "Amount": "25.99"},
}

ITEM_V0: dict[str, Any] = {
    "ASIN": "BT0093TELA",
    "OrderItemId": "68828574383266",
    "SellerSKU": "CBA_OTF_1",
    "Title": "Example item name",
    "QuantityOrdered": 1,
    "QuantityShipped": 1,
    "PointsGranted": {
        "PointsNumber": 10,
        "PointsMonetaryValue": {"CurrencyCode": "JPY", "Amount": "10.00"},
    },
    "ItemPrice": {"CurrencyCode": "JPY", "Amount": "25.99"},
    "ShippingPrice": {"CurrencyCode": "JPY", "Amount": "1.26"},
    "ScheduledDeliveryEndDate": "2013-09-09T01:30:00Z",
    "ScheduledDeliveryStartDate": "2013-09-07T02:00:00Z",
    "PriceDesignation": "BusinessPrice",
    "BuyerInfo": {"GiftMessageText": "For you!", "GiftWrapLevel": "Classic"},
    "SerialNumbers": ["854"],
}

ORDER_2026: dict[str, Any] = {
    "orderId": "123-4567890-1234567",
    "orderAliases": [{"aliasId": "SELLER-ORDER-2024-001", "aliasType": "SELLER_ORDER_ID"}],
    "createdTime": "2024-12-25T10:30:00Z",
    "lastUpdatedTime": "2024-12-25T14:45:00Z",
    "programs": ["PRIME", "AMAZON_BUSINESS"],
    "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER", "marketplaceName": "Amazon.com"},
    "buyer": {
        "buyerName": "John Smith",
        "buyerEmail": "buyer-email@marketplace.amazon.com",
        "buyerCompanyName": "Smith Industries LLC",
        "buyerPurchaseOrderNumber": "PO-2024-12345",
    },
    "recipient": {
        "deliveryAddress": {
            "name": "John Smith",
            "addressLine1": "123 Main Street",
            "city": "Seattle",
            "postalCode": "98101",
            "countryCode": "US",
            "phone": "555-123-4567",
        }
    },
    "proceeds": {"grandTotal": {"amount": "154.99", "currencyCode": "USD"}},
    "fulfillment": {
        "fulfillmentStatus": "SHIPPED",
        "fulfilledBy": "MERCHANT",
        "fulfillmentServiceLevel": "STANDARD",
        "shipByWindow": {"earliestDateTime": "2024-12-26T00:00:00Z", "latestDateTime": "2024-12-27T23:59:59Z"},
        "deliverByWindow": {"earliestDateTime": "2024-12-28T00:00:00Z", "latestDateTime": "2024-12-30T23:59:59Z"},
    },
    "orderItems": [
        {
            "orderItemId": "12345678901234",
            "quantityOrdered": 2,
            "programs": ["TRANSPARENCY", "SUBSCRIBE_AND_SAVE"],
            "product": {
                "asin": "B08N5WRWNW",
                "title": "Echo Dot (4th Gen) | Smart speaker with Alexa | Charcoal",
                "sellerSku": "ECHO-DOT-4-CHARCOAL",
                "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
                "price": {"unitPrice": {"amount": "49.99", "currencyCode": "USD"}, "priceDesignation": "BUSINESS_PRICE"},
            },
            "fulfillment": {"quantityFulfilled": 2, "quantityUnfulfilled": 0},
        }
    ],
    "packages": [
        {
            "packageReferenceId": "PKG-2024-001",
            "createdTime": "2024-12-25T15:00:00Z",
            "packageStatus": {"status": "DELIVERED", "detailedStatus": "DELIVERED"},
            "carrier": "UPS",
            "shipTime": "2024-12-25T14:00:00Z",
            "shippingService": "UPS Ground",
            "trackingNumber": "1Z999AA1234567890",
            "packageItems": [{"orderItemId": "12345678901234", "quantity": 2}],
        }
    ],
}  # fmt: skip

RETURN_ROW: dict[str, str] = {
    "order-id": "113-6277818-6289068", "order-date": "2025-07-10T00:00:00+00:00",
    "return-request-date": "2025-07-14T00:00:00+00:00", "return-request-status": "Approved",
    "amazon-rma-id": "DzXnfWkcRRMA", "seller-rma-id": "", "label-type": "AmazonPrePaidLabel",
    "label-cost": "6.92", "currency-code": "USD", "return-carrier": "UPS",
    "tracking-id": "1Z1234567890123456", "label-to-be-paid-by": "Customer", "a-to-z-claim": "N",
    "is-prime": "N", "asin": "B0C1234567", "merchant-sku": "SKU-1", "item-name": "Example item",
    "return-quantity": "1", "return-reason": "AMZ-PG-WJ-TOO-SMALL", "in-policy": "Y",
    "return-type": "C-Returns", "resolution": "StandardRefund", "invoice-number": "",
    "return-delivery-date": "", "order-amount": "24.99", "order-quantity": "1",
    "refunded-amount": "24.99",
}  # fmt: skip

# buyer data in the seeds: never in a rejection's reason or kept record
PII = (
    "user@example.com", "John Doe", "1 Cross St.", "Michigan address", "A Company Name",
    "John Smith", "buyer-email@marketplace.amazon.com", "123 Main Street", "555-123-4567",
    "Smith Industries LLC", "For you!",
)  # fmt: skip

FUZZ = settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

_HUGE = "9" * 200_000
_STRINGS = st.sampled_from(
    [
        "", " ", "\x00", "a\x00b", "\ud800", "x\udfff", _HUGE, "'); DROP TABLE x;--", "1e20", "1e400",
        "NaN", "Infinity", "-1", "0", "99999999999", "2017-01-20", "10-Jul-2025",
        "2017-01-20T19:49:35Z", "2017-01-20T19:49:35", "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00", "user@example.com", "Pending", "ATVPDKIKX0DER", "EUR",
    ]
)  # fmt: skip
_NUMBERS = st.sampled_from(
    [0, -1, 1, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**63, 10**30, 10**400, 1.5, -0.0, 1e308,
     float("nan"), float("inf"), float("-inf")]
)  # fmt: skip
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | _NUMBERS
    | st.floats()
    | st.text(max_size=20)
    | _STRINGS
)
JUNK = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)

_TIMES = st.sampled_from(
    ["2026-11-18T10:00:00Z", "2026-11-18T10:00:00.123+01:00", "2099-01-01T00:00:00Z",
     "1970-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"]
)  # fmt: skip
_AMOUNTS = st.sampled_from(
    ["0", "0.00", "-5.00", "999999999999.99", "-999999999999.99", "0.005", "1E+3", "12", 12, 12.5]
)  # fmt: skip
_QUANTITIES = st.integers(min_value=-(2**31), max_value=2**31 - 1) | st.sampled_from([0, -1, 1000])
_IDS = st.text(min_size=1, max_size=40) | st.from_regex(r"\A[0-9]{3}-[0-9]{7}-[0-9]{7}\Z")
# plausible values by field name: valid or nearly, so the SQL sees edge values
PLAUSIBLE: dict[str, Any] = {
    **dict.fromkeys(
        ("PurchaseDate", "LastUpdateDate", "EarliestShipDate", "LatestShipDate", "EarliestDeliveryDate",
         "LatestDeliveryDate", "createdTime", "lastUpdatedTime", "earliestDateTime", "latestDateTime",
         "shipTime"),
        _TIMES,
    ),
    **dict.fromkeys(("Amount", "amount"), _AMOUNTS),
    **dict.fromkeys(
        ("NumberOfItemsShipped", "NumberOfItemsUnshipped", "QuantityOrdered", "QuantityShipped",
         "quantityOrdered", "quantityFulfilled", "quantityUnfulfilled"),
        _QUANTITIES,
    ),
    **dict.fromkeys(("OrderItemId", "orderItemId", "packageReferenceId"), _IDS),
    **dict.fromkeys(("AmazonOrderId", "orderId"), st.from_regex(r"\A[0-9]{3}-[0-9]{7}-[0-9]{7}\Z")),
    "OrderStatus": st.sampled_from(["Pending", "Unshipped", "Shipped", "Canceled", "Processing"]),
    "fulfillmentStatus": st.sampled_from(["PENDING", "SHIPPED", "CANCELLED", "PARTIALLY_SHIPPED", "X"]),
    **dict.fromkeys(("MarketplaceId", "marketplaceId"), st.sampled_from(["ATVPDKIKX0DER", "A1PA6795UKMFR9"])),
    **dict.fromkeys(("CurrencyCode", "currencyCode"), st.sampled_from(["USD", "EUR", "JPY"])),
    **dict.fromkeys(("IsPrime",), st.booleans()),
    **dict.fromkeys(("Title", "title", "SellerSKU", "sellerSku", "ASIN", "asin", "carrier",
                     "trackingNumber"), st.text(max_size=60)),
}  # fmt: skip
# returns rows are text cells: plausible cells by column
CELL_PLAUSIBLE: dict[str, Any] = {
    **dict.fromkeys(("order-date", "return-request-date", "return-delivery-date"), _TIMES),
    **dict.fromkeys(("label-cost", "order-amount", "refunded-amount"),
                    st.sampled_from(["0", "1,234.50", "12,50", "999999999999.99", "1e11", "-0"])),
    **dict.fromkeys(("return-quantity", "order-quantity"),
                    st.integers(min_value=-(2**31), max_value=2**31).map(str)),
}  # fmt: skip


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _at(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


@st.composite
def mutated(draw: Any, seed: Any, *, cells: bool = False) -> Any:
    """`seed` with 1-3 mutations (see the module's docstring); `cells`: a returns row, whose
    values are always text, as a flat file gives them."""
    if draw(st.integers(0, 19)) == 0 and not cells:
        return draw(JUNK)
    record = copy.deepcopy(seed)
    junk = (st.text(max_size=30) | _STRINGS) if cells else JUNK
    plausible = CELL_PLAUSIBLE if cells else PLAUSIBLE
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(record) or [()]))
        if not path:
            break
        parent, key = _at(record, path[:-1]), path[-1]
        op = draw(st.sampled_from(("junk", "junk", "plausible", "plausible", "delete", "add")))
        if op == "delete":
            parent.pop(key)
        elif op == "add":
            target = _at(record, path)
            if isinstance(target, dict):
                target[draw(st.text(max_size=8) | _STRINGS)] = draw(junk)
            elif isinstance(target, list):
                target.append(draw(junk))
            else:
                parent[key] = draw(junk)
        elif op == "plausible" and not isinstance(key, int) and key in plausible:
            parent[key] = draw(plausible[key])
        else:
            parent[key] = draw(junk)
    return record
