"""Orders at volume: the window's orders and items from the all-orders report first; the
ordinary listing brings their details after, beside the pipeline (source.list_order_details).

The listing is bound by Amazon's getOrders (0.0167 req/s, burst 20, 100 orders a page: about
6,000 orders an hour) or searchOrders (0.0056 req/s); no items path makes it faster. One
GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL report per 30 days of window (createReport,
polled, one download) brings every order last updated in it, with its item lines, whatever the
volume. It lacks the buyer, the delivery window, LatestShipDate and IsPrime
(../shared/amazon-report-formats.md), so an order staged from it is `details_from = 'report'`
until the listing reaches it; the planner plans such an order only for critical kinds whose
rules read nothing the report lacks (plan/sql/decide.sql).

The choice (`choose`) is made from what the account had before: its orders per hour of window
over the last week's runs (`staging.extract_runs`), times this window, against what the
listing gets through in the run's listing budget. The account's `orders_source` setting
(`auto`, `orders_api`, `report`) overrides it. An account without a recent run is listed (there
is nothing to size it from; set `orders_source: report` to onboard a large one).

Resumable: each report span's report id, document id and committed orders are kept in
`staging.extract_report_checkpoints`, the orders committed in batches of `BATCH`; a run killed
mid-way polls the same report again (no new createReport), downloads its document once more
and skips the batches it committed; a span whose orders are all in is not downloaded again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from buyer_messaging.extract import orders_report
from buyer_messaging.extract import store as staging
from buyer_messaging.extract.order_pages import STREAM, ExtractStats
from buyer_messaging.spapi.calls import SpApiCallError
from buyer_messaging.warehouse.connection import transaction

log = logging.getLogger(__name__)

ORDERS_SOURCES = ("auto", "orders_api", "report")
BATCH = 1_000  # report orders committed (with the span's checkpoint) in one transaction
# what the listing may take of extract_orders (orders_listing_minutes' default, Amazon time):
# a window holding more than it gets through in that long comes from the report
LISTING_BUDGET_S = 3600.0
PAGE_SIZE = 100  # orders per page of getOrders (MaxResultsPerPage's maximum) and searchOrders
LIST_OPERATION = {"v0": "getOrders", "2026-01-01": "searchOrders"}


@dataclass
class OrdersPlan:
    """How load_orders takes the window's orders (`orders_source` and what it needs)."""

    setting: str = "auto"  # the account's `orders_source`
    reports_client: Any = None
    marketplace_id: str | None = None
    polling: Any = None  # extract.returns.Polling
    # seconds the listing may hold extract_orders up: the choice's yardstick (a report-first
    # window's details are listed by list_order_details, beside the pipeline)
    listing_budget_s: float = LISTING_BUDGET_S
    clock: Callable[[], float] = time.monotonic
    batch: int = BATCH  # report orders per transaction


@dataclass(frozen=True)
class Choice:
    path: str  # "orders_api" (the listing only) or "report" (report first, then the listing)
    why: str
    expected: int | None = None  # orders the window is expected to hold
    capacity: int | None = None  # orders the listing gets through in its budget


def listing_capacity(api: str, seconds: float) -> int:
    """Orders the listing of `api` gets through in `seconds` (its burst, then its rate)."""
    from buyer_messaging.spapi.limits import usage_plan

    rate, burst = usage_plan(LIST_OPERATION.get(api, "getOrders"))
    return int((burst + rate * seconds) * PAGE_SIZE)


def choose(
    conn: Any, plan: OrdersPlan, *, account_id: str, api: str, window: tuple[datetime, datetime]
) -> Choice:
    if plan.setting not in ORDERS_SOURCES:
        raise ValueError(
            f"orders_source must be one of {', '.join(ORDERS_SOURCES)}, not {plan.setting!r}"
        )
    capacity = listing_capacity(api, plan.listing_budget_s)
    if plan.setting != "auto":
        return Choice(plan.setting, f"orders_source: {plan.setting}", capacity=capacity)
    with transaction(conn) as cur:
        rate = staging.recent_orders_per_second(cur, account_id, STREAM)
    if rate is None:
        return Choice("orders_api", "no run in the last week to size the window from")
    expected = round(rate * (window[1] - window[0]).total_seconds())
    said = (
        f"{rate * 86400:,.0f} orders/day over the last week's runs: ~{expected:,} in this window;"
        f" the listing ({LIST_OPERATION.get(api, 'getOrders')}) gets through ~{capacity:,} in"
        f" {plan.listing_budget_s / 60:.0f} min"
    )
    return Choice("report" if expected > capacity else "orders_api", said, expected, capacity)


def load_report(
    conn: Any,
    plan: OrdersPlan,
    caller: Any,
    stats: ExtractStats,
    *,
    account_id: str,
    window: tuple[datetime, datetime],
) -> None:
    """The window's orders and items from the all-orders report, committed in batches with
    each span's checkpoint."""
    if plan.reports_client is None or not plan.marketplace_id:
        raise ValueError("orders by report need a Reports API client and the marketplace id")
    started = plan.clock()
    for span in orders_report.spans(window):
        _load_span(conn, plan, caller, stats, account_id=account_id, span=span)
    stats.report_seconds += plan.clock() - started


def _load_span(
    conn: Any,
    plan: OrdersPlan,
    caller: Any,
    stats: ExtractStats,
    *,
    account_id: str,
    span: tuple[datetime, datetime],
) -> None:
    from buyer_messaging.extract.returns import Polling, ReportFailed, fetch_document

    with transaction(conn) as cur:
        checkpoint = staging.load_report_checkpoint(cur, account_id, STREAM, span)
    if checkpoint is not None and checkpoint["done"]:
        log.info(
            "all-orders report %s for %s .. %s: its %d orders are staged already",
            checkpoint["report_id"], *span, checkpoint["orders_done"],
        )  # fmt: skip
        stats.report_window_orders += checkpoint["orders_done"]
        return
    client, polling = plan.reports_client, plan.polling or Polling()
    report_id = document_id = None
    done = 0
    if checkpoint is not None:
        report_id, document_id, done = (
            checkpoint["report_id"], checkpoint["document_id"], checkpoint["orders_done"],
        )  # fmt: skip
        log.info(
            "all-orders report %s for %s .. %s: resuming after %d committed orders",
            report_id, *span, done,
        )  # fmt: skip
    if document_id is None and report_id is not None:
        try:
            document_id = _wait(plan, caller, report_id, polling)
        except (ReportFailed, SpApiCallError) as err:
            if isinstance(err, SpApiCallError) and err.status not in (400, 404):
                raise
            # Amazon no longer has it (or could not build it): request the span again
            log.warning("all-orders report %s cannot be reused (%s): a new one", report_id, err)
            report_id, done = None, 0
    if report_id is None:
        report_id = _request(plan, caller, span)
        with transaction(conn) as cur:
            staging.save_report_checkpoint(cur, account_id, STREAM, span, report_id)
        requested = plan.clock()
        document_id = _wait(plan, caller, report_id, polling)
        stats.report_wait_seconds += plan.clock() - requested
    stats.report_ids += (report_id,)
    if document_id is None:  # CANCELLED: Amazon found no order in the span
        with transaction(conn) as cur:
            staging.save_report_checkpoint(cur, account_id, STREAM, span, report_id, done=True)
        return
    with transaction(conn) as cur:
        staging.save_report_checkpoint(
            cur, account_id, STREAM, span, report_id, document_id=document_id, orders_done=done
        )
    text = fetch_document(client, caller, document_id, report_id)
    orders, rejects = orders_report.orders_in_document(text, account_id, plan.marketplace_id or "")
    del text
    if done > len(orders):  # not the document the checkpoint counted in: all of it again
        done = 0
    stats.report_window_orders += len(orders)
    for start in range(done, len(orders), plan.batch):
        batch = orders[start : start + plan.batch]
        items = [item for _, lines in batch for item in lines]
        with transaction(conn) as cur:
            replaced = staging.upsert_report_orders(cur, account_id, [o for o, _ in batch], items)
            staging.save_report_checkpoint(
                cur, account_id, STREAM, span, report_id, document_id=document_id,
                orders_done=start + len(batch),
            )  # fmt: skip
        stats.report_orders += len(batch)
        stats.items += len(items)
        stats.items_orders += replaced
        log.info(
            "all-orders report %s: %d of %d orders committed",
            report_id, start + len(batch), len(orders),
        )  # fmt: skip
    with transaction(conn) as cur:
        staging.reject_records(cur, account_id, STREAM, rejects)
        staging.save_report_checkpoint(
            cur, account_id, STREAM, span, report_id, document_id=document_id,
            orders_done=len(orders), done=True,
        )  # fmt: skip
    stats.rejected += len(rejects)
    stats.rejected_keys.extend(key for key, _, _ in rejects)
    for _, reason, _ in rejects:
        log.warning("kept raw in staging.rejected_records: %s", reason)
    log.info(
        "all-orders report %s for %s .. %s: %d orders with their items staged, %d lines"
        " rejected",
        report_id, *span, len(orders), len(rejects),
    )  # fmt: skip


def _request(plan: OrdersPlan, caller: Any, span: tuple[datetime, datetime]) -> str:
    from buyer_messaging.extract.returns import request_report

    return request_report(
        plan.reports_client, caller, span, plan.marketplace_id or "", orders_report.REPORT_TYPE
    )


def _wait(plan: OrdersPlan, caller: Any, report_id: str, polling: Any) -> str | None:
    from buyer_messaging.extract.returns import wait_for_report

    return wait_for_report(plan.reports_client, caller, report_id, polling, cancelled_is_empty=True)


def backlog(conn: Any, account_id: str, before: datetime) -> list[tuple[datetime, datetime]]:
    """Windows whose listing an earlier report-first run left unfinished, oldest first."""
    with transaction(conn) as cur:
        return staging.unfinished_listings(cur, account_id, STREAM, before)


def details_left(conn: Any, account_id: str) -> int:
    with transaction(conn) as cur:
        return staging.report_only_orders(cur, account_id)
