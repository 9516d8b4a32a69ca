"""plan: insert the day's due messages into messaging.outbox (status planned or expired)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from buyer_messaging.warehouse.connection import transaction

SQL_DIR = Path(__file__).with_name("sql")
PLANNED_KINDS = ("review_request",)


def plan_day(
    conn: Any,
    *,
    account_id: str,
    kinds: tuple[str, ...],
    run_day: date,
    day: tuple[datetime, datetime],
    now: datetime | None = None,
    delay_days: int = 0,
) -> Counter[str]:
    """Plan every enabled kind for the run's day; returns counts per 'kind:status'."""
    counts: Counter[str] = Counter()
    params = {
        "account_id": account_id,
        "run_day": run_day,
        "day_start": day[0],
        "day_end": day[1],
        "now": now or datetime.now(UTC),
        "delay_days": delay_days,
    }
    with transaction(conn) as cur:
        for kind in kinds:
            if kind not in PLANNED_KINDS:
                continue
            cur.execute((SQL_DIR / f"{kind}.sql").read_text(), params)
            for (status,) in cur.fetchall():
                counts[f"{kind}:{status}"] += 1
    return counts
