"""Every operation's answers, success and error, validate against Amazon's own models.

The calls go through the real python-amazon-sp-api clients; the emulator's `tap` keeps the raw
bodies, which are validated against the response schema Amazon's model declares for that
operation and status. Object definitions are made strict (no undeclared properties) so that a
misspelt or invented field name fails too.
"""

from __future__ import annotations

import copy
import json
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from emulator_helpers import NOW, US
from sp_api.api import Messaging, Orders, Reports, Solicitations, Tokens
from sp_api.base import SellingApiException

from spapi_emulator.limits import MODEL_FILES
from spapi_emulator.testing import client_kwargs

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared"
MODELS = SHARED / "spapi-models"
FILES = {**MODEL_FILES, "sendInvoice": "messaging.json"}


def strict(definitions: dict) -> dict:
    out = copy.deepcopy(definitions)

    def tighten(node: object) -> None:
        if isinstance(node, dict):
            if (
                node.get("type") == "object"
                and "properties" in node
                and "additionalProperties" not in node
            ):
                node["additionalProperties"] = False
            for value in node.values():
                tighten(value)
        elif isinstance(node, list):
            for value in node:
                tighten(value)

    tighten(out)
    return out


def response_schema(model: dict, operation_id: str, status: int) -> dict | None:
    for methods in model["paths"].values():
        for spec in methods.values():
            if isinstance(spec, dict) and spec.get("operationId") == operation_id:
                declared = spec["responses"].get(str(status))
                if declared is None:
                    raise AssertionError(
                        f"{operation_id} answered {status}, which the model does not declare"
                    )
                return declared.get("schema")
    raise AssertionError(f"{operation_id} is not in the model")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def lifecycles(api, first: datetime, days: int) -> list[tuple[str, dict, dict]]:
    out = []
    for n in range(days):
        day = (first + timedelta(days=n)).date().isoformat()
        data = api.get("/_emulator/orders", params={"day": day}).json()
        for order in data["orders"]:
            out.append((order["AmazonOrderId"], order, data["lifecycle"][order["AmazonOrderId"]]))
    return out


def call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except SellingApiException as exc:
        return exc


def test_every_answer_matches_amazons_models(make_server, admin):
    if not MODELS.is_dir():
        pytest.skip("../shared/spapi-models is absent (only CI and the team's machines have it)")
    from jsonschema import Draft4Validator

    srv = make_server(time_scale=5000, orders_per_day=40)
    seen: list[tuple[str, int, bytes]] = []
    srv.emulator.tap = lambda op, status, body: seen.append((op, status, body))
    api = admin(srv)
    kw = client_kwargs(srv.url)
    orders, tokens = Orders(**kw), Tokens(**kw)
    orders26 = Orders(**kw, version="2026-01-01")
    solicitations, messaging, reports = Solicitations(**kw), Messaging(**kw), Reports(**kw)

    recent = lifecycles(api, NOW - timedelta(days=1), 2)
    older = lifecycles(api, NOW - timedelta(days=14), 4)
    unshipped = next(
        oid
        for oid, o, life in recent
        if o["OrderStatus"] == "Unshipped" and not life["buyer_opted_out"]
    )
    shipped = next(
        oid
        for oid, o, life in older
        if o["OrderStatus"] == "Shipped"
        and not life["buyer_opted_out"]
        and at(life["review_window"][0]) <= NOW <= at(life["review_window"][1])
    )
    missing = "111-0000000-0000000"

    # Orders v0
    call(
        orders.get_orders, CreatedAfter=(NOW - timedelta(days=2)).isoformat(), MaxResultsPerPage=10
    )
    call(
        orders.get_orders,
        CreatedAfter=(NOW - timedelta(days=2)).isoformat(),
        RestrictedResources=["buyerInfo", "shippingAddress"],
    )
    call(orders.get_orders, MaxResultsPerPage=10)  # 400
    call(orders.get_order, shipped)
    call(orders.get_order, missing)  # 404
    call(orders.get_order_items, shipped)
    call(orders.get_order_items, missing)
    call(orders.get_order_address, shipped)  # 403: no RDT
    call(orders.get_order_buyer_info, shipped)  # 403
    rdt = tokens.create_restricted_data_token(
        restrictedResources=[
            {"method": "GET", "path": "/orders/v0/orders/{orderId}/address"},
            {"method": "GET", "path": "/orders/v0/orders/{orderId}/buyerInfo"},
            {"method": "GET", "path": "/orders/v0/orders/{orderId}/orderItems/buyerInfo"},
        ]
    ).payload["restrictedDataToken"]
    restricted = Orders(**kw, restricted_data_token=rdt)
    call(restricted.get_order_address, shipped)
    call(restricted.get_order_buyer_info, shipped)
    call(restricted.get_order_items_buyer_info, shipped)
    call(
        tokens.create_restricted_data_token, restrictedResources=[{"method": "FETCH", "path": "x"}]
    )  # 400

    # Orders 2026-01-01
    everything = ["BUYER", "RECIPIENT", "PROCEEDS", "CANCELLATION", "FULFILLMENT", "PACKAGES"]
    call(
        orders26.search_orders,
        createdAfter=(NOW - timedelta(days=9)).isoformat(),
        createdBefore=(NOW - timedelta(days=7)).isoformat(),
        includedData=everything,
    )
    call(
        orders26.search_orders,
        createdAfter=(NOW - timedelta(days=2)).isoformat(),
        includedData=["NOPE"],
    )
    call(orders26.get_order, shipped, includedData=everything)
    call(orders26.get_order, missing)

    # Solicitations
    call(solicitations.get_solicitation_actions_for_order, shipped)
    call(solicitations.get_solicitation_actions_for_order, missing)
    call(
        solicitations.create_product_review_and_seller_feedback_solicitation,
        shipped,
        marketplaceIds=US,
    )
    call(
        solicitations.create_product_review_and_seller_feedback_solicitation,
        shipped,
        marketplaceIds=US,
    )  # 403
    call(solicitations.create_product_review_and_seller_feedback_solicitation, shipped)  # 400

    # Messaging
    attachment = [{"uploadDestinationId": "amzn1.s3.upload.1", "fileName": "warranty.pdf"}]
    call(messaging.get_messaging_actions_for_order, unshipped)
    call(messaging.get_messaging_actions_for_order, missing)
    call(messaging.get_attributes, shipped)
    call(messaging.confirm_customization_details, unshipped, body={"text": "Which initials?"})
    call(messaging.confirm_customization_details, unshipped, body={"text": "x" * 801})  # 400
    call(messaging.create_confirm_order_details, unshipped, body={"text": "Which colour?"})
    call(messaging.create_confirm_order_details, unshipped, body={"text": "Again?"})  # 403
    call(
        messaging.create_confirm_delivery_details,
        unshipped,
        body={"text": "Is the door code 1234?"},
    )
    call(messaging.create_confirm_service_details, unshipped, body={"text": "When?"})  # 403
    call(messaging.create_legal_disclosure, shipped, body={"attachments": attachment})
    call(
        messaging.create_warranty,
        shipped,
        body={
            "attachments": attachment,
            "coverageStartDate": "2026-11-01T00:00:00Z",
            "coverageEndDate": "2027-11-01T00:00:00Z",
        },
    )
    call(messaging.create_digital_access_key, shipped, body={"text": "Your key: ABCD"})
    call(messaging.create_unexpected_problem, unshipped, body={"text": "A delay, sorry."})
    call(messaging.create_unexpected_problem, unshipped, body={})  # 400
    call(messaging.send_invoice, shipped, body={"attachments": attachment})

    # Reports
    report = reports.create_report(
        reportType="GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE",
        dataStartTime=(NOW - timedelta(days=40)).isoformat(),
        dataEndTime=(NOW - timedelta(days=1)).isoformat(),
    ).payload["reportId"]
    call(reports.create_report, reportType="GET_NOTHING")  # 400
    call(reports.get_report, report)
    deadline = time.monotonic() + 20
    while (done := reports.get_report(report).payload)["processingStatus"] != "DONE":
        assert time.monotonic() < deadline, done
        time.sleep(0.02)
    call(reports.get_report_document, done["reportDocumentId"])
    call(reports.get_report_document, "amzn1.spdoc.nope")
    call(reports.get_report, "123")
    call(reports.get_reports, reportTypes=["GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"])
    call(reports.cancel_report, report)  # 400: it is DONE already
    call(reports.cancel_report, "123")  # 404

    # 429 for every operation (a storm), then 500 and 503
    operations = {op for op, _, _ in seen}
    api.post("/_emulator/faults", json={"throttle_storm": {"every_s": 1000, "duration_s": 1000}})
    call(orders.get_order, shipped)
    call(orders26.search_orders, createdAfter=(NOW - timedelta(days=2)).isoformat())
    call(solicitations.get_solicitation_actions_for_order, shipped)
    call(messaging.create_unexpected_problem, unshipped, body={"text": "x"})
    call(reports.get_report, report)
    call(
        tokens.create_restricted_data_token,
        restrictedResources=[{"method": "GET", "path": "/orders/v0/orders"}],
    )
    api.post("/_emulator/faults", json={"error_rate_500": 1.0})
    call(orders.get_orders, CreatedAfter=(NOW - timedelta(days=2)).isoformat())
    call(messaging.get_attributes, shipped)
    api.post("/_emulator/faults", json={"error_rate_503": 1.0})
    call(solicitations.get_solicitation_actions_for_order, shipped)
    call(reports.get_report, report)
    api.post("/_emulator/faults", json={})

    statuses = {(op, status) for op, status, _ in seen}
    assert set(FILES) - operations == set(), f"not exercised: {set(FILES) - operations}"
    for wanted in [(op, 200) for op in ("getOrders", "getOrder", "searchOrders", "getReport")] + [
        ("createProductReviewAndSellerFeedbackSolicitation", 201),
        ("createReport", 202),
        ("getOrders", 400),
        ("getOrderAddress", 403),
        ("getOrders", 500),
        ("getReport", 503),
        ("getOrder", 429),
        ("createUnexpectedProblem", 400),
        ("createConfirmOrderDetails", 403),
    ]:
        assert wanted in statuses, f"no {wanted} answer"

    models = {name: json.loads((MODELS / name).read_text()) for name in set(FILES.values())}
    checked = 0
    for operation, status, body in seen:
        model = models[FILES[operation]]
        schema = response_schema(model, operation.split("@")[0], status)
        if schema is None:
            assert body in (b"", b"{}"), (
                f"{operation} {status} has a body but the model declares none"
            )
            continue
        document = {**schema, "definitions": strict(model["definitions"])}
        payload = json.loads(body) if body else {}
        errors = sorted(Draft4Validator(document).iter_errors(payload), key=str)
        assert not errors, (
            f"{operation} {status}: {errors[0].message} at {list(errors[0].absolute_path)}"
        )
        checked += 1
    assert checked >= 50
