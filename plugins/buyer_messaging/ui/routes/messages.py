"""The accounts list and the messages panels: daily summary and lint violations."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from buyer_messaging.ui import queries
from buyer_messaging.ui.deps import (
    Account,
    Days,
    User,
    Warehouse,
    notice_of,
    readable_accounts,
    scope,
)

router = APIRouter()


@router.get("/accounts")
def list_accounts(user: User, conn: Warehouse) -> dict[str, Any]:
    return {"accounts": readable_accounts(user, conn, None)} | notice_of(conn)


@router.get("/summary")
def summary(user: User, conn: Warehouse, days: Days, account: Account = None) -> dict[str, Any]:
    """Messages per day, kind and status (reporting.daily_summary), with totals."""
    accounts = readable_accounts(user, conn, account)
    return scope(accounts, days, conn) | queries.summary(conn, accounts, *days)


@router.get("/violations")
def violations(
    user: User,
    conn: Warehouse,
    days: Days,
    account: Account = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    """The lint rules that caught most messages (reporting.lint_violations)."""
    accounts = readable_accounts(user, conn, account)
    return scope(accounts, days, conn) | queries.violations(conn, accounts, *days, limit=limit)
