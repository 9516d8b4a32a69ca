"""The forms Amazon serves GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE in, mapped in one place.

Sources (see `../shared/amazon-report-formats.md`): the title-case 32-column header of a real
US document (2025), the same list in amzn/selling-partner-api-models issue #284 and in
Airbyte's connector schema; the lower-case hyphenated names of Seller Central downloads and
some tools. Some clients see a trailing `Category` (or `Order Item ID`) column: columns we do
not know are kept in the raw row and otherwise ignored.

Header cells are compared after folding case, BOM, spaces, hyphens and underscores, so
`Order ID`, `order-id`, `ORDER_ID` and `\\ufeffOrder Id` are one column. Each canonical name
(the hyphenated spelling, which the rest of `extract.returns` reads) lists every spelling
Amazon is known to use for it.

Dates come as `dd-Mon-yyyy` (`10-Jul-2025`; English month abbreviations in the US document,
localised ones accepted for FR/DE/ES/IT through Babel's CLDR data) or ISO 8601 with or
without a zone. A value without a zone is a calendar date (or wall-clock time) of the
marketplace, so it is read in the account's time zone; a bare date becomes the start of that
local day. That keeps an event on its own local day, which is the day the plan gives it
(`due_on`); and the daily run that plans it starts after that day has ended, so nothing is sent
before the event it confirms.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

from buyer_messaging.domain import LOCALES

# canonical (hyphenated) name -> every header spelling Amazon uses for it
COLUMNS: dict[str, tuple[str, ...]] = {
    "order-id": ("Order ID", "order-id"),
    "order-date": ("Order date", "order-date"),
    "return-request-date": ("Return request date", "return-request-date"),
    "return-request-status": ("Return request status", "return-request-status"),
    "amazon-rma-id": ("Amazon RMA ID", "amazon-rma-id"),
    "seller-rma-id": ("Merchant RMA ID", "merchant-rma-id", "seller-rma-id"),
    "label-type": ("Label type", "label-type"),
    "label-cost": ("Label cost", "label-cost"),
    "currency-code": ("Currency code", "currency-code"),
    "return-carrier": ("Return carrier", "return-carrier"),
    "tracking-id": ("Tracking ID", "tracking-id"),
    "label-to-be-paid-by": ("Label to be paid by", "label-to-be-paid-by"),
    "a-to-z-claim": ("A-to-Z Claim", "a-to-z-claim"),
    "is-prime": ("Is prime", "is-prime"),
    "asin": ("ASIN", "asin"),
    "merchant-sku": ("Merchant SKU", "merchant-sku"),
    "item-name": ("Item Name", "item-name"),
    "return-quantity": ("Return quantity", "return-quantity"),
    "return-reason": ("Return Reason", "return-reason"),
    "in-policy": ("In policy", "in-policy"),
    "return-type": ("Return type", "return-type"),
    "resolution": ("Resolution", "resolution"),
    "invoice-number": ("Invoice number", "invoice-number"),
    "return-delivery-date": ("Return delivery date", "return-delivery-date"),
    "order-amount": ("Order Amount", "order-amount"),
    "order-quantity": ("Order quantity", "order-quantity"),
    "safet-action-reason": ("SafeT Action reason", "safet-action-reason"),
    "safet-claim-id": ("SafeT claim id", "safet-claim-id"),
    "safet-claim-state": ("SafeT claim state", "safet-claim-state"),
    "safet-claim-creation-time": ("SafeT claim creation time", "safet-claim-creation-time"),
    "safet-claim-reimbursement-amount": (
        "SafeT claim reimbursement amount",
        "safet-claim-reimbursement-amount",
    ),
    "refunded-amount": ("Refunded Amount", "refunded-amount"),
}
# the columns a staging row cannot do without
REQUIRED = ("order-id", "order-date", "return-request-date", "return-quantity")
# how the error names the forms we accept
FORMS = {
    "Amazon's documented title case": [names[0] for names in COLUMNS.values()],
    "lower-case hyphenated": list(COLUMNS),
}


class UnknownHeader(ValueError):
    """The document's header matches none of the forms Amazon is known to use."""


def fold(name: str) -> str:
    """`Order ID`, `order-id`, `ORDER_ID`, `\\ufeffOrder  Id` -> `order id`."""
    text = name.replace("\ufeff", "").strip().casefold()
    return re.sub(r"[\s\-_]+", " ", text)


_BY_FOLDED: dict[str, str] = {
    fold(s): canon for canon, spellings in COLUMNS.items() for s in spellings
}


def resolve_header(header: list[str]) -> list[str]:
    """Each header cell's canonical name; a column we do not know keeps its own name."""
    resolved = [_BY_FOLDED.get(fold(cell), cell.replace("\ufeff", "").strip()) for cell in header]
    missing = [c for c in REQUIRED if c not in resolved]
    if missing:
        forms = "; ".join(f"{form}: {', '.join(names[:6])}, ..." for form, names in FORMS.items())
        raise UnknownHeader(
            f"returns report header matches no known form: lacks {', '.join(missing)};"
            f" header seen: {header[:12]}{' ...' if len(header) > 12 else ''};"
            f" forms accepted (case, spaces, hyphens and underscores ignored): {forms}"
        )
    return resolved


# --- dates ---------------------------------------------------------------------------------

# the marketplaces' languages (en_GB writes "Sept"); CLDR's data, not a list of our own
MONTH_LOCALES = tuple(loc.replace("-", "_") for loc in LOCALES)


def _plain(name: str) -> str:
    """`févr.` -> `fevr`: case, dots and accents do not matter in a month name."""
    text = unicodedata.normalize("NFKD", name.casefold().strip().rstrip("."))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@cache
def month_names() -> dict[str, int]:
    """Month names and abbreviations of MONTH_LOCALES (CLDR via Babel) -> month number."""
    from babel.dates import get_month_names

    table: dict[str, int] = {}
    for locale in MONTH_LOCALES:
        for width in ("abbreviated", "wide"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    table.setdefault(_plain(name), number)
    return table


_DMY = re.compile(r"^(\d{1,2})[-./ ]([^\W\d_]+\.?)[-./ ](\d{4})$")


class DateProblem(ValueError):
    pass


def parse_report_date(value: str, tz: str) -> datetime:
    """An aware datetime from `10-Jul-2025`, `10-juil.-2025`, `2025-07-10`,
    `2025-07-10T08:00:00` (both read in `tz`) or `2025-07-10T08:00:00+00:00`."""
    moment = _parse_report_date(value, tz)
    try:  # the first and last days Python knows cannot always be moved to UTC
        moment.astimezone(UTC)
    except OverflowError:
        raise DateProblem(f"date out of range: {value!r}") from None
    return moment


def _parse_report_date(value: str, tz: str) -> datetime:
    text = value.strip()
    match = _DMY.match(text)
    if match:
        day, month_name, year = match.groups()
        month = month_names().get(_plain(month_name))
        if month is None:
            raise DateProblem(f"unknown month {month_name!r} in {value!r}")
        try:
            calendar_day = date(int(year), month, int(day))
        except ValueError:
            raise DateProblem(f"not a date: {value!r}") from None
        return datetime.combine(calendar_day, time(0), ZoneInfo(tz))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise DateProblem(f"not a date (expected dd-Mon-yyyy or ISO 8601): {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed
