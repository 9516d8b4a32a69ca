"""Review requests: Amazon's eligibility window and once-per-order rule."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from emulator_helpers import US
from sp_api.api import Solicitations
from sp_api.base import SellingApiBadRequestException, SellingApiForbiddenException

from spapi_emulator.testing import client_kwargs


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def shipped_order(admin_client) -> tuple[str, dict]:
    gt = admin_client.get("/_emulator/orders", params={"day": "2026-10-01"}).json()
    for oid, life in gt["lifecycle"].items():
        if life["final_status"] == "Shipped":
            return oid, life
    raise AssertionError("no shipped order")


def test_window_and_once_per_order(make_server, admin):
    srv = make_server(time_scale=1000)
    api = admin(srv)
    oid, life = shipped_order(api)
    opens, closes = (at(t) for t in life["review_window"])
    client = Solicitations(**client_kwargs(srv.url))

    def move(moment: datetime) -> None:
        api.post("/_emulator/clock", json={"now": moment.isoformat()})

    move(opens - timedelta(minutes=1))
    actions = client.get_solicitation_actions_for_order(oid, marketplaceIds=US).payload
    assert actions["_links"]["actions"] == []
    with pytest.raises(SellingApiForbiddenException) as early:
        client.create_product_review_and_seller_feedback_solicitation(oid, marketplaceIds=US)
    assert early.value.amzn_code == "Unauthorized"
    assert "outside the 5-30 day range after the order delivery date" in early.value.message

    move(closes + timedelta(minutes=1))
    assert (
        client.get_solicitation_actions_for_order(oid, marketplaceIds=US).payload["_links"][
            "actions"
        ]
        == []
    )
    with pytest.raises(SellingApiForbiddenException):
        client.create_product_review_and_seller_feedback_solicitation(oid, marketplaceIds=US)

    move(opens + timedelta(minutes=1))
    actions = client.get_solicitation_actions_for_order(oid, marketplaceIds=US).payload
    assert [a["name"] for a in actions["_links"]["actions"]] == ["productReviewAndSellerFeedback"]
    client.create_product_review_and_seller_feedback_solicitation(oid, marketplaceIds=US)
    with pytest.raises(SellingApiForbiddenException) as again:
        client.create_product_review_and_seller_feedback_solicitation(oid, marketplaceIds=US)
    assert (
        again.value.message == "The requested solicitation is not available for this amazonOrderId."
    )
    assert (
        client.get_solicitation_actions_for_order(oid, marketplaceIds=US).payload["_links"][
            "actions"
        ]
        == []
    )

    received = api.get("/_emulator/received", params={"amazonOrderId": oid}).json()
    assert received["solicitations"] == [
        {
            "amazonOrderId": oid,
            "marketplaceIds": [US],
            "at": (opens + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    ]


def test_unshipped_or_cancelled_orders_get_no_action(make_server, admin):
    srv = make_server(time_scale=1000)
    gt = admin(srv).get("/_emulator/orders", params={"day": "2026-10-01"}).json()
    cancelled = [oid for oid, life in gt["lifecycle"].items() if life["final_status"] == "Canceled"]
    client = Solicitations(**client_kwargs(srv.url))
    for oid in cancelled:
        assert (
            client.get_solicitation_actions_for_order(oid, marketplaceIds=US).payload["_links"][
                "actions"
            ]
            == []
        )


def test_marketplace_ids_query_parameter_is_required(make_server, admin):
    srv = make_server(time_scale=1000)
    oid, _ = shipped_order(admin(srv))
    client = Solicitations(**client_kwargs(srv.url))
    with pytest.raises(SellingApiBadRequestException) as bad:
        client.create_product_review_and_seller_feedback_solicitation(
            oid
        )  # body only, as sp_api does
    assert bad.value.amzn_code == "InvalidInput"
    assert bad.value.message == "Missing or invalid request parameters: [marketplaceIds]"
