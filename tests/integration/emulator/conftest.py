"""Fixtures for the emulator's own tests: servers with a fixed clock, an admin client."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
from emulator_helpers import NOW

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def make_server() -> Iterator[object]:
    from spapi_emulator.server import EmulatorServer

    servers: list[EmulatorServer] = []

    def make(**kwargs: object) -> EmulatorServer:
        kwargs.setdefault("seed", 3)
        kwargs.setdefault("orders_per_day", 30)
        kwargs.setdefault("now", NOW)
        server = EmulatorServer(host="127.0.0.1", port=0, **kwargs).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def admin() -> Iterator[object]:
    """admin(srv) -> an httpx client on the server's base URL (no proxies)."""
    clients: list[httpx.Client] = []

    def make(server: object) -> httpx.Client:
        client = httpx.Client(base_url=server.url, trust_env=False, timeout=30)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
