"""The dashboard's FastAPI app over a seeded warehouse: exact numbers, and no data without a login."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import postgres_connection_json
from ui_seed import DAYS

pytestmark = pytest.mark.integration

US_DAYS = {"account": "acme_us", **DAYS}


@pytest.fixture
def auth_manager(monkeypatch: pytest.MonkeyPatch) -> object:
    """Airflow's SimpleAuthManager, initialised the way the API server does it."""
    monkeypatch.setenv(
        "AIRFLOW__CORE__AUTH_MANAGER",
        "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
    )
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "alice:viewer")
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", "ui-tests-" + "s" * 64)
    from airflow import settings
    from airflow.api_fastapi.app import init_auth_manager, purge_cached_app
    from airflow.models.revoked_token import RevokedToken

    # token validation looks up revoked tokens in Airflow's metadata database: that one table
    # is enough here (the browser test runs the real `airflow db migrate`)
    RevokedToken.__table__.create(settings.engine, checkfirst=True)

    purge_cached_app()
    manager = init_auth_manager()
    yield manager
    purge_cached_app()


@pytest.fixture
def client(
    ui_warehouse: str, auth_manager: object, monkeypatch: pytest.MonkeyPatch
) -> Iterator[object]:
    from fastapi.testclient import TestClient

    # through the Airflow connection, as in production
    monkeypatch.setenv("AIRFLOW_CONN_MESSAGING_WAREHOUSE", postgres_connection_json(ui_warehouse))
    from buyer_messaging.ui.app import create_app

    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def token(auth_manager) -> str:
    """A JWT for a viewer, minted by the auth manager exactly as its login endpoint does."""
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return auth_manager.generate_jwt(SimpleAuthManagerUser(username="alice", role="viewer"))


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


ENDPOINTS = [
    "/",
    "/static/app.js",
    "/static/style.css",
    "/accounts",
    "/summary",
    "/violations",
    "/quality",
    "/throttling",
    "/send-forecast",
    "/order/111-0000001-0000001",
    "/coverage",
    "/outcomes",
    "/cases",
    "/plots/coverage-by-kind.svg",
]


def test_every_route_is_covered_by_the_auth_tests(client):
    routes = {r.path for r in client.app.routes}
    assert routes == {"/", "/static/{name}", "/accounts", "/summary", "/violations", "/quality",
                      "/throttling", "/order/{amazon_order_id}",
                      "/coverage", "/outcomes", "/cases", "/plots/{name}.svg", "/send-forecast"}  # fmt: skip


@pytest.mark.parametrize("path", ENDPOINTS)
def test_anonymous_requests_are_refused(client, path):
    response = client.get(path, params=US_DAYS if path != "/" else None)
    assert response.status_code == 401, response.text
    if path.startswith("/static") or path == "/":
        assert "Log in to Airflow" in response.text
    else:
        assert response.json() == {"detail": "Not authenticated"}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_forged_or_expired_token_is_refused(client, auth_manager, path):
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    expired = auth_manager.generate_jwt(
        SimpleAuthManagerUser(username="alice", role="viewer"), expiration_time_in_seconds=-60
    )
    for bad in ("not-a-jwt", expired):
        response = client.get(path, headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code in (401, 403), (bad, response.text)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_authenticated_requests_get_data(client, auth, path):
    response = client.get(path, headers=auth, params=US_DAYS if path != "/" else None)
    assert response.status_code == 200, response.text


def test_the_airflow_session_cookie_is_accepted(client, token):
    client.cookies.set("_token", token)
    assert client.get("/summary", params=US_DAYS).status_code == 200
    page = client.get("/")
    assert page.status_code == 200 and "Buyer messaging" in page.text


def test_the_page_without_a_login_links_to_airflows_login(client):
    response = client.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 401
    assert "Log in to Airflow" in response.text and "/auth/" in response.text


def test_an_account_whose_dag_the_user_may_not_read_is_refused(
    client, auth, auth_manager, monkeypatch
):
    allowed = type(auth_manager).is_authorized_dag

    def only_gb(self, *, method, user, access_entity=None, details=None):
        return (
            details is not None
            and details.id == "buyer_messaging_acme_gb"
            and allowed(
                self, method=method, user=user, access_entity=access_entity, details=details
            )
        )

    monkeypatch.setattr(type(auth_manager), "is_authorized_dag", only_gb)
    assert client.get("/summary", headers=auth, params=US_DAYS).status_code == 403
    assert (
        client.get(
            "/order/111-0000001-0000001", headers=auth, params={"account": "acme_us"}
        ).status_code
        == 403
    )
    # without an account: only what the user may read
    assert client.get("/accounts", headers=auth).json() == {"accounts": ["acme_gb"]}
    everything = client.get("/summary", headers=auth, params=DAYS).json()
    assert everything["accounts"] == ["acme_gb"] and everything["totals"]["messages"] == 1
    assert client.get("/order/111-0000001-0000001", headers=auth).json()["messages"] == []


def test_summary_counts_by_day_kind_and_status(client, auth):
    body = client.get("/summary", headers=auth, params=US_DAYS).json()
    assert body["accounts"] == ["acme_us"] and (body["from"], body["to"]) == (
        "2026-03-01",
        "2026-03-03",
    )
    assert body["totals"] == {
        "messages": 8,
        "by_status": {
            "sent": 2,
            "blocked": 2,
            "expired": 1,
            "failed": 1,
            "skipped": 1,
            "planned": 1,
            "delivery_unknown": 0,
        },
    }
    zero = dict.fromkeys(
        ["sent", "blocked", "expired", "failed", "skipped", "planned", "delivery_unknown"], 0
    )
    assert body["by_kind"] == {
        "review_request": zero | {"sent": 2, "blocked": 1, "expired": 1, "planned": 1},
        "shipment_confirmation": zero | {"skipped": 1, "blocked": 1},
        "unavailability_notice": zero | {"failed": 1},
    }
    assert body["by_day"] == {
        "2026-03-01": zero | {"sent": 2, "skipped": 1},
        "2026-03-02": zero | {"blocked": 1, "expired": 1},
        "2026-03-03": zero | {"failed": 1, "blocked": 1, "planned": 1},
    }
    assert {(r["day"], r["kind"], r["status"], r["messages"]) for r in body["rows"]} == {
        ("2026-03-01", "review_request", "sent", 2),
        ("2026-03-01", "shipment_confirmation", "skipped", 1),
        ("2026-03-02", "review_request", "blocked", 1),
        ("2026-03-02", "review_request", "expired", 1),
        ("2026-03-03", "unavailability_notice", "failed", 1),
        ("2026-03-03", "shipment_confirmation", "blocked", 1),
        ("2026-03-03", "review_request", "planned", 1),
    }


def test_summary_of_every_account_and_the_default_range(client, auth):
    body = client.get("/summary", headers=auth, params=DAYS).json()
    assert body["accounts"] == ["acme_gb", "acme_us"]
    assert body["totals"]["messages"] == 9 and body["totals"]["by_status"]["sent"] == 3
    wide = client.get(
        "/summary",
        headers=auth,
        params={"account": "acme_us", "from": "2026-02-01", "to": "2026-03-31"},
    )
    assert wide.json()["totals"]["by_status"]["sent"] == 3  # with O-8 of 2026-02-20
    default = client.get("/summary", headers=auth).json()  # the last 30 days: nothing seeded there
    assert default["totals"]["messages"] == 0
    assert (
        client.get(
            "/summary", headers=auth, params={"from": "2026-03-03", "to": "2026-03-01"}
        ).status_code
        == 422
    )


def test_violations_top_rules(client, auth):
    body = client.get("/violations", headers=auth, params=US_DAYS).json()
    assert body["violations"] == [
        {"rule": "no_external_links", "category": "external_link", "severity": "block", "count": 2,
         "sample": "see www.example.org"},
        {"rule": "no_phone_numbers", "category": "phone_number", "severity": "block", "count": 1,
         "sample": "call 555-0100"},
    ]  # fmt: skip
    assert (
        len(
            client.get("/violations", headers=auth, params={**US_DAYS, "limit": 1}).json()[
                "violations"
            ]
        )
        == 1
    )


def test_quality_pass_rates_use_each_days_latest_run(client, auth):
    body = client.get("/quality", headers=auth, params=US_DAYS).json()
    assert body["totals"] == {
        "checks": 4, "passed": 3, "pass_rate": 0.75,
        "rows_checked": 52, "rows_bad": 3, "row_pass_rate": 0.9423,
        "expectations": 7, "expectations_passed": 6, "expectation_pass_rate": 0.8571,
    }  # fmt: skip
    assert body["suites"] == {
        "order_items": {
            "checks": 1,
            "passed": 1,
            "rows_checked": 20,
            "rows_bad": 0,
            "pass_rate": 1.0,
        },
        "orders": {
            "checks": 3,
            "passed": 2,
            "rows_checked": 32,
            "rows_bad": 3,
            "pass_rate": 0.6667,
        },
    }
    rerun = [d for d in body["days"] if d["day"] == "2026-03-03"]
    assert [(d["suite"], d["runs"], d["success"], d["rows_bad"]) for d in rerun] == [
        ("orders", 2, True, 0)
    ]


def test_throttling_from_attempts_and_extraction(client, auth):
    body = client.get("/throttling", headers=auth, params=US_DAYS).json()
    assert body["operations"] == [
        {
            "stage": "extract",
            "operation": "order_items",
            "calls": 30,
            "throttled": 0,
            "throttled_rate": 0.0,
        },
        {
            "stage": "extract",
            "operation": "orders",
            "calls": 20,
            "throttled": 2,
            "throttled_rate": 0.1,
        },
        {
            "stage": "send",
            "operation": "messaging",
            "calls": 2,
            "throttled": 1,
            "throttled_rate": 0.5,
        },
        {
            "stage": "send",
            "operation": "solicitations",
            "calls": 3,
            "throttled": 1,
            "throttled_rate": 0.3333,
        },
    ]
    assert body["totals"] == {"calls": 55, "throttled": 4, "throttled_rate": 0.0727}


def test_order_shows_its_messages_outbox_rows_and_explanation(client, auth):
    body = client.get(
        "/order/111-0000001-0000001", headers=auth, params={"account": "acme_us"}
    ).json()
    assert body["amazon_order_id"] == "111-0000001-0000001"
    assert [(m["kind"], m["status"], m["error"]) for m in body["messages"]] == [
        ("review_request", "sent", None),
        (
            "shipment_confirmation",
            "skipped",
            "forbidden by policy pack amazon-2025: proactive_shipment_confirmation",
        ),
    ]
    rr, sc = body["outbox"]
    assert (rr["kind"], rr["status"], rr["attempts"]) == ("review_request", "sent", 1)
    assert [(a["attempt_no"], a["outcome"], a["http_status"]) for a in rr["attempt_log"]] == [
        (1, "sent", 201)
    ]
    assert sc["reason"].startswith("forbidden by policy pack") and sc["attempt_log"] == []
    [explained] = body["explanations"]
    assert explained["account_id"] == "acme_us" and "error" not in explained, explained
    assert any("review_request: sent" in line for line in explained["explanation"])


def test_order_blocked_and_failed_show_violations_and_attempts(client, auth):
    blocked = client.get("/order/111-0000006-0000006", headers=auth).json()  # no account: searched
    [m] = blocked["messages"]
    assert (m["account_id"], m["status"], m["violation_codes"]) == (
        "acme_us",
        "blocked",
        ["phone_number", "external_link"],
    )
    assert [(v["rule"], v["excerpt"]) for v in blocked["outbox"][0]["lint_violations"]] == [
        ("no_external_links", "see www.example.org"),
        ("no_phone_numbers", "call 555-0100"),
    ]
    assert [e["account_id"] for e in blocked["explanations"]] == ["acme_us"]
    failed = client.get(
        "/order/111-0000005-0000005", headers=auth, params={"account": "acme_us"}
    ).json()
    [row] = failed["outbox"]
    assert row["error"] == "InvalidInput: text too long"
    assert [(a["http_status"], a["outcome"]) for a in row["attempt_log"]] == [
        (429, "retryable"),
        (400, "rejected"),
    ]


def test_unknown_order_is_empty_not_an_error(client, auth):
    body = client.get("/order/999-9999999-9999999", headers=auth).json()
    assert body["messages"] == [] and body["outbox"] == [] and body["explanations"] == []


def test_unreachable_warehouse_is_a_503_naming_the_connection(
    ui_warehouse, auth_manager, auth, monkeypatch
):
    from fastapi.testclient import TestClient

    monkeypatch.setenv(
        "AIRFLOW_CONN_MESSAGING_WAREHOUSE",
        '{"conn_type": "postgres", "host": "127.0.0.1", "port": 1, "schema": "nope"}',
    )
    from buyer_messaging.ui.app import create_app

    with TestClient(create_app()) as c:
        response = c.get("/summary", headers=auth, params=DAYS)
    assert response.status_code == 503 and "messaging_warehouse" in response.json()["detail"]


def test_before_the_first_run_every_route_answers_empty_with_a_notice(
    make_database, auth_manager, auth, monkeypatch
):
    """A new deployment: the warehouse database exists, no DAG has run, so no table does."""
    from fastapi.testclient import TestClient

    empty = make_database("bm_ui_empty")
    monkeypatch.setenv("AIRFLOW_CONN_MESSAGING_WAREHOUSE", postgres_connection_json(empty))
    from buyer_messaging.ui.app import create_app

    with TestClient(create_app()) as c:
        for path in ["/accounts", "/summary", "/violations", "/quality", "/throttling"]:
            response = c.get(path, headers=auth, params=DAYS)
            assert response.status_code == 200, (path, response.text)
            body = response.json()
            assert "migrate_warehouse" in body["notice"] and "0001_schemas" in body["notice"]
            assert body["accounts"] == []
        summary = c.get("/summary", headers=auth, params=DAYS).json()
        assert summary["totals"]["messages"] == 0 and summary["by_kind"] == {}
        assert c.get("/quality", headers=auth, params=DAYS).json()["totals"]["checks"] == 0
        assert c.get("/throttling", headers=auth, params=DAYS).json()["operations"] == []
        order = c.get("/order/111-0000001-0000001", headers=auth, params={"account": "acme_us"})
        assert order.status_code == 200
        assert order.json()["messages"] == [] and order.json()["explanations"] == []
        assert "notice" in order.json()
        assert c.get("/", headers=auth).status_code == 200


def test_a_migrated_warehouse_has_no_notice(client, auth):
    assert "notice" not in client.get("/summary", headers=auth, params=DAYS).json()
