"""The operations panels: data quality, throttling and the send forecast."""

from typing import Any

from fastapi import APIRouter

from buyer_messaging.ui import queries
from buyer_messaging.ui.deps import Account, DayPanel, User, Warehouse, notice_of, readable_accounts

router = APIRouter()


@router.get("/quality")
def quality(p: DayPanel) -> dict[str, Any]:
    """Data-quality verdicts per day and suite (reporting.quality_summary) and pass rates."""
    return p.scope() | queries.quality(p.conn, p.accounts, *p.days)


@router.get("/throttling")
def throttling(p: DayPanel) -> dict[str, Any]:
    """Calls and HTTP 429 answers per stage and operation (reporting.throttling)."""
    return p.scope() | queries.throttling(p.conn, p.accounts, *p.days)


@router.get("/send-forecast")
def send_forecast(user: User, conn: Warehouse, account: Account = None) -> dict[str, Any]:
    """Per account and kind, what the last run left ready and how much of it will expire
    unsent at the current send rate (reporting.send_forecast)."""
    accounts = readable_accounts(user, conn, account)
    return {"accounts": accounts, **notice_of(conn), **queries.send_forecast(conn, accounts)}
