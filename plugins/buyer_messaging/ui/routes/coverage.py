"""Coverage, outcomes and open cases (issue #19 item 3): JSON and server-drawn SVG plots,
filtered by account, day range, kind and marketplace."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import Response

from buyer_messaging.ui import coverage_panels, queries
from buyer_messaging.ui.deps import (
    Account,
    FilteredPanel,
    Marketplace,
    Panel,
    User,
    Warehouse,
    notice_of,
    readable_accounts,
)

router = APIRouter()


@router.get("/coverage")
def coverage(p: FilteredPanel) -> dict[str, Any]:
    """Candidates per day and kind: eligible, excluded by reason, sent (reporting.coverage)."""
    return p.scope() | _coverage(p)


@router.get("/outcomes")
def outcomes(p: FilteredPanel) -> dict[str, Any]:
    """Feedback within 60 days and returns after the messages sent (reporting.message_outcomes)."""
    return p.scope() | _outcomes(p)


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
def plot(name: str, p: FilteredPanel) -> Response:
    """A panel's plot as SVG (coverage-by-kind, coverage-by-day, outcomes-by-kind, case-ages)."""
    if name not in coverage_panels.PLOTS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such plot")
    if name == "coverage-by-kind":
        image = coverage_panels.coverage_by_kind(_coverage(p))
    elif name == "coverage-by-day":
        image = coverage_panels.coverage_by_day(_coverage(p), *p.days)
    elif name == "outcomes-by-kind":
        image = coverage_panels.outcomes_by_kind(_outcomes(p))
    else:
        image = coverage_panels.case_ages(
            queries.open_cases(p.conn, p.accounts, marketplace=p.marketplace)
        )
    return Response(image, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


def _coverage(p: Panel) -> dict[str, Any]:
    return queries.coverage(p.conn, p.accounts, *p.days, kind=p.kind, marketplace=p.marketplace)


def _outcomes(p: Panel) -> dict[str, Any]:
    return queries.outcomes(p.conn, p.accounts, *p.days, kind=p.kind, marketplace=p.marketplace)
