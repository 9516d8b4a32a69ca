"""Token buckets that pace calls at Amazon's rate and burst, learning the live rate."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any


class TokenBucket:
    """Thread-safe token bucket. `acquire` blocks until a token is available."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"rate must be > 0 and burst >= 1 (got {rate}, {burst})")
        self.rate = float(rate)
        self.burst = int(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._stamp = clock()
        self._lock = threading.Lock()
        self._paused_until = 0.0

    def _refill(self, now: float) -> None:
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def acquire(self) -> float:
        """Take one token, waiting as needed; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._refill(now)
                pause = self._paused_until - now
                if pause <= 0 and self._tokens >= 1 - 1e-9:
                    self._tokens -= 1
                    return waited
                wait = max(pause, (1 - self._tokens) / self.rate)
            self._sleep(wait)
            waited += wait

    def set_rate(self, rate: float) -> None:
        """Adopt the rate Amazon reports for this operation and selling partner."""
        if rate <= 0:
            return
        with self._lock:
            self._refill(self._clock())
            self.rate = float(rate)

    def throttled(self, backoff: float) -> float:
        """A 429 means our bucket was fuller than Amazon's: empty it and pause with jitter."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            self._tokens = 0.0
            pause = backoff * (0.5 + random.random())
            self._paused_until = max(self._paused_until, now + pause)
            return pause


class SharedTokenBucket:
    """The same bucket, kept in Postgres so concurrent batches and workers share it.

    It runs on the connection it is given: the task's one warehouse connection, shared by all
    of the task's buckets (a task holds one Postgres connection, not one per bucket). A take
    is one statement in autocommit, its own transaction: one round trip, and the row lock on
    the bucket is held only for that statement. So a bucket is used between the stage's
    transactions, never inside one (the sender commits `sending` before any request leaves);
    inside one it raises rather than commit the caller's work.
    """

    def __init__(
        self,
        conn: Any,
        account_id: str,
        operation: str,
        rate: float,
        burst: int,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from buyer_messaging.send import rate_buckets

        self._sql = rate_buckets
        self._conn = conn
        self.account_id, self.operation = account_id, operation
        self.rate, self.burst = float(rate), int(burst)
        self._sleep = sleep
        self._run(rate_buckets.ensure, rate, burst)

    def _run(self, statement: Callable[..., Any], *args: Any) -> Any:
        """One statement of rate_buckets in autocommit on the shared connection."""
        from psycopg2.extensions import TRANSACTION_STATUS_IDLE

        conn = self._conn
        if conn.info.transaction_status != TRANSACTION_STATUS_IDLE:
            raise RuntimeError(
                f"rate bucket {self.account_id}/{self.operation} used inside an open transaction"
                " of its connection: take tokens between transactions"
            )
        was_autocommit = conn.autocommit
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                return statement(cur, self.account_id, self.operation, *args)
        finally:
            conn.autocommit = was_autocommit

    def acquire(self) -> float:
        waited = 0.0
        while True:
            granted, wait = self._run(self._sql.take)
            if granted:
                return waited
            wait = max(wait, 0.001)
            self._sleep(wait)
            waited += wait

    def set_rate(self, rate: float) -> None:
        if rate > 0 and rate != self.rate:
            self.rate = float(rate)
            self._run(self._sql.set_rate, rate)

    def throttled(self, backoff: float) -> float:
        pause = backoff * (0.5 + random.random())
        self._run(self._sql.throttled, pause)
        return pause
