"""extract_feedback: Amazon's seller feedback report into `staging.seller_feedback`.

GET_SELLER_FEEDBACK_DATA (Reports API 2021-06-30) lists the negative and neutral ratings
buyers left for the seller, one row per order. Its columns keep one order in every
marketplace, but their names are translated (Amazon localises this report), and its dates are
written the marketplace's way, so rows are read by position and the header is checked against
the spellings known per marketplace (sources in ../shared/amazon-report-formats.md: Airbyte's
connector fixtures and PR #9212, from real accounts).

The rater's e-mail is buyer PII: only its salted hash is kept, the same hash as
`staging.orders.buyer_hash`, so one bad rating reaches every order of that buyer.
"""

from __future__ import annotations

import csv
import io
import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from psycopg2.extras import execute_values

from buyer_messaging.extract import store as staging
from buyer_messaging.extract.parse import buyer_hash
from buyer_messaging.extract.returns import (
    Polling,
    fetch_document,
    report_spans,
    request_report,
    wait_for_report,
)
from buyer_messaging.spapi.calls import SpApiCaller
from buyer_messaging.warehouse.connection import transaction

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection
    from sp_api.base import Client

log = logging.getLogger(__name__)

STREAM = "feedback"
REPORT_TYPE = "GET_SELLER_FEEDBACK_DATA"
FIELDS = (
    "feedback_date",
    "rating",
    "comments",
    "seller_response",
    "amazon_order_id",
    "rater_email",
)
# Header spellings seen per position, folded (lower case, no accents). US (Airbyte's fixture;
# some clients read the fourth column as "Response"), DE, ES, MX (Airbyte PR #9212).
KNOWN_HEADERS: tuple[frozenset[str], ...] = tuple(
    frozenset(names)
    for names in (
        ("date", "datum", "fecha", "data"),
        ("rating", "bewertung", "valoracion", "calificacion", "evaluation", "note", "valutazione"),
        ("comments", "kommentar", "kommentare", "comentarios", "commentaires", "commenti"),
        ("your response", "response", "ihre antwort", "tu respuesta", "su respuesta",
         "votre reponse", "la tua risposta", "risposta"),
        ("order id", "order-id", "transaktionsnummer", "bestellnummer", "numero de pedido",
         "numero de commande", "numero d'ordine", "numero ordine", "id ordine"),
        ("rater email", "e-mail des bewertenden", "e-mail del cliente",
         "correo electronico del evaluador", "e-mail de l'evaluateur", "e-mail del valutatore",
         "email"),
    )
)  # fmt: skip
# Day-first unless the marketplace writes month first (Airbyte's transformer, from real data).
DATE_FORMATS: dict[str, tuple[str, ...]] = {
    "US": ("%m/%d/%y", "%m/%d/%Y"),
    "DE": ("%d.%m.%y", "%d.%m.%Y"),
}
DEFAULT_DATE_FORMATS = ("%d/%m/%y", "%d/%m/%Y")
MAX_TEXT = 4000  # Amazon caps a feedback comment far below this; longer is not a comment


class FeedbackRecordError(ValueError):
    def __init__(self, record_key: str, field: str, problem: str) -> None:
        super().__init__(f"feedback {record_key}: field {field}: {problem}")
        self.record_key = record_key


@dataclass
class FeedbackStats:
    window_start: datetime
    window_end: datetime
    reports: list[str] = field(default_factory=list)
    rows: int = 0
    loaded: int = 0
    negative: int = 0
    rejected: int = 0

    def summary(self) -> str:
        return (
            f"feedback window {self.window_start:%Y-%m-%d} .. {self.window_end:%Y-%m-%d}:"
            f" {len(self.reports)} reports, {self.rows} rows, {self.loaded} ratings"
            f" ({self.negative} of 1-2 stars), {self.rejected} rejected"
        )


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lstrip("\ufeff").lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def check_header(header: list[str]) -> None:
    """Fail naming the header seen when it is not the feedback report's, in any known language."""
    if len(header) < len(FIELDS):
        raise ValueError(
            f"feedback report header has {len(header)} columns, expected at least"
            f" {len(FIELDS)} ({', '.join(FIELDS)}): {header}"
        )
    unknown = [
        (i, name)
        for i, name in enumerate(header[: len(FIELDS)])
        if _fold(name) not in KNOWN_HEADERS[i]
    ]
    # localised names we have not seen yet are fine as long as the order id column is where it
    # should be; anything else is a different report
    if any(i == FIELDS.index("amazon_order_id") for i, _ in unknown) or len(unknown) > 3:
        raise ValueError(
            f"not a seller feedback report header: {header}; expected the columns"
            f" {', '.join(FIELDS)} in this order, named e.g. "
            + ", ".join(sorted(names)[0] for names in KNOWN_HEADERS)
        )
    for i, name in unknown:
        log.warning("feedback report: column %d is named %r, read as %s", i + 1, name, FIELDS[i])


def parse_date(value: str, marketplace: str, key: str) -> date:
    text = value.strip()
    for fmt in DATE_FORMATS.get(marketplace, DEFAULT_DATE_FORMATS):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:  # some tools and newer files write ISO dates
        return date.fromisoformat(text[:10])
    except ValueError:
        raise FeedbackRecordError(
            key,
            "date",
            f"not a {marketplace} date ({' or '.join(DATE_FORMATS.get(marketplace, DEFAULT_DATE_FORMATS))}): {text!r}",
        ) from None


def parse_row(
    cells: list[str], *, account_id: str, marketplace: str, marketplace_id: str, salt: str
) -> dict[str, Any]:
    """One staging.seller_feedback row from one report row (by position)."""
    values = [c.strip() for c in cells[: len(FIELDS)]]
    raw = dict(zip(FIELDS, values, strict=False))
    order_id = raw.get("amazon_order_id", "")
    key = order_id or "?"
    if not order_id:
        raise FeedbackRecordError(key, "order id", "missing")
    if len(order_id) > 64 or "\x00" in order_id:
        raise FeedbackRecordError(key[:40], "order id", "not an Amazon order id")
    try:
        rating = int(raw["rating"])
    except ValueError:
        raise FeedbackRecordError(key, "rating", f"not a number: {raw['rating'][:20]!r}") from None
    if not 1 <= rating <= 5:
        raise FeedbackRecordError(key, "rating", f"{rating} is not 1 to 5 stars")
    texts = {}
    for name in ("comments", "seller_response"):
        text = raw[name].replace("\x00", "")
        if len(text) > MAX_TEXT:
            raise FeedbackRecordError(key, name, f"{len(text)} characters")
        texts[name] = text or None
    return {
        "account_id": account_id,
        "amazon_order_id": order_id,
        "marketplace_id": marketplace_id,
        "feedback_date": parse_date(raw["feedback_date"], marketplace, key),
        "rating": rating,
        **texts,
        "rater_hash": buyer_hash(raw.get("rater_email") or None, salt),
    }


def read_report(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    try:
        header = next(reader)
    except StopIteration:
        return [], []
    check_header(header)
    rows = [(n, cells) for n, cells in enumerate(reader, start=2) if any(c.strip() for c in cells)]
    return header, rows


_COLUMNS = (
    "account_id", "amazon_order_id", "marketplace_id", "feedback_date", "rating", "comments",
    "seller_response", "rater_hash",
)  # fmt: skip
_UPSERT = f"""
INSERT INTO staging.seller_feedback ({", ".join(_COLUMNS)}) VALUES %s
ON CONFLICT (account_id, amazon_order_id) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS[2:])}, extracted_at = now()
"""


def load_rows(
    conn: PgConnection,
    header: list[str],
    rows: list[tuple[int, list[str]]],
    stats: FeedbackStats,
    *,
    account_id: str,
    marketplace: str,
    marketplace_id: str,
    salt: str,
) -> None:
    parsed: dict[str, dict[str, Any]] = {}
    rejects: list[tuple[str, str, dict[str, Any]]] = []
    for line, cells in rows:
        stats.rows += 1
        try:
            if len(cells) < len(FIELDS):
                raise FeedbackRecordError(
                    (cells[FIELDS.index("amazon_order_id")] if len(cells) > 4 else "") or f"line-{line}",
                    "row", f"{len(cells)} columns, the header has {len(header)}",
                )  # fmt: skip
            row = parse_row(
                cells, account_id=account_id, marketplace=marketplace,
                marketplace_id=marketplace_id, salt=salt,
            )  # fmt: skip
        except FeedbackRecordError as err:
            # the raw row without the rater's e-mail (PII) and the buyer's comment
            kept = {"line": line, "columns": len(cells), "order_id": err.record_key}
            rejects.append((err.record_key, str(err), kept))
            continue
        parsed[row["amazon_order_id"]] = row  # the latest row of an order wins
    with transaction(conn) as cur:
        if parsed:
            execute_values(cur, _UPSERT, [tuple(r[c] for c in _COLUMNS) for r in parsed.values()])
        staging.reject_records(cur, account_id, STREAM, rejects)
    stats.loaded += len(parsed)
    stats.negative += sum(1 for r in parsed.values() if r["rating"] <= 2)
    stats.rejected += len(rejects)
    for _, reason, _ in rejects:
        log.warning("rejected: %s", reason)


def feedback_window(
    conn: PgConnection,
    account_id: str,
    interval: tuple[datetime, datetime],
    *,
    lookback_days: int,
    refresh_days: int = 7,
    now: datetime | None = None,
) -> tuple[datetime, datetime]:
    """The day's interval and the days before it (a rating can be left, changed or removed
    weeks after the order); the onboarding lookback on the account's first feedback run."""
    with transaction(conn) as cur:
        first_run = not staging.has_loaded(cur, account_id, STREAM)
    start, end = interval
    back = max(refresh_days, lookback_days if first_run else 0)
    return start - timedelta(days=back), min(end, now or datetime.now(UTC))


def extract_feedback(
    conn: PgConnection,
    reports_client: Client,
    caller: SpApiCaller,
    *,
    account_id: str,
    window: tuple[datetime, datetime],
    marketplace: str,
    marketplace_id: str,
    salt: str,
    polling: Polling | None = None,
) -> FeedbackStats:
    """Request the feedback report for `window`, wait for it and upsert its ratings."""
    stats = FeedbackStats(*window)
    if window[1] <= window[0]:
        return stats
    for span in report_spans(window):  # Amazon takes at most 60 days a report
        report_id = request_report(reports_client, caller, span, marketplace_id, REPORT_TYPE)
        stats.reports.append(report_id)
        document_id = wait_for_report(
            reports_client, caller, report_id, polling or Polling(), cancelled_is_empty=True
        )
        if document_id is None:
            continue
        text = fetch_document(reports_client, caller, document_id, report_id)
        header, rows = read_report(text)
        load_rows(
            conn, header, rows, stats, account_id=account_id, marketplace=marketplace,
            marketplace_id=marketplace_id, salt=salt,
        )  # fmt: skip
    with transaction(conn) as cur:
        staging.record_extract_run(
            cur, account_id, STREAM, window, records=stats.loaded, pages=len(stats.reports),
            calls=sum(caller.calls[op] for op in ("createReport", "getReport", "getReportDocument")),
            throttled=sum(caller.throttled[op] for op in ("createReport", "getReport", "getReportDocument")),
        )  # fmt: skip
    return stats
