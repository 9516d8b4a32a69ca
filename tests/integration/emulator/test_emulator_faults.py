"""Fault injection: each fault is visible through the real client, repeatable, and switchable."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import httpx
import pytest
from emulator_helpers import NOW, US
from sp_api.api import Orders, Solicitations
from sp_api.base import (
    SellingApiException,
    SellingApiForbiddenException,
    SellingApiRequestThrottledException,
    SellingApiServerException,
    SellingApiTemporarilyUnavailableException,
)

from spapi_emulator.auth import DEFAULT_REFRESH_TOKEN
from spapi_emulator.testing import client_kwargs

DAY = (NOW - timedelta(days=3)).date()
WINDOW = {"CreatedAfter": f"{DAY}T00:00:00Z", "CreatedBefore": f"{DAY}T23:59:59Z"}


def outcomes(srv, n: int = 40) -> list[str]:
    client = Orders(**client_kwargs(srv.url))
    out = []
    for _ in range(n):
        try:
            client.get_orders(**WINDOW)
            out.append("ok")
        except SellingApiException as exc:
            out.append(type(exc).__name__)
    return out


def test_error_rates_are_repeatable_for_a_seed(make_server):
    faults = {"error_rate_500": 0.2, "error_rate_503": 0.2}
    first = outcomes(make_server(time_scale=1e6, faults=faults, seed=5))
    second = outcomes(make_server(time_scale=1e6, faults=faults, seed=5))
    assert first == second
    assert {"ok", "SellingApiServerException", "SellingApiTemporarilyUnavailableException"} <= set(
        first
    )
    other = outcomes(make_server(time_scale=1e6, faults=faults, seed=6))
    assert other != first


def test_empty_error_body_is_a_502_with_html(make_server, admin):
    srv = make_server(time_scale=1e6, faults={"empty_error_body": 1.0})
    client = Orders(**client_kwargs(srv.url))
    # sp_api swallows a non-JSON 502: an empty payload and no exception; callers must check
    assert client.get_orders(**WINDOW).payload.get("Orders") is None
    token = httpx.post(
        f"{srv.url}/auth/o2/token",
        data={"grant_type": "refresh_token", "refresh_token": DEFAULT_REFRESH_TOKEN},
        trust_env=False,
    ).json()["access_token"]
    raw = httpx.get(
        f"{srv.url}/orders/v0/orders",
        params={**WINDOW, "MarketplaceIds": US},
        headers={"x-amz-access-token": token},
        trust_env=False,
    )
    assert raw.status_code == 502 and raw.headers["content-type"].startswith("text/html")


def test_truncated_pages_are_200s_that_do_not_parse(make_server):
    srv = make_server(time_scale=1e6, faults={"truncated_pages": 1.0})
    token = httpx.post(
        f"{srv.url}/auth/o2/token",
        data={"grant_type": "refresh_token", "refresh_token": DEFAULT_REFRESH_TOKEN},
        trust_env=False,
    ).json()["access_token"]
    raw = httpx.get(
        f"{srv.url}/orders/v0/orders",
        params={**WINDOW, "MarketplaceIds": US},
        headers={"x-amz-access-token": token},
        trust_env=False,
    )
    assert raw.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        raw.json()
    # what the real client makes of it: an empty payload, no exception; callers must check
    assert Orders(**client_kwargs(srv.url)).get_orders(**WINDOW).payload.get("Orders") is None


def test_malformed_orders_are_the_same_orders_every_time(make_server, admin):
    srv = make_server(time_scale=1e6, faults={"malformed_order": 0.3}, orders_per_day=60)
    client = Orders(**client_kwargs(srv.url))
    first = client.get_orders(**WINDOW).payload["Orders"]
    second = client.get_orders(**WINDOW).payload["Orders"]
    assert first == second
    truth = admin(srv).get("/_emulator/orders", params={"day": DAY.isoformat()}).json()
    clean = {o["AmazonOrderId"]: o for o in truth["orders"]}
    bad = [o for o in first if o != clean[o["AmazonOrderId"]]]
    assert 0.1 < len(bad) / len(first) < 0.5
    kinds = set()
    for order in bad:
        if "PurchaseDate" not in order:
            kinds.add("missing PurchaseDate")
        elif order["OrderStatus"] not in (
            "Pending",
            "Unshipped",
            "PartiallyShipped",
            "Shipped",
            "Canceled",
        ):
            kinds.add("unknown status")
        elif order["OrderTotal"]["CurrencyCode"] != "USD":
            kinds.add("wrong currency")
    assert kinds == {"missing PurchaseDate", "unknown status", "wrong currency"}


def test_latency(make_server):
    srv = make_server(time_scale=1e6, faults={"latency_ms": [150, 200]})
    client = Orders(**client_kwargs(srv.url))
    client.get_orders(**WINDOW)  # warm the token
    started = time.perf_counter()
    client.get_orders(**WINDOW)
    assert 0.14 < time.perf_counter() - started < 2.0


def test_throttle_storm_then_calm(make_server):
    srv = make_server(
        time_scale=1e6, faults={"throttle_storm": {"every_s": 1.0, "duration_s": 0.5}}
    )
    client = Solicitations(**client_kwargs(srv.url))
    results = []
    for _ in range(25):
        try:
            client.get_solicitation_actions_for_order("111-0000000-0000000", marketplaceIds=US)
        except SellingApiRequestThrottledException:
            results.append(429)
        except SellingApiException:
            results.append(404)
        time.sleep(0.06)
    assert 429 in results and 404 in results


def test_tokens_expire_early(make_server):
    # a token of its own: the test client's token cache is keyed by host and refresh token
    srv = make_server(
        time_scale=1e6, faults={"expire_tokens_after_s": 0.3}, refresh_token="Atzr|expiry-test"
    )
    client = Orders(**client_kwargs(srv.url, refresh_token="Atzr|expiry-test"))
    client.get_orders(**WINDOW)
    time.sleep(0.4)
    with pytest.raises(SellingApiForbiddenException) as exc:
        client.get_orders(**WINDOW)
    assert exc.value.error[0]["details"] == "The access token you provided has expired."


def test_faults_from_a_yaml_file_and_at_run_time(make_server, admin, tmp_path):
    path = tmp_path / "faults.yaml"
    path.write_text("error_rate_500: 1.0\noperations: [getOrders]\n")
    srv = make_server(time_scale=1e6, faults=str(path))
    client = Orders(**client_kwargs(srv.url))
    with pytest.raises(SellingApiServerException):
        client.get_orders(**WINDOW)
    api = admin(srv)
    assert api.post("/_emulator/faults", json={"error_rate_503": 1.0}).json() == {
        "error_rate_503": 1.0
    }
    with pytest.raises(SellingApiTemporarilyUnavailableException):
        client.get_orders(**WINDOW)
    assert api.post("/_emulator/faults", json={"no_such_fault": 1}).status_code == 400
    api.post("/_emulator/faults", json={})
    assert client.get_orders(**WINDOW).payload["Orders"]
    counters = api.get("/_emulator/counters").json()
    assert counters["errors"]["getOrders"] == 2


def test_unknown_faults_are_refused_at_start():
    from spapi_emulator.server import EmulatorServer

    with pytest.raises(ValueError):
        EmulatorServer(faults={"error_rate_501": 0.5})
    with pytest.raises(ValueError):
        EmulatorServer(faults={"error_rate_500": 5})


# -- reply_loss: processed first, then the reply is lost (issue #16) ------------------------


def _in_review_window(api) -> list[str]:
    gt = api.get("/_emulator/orders", params={"day": "2026-10-01"}).json()
    shipped = [
        (oid, life) for oid, life in gt["lifecycle"].items() if life["final_status"] == "Shipped"
    ]
    opens = max(life["review_window"][0] for _, life in shipped[:4])
    api.post("/_emulator/clock", json={"now": opens.replace("Z", "+00:00")})
    return [oid for oid, _ in shipped[:4]]


def _token(srv) -> str:
    return httpx.post(f"{srv.url}/auth/o2/token", data={"grant_type": "refresh_token", "refresh_token": DEFAULT_REFRESH_TOKEN},
                      trust_env=False).json()["access_token"]  # fmt: skip


@pytest.mark.parametrize(
    ("mode", "raised"),
    [("bad_gateway", None), ("reset", httpx.TransportError), ("slow", httpx.ReadTimeout)],
)
def test_reply_loss_processes_the_request_then_loses_the_reply(make_server, admin, mode, raised):
    faults = {"reply_loss": {"mode": mode, "every_nth_order": 2, "delay_s": 1.0}}
    srv = make_server(time_scale=1e6, faults=faults)
    api = admin(srv)
    orders = _in_review_window(api)
    headers = {"x-amz-access-token": _token(srv)}
    answers = []
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=0.4) as client:
        for oid in orders:
            url = f"/solicitations/v1/orders/{oid}/solicitations/productReviewAndSellerFeedback"
            try:
                answers.append(
                    client.post(url, params={"marketplaceIds": US}, headers=headers).status_code
                )
            except httpx.TransportError as err:
                assert raised is not None and isinstance(err, raised)
                answers.append(type(err).__name__)
    lost = "502" if mode == "bad_gateway" else answers[1]
    assert [str(a) for a in answers] == ["201", str(lost), "201", str(lost)]
    if mode == "bad_gateway":
        assert answers[1] == 502
    # every request was processed, the lost ones too: Amazon recorded all four
    received = api.get("/_emulator/received").json()["solicitations"]
    assert sorted(r["amazonOrderId"] for r in received) == sorted(orders)
    lost_replies = srv.emulator.faults.lost
    assert [(x["order"], x["mode"]) for x in lost_replies] == [(orders[1], mode), (orders[3], mode)]
    # only an order's first request loses its reply: a second one is answered (a refusal)
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=5) as client:
        url = f"/solicitations/v1/orders/{orders[1]}/solicitations/productReviewAndSellerFeedback"
        assert client.post(url, params={"marketplaceIds": US}, headers=headers).status_code == 403


def test_reply_loss_by_rate_is_repeatable_and_reads_are_spared(make_server, admin):
    faults = {"reply_loss": {"mode": "bad_gateway", "rate": 0.5}}
    seen = []
    for _ in range(2):
        srv = make_server(time_scale=1e6, faults=faults, seed=9)
        api = admin(srv)
        orders = _in_review_window(api)
        headers = {"x-amz-access-token": _token(srv)}
        with httpx.Client(base_url=srv.url, trust_env=False, timeout=5) as client:
            for oid in orders:  # GETs never lose their reply unless named in operations
                assert client.get(f"/solicitations/v1/orders/{oid}", params={"marketplaceIds": US},
                                  headers=headers).status_code == 200  # fmt: skip
            seen.append([
                client.post(f"/solicitations/v1/orders/{oid}/solicitations/productReviewAndSellerFeedback",
                            params={"marketplaceIds": US}, headers=headers).status_code
                for oid in orders
            ])  # fmt: skip
    assert seen[0] == seen[1] and 502 in seen[0]


def test_reply_loss_config_is_checked():
    from spapi_emulator.server import EmulatorServer

    for bad in ({"mode": "explode", "rate": 0.3}, {"rate": 0.3, "every_nth_order": 3}, {},
                {"rate": 2}, {"every_nth_order": 0}, {"rate": 0.1, "when": "now"}):  # fmt: skip
        with pytest.raises(ValueError, match="reply_loss"):
            EmulatorServer(faults={"reply_loss": bad})
