"""plan: insert the day's due messages into messaging.outbox, set-based, one SQL per kind.

Each kind's SQL (plan/sql/<kind>.sql) selects the orders for which it is due on the run's
day; insert_outbox.sql turns them into rows — planned, skipped by policy, or expired.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from buyer_messaging.policies import (
    PolicyPack,
    ProductInfo,
    Timing,
    load_pack,
    load_product_info,
    load_timing,
)
from buyer_messaging.warehouse.connection import transaction

SQL_DIR = Path(__file__).with_name("sql")
PLANNED_KINDS = (
    "review_request", "shipment_confirmation", "unavailability_notice", "return_confirmation", "product_info",
    "issue_resolution",
)  # fmt: skip


def _sql(kind: str) -> str:
    wrapper = (SQL_DIR / "insert_outbox.sql").read_text()
    insert = wrapper.replace("{candidates}", (SQL_DIR / f"{kind}.sql").read_text())
    # count in the database: a million-order day returns a few rows, not a row per message
    return f"WITH ins AS ({insert}) SELECT status, count(*) FROM ins GROUP BY status"


def plan_day(
    conn: Any,
    *,
    account_id: str,
    kinds: tuple[str, ...],
    run_day: date,
    day: tuple[datetime, datetime],
    now: datetime | None = None,
    pack: PolicyPack | None = None,
    timing: Timing | None = None,
    enabled_despite_policy: tuple[str, ...] = (),
    tz: str = "UTC",
    product_info: ProductInfo | None = None,
    marketplace: str | None = None,
) -> Counter[str]:
    """Plan every enabled kind for the run's day; returns counts per 'kind:status'."""
    timing = timing or load_timing()
    pack = pack or load_pack(timing.default_pack)
    product_info = product_info or load_product_info()
    asins = sorted(product_info.asins)
    counts: Counter[str] = Counter()
    with transaction(conn) as cur:
        for kind in kinds:
            if kind not in PLANNED_KINDS:
                continue
            policy = pack.kinds.get(kind)
            forbidden = None if kind in enabled_despite_policy else pack.forbidding_rule(kind)
            rules = timing.of(kind, marketplace)
            cur.execute(
                _sql(kind),
                {
                    "account_id": account_id,
                    "kind": kind,
                    "channel": policy.channel if policy else "none",
                    "critical": bool(policy and policy.critical),
                    "answers_signal": bool(policy and policy.answers_signal),
                    "forbidden": forbidden,
                    "run_day": run_day,
                    "tz": tz,
                    "day_start": day[0],
                    "day_end": day[1],
                    "now": now or datetime.now(UTC),
                    "delay_days": rules.delay_days,
                    "stale_after_days": rules.stale_after_days or 0,
                    "asins": asins,
                    "asin_delays": [product_info.asins[a].delay_days for a in asins],
                    "override_asins": sorted(rules.by_asin),
                    "override_delays": [rules.by_asin[a].delay_days for a in sorted(rules.by_asin)],
                },
            )
            for status, n in cur.fetchall():
                counts[f"{kind}:{status}"] += n
    return counts
