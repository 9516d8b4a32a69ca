"""What every dashboard route depends on: the Airflow user, the warehouse connection of the
request, the accounts the user may read, the day range and the shared query parameters.

The user is resolved exactly as Airflow's own REST API does it
(``airflow.api_fastapi.core_api.security.get_user``: a ``Authorization: Bearer`` JWT, else the
UI's ``_token`` session cookie, validated by the configured auth manager). An account's data is
shown only to users who may read that account's DAG (``buyer_messaging_<account>``), since the
page shows buyers' orders. Imported by `app.create_app` only, so Airflow's API modules load
when the app is built, not when the plugin is.
"""

# no `from __future__ import annotations`: FastAPI must see the annotations of the dependencies

import html
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from airflow.api_fastapi.core_api.security import get_user
from fastapi import Depends, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse

from buyer_messaging.ui import queries
from buyer_messaging.warehouse.migrate import pending

log = logging.getLogger(__name__)

DEFAULT_DAYS = 30
MAX_DAYS = 400
DAG_ID_PREFIX = "buyer_messaging_"


class LoginRequired(Exception):
    def __init__(self, status_code: int, detail: str) -> None:
        self.status_code, self.detail = status_code, detail


async def page_user(request: Request) -> Any:
    """get_user, but a browser without a session gets a page with a login link, not JSON."""
    from fastapi.security import HTTPAuthorizationCredentials
    from fastapi.security.utils import get_authorization_scheme_param

    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    creds = (
        HTTPAuthorizationCredentials(scheme=scheme, credentials=token) if scheme and token else None
    )
    try:
        return await get_user(request, None, creds)
    except HTTPException as exc:
        raise LoginRequired(exc.status_code, str(exc.detail)) from exc


async def login_required(request: Request, exc: LoginRequired) -> HTMLResponse:
    """The handler of `LoginRequired`: a page with a link to Airflow's login."""
    try:
        from airflow.api_fastapi.app import get_auth_manager

        login = get_auth_manager().get_url_login(next_url=str(request.url))
    except Exception:  # noqa: BLE001 - a link is a courtesy
        login = "/"
    body = (
        "<!doctype html><title>Buyer messaging: log in</title>"
        f"<p>{html.escape(exc.detail)}: this page shows buyers' orders and needs an Airflow login."
        f' <a href="{html.escape(login)}" target="_top">Log in to Airflow</a></p>'
    )
    return HTMLResponse(body, status_code=exc.status_code)


def warehouse(request: Request) -> Iterator[Any]:
    """A read-only connection for one request, from the app's ``state.connect``."""
    try:
        conn = request.app.state.connect()
    except Exception as exc:
        log.exception("buyer-messaging UI: cannot connect to the warehouse")
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"cannot reach the warehouse (Airflow connection messaging_warehouse): {type(exc).__name__}",
        ) from exc
    try:
        conn.set_session(readonly=True)
        with conn.cursor() as cur:
            cur.execute("SET statement_timeout = '20s'")
        missing = pending(conn)
        # before the first DAG run the tables do not exist yet: an empty page that says
        # why, not a 500 (the dashboard is read-only and never migrates)
        yield NotMigrated(missing) if missing else conn
    finally:
        conn.rollback()
        conn.close()


def readable_accounts(user: Any, conn: Any, account: str | None) -> list[str]:
    """The accounts the user may read: ``account`` alone, or every account with data."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagDetails

    manager = get_auth_manager()

    def may_read(account_id: str) -> bool:
        return manager.is_authorized_dag(
            method="GET", user=user, details=DagDetails(id=f"{DAG_ID_PREFIX}{account_id}")
        )

    if account:
        if not may_read(account):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"you may not read the DAG {DAG_ID_PREFIX}{account}"
            )
        return [account]
    return [a for a in queries.accounts(conn) if may_read(a)]


def day_range(
    day_from: Annotated[date | None, Query(alias="from")] = None,
    day_to: Annotated[date | None, Query(alias="to")] = None,
) -> tuple[date, date]:
    day_to = day_to or datetime.now(UTC).date()
    day_from = day_from or day_to - timedelta(days=DEFAULT_DAYS - 1)
    if day_from > day_to:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "`from` is after `to`")
    if (day_to - day_from).days >= MAX_DAYS:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"at most {MAX_DAYS} days at once"
        )
    return day_from, day_to


User = Annotated[Any, Depends(get_user)]
PageUser = Annotated[Any, Depends(page_user)]
Warehouse = Annotated[Any, Depends(warehouse)]
Days = Annotated[tuple[date, date], Depends(day_range)]
Account = Annotated[str | None, Query(description="seller account id (default: all you may read)")]
Kind = Annotated[str | None, Query(description="message kind (default: all)")]
Marketplace = Annotated[str | None, Query(description="marketplace id (default: all)")]


def scope(accounts: list[str], days: tuple[date, date], conn: Any) -> dict[str, Any]:
    found = {"accounts": accounts, "from": days[0].isoformat(), "to": days[1].isoformat()}
    return found | notice_of(conn)


@dataclass(frozen=True)
class Panel:
    """What a panel over a day range reads: the request's connection, the accounts the user
    may read (the one asked for, else all), the days, and the kind and marketplace filters
    where the route takes them."""

    conn: Any
    accounts: list[str]
    days: tuple[date, date]
    kind: str | None = None
    marketplace: str | None = None

    def scope(self) -> dict[str, Any]:
        """The part of every panel's answer that says what it covers."""
        return scope(self.accounts, self.days, self.conn)


def panel(user: User, conn: Warehouse, days: Days, account: Account = None) -> Panel:
    return Panel(conn, readable_accounts(user, conn, account), days)


def filtered_panel(
    found: Annotated[Panel, Depends(panel)], kind: Kind = None, marketplace: Marketplace = None
) -> Panel:
    return Panel(found.conn, found.accounts, found.days, kind, marketplace)


# FastAPI resolves a dependency once per request, so a route that also takes `conn: Warehouse`
# gets the panel's own connection.
DayPanel = Annotated[Panel, Depends(panel)]
FilteredPanel = Annotated[Panel, Depends(filtered_panel)]


class NotMigrated:
    """Stands in for the connection to a warehouse whose tables are not all there yet: every
    query answers no rows, so every route keeps its usual shape, empty, plus a notice."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing

    def cursor(self) -> "_NoRows":
        return _NoRows()

    def rollback(self) -> None:
        pass

    @property
    def notice(self) -> str:
        return (
            "The warehouse has no data yet: it lacks the migrations "
            f"{', '.join(self.missing)}. The first task of every buyer_messaging_<account> DAG"
            " (migrate_warehouse) applies them, so trigger a DAG once, or run"
            " `buyer-messaging migrate`."
        )


class _NoRows:
    description: list[Any] = []

    def __enter__(self) -> "_NoRows":
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def execute(self, sql: str, params: Any = None) -> None:
        pass

    def fetchall(self) -> list[Any]:
        return []

    def fetchone(self) -> None:
        return None


def notice_of(conn: Any) -> dict[str, str]:
    return {"notice": conn.notice} if isinstance(conn, NotMigrated) else {}
