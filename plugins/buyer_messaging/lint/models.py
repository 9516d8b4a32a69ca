"""What a lint run returns, and what a rule file may say (validated with pydantic at load)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from buyer_messaging.config import Kind
from buyer_messaging.domain import KIND_NAMES, LANGUAGES, LOCALES

KINDS = KIND_NAMES

# the categories of the warehouse/CLI contract (DESIGN.md); rules may add their own
CONTRACT_CATEGORIES = (
    "external_link",
    "email_address",
    "phone_number",
    "promotion",
    "review_incentive",
    "positive_review_ask",
    "review_change_request",
    "off_platform",
    "opt_out_link",
    "missing_required_content",
)


@dataclass(frozen=True)
class Violation:
    rule: str
    category: str
    severity: str  # "block" | "warn"
    excerpt: str

    def to_json(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "excerpt": self.excerpt,
        }


@dataclass(frozen=True)
class Verdict:
    verdict: str  # "pass" | "block"
    violations: list[Violation] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return self.verdict == "block"

    @property
    def categories(self) -> set[str]:
        return {v.category for v in self.violations}

    @property
    def blocking_categories(self) -> set[str]:
        return {v.category for v in self.violations if v.severity == "block"}

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "violations": [v.to_json() for v in self.violations]}


class RuleSpec(BaseModel):
    """One rule as written in include/policies/lint/*.yaml."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")
    category: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    severity: Literal["block", "warn"]
    detector: str
    description: str = Field(min_length=1)
    kinds: Literal["all"] | list[Kind] = "all"
    locales: Literal["all"] | list[str] = "all"
    channels: Literal["all"] | list[str] = "all"
    params: dict[str, Any] = Field(default_factory=dict)
    suppressed_by: list[str] = Field(default_factory=list)
    enabled: bool = True

    @field_validator("locales")
    @classmethod
    def _locales(cls, value: Any) -> Any:
        if value == "all":
            return value
        for loc in value:
            if loc not in LOCALES and loc not in LANGUAGES:
                raise ValueError(
                    f"unknown locale {loc!r}; expected one of {', '.join(LOCALES + LANGUAGES)}"
                )
        return value


class RuleFile(BaseModel):
    """A rule file: ``rules`` (and ``version``, ``description``); keys starting ``x-`` are free
    (e.g. to hold YAML anchors shared by several rules)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _drop_extensions(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {
                k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("x-"))
            }
        return data

    version: str | int | None = None
    description: str | None = None
    rules: list[RuleSpec]
