"""What counts as a negative signal (include/policies/signals.yaml), validated."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from buyer_messaging.config import include_dir
from buyer_messaging.policies import _load


class SignalsPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    negative_feedback_max_stars: int = Field(default=2, ge=1, le=4)
    negative_return_reasons: tuple[str, ...] = ()


@lru_cache(maxsize=8)
def load_signals(policies_dir: Path | None = None) -> SignalsPolicy:
    path = (policies_dir or include_dir() / "policies") / "signals.yaml"
    if not path.exists():
        return SignalsPolicy()
    policy = _load(path, SignalsPolicy)
    assert isinstance(policy, SignalsPolicy)
    return policy
