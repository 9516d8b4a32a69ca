"""Known warehouse rows for the dashboard tests, and the numbers they must show.

acme_us, 2026-03-01..03 (the range the tests ask for):
    review_request         sent 2 (O-1, O-2), blocked 1 (O-3), expired 1 (O-4), planned 1 (O-7: ready)
    unavailability_notice  failed 1 (O-5)
    shipment_confirmation  skipped 1 (O-1), blocked 1 (O-6)
  outside the range: O-8 review_request sent on 2026-02-20
acme_gb: O-9 review_request sent on 2026-03-02
"""

from __future__ import annotations

US, GB = "ATVPDKIKX0DER", "A1F83G8C2ARO7P"
DAYS = {"from": "2026-03-01", "to": "2026-03-03"}

# fmt: off
# (ref, account, marketplace, order, kind, channel, status, planned_for, reason, error, codes, attempts)
OUTBOX = [
    ("rr1", "acme_us", US, "111-0000001-0000001", "review_request", "solicitations", "sent", "2026-03-01", None, None, [], 1),
    ("sc1", "acme_us", US, "111-0000001-0000001", "shipment_confirmation", "email_relay", "skipped", "2026-03-01",
     "forbidden by policy pack amazon-2025: proactive_shipment_confirmation", None, [], 0),
    ("rr2", "acme_us", US, "111-0000002-0000002", "review_request", "solicitations", "sent", "2026-03-01", None, None, [], 2),
    ("rr3", "acme_us", US, "111-0000003-0000003", "review_request", "solicitations", "blocked", "2026-03-02",
     None, "no_external_links: visit https://example.com", ["external_link"], 0),
    ("rr4", "acme_us", US, "111-0000004-0000004", "review_request", "solicitations", "expired", "2026-03-02",
     "past Amazon's 30-day window", None, [], 0),
    ("un5", "acme_us", US, "111-0000005-0000005", "unavailability_notice", "messaging", "failed", "2026-03-03",
     None, "InvalidInput: text too long", [], 2),
    ("sc6", "acme_us", US, "111-0000006-0000006", "shipment_confirmation", "email_relay", "blocked", "2026-03-03",
     None, "no_phone_numbers: call 555-0100", ["phone_number", "external_link"], 0),
    ("rr7", "acme_us", US, "111-0000007-0000007", "review_request", "solicitations", "ready", "2026-03-03", None, None, [], 0),
    ("rr8", "acme_us", US, "111-0000008-0000008", "review_request", "solicitations", "sent", "2026-02-20", None, None, [], 1),
    ("rr9", "acme_gb", GB, "202-0000009-0000009", "review_request", "solicitations", "sent", "2026-03-02", None, None, [], 1),
]

# (ref, rule, category, severity, excerpt)
LINT = [
    ("rr3", "no_external_links", "external_link", "block", "visit https://example.com"),
    ("sc6", "no_external_links", "external_link", "block", "see www.example.org"),
    ("sc6", "no_phone_numbers", "phone_number", "block", "call 555-0100"),
    ("rr8", "no_phone_numbers", "phone_number", "block", "outside the range"),
]

# (ref, attempt_no, started_at, outcome, http_status, error)
ATTEMPTS = [
    ("rr1", 1, "2026-03-01 10:00+00", "sent", 201, None),
    ("rr2", 1, "2026-03-01 10:00+00", "retryable", 429, "QuotaExceeded"),
    ("rr2", 2, "2026-03-01 10:05+00", "sent", 201, None),
    ("un5", 1, "2026-03-03 10:00+00", "retryable", 429, "QuotaExceeded"),
    ("un5", 2, "2026-03-03 10:05+00", "rejected", 400, "InvalidInput: text too long"),
    ("rr8", 1, "2026-02-20 10:00+00", "retryable", 429, "outside the range"),
    ("rr9", 1, "2026-03-02 10:00+00", "sent", 201, None),
]

# (account, run_day, suite, rows_checked, rows_bad, success, started_at, [(expectation, success)])
QUALITY = [
    ("acme_us", "2026-03-01", "orders", 10, 0, True, "2026-03-01 09:00+00", [("not_null", True), ("unique", True)]),
    ("acme_us", "2026-03-01", "order_items", 20, 0, True, "2026-03-01 09:01+00", [("not_null", True)]),
    # a failed day: its latest run failed too
    ("acme_us", "2026-03-02", "orders", 10, 3, False, "2026-03-02 09:00+00", [("not_null", False), ("unique", True)]),
    ("acme_us", "2026-03-02", "orders", 10, 3, False, "2026-03-02 11:00+00", [("not_null", False), ("unique", True)]),
    # failed, then passed on a re-run: the latest run is the day's verdict
    ("acme_us", "2026-03-03", "orders", 12, 1, False, "2026-03-03 09:00+00", [("not_null", False), ("unique", True)]),
    ("acme_us", "2026-03-03", "orders", 12, 0, True, "2026-03-03 10:00+00", [("not_null", True), ("unique", True)]),
    ("acme_us", "2026-02-20", "orders", 5, 5, False, "2026-02-20 09:00+00", [("not_null", False)]),
    ("acme_gb", "2026-03-02", "orders", 7, 0, True, "2026-03-02 09:00+00", [("not_null", True)]),
]

# (account, stream, window_start, calls, throttled)
EXTRACT = [
    ("acme_us", "orders", "2026-03-02 00:00+00", 20, 2),
    ("acme_us", "order_items", "2026-03-02 00:00+00", 30, 0),
]

# fmt: on


def seed(dsn: str) -> dict[str, int]:
    """Insert the rows above; returns the outbox id of each ref."""
    from buyer_messaging.warehouse.connection import connect

    conn = connect(dsn)
    ids: dict[str, int] = {}
    try:
        with conn.cursor() as cur:
            for row in OUTBOX:
                ref, acc, mkt, order, kind, channel, status, day, reason, error, codes, n = row
                cur.execute(
                    "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind, channel,"
                    " status, planned_for, due_on, reason, error, violation_codes, attempts, sent_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
                    " CASE WHEN %s = 'sent' THEN %s::date + time '10:05' END) RETURNING id",
                    (
                        acc,
                        mkt,
                        order,
                        kind,
                        channel,
                        status,
                        day,
                        day,
                        reason,
                        error,
                        codes,
                        n,
                        status,
                        day,
                    ),
                )
                ids[ref] = cur.fetchone()[0]
            for ref, rule, category, severity, excerpt in LINT:
                cur.execute(
                    "INSERT INTO messaging.lint_violations (outbox_id, rule, category, severity, excerpt)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    (ids[ref], rule, category, severity, excerpt),
                )
            for ref, no, started, outcome, http_status, error in ATTEMPTS:
                cur.execute(
                    "INSERT INTO messaging.attempts (outbox_id, attempt_no, started_at, finished_at, outcome,"
                    " http_status, error) VALUES (%s, %s, %s, %s::timestamptz + interval '1 second', %s, %s, %s)",
                    (ids[ref], no, started, started, outcome, http_status, error),
                )
            for acc, day, suite, checked, bad, ok, started, results in QUALITY:
                cur.execute(
                    "INSERT INTO quality.runs (account_id, run_day, suite, rows_checked, rows_bad, success,"
                    " started_at) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
                    (acc, day, suite, checked, bad, ok, started),
                )
                run_id = cur.fetchone()[0]
                for expectation, passed in results:
                    cur.execute(
                        "INSERT INTO quality.results (run_id, expectation, column_name, success)"
                        " VALUES (%s, %s, 'amazon_order_id', %s)",
                        (run_id, expectation, passed),
                    )
            for acc, stream, start, calls, throttled in EXTRACT:
                cur.execute(
                    "INSERT INTO staging.extract_runs (account_id, stream, window_start, window_end, records,"
                    " pages, calls, throttled) VALUES (%s, %s, %s, %s::timestamptz + interval '1 day', 0, 1, %s, %s)",
                    (acc, stream, start, start, calls, throttled),
                )
        conn.commit()
    finally:
        conn.close()
    return ids
