"""The returns report: lifecycle, gzip document served by the emulator, Amazon's columns."""

from __future__ import annotations

import gzip
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from emulator_helpers import NOW, US
from sp_api.api import Reports
from sp_api.base import SellingApiBadRequestException

from spapi_emulator.reports import AMAZON_COLUMNS, COLUMNS, RETURNS
from spapi_emulator.testing import client_kwargs


def wait_done(client, report_id: str, timeout: float = 30.0) -> dict:  # 2 shared cores
    deadline = time.monotonic() + timeout
    statuses = []
    while time.monotonic() < deadline:
        report = client.get_report(report_id).payload
        if not statuses or statuses[-1] != report["processingStatus"]:
            statuses.append(report["processingStatus"])
        if report["processingStatus"] in ("DONE", "CANCELLED", "FATAL"):
            report["seen"] = statuses
            return report
        time.sleep(0.02)
    raise AssertionError(f"report still {statuses[-1]}")


def expected_returns(api, start, end) -> dict[str, dict]:
    out = {}
    day = (start - timedelta(days=36)).date()
    while day <= end.date():
        data = api.get("/_emulator/orders", params={"day": day.isoformat()}).json()
        for oid, life in data["lifecycle"].items():
            ret = life["return"]
            if ret and start.strftime("%Y-%m-%dT%H:%M:%SZ") <= ret["requested"] <= end.strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ):
                out[oid] = ret
        day += timedelta(days=1)
    return out


def _document(srv, api) -> tuple[str, tuple[datetime, datetime]]:
    """A returns report over 29 days, through its life cycle: the document's text."""
    client = Reports(**client_kwargs(srv.url))
    start, end = NOW - timedelta(days=30), NOW - timedelta(days=1)
    report_id = client.create_report(
        reportType=RETURNS, dataStartTime=start.isoformat(), dataEndTime=end.isoformat()
    ).payload["reportId"]
    report = wait_done(client, report_id)
    # Amazon's life cycle in order (a loaded machine's first poll may come after IN_QUEUE)
    seen = report["seen"]
    assert seen[-1] == "DONE" and seen[0] in ("IN_QUEUE", "IN_PROGRESS"), seen
    assert seen == sorted(seen, key=["IN_QUEUE", "IN_PROGRESS", "DONE"].index), seen
    assert report["marketplaceIds"] == [US]

    meta = client.get_report_document(report["reportDocumentId"]).payload
    assert meta["compressionAlgorithm"] == "GZIP"
    assert meta["url"].startswith(srv.url + "/_emulator/documents/")
    raw = httpx.get(meta["url"], trust_env=False).content
    text = gzip.decompress(raw).decode("utf-8")
    assert (
        text
        == client.get_report_document(report["reportDocumentId"], download=True).payload["document"]
    )
    return text, (start, end)


def test_returns_report_serves_amazons_documented_form_by_default(make_server, admin):
    srv = make_server(time_scale=300, orders_per_day=60)  # 15 s queue + 30 s processing -> 0.15 s
    api = admin(srv)
    assert api.get("/_emulator/report-format").json() == {"returns": "amazon"}
    text, (start, end) = _document(srv, api)
    lines = text.rstrip("\n").split("\n")
    # Source: a real US document (2025), the header on amzn/selling-partner-api-models issue
    # #284 and Airbyte's connector schema (../shared/amazon-report-formats.md): 32 title-case
    # names, tab-separated, starting "Order ID<TAB>Order date<TAB>Return request date".
    assert lines[0].split("\t") == AMAZON_COLUMNS and len(AMAZON_COLUMNS) == 32
    assert lines[0].startswith("Order ID\tOrder date\tReturn request date\tReturn request status\t")
    assert lines[0].endswith("\tSafeT claim reimbursement amount\tRefunded Amount")
    rows = [dict(zip(AMAZON_COLUMNS, line.split("\t"), strict=True)) for line in lines[1:]]
    truth = expected_returns(api, start, end)
    assert {r["Order ID"] for r in rows} == set(truth)
    pacific = ZoneInfo("America/Los_Angeles")
    for row in rows:
        ret = truth[row["Order ID"]]
        requested = datetime.fromisoformat(ret["requested"].replace("Z", "+00:00"))
        # Source: the same document: dates dd-Mon-yyyy, English month abbreviations
        assert row["Return request date"] == requested.astimezone(pacific).strftime("%d-%b-%Y")
        assert datetime.strptime(row["Order date"], "%d-%b-%Y")
        assert row["Merchant SKU"] == ret["sku"] and row["Return quantity"] == str(ret["quantity"])
        assert row["Return Reason"] == ret["reason"]
        refunded = ret["refunded"] <= NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
        # Source: the same document: an empty field holds a single space
        assert row["Refunded Amount"] == (ret["amount"] if refunded else " ")
        assert row["Merchant RMA ID"] == " " and row["Currency code"] == "USD"


def test_returns_report_serves_the_hyphenated_form_on_request(make_server, admin):
    srv = make_server(time_scale=300, orders_per_day=60)
    api = admin(srv)
    assert api.post("/_emulator/report-format", json={"returns": "csv"}).status_code == 400
    assert api.post("/_emulator/report-format", json={"returns": "hyphenated"}).json() == {
        "returns": "hyphenated"
    }
    text, (start, end) = _document(srv, api)
    lines = text.rstrip("\n").split("\n")
    # Source: Seller Central downloads and some tools (amazon-report-formats.md)
    assert lines[0].split("\t") == COLUMNS
    rows = [dict(zip(COLUMNS, line.split("\t"), strict=True)) for line in lines[1:]]
    truth = expected_returns(api, start, end)
    assert {r["order-id"] for r in rows} == set(truth)
    for row in rows:
        ret = truth[row["order-id"]]
        assert row["merchant-sku"] == ret["sku"] and row["return-quantity"] == str(ret["quantity"])
        assert row["return-reason"] == ret["reason"]
        assert row["return-request-date"] == ret["requested"].replace("Z", "+00:00")
        refunded = ret["refunded"] <= NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert row["refunded-amount"] == (ret["amount"] if refunded else "")
        assert row["currency-code"] == "USD"


def test_about_eight_percent_of_delivered_orders_come_back(make_server, admin):
    srv = make_server(time_scale=1000, orders_per_day=400)
    api = admin(srv)
    delivered = returned = 0
    for offset in range(40, 46):
        data = api.get(
            "/_emulator/orders", params={"day": (NOW - timedelta(days=offset)).date().isoformat()}
        ).json()
        for life in data["lifecycle"].values():
            if life["delivered"]:
                delivered += 1
                returned += life["return"] is not None
    assert 0.06 < returned / delivered < 0.10


def test_a_report_without_data_is_cancelled_and_bad_requests_are_refused(make_server):
    srv = make_server(time_scale=300, orders_per_day=5)
    client = Reports(**client_kwargs(srv.url))
    quiet = NOW - timedelta(days=3)  # one minute of 5 orders a day: no return was requested in it
    report_id = client.create_report(
        reportType=RETURNS,
        dataStartTime=quiet.isoformat(),
        dataEndTime=(quiet + timedelta(minutes=1)).isoformat(),
    ).payload["reportId"]
    report = wait_done(client, report_id)
    assert report["processingStatus"] == "CANCELLED" and "reportDocumentId" not in report
    with pytest.raises(SellingApiBadRequestException):
        client.create_report(
            reportType=RETURNS,
            dataStartTime=(NOW - timedelta(days=90)).isoformat(),
            dataEndTime=(NOW - timedelta(days=1)).isoformat(),
        )  # over 60 days
    with pytest.raises(SellingApiBadRequestException):
        client.create_report(reportType="GET_MERCHANT_LISTINGS_ALL_DATA")
