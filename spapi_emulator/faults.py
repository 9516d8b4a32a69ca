"""Fault injection: the failures a real SP-API integration meets, on demand and repeatable.

Most faults replace the answer before the request is processed. `reply_loss` lets the request
be processed (a message recorded, a solicitation consumed) and then loses the reply, as a
gateway or a flaky network does:

    reply_loss:
      mode: bad_gateway | reset | slow   # a 502 HTML page, a TCP reset, or a reply after delay_s
      rate: 0.3                          # share of successful requests that lose their reply
      every_nth_order: 3                 # or: the first request for every 3rd order (by order id)
      operations: [createUnexpectedProblem]   # default: every operation that is not a GET
      delay_s: 3.0                       # mode slow: longer than the client's timeout
"""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import Emulator, Request, Response

KNOWN = {
    "error_rate_500",
    "error_rate_503",
    "latency_ms",
    "throttle_storm",
    "expire_tokens_after_s",
    "truncated_pages",
    "empty_error_body",
    "malformed_order",
    "operations",
    "reply_loss",
    "deny_restricted_data",
    "malformed_kinds",
}
LOSS_MODES = ("bad_gateway", "reset", "slow")
# the server reads this header off a processed response and loses the reply accordingly
LOSS_HEADER = "X-Emulator-Lose-Reply"
# What a malformed order looks like. The first three are the default; the others, chosen with
# `malformed_kinds`, are the ones that crashed extraction before records were validated.
MALFORMED_KINDS = (
    "missing_purchase_date",
    "unknown_status",
    "wrong_currency",
    "buyer_info_not_object",
    "order_not_object",
    "huge_number",
    "nul_byte",
    "wrong_type_integer",
    "wrong_type_boolean",
    "unhashable_status",
    "huge_order_id",
    "sql_order_id",
)
DEFAULT_MALFORMED_KINDS = MALFORMED_KINDS[:3]


def _read(source: dict | str | Path | None) -> dict:
    if source is None:
        return {}
    if isinstance(source, dict):
        return dict(source)
    text = Path(source).read_text(encoding="utf-8")
    if str(source).endswith((".yaml", ".yml")):
        import yaml  # only needed for a YAML faults file

        return yaml.safe_load(text) or {}
    return json.loads(text)


def _check(config: dict) -> None:
    for key in (
        "error_rate_500",
        "error_rate_503",
        "truncated_pages",
        "empty_error_body",
        "malformed_order",
    ):
        value = config.get(key)
        if value is not None and not (isinstance(value, (int, float)) and 0 <= value <= 1):
            raise ValueError(f"{key} must be a probability between 0 and 1, not {value!r}")
    latency = config.get("latency_ms")
    if latency is not None and not (
        isinstance(latency, (int, float))
        or (
            isinstance(latency, (list, tuple))
            and len(latency) == 2
            and 0 <= latency[0] <= latency[1]
        )
    ):
        raise ValueError(f"latency_ms must be a number or [min, max], not {latency!r}")
    storm = config.get("throttle_storm")
    if storm is not None and not (
        isinstance(storm, dict)
        and float(storm.get("every_s", 30)) > 0
        and 0 <= float(storm.get("duration_s", 3)) <= float(storm.get("every_s", 30))
    ):
        raise ValueError(
            f"throttle_storm must be {{every_s, duration_s}} with duration_s <= every_s, not {storm!r}"
        )
    expire = config.get("expire_tokens_after_s")
    if expire is not None and not (isinstance(expire, (int, float)) and expire >= 0):
        raise ValueError(f"expire_tokens_after_s must be a number of seconds, not {expire!r}")
    deny = config.get("deny_restricted_data")
    if deny is not None and not isinstance(deny, bool):
        raise ValueError(f"deny_restricted_data must be true or false, not {deny!r}")
    kinds = config.get("malformed_kinds")
    if kinds is not None and not (
        isinstance(kinds, list) and kinds and set(kinds) <= set(MALFORMED_KINDS)
    ):
        raise ValueError(
            f"malformed_kinds must be a non-empty list of {', '.join(MALFORMED_KINDS)}"
        )
    only = config.get("operations")
    if only is not None and not (isinstance(only, list) and all(isinstance(o, str) for o in only)):
        raise ValueError("operations must be a list of operation names")
    loss = config.get("reply_loss")
    if loss is not None:
        _check_loss(loss)


def _check_loss(loss: Any) -> None:
    if not isinstance(loss, dict):
        raise ValueError(f"reply_loss must be a mapping, not {loss!r}")
    unknown = set(loss) - {"mode", "rate", "every_nth_order", "operations", "delay_s"}
    if unknown:
        raise ValueError(f"reply_loss: unknown keys {', '.join(sorted(unknown))}")
    if loss.get("mode", "bad_gateway") not in LOSS_MODES:
        raise ValueError(
            f"reply_loss.mode must be one of {', '.join(LOSS_MODES)}, not {loss.get('mode')!r}"
        )
    rate, nth = loss.get("rate"), loss.get("every_nth_order")
    if (rate is None) == (nth is None):
        raise ValueError("reply_loss needs exactly one of rate or every_nth_order")
    if rate is not None and not (isinstance(rate, (int, float)) and 0 <= rate <= 1):
        raise ValueError(f"reply_loss.rate must be a probability between 0 and 1, not {rate!r}")
    if nth is not None and not (isinstance(nth, int) and nth >= 1):
        raise ValueError(f"reply_loss.every_nth_order must be a whole number >= 1, not {nth!r}")
    ops = loss.get("operations")
    if ops is not None and not (isinstance(ops, list) and all(isinstance(o, str) for o in ops)):
        raise ValueError("reply_loss.operations must be a list of operation names")
    delay = loss.get("delay_s", 3.0)
    if not (isinstance(delay, (int, float)) and delay >= 0):
        raise ValueError(f"reply_loss.delay_s must be a number of seconds, not {delay!r}")


class Faults:
    """The active fault configuration; empty means a well-behaved Amazon."""

    def __init__(self, config: dict, seed: int) -> None:
        unknown = set(config) - KNOWN
        if unknown:
            raise ValueError(
                f"unknown faults: {', '.join(sorted(unknown))}; known: {', '.join(sorted(KNOWN))}"
            )
        _check(config)
        self.config = config
        self.seed = seed
        self._lock = threading.Lock()
        # One stream per emulator: the n-th request meets the same fault on every run with the
        # same seed and the same request order.
        self._rng = random.Random(f"faults:{seed}")
        self._started = time.monotonic()
        self._loss_orders: dict[str, dict[str, int]] = {}  # operation -> order id -> rank
        self.lost: list[dict[str, Any]] = []  # every reply lost: operation, order, mode

    @classmethod
    def load(cls, source: dict | str | Path | None, seed: int) -> Faults:
        return cls(_read(source), seed)

    def reset(self) -> None:
        with self._lock:
            self._rng = random.Random(f"faults:{self.seed}")
            self._started = time.monotonic()
            self._loss_orders = {}
            self.lost = []

    def token_max_age_s(self) -> float | None:
        value = self.config.get("expire_tokens_after_s")
        return float(value) if value is not None else None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.config)

    # -- helpers ---------------------------------------------------------------------------

    def _applies(self, operation: str) -> bool:
        only = self.config.get("operations")
        return not only or operation in only

    def _roll(self, key: str) -> float:
        rate = float(self.config.get(key) or 0.0)
        if rate <= 0:
            return 1.0  # never fires, and draws nothing from the stream
        with self._lock:
            return self._rng.random() / rate  # < 1.0 means "fire"

    # -- hooks called by the emulator --------------------------------------------------------

    def storming(self, emulator: Emulator) -> bool:
        """Inside a throttle storm every SP-API call gets a 429, whatever the bucket holds."""
        storm = self.config.get("throttle_storm")
        if not storm:
            return False
        every = float(storm.get("every_s", 30))
        duration = float(storm.get("duration_s", 3))
        return (time.monotonic() - self._started) % every < duration

    def before(self, emulator: Emulator, operation: str, request: Request) -> Response | None:
        """A failure that replaces the answer (5xx, gateway HTML), or None."""
        if not self.config or not self._applies(operation):
            return None
        from .app import Response, error_response

        if self.config.get("deny_restricted_data") and operation == "createRestrictedDataToken":
            # an application without the restricted roles the data elements need
            return error_response(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "The application is not authorized for the requested restricted data.",
            )
        if self._roll("error_rate_500") < 1.0:
            return error_response(
                500, "InternalFailure", "We encountered an internal error. Please try again.", ""
            )
        if self._roll("error_rate_503") < 1.0:
            return error_response(
                503, "ServiceUnavailable", "Service temporarily unavailable. Please try again.", ""
            )
        if self._roll("empty_error_body") < 1.0:
            html = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
            return Response(502, html, {"Content-Type": "text/html"})
        return None

    def after(
        self, emulator: Emulator, operation: str, request: Request, response: Response
    ) -> Response:
        """Latency and truncated bodies, applied to a real answer; then a lost reply."""
        if not self.config:
            return response
        if not self._applies(operation):  # reply_loss has its own list of operations
            return self.lose_reply(operation, request, response)
        latency = self.config.get("latency_ms")
        if latency:
            low, high = (latency, latency) if isinstance(latency, (int, float)) else latency
            with self._lock:
                delay = self._rng.uniform(float(low), float(high)) / 1000.0
            response.headers["X-Emulator-Delay"] = f"{delay:.4f}"
        if response.status == 200 and operation in PAGED and self._roll("truncated_pages") < 1.0:
            # a 200 whose body stops mid-JSON, as a dropped connection behind a proxy leaves it
            response.body = response.body[: max(1, len(response.body) // 2)]
        return self.lose_reply(operation, request, response)

    def lose_reply(self, operation: str, request: Request, response: Response) -> Response:
        """After the request was processed: mark the answer to be lost (see `reply_loss`)."""
        loss = self.config.get("reply_loss")
        if not loss or not 200 <= response.status < 300:
            return response
        only = loss.get("operations")
        if (only and operation not in only) or (not only and request.method == "GET"):
            return response
        order = request.params.get("order_id", "")
        if loss.get("every_nth_order"):
            with self._lock:
                seen = self._loss_orders.setdefault(operation, {})
                if order in seen:  # only an order's first request loses its reply
                    return response
                seen[order] = rank = len(seen) + 1
            fire = rank % int(loss["every_nth_order"]) == 0
        else:
            fire = self._roll_rate(float(loss["rate"])) < 1.0
        if not fire:
            return response
        mode = loss.get("mode", "bad_gateway")
        with self._lock:
            self.lost.append({"operation": operation, "order": order, "mode": mode})
        if mode == "bad_gateway":
            from .app import Response

            html = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
            return Response(502, html, {"Content-Type": "text/html"})
        response.headers[LOSS_HEADER] = (
            mode if mode == "reset" else f"slow:{float(loss.get('delay_s', 3.0))}"
        )
        return response

    def _roll_rate(self, rate: float) -> float:
        if rate <= 0:
            return 1.0
        with self._lock:
            return self._rng.random() / rate

    def malformed_kind(self, order_id: str) -> str | None:
        """How this order is malformed, or None: the same orders the same way on every call."""
        rate = float(self.config.get("malformed_order") or 0.0)
        if rate <= 0:
            return None
        roll = random.Random(f"malformed:{self.seed}:{order_id}")
        if roll.random() >= rate:
            return None
        return roll.choice(tuple(self.config.get("malformed_kinds") or DEFAULT_MALFORMED_KINDS))

    def mangle_order(self, order: dict, facts: object) -> Any:
        """A v0 Order as `malformed_kind` says (getOrders/getOrder)."""
        kind = self.malformed_kind(order.get("AmazonOrderId", ""))
        if kind is None:
            return order
        order = dict(order)
        if kind == "missing_purchase_date":
            order.pop("PurchaseDate", None)
        elif kind == "unknown_status":
            order["OrderStatus"] = "Processing"
        elif kind == "wrong_currency":
            total = dict(order.get("OrderTotal") or {"Amount": "10.00"})
            total["CurrencyCode"] = "JPY" if total.get("CurrencyCode") != "JPY" else "USD"
            order["OrderTotal"] = total
        elif kind == "buyer_info_not_object":
            order["BuyerInfo"] = "buyer@marketplace.amazon.com"
        elif kind == "order_not_object":
            return f"Order {order.get('AmazonOrderId')}"
        elif kind == "huge_number":
            order["NumberOfItemsShipped"] = 10**20
        elif kind == "nul_byte":
            order["ShipServiceLevel"] = "Std\x00Cont"
        elif kind == "wrong_type_integer":
            order["NumberOfItemsUnshipped"] = "2"
        elif kind == "wrong_type_boolean":
            order["IsPrime"] = "false"
        elif kind == "unhashable_status":
            order["OrderStatus"] = [order.get("OrderStatus")]
        elif kind == "huge_order_id":
            order["AmazonOrderId"] = "9" * 200_000
        elif kind == "sql_order_id":
            order["AmazonOrderId"] = "'); DROP TABLE x;--"
        return order

    def mangle_order_2026(self, order: dict) -> Any:
        """A 2026-01-01 order as `malformed_kind` says (searchOrders), in the 2026 shapes."""
        kind = self.malformed_kind(order.get("orderId", ""))
        if kind is None:
            return order
        order = json.loads(json.dumps(order))  # a deep copy
        fulfillment = order.setdefault("fulfillment", {})
        if kind == "missing_purchase_date":
            order.pop("createdTime", None)
        elif kind == "unknown_status":
            fulfillment["fulfillmentStatus"] = "PROCESSING"
        elif kind == "wrong_currency":
            total = order.setdefault("proceeds", {}).setdefault("grandTotal", {"amount": "10.00"})
            total["currencyCode"] = "JPY" if total.get("currencyCode") != "JPY" else "USD"
        elif kind == "buyer_info_not_object":
            order["buyer"] = "buyer@marketplace.amazon.com"
        elif kind == "order_not_object":
            return [order.get("orderId")]
        elif kind == "huge_number":
            order["orderItems"][0]["quantityOrdered"] = 10**20
        elif kind == "nul_byte":
            order["salesChannel"]["channelName"] = "AMA\x00ZON"
        elif kind == "wrong_type_integer":
            order["orderItems"][0]["quantityOrdered"] = "2"
        elif kind == "wrong_type_boolean":
            order["programs"] = "PRIME"
        elif kind == "unhashable_status":
            fulfillment["fulfillmentStatus"] = {"status": fulfillment.get("fulfillmentStatus")}
        elif kind == "huge_order_id":
            order["orderId"] = "9" * 200_000
        elif kind == "sql_order_id":
            order["orderId"] = "'); DROP TABLE x;--"
        return order


# operations whose answers are pages of data (truncated_pages applies to them)
PAGED = {"getOrders", "getOrderItems", "searchOrders", "getReports"}
