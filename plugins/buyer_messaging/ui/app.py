"""The dashboard's FastAPI app: one HTML page, its static files and a small JSON API.

Every route needs an authenticated Airflow user and shows an account only to users who may
read its DAG (`deps.py`). The routes are an APIRouter per panel in `routes/`. The warehouse
is read through the Airflow connection ``messaging_warehouse`` with psycopg2, in a read-only
transaction per request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse


def _default_connect() -> Any:
    from buyer_messaging.warehouse.connection import connect, warehouse_dsn

    return connect(warehouse_dsn(), application_name="buyer-messaging-ui")


def create_app(connect: Callable[[], Any] | None = None) -> FastAPI:
    """The app; ``connect`` returns a new psycopg2 connection (default: ``messaging_warehouse``)."""
    # Airflow's API modules load when the app is built, not when the plugin is imported
    from buyer_messaging.ui.deps import LoginRequired, login_required
    from buyer_messaging.ui.routes import coverage, messages, operations, order, page

    app = FastAPI(
        title="Buyer messaging dashboard",
        description="Messages, lint violations, data quality and throttling per seller account.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.connect = connect or _default_connect
    for routes in (page, messages, operations, order, coverage):
        app.include_router(routes.router)
    app.exception_handler(LoginRequired)(login_required)
    app.exception_handler(HTTPException)(_http_error)
    return app


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
