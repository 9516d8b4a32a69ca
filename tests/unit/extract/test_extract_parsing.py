"""Returns flat-file parsing, report polling, the 2026-01-01 mapping and source selection."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from buyer_messaging.extract import returns as r
from buyer_messaging.extract.orders_2026 import Orders2026Source, as_v0_order, parse_order_2026
from buyer_messaging.extract.parse import RecordError
from buyer_messaging.extract.source import OrderSource, V0OrderSource, client_class, order_source
from buyer_messaging.spapi.calls import SpApiCaller

ROW = {
    "order-id": "111-0000001-0000001", "order-date": "2026-11-01T10:00:00+00:00",
    "return-request-date": "2026-11-10T10:00:00+00:00", "return-request-status": "Approved",
    "amazon-rma-id": "DAAAAAAAARRMA", "currency-code": "EUR", "asin": "B000000001",
    "merchant-sku": "SKU-1", "return-quantity": "2", "in-policy": "Y", "is-prime": "N",
    "order-amount": "1,234.50", "label-cost": "4,50", "refunded-amount": "", "order-quantity": "3",
}  # fmt: skip


def test_parse_return_maps_amazon_columns():
    row = r.parse_return(ROW, "acct")
    assert row["return_key"] == "DAAAAAAAARRMA" and row["line_key"] == "SKU-1"
    assert row["return_quantity"] == 2 and row["order_quantity"] == 3
    assert row["order_amount"] == Decimal("1234.50") and row["label_cost"] == Decimal("4.50")
    assert row["refunded_amount"] is None and row["in_policy"] is True and row["is_prime"] is False
    assert row["return_request_date"] == datetime(2026, 11, 10, 10, tzinfo=UTC)
    assert row["raw"] == ROW


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"return-request-date": "2026-13-01"}, "return-request-date", "not a date"),
        ({"order-date": "32-Jul-2025"}, "order-date", "not a date"),
        ({"order-date": "10-Foo-2025"}, "order-date", "unknown month 'Foo'"),
        ({"return-quantity": "-1"}, "return-quantity", "quantity must be positive, got -1"),
        ({"return-quantity": "0"}, "return-quantity", "quantity must be positive, got 0"),
        ({"return-quantity": "two"}, "return-quantity", "not an integer"),
        ({"order-quantity": "-3"}, "order-quantity", "negative quantity -3"),
        ({"refunded-amount": "-5.00"}, "refunded-amount", "negative amount"),
        ({"order-amount": "1.2.3"}, "order-amount", "not an amount"),
        ({"order-id": ""}, "order-id", "missing"),
        ({"merchant-sku": "", "asin": ""}, "merchant-sku", "missing"),
    ],
)
def test_bad_return_rows_name_record_and_field(change, field, problem):
    with pytest.raises(r.ReturnRecordError) as err:
        r.parse_return({**ROW, **change}, "acct")
    assert err.value.field == field
    assert problem in str(err.value)
    assert str(err.value).startswith("return ")


def test_decode_document_gunzips_and_falls_back_to_windows_1252():
    text = "order-id\tasin\n1\tCafé\n"
    assert r.decode_document(gzip.compress(text.encode()), "GZIP") == text
    assert r.decode_document(text.encode("cp1252"), None) == text
    assert r.decode_document(("\ufeff" + text).encode(), None) == text
    with pytest.raises(ValueError, match="unknown compressionAlgorithm"):
        r.decode_document(b"", "ZSTD")


def test_flat_file_needs_its_key_columns_and_flags_rows_of_the_wrong_width():
    with pytest.raises(ValueError, match="lacks return-request-date"):
        r.read_flat_file("order-id\torder-date\treturn-quantity\n")
    header, rows = r.read_flat_file(
        "\t".join(r.REQUIRED_COLUMNS) + "\nA\tB\tC\tD\n\nshort\n" + 'E\t"quoted\tG\tH\n'
    )
    got = list(rows)
    assert got[0][1] == dict(zip(header, ["A", "B", "C", "D"], strict=True))
    assert got[1][0] == 4 and got[1][1] is None  # the blank line is skipped, the short one flagged
    assert got[2][1]["order-date"] == '"quoted'  # Amazon's flat files are not quoted


def test_report_spans_respect_amazons_60_days():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    spans = r.report_spans((start, start + timedelta(days=130)))
    assert [b - a for a, b in spans] == [timedelta(days=60), timedelta(days=60), timedelta(days=10)]
    assert r.report_spans((start, start)) == []


class _Reports:
    def __init__(self, statuses):
        self.statuses = statuses

    def get_report(self, report_id):
        status = self.statuses.pop(0)
        payload = {"processingStatus": status}
        if status == "DONE":
            payload["reportDocumentId"] = "doc-1"
        return SimpleNamespace(payload=payload, headers={})


def _polling():
    now = [0.0]
    slept = []

    def sleep(s):
        slept.append(s)
        now[0] += s

    return r.Polling(initial=2.0, cap=10.0, timeout=40.0, sleep=sleep, clock=lambda: now[0]), slept


def test_polling_backs_off_until_done():
    polling, slept = _polling()
    client = _Reports(["IN_QUEUE", "IN_QUEUE", "IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS", "DONE"])
    doc = r.wait_for_report(
        client, SpApiCaller(sleep=lambda s: None), "42", polling, cancelled_is_empty=True
    )
    assert doc == "doc-1"
    assert slept == [2.0, 4.0, 8.0, 10.0, 10.0]


def test_polling_fails_naming_the_report():
    polling, _ = _polling()
    caller = SpApiCaller(sleep=lambda s: None)
    with pytest.raises(r.ReportFailed, match="returns report 42 ended FATAL"):
        r.wait_for_report(
            _Reports(["IN_QUEUE", "FATAL"]), caller, "42", polling, cancelled_is_empty=True
        )
    with pytest.raises(r.ReportFailed, match="returns report 43 ended CANCELLED"):
        r.wait_for_report(_Reports(["CANCELLED"]), caller, "43", polling, cancelled_is_empty=False)
    assert (
        r.wait_for_report(_Reports(["CANCELLED"]), caller, "44", polling, cancelled_is_empty=True)
        is None
    )
    polling, _ = _polling()
    with pytest.raises(r.ReportFailed, match="report 45 did not finish: still IN_QUEUE"):
        r.wait_for_report(
            _Reports(["IN_QUEUE"] * 20), caller, "45", polling, cancelled_is_empty=True
        )


ORDER_2026 = {
    "orderId": "111-0000001-0000001",
    "createdTime": "2026-11-17T10:00:00Z",
    "lastUpdatedTime": "2026-11-18T10:00:00Z",
    "programs": ["PRIME"],
    "salesChannel": {"channelName": "AMAZON", "marketplaceId": "A1PA6795UKMFR9"},
    "fulfillment": {
        "fulfillmentStatus": "PARTIALLY_SHIPPED",
        "fulfilledBy": "MERCHANT",
        "shipByWindow": {
            "earliestDateTime": "2026-11-17T10:00:00Z",
            "latestDateTime": "2026-11-19T10:00:00Z",
        },
        "deliverByWindow": {
            "earliestDateTime": "2026-11-20T10:00:00Z",
            "latestDateTime": "2026-11-22T10:00:00Z",
        },
    },  # fmt: skip
    "proceeds": {"grandTotal": {"amount": "59.97", "currencyCode": "EUR"}},
    "buyer": {"buyerEmail": "x@marketplace.amazon.de", "buyerName": "X"},
    "orderItems": [
        {
            "orderItemId": "1",
            "quantityOrdered": 2,
            "fulfillment": {"quantityFulfilled": 2, "quantityUnfulfilled": 0},
            "product": {
                "asin": "B1",
                "sellerSku": "S1",
                "title": "T1",
                "price": {"unitPrice": {"amount": "19.99", "currencyCode": "EUR"}},
            },
        },
        {
            "orderItemId": "2",
            "quantityOrdered": 1,
            "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": 1},
            "product": {
                "asin": "B2",
                "sellerSku": "S2",
                "title": "T2",
                "price": {"unitPrice": {"amount": "19.99", "currencyCode": "EUR"}},
            },
        },
    ],  # fmt: skip
    "packages": [
        {
            "packageReferenceId": "1",
            "carrier": "DHL",
            "trackingNumber": "0034",
            "shipTime": "2026-11-18T09:00:00Z",
            "packageStatus": {"status": "IN_TRANSIT"},
            "packageItems": [{"orderItemId": "1", "quantity": 2}],
        },
    ],  # fmt: skip
}


def test_2026_order_maps_to_v0_staging_rows():
    order, items, shipments = parse_order_2026(ORDER_2026, "acct", salt="s")
    assert order["order_status"] == "PartiallyShipped" and order["fulfillment_channel"] == "MFN"
    assert order["marketplace"] == "DE" and order["order_total"] == Decimal("59.97")
    assert (order["number_of_items_shipped"], order["number_of_items_unshipped"]) == (2, 1)
    assert order["is_prime"] is True and order["buyer_hash"]
    # the e-mail is hashed, never kept; the name stays (for the greeting) until the retention purge
    assert (
        order["raw"]["buyer"] == {"buyerName": "X"}
        and order["raw"]["orderId"] == ORDER_2026["orderId"]
    )
    assert [(i["order_item_id"], i["item_price"], i["quantity_shipped"]) for i in items] == [
        ("1", Decimal("39.98"), 2), ("2", Decimal("19.99"), 0),
    ]  # fmt: skip
    [ship] = shipments
    assert (ship["carrier"], ship["tracking_number"]) == ("DHL", "0034")
    assert ship["estimated_delivery_end"] == datetime(2026, 11, 22, 10, tzinfo=UTC)


def test_pending_2026_items_carry_no_price_as_in_v0():
    pending = {
        **ORDER_2026,
        "fulfillment": {**ORDER_2026["fulfillment"], "fulfillmentStatus": "PENDING"},
    }
    pending.pop("proceeds")
    order, items, _ = parse_order_2026(pending, "acct")
    assert order["order_total"] is None and all(i["item_price"] is None for i in items)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"createdTime": None}, "createdTime"),
        ({"salesChannel": {"marketplaceId": "XX"}}, "salesChannel.marketplaceId"),
        (
            {"proceeds": {"grandTotal": {"amount": "1.00", "currencyCode": "USD"}}},
            "proceeds.grandTotal.currencyCode",
        ),
        ({"fulfillment": {"fulfillmentStatus": "PROCESSING"}}, "fulfillment.fulfillmentStatus"),
        ({"packages": [{"carrier": "DHL"}]}, "packages[].packageReferenceId"),
    ],
)
def test_2026_errors_name_the_2026_field(change, field):
    with pytest.raises(RecordError) as err:
        parse_order_2026({**ORDER_2026, **change}, "acct")
    assert err.value.field == field and err.value.record_key == ORDER_2026["orderId"]


def test_cancelled_maps_to_v0_spelling():
    cancelled = {
        **ORDER_2026,
        "fulfillment": {"fulfillmentStatus": "CANCELLED", "fulfilledBy": "AMAZON"},
    }
    assert as_v0_order(cancelled)["OrderStatus"] == "Canceled"
    assert as_v0_order(cancelled)["FulfillmentChannel"] == "AFN"


def test_the_accounts_orders_api_picks_the_source():
    from buyer_messaging.config import Account

    caller = SpApiCaller()
    for api, cls, client_cls in (
        ("v0", V0OrderSource, "OrdersV0"),
        ("2026-01-01", Orders2026Source, "OrdersV20260101"),
    ):
        acc = Account(id="acme", marketplace="US", orders_api=api)
        source = order_source(
            acc.orders_api, object(), caller, account_id=acc.id, marketplace_id="X"
        )
        assert isinstance(source, cls) and isinstance(source, OrderSource)
        assert source.api == api and client_class(api).__name__ == client_cls
    with pytest.raises(ValueError, match="orders_api must be one of v0, 2026-01-01"):
        order_source("v1", object(), caller, account_id="acme")
