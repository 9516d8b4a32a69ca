"""Where an extraction window starts: at the stream's watermark, so consecutive runs leave no gap.

Amazon answers only up to two minutes before now, so a run that starts inside that lag (the
daily DAG fires at local midnight) queries its day up to a clipped end, and
`staging.extract_runs` records that clipped window. The next window starts where the last one
really ended, not at its data interval's nominal start. The watermark is read as seen from the
interval's start (runs that began at or before it): a re-run of a day, or a backfill of an old
day that later runs have covered since, finds the seconds before its interval queried already
and keeps its own interval, and upserts keep staging identical.

A watermark further back than the account's onboarding lookback (an account paused for
months) is not followed all the way: the window reaches back as far as onboarding would (a day
at least, so a daily run's lag is always caught up), and the stretch left unqueried is logged.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from buyer_messaging.extract import store as staging

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor

log = logging.getLogger(__name__)


def resume_start(
    cur: PgCursor, account_id: str, stream: str, start: datetime, *, lookback_days: int
) -> datetime:
    """`start`, moved back to the watermark when the runs before it stopped short of it."""
    reach = timedelta(days=max(lookback_days, 1))
    until = staging.queried_until(cur, account_id, stream, start)
    if until is None or until >= start:
        return start
    resumed = max(until, start - reach)
    if resumed > until:
        log.warning(
            "%s %s: last queried up to %s, more than %s before %s; this run starts at %s and"
            " leaves %s .. %s unqueried (backfill those days to extract them)",
            account_id, stream, until, reach, start, resumed, until, resumed,
        )  # fmt: skip
    else:
        log.info(
            "%s %s: the last run ended at %s, %s before this interval: the window starts there",
            account_id, stream, until, start - until,
        )  # fmt: skip
    return resumed
