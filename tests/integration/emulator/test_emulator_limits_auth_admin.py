"""Throttling, LWA and the admin API."""

from __future__ import annotations

import time

import httpx
import pytest
from emulator_helpers import US
from sp_api.api import Orders, Solicitations
from sp_api.base import SellingApiRequestThrottledException

from spapi_emulator.auth import DEFAULT_REFRESH_TOKEN
from spapi_emulator.limits import BUILTIN_LIMITS, default_models_dir, limits_from_models
from spapi_emulator.testing import client_kwargs


def test_builtin_limits_agree_with_amazons_models():
    if not default_models_dir().is_dir():
        pytest.skip("../shared/spapi-models is absent")
    from_models = limits_from_models()
    assert set(from_models) == set(BUILTIN_LIMITS)
    assert from_models == BUILTIN_LIMITS


def test_burst_past_the_limit_is_throttled_and_paced_calls_are_not(make_server, admin):
    srv = make_server(time_scale=1.0)  # solicitations: 1 request/s, burst 5
    client = Solicitations(**client_kwargs(srv.url))
    oid = (
        admin(srv)
        .get("/_emulator/orders", params={"day": "2026-10-01"})
        .json()["orders"][0]["AmazonOrderId"]
    )
    throttled = 0
    for _ in range(9):
        try:
            client.get_solicitation_actions_for_order(oid, marketplaceIds=US)
        except SellingApiRequestThrottledException as exc:
            throttled += 1
            assert exc.amzn_code == "QuotaExceeded"
            assert "x-amzn-RateLimit-Limit" not in exc.headers
    assert throttled >= 3
    counters = admin(srv).get("/_emulator/counters").json()
    assert counters["throttled"]["getSolicitationActionsForOrder"] == throttled

    fast = make_server(time_scale=20.0)  # 20 requests/s
    client = Solicitations(**client_kwargs(fast.url))
    for _ in range(25):
        response = client.get_solicitation_actions_for_order(oid, marketplaceIds=US)
        time.sleep(1 / 20 + 0.01)
    assert response.headers["x-amzn-RateLimit-Limit"] == "20.0"
    assert admin(fast).get("/_emulator/counters").json()["throttled"] == {}


def test_limits_can_be_changed_at_run_time(make_server, admin):
    srv = make_server(time_scale=1.0)
    api = admin(srv)
    assert (
        api.post(
            "/_emulator/limits", json={"operation": "getOrders", "rate": 0.01, "burst": 2}
        ).status_code
        == 200
    )
    client = Orders(**client_kwargs(srv.url))
    client.get_orders(CreatedAfter="2026-11-10T00:00:00Z", CreatedBefore="2026-11-10T01:00:00Z")
    client.get_orders(CreatedAfter="2026-11-10T00:00:00Z", CreatedBefore="2026-11-10T01:00:00Z")
    with pytest.raises(SellingApiRequestThrottledException):
        client.get_orders(CreatedAfter="2026-11-10T00:00:00Z", CreatedBefore="2026-11-10T01:00:00Z")


def test_lwa_accepts_only_the_refresh_token_it_was_started_with(make_server):
    # Login with Amazon answers an unknown or revoked refresh token with 400 and this body
    # (LWA "Access token request" errors; the same one test_spapi_hook_connection pins)
    amazon = {
        "error": "invalid_grant",
        "error_description": "The request has an invalid grant parameter : refresh_token",
    }
    default, own = make_server(), make_server(refresh_token="Atzr|seller-grant-1")
    with httpx.Client(trust_env=False) as http:

        def exchange(srv, token):
            return http.post(
                f"{srv.url}/auth/o2/token",
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": token,
                    "client_id": "x",
                    "client_secret": "y",
                },
            )

        assert exchange(default, DEFAULT_REFRESH_TOKEN).json()["access_token"]
        wrong = exchange(default, "Atzr|someone-elses-grant")
        assert (wrong.status_code, wrong.json()) == (400, amazon)
        assert exchange(own, "Atzr|seller-grant-1").json()["access_token"]
        assert exchange(own, DEFAULT_REFRESH_TOKEN).status_code == 400


def test_cli_takes_the_refresh_token_from_the_flag_or_the_environment(monkeypatch):
    from spapi_emulator.__main__ import build_parser

    assert build_parser().parse_args([]).refresh_token == DEFAULT_REFRESH_TOKEN
    assert build_parser().parse_args(["--refresh-token", "Atzr|a"]).refresh_token == "Atzr|a"
    monkeypatch.setenv("SPAPI_EMULATOR_REFRESH_TOKEN", "Atzr|from-env")
    assert build_parser().parse_args([]).refresh_token == "Atzr|from-env"


def test_lwa_tokens(make_server):
    srv = make_server(token_lifetime_s=0.5)
    with httpx.Client(base_url=srv.url, trust_env=False) as http:
        bad = http.post(
            "/auth/o2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": "",
                "client_id": "x",
                "client_secret": "y",
            },
        )
        assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
        good = http.post(
            "/auth/o2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": DEFAULT_REFRESH_TOKEN,
                "client_id": "x",
                "client_secret": "y",
            },
        ).json()
        assert good["token_type"] == "bearer" and good["expires_in"] == 0 or good["expires_in"] >= 0
        path = f"/solicitations/v1/orders/111-0000000-0000000?marketplaceIds={US}"
        missing = http.get(path)
        assert missing.status_code == 403
        assert missing.json()["errors"][0] == {
            "code": "Unauthorized",
            "message": "Access to requested resource is denied.",
            "details": missing.json()["errors"][0]["details"],
        }
        assert http.get(path, headers={"x-amz-access-token": "Atza|forged"}).status_code == 403
        assert (
            http.get(path, headers={"x-amz-access-token": good["access_token"]}).status_code == 404
        )
        time.sleep(0.6)
        expired = http.get(path, headers={"x-amz-access-token": good["access_token"]})
        assert expired.status_code == 403
        assert (
            expired.json()["errors"][0]["details"] == "The access token you provided has expired."
        )


def test_counters_received_and_reset(make_server, admin):
    srv = make_server(time_scale=1000)
    api = admin(srv)
    client = Orders(**client_kwargs(srv.url))
    client.get_orders(CreatedAfter="2026-11-10T00:00:00Z", CreatedBefore="2026-11-10T01:00:00Z")
    counters = api.get("/_emulator/counters").json()
    assert counters["requests"] == {"getOrders": 1}
    assert api.post("/_emulator/reset").status_code == 200
    assert api.get("/_emulator/counters").json() == {"requests": {}, "throttled": {}, "errors": {}}
    assert api.get("/_emulator/received").json() == {"solicitations": [], "messages": []}
