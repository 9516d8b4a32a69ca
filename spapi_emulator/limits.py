"""Usage plans (rate, burst) per operation, and the token bucket that enforces them.

The figures come from Amazon's models (each operation's description holds a "Usage Plan"
table). A user's clone may not have ../shared/spapi-models, so the same figures are built in
here; a test checks that the two agree whenever the models are present.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

# operation name -> (rate per second, burst). Operation names are the models' operationIds,
# except the 2026-01-01 getOrder, which shares its operationId with v0's.
BUILTIN_LIMITS: dict[str, tuple[float, int]] = {
    # ordersV0.json
    "getOrders": (0.0167, 20),
    "getOrder": (0.5, 30),
    "getOrderBuyerInfo": (0.5, 30),
    "getOrderAddress": (0.5, 30),
    "getOrderItems": (0.5, 30),
    "getOrderItemsBuyerInfo": (0.5, 30),
    # orders_2026-01-01.json
    "searchOrders": (0.0056, 20),
    "getOrder@2026-01-01": (0.5, 30),
    # solicitations.json
    "getSolicitationActionsForOrder": (1.0, 5),
    "createProductReviewAndSellerFeedbackSolicitation": (1.0, 5),
    # messaging.json
    "getMessagingActionsForOrder": (1.0, 5),
    "confirmCustomizationDetails": (1.0, 5),
    "createConfirmDeliveryDetails": (1.0, 5),
    "createLegalDisclosure": (1.0, 5),
    "createConfirmOrderDetails": (1.0, 5),
    "createConfirmServiceDetails": (1.0, 5),
    "CreateWarranty": (1.0, 5),
    "GetAttributes": (1.0, 5),
    "createDigitalAccessKey": (1.0, 5),
    "createUnexpectedProblem": (1.0, 5),
    # reports_2021-06-30.json
    "getReports": (0.0222, 10),
    "createReport": (0.0167, 15),
    "cancelReport": (0.0222, 10),
    "getReport": (2.0, 15),
    "getReportDocument": (0.0167, 15),
    # tokens_2021-03-01.json
    "createRestrictedDataToken": (1.0, 10),
}

# which model file each operation's figures are read from
MODEL_FILES: dict[str, str] = {
    **dict.fromkeys(
        [
            "getOrders",
            "getOrder",
            "getOrderBuyerInfo",
            "getOrderAddress",
            "getOrderItems",
            "getOrderItemsBuyerInfo",
        ],
        "ordersV0.json",
    ),
    "searchOrders": "orders_2026-01-01.json",
    "getOrder@2026-01-01": "orders_2026-01-01.json",
    "getSolicitationActionsForOrder": "solicitations.json",
    "createProductReviewAndSellerFeedbackSolicitation": "solicitations.json",
    **dict.fromkeys(
        [
            "getMessagingActionsForOrder",
            "confirmCustomizationDetails",
            "createConfirmDeliveryDetails",
            "createLegalDisclosure",
            "createConfirmOrderDetails",
            "createConfirmServiceDetails",
            "CreateWarranty",
            "GetAttributes",
            "createDigitalAccessKey",
            "createUnexpectedProblem",
        ],
        "messaging.json",
    ),
    **dict.fromkeys(
        ["getReports", "createReport", "cancelReport", "getReport", "getReportDocument"],
        "reports_2021-06-30.json",
    ),
    "createRestrictedDataToken": "tokens_2021-03-01.json",
}

_PLAN = re.compile(
    r"\|\s*Rate \(requests per second\)\s*\|\s*Burst\s*\|\s*\n\|[-\s|]+\|\s*\n"
    r"\|\s*([0-9.]+)\s*\|\s*([0-9]+)\s*\|"
)


def default_models_dir() -> Path:
    """../shared/spapi-models beside the repository (present in CI and on the team's machines)."""
    return Path(__file__).resolve().parents[1].parent / "shared" / "spapi-models"


def limits_from_models(models_dir: Path | str | None = None) -> dict[str, tuple[float, int]]:
    """Read each known operation's usage plan from Amazon's models; {} when they are absent."""
    base = Path(models_dir) if models_dir else default_models_dir()
    found: dict[str, tuple[float, int]] = {}
    cache: dict[str, dict] = {}
    for operation, filename in MODEL_FILES.items():
        path = base / filename
        if not path.is_file():
            continue
        model = cache.setdefault(filename, json.loads(path.read_text(encoding="utf-8")))
        operation_id = operation.split("@")[0]
        for methods in model.get("paths", {}).values():
            for spec in methods.values():
                if isinstance(spec, dict) and spec.get("operationId") == operation_id:
                    match = _PLAN.search(spec.get("description", ""))
                    if match:
                        found[operation] = (float(match.group(1)), int(match.group(2)))
    return found


def load_limits(models_dir: Path | str | None = None) -> dict[str, tuple[float, int]]:
    """The models' figures where readable, the built-in table for the rest."""
    limits = dict(BUILTIN_LIMITS)
    try:
        limits.update(limits_from_models(models_dir))
    except (OSError, ValueError):
        pass  # a damaged models folder must not stop the emulator: the table is the fallback
    return limits


class TokenBucket:
    """Amazon's token bucket: `burst` tokens, refilled at `rate` per second."""

    def __init__(self, rate: float, burst: int, clock=time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = self._clock()
            self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False

    def drain(self) -> None:
        """Empty the bucket (a throttle storm)."""
        with self._lock:
            self._tokens = 0.0
            self._stamp = self._clock()


def format_rate(rate: float) -> str:
    """x-amzn-RateLimit-Limit as Amazon prints it (e.g. "0.0167", "2.0")."""
    text = f"{rate:.4f}".rstrip("0")
    return text + "0" if text.endswith(".") else text
