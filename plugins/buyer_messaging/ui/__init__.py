"""The "Buyer messaging" dashboard inside the Airflow UI: a FastAPI app the API server mounts.

Importing this package is cheap (no FastAPI, no Airflow): every Airflow component imports the
plugin file, only the API server ever serves a request, and the app is built on that first one.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

URL_PREFIX = "/buyer-messaging"


class LazyApp:
    """An ASGI app that builds the real one (``buyer_messaging.ui.app.create_app``) when first called."""

    def __init__(self) -> None:
        self._app: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    from buyer_messaging.ui.app import create_app

                    self._app = create_app()
        return self._app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":  # the real app has no start-up work
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await self._get()(scope, receive, send)

    def __repr__(self) -> str:
        return "buyer_messaging.ui.app:create_app (built on first request)"


app = LazyApp()
