"""Airflow Assets for the reporting tables: downstream DAGs can be scheduled on them."""

from __future__ import annotations

from typing import Any

REPORTING = ("message_log", "daily_summary")


def reporting_assets() -> list[Any]:
    from airflow.sdk import Asset

    return [
        Asset(name=f"reporting.{name}", uri=f"warehouse://messaging_warehouse/reporting/{name}")
        for name in REPORTING
    ]
