"""Fault injection: the failures a real SP-API integration meets, on demand and repeatable."""

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
    "error_rate_500", "error_rate_503", "latency_ms", "throttle_storm", "expire_tokens_after_s",
    "truncated_pages", "empty_error_body", "malformed_order", "operations",
}


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


class Faults:
    """The active fault configuration; empty means a well-behaved Amazon."""

    def __init__(self, config: dict, seed: int) -> None:
        unknown = set(config) - KNOWN
        if unknown:
            raise ValueError(f"unknown faults: {', '.join(sorted(unknown))}; known: {', '.join(sorted(KNOWN))}")
        self.config = config
        self.seed = seed
        self._lock = threading.Lock()
        # One stream per emulator: the n-th request meets the same fault on every run with the
        # same seed and the same request order.
        self._rng = random.Random(f"faults:{seed}")
        self._started = time.monotonic()

    @classmethod
    def load(cls, source: dict | str | Path | None, seed: int) -> Faults:
        return cls(_read(source), seed)

    def reset(self) -> None:
        with self._lock:
            self._rng = random.Random(f"faults:{self.seed}")
            self._started = time.monotonic()

    def token_max_age_s(self) -> float | None:
        value = self.config.get("expire_tokens_after_s")
        return float(value) if value is not None else None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.config)

    def storming(self, emulator: Emulator) -> bool:
        return False

    def mangle_order(self, order: dict, facts: object) -> dict:
        return order

    def before(self, emulator: Emulator, operation: str, request: Request) -> Response | None:
        return None

    def after(self, emulator: Emulator, operation: str, request: Request, response: Response) -> Response:
        return response
