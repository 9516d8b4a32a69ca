"""Paced, retried SP-API calls: one place that knows Amazon's failure classes.

429 -> empty the bucket and back off with jitter; an expired access token -> refresh once; any
other 4xx -> fail with the operation and the order named. 5xx, timeouts, resets and unreadable
bodies are retried with exponential back-off and jitter only for operations that are safe to
repeat (reads). For an operation that changes something (a message, a solicitation) they may
come after Amazon processed the request, so they raise `SpApiAmbiguousError` at once: the
caller settles the attempt by asking Amazon or surfacing it, never by sending again.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from buyer_messaging.masking import redact
from buyer_messaging.spapi.client import SpApiHttpError, invalidate_token
from buyer_messaging.spapi.limits import usage_plan
from buyer_messaging.spapi.ratelimit import SharedTokenBucket, TokenBucket

if TYPE_CHECKING:
    from sp_api.base import Client

# Our buckets hold one token less than Amazon's. Paced at Amazon's rate, both buckets stay
# near empty, and a call that arrives a little early (network or worker scheduling jitter)
# would be throttled; a token of headroom absorbs that, at the cost of one call per idle spell.
BURST_HEADROOM = 1
# access-token refreshes one call may make (each after an "expired" 403)
MAX_TOKEN_REFRESHES = 3

log = logging.getLogger(__name__)


class SpApiCallError(RuntimeError):
    def __init__(self, operation: str, subject: str | None, status: int, code: str, message: str):
        where = f" for order {subject}" if subject else ""
        super().__init__(f"{operation}{where} failed: HTTP {status} {code}: {message}")
        self.operation = operation
        self.subject = subject
        self.status = status
        self.code = code
        self.message = message

    ambiguous = False


class SpApiAmbiguousError(SpApiCallError):
    """A non-idempotent request may have reached Amazon and been processed: its reply was lost
    (5xx, read timeout, reset, unreadable body). Never retried; settled by reconciliation."""

    ambiguous = True


# POSTs whose repetition reaches no buyer: a second token, or a second report of the same window.
SAFE_TO_REPEAT = frozenset({"createRestrictedDataToken", "createReport"})
_READ_PREFIXES = ("get", "list", "search", "download")


def is_idempotent(operation: str) -> bool:
    """Reads and the few harmless POSTs; anything else (create*, send*, ...) is not."""
    return operation.startswith(_READ_PREFIXES) or operation in SAFE_TO_REPEAT


class SpApiCaller:
    """Calls SP-API operations for one account at the pace Amazon allows."""

    def __init__(
        self,
        *,
        max_attempts: int = 8,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        shared: tuple[Any, str] | None = None,
        unreachable_budget_s: float = 20.0,
    ) -> None:
        """`shared=(conn, account_id)` keeps the buckets in the warehouse, shared by every
        batch and worker of the account, all on `conn` (the task's warehouse connection; a
        DSN instead opens one connection for all of them, closed by `close`); without it they
        live in this process.
        `unreachable_budget_s` caps the time spent waiting on an endpoint that cannot be
        reached at all: past it the call fails and Airflow's task retry takes over."""
        self.max_attempts = max_attempts
        self.unreachable_budget_s = unreachable_budget_s
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self._clock = clock
        self._shared = shared
        self._own_conn: Any = None
        self.buckets: dict[str, TokenBucket | SharedTokenBucket] = {}
        self.calls: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self.retries: Counter[str] = Counter()

    def bucket(self, operation: str) -> TokenBucket | SharedTokenBucket:
        if operation not in self.buckets:
            rate, burst = usage_plan(operation)
            burst = max(1, burst - BURST_HEADROOM)
            if self._shared:
                self.buckets[operation] = SharedTokenBucket(
                    self._bucket_connection(), self._shared[1], operation, rate, burst,
                    sleep=self._sleep,
                )  # fmt: skip
            else:
                self.buckets[operation] = TokenBucket(
                    rate, burst, clock=self._clock, sleep=self._sleep
                )
        return self.buckets[operation]

    def _bucket_connection(self) -> Any:
        assert self._shared is not None
        target, account_id = self._shared
        if not isinstance(target, str):
            return target
        if self._own_conn is None:
            from buyer_messaging.warehouse.connection import connect

            self._own_conn = connect(target, application_name=f"bm-rate {account_id}"[:63])
        return self._own_conn

    def close(self) -> None:
        """Closes the buckets' connection if this caller opened it (a DSN was given)."""
        if self._own_conn is not None:
            self._own_conn.close()
            self._own_conn = None

    def _backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))

    def call(
        self,
        operation: str,
        fn: Callable[..., Any],
        *args: Any,
        client: Client | None = None,
        subject: str | None = None,
        idempotent: bool | None = None,
        before_send: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run `fn(*args, **kwargs)` (one SP-API operation) with pacing and retries.

        `idempotent` defaults to `is_idempotent(operation)`. `before_send` runs after the rate
        bucket granted a token, right before the request leaves (the outbox marks the attempt
        dispatched there, so the window between that mark and the bytes is as short as can be).
        """
        from sp_api.base import SellingApiException

        repeatable = is_idempotent(operation) if idempotent is None else idempotent
        bucket = self.bucket(operation)
        refreshes = 0
        last: tuple[int, str, str] = (0, "", "")
        unreachable_waited = 0.0
        for attempt in range(1, self.max_attempts + 1):
            bucket.acquire()
            self.calls[operation] += 1
            try:
                if not repeatable:
                    # fetch the access token first: a failure there is not our request's
                    _warm_token(client)
                if before_send is not None:
                    before_send()
            except SellingApiException as err:
                raise SpApiCallError(
                    operation, subject, 0, type(err).__name__, redact(str(err))
                ) from err
            except _transport_errors() as err:
                last = (0, type(err).__name__, str(err))
                self.retries[operation] += 1
                self._sleep(self._backoff(attempt))
                continue
            try:
                response = fn(*args, **kwargs)
            except SpApiHttpError as err:
                last = (err.status, err.code, err.message)
                if err.status == 429:
                    self.throttled[operation] += 1
                    bucket.throttled(max(1.0 / bucket.rate, 0.05) * min(attempt, 4))
                    continue
                if err.status >= 500 or err.code == "InvalidResponse":
                    if not repeatable:
                        raise SpApiAmbiguousError(
                            operation, subject, err.status, err.code, err.message
                        ) from err
                    self.retries[operation] += 1
                    self._sleep(self._backoff(attempt))
                    continue
                # a token can expire again during a long chain of retries (throttling, 5xx
                # backoffs): refresh each time, a few times at most (a token refused the moment
                # it is issued is not going to get better)
                if err.token_expired and refreshes < MAX_TOKEN_REFRESHES and client is not None:
                    invalidate_token(client)
                    refreshes += 1
                    continue
                message = err.message
                if err.status in (401, 403) and subject is None and client is not None:
                    # an account-wide call refused: say which account, marketplace and endpoint
                    message = f"{message} [{_account_context(client)}]"
                raise SpApiCallError(operation, subject, err.status, err.code, message) from err
            except SellingApiException as err:
                raise SpApiCallError(
                    operation,
                    subject,
                    int(getattr(err, "code", 0) or 0),
                    type(err).__name__,
                    redact(str(err)),
                ) from err
            except _transport_errors() as err:
                text = redact(str(err))
                if not text.startswith("LWA "):  # the token client names its own endpoint
                    text = f"cannot reach {_where(client)}: {type(err).__name__}: {text}"
                last = (0, type(err).__name__, text)
                if not repeatable and not _never_left(err):
                    # the request may have reached Amazon: settled by reconciliation, never resent
                    raise SpApiAmbiguousError(
                        operation, subject, 0, type(err).__name__, text
                    ) from err
                wait = self._backoff(attempt)
                if (
                    attempt == self.max_attempts
                    or unreachable_waited + wait > self.unreachable_budget_s
                ):
                    raise SpApiCallError(
                        operation,
                        subject,
                        0,
                        "Unreachable",
                        f"gave up after {attempt} attempts over {unreachable_waited:.0f} s: {last[2]}",
                    ) from None
                log.warning(
                    "%s: %s (attempt %d of %d); retrying in %.1f s",
                    operation, last[2], attempt, self.max_attempts, wait,
                )  # fmt: skip
                unreachable_waited += wait
                self.retries[operation] += 1
                self._sleep(wait)
                continue
            rate = _header_rate(getattr(response, "headers", None))
            if rate:
                bucket.set_rate(rate)
            return response
        status, code, message = last
        raise SpApiCallError(
            operation,
            subject,
            status,
            code,
            f"gave up after {self.max_attempts} attempts: {message}",
        )

    def summary(self) -> str:
        ops = sorted(self.calls)
        return (
            ", ".join(
                f"{op}: {self.calls[op]} calls, {self.throttled[op]} throttled, {self.retries[op]} retried"
                for op in ops
            )
            or "no calls"
        )


def _where(client: Client) -> str:
    """The endpoint and the account's connection, for an error a newcomer can act on."""
    endpoint = getattr(client, "endpoint", None) or "the SP-API endpoint"
    conn_id = getattr(client, "conn_id", None)
    return f"{endpoint} (connection {conn_id!r})" if conn_id else str(endpoint)


def _account_context(client: Client) -> str:
    marketplace = getattr(client, "marketplace_id", None)
    return (
        f"{_where(client)}, marketplace {marketplace}: is the seller registered in that"
        " marketplace, does the endpoint serve its region, and does the app hold the role?"
    )


def _header_rate(headers: Mapping[str, str] | None) -> float | None:
    if not headers:
        return None
    value = headers.get("x-amzn-RateLimit-Limit") or headers.get("x-amzn-ratelimit-limit")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _transport_errors() -> tuple[type[BaseException], ...]:
    import httpx

    return (httpx.TransportError,)


def _never_left(err: BaseException) -> bool:
    """True when the request provably never reached the server: refused connection, DNS, TLS
    handshake (httpx.ConnectError), connect timeout, or no free connection in the pool. A write
    error, read timeout, reset or a server that hangs up may come after it was processed."""
    import httpx

    return isinstance(err, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def _warm_token(client: Client) -> None:
    auth = getattr(client, "_auth", None)
    if auth is not None and hasattr(auth, "get_auth"):
        auth.get_auth()
