"""Every form Amazon serves GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE in, read into one row.

The formats are Amazon's, never our own parser's: each test names its source (the entries of
`../shared/amazon-report-formats.md`, which cites them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from buyer_messaging.extract import returns as r
from buyer_messaging.extract import returns_format as f

# Source: a real US document (2025), the same 32 names in a comment on
# amzn/selling-partner-api-models issue #284 (Dec 2022) and Airbyte's connector schema.
AMAZON_HEADER = [
    "Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID",
    "Merchant RMA ID", "Label type", "Label cost", "Currency code", "Return carrier",
    "Tracking ID", "Label to be paid by", "A-to-Z Claim", "Is prime", "ASIN", "Merchant SKU",
    "Item Name", "Return quantity", "Return Reason", "In policy", "Return type", "Resolution",
    "Invoice number", "Return delivery date", "Order Amount", "Order quantity",
    "SafeT Action reason", "SafeT claim id", "SafeT claim state", "SafeT claim creation time",
    "SafeT claim reimbursement amount", "Refunded Amount",
]  # fmt: skip
# Source: the same US document's rows (order id, dd-Mon-yyyy dates, a single space for an
# empty field, the reason code AMZ-PG-WJ-TOO-SMALL kept as Amazon spells it).
AMAZON_ROW = [
    "113-6277818-6289068", "10-Jul-2025", "14-Jul-2025", "Approved", "DkF1xPQWRRMA", " ",
    "AmazonUnPaidLabel", " ", "USD", "USPS", "9302010000000000000000", "Customer", "N", "N",
    "B0CXYZ1234", "TSHIRT-S-BLK", "Cotton T-shirt", "1", "AMZ-PG-WJ-TOO-SMALL", "Y",
    "C-Returns", "StandardRefund", " ", "18-Jul-2025", "19.99", "1", " ", " ", " ", " ", " ",
    "19.99",
]  # fmt: skip
# Source: Seller Central downloads and some tools spell the same columns lower-case hyphenated
# (amazon-report-formats.md); 'seller-rma-id' and 'merchant-rma-id' are both seen.
HYPHENATED_HEADER = [
    "order-id", "order-date", "return-request-date", "return-request-status", "amazon-rma-id",
    "seller-rma-id", "label-type", "label-cost", "currency-code", "return-carrier",
    "tracking-id", "label-to-be-paid-by", "a-to-z-claim", "is-prime", "asin", "merchant-sku",
    "item-name", "return-quantity", "return-reason", "in-policy", "return-type", "resolution",
    "invoice-number", "return-delivery-date", "order-amount", "order-quantity",
    "safet-action-reason", "safet-claim-id", "safet-claim-state", "safet-claim-creation-time",
    "safet-claim-reimbursement-amount", "refunded-amount",
]  # fmt: skip
US = "America/Los_Angeles"


def _document(header: list[str], *rows: list[str]) -> str:
    return "\n".join("\t".join(line) for line in (header, *rows)) + "\n"


def _parsed(text: str, tz: str = US) -> list[dict]:
    _, rows = r.read_flat_file(text)
    return [r.parse_return(row, "acct", tz=tz) for _, row, _ in rows if row is not None]


def test_amazons_documented_us_form_is_read():
    [row] = _parsed(_document(AMAZON_HEADER, AMAZON_ROW))
    la = ZoneInfo(US)
    assert row["amazon_order_id"] == "113-6277818-6289068"
    # a calendar date is the start of that day in the account's time zone
    assert row["order_date"] == datetime(2025, 7, 10, tzinfo=la)
    assert row["return_request_date"] == datetime(2025, 7, 14, tzinfo=la)
    assert row["return_request_date"].astimezone(UTC) == datetime(2025, 7, 14, 7, tzinfo=UTC)
    assert row["return_delivery_date"] == datetime(2025, 7, 18, tzinfo=la)
    assert row["return_reason"] == "AMZ-PG-WJ-TOO-SMALL"
    assert row["seller_rma_id"] is None and row["label_cost"] is None  # " " is empty
    assert row["merchant_sku"] == "TSHIRT-S-BLK" and row["return_quantity"] == 1
    assert row["raw"]["order-id"] == "113-6277818-6289068"


def test_hyphenated_form_reads_the_same_row():
    # Source: Seller Central's hyphenated names with the same document's values.
    amazon = _parsed(_document(AMAZON_HEADER, AMAZON_ROW))
    hyphenated = _parsed(_document(HYPHENATED_HEADER, AMAZON_ROW))
    assert hyphenated == amazon


def test_a_trailing_category_column_is_tolerated():
    # Source: amazon-report-formats.md, "some clients expect a 33rd column Category".
    text = _document([*AMAZON_HEADER, "Category"], [*AMAZON_ROW, "Apparel"], AMAZON_ROW)
    rows = _parsed(text)
    assert len(rows) == 2  # the second row stops before the unknown trailing column
    assert rows[0]["raw"]["Category"] == "Apparel"


@pytest.mark.parametrize(
    "spelling",
    ["\ufeffOrder ID", "order_id", "ORDER-ID", " Order  Id ", "Order-ID", "order id"],
)
def test_header_spelling_is_folded(spelling):
    header = [spelling, *AMAZON_HEADER[1:]]
    assert f.resolve_header(header)[0] == "order-id"
    assert _parsed(_document(header, AMAZON_ROW))[0]["amazon_order_id"] == "113-6277818-6289068"


def test_an_unknown_header_names_what_it_saw_and_what_it_accepts():
    header = ["Bestellnummer", "Datum", "Menge"]
    with pytest.raises(f.UnknownHeader) as err:
        r.read_flat_file(_document(header, ["1", "2", "3"]))
    message = str(err.value)
    assert "Bestellnummer" in message and "lacks order-id" in message
    assert "Order ID" in message and "order-id" in message  # both forms we accept


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Source: Amazon's US document, English abbreviations.
        ("10-Jul-2025", (2025, 7, 10)),
        ("01-Sep-2025", (2025, 9, 1)),
        ("01-Sept-2025", (2025, 9, 1)),
        # Localised month abbreviations (CLDR through Babel) for the EU marketplaces.
        ("10-juil.-2025", (2025, 7, 10)),
        ("03-févr.-2025", (2025, 2, 3)),
        ("03-fevr-2025", (2025, 2, 3)),
        ("05-Mär-2025", (2025, 3, 5)),
        ("05-März-2025", (2025, 3, 5)),
        ("11-Okt-2025", (2025, 10, 11)),
        ("24-Dez-2025", (2025, 12, 24)),
        ("02-ene-2025", (2025, 1, 2)),
        ("15-ago-2025", (2025, 8, 15)),
        ("07-gen-2025", (2025, 1, 7)),
        ("20-mag-2025", (2025, 5, 20)),
        ("9-set-2025", (2025, 9, 9)),
        ("2025-07-10", (2025, 7, 10)),
    ],
)
def test_calendar_dates_are_local_midnight(value, expected):
    moment = f.parse_report_date(value, "Europe/Paris")
    assert moment == datetime(*expected, tzinfo=ZoneInfo("Europe/Paris"))


def test_iso_timestamps_keep_their_zone_and_zoneless_ones_are_local():
    assert f.parse_report_date("2025-07-10T08:04:21+00:00", US) == datetime(
        2025, 7, 10, 8, 4, 21, tzinfo=UTC
    )
    assert f.parse_report_date("2025-07-10T08:04:21Z", US) == datetime(
        2025, 7, 10, 8, 4, 21, tzinfo=UTC
    )
    assert f.parse_report_date("2025-07-10T08:04:21", US) == datetime(
        2025, 7, 10, 8, 4, 21, tzinfo=ZoneInfo(US)
    )


def test_month_names_of_all_locales_never_disagree():
    table = f.month_names()
    for locale in f.MONTH_LOCALES:
        from babel.dates import get_month_names

        for number, name in get_month_names("abbreviated", "format", locale).items():
            assert table[f._plain(name)] == number, (locale, name)


@pytest.mark.parametrize(
    "value",
    [
        "10-Jul-25",
        "Jul 10 2025",
        "10/07/2025",
        "31-Feb-2025",
        "9999-12-31T23:00-05:00",  # past the last moment Python can hold, once in UTC
    ],
)
def test_other_date_shapes_are_rejected(value):
    with pytest.raises(f.DateProblem):
        f.parse_report_date(value, US)


def test_a_calendar_date_that_cannot_reach_utc_is_rejected():
    # Paris is ahead of UTC: its midnight of 1 January, year 1, is still year 0 in UTC
    with pytest.raises(f.DateProblem, match="out of range"):
        f.parse_report_date("01-Jan-0001", "Europe/Paris")
