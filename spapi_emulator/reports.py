"""Reports API 2021-06-30 for the returns report, with documents served by the emulator.

A report moves IN_QUEUE -> IN_PROGRESS -> DONE over (scaled) wall-clock time, or ends
CANCELLED when it holds no data, as Amazon does. Its content is fixed when it is requested.

The document comes in one of two forms (`Emulator.returns_format`, CLI `--returns-format`,
admin `POST /_emulator/report-format`):
- `amazon` (default): the form Amazon documents and serves, as in a real US document (2025),
  the header listed on amzn/selling-partner-api-models issue #284 and Airbyte's connector
  schema: title-case names (`Order ID`, `Return request date`, ...), dates `dd-Mon-yyyy` with
  English month abbreviations (`10-Jul-2025`, the marketplace's calendar day), an empty field
  as a single space.
- `hyphenated`: the lower-case hyphenated names of Seller Central downloads and some tools
  (`order-id`, ...), with ISO 8601 timestamps.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import threading
import time
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .app import Request, Response, invalid, not_found, parse_time
from .data import MAX_RETURN_LAG, OrderFacts, days_between, iso
from .marketplaces import BY_ID

if TYPE_CHECKING:
    from .app import Emulator

RETURNS = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
ALL_ORDERS = (
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"  # spapi_emulator/orders_report.py
)
# the hyphenated form (Seller Central downloads, some tools)
COLUMNS = [
    "order-id",
    "order-date",
    "return-request-date",
    "return-request-status",
    "amazon-rma-id",
    "seller-rma-id",
    "label-type",
    "label-cost",
    "currency-code",
    "return-carrier",
    "tracking-id",
    "label-to-be-paid-by",
    "a-to-z-claim",
    "is-prime",
    "asin",
    "merchant-sku",
    "item-name",
    "return-quantity",
    "return-reason",
    "in-policy",
    "return-type",
    "resolution",
    "invoice-number",
    "return-delivery-date",
    "order-amount",
    "order-quantity",
    "safet-action-reason",
    "safet-claim-id",
    "safet-claim-state",
    "safet-claim-creation-time",
    "safet-claim-reimbursement-amount",
    "refunded-amount",
]
# Amazon's documented form, column for column the same as COLUMNS (sources: module docstring)
AMAZON_COLUMNS = [
    "Order ID",
    "Order date",
    "Return request date",
    "Return request status",
    "Amazon RMA ID",
    "Merchant RMA ID",
    "Label type",
    "Label cost",
    "Currency code",
    "Return carrier",
    "Tracking ID",
    "Label to be paid by",
    "A-to-Z Claim",
    "Is prime",
    "ASIN",
    "Merchant SKU",
    "Item Name",
    "Return quantity",
    "Return Reason",
    "In policy",
    "Return type",
    "Resolution",
    "Invoice number",
    "Return delivery date",
    "Order Amount",
    "Order quantity",
    "SafeT Action reason",
    "SafeT claim id",
    "SafeT claim state",
    "SafeT claim creation time",
    "SafeT claim reimbursement amount",
    "Refunded Amount",
]
FORMATS = ("amazon", "hyphenated")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# where a marketplace's calendar day is reckoned (the seller's local day)
_ZONES = {
    "ATVPDKIKX0DER": "America/Los_Angeles",
    "A1F83G8C2ARO7P": "Europe/London",
    "A13V1IB3VIYZZH": "Europe/Paris",
    "A1PA6795UKMFR9": "Europe/Berlin",
    "A1RKKUPIHCS9HS": "Europe/Madrid",
    "APJ6JRA9NG5V4": "Europe/Rome",
}
QUEUE_S = 15.0  # seconds IN_QUEUE at time_scale 1
PROCESS_S = 30.0  # seconds IN_PROGRESS at time_scale 1
MAX_SPAN = timedelta(days=60)  # Amazon: up to 60 days of returns data per report
_ids = itertools.count(50_000_019_000)


def _flat_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _amazon_date(moment: datetime, marketplace_id: str) -> str:
    local = moment.astimezone(ZoneInfo(_ZONES.get(marketplace_id, "UTC")))
    return f"{local.day:02d}-{_MONTHS[local.month - 1]}-{local.year}"


def return_rows(
    emu: Emulator,
    start: datetime,
    end: datetime,
    markets: set[str],
    now: datetime,
    form: str = "hyphenated",
):
    """Rows of returns requested in [start, end] and by `now`, one purchase day at a time."""
    catalog = emu.catalog
    first = (start - MAX_RETURN_LAG).date()
    last = min(end, now).date()
    for day in days_between(first, last):
        for index in range(catalog.count(day)):
            if not catalog.may_be_returned(day, index):
                continue
            facts = catalog.order(day, index)
            ret = facts.ret
            if ret is None or facts.marketplace.marketplace_id not in markets:
                continue
            if not (start <= ret.requested_at <= end) or ret.requested_at > now:
                continue
            yield _row(facts, now, form)


def _row(facts: OrderFacts, now: datetime, form: str = "hyphenated") -> list[str]:
    ret = facts.ret
    assert ret is not None
    market = facts.marketplace.marketplace_id

    def stamp(moment: datetime) -> str:
        return _amazon_date(moment, market) if form == "amazon" else _flat_time(moment)

    item = facts.items[ret.item_index]
    refunded = ret.refund_at <= now
    delivered_back = ret.delivered_back_at is not None and ret.delivered_back_at <= now
    prepaid = ret.reason in (
        "CR-DEFECTIVE",
        "CR-DAMAGED_BY_CARRIER",
        "AMZ-PG-BAD-DESC",
        "CR-SWITCHEROO",
    )
    return [
        facts.amazon_order_id,
        stamp(facts.purchase),
        stamp(ret.requested_at),
        ret.status if refunded else "Authorized",
        ret.rma_id,
        "",
        "AmazonPrePaidLabel" if prepaid else "AmazonUnPaidLabel",
        "4.50" if prepaid else "",
        facts.currency,
        ret.carrier,
        ret.tracking_id,
        "Seller" if prepaid else "Customer",
        "N",
        "Y" if facts.is_prime else "N",
        item.asin,
        item.sku,
        item.title,
        str(ret.quantity),
        ret.reason,
        "Y" if ret.in_policy else "N",
        "C-Returns",
        "StandardRefund",
        "",
        stamp(ret.delivered_back_at) if delivered_back and ret.delivered_back_at else "",
        f"{facts.total():.2f}",
        str(sum(i.quantity for i in facts.items)),
        "",
        "",
        "",
        "",
        "",
        f"{ret.refunded_amount:.2f}" if refunded else "",
    ]


def _clean(value: str, form: str) -> str:
    value = value.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return value or (" " if form == "amazon" else "")  # Amazon's documents: a space for empty


def build_returns_document(
    emu: Emulator,
    start: datetime,
    end: datetime,
    markets: set[str],
    now: datetime,
    form: str | None = None,
) -> tuple[bytes, int]:
    form = form or emu.returns_format
    lines = ["\t".join(AMAZON_COLUMNS if form == "amazon" else COLUMNS)]
    count = 0
    for row in return_rows(emu, start, end, markets, now, form):
        lines.append("\t".join(_clean(v, form) for v in row))
        count += 1
    return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0), count


def _builders() -> dict[str, Any]:
    from .feedback import REPORT_TYPE as FEEDBACK
    from .feedback import build_feedback_document
    from .orders_report import REPORT_TYPE as ALL_ORDERS
    from .orders_report import build_all_orders_document

    return {
        RETURNS: build_returns_document,
        FEEDBACK: build_feedback_document,
        ALL_ORDERS: build_all_orders_document,
    }


def _report_view(emu: Emulator, report: dict) -> dict[str, Any]:
    queue_s, process_s = QUEUE_S / emu.time_scale, PROCESS_S / emu.time_scale
    elapsed = time.monotonic() - report["t0"]
    view = {
        k: report[k]
        for k in (
            "reportId",
            "reportType",
            "marketplaceIds",
            "dataStartTime",
            "dataEndTime",
            "createdTime",
        )
    }
    if report.get("cancelled"):
        view["processingStatus"] = "CANCELLED"
        return view
    created = datetime.fromisoformat(report["createdTime"].replace("Z", "+00:00"))
    if elapsed < queue_s:
        view["processingStatus"] = "IN_QUEUE"
        return view
    view["processingStartTime"] = iso(created + timedelta(seconds=queue_s))
    if elapsed < queue_s + process_s:
        view["processingStatus"] = "IN_PROGRESS"
        return view
    if report["rows"] is None:
        view["processingStatus"] = "IN_PROGRESS"
        return view
    view["processingEndTime"] = iso(created + timedelta(seconds=queue_s + process_s))
    if report["rows"] < 0:
        view["processingStatus"] = "FATAL"
        return view
    if report["rows"] == 0:
        view["processingStatus"] = "CANCELLED"  # Amazon cancels a report that has no data
        return view
    view["processingStatus"] = "DONE"
    view["reportDocumentId"] = report["documentId"]
    return view


def create_report(emu: Emulator, request: Request) -> Response:
    body = request.json_body()
    report_type = body.get("reportType")
    if not isinstance(report_type, str) or not report_type:
        raise invalid("reportType is required.")
    markets = body.get("marketplaceIds")
    if not isinstance(markets, list) or not markets:
        raise invalid("marketplaceIds is required.")
    for market in markets:
        if market not in BY_ID:
            raise invalid(f"Invalid marketplaceIds value {market!r}.")
    emu.require_markets(markets)
    builder = _builders().get(report_type)
    if builder is None:
        raise invalid(
            f"Report type {report_type} is not supported by the emulator.",
            f"Supported: {', '.join(_builders())}.",
        )
    now = emu.now()
    end = parse_time(body["dataEndTime"], "dataEndTime") if body.get("dataEndTime") else now
    start = (
        parse_time(body["dataStartTime"], "dataStartTime")
        if body.get("dataStartTime")
        else end - timedelta(days=30)
    )
    if start > end:
        raise invalid("dataStartTime must be before dataEndTime.")
    if end - start > MAX_SPAN:
        raise invalid("The date range must not exceed 60 days for this report type.")
    if start > now:
        raise invalid("dataStartTime must not be in the future.")
    report_id = str(next(_ids))
    form = emu.returns_format  # fixed when requested, as the content is
    if report_type == RETURNS:
        builder = functools.partial(build_returns_document, form=form)
    elif report_type == ALL_ORDERS:
        builder = functools.partial(builder, with_url=emu.all_orders_with_url)
    document_id = f"amzn1.spdoc.1.4.na.{uuid.uuid4()}.T{report_id}"
    report = {
        "reportId": report_id,
        "reportType": report_type,
        "marketplaceIds": list(markets),
        "dataStartTime": iso(start),
        "dataEndTime": iso(end),
        "createdTime": iso(now),
        "t0": time.monotonic(),
        "rows": None,
        "documentId": document_id,
    }
    with emu._lock:
        emu.reports[report_id] = report

    def build() -> None:
        # in the background: at a million orders a day the scan takes minutes, and the report
        # simply stays IN_PROGRESS until it is done, as a big report does on Amazon
        try:
            document, rows = builder(emu, start, end, set(markets), now)
        except Exception:  # a report that cannot be built ends FATAL, as on Amazon
            report["rows"] = -1
            return
        with emu._lock:
            if rows:
                emu.documents[document_id] = {"content": document, "reportId": report_id}
            report["rows"] = rows

    threading.Thread(target=build, name=f"report-{report_id}", daemon=True).start()
    return Response.json(202, {"reportId": report_id})


def get_report(emu: Emulator, request: Request) -> Response:
    report = emu.reports.get(request.params["report_id"])
    if report is None:
        raise not_found(f"Report {request.params['report_id']}")
    return Response.json(200, _report_view(emu, report))


def get_reports(emu: Emulator, request: Request) -> Response:
    types = set(request.listed("reportTypes"))
    statuses = set(request.listed("processingStatuses"))
    if not types and not request.first("nextToken"):
        raise invalid("reportTypes is required unless nextToken is given.")
    size = int(request.first("pageSize") or 10)
    if not 1 <= size <= 100:
        raise invalid("pageSize must be between 1 and 100.")
    views = [_report_view(emu, r) for r in list(emu.reports.values())]
    views = [
        v
        for v in views
        if (not types or v["reportType"] in types)
        and (not statuses or v["processingStatus"] in statuses)
    ]
    views.sort(key=lambda v: v["createdTime"], reverse=True)
    return Response.json(200, {"reports": views[:size]})


def cancel_report(emu: Emulator, request: Request) -> Response:
    report = emu.reports.get(request.params["report_id"])
    if report is None:
        raise not_found(f"Report {request.params['report_id']}")
    if _report_view(emu, report)["processingStatus"] != "IN_QUEUE":
        raise invalid("Only a report in status IN_QUEUE can be cancelled.")
    report["cancelled"] = True
    return Response(200, b"", {"Content-Type": "application/json"})


def get_report_document(emu: Emulator, request: Request) -> Response:
    document_id = request.params["document_id"]
    if document_id not in emu.documents:
        raise not_found(f"Report document {document_id}")
    return Response.json(
        200,
        {
            "reportDocumentId": document_id,
            "url": f"{emu.base_url}/_emulator/documents/{document_id}",
            "compressionAlgorithm": "GZIP",
        },
    )


def download_document(emu: Emulator, request: Request) -> Response:
    document = emu.documents.get(request.params["document_id"])
    if document is None:
        # S3 answers a bad presigned URL with XML, not Amazon's JSON errors
        return Response(
            404,
            b'<?xml version="1.0"?><Error><Code>NoSuchKey</Code></Error>',
            {"Content-Type": "application/xml"},
        )
    return Response(200, document["content"], {"Content-Type": "text/plain; charset=UTF-8"})


def admin_report_format(emu: Emulator, request: Request) -> Response:
    """GET: the returns report's form; POST {"returns": "amazon"|"hyphenated"}: set it."""
    if request.method == "POST":
        form = request.json_body().get("returns")
        if form not in FORMATS:
            raise invalid(f"returns must be one of {', '.join(FORMATS)}, not {form!r}.")
        emu.returns_format = form
    return Response.json(200, {"returns": emu.returns_format})


ROUTES = [
    ("GET", "/reports/2021-06-30/reports", "getReports", get_reports, "spapi"),
    ("POST", "/reports/2021-06-30/reports", "createReport", create_report, "spapi"),
    ("GET", "/reports/2021-06-30/reports/(?P<report_id>[^/]+)", "getReport", get_report, "spapi"),
    (
        "DELETE",
        "/reports/2021-06-30/reports/(?P<report_id>[^/]+)",
        "cancelReport",
        cancel_report,
        "spapi",
    ),
    (
        "GET",
        "/reports/2021-06-30/documents/(?P<document_id>[^/]+)",
        "getReportDocument",
        get_report_document,
        "spapi",
    ),
    (
        "GET",
        "/_emulator/documents/(?P<document_id>[^/]+)",
        "document",
        download_document,
        "document",
    ),
    ("GET", "/_emulator/report-format", "admin", admin_report_format, "admin"),
    ("POST", "/_emulator/report-format", "admin", admin_report_format, "admin"),
]
