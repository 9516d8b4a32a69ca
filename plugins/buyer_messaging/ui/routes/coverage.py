"""Coverage, outcomes and open cases (issue #19 item 3): JSON and server-drawn SVG plots,
filtered by account, day range, kind and marketplace."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import Response

from buyer_messaging.ui import coverage_panels, queries
from buyer_messaging.ui.deps import (
    Account,
    Days,
    Kind,
    Marketplace,
    User,
    Warehouse,
    notice_of,
    readable_accounts,
    scope,
)

router = APIRouter()


@router.get("/coverage")
def coverage(
    user: User,
    conn: Warehouse,
    days: Days,
    account: Account = None,
    kind: Kind = None,
    marketplace: Marketplace = None,
) -> dict[str, Any]:
    """Candidates per day and kind: eligible, excluded by reason, sent (reporting.coverage)."""
    accounts = readable_accounts(user, conn, account)
    return scope(accounts, days, conn) | queries.coverage(
        conn, accounts, *days, kind=kind, marketplace=marketplace
    )


@router.get("/outcomes")
def outcomes(
    user: User,
    conn: Warehouse,
    days: Days,
    account: Account = None,
    kind: Kind = None,
    marketplace: Marketplace = None,
) -> dict[str, Any]:
    """Feedback within 60 days and returns after the messages sent (reporting.message_outcomes)."""
    accounts = readable_accounts(user, conn, account)
    return scope(accounts, days, conn) | queries.outcomes(
        conn, accounts, *days, kind=kind, marketplace=marketplace
    )


@router.get("/cases")
def cases(
    user: User,
    conn: Warehouse,
    account: Account = None,
    marketplace: Marketplace = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Open issue-resolution cases with their age, oldest first (reporting.open_cases)."""
    accounts = readable_accounts(user, conn, account)
    found = queries.open_cases(conn, accounts, marketplace=marketplace, limit=limit)
    return {"accounts": accounts} | found | notice_of(conn)


@router.get("/plots/{name}.svg", response_class=Response)
def plot(
    name: str,
    user: User,
    conn: Warehouse,
    days: Days,
    account: Account = None,
    kind: Kind = None,
    marketplace: Marketplace = None,
) -> Response:
    """A panel's plot as SVG (coverage-by-kind, coverage-by-day, outcomes-by-kind, case-ages)."""
    if name not in coverage_panels.PLOTS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such plot")
    accounts = readable_accounts(user, conn, account)
    day_from, day_to = days
    if name == "coverage-by-kind":
        image = coverage_panels.coverage_by_kind(
            queries.coverage(conn, accounts, day_from, day_to, kind=kind, marketplace=marketplace)
        )
    elif name == "coverage-by-day":
        image = coverage_panels.coverage_by_day(
            queries.coverage(conn, accounts, day_from, day_to, kind=kind, marketplace=marketplace),
            *days,
        )
    elif name == "outcomes-by-kind":
        image = coverage_panels.outcomes_by_kind(
            queries.outcomes(conn, accounts, day_from, day_to, kind=kind, marketplace=marketplace)
        )
    else:
        image = coverage_panels.case_ages(
            queries.open_cases(conn, accounts, marketplace=marketplace)
        )
    return Response(image, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
