"""plan: insert the day's due messages into messaging.outbox, set-based, one SQL per kind.

Each kind's SQL (plan/sql/<kind>.sql) selects the orders for which it is due on the run's
day; decide.sql says what each becomes (planned, skipped by policy, exclusion or suppression,
or expired) and insert_outbox.sql records it. `buyer-messaging explain` runs the same
statements for one order (`candidates`, `decide`), so it cannot disagree with the plan.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from buyer_messaging.domain import KIND_NAMES
from buyer_messaging.domain import kind as declared_kind
from buyer_messaging.experiments.policy import AbTests, load_ab_tests
from buyer_messaging.policies import (
    Exclusions,
    PolicyPack,
    ProductInfo,
    Timing,
    load_exclusions,
    load_pack,
    load_product_info,
    load_timing,
)
from buyer_messaging.warehouse.connection import transaction

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection

SQL_DIR = Path(__file__).with_name("sql")
PLANNED_KINDS = KIND_NAMES


@lru_cache(maxsize=32)
def _read(name: str) -> str:
    return (SQL_DIR / name).read_text()


def candidates_sql(kind: str) -> str:
    """The kind's own selection (marketplace_id, amazon_order_id, event, send_after, send_before, excluded)."""
    return _read(f"{kind}.sql")


def decide_sql(kind: str) -> str:
    return _read("decide.sql").replace("{candidates}", candidates_sql(kind))


def _insert_sql(kind: str) -> str:
    insert = _read("insert_outbox.sql").replace("{decide}", decide_sql(kind))
    # count in the database: a million-order day returns a few rows, not a row per message
    return f"WITH ins AS ({insert}) SELECT status, count(*) FROM ins GROUP BY status"


def kind_params(
    kind: str,
    *,
    account_id: str,
    run_day: date,
    day: tuple[datetime, datetime],
    now: datetime,
    pack: PolicyPack,
    timing: Timing,
    product_info: ProductInfo,
    enabled_despite_policy: tuple[str, ...] = (),
    tz: str = "UTC",
    marketplace: str | None = None,
    order_id: str | None = None,
    proactive_taken: bool = False,
    exclusions: Exclusions | None = None,
    ab_tests: AbTests | None = None,
    send_hour: int | None = None,
) -> dict[str, Any]:
    """Every parameter a kind's statements take, for the planner and for explain alike."""
    policy = pack.kinds.get(kind)
    rules = timing.of(kind, marketplace)
    asins = sorted(product_info.asins)
    excluding = (exclusions or load_exclusions()).params(kind)
    critical = bool(policy and policy.critical)
    return {
        "account_id": account_id,
        "kind": kind,
        "channel": policy.channel if policy else "none",
        "critical": critical,
        # what an order known only from the all-orders report lacks (the buyer, LatestShipDate)
        # is read by this kind's rules: it waits for the listing (decide.sql)
        "needs_listing": not critical
        or bool(excluding["excl_repeat_days"])
        or bool(excluding["excl_late"]),
        "answers_signal": bool(policy and policy.answers_signal),
        "forbidden": None if kind in enabled_despite_policy else pack.forbidding_rule(kind),
        "run_day": run_day,
        "tz": tz,
        "day_start": day[0],
        "day_end": day[1],
        "now": now,
        "delay_days": rules.delay_days,
        "stale_after_days": rules.stale_after_days or 0,
        "asins": asins,
        "asin_delays": [product_info.asins[a].delay_days for a in asins],
        "override_asins": sorted(rules.by_asin),
        "override_delays": [rules.by_asin[a].delay_days for a in sorted(rules.by_asin)],
        "order_id": order_id,
        "proactive_taken": proactive_taken,
        "send_hour": send_hour,
        **excluding,
        **(ab_tests or load_ab_tests()).params(account_id, kind),
    }


def plan_day(
    conn: PgConnection,
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
    exclusions: Exclusions | None = None,
    ab_tests: AbTests | None = None,
    send_hour: int | None = None,
) -> Counter[str]:
    """Plan every enabled kind for the run's day; returns counts per 'kind:status'."""
    timing = timing or load_timing()
    pack = pack or load_pack(timing.default_pack)
    product_info = product_info or load_product_info()
    for kind in kinds:
        declared_kind(kind)  # an unknown kind is an error naming it, never a quiet skip
    counts: Counter[str] = Counter()
    with transaction(conn) as cur:
        for kind in kinds:
            params = kind_params(
                kind, account_id=account_id, run_day=run_day, day=day, now=now or datetime.now(UTC),
                pack=pack, timing=timing, product_info=product_info,
                enabled_despite_policy=enabled_despite_policy, tz=tz, marketplace=marketplace,
                exclusions=exclusions, ab_tests=ab_tests, send_hour=send_hour,
            )  # fmt: skip
            cur.execute(_insert_sql(kind), params)
            for status, n in cur.fetchall():
                counts[f"{kind}:{status}"] += n
    return counts
