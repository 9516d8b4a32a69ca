"""A warehouse seeded with the rows of ui_seed.py, shared by the dashboard tests of a module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ui_seed import seed


@pytest.fixture(scope="module")
def ui_warehouse(make_database) -> Iterator[str]:
    """A migrated warehouse holding the rows of ui_seed.py (the tests only read it)."""
    from buyer_messaging.warehouse.connection import connect
    from buyer_messaging.warehouse.migrate import migrate

    dsn = make_database("bm_ui")
    conn = connect(dsn)
    migrate(conn)
    conn.close()
    seed(dsn)
    yield dsn
