"""Helpers for the extraction tests: clients, a caller that knows the emulator's speed, hashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from spapi_emulator.auth import DEFAULT_REFRESH_TOKEN

# A fixed clock: every run of a test sees the same order states.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TIME_SCALE = 200.0
# orders updated in these two days, returns requested in these three weeks
ORDERS_WINDOW = (datetime(2026, 11, 17, tzinfo=UTC), datetime(2026, 11, 19, tzinfo=UTC))
RETURNS_WINDOW = (datetime(2026, 10, 28, tzinfo=UTC), datetime(2026, 11, 19, tzinfo=UTC))
US = "ATVPDKIKX0DER"

OPERATIONS = (
    "getOrders", "getOrderItems", "searchOrders", "createReport", "getReport", "getReportDocument",
)  # fmt: skip


def credentials(url: str, *, refresh_token: str = DEFAULT_REFRESH_TOKEN) -> Any:
    from buyer_messaging.spapi.credentials import SpApiCredentials

    return SpApiCredentials(
        refresh_token=refresh_token,
        lwa_app_id="amzn1.application-oa2-client.extract-test",
        lwa_client_secret="extract-test-secret",
        marketplace="US",
        endpoint=url,
        lwa_endpoint=f"{url}/auth/o2/token",
    )


def client(api: str, url: str) -> Any:
    """The product's checked client for `api` (v0, 2026-01-01 or reports)."""
    from buyer_messaging.extract.source import client_class
    from buyer_messaging.spapi.client import build_client

    if api == "reports":
        from sp_api.api import Reports

        return build_client(Reports, credentials(url))
    return build_client(client_class(api), credentials(url))


def caller(scale: float = TIME_SCALE, **kwargs: Any) -> Any:
    """An SpApiCaller whose buckets start at Amazon's rates times the emulator's time scale
    (a real caller learns them from the first answer's header; a 429 before that would
    pause it for a minute at Amazon's rate), with short back-offs."""
    from buyer_messaging.spapi.calls import SpApiCaller
    from buyer_messaging.spapi.limits import usage_plan
    from buyer_messaging.spapi.ratelimit import TokenBucket

    kwargs.setdefault("max_attempts", 12)
    kwargs.setdefault("backoff_base", 0.02)
    kwargs.setdefault("backoff_cap", 0.2)
    result = SpApiCaller(**kwargs)
    for op in OPERATIONS:
        rate, burst = usage_plan(op)
        result.buckets[op] = TokenBucket(rate * scale, burst)
    return result


def fast_polling() -> Any:
    from buyer_messaging.extract.returns import Polling

    return Polling(initial=0.05, cap=0.2, timeout=30.0)


STAGING_TABLES = {
    "orders": "staging.orders",
    "items": "staging.order_items",
    "shipments": "staging.shipments",
    "returns": "staging.returns",
    "rejected": "staging.rejected_records",
}
_VOLATILE = ("extracted_at", "seen_at")


def table_hash(
    conn: Any, table: str, account_id: str, *, drop: tuple[str, ...] = ()
) -> tuple[int, str]:
    """(row count, md5 of the rows' content) for one account, timestamps of the load excluded."""
    minus = " ".join(f"- '{c}'" for c in (*_VOLATILE, "account_id", *drop))
    with conn.cursor() as cur:
        cur.execute(
            f"""SELECT count(*), coalesce(md5(string_agg(t, E'\\n' ORDER BY t)), '')
                FROM (SELECT (to_jsonb(x) {minus})::text AS t FROM {table} x WHERE account_id = %s) s""",
            (account_id,),
        )
        count, digest = cur.fetchone()
    conn.commit()
    return int(count), digest


def staging_hashes(
    conn: Any, account_id: str, tables: tuple[str, ...] = tuple(STAGING_TABLES)
) -> dict[str, Any]:
    return {name: table_hash(conn, STAGING_TABLES[name], account_id) for name in tables}


def rows(conn: Any, sql: str, *params: Any) -> list[dict[str, Any]]:
    with conn.cursor() as cur:
        cur.execute(sql, params)
        names = [d[0] for d in cur.description]
        out = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    conn.commit()
    return out


class InjectedCrash(BaseException):
    """A worker killed mid-run (BaseException: nothing in the product may swallow it)."""


class CrashAfter:
    """Wraps a client: the named method raises after `calls` successful calls (a worker dying)."""

    def __init__(self, inner: Any, method: str, calls: int) -> None:
        self._inner = inner
        self._method = method
        self._left = calls
        self.crashed = False

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name != self._method:
            return attr

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if self._left <= 0:
                self.crashed = True
                raise InjectedCrash(f"injected crash before {name} call")
            self._left -= 1
            return attr(*args, **kwargs)

        return wrapped


def days(n: int) -> timedelta:
    return timedelta(days=n)
