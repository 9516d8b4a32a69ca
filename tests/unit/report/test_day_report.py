"""What the report task says about a day, in a real run and in a dry run."""

from buyer_messaging.report.day import day_report

ROWS = [
    ("review_request", "ready", 2),
    ("review_request", "sent", 5),
    ("shipment_confirmation", "blocked", 1),
    ("shipment_confirmation", "expired", 3),
]


def test_a_run_reports_every_status_of_the_day():
    message, result = day_report(ROWS, dry_run=False)
    assert message == (
        "review_request ready=2, review_request sent=5, shipment_confirmation blocked=1,"
        " shipment_confirmation expired=3"
    )
    assert result == {"ready": 2, "sent": 5, "blocked": 1, "expired": 3}


def test_a_dry_run_does_not_claim_the_days_earlier_sends():
    message, result = day_report(ROWS, dry_run=True)
    assert message == (
        "dry run: nothing sent by this run; planned and prepared, not sent: review_request"
        " ready=2, shipment_confirmation blocked=1; from earlier runs of this day:"
        " review_request sent=5, shipment_confirmation expired=3"
    )
    assert "sent" not in result and result["earlier"] == {"sent": 5, "expired": 3}
    assert result["dry_run"] is True and result["ready"] == 2


def test_an_empty_day():
    assert day_report([], dry_run=False)[0] == "no messages planned for this day"
    assert day_report([], dry_run=True) == (
        "dry run: nothing sent by this run; planned and prepared, not sent: nothing",
        {"dry_run": True, "earlier": {}},
    )
