"""The coverage, outcomes and open-cases panels (issue #19 item 3): exact numbers from the
seeded warehouse plus the rows below, filters, the server-drawn SVG plots, and no 500 before
the first run."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree import ElementTree

import pytest
from support import postgres_connection_json
from test_api import auth, auth_manager, token  # noqa: F401 - fixtures
from ui_seed import DAYS, US

from buyer_messaging.warehouse.connection import connect, transaction

pytestmark = pytest.mark.integration

DE = "A1PA6795UKMFR9"
US_DAYS = {"account": "acme_us", **DAYS}


@pytest.fixture(scope="module")
def warehouse(ui_warehouse: str) -> str:
    """ui_seed.py's rows, and: a cancelled candidate, a message sent in DE, feedback and a return
    after the messages of O-1 and O-2, a quarantined order, and cases open 5 and 40 days."""
    conn = connect(ui_warehouse)
    with transaction(conn) as cur:
        cur.execute(
            "INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind,"
            " channel, status, planned_for, due_on, reason, sent_at) VALUES"
            " ('acme_us', %(us)s, '111-0000010-0000010', 'review_request', 'solicitations',"
            "  'skipped', '2026-03-02', '2026-03-02', 'excluded: the order was cancelled', NULL),"
            " ('acme_us', %(de)s, '302-0000011-0000011', 'review_request', 'solicitations',"
            "  'sent', '2026-03-02', '2026-03-02', NULL, '2026-03-02 12:00+00')",
            {"us": US, "de": DE},
        )
        cur.execute(
            "INSERT INTO staging.seller_feedback (account_id, amazon_order_id, marketplace_id,"
            " feedback_date, rating) VALUES"
            " ('acme_us', '111-0000001-0000001', %(us)s, '2026-03-10', 1),"
            " ('acme_us', '111-0000002-0000002', %(us)s, '2026-03-05', 3)",
            {"us": US},
        )
        cur.execute(
            "INSERT INTO staging.returns (account_id, amazon_order_id, return_key, line_key,"
            " order_date, return_request_date, return_quantity, raw) VALUES"
            " ('acme_us', '111-0000002-0000002', 'rma-1', 'SKU-1', '2026-02-25',"
            "  '2026-03-04 08:00+00', 1, '{}')"
        )
        cur.execute(
            "INSERT INTO staging.orders (account_id, amazon_order_id, marketplace_id, marketplace,"
            " order_status, purchase_date, last_update_date, raw, quarantined, quarantine_reason)"
            " VALUES ('acme_us', '111-0000012-0000012', %(us)s, 'US', 'Shipped',"
            "  '2026-03-02 10:00+00', '2026-03-02 10:00+00', '{}', true, 'order_total negative'),"
            " ('acme_us', '111-0000003-0000003', %(us)s, 'US', 'Shipped',"
            "  '2026-02-25 10:00+00', '2026-02-25 10:00+00', '{}', false, NULL)",
            {"us": US},
        )
        cur.execute(
            "INSERT INTO messaging.cases (account_id, amazon_order_id, source, signal,"
            " signalled_on, opened_at, status) VALUES"
            " ('acme_us', '111-0000003-0000003', 'feedback', '1-2 star rating', '2026-03-01',"
            "  now() - interval '5 days', 'open'),"
            " ('acme_us', '111-0000004-0000004', 'return', 'return: DEFECTIVE', '2026-03-01',"
            "  now() - interval '40 days', 'open'),"
            " ('acme_us', '111-0000005-0000005', 'return', 'return: DEFECTIVE', '2026-03-01',"
            "  now() - interval '2 days', 'closed'),"
            " ('acme_gb', '202-0000009-0000009', 'feedback', '1-2 star rating', '2026-03-01',"
            "  now() - interval '1 day', 'open')"
        )
    conn.close()
    return ui_warehouse


@pytest.fixture
def client(warehouse: str, auth_manager, monkeypatch) -> Iterator[object]:  # noqa: F811
    from fastapi.testclient import TestClient

    monkeypatch.setenv("AIRFLOW_CONN_MESSAGING_WAREHOUSE", postgres_connection_json(warehouse))
    from buyer_messaging.ui.app import create_app

    with TestClient(create_app()) as c:
        yield c


def bars(svg_text: str) -> dict[tuple[str, str], float]:
    root = ElementTree.fromstring(svg_text)  # well-formed XML, or this raises
    return {
        (g.get("data-category"), g.get("data-series")): float(g.get("data-value"))
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if g.get("class") == "bar" and g.get("data-value")
    }


def test_coverage_per_kind_with_exclusions_and_quarantine(client, auth):  # noqa: F811
    body = client.get("/coverage", headers=auth, params=US_DAYS).json()
    rr, sc, un = (body["by_kind"][k] for k in ("review_request", "shipment_confirmation",
                                                "unavailability_notice"))  # fmt: skip
    # O-1, O-2 sent; O-3 blocked; O-4 expired; O-7 ready; O-10 cancelled; the DE message sent
    assert (rr["candidates"], rr["eligible"], rr["excluded"], rr["excluded_cancelled"]) == (
        7,
        6,
        1,
        1,
    )
    assert (rr["sent"], rr["blocked"], rr["expired"], rr["pending"]) == (3, 1, 1, 1)
    assert rr["sent_rate"] == 0.5
    # sc1 was skipped with a reason no class knows; sc6 blocked
    assert (sc["candidates"], sc["excluded"], sc["excluded_other"], sc["blocked"]) == (2, 1, 1, 1)
    assert (un["candidates"], un["failed"]) == (1, 1)
    assert body["totals"]["candidates"] == 10 and body["totals"]["sent"] == 3
    assert body["quarantined_orders"] == 1
    assert set(body["by_day"]) == {"2026-03-01", "2026-03-02", "2026-03-03"}
    assert body["by_day"]["2026-03-02"]["candidates"] == 4  # O-3, O-4, O-10, DE


def test_coverage_filters_by_kind_and_marketplace(client, auth):  # noqa: F811
    body = client.get("/coverage", headers=auth, params=US_DAYS | {"marketplace": US}).json()
    assert body["by_kind"]["review_request"]["candidates"] == 6  # not the DE one
    body = client.get(
        "/coverage", headers=auth, params=US_DAYS | {"kind": "unavailability_notice"}
    ).json()
    assert list(body["by_kind"]) == ["unavailability_notice"]
    assert body["totals"]["candidates"] == 1
    body = client.get("/coverage", headers=auth, params=US_DAYS | {"marketplace": DE}).json()
    assert body["totals"]["sent"] == 1 and body["quarantined_orders"] == 0


def test_outcomes_rates_per_kind(client, auth):  # noqa: F811
    body = client.get("/outcomes", headers=auth, params=US_DAYS).json()
    # O-1 (a 1-star rating 9 days after), O-2 (3 stars, and returned after), the DE message
    assert body["by_kind"] == {
        "review_request": {
            "sent": 3, "negative_feedback": 1, "neutral_feedback": 1, "returned_after": 1,
            "sent_window_open": 0, "negative_feedback_rate": 0.3333,
            "neutral_feedback_rate": 0.3333, "returned_after_rate": 0.3333,
        }
    }  # fmt: skip
    assert body["totals"]["sent"] == 3


def test_open_cases_oldest_first_with_age_brackets(client, auth):  # noqa: F811
    body = client.get("/cases", headers=auth, params={"account": "acme_us"}).json()
    assert body["total"] == 2
    assert [(c["amazon_order_id"], c["age_days"]) for c in body["cases"]] == [
        ("111-0000004-0000004", 40), ("111-0000003-0000003", 5),
    ]  # fmt: skip
    assert body["ages"] == {"0-2 days": 0, "3-7 days": 1, "8-14 days": 0, "15-30 days": 0,
                            "over 30 days": 1}  # fmt: skip
    # the case's order is in staging only for O-3: its marketplace is known
    only_us = client.get("/cases", headers=auth, params={"account": "acme_us", "marketplace": US})
    assert [c["amazon_order_id"] for c in only_us.json()["cases"]] == ["111-0000003-0000003"]


def test_plots_are_svg_with_the_panels_numbers(client, auth):  # noqa: F811
    response = client.get("/plots/coverage-by-kind.svg", headers=auth, params=US_DAYS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert bars(response.text) == {
        ("review_request", "sent"): 3, ("review_request", "not_sent"): 3,
        ("review_request", "excluded_cancelled"): 1,
        ("shipment_confirmation", "not_sent"): 1, ("shipment_confirmation", "excluded_other"): 1,
        ("unavailability_notice", "not_sent"): 1,
    }  # fmt: skip
    by_day = bars(client.get("/plots/coverage-by-day.svg", headers=auth, params=US_DAYS).text)
    assert by_day[("2026-03-01", "sent")] == 2 and by_day[("2026-03-02", "excluded_cancelled")] == 1
    assert sum(by_day.values()) == 10
    outcomes = bars(client.get("/plots/outcomes-by-kind.svg", headers=auth, params=US_DAYS).text)
    assert outcomes == {
        ("review_request (3 sent)", "negative_feedback_rate"): 0.3333,
        ("review_request (3 sent)", "neutral_feedback_rate"): 0.3333,
        ("review_request (3 sent)", "returned_after_rate"): 0.3333,
    }
    ages = bars(
        client.get("/plots/case-ages.svg", headers=auth, params={"account": "acme_us"}).text
    )
    assert ages == {("3-7 days", "cases"): 1, ("over 30 days", "cases"): 1}
    assert client.get("/plots/nope.svg", headers=auth).status_code == 404


def test_an_empty_range_draws_a_message_not_an_error(client, auth):  # noqa: F811
    params = {"account": "acme_us", "from": "2025-01-01", "to": "2025-01-02"}
    for name in ("coverage-by-kind", "coverage-by-day", "outcomes-by-kind"):
        response = client.get(f"/plots/{name}.svg", headers=auth, params=params)
        assert response.status_code == 200 and "No " in response.text
        ElementTree.fromstring(response.text)


def test_before_the_first_run_the_panels_answer_empty_with_a_notice(
    make_database,
    auth_manager,  # noqa: F811
    auth,  # noqa: F811
    monkeypatch,
):
    from fastapi.testclient import TestClient

    empty = make_database("bm_ui_empty")
    monkeypatch.setenv("AIRFLOW_CONN_MESSAGING_WAREHOUSE", postgres_connection_json(empty))
    from buyer_messaging.ui.app import create_app

    with TestClient(create_app()) as c:
        for path in ("/coverage", "/outcomes", "/cases"):
            response = c.get(path, headers=auth, params=DAYS)
            assert response.status_code == 200, (path, response.text)
            assert "migrate_warehouse" in response.json()["notice"]
        assert c.get("/coverage", headers=auth, params=DAYS).json()["totals"]["candidates"] == 0
        assert c.get("/cases", headers=auth).json()["total"] == 0
        for name in ("coverage-by-kind", "coverage-by-day", "outcomes-by-kind", "case-ages"):
            response = c.get(f"/plots/{name}.svg", headers=auth, params=DAYS)
            assert response.status_code == 200, (name, response.text)
