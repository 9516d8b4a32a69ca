"""The report stage: the day's summary line and XCom, and the forecast of what expires unsent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from buyer_messaging import domain
from buyer_messaging.policies import load_pack, load_timing
from buyer_messaging.send import forecast_store as send_forecast
from buyer_messaging.send.forecast import KindForecast, forecast_queue, kind_operations

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor

    from buyer_messaging.config import Account


def forecast_unsent(cur: PgCursor, acc: Account, day: date) -> list[KindForecast]:
    """After the sends: per kind, what is left ready and how much of it will expire unsent at
    the current rate (send/forecast.py), stored for the dashboard."""
    pack = load_pack(acc.policy_pack or load_timing().default_pack)
    now = datetime.now(UTC)
    queue = send_forecast.ready_queue(cur, acc.id, now)
    ops = kind_operations(pack, [k for k in queue if k in pack.kinds])
    stored = send_forecast.stored_rates(cur, acc.id, sorted({o for v in ops.values() for o in v}))
    forecast = forecast_queue({k: queue[k] for k in ops}, ops, stored, now=now)
    for f in forecast:
        send_forecast.store(
            cur, acc.id, f.kind, computed_at=now, run_day=day,
            ready=f.ready, expiring_unsent=f.expiring_unsent, rate=f.rate,
        )  # fmt: skip
    return forecast


# statuses only a send (or send_batches' expiry) sets: a dry run never produces them
DELIVERY_STATUSES = frozenset(domain.DELIVERY_STATUSES)


def day_report(rows: list[tuple[str, str, int]], *, dry_run: bool) -> tuple[str, dict[str, Any]]:
    """The report task's log line and XCom from the day's (kind, status, count) rows.

    A dry run sends nothing, so the day's sent (or failed, expired) messages are from earlier
    runs and are reported as such, apart from what the dry run planned and prepared.
    """

    def listed(part: list[tuple[str, str, int]]) -> str:
        return ", ".join(f"{k} {s}={n}" for k, s, n in part)

    def totals(part: list[tuple[str, str, int]]) -> dict[str, int]:
        found: dict[str, int] = {}
        for _, status, n in part:
            found[status] = found.get(status, 0) + n
        return found

    if not dry_run:
        return listed(rows) or "no messages planned for this day", totals(rows)
    earlier = [r for r in rows if r[1] in DELIVERY_STATUSES]
    prepared = [r for r in rows if r[1] not in DELIVERY_STATUSES]
    message = "dry run: nothing sent by this run; planned and prepared, not sent: " + (
        listed(prepared) or "nothing"
    )
    if earlier:
        message += f"; from earlier runs of this day: {listed(earlier)}"
    return message, {"dry_run": True, **totals(prepared), "earlier": totals(earlier)}
