"""One interface over the two Orders APIs: pages of staging rows for a window.

An `OrderSource` yields `OrderPage`s of already-parsed rows (orders, items, shipments, rejects);
`load_orders` writes each page in one transaction. Which source an account uses is its config
value `orders_api`: `v0` (getOrders + getOrderItems, `V0OrderSource`) or `2026-01-01`
(searchOrders with includedData, `extract.orders_2026.Orders2026Source`), see `order_source`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from buyer_messaging.extract import report_first
from buyer_messaging.extract import returns_store as shipments_sql
from buyer_messaging.extract import store as staging
from buyer_messaging.extract.items import ItemsPlan, fetch_items, request_early
from buyer_messaging.extract.order_pages import (
    CHANNEL_PASSES,
    LISTED_BY,
    STREAM,
    ExtractStats,
    OrderPage,
    OrderSource,
    iso_utc,
    page_entries,
)
from buyer_messaging.extract.orders_2026 import Orders2026Source
from buyer_messaging.extract.parse import (
    RecordError,
    Reject,
    parse_item,
    parse_order,
    rejection,
    unique_items,
)
from buyer_messaging.extract.records import short
from buyer_messaging.extract.report_first import OrdersPlan
from buyer_messaging.spapi.calls import SpApiCaller, SpApiCallError
from buyer_messaging.warehouse.connection import transaction

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection
    from psycopg2.extensions import cursor as PgCursor
    from sp_api.base import Client

log = logging.getLogger(__name__)

ORDERS_APIS = ("v0", "2026-01-01")
# Tokens API model (dataElements): buyerInfo is the order-level buyer identity (BuyerEmail,
# hashed; BuyerName, for the greeting), shippingAddress the delivery address a shipment
# confirmation quotes; both are kept only until the retention purge.
V0_DATA_ELEMENTS = ("buyerInfo", "shippingAddress")
# the field a rejection names: "order <key>: field <field>: <problem>" (parse.RecordError)
_FIELD = re.compile(r"order [^:]*: field (.*?): ")


# getOrders' bounds per LISTED_BY (../shared/spapi-models/ordersV0.json: one pair, not both)
_V0_BOUNDS = {
    "last_update": ("LastUpdatedAfter", "LastUpdatedBefore"),
    "created": ("CreatedAfter", "CreatedBefore"),
}


def _field_of(reason: str) -> str:
    found = _FIELD.match(reason)
    return found[1] if found else "?"


class V0OrderSource:
    """Orders API v0: getOrders by LastUpdatedAfter/Before, getOrderItems per order."""

    api = "v0"
    operations: tuple[str, ...] = ("getOrders", "getOrderItems")
    provides_shipments = False  # v0 orders carry no carrier or tracking number

    def __init__(
        self,
        client: Client,
        caller: SpApiCaller,
        *,
        account_id: str,
        salt: str = "",
        page_size: int | None = None,
        with_items: bool = True,
    ) -> None:
        self.client = client
        self.caller = caller
        self.account_id = account_id
        self.salt = salt
        self.page_size = page_size  # None: Amazon's default (100)
        self.restricted = True  # ask for the buyer data through an RDT until Amazon refuses
        # False: pages carry orders only; load_orders fetches the items that are needed
        self.with_items = with_items

    def order_items(self, order_id: str) -> list[dict[str, Any]]:
        """getOrderItems of one order as staging rows; RecordError names the field."""
        items = [
            parse_item(item, self.account_id, order_id, entry=n)
            for n, item in enumerate(order_items_v0(self.caller, self.client, order_id))
        ]
        unique_items(order_id, items)
        return items

    def requester_page(self, order_id: str) -> OrderPage:
        """The order's items by getOrderItems, whose BuyerRequestedCancel says whether the buyer
        asked for a cancellation (the all-orders report's lines do not); no order row."""
        return OrderPage(items=self.order_items(order_id))

    def pages(
        self,
        window: tuple[datetime, datetime],
        token: str | None = None,
        *,
        channel: str | None = None,
        by: str = LISTED_BY[0],
    ) -> Iterator[OrderPage]:
        after, before = _V0_BOUNDS[by]
        params: dict[str, Any] = {after: iso_utc(window[0]), before: iso_utc(window[1])}
        if channel is not None:
            params["FulfillmentChannels"] = [channel]
        if self.page_size:
            params["MaxResultsPerPage"] = self.page_size
        while True:
            kwargs = {"NextToken": token, **params} if token else dict(params)
            res = self._get_orders(kwargs)
            page = OrderPage(with_items=self.with_items)
            for raw in page_entries(res.payload, "Orders", page):
                try:
                    order = parse_order(raw, self.account_id, salt=self.salt)
                    items = self.order_items(order["amazon_order_id"]) if self.with_items else []
                except RecordError as err:
                    page.rejects.append(rejection(err, raw))
                    continue
                page.orders.append(order)
                page.items.extend(items)
            token = res.payload.get("NextToken") or None
            page.next_token = token
            yield page
            if not token:
                return

    def _get_orders(self, kwargs: dict[str, Any]) -> Any:
        """A page of getOrders. BuyerInfo (the e-mail hashed into buyer_hash) and the address
        are restricted data in v0: python-amazon-sp-api fetches an RDT for /orders/v0/orders
        with these data elements first (one createRestrictedDataToken per page, far below its
        1 call/s). An application without the restricted roles gets a 403 for the token: the
        account is extracted without buyer data (no suppression by order, no greeting by name,
        addresses fetched when rendering), said once in the log."""
        if self.restricted:
            try:
                return self.caller.call(
                    "getOrders", self._get_orders_restricted, client=self.client,
                    RestrictedResources=list(V0_DATA_ELEMENTS), **kwargs,
                )  # fmt: skip
            except SpApiCallError as err:
                if not _is_denied(err):
                    raise
                self.restricted = False
                log.warning(
                    "orders v0: no restricted data for this application (%s): extracting without"
                    " buyer data; suppression by order needs the buyer hash",
                    err,
                )
        return self.caller.call("getOrders", self.client.get_orders, client=self.client, **kwargs)

    def _get_orders_restricted(self, **kwargs: Any) -> Any:
        """One getOrders attempt with an RDT. python-amazon-sp-api sets the token on the client
        and clears it only after a call that returns: when the call raises (a 429, a dropped
        connection) the client keeps it and sends it in place of the access token on every
        later call, so the retry's own createRestrictedDataToken and getOrderItems were refused
        with 403 and the run went on without buyer data."""
        try:
            return self.client.get_orders(**kwargs)
        finally:
            self.client.restricted_data_token = None


def order_items_v0(caller: SpApiCaller, client: Client, order_id: str) -> list[dict[str, Any]]:
    """getOrderItems of one order, every page of it, as Amazon sent them."""
    items: list[dict[str, Any]] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"NextToken": token} if token else {}
        res = caller.call(
            "getOrderItems",
            client.get_order_items,
            order_id,
            client=client,
            subject=order_id,
            **kwargs,
        )
        page = res.payload.get("OrderItems") or []
        if not isinstance(page, list):
            raise RecordError(order_id, "OrderItems", f"not a JSON array but {short(page)}")
        items.extend(page)
        token = res.payload.get("NextToken")
        if not token:
            return items


def _is_denied(err: SpApiCallError) -> bool:
    return err.status == 403


def order_source(
    api: str,
    client: Client,
    caller: SpApiCaller,
    *,
    account_id: str,
    salt: str = "",
    marketplace_id: str | None = None,
    page_size: int | None = None,
    with_items: bool = True,
) -> OrderSource:
    """The account's source: `api` is its `orders_api` config value. `client` must be an
    `OrdersV0` client for v0 and an `OrdersV20260101` client for 2026-01-01. `with_items=False`:
    v0 pages come without items (2026-01-01 orders always carry theirs)."""
    if api == "v0":
        return V0OrderSource(
            client, caller, account_id=account_id, salt=salt, page_size=page_size,
            with_items=with_items,
        )  # fmt: skip
    if api == "2026-01-01":
        return Orders2026Source(
            client, caller, account_id=account_id, salt=salt, marketplace_id=marketplace_id,
            page_size=page_size or 100,
        )  # fmt: skip
    raise ValueError(f"orders_api must be one of {', '.join(ORDERS_APIS)}, not {api!r}")


def client_class(api: str) -> type:
    """The python-amazon-sp-api class a source of `api` calls."""
    if api == "v0":
        from sp_api.api.orders.orders_v0 import OrdersV0

        return OrdersV0
    if api == "2026-01-01":
        from sp_api.api.orders.orders_2026_01_01 import OrdersV20260101

        return OrdersV20260101
    raise ValueError(f"orders_api must be one of {', '.join(ORDERS_APIS)}, not {api!r}")


def write_page(
    cur: PgCursor, account_id: str, page: OrderPage, *, provides_shipments: bool
) -> None:
    """A page into staging (the caller owns the transaction)."""
    staging.upsert_orders(cur, account_id, page.orders, page.items, with_items=page.with_items)
    if provides_shipments:
        order_ids = [o["amazon_order_id"] for o in page.orders]
        shipments_sql.replace_shipments(cur, account_id, order_ids, page.shipments)
    staging.reject_records(cur, account_id, STREAM, page.rejects)


def load_orders(
    conn: PgConnection,
    source: OrderSource,
    caller: SpApiCaller,
    *,
    account_id: str,
    window: tuple[datetime, datetime],
    items: ItemsPlan | None = None,
    orders: OrdersPlan | None = None,
) -> ExtractStats:
    """Every page of the source into staging, one transaction per page, then the items the
    account needs (`items`, for a source whose pages come without them), then the run's record.

    Each page is committed with a checkpoint (staging.extract_checkpoints: the NextToken of the
    page after it), so a run killed mid-way resumes at the first page it did not commit; items
    are committed as they come and marked with the order's last update, so the resumed run
    fetches only those still missing. A re-run of a finished window upserts the same rows again
    (unchanged rows are not even rewritten).

    `orders` (the account's `orders_source`): when the window holds more orders than the
    listing gets through in its budget, the window's orders and items come from the all-orders
    report (`extract.report_first`), the window is recorded as extracted and its orders' details
    left to `list_order_details`, beside the rest of the run, by their creation time. No listing
    here: that task starts as soon as this one ends and has Amazon's getOrders rate to itself,
    so a minute listed here would only hold back validate ... send by a minute and add nothing
    to the day's listing."""
    stats = ExtractStats(*window)
    if window[1] <= window[0]:
        log.info("orders window is empty (%s .. %s): nothing to extract", *window)
        return stats
    if orders is not None:
        choice = report_first.choose(
            conn, orders, account_id=account_id, api=source.api, window=window
        )
        log.info(
            "orders %s: %s (%s)",
            source.api,
            "the all-orders report first; the details by the listing beside the pipeline"
            if choice.path == "report"
            else "the listing",
            choice.why,
        )
        if choice.path == "report":
            stats.path = "report"
            report_first.load_report(
                conn, orders, caller, stats, account_id=account_id, window=window
            )
            with transaction(conn) as cur:  # the window's orders are in: the watermark moves on
                _record_run(
                    cur, caller, source, account_id, window, records=stats.report_window_orders
                )
                # a killed run resumes the report from these until the window is recorded
                staging.clear_report_checkpoints(cur, account_id, STREAM, window)
            stats.details_left = report_first.details_left(conn, account_id)
            return stats
        # windows an earlier run left unlisted come first (on the listing-only path, all of
        # them), then the orders an earlier report-first run staged without their details:
        # list_order_details runs only after a report-first extract_orders
        for earlier in report_first.backlog(conn, account_id, before=window[0]):
            log.info("orders %s: the listing of %s .. %s first (its backlog)", source.api, *earlier)
            _list_window(
                conn, source, caller, stats, account_id=account_id, window=earlier, items=items,
                early_items=False,
            )  # fmt: skip
        _list_created(conn, source, caller, stats, account_id=account_id, items=items)
    stats.window_end = _list_window(
        conn, source, caller, stats, account_id=account_id, window=window, items=items
    )
    return stats


def list_order_details(
    conn: PgConnection,
    source: OrderSource,
    caller: SpApiCaller,
    *,
    account_id: str,
    until: float,
    clock: Callable[[], float],
    items: ItemsPlan | None = None,
    cancellations_since: datetime | None = None,
) -> ExtractStats:
    """The listing of the orders report-first runs staged without their details (buyer,
    delivery window, LatestShipDate, IsPrime), by creation time (`_list_created`) until `until`
    on `clock`. Where it stops, the page's checkpoint is where the next run's listing resumes.
    `items` is unused: the next extract_orders brings the items of an order changed since.

    `cancellations_since` (the account sends cancellation notices): first, the Orders API's
    items of the report-first orders cancelled since then whose items are still the report's
    lines, which do not say who cancelled (`_fetch_requesters`): their notices wait for it."""
    now = datetime.now(UTC)
    stats = ExtractStats(now, now)
    stats.path = "report"
    if cancellations_since is not None:
        _fetch_requesters(
            conn, source, caller, stats, account_id=account_id, since=cancellations_since,
            deadline=(until, clock),
        )  # fmt: skip
    if not stats.stopped:
        _list_created(
            conn, source, caller, stats, account_id=account_id, items=items,
            deadline=(until, clock),
        )  # fmt: skip
    stats.details_left = report_first.details_left(conn, account_id)
    if stats.stopped:
        log.warning(
            "orders %s: the listing stopped at the run's deadline; %d orders are known only from"
            " the report (no buyer, no delivery window: only critical kinds plan them until the"
            " listing brings them); the next run resumes from the checkpoint",
            source.api, stats.details_left,
        )  # fmt: skip
    return stats


def _fetch_requesters(
    conn: PgConnection,
    source: OrderSource,
    caller: SpApiCaller,
    stats: ExtractStats,
    *,
    account_id: str,
    since: datetime,
    deadline: tuple[float, Callable[[], float]],
) -> None:
    """The items, with who cancelled, of the report-first orders cancelled since `since`
    (store.awaiting_requester), one call each, committed one by one, before the listing's
    pages. They are few (1-3 % of orders) and their calls are not the listing's: getOrderItems
    (v0) or getOrder (2026-01-01), 0.5/s with a burst of 30, so the 1,000-3,000 cancelled
    orders of a 100,000-order day take ~30-100 min, by which the listing starts later; their
    notices go stale after unavailability_notice's stale_after_days (3), while a 2026-01-01
    listing of such a day (searchOrders, ~2,000 orders an hour) takes longer than that."""
    with transaction(conn) as cur:
        wanted = staging.awaiting_requester(cur, account_id, since)
    fetch = getattr(source, "requester_page", None)
    if not wanted or fetch is None:
        return
    log.info(
        "orders %s: %d cancelled orders known from the all-orders report only: their items"
        " first (who cancelled)", source.api, len(wanted),
    )  # fmt: skip
    for n, order_id in enumerate(wanted):
        if deadline[1]() >= deadline[0]:
            stats.stopped = True
            stats.requesters_left = len(wanted) - n
            log.warning(
                "orders %s: the run's deadline came with %d cancelled orders' requesters"
                " unknown: their notices wait for the next run (expired once stale)",
                source.api, stats.requesters_left,
            )  # fmt: skip
            return
        try:
            page = fetch(order_id)
        except RecordError as err:
            page = OrderPage(rejects=[rejection(err, {"AmazonOrderId": order_id})])
        with transaction(conn) as cur:
            if page.orders:  # the whole order (getOrder): staged as the listing stages it
                write_page(cur, account_id, page, provides_shipments=source.provides_shipments)
            else:
                if not page.rejects:
                    staging.replace_items(cur, account_id, [order_id], page.items)
                staging.reject_records(cur, account_id, STREAM, page.rejects)
        if not page.rejects:
            stats.requesters += 1
            stats.items += len(page.items)
        _count_rejects(stats, page.rejects)


def _list_created(
    conn: PgConnection,
    source: OrderSource,
    caller: SpApiCaller,
    stats: ExtractStats,
    *,
    account_id: str,
    items: ItemsPlan | None,
    deadline: tuple[float, Callable[[], float]] | None = None,
) -> None:
    """Every UTC day of purchase holding an order with `details_from = 'report'`, oldest first,
    listed by CreatedAfter/Before (an order changes on several days but is created on one, so
    each is listed once): every day's merchant-fulfilled orders first, then every day's
    Amazon-fulfilled ones, each day resumed from its checkpoint.
    A day's checkpoint stays once it is listed (`_created_windows` says when it comes again)."""
    windows = _created_windows(conn, account_id)
    if windows:
        stats.window_start, stats.window_end = windows[0][0], windows[-1][1]
    for channel in CHANNEL_PASSES:  # every day's MFN orders before any day's AFN ones
        for window in windows:
            if deadline is not None and deadline[1]() >= deadline[0]:
                stats.stopped = True
                return
            log.info(
                "orders %s: listing the details of %s orders created %s .. %s",
                source.api, channel, *window,
            )  # fmt: skip
            _list_window(
                conn, source, caller, stats, account_id=account_id, window=window, items=items,
                deadline=deadline, early_items=False, by_channel=True, by="created",
                last_pass=channel,
            )  # fmt: skip
            if stats.stopped:
                return


def _created_windows(conn: PgConnection, account_id: str) -> list[tuple[datetime, datetime]]:
    """The creation windows to list, oldest first: one per UTC day of purchase of a report-only
    order, from the day's start (or the end an earlier listing of the day reached) to its
    latest such purchase (inclusive, as CreatedBefore is; the report saw it, so it is older than
    the two minutes Amazon asks). A day whose listing is under way resumes its checkpoint's
    window; one listed already comes again only for orders purchased after the end it reached
    (from there), or else for report rows staged since (the whole day)."""
    windows = []
    with transaction(conn) as cur:
        days = staging.report_only_days(cur, account_id)
        staging.clear_created_checkpoints(cur, account_id, STREAM, [d for d, _, _ in days])
        marks = {
            start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0): mark
            for start, mark in staging.created_checkpoints(cur, account_id, STREAM)
        }
        for day, staged, purchased in days:
            end = _whole_second(purchased)
            mark = marks.get(day)
            if mark is None:
                windows.append((day, end))
                continue
            if (
                mark["next_token"]
                or not mark["pass_started"]
                or mark["channel"] != CHANNEL_PASSES[-1]
            ):
                windows.append((mark["window_start"], mark["window_end"]))  # under way
                continue
            if purchased > mark["window_end"]:  # the day's orders the report brought since
                start = mark["window_end"] + timedelta(seconds=1)
            elif staged > mark["updated_at"]:  # an earlier order of the day staged again
                start = day
            else:
                continue  # listed, and nothing new since
            staging.clear_checkpoint(cur, account_id, STREAM, mark["window_start"], "created")
            windows.append((start, end))
    return windows


def _whole_second(moment: datetime) -> datetime:
    """Up to the whole second: Amazon's timestamps (iso_utc) carry none of its fraction."""
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)


def _record_run(
    cur: PgCursor,
    caller: SpApiCaller,
    source: OrderSource,
    account_id: str,
    window: tuple[datetime, datetime],
    *,
    records: int,
    pages: int = 0,
) -> None:
    operations = (*source.operations, "createReport", "getReport", "getReportDocument")
    staging.record_extract_run(
        cur, account_id, STREAM, window, records=records, pages=pages,
        calls=sum(caller.calls[op] for op in operations),
        throttled=sum(caller.throttled[op] for op in operations),
    )  # fmt: skip


def _list_window(
    conn: PgConnection,
    source: OrderSource,
    caller: SpApiCaller,
    stats: ExtractStats,
    *,
    account_id: str,
    window: tuple[datetime, datetime],
    items: ItemsPlan | None,
    deadline: tuple[float, Callable[[], float]] | None = None,
    early_items: bool = True,
    by_channel: bool = False,
    by: str = LISTED_BY[0],
    last_pass: str | None = None,
) -> datetime:
    """The listing of one window (resumed from its checkpoint, if any), its items, its record;
    returns the end it reached. Past `deadline` (a time on its clock) no page is requested:
    `stats.stopped`, the checkpoint kept, the window not recorded. `by_channel` (or a
    checkpoint of such a listing): one pass per fulfillment channel, CHANNEL_PASSES' order.
    `by="created"`: the window bounds the creation time; its run is not recorded (the stream's
    watermark is the last update's) and its checkpoint is kept as the day's listing done;
    `last_pass`: no pass after that one now (the checkpoint says where the next call begins)."""
    with transaction(conn) as cur:
        checkpoint = staging.load_checkpoint(cur, account_id, STREAM, window[0], by)
    token: str | None = None
    done_pages = done_orders = 0
    rest: tuple[datetime, datetime] | None = None
    channel = CHANNEL_PASSES[0] if by_channel else None
    started = False
    if checkpoint is not None:
        if checkpoint["window_end"] < window[1]:
            rest = (checkpoint["window_end"], window[1])  # extracted once the stopped one is done
        # the NextToken carries the stopped run's query: finish that window, not a wider one
        window = (window[0], checkpoint["window_end"])
        token, done_pages, done_orders = (
            checkpoint["next_token"], checkpoint["pages"], checkpoint["orders"],
        )  # fmt: skip
        channel, started = checkpoint["channel"], checkpoint["pass_started"]
        log.info(
            "orders %s: resuming the window %s .. %s%s after %d committed pages (%d orders)%s",
            source.api, *window, f" ({channel} pass)" if channel else "", done_pages, done_orders,
            "" if token else "; pass not started" if not started else "; its pages are all in",
        )  # fmt: skip
    passes: tuple[str | None, ...] = (
        CHANNEL_PASSES[CHANNEL_PASSES.index(channel) :] if channel else (None,)
    )
    if last_pass is not None:  # the passes after it are left for later (by="created" only)
        passes = tuple(
            p for p in passes if p in CHANNEL_PASSES[: CHANNEL_PASSES.index(last_pass) + 1]
        )
    per_order = getattr(source, "order_items", None)
    if items is not None and per_order is not None and early_items:
        request_early(conn, items, caller, account_id=account_id, window=window)
    pages_before, orders_before = stats.pages, stats.orders
    for n, pass_channel in enumerate(passes):
        if n > 0:  # the pass before is done: this one from its start
            token, started = None, False
        if started and token is None:
            continue  # this pass's pages are all in
        pass_pages = stats.pages
        _load_pages(
            conn, source, caller, stats, account_id=account_id, window=window, token=token,
            done=(done_pages - pages_before, done_orders - orders_before), deadline=deadline,
            channel=pass_channel, by=by,
        )  # fmt: skip
        if stats.stopped:
            if token is None and stats.pages == pass_pages:
                with transaction(conn) as cur:  # stopped before the pass's first page
                    staging.save_checkpoint(
                        cur, account_id, STREAM, window, None,
                        pages=done_pages + stats.pages - pages_before,
                        orders=done_orders + stats.orders - orders_before,
                        channel=pass_channel, pass_started=False, listed_by=by,
                    )  # fmt: skip
            return window[1]
    # a creation window's orders: the report gave their items; one changed since (or created
    # after the report's window) gets its items from the next extract_orders, which sees it
    if items is not None and per_order is not None and by == "last_update":
        got = fetch_items(
            conn, items, account_id=account_id, window=window, per_order=per_order, caller=caller
        )
        stats.items += got.items
        stats.items_source = got.source
        stats.items_orders += got.orders
        _count_rejects(stats, got.rejected or [])
    if by == "created":
        return window[1]
    with transaction(conn) as cur:
        _record_run(
            cur, caller, source, account_id, window,
            records=done_orders + stats.orders - orders_before,
            pages=done_pages + stats.pages - pages_before,
        )  # fmt: skip
        staging.clear_checkpoint(cur, account_id, STREAM, window[0])
        staging.clear_report_checkpoints(cur, account_id, STREAM, window)
    if rest is not None:
        return _list_window(
            conn, source, caller, stats, account_id=account_id, window=rest, items=items,
            deadline=deadline, early_items=early_items, by_channel=by_channel,
        )  # fmt: skip
    return window[1]


def _count_rejects(stats: ExtractStats, rejects: list[Reject]) -> None:
    stats.rejected += len(rejects)
    stats.rejected_keys.extend(key for key, _, _ in rejects)
    stats.rejected_fields.update(_field_of(reason) for _, reason, _ in rejects)
    for _, reason, _ in rejects:
        log.warning("kept raw in staging.rejected_records: %s", reason)


def _load_pages(
    conn: Any,
    source: OrderSource,
    caller: SpApiCaller,
    stats: ExtractStats,
    *,
    account_id: str,
    window: tuple[datetime, datetime],
    token: str | None,
    done: tuple[int, int],
    deadline: tuple[float, Callable[[], float]] | None = None,
    channel: str | None = None,
    by: str = LISTED_BY[0],
) -> None:
    """`done`: what the window's checkpoint counts, less what `stats` counted before it."""
    shipments = 0
    pages = source.pages(window, token, channel=channel, by=by)
    last = False  # the page committed last had no NextToken: the pass is done, not stopped
    while not last:
        if deadline is not None and deadline[1]() >= deadline[0]:
            stats.stopped = True  # the next page is the next run's: its token is checkpointed
            break
        try:
            page = next(pages)
        except StopIteration:
            break
        except SpApiCallError as err:
            if token is None or stats.pages or err.status != 400:
                raise
            # Amazon refuses a NextToken it no longer honours: the window from its start
            log.warning(
                "orders %s: the checkpoint's NextToken was refused (%s): the window again from"
                " its start", source.api, err,
            )  # fmt: skip
            token, done = None, (-stats.pages, -stats.orders)
            pages = source.pages(window, None, channel=channel, by=by)
            continue
        with transaction(conn) as cur:
            write_page(cur, account_id, page, provides_shipments=source.provides_shipments)
            staging.save_checkpoint(
                cur, account_id, STREAM, window, page.next_token,
                pages=done[0] + stats.pages + 1, orders=done[1] + stats.orders + len(page.orders),
                channel=channel, pass_started=True, listed_by=by,
            )  # fmt: skip
        stats.pages += 1
        last = page.next_token is None
        stats.orders += len(page.orders)
        stats.items += len(page.items)
        shipments += len(page.shipments)
        _count_rejects(stats, page.rejects)
        log.info(
            "orders %s page %d: %d orders (%d total), %d packages; %s",
            source.api, stats.pages, len(page.orders), stats.orders, len(page.shipments), caller.summary(),
        )  # fmt: skip
    if source.provides_shipments:
        log.info("orders %s: %d packages staged in staging.shipments", source.api, shipments)
