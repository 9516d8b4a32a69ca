"""extract_returns against the emulator's Reports API, and against crafted reports."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import httpx
import pytest
from extract_helpers import (
    NOW,
    RETURNS_WINDOW,
    TIME_SCALE,
    US,
    caller,
    client,
    fast_polling,
    rows,
    staging_hashes,
)

from buyer_messaging.extract import returns as returns_mod
from buyer_messaging.extract.returns import ReportFailed, extract_returns
from buyer_messaging.extract.source import load_orders, order_source

pytestmark = pytest.mark.integration
PACIFIC = ZoneInfo("America/Los_Angeles")  # the US marketplace's day


@pytest.fixture
def server(emulator_factory):
    return emulator_factory(seed=5, orders_per_day=40, time_scale=TIME_SCALE, now=NOW)


def _returns(wh, url: str, account_id: str, window=RETURNS_WINDOW, **kwargs):
    return extract_returns(
        wh, client("reports", url), caller(), account_id=account_id, window=window,
        marketplace_id=US, polling=fast_polling(), **kwargs,
    )  # fmt: skip


def _truth(url: str, window) -> dict[tuple[str, str], dict]:
    """The emulator's returns requested in the window: (order id, sku) -> lifecycle return."""
    out = {}
    day = (window[0] - timedelta(days=40)).date()
    while day <= window[1].date():
        data = httpx.get(f"{url}/_emulator/orders", params={"day": day.isoformat()}).json()
        for order_id, life in data["lifecycle"].items():
            ret = life.get("return")
            if ret:
                requested = datetime.fromisoformat(ret["requested"].replace("Z", "+00:00"))
                if window[0] <= requested <= window[1]:
                    out[(order_id, ret["sku"])] = ret
        day += timedelta(days=1)
    return out


def test_returns_land_keyed_by_rma_and_sku(wh, server):
    stats = _returns(wh, server.url, "ret_a")
    assert len(stats.reports) == 1 and stats.rejected == 0
    landed = rows(
        wh, "SELECT * FROM staging.returns WHERE account_id = %s ORDER BY amazon_order_id", "ret_a"
    )
    assert stats.returns == len(landed) > 10
    truth = _truth(server.url, RETURNS_WINDOW)
    assert {(r["amazon_order_id"], r["merchant_sku"]) for r in landed} == set(truth)
    for r in landed:
        ret = truth[(r["amazon_order_id"], r["merchant_sku"])]
        assert r["return_key"] == r["amazon_rma_id"] and r["line_key"] == r["merchant_sku"]
        assert r["return_quantity"] == ret["quantity"] > 0
        assert r["return_reason"] == ret["reason"]
        assert r["currency"] == "USD" and r["order_date"] <= r["return_request_date"]
        # Amazon's documented form (the emulator's default) dates a return by the
        # marketplace's calendar day: the start of that day in the account's time zone
        requested = datetime.fromisoformat(ret["requested"].replace("Z", "+00:00"))
        local_day = datetime.combine(requested.astimezone(PACIFIC).date(), time(0), PACIFIC)
        assert r["return_request_date"] == local_day
        # refunded once the refund date has passed, and then the status is final
        refunded = datetime.fromisoformat(ret["refunded"].replace("Z", "+00:00")) <= NOW
        assert (r["refunded_amount"] is not None) == refunded
        if refunded:
            assert str(r["refunded_amount"]) == ret["amount"]
        else:
            assert r["return_request_status"] == "Authorized"
    run = rows(
        wh, "SELECT * FROM staging.extract_runs WHERE account_id = 'ret_a' AND stream = 'returns'"
    )
    assert run[0]["records"] == len(landed)


def test_both_forms_of_the_report_land_the_same_returns(wh, emulator_factory):
    # the emulator's documented form (title case, dd-Mon-yyyy) and the hyphenated one with ISO
    # timestamps, for the same seeded account: the same returns, dated alike
    documented = emulator_factory(seed=5, orders_per_day=40, time_scale=TIME_SCALE, now=NOW)
    hyphenated = emulator_factory(
        seed=5, orders_per_day=40, time_scale=TIME_SCALE, now=NOW, returns_format="hyphenated"
    )
    _returns(wh, documented.url, "ret_doc")
    _returns(wh, hyphenated.url, "ret_hyph")
    query = (
        "SELECT amazon_order_id, return_key, line_key, return_quantity, return_reason,"
        " refunded_amount, return_request_date FROM staging.returns WHERE account_id = %s"
        " ORDER BY 1, 2, 3"
    )
    doc, hyph = rows(wh, query, "ret_doc"), rows(wh, query, "ret_hyph")
    assert len(doc) > 10 and [{**r, "return_request_date": None} for r in doc] == [
        {**r, "return_request_date": None} for r in hyph
    ]
    for d, h in zip(doc, hyph, strict=True):
        assert d["return_request_date"].astimezone(PACIFIC) == datetime.combine(
            h["return_request_date"].astimezone(PACIFIC).date(), time(0), PACIFIC
        )


def test_rerun_leaves_returns_identical_and_joins_orders(wh, server):
    _returns(wh, server.url, "ret_b")
    before = staging_hashes(wh, "ret_b")
    _returns(wh, server.url, "ret_b")
    assert staging_hashes(wh, "ret_b") == before
    # the join to orders: returns of orders the account has extracted see their order
    c = caller()
    source = order_source("2026-01-01", client("2026-01-01", server.url), c, account_id="ret_b")
    load_orders(
        wh,
        source,
        c,
        account_id="ret_b",
        window=(NOW - timedelta(days=50), NOW - timedelta(days=1)),
    )
    joined = rows(wh, "SELECT * FROM staging.returns_with_orders WHERE account_id = 'ret_b'")
    assert joined and all(j["order_known"] for j in joined)
    assert all(j["marketplace"] == "US" and j["order_status"] for j in joined)


def test_a_window_without_returns_is_cancelled_by_amazon_and_loads_nothing(wh, server):
    quiet = (
        datetime(2026, 11, 18, 3, 0, tzinfo=NOW.tzinfo),
        datetime(2026, 11, 18, 3, 1, tzinfo=NOW.tzinfo),
    )
    stats = _returns(wh, server.url, "ret_quiet", window=quiet)
    assert stats.returns == 0 and len(stats.reports) == 1
    assert rows(
        wh, "SELECT stream, records FROM staging.extract_runs WHERE account_id = 'ret_quiet'"
    ) == [{"stream": "returns", "records": 0}]
    with pytest.raises(ReportFailed, match=r"report \d+ ended CANCELLED"):
        _returns(wh, server.url, "ret_quiet", window=quiet, cancelled_is_empty=False)


# --- crafted reports: a stand-in Reports client and document -----------------------------------

HEADER = [
    "order-id", "order-date", "return-request-date", "return-request-status", "amazon-rma-id",
    "seller-rma-id", "label-type", "label-cost", "currency-code", "return-carrier", "tracking-id",
    "label-to-be-paid-by", "a-to-z-claim", "is-prime", "asin", "merchant-sku", "item-name",
    "return-quantity", "return-reason", "in-policy", "return-type", "resolution", "invoice-number",
    "return-delivery-date", "order-amount", "order-quantity", "safet-action-reason", "safet-claim-id",
    "safet-claim-state", "safet-claim-creation-time", "safet-claim-reimbursement-amount",
    "refunded-amount",
]  # fmt: skip


def line(**overrides: str) -> str:
    values = {c: "" for c in HEADER}
    values.update({
        "order-id": "111-0000001-0000001", "order-date": "2026-11-01T10:00:00+00:00",
        "return-request-date": "2026-11-10T10:00:00+00:00", "return-request-status": "Approved",
        "amazon-rma-id": "DAAAAAAAARRMA", "currency-code": "USD", "asin": "B000000001",
        "merchant-sku": "SKU-1", "item-name": "Tea \"pot\" <b>", "return-quantity": "1",
        "return-reason": "CR-DEFECTIVE", "order-amount": "20.00", "order-quantity": "2",
        "refunded-amount": "10.00",
    })  # fmt: skip
    values.update({k.replace("_", "-"): v for k, v in overrides.items()})
    return "\t".join(values[c] for c in HEADER)


class FakeReports:
    """getReport walks through `statuses`; the document is `document` (gzip)."""

    def __init__(self, statuses: list[str], document: bytes = b"") -> None:
        self.statuses = list(statuses)
        self.document = document
        self.calls: list[str] = []

    def create_report(self, **kwargs):
        self.calls.append("createReport")
        return SimpleNamespace(payload={"reportId": "777"}, headers={})

    def get_report(self, report_id):
        self.calls.append("getReport")
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        payload = {"reportId": report_id, "processingStatus": status}
        if status == "DONE":
            payload["reportDocumentId"] = "doc-777"
        return SimpleNamespace(payload=payload, headers={})

    def get_report_document(self, document_id):
        self.calls.append("getReportDocument")
        return SimpleNamespace(
            payload={"url": "https://example.invalid/doc", "compressionAlgorithm": "GZIP"},
            headers={},
        )


@pytest.fixture
def serve_document(monkeypatch):
    def serve(fake: FakeReports) -> None:
        monkeypatch.setattr(
            returns_mod,
            "_download",
            lambda url, timeout: SimpleNamespace(
                status_code=200, content=fake.document, charset_encoding="utf-8"
            ),
        )

    return serve


def _crafted(wh, fake, account_id, **kwargs):
    return extract_returns(
        wh, fake, caller(), account_id=account_id, window=RETURNS_WINDOW, marketplace_id=US,
        polling=fast_polling(), **kwargs,
    )  # fmt: skip


def test_bad_rows_are_rejected_with_record_and_field_the_rest_proceeds(wh, serve_document):
    text = "\n".join([
        "\t".join(HEADER),
        line(),
        line(amazon_rma_id="DBBBBBBBBRRMA", merchant_sku="SKU-2", return_request_date="yesterday"),
        line(amazon_rma_id="DCCCCCCCCRRMA", merchant_sku="SKU-3", return_quantity="-2"),
        line(amazon_rma_id="DDDDDDDDDRRMA", merchant_sku="SKU-4", refunded_amount="ten"),
        line(amazon_rma_id="DEEEEEEEERRMA", merchant_sku="SKU-5", order_date=""),
        "111-0000009-0000009\tonly\tthree",
        line(order_id="111-0000002-0000002", amazon_rma_id="", merchant_sku="SKU-6"),
        line(order_id="111-0000003-0000003", amazon_rma_id="DFFFFFFFFRRMA", merchant_sku="", asin="B0000000ZZ"),
    ]) + "\n"  # fmt: skip
    fake = FakeReports(["IN_QUEUE", "IN_PROGRESS", "DONE"], gzip.compress(text.encode()))
    serve_document(fake)
    stats = _crafted(wh, fake, "ret_bad", batch_size=3)
    assert stats.returns == 3 and stats.rejected == 5 and stats.batches == 3
    reasons = {
        r["record_key"]: r["reason"]
        for r in rows(
            wh,
            "SELECT * FROM staging.rejected_records WHERE account_id = 'ret_bad' AND source = 'returns'",
        )
    }
    assert reasons["111-0000001-0000001/DBBBBBBBBRRMA/SKU-2"] == (
        "return 111-0000001-0000001/DBBBBBBBBRRMA/SKU-2: field return-request-date:"
        " not a date (expected dd-Mon-yyyy or ISO 8601): 'yesterday'"
    )
    assert (
        "field return-quantity: quantity must be positive, got -2"
        in reasons["111-0000001-0000001/DCCCCCCCCRRMA/SKU-3"]
    )
    assert (
        "field refunded-amount: not an amount: 'ten'"
        in reasons["111-0000001-0000001/DDDDDDDDDRRMA/SKU-4"]
    )
    assert "field order-date: missing" in reasons["111-0000001-0000001/DEEEEEEEERRMA/SKU-5"]
    [short] = [k for k in reasons if k.startswith("111-0000009-0000009/row-")]
    assert "row has 3 columns, the header has 32" in reasons[short]
    landed = {
        (r["amazon_order_id"], r["return_key"], r["line_key"]): r
        for r in rows(wh, "SELECT * FROM staging.returns WHERE account_id = 'ret_bad'")
    }
    assert set(landed) == {
        ("111-0000001-0000001", "DAAAAAAAARRMA", "SKU-1"),
        ("111-0000002-0000002", "requested:2026-11-10T10:00:00Z", "SKU-6"),  # no RMA id
        ("111-0000003-0000003", "DFFFFFFFFRRMA", "B0000000ZZ"),  # no SKU: the ASIN
    }
    assert landed[("111-0000001-0000001", "DAAAAAAAARRMA", "SKU-1")]["item_name"] == 'Tea "pot" <b>'
    # a corrected report later: the rejection is cleared, the row lands
    fixed = (
        "\n".join(["\t".join(HEADER), line(amazon_rma_id="DBBBBBBBBRRMA", merchant_sku="SKU-2")])
        + "\n"
    )
    fake2 = FakeReports(["DONE"], gzip.compress(fixed.encode()))
    serve_document(fake2)
    _crafted(wh, fake2, "ret_bad")
    left = {
        r["record_key"]
        for r in rows(
            wh, "SELECT record_key FROM staging.rejected_records WHERE account_id = 'ret_bad'"
        )
    }
    assert "111-0000001-0000001/DBBBBBBBBRRMA/SKU-2" not in left and len(left) == 4


def test_fatal_report_fails_naming_the_report(wh, serve_document):
    fake = FakeReports(["IN_QUEUE", "IN_PROGRESS", "FATAL"])
    serve_document(fake)
    with pytest.raises(ReportFailed, match="returns report 777 ended FATAL"):
        _crafted(wh, fake, "ret_fatal")
    assert (
        rows(wh, "SELECT count(*) AS n FROM staging.returns WHERE account_id = 'ret_fatal'")[0]["n"]
        == 0
    )
    assert (
        rows(wh, "SELECT count(*) AS n FROM staging.extract_runs WHERE account_id = 'ret_fatal'")[
            0
        ]["n"]
        == 0
    )


def test_a_report_that_never_finishes_fails_naming_the_report(wh, serve_document):
    fake = FakeReports(["IN_PROGRESS"])
    serve_document(fake)
    with pytest.raises(
        ReportFailed, match="returns report 777 did not finish: still IN_PROGRESS: gave up after"
    ):
        extract_returns(
            wh, fake, caller(), account_id="ret_slow", window=RETURNS_WINDOW, marketplace_id=US,
            polling=returns_mod.Polling(initial=0.01, cap=0.02, timeout=0.1),
        )  # fmt: skip


def test_each_run_rereads_the_trailing_days_of_the_returns_report(wh):
    from buyer_messaging.extract import store as staging
    from buyer_messaging.extract.returns import STREAM, returns_window
    from buyer_messaging.warehouse.connection import transaction

    day = (datetime(2026, 11, 20, 8, tzinfo=UTC), datetime(2026, 11, 21, 8, tzinfo=UTC))
    now = datetime(2026, 11, 22, tzinfo=UTC)
    # the first run loads the onboarding lookback when it reaches further back
    assert returns_window(wh, "acc", day, lookback_days=35, refresh_days=14, now=now) == (
        day[0] - timedelta(days=35), day[1],
    )  # fmt: skip
    with transaction(wh) as cur:
        staging.record_extract_run(
            cur, "acc", STREAM, day, records=0, pages=0, calls=1, throttled=0
        )
    # later runs: the day and the 14 before it, where late arrivals and refunds show up
    assert returns_window(wh, "acc", day, lookback_days=35, refresh_days=14, now=now) == (
        day[0] - timedelta(days=14), day[1],
    )  # fmt: skip


def test_amazons_documented_report_loads_and_an_unknown_header_fails_without_retry(
    wh, serve_document
):
    # Source: a real US document (2025) as quoted in ../shared/amazon-report-formats.md and
    # amzn/selling-partner-api-models issue #284: title-case header, dd-Mon-yyyy dates, a
    # single space for an empty field, a reason code kept as Amazon spells it.
    header = [
        "Order ID", "Order date", "Return request date", "Return request status",
        "Amazon RMA ID", "Merchant RMA ID", "Label type", "Label cost", "Currency code",
        "Return carrier", "Tracking ID", "Label to be paid by", "A-to-Z Claim", "Is prime",
        "ASIN", "Merchant SKU", "Item Name", "Return quantity", "Return Reason", "In policy",
        "Return type", "Resolution", "Invoice number", "Return delivery date", "Order Amount",
        "Order quantity", "SafeT Action reason", "SafeT claim id", "SafeT claim state",
        "SafeT claim creation time", "SafeT claim reimbursement amount", "Refunded Amount",
    ]  # fmt: skip
    row = [
        "113-6277818-6289068", "10-Jul-2025", "14-Jul-2025", "Approved", "DkF1xPQWRRMA", " ",
        "AmazonUnPaidLabel", " ", "USD", "USPS", "9302010000000000000000", "Customer", "N", "N",
        "B0CXYZ1234", "TSHIRT-S-BLK", "Cotton T-shirt", "1", "AMZ-PG-WJ-TOO-SMALL", "Y",
        "C-Returns", "StandardRefund", " ", "18-Jul-2025", "19.99", "1", " ", " ", " ", " ",
        " ", "19.99",
    ]  # fmt: skip
    text = "\t".join(header) + "\n" + "\t".join(row) + "\n"
    serve_document(FakeReports(["DONE"], gzip.compress(text.encode())))
    stats = _crafted(wh, FakeReports(["DONE"]), "ret_doc_us")
    assert stats.returns == 1 and stats.rejected == 0
    [landed] = rows(wh, "SELECT * FROM staging.returns WHERE account_id = 'ret_doc_us'")
    assert landed["return_reason"] == "AMZ-PG-WJ-TOO-SMALL"
    # the US marketplace's calendar day: midnight in Los Angeles
    assert landed["return_request_date"] == datetime(2025, 7, 14, 7, tzinfo=UTC)
    assert landed["return_delivery_date"] == datetime(2025, 7, 18, 7, tzinfo=UTC)

    unknown = "Bestellnummer\tDatum\tMenge\n1\t2\t3\n"
    serve_document(FakeReports(["DONE"], gzip.compress(unknown.encode())))
    with pytest.raises(returns_mod.UnreadableReport) as err:
        _crafted(wh, FakeReports(["DONE"]), "ret_unknown")
    assert isinstance(err.value, ReportFailed)
    assert "Bestellnummer" in str(err.value) and "Order ID" in str(err.value)
    assert "order-id" in str(err.value)
