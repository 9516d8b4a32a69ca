"""Order items, fetched only for the orders whose messages need them, by the cheaper path.

Orders API v0 lists orders without items; getOrderItems costs one call per order at 0.5/s
(burst 30), about 43,000 orders a day. Most messages need no items: a review request reads the
order's dates and status only. Items are needed (see plan/sql/*.sql and the templates) by:
- shipment confirmations (the message lists the items): merchant-fulfilled shipped orders;
- unavailability notices (they name the items; a cancelled line shows a partial cancellation):
  merchant-fulfilled orders;
- product information (configured ASINs): shipped orders;
- every kind, for every order, when a rule reads the order's products: an exclusion by ASIN or
  SKU, or a review request delayed per ASIN (timing.yaml `by_asin`).

Of those, the orders whose items are missing or older than the order (`items_as_of`) are
fetched. When there are more of them than getOrderItems allows in `BUDGET_S` seconds, one
all-orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL: createReport, polled,
one download) brings the items of the whole window instead. The account's `order_items` setting
(`auto`, `orders_api`, `report`) overrides the choice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from buyer_messaging.extract import store as staging
from buyer_messaging.extract.orders_report import spans
from buyer_messaging.extract.parse import RecordError, Reject, rejection
from buyer_messaging.warehouse.connection import transaction

log = logging.getLogger(__name__)

STREAM = "orders"
ITEMS_SOURCES = ("auto", "orders_api", "report")
BUDGET_S = 3600.0  # getOrderItems time an extraction may spend before the report is cheaper
BATCH = 25  # orders whose fetched items are committed together


@dataclass(frozen=True)
class ItemsNeed:
    """Which staged orders the account's messages need items for."""

    every_order: bool = False
    merchant_shipped: bool = False
    merchant_any: bool = False
    shipped: bool = False

    def sql(self) -> str:
        """A condition on staging.orders `o` (constant text: no value from outside)."""
        if self.every_order:
            return "true"
        parts = []
        if self.merchant_any:
            parts.append("o.fulfillment_channel IS DISTINCT FROM 'AFN'")
        elif self.merchant_shipped:
            parts.append(
                "o.fulfillment_channel IS DISTINCT FROM 'AFN'"
                " AND o.order_status IN ('Shipped', 'PartiallyShipped')"
            )
        if self.shipped:
            parts.append("o.order_status IN ('Shipped', 'PartiallyShipped')")
        return " OR ".join(f"({p})" for p in parts) or "false"

    def describe(self) -> str:
        if self.every_order:
            return "every order"
        said = [
            name
            for name, on in (
                ("merchant-fulfilled orders", self.merchant_any),
                (
                    "shipped merchant-fulfilled orders",
                    self.merchant_shipped and not self.merchant_any,
                ),
                ("shipped orders", self.shipped),
            )
            if on
        ]
        return ", ".join(said) or "no order"


EVERY_ORDER = ItemsNeed(every_order=True)


def items_need(
    kinds: Sequence[str], *, timing: Any = None, product_info: Any = None, exclusions: Any = None
) -> ItemsNeed:
    """What the account's kinds and policies (policies.Timing, ProductInfo, Exclusions) read
    of an order's items."""
    by_product = False
    if exclusions is not None:
        by_product = any(
            exclusions.params(kind)["excl_asins"] or exclusions.params(kind)["excl_skus"]
            for kind in kinds
        )
    if timing is not None and "review_request" in kinds:
        by_product = by_product or bool(timing.of("review_request").by_asin)
    if by_product:
        return EVERY_ORDER
    return ItemsNeed(
        merchant_shipped="shipment_confirmation" in kinds,
        merchant_any="unavailability_notice" in kinds,
        shipped="product_info" in kinds and bool(product_info and product_info.asins),
    )


def call_budget(seconds: float = BUDGET_S) -> int:
    """getOrderItems calls Amazon allows in `seconds` (burst, then the restore rate)."""
    from buyer_messaging.spapi.limits import usage_plan

    rate, burst = usage_plan("getOrderItems")
    return int(burst + rate * seconds)


def choose_source(wanted: int, setting: str = "auto", *, budget: int | None = None) -> str:
    """`orders_api` (getOrderItems per order) or `report` (one all-orders report)."""
    if setting not in ITEMS_SOURCES:
        raise ValueError(f"order_items must be one of {', '.join(ITEMS_SOURCES)}, not {setting!r}")
    if setting != "auto":
        return setting
    return "report" if wanted > (call_budget() if budget is None else budget) else "orders_api"


@dataclass
class ItemsPlan:
    """How load_orders fetches the items of the window's orders."""

    need: ItemsNeed = EVERY_ORDER
    setting: str = "auto"  # the account's `order_items`
    reports_client: Any = None  # for the report path
    marketplace_id: str | None = None
    polling: Any = None  # extract.returns.Polling
    budget: int | None = None  # getOrderItems calls; None: call_budget()
    # reports requested before paging, by the span they cover
    pending: dict[tuple[datetime, datetime], str] = field(default_factory=dict)


def request_early(
    conn: Any, plan: ItemsPlan, caller: Any, *, account_id: str, window: tuple[datetime, datetime]
) -> None:
    """Request the all-orders report before the orders are paged, when it will be needed (the
    account says `report`, or its last run loaded more orders than getOrderItems' budget), so
    Amazon builds it while getOrders pages: its processing time is then hidden behind theirs."""
    if plan.reports_client is None or not plan.marketplace_id or plan.setting == "orders_api":
        return
    if plan.need.sql() == "false" or all(span in plan.pending for span in spans(window)):
        return
    budget = call_budget() if plan.budget is None else plan.budget
    if plan.setting == "auto":
        with transaction(conn) as cur:
            last = staging.last_run_records(cur, account_id, STREAM)
        if last is None or last <= budget:
            return
        why = f"the last run loaded {last} orders, more than getOrderItems' {budget} calls"
    else:
        why = "order_items: report"
    from buyer_messaging.extract import orders_report
    from buyer_messaging.extract.returns import request_report

    for span in spans(window):
        plan.pending[span] = request_report(
            plan.reports_client, caller, span, plan.marketplace_id, orders_report.REPORT_TYPE
        )
    log.info("order items: all-orders report requested before paging (%s)", why)


@dataclass
class ItemsStats:
    source: str = "none"
    wanted: int = 0
    orders: int = 0
    items: int = 0
    rejected: list[Reject] | None = None
    report_ids: tuple[str, ...] = ()


def fetch_items(
    conn: Any,
    plan: ItemsPlan,
    *,
    account_id: str,
    window: tuple[datetime, datetime],
    per_order: Callable[[str], list[dict[str, Any]]],
    caller: Any,
) -> ItemsStats:
    """The items of the window's staged orders that need them and lack them, committed as they
    come (a killed run leaves what it fetched; the next one fetches only the rest)."""
    with transaction(conn) as cur:
        wanted = staging.orders_wanting_items(cur, account_id, window, plan.need.sql())
    stats = ItemsStats(wanted=len(wanted), rejected=[])
    if not wanted:
        log.info("order items: none wanted (%s need them)", plan.need.describe())
        return stats
    budget = call_budget() if plan.budget is None else plan.budget
    # a report already requested is cheaper to read than any getOrderItems call
    early = all(span in plan.pending for span in spans(window))
    stats.source = "report" if early else choose_source(len(wanted), plan.setting, budget=budget)
    if stats.source == "report" and plan.reports_client is None:
        raise ValueError("order_items by report needs a Reports API client")
    log.info(
        "order items: %d orders need them (%s); getOrderItems allows %d calls in %.0f min:"
        " fetching by %s (order_items: %s)",
        len(wanted), plan.need.describe(), budget, BUDGET_S / 60,
        "the all-orders report" if stats.source == "report" else "getOrderItems per order",
        plan.setting,
    )  # fmt: skip
    if stats.source == "report":
        _by_report(conn, plan, stats, account_id=account_id, window=window, caller=caller)
    else:
        _per_order(conn, wanted, stats, account_id=account_id, per_order=per_order)
    return stats


def _per_order(
    conn: Any,
    wanted: list[str],
    stats: ItemsStats,
    *,
    account_id: str,
    per_order: Callable[[str], list[dict[str, Any]]],
) -> None:
    for start in range(0, len(wanted), BATCH):
        done: list[str] = []
        items: list[dict[str, Any]] = []
        rejects: list[Reject] = []
        for order_id in wanted[start : start + BATCH]:
            try:
                items.extend(per_order(order_id))
            except RecordError as err:
                rejects.append(rejection(err, {"AmazonOrderId": order_id}))
                continue
            done.append(order_id)
        with transaction(conn) as cur:
            staging.replace_items(cur, account_id, done, items)
            staging.reject_records(cur, account_id, STREAM, rejects)
        stats.orders += len(done)
        stats.items += len(items)
        assert stats.rejected is not None
        stats.rejected.extend(rejects)


def _by_report(
    conn: Any,
    plan: ItemsPlan,
    stats: ItemsStats,
    *,
    account_id: str,
    window: tuple[datetime, datetime],
    caller: Any,
) -> None:
    from buyer_messaging.extract import orders_report
    from buyer_messaging.extract.returns import (
        Polling,
        fetch_document,
        request_report,
        wait_for_report,
    )

    if not plan.marketplace_id:
        raise ValueError("order_items by report needs the account's marketplace id")
    client, polling = plan.reports_client, plan.polling or Polling()
    for span in spans(window):
        report_id = plan.pending.pop(span, None) or request_report(
            client, caller, span, plan.marketplace_id, orders_report.REPORT_TYPE
        )
        stats.report_ids += (report_id,)
        document_id = wait_for_report(client, caller, report_id, polling, cancelled_is_empty=True)
        if document_id is None:
            continue
        text = fetch_document(client, caller, document_id, report_id)
        by_order, rejects = orders_report.items_by_order(text, account_id)
        ids = list(by_order)
        for start in range(0, max(len(ids), 1), 500):
            chunk = ids[start : start + 500]
            with transaction(conn) as cur:
                # items only for orders staged from the Orders API: the report brings no order
                # row, and an order updated after the listing comes with the next run
                staged = sorted(staging.staged_order_ids(cur, account_id, chunk)) if chunk else []
                items = [i for order_id in staged for i in by_order[order_id]]
                staging.replace_items(cur, account_id, staged, items, from_api=False)
                if start == 0:
                    staging.reject_records(cur, account_id, STREAM, rejects)
            stats.orders += len(staged)
            stats.items += len(items)
        assert stats.rejected is not None
        stats.rejected.extend(rejects)
        log.info(
            "all-orders report %s: %d orders in it, items of %d staged orders replaced, %d lines"
            " rejected",
            report_id, len(by_order), stats.orders, len(rejects),
        )  # fmt: skip
