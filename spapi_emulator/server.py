"""The HTTP server around `Emulator`: stdlib only, one thread per connection."""

from __future__ import annotations

import socket
import struct
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import auth
from .app import Emulator, Response
from .faults import LOSS_HEADER


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects of Amazon
    server_version = "spapi-emulator"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every keep-alive request
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        emulator: Emulator = self.server.emulator  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        # Headers only: python-amazon-sp-api sends a bogus Host, so it is never looked at.
        try:
            response = emulator.handle(self.command, self.path, dict(self.headers.items()), body)
        except Exception as exc:  # a bug in the emulator must still answer like Amazon would
            response = Response.json(
                500,
                {
                    "errors": [
                        {
                            "code": "InternalFailure",
                            "message": "We encountered an internal error. Please try again.",
                            "details": f"{type(exc).__name__}: {exc}",
                        }
                    ]
                },
            )
        delay = response.headers.pop("X-Emulator-Delay", None)
        if delay:
            threading.Event().wait(float(delay))
        lose = response.headers.pop(LOSS_HEADER, None)
        if lose == "reset":  # processed, then the connection dies: the client reads a reset
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if lose:  # processed, then answered after the client gave up waiting
            threading.Event().wait(float(lose.split(":", 1)[1]))
            self.close_connection = True
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the emulator logs one line per request itself, when asked to


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class EmulatorServer:
    """A running SP-API + LWA emulator on `url`; also a context manager."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 1,
        orders_per_day: int = 50,
        time_scale: float = 1.0,
        faults: dict | str | Path | None = None,
        now: datetime | None = None,
        *,
        marketplaces: list[str] | tuple[str, ...] | str | None = None,
        items_page_size: int = 100,
        token_lifetime_s: float = 3600.0,
        log_requests: bool = False,
        returns_format: str = "amazon",
        refresh_token: str | None = None,
        showcase: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.emulator = Emulator(
            seed=seed,
            orders_per_day=orders_per_day,
            time_scale=time_scale,
            faults=str(faults) if isinstance(faults, Path) else faults,
            now=now,
            marketplaces=marketplaces,
            items_page_size=items_page_size,
            token_lifetime_s=token_lifetime_s,
            log_requests=log_requests,
            refresh_token=refresh_token or auth.DEFAULT_REFRESH_TOKEN,
            returns_format=returns_format,
            showcase=showcase,
        )
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the emulator is not started")
        return f"http://{self.host}:{self.port}"

    def start(self) -> EmulatorServer:
        if self._httpd is not None:
            return self
        self._httpd = _Server((self.host, self.port), _Handler)
        self._httpd.emulator = self.emulator  # type: ignore[attr-defined]
        self.port = self._httpd.server_address[1]
        self.emulator.base_url = self.url
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"spapi-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI)."""
        if self._httpd is None:
            self._httpd = _Server((self.host, self.port), _Handler)
            self._httpd.emulator = self.emulator  # type: ignore[attr-defined]
            self.port = self._httpd.server_address[1]
            self.emulator.base_url = self.url
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        if self._httpd is None:
            return
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()
        self._httpd = None
        self._thread = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
