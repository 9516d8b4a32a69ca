"""Malformed order records are rejected with a reason naming the record and the field, and
what is kept of them holds no buyer PII and nothing Postgres cannot store.

Valid records: ORDER_V0 is the getOrders 200 example of Amazon's `ordersV0.json`
(paths./orders/v0/orders.get.responses.200.examples), with an OrderTotal as the model's Money
declares it; ITEM_V0 follows the model's OrderItem (ASIN, OrderItemId, QuantityOrdered
required). The 2026-01-01 order is test_extract_parsing.ORDER_2026 (shapes from
`orders_2026-01-01.json`). test_seeds_follow_amazons_models checks them against the models.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest

from buyer_messaging.extract import records
from buyer_messaging.extract.orders_2026 import parse_order_2026
from buyer_messaging.extract.parse import RecordError, parse_item, parse_order, rejection

ORDER_V0 = {
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
    "OrderTotal": {"CurrencyCode": "USD", "Amount": "25.99"},
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
}
ITEM_V0 = {
    "ASIN": "BT0093TELA",
    "OrderItemId": "68828574383266",
    "SellerSKU": "CBA_OTF_1",
    "Title": "Example item name",
    "QuantityOrdered": 1,
    "QuantityShipped": 1,
    "ItemPrice": {"CurrencyCode": "USD", "Amount": "25.99"},
    "IsGift": "false",
}
PII = ("user@example.com", "John Doe", "1 Cross St.", "Michigan address", "A Company Name")


def _bad(raw, parse=lambda r: parse_order(r, "acct")):
    with pytest.raises(RecordError) as err:
        parse(raw)
    return err.value


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        # the crashes the issue counted: not objects, overflow, NUL, wrong types, unhashable
        ({"BuyerInfo": "user@example.com"}, "BuyerInfo", "should be a JSON object, not a string"),
        ({"BuyerInfo": ["John Doe"]}, "BuyerInfo", "should be a JSON object"),
        (
            {"OrderTotal": {"CurrencyCode": "USD", "Amount": "1e20"}},
            "OrderTotal.Amount",
            "out of range",
        ),
        (
            {"OrderTotal": {"CurrencyCode": "USD", "Amount": "NaN"}},
            "OrderTotal.Amount",
            "not an amount",
        ),
        ({"OrderTotal": {"CurrencyCode": "USD", "Amount": True}}, "OrderTotal.Amount", "should be"),
        (
            {"NumberOfItemsShipped": 2**31},
            "NumberOfItemsShipped",
            "less than or equal to 2147483647",
        ),
        ({"NumberOfItemsShipped": 10**400}, "NumberOfItemsShipped", "1329-bit integer"),
        (
            {"NumberOfItemsShipped": "3"},
            "NumberOfItemsShipped",
            "should be an integer, not a string",
        ),
        (
            {"NumberOfItemsShipped": True},
            "NumberOfItemsShipped",
            "should be an integer, not a boolean",
        ),
        ({"IsPrime": 1}, "IsPrime", "should be true or false, not an integer"),
        ({"IsPrime": "false"}, "IsPrime", "should be true or false, not a string"),
        ({"OrderStatus": ["Shipped"]}, "OrderStatus", "should be a string, not an array"),
        ({"OrderStatus": {"a": 1}}, "OrderStatus", "should be a string, not an object"),
        ({"MarketplaceId": ["ATVPDKIKX0DER"]}, "MarketplaceId", "should be a string"),
        ({"OrderStatus": "Ship\x00ped"}, "OrderStatus", "NUL character"),
        ({"ShipServiceLevel": "Std\x00"}, "ShipServiceLevel", "NUL character"),
        (
            {"PaymentMethodDetails": ["ok", "\ud800"]},
            "PaymentMethodDetails[]",
            "surrogate (not valid Unicode) (entry 1)",
        ),
        ({"Extra": float("inf")}, "Extra", "not a JSON number"),
        ({"Extra": {"\x00": 1}}, "Extra.'\\x00'", "its name contains a NUL"),
        # what staging needs
        ({"PurchaseDate": None}, "PurchaseDate", "missing"),
        ({"PurchaseDate": 1484941775}, "PurchaseDate", "should be a string"),
        ({"PurchaseDate": "2017-01-20"}, "PurchaseDate", "without a time zone"),
        ({"LastUpdateDate": "x" * 100}, "LastUpdateDate", "100 characters"),
        ({"OrderStatus": "Processing"}, "OrderStatus", "unknown status 'Processing'"),
        (
            {"OrderTotal": {"CurrencyCode": "JPY", "Amount": "1"}},
            "OrderTotal.CurrencyCode",
            "not the currency",
        ),
        ({"OrderTotal": "25.99"}, "OrderTotal", "should be a JSON object"),
    ],
)
def test_malformed_v0_orders_name_the_field(change, field, problem):
    err = _bad({**ORDER_V0, **change})
    assert (err.record_key, err.field) == ("902-3159896-1390916", field)
    assert problem in err.problem
    assert str(err).startswith("order 902-3159896-1390916: field ")


def test_order_ids_are_amazons_3_7_7_form_and_keys_stay_bounded():
    for bad_id in ("'); DROP TABLE x;--", "9" * 200_000, "١١١-0000000-0000000", 902, None, ""):
        raw = {**ORDER_V0, "AmazonOrderId": bad_id}
        err = _bad(raw)
        assert err.field == "AmazonOrderId"
        key, reason, kept = rejection(err, raw)
        assert (
            key.startswith("?")
            and len(key) == 17
            and key == records.record_key(raw, "AmazonOrderId")
        )
        assert len(reason) < 300 and "DROP TABLE" not in key
    assert "200000 characters" in _bad({**ORDER_V0, "AmazonOrderId": "9" * 200_000}).problem
    assert (
        "not an Amazon order id"
        in _bad({**ORDER_V0, "AmazonOrderId": "'); DROP TABLE x;--"}).problem
    )


@pytest.mark.parametrize("entry", [None, "order", 7, ["902-3159896-1390916"], [ORDER_V0]])
def test_an_entry_that_is_not_an_object_is_rejected(entry):
    err = _bad(entry)
    assert err.field == "(record)" and "not a JSON object" in err.problem
    key, _, kept = rejection(err, entry)
    assert key.startswith("?")
    json.dumps(kept, allow_nan=False)


def test_rejections_keep_no_buyer_pii_and_only_storable_parts():
    raw = copy.deepcopy(ORDER_V0)
    raw["OrderStatus"] = ["user@example.com"]  # PII where it does not belong is masked too
    raw["Notes"] = "contact John at user@example.com\x00" + "x" * 50_000
    raw["Deep"] = [[[[[[[[[[[[[[[[["bottom"]]]]]]]]]]]]]]]]]
    raw["Big"] = 10**500
    err = _bad(raw)
    key, reason, kept = rejection(err, raw)
    text = json.dumps(kept, allow_nan=False, ensure_ascii=False)
    for pii in PII:
        assert pii not in text and pii not in reason
    assert kept["BuyerInfo"] == "[redacted dict]" and kept["ShippingAddress"] == "[redacted dict]"
    assert "\x00" not in text and len(text) < 5_000
    assert records.storage_problem(kept) is None
    assert kept["AmazonOrderId"] == key == "902-3159896-1390916"


def test_reasons_never_quote_a_buyer_field():
    raw = {**ORDER_V0, "BuyerInfo": {"BuyerEmail": ["user@example.com"], "BuyerName": "John Doe"}}
    err = _bad(raw)
    assert err.field == "BuyerInfo.BuyerEmail" and "user@example.com" not in str(err)


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"QuantityOrdered": "1"}, "OrderItems[].QuantityOrdered", "should be an integer"),
        ({"QuantityOrdered": 2**40}, "OrderItems[].QuantityOrdered", "less than or equal"),
        ({"QuantityOrdered": None}, "OrderItems[].QuantityOrdered", "missing"),
        ({"OrderItemId": 68828574383266}, "OrderItems[].OrderItemId", "should be a string"),
        ({"OrderItemId": "1" * 129}, "OrderItems[].OrderItemId", "129 characters"),
        ({"ItemPrice": {"Amount": "9" * 40}}, "OrderItems[].ItemPrice.Amount", "out of range"),
        ({"Title": "Brett\x00"}, "OrderItems[].Title", "NUL character"),
        ({"Title": "x" * 20_001}, "OrderItems[].Title", "20001 characters"),
    ],
)
def test_malformed_items_name_the_order_the_field_and_the_entry(change, field, problem):
    err = _bad(
        {**ITEM_V0, **change}, lambda r: parse_item(r, "acct", "902-3159896-1390916", entry=2)
    )
    assert (err.record_key, err.field) == ("902-3159896-1390916", field)
    assert problem in err.problem and "(entry 2)" in err.problem


def test_valid_records_parse_and_amounts_fit_their_column():
    row = parse_order({**ORDER_V0, "OrderTotal": {"CurrencyCode": "USD", "Amount": 12.345}}, "acct")
    assert row["order_total"] == Decimal("12.34") and "BuyerInfo" not in row["raw"]
    item = parse_item(ITEM_V0, "acct", "902-3159896-1390916")
    assert (item["quantity_ordered"], item["item_price"]) == (1, Decimal("25.99"))
    # negative quantities and totals are type-valid: the quality suites quarantine them
    assert (
        parse_item({**ITEM_V0, "QuantityOrdered": -1}, "a", "902-3159896-1390916")[
            "quantity_ordered"
        ]
        == -1
    )


@pytest.fixture
def order_2026():
    from test_extract_parsing import ORDER_2026

    return copy.deepcopy(ORDER_2026)


@pytest.mark.parametrize(
    ("path", "value", "field", "problem"),
    [
        (("orderId",), "'); DROP TABLE x;--", "orderId", "not an Amazon order id"),
        (("buyer",), "x@marketplace.amazon.de", "buyer", "should be a JSON object"),
        (("salesChannel",), None, "salesChannel", "missing"),
        (("fulfillment", "fulfillmentStatus"), ["SHIPPED"], "fulfillment.fulfillmentStatus", "should be a string"),
        (("fulfillment", "fulfilledBy"), {"x": 1}, "fulfillment.fulfilledBy", "should be a string"),
        (("programs",), "PRIME", "programs", "should be a JSON array"),
        (("proceeds", "grandTotal", "amount"), "1e15", "proceeds.grandTotal.amount", "out of range"),
        (("orderItems", 0, "quantityOrdered"), True, "orderItems[].quantityOrdered", "(entry 0)"),
        (("orderItems", 1, "fulfillment", "quantityFulfilled"), "0", "orderItems[].fulfillment.quantityFulfilled", "(entry 1)"),
        (("orderItems", 1), "item", "orderItems[]", "should be a JSON object"),
        (("orderItems",), {"orderItemId": "1"}, "orderItems", "should be a JSON array"),
        (("packages", 0, "carrier"), "DHL\x00", "packages[].carrier", "NUL character (Postgres cannot store it) (entry 0)"),
        (("packages", 0, "packageStatus"), "IN_TRANSIT", "packages[].packageStatus", "should be a JSON object"),
    ],
)  # fmt: skip
def test_malformed_2026_orders_name_the_2026_field(order_2026, path, value, field, problem):
    node = order_2026
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    err = _bad(order_2026, lambda r: parse_order_2026(r, "acct"))
    assert err.field == field and problem in err.problem
    assert "x@marketplace.amazon.de" not in str(err)


def test_2026_sums_and_line_totals_that_overflow_their_columns_are_rejected(order_2026):
    for item in order_2026["orderItems"]:
        item["fulfillment"]["quantityFulfilled"] = 2**31 - 1
    err = _bad(order_2026, lambda r: parse_order_2026(r, "acct"))
    assert err.field == "orderItems[].fulfillment.quantityFulfilled"
    order_2026["orderItems"][0]["fulfillment"]["quantityFulfilled"] = 2
    order_2026["orderItems"][1]["fulfillment"]["quantityFulfilled"] = 0
    order_2026["orderItems"][0]["quantityOrdered"] = 2**31 - 1
    order_2026["orderItems"][0]["product"]["price"]["unitPrice"]["amount"] = "999999.00"
    err = _bad(order_2026, lambda r: parse_order_2026(r, "acct"))
    assert (
        err.field == "orderItems[].product.price.unitPrice.amount" and "out of range" in err.problem
    )


def test_2026_repeated_item_or_package_ids_are_rejected(order_2026):
    twice = copy.deepcopy(order_2026)
    twice["orderItems"][1]["orderItemId"] = "1"
    assert _bad(twice, lambda r: parse_order_2026(r, "acct")).field == "orderItems[].orderItemId"
    twice = copy.deepcopy(order_2026)
    twice["packages"].append(dict(twice["packages"][0]))
    assert (
        _bad(twice, lambda r: parse_order_2026(r, "acct")).field == "packages[].packageReferenceId"
    )


def test_seeds_follow_amazons_models(shared_dir, order_2026):
    """The valid records these tests mutate are valid by Amazon's own schemas."""
    jsonschema = pytest.importorskip("jsonschema")
    for name, definition, record in (
        ("ordersV0.json", "Order", ORDER_V0),
        ("ordersV0.json", "OrderItem", ITEM_V0),
        ("orders_2026-01-01.json", "Order", order_2026),
    ):
        model = json.loads((shared_dir / "spapi-models" / name).read_text())
        schema = {**model["definitions"][definition], "definitions": model["definitions"]}
        jsonschema.validate(record, schema)
    v0 = json.loads((shared_dir / "spapi-models" / "ordersV0.json").read_text())
    example = v0["paths"]["/orders/v0/orders"]["get"]["responses"]["200"]["examples"]
    [amazon] = example["application/json"]["payload"]["Orders"]
    assert {k: v for k, v in ORDER_V0.items() if k != "OrderTotal"} == amazon
