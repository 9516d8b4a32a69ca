"""extract_returns: the returns report for the window (Reports API 2021-06-30) into staging.

createReport (GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE, dataStartTime/dataEndTime = the
window) -> getReport, polled with back-off until DONE -> getReportDocument -> download the
document (gzip), parse the tab-separated flat file -> upsert `staging.returns` by natural key,
one transaction per batch. A bad row goes to `staging.rejected_records` (source 'returns')
with a reason naming the record and the field; the others proceed.

Amazon ends a report CANCELLED when it holds no data: by default that is a day without
returns, not a failure (`cancelled_is_empty=False` makes it one). FATAL always fails, naming
the report id.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import logging
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from buyer_messaging.extract import records, returns_format
from buyer_messaging.extract import returns_store as returns_sql
from buyer_messaging.extract import store as staging
from buyer_messaging.extract.watermark import resume_start
from buyer_messaging.spapi.calls import SpApiCaller
from buyer_messaging.warehouse.connection import transaction

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection
    from sp_api.base import Client

log = logging.getLogger(__name__)

STREAM = "returns"
REPORT_TYPE = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
MAX_REPORT_SPAN = timedelta(days=60)  # Amazon: at most 60 days of returns per report
_AMAZON_LAG = timedelta(minutes=2)
# Columns of Amazon's returns flat file (canonical names) that the staging row cannot do without.
REQUIRED_COLUMNS = returns_format.REQUIRED


class ReportFailed(RuntimeError):
    """The report ended FATAL (or CANCELLED when that counts as a failure), or never finished."""

    def __init__(
        self, report_id: str, status: str, detail: str = "", *, finished: bool = True
    ) -> None:
        verb = "ended" if finished else "did not finish: still"
        super().__init__(
            f"returns report {report_id} {verb} {status}" + (f": {detail}" if detail else "")
        )
        self.report_id = report_id
        self.status = status


class UnreadableReport(ReportFailed):
    """The document is in no form we know: the next report would be the same, so retrying
    cannot help (the task fails at once, naming the header seen and the forms accepted)."""


class ReturnRecordError(ValueError):
    def __init__(self, record_key: str, field: str, problem: str) -> None:
        super().__init__(f"return {record_key}: field {field}: {problem}")
        self.record_key = record_key
        self.field = field
        self.problem = problem


@dataclass
class ReturnsStats:
    window_start: datetime
    window_end: datetime
    reports: list[str] = field(default_factory=list)
    rows: int = 0
    returns: int = 0
    batches: int = 0
    rejected: int = 0
    rejected_keys: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"returns window {self.window_start:%Y-%m-%d %H:%M} .. {self.window_end:%Y-%m-%d %H:%M} UTC:"
            f" {len(self.reports)} reports ({', '.join(self.reports) or 'none'}), {self.rows} rows,"
            f" {self.returns} returns in {self.batches} batches, {self.rejected} rejected"
        )


# --- window --------------------------------------------------------------------------------


def returns_window(
    conn: PgConnection,
    account_id: str,
    interval: tuple[datetime, datetime],
    *,
    lookback_days: int,
    refresh_days: int = 0,
    now: datetime | None = None,
) -> tuple[datetime, datetime]:
    """The returns requested in the day's interval and the `refresh_days` before it (their
    arrival and refund come later); on the account's first returns run, the onboarding
    lookback when that reaches further back."""
    start, end = interval
    with transaction(conn) as cur:
        first_run = not staging.has_loaded(cur, account_id, STREAM)
        if not first_run:  # from where the previous run really ended (`extract.watermark`)
            start = resume_start(cur, account_id, STREAM, start, lookback_days=lookback_days)
    back = max(refresh_days, lookback_days if first_run else 0)
    start = start - timedelta(days=back)
    end = min(end, (now or datetime.now(UTC)) - _AMAZON_LAG)
    return start, end


def report_spans(
    window: tuple[datetime, datetime], longest: timedelta = MAX_REPORT_SPAN
) -> list[tuple[datetime, datetime]]:
    """The window cut into spans a report accepts (`longest` at most each; 60 days for the
    returns and feedback reports)."""
    start, end = window
    spans = []
    while start < end:
        stop = min(end, start + longest)
        spans.append((start, stop))
        start = stop
    return spans


# --- parsing -------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _timestamp(
    row: dict[str, str], key: str, column: str, *, required: bool, tz: str
) -> datetime | None:
    value = (row.get(column) or "").strip()
    if not value:
        if required:
            raise ReturnRecordError(key, column, "missing")
        return None
    try:
        return returns_format.parse_report_date(value, tz)
    except returns_format.DateProblem as err:
        raise ReturnRecordError(key, column, str(err)) from None


def _decimal(row: dict[str, str], key: str, column: str) -> Decimal | None:
    value = (row.get(column) or "").strip()
    if not value:
        return None
    # "1,234.56" (thousands separator) and "12,50" (decimal comma, European files)
    normalised = value.replace(",", "") if "." in value else value.replace(",", ".")
    try:
        amount = Decimal(normalised)
    except InvalidOperation:
        raise ReturnRecordError(key, column, f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ReturnRecordError(key, column, f"not an amount: {value!r}")
    if amount < 0:
        raise ReturnRecordError(key, column, f"negative amount {value}")
    return amount


def _integer(
    row: dict[str, str], key: str, column: str, *, required: bool, positive: bool
) -> int | None:
    value = (row.get(column) or "").strip()
    if not value:
        if required:
            raise ReturnRecordError(key, column, "missing")
        return None
    try:
        number = int(value)
    except ValueError:
        raise ReturnRecordError(key, column, f"not an integer: {value!r}") from None
    if positive and number <= 0:
        raise ReturnRecordError(key, column, f"quantity must be positive, got {number}")
    if number < 0:
        raise ReturnRecordError(key, column, f"negative quantity {number}")
    return number


def _flag(row: dict[str, str], column: str) -> bool | None:
    value = (row.get(column) or "").strip().upper()
    return {"Y": True, "YES": True, "TRUE": True, "N": False, "NO": False, "FALSE": False}.get(
        value
    )


def _text(row: dict[str, str], column: str) -> str | None:
    value = (row.get(column) or "").strip()
    return value or None


def record_key(row: dict[str, str]) -> str:
    """How a rejected row is named: order / RMA (or request date) / SKU (or ASIN)."""
    order = (row.get("order-id") or "").strip() or "?"
    rma = (
        (row.get("amazon-rma-id") or "").strip()
        or (row.get("return-request-date") or "").strip()
        or "?"
    )
    line = (row.get("merchant-sku") or "").strip() or (row.get("asin") or "").strip() or "?"
    return f"{order}/{rma}/{line}"


def parse_return(row: dict[str, str], account_id: str, *, tz: str = "UTC") -> dict[str, Any]:
    """One staging.returns row from one flat-file row (canonical column name -> text); a
    date without a zone is read in `tz`, the account's time zone (see `returns_format`)."""
    key = record_key(row)
    order_id = _text(row, "order-id")
    if not order_id:
        raise ReturnRecordError(key, "order-id", "missing")
    sku, asin = _text(row, "merchant-sku"), _text(row, "asin")
    if not sku and not asin:
        raise ReturnRecordError(key, "merchant-sku", "missing (and no asin either)")
    requested = _timestamp(row, key, "return-request-date", required=True, tz=tz)
    assert requested is not None
    rma = _text(row, "amazon-rma-id")
    return {
        "account_id": account_id,
        "record_key": key,
        "amazon_order_id": order_id,
        "return_key": rma or f"requested:{_iso(requested)}",
        "line_key": sku or asin,
        "amazon_rma_id": rma,
        "seller_rma_id": _text(row, "seller-rma-id"),
        "merchant_sku": sku,
        "asin": asin,
        "item_name": _text(row, "item-name"),
        "order_date": _timestamp(row, key, "order-date", required=True, tz=tz),
        "return_request_date": requested,
        "return_request_status": _text(row, "return-request-status"),
        "return_delivery_date": _timestamp(row, key, "return-delivery-date", required=False, tz=tz),
        "return_quantity": _integer(row, key, "return-quantity", required=True, positive=True),
        "return_reason": _text(row, "return-reason"),
        "return_type": _text(row, "return-type"),
        "resolution": _text(row, "resolution"),
        "in_policy": _flag(row, "in-policy"),
        "is_prime": _flag(row, "is-prime"),
        "a_to_z_claim": _flag(row, "a-to-z-claim"),
        "label_type": _text(row, "label-type"),
        "label_cost": _decimal(row, key, "label-cost"),
        "label_to_be_paid_by": _text(row, "label-to-be-paid-by"),
        "return_carrier": _text(row, "return-carrier"),
        "tracking_id": _text(row, "tracking-id"),
        "currency": _text(row, "currency-code"),
        "order_amount": _decimal(row, key, "order-amount"),
        "order_quantity": _integer(row, key, "order-quantity", required=False, positive=False),
        "refunded_amount": _decimal(row, key, "refunded-amount"),
        "raw": dict(row),
    }


def decode_document(content: bytes, compression: str | None, *, charset: str | None = None) -> str:
    """The report's text: gunzipped when Amazon says GZIP, decoded (UTF-8, else Windows-1252)."""
    if (compression or "").upper() == "GZIP":
        content = gzip.decompress(content)
    elif compression:
        raise ValueError(f"unknown compressionAlgorithm {compression!r}")
    for encoding in (charset, "utf-8", "cp1252"):
        if not encoding:
            continue
        try:
            return content.decode(encoding).lstrip("\ufeff")
        except (UnicodeDecodeError, LookupError):
            continue
    return content.decode("latin-1")


def read_flat_file(
    text: str,
) -> tuple[list[str], Iterator[tuple[int, dict[str, str] | None, list[str]]]]:
    """(header, rows): the header in canonical names (`returns_format`), each row as (line
    number, {column: value} or None if its width is wrong, cells). A row may lack or add
    trailing cells only where they are columns we do not know or blank."""
    # a cell past csv's default 128 KiB limit is a bad row to reject, not a reason to stop reading
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    try:
        seen = next(reader)
    except StopIteration:
        return [], iter(())
    header = returns_format.resolve_header(seen)
    width = len(header)
    known = [i for i, name in enumerate(header) if name in returns_format.COLUMNS]
    needed = max(known) + 1  # a row may stop after the last column we read

    def rows() -> Iterator[tuple[int, dict[str, str] | None, list[str]]]:
        for line, cells in enumerate(reader, start=2):
            if not cells or all(not c.strip() for c in cells):
                continue
            fitted = cells
            if len(cells) > width and not any(c.strip() for c in cells[width:]):
                fitted = cells[:width]
            elif needed <= len(cells) < width:
                fitted = cells + [""] * (width - len(cells))
            if len(fitted) != width:
                yield line, None, cells
            else:
                yield line, dict(zip(header, fitted, strict=True)), cells

    return header, rows()


# --- the report's life cycle ---------------------------------------------------------------


@dataclass
class Polling:
    """How getReport is polled: exponential back-off from `initial` to `cap`, up to `timeout`."""

    initial: float = 5.0
    cap: float = 60.0
    timeout: float = 3 * 3600.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


def request_report(
    client: Client,
    caller: SpApiCaller,
    span: tuple[datetime, datetime],
    marketplace_id: str,
    report_type: str = REPORT_TYPE,
) -> str:
    """createReport for `span`; the report id (for any report type: feedback uses it too)."""
    res = caller.call(
        "createReport",
        client.create_report,
        client=client,
        reportType=report_type,
        marketplaceIds=[marketplace_id],
        dataStartTime=_iso(span[0]),
        dataEndTime=_iso(span[1]),
    )
    report_id = str(res.payload["reportId"])
    log.info("%s %s requested for %s .. %s", report_type, report_id, _iso(span[0]), _iso(span[1]))
    return report_id


def wait_for_report(
    client: Client,
    caller: SpApiCaller,
    report_id: str,
    polling: Polling,
    *,
    cancelled_is_empty: bool,
) -> str | None:
    """The report's document id once DONE; None when CANCELLED means "no data"."""
    started = polling.clock()
    delay = polling.initial
    while True:
        res = caller.call("getReport", client.get_report, report_id, client=client, subject=None)
        status = res.payload.get("processingStatus")
        if status == "DONE":
            document_id = res.payload.get("reportDocumentId")
            if not document_id:
                raise ReportFailed(report_id, "DONE", "no reportDocumentId in getReport's answer")
            log.info("returns report %s DONE after %.1f s", report_id, polling.clock() - started)
            return str(document_id)
        if status == "CANCELLED":
            if cancelled_is_empty:
                log.info(
                    "returns report %s CANCELLED: Amazon found no returns in its window", report_id
                )
                return None
            raise ReportFailed(
                report_id, "CANCELLED", "cancelled (Amazon cancels a report without data)"
            )
        if status == "FATAL":
            detail = "Amazon could not build it"
            if res.payload.get("reportDocumentId"):
                detail += f"; error document {res.payload['reportDocumentId']}"
            raise ReportFailed(report_id, "FATAL", detail)
        if status not in ("IN_QUEUE", "IN_PROGRESS"):
            raise ReportFailed(report_id, str(status), "unknown processingStatus")
        waited = polling.clock() - started
        if waited >= polling.timeout:
            raise ReportFailed(
                report_id, str(status), f"gave up after {waited:.0f} s of polling", finished=False
            )
        log.info("returns report %s %s; next look in %.1f s", report_id, status, delay)
        polling.sleep(min(delay, max(0.0, polling.timeout - waited)))
        delay = min(polling.cap, delay * 2)


def _download(url: str, timeout: float) -> Any:
    """GET the document; non-2xx raises SpApiHttpError so the caller retries 5xx as usual."""
    import httpx

    from buyer_messaging.spapi.client import SpApiHttpError

    res = httpx.get(url, timeout=timeout, follow_redirects=True)
    if not 200 <= res.status_code < 300:
        raise SpApiHttpError(
            res.status_code,
            "DocumentDownloadFailed",
            (res.text or "")[:200] or "empty body",
            res.headers,
        )
    return res


def fetch_document(
    client: Client, caller: SpApiCaller, document_id: str, report_id: str, *, timeout: float = 300.0
) -> str:
    """getReportDocument, then download and decompress; a damaged download is fetched again."""
    from buyer_messaging.spapi.client import SpApiHttpError

    meta = caller.call("getReportDocument", client.get_report_document, document_id, client=client)
    url = meta.payload.get("url")
    if not url:
        raise ReportFailed(report_id, "DONE", f"getReportDocument gave no url for {document_id}")
    compression = meta.payload.get("compressionAlgorithm")

    def download() -> str:
        res = _download(url, timeout)
        try:
            return decode_document(res.content, compression, charset=res.charset_encoding)
        except (OSError, EOFError, zlib.error) as err:  # a cut-off gzip: fetch it again
            raise SpApiHttpError(
                res.status_code, "InvalidResponse", f"document {document_id}: {err}"
            ) from err

    text = caller.call("downloadReportDocument", download, subject=None)
    log.info(
        "returns report %s: document %s downloaded (%d characters)",
        report_id,
        document_id,
        len(text),
    )
    return text


# --- the stage -----------------------------------------------------------------------------


def extract_returns(
    conn: PgConnection,
    reports_client: Client,
    caller: SpApiCaller,
    *,
    account_id: str,
    window: tuple[datetime, datetime],
    marketplace_id: str,
    batch_size: int = 500,
    polling: Polling | None = None,
    cancelled_is_empty: bool = True,
    tz: str | None = None,
) -> ReturnsStats:
    """Load the returns requested in `window` into staging.returns, one transaction per batch.

    `tz`: the account's time zone, in which the report's calendar dates are read (default the
    marketplace's)."""
    stats = ReturnsStats(*window)
    if tz is None:
        from buyer_messaging.marketplaces import BY_ID

        market = BY_ID.get(marketplace_id)
        tz = market.timezone if market else "UTC"
    if window[1] <= window[0]:
        log.info("returns window is empty (%s .. %s): nothing to extract", *window)
        return stats
    polling = polling or Polling()
    for span in report_spans(window):
        report_id = request_report(reports_client, caller, span, marketplace_id)
        stats.reports.append(report_id)
        document_id = wait_for_report(
            reports_client, caller, report_id, polling, cancelled_is_empty=cancelled_is_empty
        )
        if document_id is None:
            continue
        text = fetch_document(reports_client, caller, document_id, report_id)
        try:
            header, rows = read_flat_file(text)
        except ValueError as err:
            raise UnreadableReport(report_id, "DONE", str(err)) from None
        _load(
            conn,
            header,
            rows,
            stats,
            account_id=account_id,
            report_id=report_id,
            batch_size=batch_size,
            tz=tz,
        )
    with transaction(conn) as cur:
        staging.record_extract_run(
            cur,
            account_id,
            STREAM,
            window,
            records=stats.returns,
            pages=stats.batches,
            calls=sum(
                caller.calls[op] for op in ("createReport", "getReport", "getReportDocument")
            ),
            throttled=sum(
                caller.throttled[op] for op in ("createReport", "getReport", "getReportDocument")
            ),
        )
    return stats


def _storable_return(row: dict[str, str], account_id: str, **parse: Any) -> dict[str, Any]:
    """parse_return (given `parse` too), and a ReturnRecordError for what Postgres would refuse
    (NUL characters, integers and amounts beyond their columns, keys too long to index)."""
    found = records.storage_problem(row)
    if found is not None:
        raise ReturnRecordError(record_key(row), *found)
    parsed = parse_return(row, account_id, **parse)
    found = records.column_problem(parsed, returns_sql.RETURN_KEY)
    if found is not None:
        raise ReturnRecordError(record_key(row), *found)
    return parsed


def rejected_return(err: ReturnRecordError, row: dict[str, str]) -> tuple[str, str, Any]:
    """(key, reason, kept row) for staging.rejected_records: bounded and storable."""
    key = records.bounded_key(err.record_key)
    problem = err.problem if len(err.problem) <= 300 else f"{err.problem[:300]}…"
    reason = f"return {key}: field {err.field}: {problem}"
    return key, records.mask_emails(records.kept(reason)), records.kept(dict(row))


def _load(
    conn: PgConnection,
    header: list[str],
    rows: Iterator[tuple[int, dict[str, str] | None, list[str]]],
    stats: ReturnsStats,
    *,
    account_id: str,
    report_id: str,
    batch_size: int,
    tz: str,
) -> None:
    width = len(header)
    batch: list[dict[str, Any]] = []
    rejects: list[tuple[str, str, dict[str, Any]]] = []

    def flush() -> None:
        if not batch and not rejects:
            return
        with transaction(conn) as cur:
            written = returns_sql.upsert_returns(cur, batch)
            staging.reject_records(cur, account_id, STREAM, rejects)
        stats.batches += 1
        stats.returns += written
        stats.rejected += len(rejects)
        stats.rejected_keys.extend(k for k, _, _ in rejects)
        for _, reason, _ in rejects:
            log.warning("kept raw in staging.rejected_records: %s", reason)
        log.info(
            "returns batch %d: %d returns (%d total), %d rejected (report %s)",
            stats.batches, written, stats.returns, len(rejects), report_id,
        )  # fmt: skip
        batch.clear()
        rejects.clear()

    for line, row, cells in rows:
        stats.rows += 1
        if row is None:
            # named by its content, not its report or line, so a re-run rejects the same record
            digest = hashlib.sha1("\t".join(cells).encode()).hexdigest()[:12]
            key = records.bounded_key(f"{(cells[0].strip() if cells else '') or '?'}/row-{digest}")
            log.warning(
                "returns report %s line %d: %d columns, not %d", report_id, line, len(cells), width
            )
            rejects.append(
                (
                    key,
                    f"return {key}: row has {len(cells)} columns, the header has {width}",
                    records.kept({"cells": cells}),
                )
            )
        else:
            try:
                batch.append(_storable_return(row, account_id, tz=tz))
            except ReturnRecordError as err:
                rejects.append(rejected_return(err, row))
        if len(batch) + len(rejects) >= batch_size:
            flush()
    flush()
