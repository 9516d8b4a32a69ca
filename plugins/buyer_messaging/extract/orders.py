"""extract_orders: every order whose LastUpdateDate falls in the window, with its items."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from buyer_messaging.extract.parse import RecordError, parse_item, parse_order
from buyer_messaging.spapi.calls import SpApiCaller
from buyer_messaging.warehouse import staging
from buyer_messaging.warehouse.connection import transaction

log = logging.getLogger(__name__)

STREAM = "orders"
# Amazon rejects LastUpdatedBefore later than two minutes before now.
_AMAZON_LAG = timedelta(minutes=2)


@dataclass
class ExtractStats:
    window_start: datetime
    window_end: datetime
    pages: int = 0
    orders: int = 0
    items: int = 0
    rejected: int = 0
    rejected_keys: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"orders window {self.window_start:%Y-%m-%d %H:%M} .. {self.window_end:%Y-%m-%d %H:%M} UTC:"
            f" {self.pages} pages, {self.orders} orders, {self.items} items, {self.rejected} rejected"
        )


def extraction_window(
    conn: Any,
    account_id: str,
    interval: tuple[datetime, datetime],
    *,
    lookback_days: int,
    now: datetime | None = None,
) -> tuple[datetime, datetime]:
    """The day's interval; on an account's first run, widened back by the onboarding lookback."""
    start, end = interval
    with transaction(conn) as cur:
        first_run = not staging.has_loaded(cur, account_id, STREAM)
    if first_run and lookback_days:
        start = start - timedelta(days=lookback_days)
    end = min(end, (now or datetime.now(UTC)) - _AMAZON_LAG)
    return start, end


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _order_items(caller: SpApiCaller, client: Any, order_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = None
    while True:
        kwargs = {"NextToken": token} if token else {}
        res = caller.call(
            "getOrderItems", client.get_order_items, order_id, client=client, subject=order_id, **kwargs
        )
        items.extend(res.payload.get("OrderItems") or [])
        token = res.payload.get("NextToken")
        if not token:
            return items


def extract_orders(
    conn: Any,
    client: Any,
    caller: SpApiCaller,
    *,
    account_id: str,
    window: tuple[datetime, datetime],
    salt: str = "",
) -> ExtractStats:
    """Load every page of orders (and their items) into staging, one transaction per page."""
    stats = ExtractStats(*window)
    if window[1] <= window[0]:
        log.info("orders window is empty (%s .. %s): nothing to extract", *window)
        return stats
    params = {"LastUpdatedAfter": _iso(window[0]), "LastUpdatedBefore": _iso(window[1])}
    token: str | None = None
    while True:
        kwargs = {"NextToken": token, **params} if token else dict(params)
        res = caller.call("getOrders", client.get_orders, client=client, **kwargs)
        page = res.payload.get("Orders") or []
        orders, items, rejects = [], [], []
        for raw in page:
            try:
                order = parse_order(raw, account_id, salt=salt)
                order_items = [
                    parse_item(item, account_id, order["amazon_order_id"])
                    for item in _order_items(caller, client, order["amazon_order_id"])
                ]
            except RecordError as err:
                rejects.append((err.record_key, str(err), raw))
                continue
            orders.append(order)
            items.extend(order_items)
        with transaction(conn) as cur:
            staging.upsert_orders(cur, account_id, orders, items)
            staging.reject_records(cur, account_id, STREAM, rejects)
        stats.pages += 1
        stats.orders += len(orders)
        stats.items += len(items)
        stats.rejected += len(rejects)
        stats.rejected_keys.extend(key for key, _, _ in rejects)
        for _, reason, _ in rejects:
            log.warning("kept raw in staging.rejected_records: %s", reason)
        log.info(
            "page %d: %d orders (%d total), %s", stats.pages, len(orders), stats.orders, caller.summary()
        )
        token = res.payload.get("NextToken")
        if not token:
            break
    with transaction(conn) as cur:
        staging.record_extract_run(
            cur,
            account_id,
            STREAM,
            window,
            records=stats.orders,
            pages=stats.pages,
            calls=caller.calls["getOrders"] + caller.calls["getOrderItems"],
            throttled=caller.throttled["getOrders"] + caller.throttled["getOrderItems"],
        )
    return stats
