"""Constants shared by the emulator tests (a module of its own: two conftest.py files would clash)."""

from __future__ import annotations

from datetime import UTC, datetime

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
US = "ATVPDKIKX0DER"
