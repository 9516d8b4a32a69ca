"""The accounts list and the messages panels: daily summary and lint violations."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from buyer_messaging.ui import queries
from buyer_messaging.ui.deps import DayPanel, User, Warehouse, notice_of, readable_accounts

router = APIRouter()


@router.get("/accounts")
def list_accounts(user: User, conn: Warehouse) -> dict[str, Any]:
    return {"accounts": readable_accounts(user, conn, None)} | notice_of(conn)


@router.get("/summary")
def summary(p: DayPanel) -> dict[str, Any]:
    """Messages per day, kind and status (reporting.daily_summary), with totals."""
    return p.scope() | queries.summary(p.conn, p.accounts, *p.days)


@router.get("/violations")
def violations(p: DayPanel, limit: Annotated[int, Query(ge=1, le=100)] = 10) -> dict[str, Any]:
    """The lint rules that caught most messages (reporting.lint_violations)."""
    return p.scope() | queries.violations(p.conn, p.accounts, *p.days, limit=limit)
