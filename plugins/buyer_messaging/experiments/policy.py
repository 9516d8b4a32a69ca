"""include/policies/ab_tests.yaml, validated: which tests run, their variants and weights."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from buyer_messaging.config import ALL_KINDS, ConfigError, include_dir
from buyer_messaging.policies import _load

BUCKETS = 10_000  # an order's bucket: md5(test id ':' order id) mod BUCKETS, in SQL


class Variant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,40}$")
    weight: float = Field(gt=0)
    delay_days: int = Field(default=0, ge=0, le=25)
    # hold the message until this hour of the account's local day (overrides the account's)
    send_hour: int | None = Field(default=None, ge=0, le=23)
    template: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_-]{0,40}$")


class AbTest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,60}$")
    kind: str
    accounts: tuple[str, ...] | None = None
    variants: tuple[Variant, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _check(self) -> AbTest:
        if self.kind not in ALL_KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError(f"variant names repeat: {names}")
        if self.kind == "review_request" and any(v.template for v in self.variants):
            raise ValueError("review requests are written by Amazon: vary their timing only")
        return self

    def bounds(self) -> list[int]:
        """Each variant's upper bucket bound (cumulative weights over BUCKETS)."""
        total = sum(v.weight for v in self.variants)
        out, acc = [], 0.0
        for v in self.variants:
            acc += v.weight
            out.append(round(acc / total * BUCKETS))
        out[-1] = BUCKETS
        return out


class AbTests(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tests: tuple[AbTest, ...] = ()

    def active(self, account_id: str, kind: str) -> AbTest | None:
        for test in self.tests:
            if test.kind == kind and (test.accounts is None or account_id in test.accounts):
                return test
        return None

    def params(self, account_id: str, kind: str) -> dict[str, object]:
        """The planner's parameters: the kind's active test (or none) and its variants."""
        test = self.active(account_id, kind)
        if test is None:
            return {
                "ab_test": None,
                "ab_names": [],
                "ab_bounds": [],
                "ab_delays": [],
                "ab_hours": [],
            }
        return {
            "ab_test": test.id,
            "ab_names": [v.name for v in test.variants],
            "ab_bounds": test.bounds(),
            "ab_delays": [v.delay_days for v in test.variants],
            "ab_hours": [v.send_hour for v in test.variants],
        }

    def template_of(self, test_id: str | None, variant: str | None) -> str | None:
        for test in self.tests:
            if test.id == test_id:
                return next((v.template for v in test.variants if v.name == variant), None)
        return None


@lru_cache(maxsize=8)
def load_ab_tests(policies_dir: Path | None = None) -> AbTests:
    path = (policies_dir or include_dir() / "policies") / "ab_tests.yaml"
    if not path.exists():
        return AbTests()
    tests = _load(path, AbTests)
    assert isinstance(tests, AbTests)
    seen: set[tuple[str, str]] = set()
    for test in tests.tests:
        for account in test.accounts or ("*",):
            if (account, test.kind) in seen:
                raise ConfigError(f"{path}: tests: two tests of {test.kind} for account {account}")
            seen.add((account, test.kind))
    return tests
