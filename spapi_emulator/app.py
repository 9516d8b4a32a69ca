"""The emulator's behaviour, independent of HTTP plumbing: a request in, a `Response` out."""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs

from . import auth
from .data import (
    MAX_EVENT_LAG,
    REGULAR_LAG,
    SLOW_TIER_EVERY,
    Catalog,
    OrderFacts,
    day_start,
    days_between,
)
from .limits import TokenBucket, format_rate, load_limits
from .marketplaces import BY_ID, Marketplace, resolve

QueryDict = dict[str, list[str]]


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    operation: str | None = None

    @classmethod
    def json(
        cls,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> Response:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return cls(status, body, {"Content-Type": content_type, **(headers or {})})


class ApiError(Exception):
    """Raised by a handler to answer with Amazon's error body."""

    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details

    def response(self) -> Response:
        return error_response(self.status, self.code, self.message, self.details)


def error_response(status: int, code: str, message: str, details: str = "") -> Response:
    return Response.json(
        status, {"errors": [{"code": code, "message": message, "details": details}]}
    )


def invalid(message: str, details: str = "") -> ApiError:
    return ApiError(400, "InvalidInput", message, details)


def not_found(what: str) -> ApiError:
    return ApiError(404, "NotFound", f"{what} not found.", "")


DENIED = "Access to requested resource is denied."


@dataclass
class Request:
    method: str
    path: str
    query: QueryDict
    headers: dict[str, str]  # lower-case names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # path parameters
    claims: dict | None = None  # the access token's or RDT's claims
    token_kind: str | None = None
    pii: frozenset[str] = frozenset()  # data elements an RDT grants for this request

    def first(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def listed(self, name: str) -> list[str]:
        """A list parameter, whether repeated (?a=1&a=2) or comma-joined (?a=1,2)."""
        out: list[str] = []
        for value in self.query.get(name, []):
            out += [v for v in value.split(",") if v]
        return out

    def json_body(self) -> dict:
        if not self.body:
            return {}
        try:
            value = json.loads(self.body)
        except ValueError as exc:
            raise invalid("The request body is not valid JSON.", str(exc)) from None
        if not isinstance(value, dict):
            raise invalid("The request body must be a JSON object.")
        return value


Handler = Callable[[Request], Response]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    operation: str
    handler: Handler
    kind: str  # "spapi" (auth + throttle), "lwa", "admin", "document"


def parse_time(value: str, name: str) -> datetime:
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise invalid(f"Invalid {name}: {value!r} is not an ISO 8601 date.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _b64(obj: dict) -> str:
    return base64.b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode()


def _unb64(token: str) -> dict:
    try:
        value = json.loads(base64.b64decode(token.encode(), validate=True))
    except (ValueError, binascii.Error):
        raise invalid(
            "Invalid NextToken.", "The NextToken is malformed or was not issued for this operation."
        ) from None
    if not isinstance(value, dict):
        raise invalid("Invalid NextToken.")
    return value


class Emulator:
    """All state of one emulated seller account: orders, sent messages, buckets, counters."""

    def __init__(
        self,
        *,
        seed: int = 1,
        orders_per_day: int = 50,
        time_scale: float = 1.0,
        faults: dict | str | None = None,
        now: datetime | None = None,
        marketplaces: list[str] | tuple[str, ...] | str | None = None,
        items_page_size: int = 100,
        token_lifetime_s: float = 3600.0,
        log_requests: bool = False,
        models_dir: str | None = None,
        returns_format: str = "amazon",
        refresh_token: str = auth.DEFAULT_REFRESH_TOKEN,
        showcase: bool = False,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        from .reports import FORMATS

        if returns_format not in FORMATS:
            raise ValueError(f"returns_format must be one of {', '.join(FORMATS)}")
        # the returns report's form: Amazon's documented one unless a test asks otherwise
        self.returns_format = returns_format
        # the all-orders report's older header, with `url` after `order-channel` (Amazon's
        # documentation: parse by name); fixed when a report is requested, as its content is
        self.all_orders_with_url = False
        if now is not None and now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        self.seed = seed
        self.time_scale = float(time_scale)
        self.markets: tuple[Marketplace, ...] = resolve(marketplaces)
        self.catalog = Catalog(seed, orders_per_day, self.markets, showcase=showcase)
        self.items_page_size = max(1, items_page_size)
        # orders examined per getOrders/searchOrders page before a short page is returned
        self.scan_budget = 40_000
        # Not divided by time_scale: the stock python-amazon-sp-api client caches a token for
        # ~53 minutes whatever expires_in says. Expiry is tested through the fault instead.
        self.token_lifetime_s = token_lifetime_s
        if not refresh_token:
            raise ValueError("refresh_token must not be empty")
        self.refresh_token = refresh_token  # the one LWA grant this seller gave
        self.log_requests = log_requests
        self.base_url = ""  # set by the server once bound: documents are served from it
        # called with (operation, status, body) for every SP-API answer (conformance tests)
        self.tap: Callable[[str, int, bytes], None] | None = None
        self._fixed_now = now.astimezone(UTC) if now else None
        self._lock = threading.RLock()
        self.base_limits = load_limits(models_dir)
        self._limits: dict[str, tuple[float, int]] = dict(self.base_limits)
        self._buckets: dict[str, TokenBucket] = {}
        self.received: dict[str, list[dict]] = {"solicitations": [], "messages": []}
        self.solicited: set[str] = set()
        self.messaged: dict[str, set[str]] = {}
        self.counters: dict[str, Counter[str]] = {
            "requests": Counter(),
            "throttled": Counter(),
            "errors": Counter(),
        }
        self.reports: dict[str, dict] = {}
        self.documents: dict[str, dict] = {}
        from .faults import Faults

        self.faults = Faults.load(faults, seed)
        self.routes: list[Route] = []
        self._register()

    # -- time ----------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._fixed_now or datetime.now(UTC)

    def set_now(self, now: datetime | None) -> None:
        self._fixed_now = now.astimezone(UTC) if now else None

    # -- limits --------------------------------------------------------------------------------

    def limit(self, operation: str) -> tuple[float, int]:
        rate, burst = self._limits.get(operation, (1.0, 5))
        return rate * self.time_scale, burst

    def bucket(self, operation: str) -> TokenBucket:
        with self._lock:
            bucket = self._buckets.get(operation)
            if bucket is None:
                rate, burst = self.limit(operation)
                bucket = self._buckets[operation] = TokenBucket(rate, burst)
            return bucket

    def set_limit(self, operation: str, rate: float | None, burst: int | None) -> dict:
        with self._lock:
            old_rate, old_burst = self._limits.get(operation, (1.0, 5))
            self._limits[operation] = (
                float(rate) if rate is not None else old_rate,
                int(burst) if burst is not None else old_burst,
            )
            self._buckets.pop(operation, None)
            rate_now, burst_now = self._limits[operation]
            return {
                "operation": operation,
                "rate": rate_now,
                "burst": burst_now,
                "effective_rate": rate_now * self.time_scale,
            }

    # -- dispatch ------------------------------------------------------------------------------

    def route(self, method: str, pattern: str, operation: str, kind: str = "spapi"):
        def register(handler: Handler) -> Handler:
            self.routes.append(Route(method, re.compile(f"^{pattern}$"), operation, handler, kind))
            return handler

        return register

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response:
        started = time.perf_counter()
        path, _, query_string = raw_path.partition("?")
        query = parse_qs(query_string, keep_blank_values=True)
        request = Request(method, path, query, {k.lower(): v for k, v in headers.items()}, body)
        response = self._dispatch(request)
        response.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
        if self.log_requests:
            took = (time.perf_counter() - started) * 1000
            print(
                f"{method} {raw_path[:200]} -> {response.status} {response.operation or '-'} {took:.1f}ms",
                file=sys.stderr,
                flush=True,
            )
        return response

    def _dispatch(self, request: Request) -> Response:
        allowed: list[str] = []
        for route in self.routes:
            match = route.pattern.match(request.path)
            if not match:
                continue
            if route.method != request.method:
                allowed.append(route.method)
                continue
            request.params = match.groupdict()
            if route.kind in ("admin", "lwa", "document"):
                try:
                    response = route.handler(request)
                except ApiError as exc:
                    response = exc.response()
                response.operation = route.operation
                return response
            return self._spapi(route, request)
        if allowed:
            return error_response(
                405, "MethodNotAllowed", f"Method {request.method} is not allowed here."
            )
        return error_response(
            404, "NotFound", "Resource not found.", f"No operation at {request.path}."
        )

    def _spapi(self, route: Route, request: Request) -> Response:
        operation = route.operation
        with self._lock:
            self.counters["requests"][operation] += 1
        denial = self._authorize(request)
        if denial is not None:
            response = denial
        else:
            response = self.faults.before(self, operation, request)
            if response is None:
                if not self.bucket(operation).take() or self.faults.storming(self):
                    response = error_response(
                        429,
                        "QuotaExceeded",
                        "You exceeded your quota for the requested resource.",
                        "",
                    )
                else:
                    try:
                        response = route.handler(request)
                    except ApiError as exc:
                        response = exc.response()
                    response = self.faults.after(self, operation, request, response)
        if response.status in (200, 201, 202, 204, 400, 404):
            response.headers["x-amzn-RateLimit-Limit"] = format_rate(self.limit(operation)[0])
        with self._lock:
            if response.status == 429:
                self.counters["throttled"][operation] += 1
            elif response.status >= 400:
                self.counters["errors"][operation] += 1
        response.operation = operation
        if self.tap is not None:
            self.tap(operation, response.status, response.body)
        return response

    def _authorize(self, request: Request) -> Response | None:
        token = request.headers.get("x-amz-access-token", "")
        decoded = auth.decode(token) if token else None
        if decoded is None:
            return error_response(
                403,
                "Unauthorized",
                DENIED,
                "The request has no x-amz-access-token header."
                if not token
                else "The access token you provided is unknown.",
            )
        kind, claims = decoded
        age = time.time() - claims.get("iat", 0)
        forced = self.faults.token_max_age_s()
        if time.time() > claims.get("exp", 0) or (forced is not None and age > forced):
            details = (
                "The access token you provided has expired."
                if kind == auth.ACCESS_KIND
                else "The restricted data token you provided has expired."
            )
            return error_response(403, "Unauthorized", DENIED, details)
        request.claims, request.token_kind = claims, kind
        if kind == auth.RDT_KIND:
            # An RDT opens only the resources it names (a path may use {placeholders}).
            for resource in claims.get("res", []):
                pattern = re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(resource.get("path", "")))
                if resource.get("method") == request.method and re.fullmatch(pattern, request.path):
                    request.pii = frozenset(resource.get("dataElements") or [])
                    return None
            return error_response(
                403,
                "Unauthorized",
                DENIED,
                "The restricted data token does not cover this resource.",
            )
        return None

    # -- routes --------------------------------------------------------------------------------

    def _register(self) -> None:
        from . import handlers

        handlers.register(self)

    # -- helpers shared by handlers ------------------------------------------------------------

    def order_or_404(self, order_id: str) -> OrderFacts:
        facts = self.catalog.find(order_id)
        if facts is None or not facts.visible(self.now()):
            raise not_found(f"Order {order_id}")
        return facts

    def require_markets(self, ids: list[str]) -> None:
        """Refuse marketplaces this seller account does not sell in, as Amazon does: 403
        Unauthorized (ordersV0.json: "Access Denied, Unauthorized"), with the details Amazon
        gives for a marketplace its endpoint does not serve (selling-partner-api-models
        issue 5126). An empty answer would pass for a quiet day."""
        served = {m.marketplace_id for m in self.markets}
        if any(i not in served for i in ids):
            raise ApiError(
                403,
                "Unauthorized",
                DENIED,
                "The marketplaces you provided are not valid for region.",
            )

    def market_of_request(self, request: Request, name: str = "marketplaceIds") -> Marketplace:
        ids = request.listed(name)
        market = BY_ID.get(ids[0]) if len(ids) == 1 else None
        if market is None:
            # Amazon's wording for a missing, repeated or unknown marketplaceIds
            raise invalid(f"Missing or invalid request parameters: [{name}]")
        return market

    def record(self, kind: str, entry: dict) -> None:
        with self._lock:
            self.received[kind].append(entry)

    def reset(self) -> None:
        with self._lock:
            self.received = {"solicitations": [], "messages": []}
            self.solicited.clear()
            self.messaged.clear()
            self.counters = {"requests": Counter(), "throttled": Counter(), "errors": Counter()}
            self._buckets.clear()  # full buckets again; limits set at run time stay
            self.reports.clear()
            self.documents.clear()
            self.faults.reset()

    # -- getOrders scan ------------------------------------------------------------------------

    def scan_orders(
        self, spec: dict, start_day: date, start_index: int, now: datetime, want: int
    ) -> tuple[list[OrderFacts], tuple[date, int] | None]:
        """Up to `want` orders matching `spec` from position (start_day, start_index) on, and
        the position of the next match if there is one. Only the purchase days that can hold a
        match are generated, one order at a time."""
        created = spec["mode"] == "created"
        after = datetime.fromisoformat(spec["after"])
        before = datetime.fromisoformat(spec["before"])
        markets = set(spec["markets"])
        statuses = set(spec.get("statuses") or [])
        channels = set(spec.get("channels") or [])
        ids = set(spec.get("ids") or [])
        last_day = min(before, now).date()
        found: list[OrderFacts] = []
        budget = self.scan_budget
        for day in days_between(start_day, last_day):
            count = self.catalog.count(day)
            begin = start_index if day == start_day else 0
            # purchase times grow with the index: skip straight to the first candidate
            floor = after if created else after - MAX_EVENT_LAG
            begin = max(begin, self.catalog.first_index_at_or_after(day, floor))
            step = 1
            if not created and day_start(day) + REGULAR_LAG < after:
                # only the slow tier (late or split shipments) can still change this late
                step = SLOW_TIER_EVERY
                offset = self.catalog.slow_tier_offset(day)
                begin += (offset - begin) % step
            for index in range(begin, count, step):
                purchase = self.catalog.purchase_time(day, index, count)
                if purchase > now or purchase > before:
                    break
                if purchase < floor:
                    continue
                budget -= 1
                if budget < 0:
                    # Bound each page's latency: a short page with a NextToken, as Amazon sends.
                    return found, (day, index)
                timeline = self.catalog.timeline(day, index, count, purchase)
                if timeline.marketplace.marketplace_id not in markets:
                    continue
                if channels and timeline.fulfillment not in channels:
                    continue
                status, updated = timeline.status_at(now)
                if not created and not (after <= updated <= before):
                    continue
                if statuses and status not in statuses:
                    continue
                if ids and self.catalog.order_id(day, index, timeline.marketplace) not in ids:
                    continue
                if len(found) == want:
                    return found, (day, index)
                found.append(self.catalog.order(day, index, timeline))
        return found, None

    def encode_token(self, payload: dict) -> str:
        return _b64(payload)

    def decode_token(self, token: str) -> dict:
        return _unb64(token)


def first_purchase_day(spec: dict) -> date:
    after = datetime.fromisoformat(spec["after"])
    if spec["mode"] == "created":
        return after.date()
    return (after - MAX_EVENT_LAG).date()


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise invalid(f"Invalid day {text!r}: expected YYYY-MM-DD.") from None
