"""extract_orders: every order whose LastUpdateDate falls in the window, with its items."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from buyer_messaging.extract import store as staging
from buyer_messaging.extract.order_pages import STREAM, ExtractStats
from buyer_messaging.extract.source import V0OrderSource, load_orders
from buyer_messaging.extract.watermark import resume_start
from buyer_messaging.warehouse.connection import transaction

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection
    from sp_api.base import Client

    from buyer_messaging.spapi.calls import SpApiCaller

log = logging.getLogger(__name__)

# Amazon rejects LastUpdatedBefore later than two minutes before now.
_AMAZON_LAG = timedelta(minutes=2)


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
    source = V0OrderSource(client, caller, account_id=account_id, salt=salt)
    return load_orders(conn, source, caller, account_id=account_id, window=window)
