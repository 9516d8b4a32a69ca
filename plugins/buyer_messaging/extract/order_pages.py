"""What both Orders API sources share: the stream's name, a run's counters, a parsed page,
the source interface, and Amazon's timestamp form for a window's bounds.

`extract.source` (v0 and the loader) and `extract.orders_2026` both import this module and
not each other's, so neither needs a function-level import to dodge a cycle.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from buyer_messaging.extract.parse import RecordError, Reject, rejection
from buyer_messaging.extract.records import record_key, short

STREAM = "orders"
# the passes of a report-first window's listing, in order: merchant-fulfilled orders first (the
# critical messages that need LatestShipDate are theirs), then Amazon-fulfilled (getOrders'
# FulfillmentChannels values, ../shared/spapi-models/ordersV0.json; searchOrders' fulfilledBy
# MERCHANT / AMAZON)
CHANNEL_PASSES = ("MFN", "AFN")
# which time a listing window bounds (staging.extract_checkpoints.listed_by, migration 0028):
# getOrders' LastUpdatedAfter/Before (the ordinary listing) or CreatedAfter/Before (the details
# listing of report-first orders: an order is created in one window only)
LISTED_BY = ("last_update", "created")


@dataclass
class ExtractStats:
    window_start: datetime
    window_end: datetime
    pages: int = 0
    orders: int = 0
    items: int = 0
    rejected: int = 0
    rejected_keys: list[str] = field(default_factory=list)
    rejected_fields: Counter[str] = field(default_factory=Counter)  # field -> records rejected
    items_source: str = "with the orders"  # or "orders_api", "report", "none" (extract.items)
    items_orders: int = 0  # orders whose items were fetched apart from them
    # report-first (extract/report_first.py): "orders_api" (the listing only) or "report"
    path: str = "orders_api"
    report_orders: int = 0  # orders (with their items) staged from the all-orders report
    report_window_orders: int = 0  # the window's orders in its reports, by this run or before
    report_seconds: float = 0.0  # the report phase, requested to committed
    report_wait_seconds: float = 0.0  # of which Amazon's building it (requested to DONE)
    report_ids: tuple[str, ...] = ()
    stopped: bool = False  # the listing reached its budget: resumed by the next run
    details_left: int | None = None  # report-only orders the listing has still to bring
    # cancelled report-first orders whose items (who cancelled) the Orders API brought, and
    # those still waiting for them when the listing ended
    requesters: int = 0
    requesters_left: int = 0

    def summary(self) -> str:
        fields = ", ".join(f"{name} {n}" for name, n in self.rejected_fields.most_common(5))
        more = ", …" if len(self.rejected_fields) > 5 else ""
        report = (
            f" {self.report_orders} orders from the all-orders report in"
            f" {self.report_seconds:.0f} s, then listed:"
            if self.path == "report"
            else ""
        )
        left = (
            f"; listing stopped at its budget, {self.details_left} orders' details left for"
            " the next run"
            if self.stopped
            else ""
        )
        if self.requesters or self.requesters_left:
            left += (
                f"; who cancelled: {self.requesters} cancelled orders' items fetched,"
                f" {self.requesters_left} left"
            )
        return (
            f"orders window {self.window_start:%Y-%m-%d %H:%M} .. {self.window_end:%Y-%m-%d %H:%M} UTC:"
            f"{report} {self.pages} pages, {self.orders} orders, {self.items} items"
            + (
                f" (of {self.items_orders} orders, by {self.items_source})"
                if self.items_source != "with the orders"
                else ""
            )
            + f", {self.rejected} rejected"
            + (
                f" (by field: {fields}{more}; reasons in staging.rejected_records)"
                if fields
                else ""
            )
            + left
        )


def iso_utc(moment: datetime) -> str:
    """Amazon's ISO 8601 form for a window bound (UTC, whole seconds, Z)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class OrderPage:
    """One page of the API, parsed: what one staging transaction writes."""

    orders: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    shipments: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    with_items: bool = True  # False: the orders came without items (fetched apart)
    next_token: str | None = None  # where the page after this one starts (a checkpoint)


def page_entries(payload: Any, name: str, page: OrderPage) -> list[Any]:
    """The page's records; a page whose list is not a list is kept as one rejection."""
    entries = payload.get(name) if isinstance(payload, dict) else None
    if entries is None or isinstance(entries, list):
        return entries or []
    err = RecordError(record_key(entries, ""), name, f"not a JSON array but {short(entries)}")
    page.rejects.append(rejection(err, entries))
    return []


@runtime_checkable
class OrderSource(Protocol):
    """Orders whose last update falls in a window, page by page, as staging rows."""

    api: str  # "v0" | "2026-01-01"
    operations: tuple[str, ...]  # the SP-API operations it calls (for the run's counters)
    provides_shipments: bool  # True: a page's shipments replace its orders' staged packages

    def pages(
        self,
        window: tuple[datetime, datetime],
        token: str | None = None,
        *,
        channel: str | None = None,
        by: str = LISTED_BY[0],
    ) -> Iterator[OrderPage]:
        """The window's pages, from the page `token` names (a checkpoint) if given; `channel`
        (one of CHANNEL_PASSES): only the orders of that fulfillment channel; `by` (one of
        LISTED_BY): the orders last updated, or created, in the window."""
        ...
