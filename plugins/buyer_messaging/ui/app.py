"""The dashboard's FastAPI app: one HTML page, its static files and a small JSON API.

Every route needs an authenticated Airflow user, resolved exactly as Airflow's own REST API
does it (``airflow.api_fastapi.core_api.security.get_user``: a ``Authorization: Bearer`` JWT,
else the UI's ``_token`` session cookie, validated by the configured auth manager). On top of
that, an account's data is shown only to users who may read that account's DAG
(``buyer_messaging_<account>``), since the page shows buyers' orders.

The warehouse is read through the Airflow connection ``messaging_warehouse`` with psycopg2,
in a read-only transaction per request.
"""

# no `from __future__ import annotations`: FastAPI must see the route annotations (local aliases)

import html
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from buyer_messaging.redact import scrub_tree
from buyer_messaging.ui import coverage_panels, queries
from buyer_messaging.warehouse.migrate import pending

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
STATIC_FILES = {
    "app.js": "text/javascript",
    "style.css": "text/css",
    "coverage.js": "text/javascript",
}
DEFAULT_DAYS = 30
MAX_DAYS = 400
DAG_ID_PREFIX = "buyer_messaging_"


class LoginRequired(Exception):
    def __init__(self, status_code: int, detail: str) -> None:
        self.status_code, self.detail = status_code, detail


def _default_connect() -> Any:
    from buyer_messaging.warehouse.connection import connect, warehouse_dsn

    return connect(warehouse_dsn(), application_name="buyer-messaging-ui")


def create_app(connect: Callable[[], Any] | None = None) -> FastAPI:
    """The app; ``connect`` returns a new psycopg2 connection (default: ``messaging_warehouse``)."""
    from airflow.api_fastapi.core_api.security import get_user

    connect = connect or _default_connect
    app = FastAPI(
        title="Buyer messaging dashboard",
        description="Messages, lint violations, data quality and throttling per seller account.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    User = Annotated[Any, Depends(get_user)]

    async def page_user(request: Request) -> Any:
        """get_user, but a browser without a session gets a page with a login link, not JSON."""
        from fastapi.security.utils import get_authorization_scheme_param

        scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
        from fastapi.security import HTTPAuthorizationCredentials

        creds = (
            HTTPAuthorizationCredentials(scheme=scheme, credentials=token)
            if scheme and token
            else None
        )
        try:
            return await get_user(request, None, creds)
        except HTTPException as exc:
            raise LoginRequired(exc.status_code, str(exc.detail)) from exc

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> HTMLResponse:
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

    PageUser = Annotated[Any, Depends(page_user)]

    def warehouse() -> Iterator[Any]:
        try:
            conn = connect()
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

    Warehouse = Annotated[Any, Depends(warehouse)]

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

    Days = Annotated[tuple[date, date], Depends(day_range)]
    Account = Annotated[
        str | None, Query(description="seller account id (default: all you may read)")
    ]

    def scope(accounts: list[str], days: tuple[date, date], conn: Any) -> dict[str, Any]:
        found = {"accounts": accounts, "from": days[0].isoformat(), "to": days[1].isoformat()}
        return found | notice_of(conn)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(user: PageUser) -> FileResponse:
        return FileResponse(
            STATIC / "index.html", media_type="text/html", headers={"Cache-Control": "no-store"}
        )

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str, user: PageUser) -> FileResponse:
        if name not in STATIC_FILES:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such file")
        return FileResponse(STATIC / name, media_type=STATIC_FILES[name])

    @app.get("/accounts")
    def list_accounts(user: User, conn: Warehouse) -> dict[str, Any]:
        return {"accounts": readable_accounts(user, conn, None)} | notice_of(conn)

    @app.get("/summary")
    def summary(user: User, conn: Warehouse, days: Days, account: Account = None) -> dict[str, Any]:
        """Messages per day, kind and status (reporting.daily_summary), with totals."""
        accounts = readable_accounts(user, conn, account)
        return scope(accounts, days, conn) | queries.summary(conn, accounts, *days)

    @app.get("/violations")
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

    @app.get("/quality")
    def quality(user: User, conn: Warehouse, days: Days, account: Account = None) -> dict[str, Any]:
        """Data-quality verdicts per day and suite (reporting.quality_summary) and pass rates."""
        accounts = readable_accounts(user, conn, account)
        return scope(accounts, days, conn) | queries.quality(conn, accounts, *days)

    @app.get("/throttling")
    def throttling(
        user: User, conn: Warehouse, days: Days, account: Account = None
    ) -> dict[str, Any]:
        """Calls and HTTP 429 answers per stage and operation (reporting.throttling)."""
        accounts = readable_accounts(user, conn, account)
        return scope(accounts, days, conn) | queries.throttling(conn, accounts, *days)

    @app.get("/send-forecast")
    def send_forecast(user: User, conn: Warehouse, account: Account = None) -> dict[str, Any]:
        """Per account and kind, what the last run left ready and how much of it will expire
        unsent at the current send rate (reporting.send_forecast)."""
        accounts = readable_accounts(user, conn, account)
        return {"accounts": accounts, **notice_of(conn), **queries.send_forecast(conn, accounts)}

    @app.get("/order/{amazon_order_id}")
    def order(
        user: User, conn: Warehouse, amazon_order_id: str, account: Account = None
    ) -> dict[str, Any]:
        """One order's messages (reporting.message_log), outbox rows with attempts and lint
        violations, and per account the explanation of ``buyer_messaging.plan.explain``."""
        accounts = readable_accounts(user, conn, account)
        found = queries.order(conn, accounts, amazon_order_id)
        if isinstance(conn, NotMigrated):
            explain_for = []
        elif account:
            explain_for = [account]
        else:
            explain_for = queries.order_accounts(conn, accounts, amazon_order_id)
        found["accounts"] = accounts
        found["explanations"] = [_explain(conn, a, amazon_order_id) for a in explain_for]
        # error texts and lint excerpts may quote the buyer: never hand them to a browser
        buyer = queries.buyer_values(conn, accounts, amazon_order_id)
        return scrub_tree(found, buyer) | notice_of(conn)

    # --- Coverage, outcomes and open cases (issue #19 item 3): JSON and server-drawn SVG plots,
    # filtered by account, day range, kind and marketplace.
    Kind = Annotated[str | None, Query(description="message kind (default: all)")]
    Marketplace = Annotated[str | None, Query(description="marketplace id (default: all)")]

    @app.get("/coverage")
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

    @app.get("/outcomes")
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

    @app.get("/cases")
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

    @app.get("/plots/{name}.svg", response_class=Response)
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
                queries.coverage(
                    conn, accounts, day_from, day_to, kind=kind, marketplace=marketplace
                )
            )
        elif name == "coverage-by-day":
            image = coverage_panels.coverage_by_day(
                queries.coverage(
                    conn, accounts, day_from, day_to, kind=kind, marketplace=marketplace
                ),
                *days,
            )
        elif name == "outcomes-by-kind":
            image = coverage_panels.outcomes_by_kind(
                queries.outcomes(
                    conn, accounts, day_from, day_to, kind=kind, marketplace=marketplace
                )
            )
        else:
            image = coverage_panels.case_ages(
                queries.open_cases(conn, accounts, marketplace=marketplace)
            )
        return Response(image, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    return app


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


def _explain(conn: Any, account_id: str, amazon_order_id: str) -> dict[str, Any]:
    """``buyer_messaging.plan.explain.explain_order`` for one account; its failure is reported, not raised."""
    try:
        from buyer_messaging.plan.explain import explain_order

        return queries.jsonable(explain_order(conn, account_id, amazon_order_id))
    except Exception as exc:  # noqa: BLE001 - the rest of the answer is still worth showing
        log.exception("buyer-messaging UI: explain failed for %s %s", account_id, amazon_order_id)
        conn.rollback()
        return {
            "account_id": account_id,
            "amazon_order_id": amazon_order_id,
            "error": f"{type(exc).__name__}: {exc}",
        }
