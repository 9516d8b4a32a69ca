"""The send stage's time box and how many senders it gets.

Amazon caps sending at one message per second per operation (86,400 a day). A seller with more
review requests than that has a queue that never empties: a send stage that runs until the queue
is empty runs past the next day's start, and with `max_active_runs=1` every later run starts
later still. So each run sends until shortly before the next run is due and leaves the rest
`ready`; the next run claims them, earliest deadline first, with its own new rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

# the mapped send task's max_active_tis_per_dagrun (dag_factory): senders running at once
SEND_SLOTS = 4
# one sender already keeps a kind's bucket busy: its two calls per message (actions, then the
# create) take well under a second, and the shared bucket paces it to Amazon's 1/s. A second
# sender only covers a request that hangs; more would queue for the same tokens and hold slots
# other kinds need.
MAX_SENDERS_PER_KIND = 2
# a message's calls: the actions lookup (or the buyer-info token) and the create
CALLS_PER_MESSAGE = 2


def next_run_start(interval: tuple[datetime, datetime], tz: str) -> datetime:
    """When the run after this one is due: one more interval after this one's end, on the local
    wall clock (a daily schedule stays at local midnight across a DST change)."""
    zone = ZoneInfo(tz)
    start, end = (t.astimezone(zone) for t in interval)
    length = end.replace(tzinfo=None) - start.replace(tzinfo=None)
    return (end.replace(tzinfo=None) + length).replace(tzinfo=zone)


def send_deadline(
    interval: tuple[datetime, datetime],
    tz: str,
    *,
    now: datetime,
    margin: timedelta,
    budget: timedelta | None = None,
) -> tuple[datetime, str]:
    """The moment this run's senders stop claiming, and why.

    Default: `margin` before the next run is due (the margin is for what follows the sends: the
    last in-flight requests and the report). `budget` caps it at that long after `now`. A run
    whose successor is already due (a backfill, a test of a past day) gets one interval from now
    minus the margin, as the scheduled run of that day would have had.
    """
    due = next_run_start(interval, tz)
    deadline, why = due - margin, f"next run due {due.isoformat()} minus {margin}"
    if deadline <= now:
        length = interval[1] - interval[0]
        deadline, why = now + length - margin, "late run (its successor is due): one interval"
    if budget is not None and now + budget < deadline:
        deadline, why = now + budget, f"send budget {budget}"
    return deadline, why


def plan_senders(
    pending: dict[str, int],
    *,
    critical: set[str],
    deadline: datetime,
    now: datetime,
    rates: dict[str, float] | None = None,
    slots: int = SEND_SLOTS,
) -> list[dict[str, Any]]:
    """The mapped send tasks: one per kind with ready messages, a second for a kind whose queue
    outlasts the time box at its rate (`rates`, default 1/s), never more than `slots`. Critical kinds first, then the
    smaller queues, so the long-running senders of big queues never keep a critical or a
    short queue waiting for a slot. Each sender claims from its kind's whole queue until it is
    empty or the deadline passes (peers share it through SKIP LOCKED)."""
    seconds = max(0.0, (deadline - now).total_seconds())
    order = sorted(pending, key=lambda k: (k not in critical, pending[k], k))
    senders = {kind: 1 for kind in order if pending[kind] > 0}
    spare = slots - len(senders)
    for kind in reversed(order):  # the biggest queue gets the cover first
        if spare > 0 and kind in senders and pending[kind] > seconds * (rates or {}).get(kind, 1.0):
            senders[kind] = MAX_SENDERS_PER_KIND
            spare -= MAX_SENDERS_PER_KIND - 1
    until = deadline.strftime("%H:%M %Z").strip()
    batches = []
    for kind in order:
        n = senders.get(kind, 0)
        # the last messages claimed before the deadline, one per sender, make their calls (two
        # each, all paced by the kind's shared buckets) before the margin starts, not in it
        rate = (rates or {}).get(kind, 1.0)
        stop = deadline - timedelta(seconds=n * CALLS_PER_MESSAGE / rate)
        for i in range(n):
            batches.append(
                {
                    "kind": kind,
                    "limit": pending[kind],
                    "deadline": stop.isoformat(),
                    "label": f"{kind} {i + 1}/{n} · {pending[kind]} ready · until {until}",
                }
            )
    return batches
