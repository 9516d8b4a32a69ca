"""How many messages expire unsent at a given send rate: earliest-deadline-first on one server.

Amazon lets an account send one message per operation per `1/rate` seconds: the send stage is a
single server with unit jobs. For unit jobs EDF that drops a job the moment it can no longer
make its deadline sends the most jobs on time (an exchange argument: any on-time schedule can
be reordered by deadline without making a job late), so the count EDF lets expire is the
minimum Amazon's rate allows. Two uses:

- `forecast_expiring`: the queue as it stands (all released now), at the account's current
  rate: the send summary and the dashboard's forecast.
- `minimum_expired`: a stream of arrivals (release, deadline), served continuously at the rate:
  the offline floor the benchmark compares a simulated week against.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


def forecast_expiring(
    deadlines: Iterable[tuple[datetime, int]], *, now: datetime, rate: float
) -> int:
    """Messages of `deadlines` ((send_before, count), any order) that expire unsent if sending
    starts at `now` and goes on at `rate` per second without pause, deadline first."""
    if rate <= 0:
        raise ValueError(f"rate must be positive, got {rate!r}")
    sent = expired = 0
    for deadline, count in sorted(deadlines):
        # sends at now, now + 1/rate, ... strictly before this deadline
        seconds = (deadline - now).total_seconds()
        room = math.ceil(seconds * rate) if seconds > 0 else 0
        fits = max(0, min(count, room - sent))
        sent += fits
        expired += count - fits
    return expired


def minimum_expired(
    jobs: Iterable[tuple[float, float]],
    *,
    rate: float,
    start: float = 0.0,
    until: float | None = None,
) -> tuple[int, int]:
    """(expired, sent) for unit jobs (release, deadline) in seconds, one send every 1/rate from
    `start`, EDF, a job dropped once its deadline has passed. With `until`, only jobs whose
    deadline is at most `until` are counted as expired, and sending stops there."""
    if rate <= 0:
        raise ValueError(f"rate must be positive, got {rate!r}")
    step = 1.0 / rate
    pending = sorted(jobs)
    ready: list[float] = []
    t = start
    i = expired = sent = 0
    end = math.inf if until is None else until
    while t < end and (i < len(pending) or ready):
        if not ready and i < len(pending) and pending[i][0] > t:
            t = pending[i][0]  # idle until the next arrival
            continue
        while i < len(pending) and pending[i][0] <= t:
            heapq.heappush(ready, pending[i][1])
            i += 1
        while ready and ready[0] <= t:  # window closed while waiting
            heapq.heappop(ready)
            expired += 1
        if ready:
            heapq.heappop(ready)
            sent += 1
            t += step
    if until is not None:
        # what is still waiting or never released by `until` expires only if its window closed
        expired += sum(1 for d in ready if d <= until)
        expired += sum(1 for r, d in pending[i:] if d <= until)
    return expired, sent


# the operations one message of a channel takes, each with its own bucket: the slowest paces it
CHANNEL_OPERATIONS: dict[str, tuple[str, ...]] = {
    "solicitations": (
        "getSolicitationActionsForOrder",
        "createProductReviewAndSellerFeedbackSolicitation",
    ),
    "messaging": ("getMessagingActionsForOrder",),  # plus the kind's own create operation
    "email_relay": ("createRestrictedDataToken", "getOrderBuyerInfo"),
}


def send_rate(operations: Iterable[str], stored: dict[str, float]) -> float:
    """Messages per second a kind can go at: its slowest operation's rate, the stored bucket's
    when there is one (Amazon's header overrides the plan), else Amazon's published plan."""
    from buyer_messaging.spapi.limits import usage_plan

    return min(stored.get(op, usage_plan(op)[0]) for op in operations)


@dataclass(frozen=True)
class KindForecast:
    kind: str
    ready: int
    expiring_unsent: int
    rate: float


def forecast_queue(
    queue: dict[str, list[tuple[datetime | None, int]]],
    operations: dict[str, tuple[str, ...]],
    stored: dict[str, float],
    *,
    now: datetime,
) -> list[KindForecast]:
    """Per kind of `queue` ((send_before, count) groups; None = no deadline), the messages that
    expire unsent if the kind sends from `now` at its current rate without pause. Each kind has
    its own operations and so its own buckets (the Messaging kinds share the actions lookup:
    this errs towards fewer expiring)."""
    out = []
    for kind, groups in sorted(queue.items()):
        rate = send_rate(operations[kind], stored)
        dated = [(due, n) for due, n in groups if due is not None]
        out.append(
            KindForecast(
                kind,
                ready=sum(n for _, n in groups),
                expiring_unsent=forecast_expiring(dated, now=now, rate=rate),
                rate=rate,
            )
        )
    return out


def kind_operations(pack: Any, kinds: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The SP-API operations one message of each kind takes under the policy `pack`."""
    out = {}
    for kind in kinds:
        policy = pack.kinds[kind]
        ops = CHANNEL_OPERATIONS[policy.channel]
        if policy.channel == "messaging":
            ops = (*ops, policy.message_type or "createUnexpectedProblem")
        out[kind] = ops
    return out
