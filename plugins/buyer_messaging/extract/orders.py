"""extract_orders: every order whose LastUpdateDate falls in the window, with its items."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from buyer_messaging.extract.watermark import resume_start
from buyer_messaging.spapi.calls import SpApiCaller
from buyer_messaging.warehouse import staging
from buyer_messaging.warehouse.connection import transaction

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection
    from sp_api.base import Client

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
    rejected_fields: Counter[str] = field(default_factory=Counter)  # field -> records rejected
    items_source: str = "with the orders"  # or "orders_api", "report", "none" (extract.items)
    items_orders: int = 0  # orders whose items were fetched apart from them

    def summary(self) -> str:
        fields = ", ".join(f"{name} {n}" for name, n in self.rejected_fields.most_common(5))
        more = ", …" if len(self.rejected_fields) > 5 else ""
        return (
            f"orders window {self.window_start:%Y-%m-%d %H:%M} .. {self.window_end:%Y-%m-%d %H:%M} UTC:"
            f" {self.pages} pages, {self.orders} orders, {self.items} items"
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
        )


def extraction_window(
    conn: PgConnection,
    account_id: str,
    interval: tuple[datetime, datetime],
    *,
    lookback_days: int,
    now: datetime | None = None,
) -> tuple[datetime, datetime]:
    """The day's interval, from where the previous run really ended (`extract.watermark`), up
    to two minutes before now; on an account's first run, widened back by the onboarding
    lookback."""
    start, end = interval
    with transaction(conn) as cur:
        first_run = not staging.has_loaded(cur, account_id, STREAM)
        if not first_run:
            start = resume_start(cur, account_id, STREAM, start, lookback_days=lookback_days)
    if first_run and lookback_days:
        start = start - timedelta(days=lookback_days)
    end = min(end, (now or datetime.now(UTC)) - _AMAZON_LAG)
    return start, end


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _order_items(caller: SpApiCaller, client: Client, order_id: str) -> list[dict[str, Any]]:
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
            from buyer_messaging.extract.parse import RecordError
            from buyer_messaging.extract.records import short

            raise RecordError(order_id, "OrderItems", f"not a JSON array but {short(page)}")
        items.extend(page)
        token = res.payload.get("NextToken")
        if not token:
            return items


def extract_orders(
    conn: PgConnection,
    client: Client,
    caller: SpApiCaller,
    *,
    account_id: str,
    window: tuple[datetime, datetime],
    salt: str = "",
) -> ExtractStats:
    """Orders API v0 into staging, one transaction per page (`source.load_orders` over a
    `V0OrderSource`; kept for callers that hold an OrdersV0 client)."""
    from buyer_messaging.extract.source import V0OrderSource, load_orders

    source = V0OrderSource(client, caller, account_id=account_id, salt=salt)
    return load_orders(conn, source, caller, account_id=account_id, window=window)
