"""Airflow Assets for the reporting tables: downstream DAGs can be scheduled on them."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

REPORTING = ("message_log", "daily_summary")


@lru_cache(maxsize=1)
def _assets() -> tuple[Any, ...]:
    from airflow.sdk import Asset

    # named, without a URI scheme: a scheme makes Airflow load every provider's URI
    # normaliser at parse time (~0.1-0.3 s per DAG file)
    return tuple(Asset(name=f"reporting.{name}") for name in REPORTING)


def reporting_assets() -> list[Any]:
    return list(_assets())
