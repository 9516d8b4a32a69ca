"""The seller feedback report (GET_SELLER_FEEDBACK_DATA) read as Amazon writes it.

Sources of the formats (../shared/amazon-report-formats.md): the US header from Airbyte's
connector test fixture; the DE and ES headers from Airbyte PR #9212 (real accounts); the date
formats per marketplace from Airbyte's transformer (US %m/%d/%y, DE %d.%m.%y, others %d/%m/%y).
"""

from __future__ import annotations

from datetime import date

import pytest

from buyer_messaging.extract.feedback import (
    FeedbackRecordError,
    check_header,
    parse_date,
    parse_row,
    read_report,
)
from buyer_messaging.extract.parse import buyer_hash

US_HEADER = "Date\tRating\tComments\tYour Response\tOrder ID\tRater Email"
DE_HEADER = "Datum\tBewertung\tKommentar\tIhre Antwort\tTransaktionsnummer\tE-Mail des Bewertenden"
ES_HEADER = "Date\tRating\tComentarios\tYour Response\tNúmero de pedido\tE-mail del cliente"
MX_HEADER = (
    "Fecha\tRating\tComentarios\tTu respuesta\tNúmero de pedido\tCorreo electrónico del evaluador"
)


@pytest.mark.parametrize("header", [US_HEADER, DE_HEADER, ES_HEADER, MX_HEADER])
def test_every_documented_header_is_accepted(header: str) -> None:
    text = header + "\n" + "01/02/25\t1\tbad\t\t113-6277818-6289068\tx@marketplace.amazon.com\n"
    head, rows = read_report(text)
    assert len(head) == 6 and len(rows) == 1


def test_a_bom_and_a_response_column_named_response_are_accepted() -> None:
    check_header(["\ufeffDate", "Rating", "Comments", "Response", "Order ID", "Rater Email"])


def test_another_report_is_refused_naming_the_header_seen() -> None:
    header = ["Order ID", "Order date", "Return request date", "Return request status", "x", "y"]
    with pytest.raises(
        ValueError, match="not a seller feedback report header.*Return request date"
    ):
        check_header(header)
    with pytest.raises(ValueError, match="expected at least 6"):
        check_header(["Date", "Rating"])


@pytest.mark.parametrize(
    ("market", "text", "expected"),
    [
        ("US", "07/10/25", date(2025, 7, 10)),  # month first
        ("GB", "07/10/25", date(2025, 10, 7)),  # day first
        ("FR", "07/10/25", date(2025, 10, 7)),
        ("DE", "07.10.25", date(2025, 10, 7)),
        ("IT", "07/10/2025", date(2025, 10, 7)),
        ("ES", "2025-10-07", date(2025, 10, 7)),
    ],
)
def test_dates_are_read_the_marketplace_way(market: str, text: str, expected: date) -> None:
    assert parse_date(text, market, "o") == expected


def test_a_date_in_another_form_names_the_record_and_the_form() -> None:
    with pytest.raises(FeedbackRecordError, match=r"feedback 1-2-3: field date: not a DE date"):
        parse_date("7 Oct 2025", "DE", "1-2-3")


def _row(cells: list[str]) -> dict:
    return parse_row(
        cells, account_id="a", marketplace="US", marketplace_id="ATVPDKIKX0DER", salt="s"
    )


def test_the_rater_email_is_kept_only_as_the_buyer_hash() -> None:
    email = "Kx7qz1@Marketplace.Amazon.com"
    row = _row(["11/30/25", "2", "late", "", "113-6277818-6289068", email])
    assert row["rater_hash"] == buyer_hash(email, "s")
    assert email.lower() not in repr(row).lower()
    assert row["rating"] == 2 and row["feedback_date"] == date(2025, 11, 30)


@pytest.mark.parametrize(
    ("cells", "field"),
    [
        (["11/30/25", "six", "", "", "113-6277818-6289068", ""], "rating"),
        (["11/30/25", "0", "", "", "113-6277818-6289068", ""], "rating"),
        (["11/30/25", "2", "", "", "", ""], "order id"),
        (["31/11/25", "2", "", "", "113-6277818-6289068", ""], "date"),
        (["11/30/25", "2", "x" * 5000, "", "113-6277818-6289068", ""], "comments"),
    ],
)
def test_a_bad_row_names_its_field(cells: list[str], field: str) -> None:
    with pytest.raises(FeedbackRecordError, match=f"field {field}"):
        _row(cells)
