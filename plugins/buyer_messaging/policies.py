"""Policy packs (which kinds each channel may send) and timing rules, from include/policies/.

Loaded and validated on use; an error names the file and the key.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from buyer_messaging.config import ALL_KINDS, ConfigError, include_dir
from buyer_messaging.domain import LANGUAGES, MARKETPLACE_CODES


class KindPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: Literal["solicitations", "messaging", "email_relay"]
    permitted: bool
    message_type: str | None = None
    critical: bool = False
    proactive: bool = False
    # sent because of a negative signal (issue resolution): the signal's case does not stop it
    answers_signal: bool = False
    rule: str | None = None
    why: str | None = None


class PolicyPack(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: str
    title: str
    proactive_window_days: int = 30
    kinds: dict[str, KindPolicy]

    def forbidding_rule(self, kind: str) -> str | None:
        """`policy:<rule id>` when this pack forbids the kind, else None."""
        policy = self.kinds.get(kind)
        if policy is None:
            return f"policy:{self.id}:kind-not-covered"
        return None if policy.permitted else f"policy:{policy.rule or self.id}"


class TimingOverride(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    delay_days: int | None = Field(default=None, ge=0, le=60)
    stale_after_days: int | None = Field(default=None, ge=0, le=60)


class AsinDelay(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    delay_days: int = Field(ge=0, le=60)


class KindTiming(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    delay_days: int = Field(default=0, ge=0, le=60)
    stale_after_days: int | None = Field(default=None, ge=0, le=60)
    # per marketplace (domain.MARKETPLACE_CODES): e.g. a later review request where delivery
    # is slower; only the keys given replace the kind's
    by_marketplace: dict[Literal[MARKETPLACE_CODES], TimingOverride] = Field(  # type: ignore[valid-type]
        default_factory=dict
    )
    # per ASIN (review requests): an order waits for the longest delay among its items
    by_asin: dict[str, AsinDelay] = Field(default_factory=dict)

    def for_marketplace(self, marketplace: str | None) -> KindTiming:
        # the keys are Literal codes: any other str finds nothing, which is what a lookup means
        override = self.by_marketplace.get(marketplace) if marketplace else None
        if override is None:
            return self
        return self.model_copy(update=override.model_dump(exclude_none=True))


class Timing(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default_pack: str
    kinds: dict[str, KindTiming]
    max_bad_share: float = Field(default=0.05, ge=0, le=1)
    max_bad_share_by_account: dict[str, float] = Field(default_factory=dict)
    pii_retention_days: int = Field(default=30, ge=1, le=3650)
    data_docs_retention_days: int = Field(default=90, ge=1, le=3650)

    def of(self, kind: str, marketplace: str | None = None) -> KindTiming:
        return self.kinds.get(kind, KindTiming()).for_marketplace(marketplace)

    def bad_share_threshold(self, account_id: str) -> float:
        """validate fails the run past this share of quarantined orders (per account)."""
        return self.max_bad_share_by_account.get(account_id, self.max_bad_share)


class AsinInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: dict[Literal[LANGUAGES], str] = Field(min_length=1)  # type: ignore[valid-type]
    delay_days: int | None = Field(default=None, ge=0, le=30)


class ProductInfo(BaseModel):
    """include/policies/product_info.yaml: what product_info messages say, per ASIN."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    asins: dict[str, AsinInfo] = Field(default_factory=dict)

    def text_for(self, asins: list[str | None], locale: str) -> str | None:
        """The text of the first configured ASIN among an order's, in the locale's language."""
        lang = locale.split("-")[0].lower()
        for asin in asins:
            info = self.asins.get(asin or "")
            if info is not None:
                # Literal language keys: another language finds nothing
                return info.text.get(lang)
        return None


class Unavailability(BaseModel):
    """include/policies/unavailability.yaml: the reason an unavailability notice gives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default_reason: str = Field(default="cancelled", min_length=1, max_length=300)
    cancel_reasons: dict[str, str] = Field(default_factory=dict)
    by_account: dict[str, str] = Field(default_factory=dict)

    def reason_for(self, amazon_reasons: list[str | None], account_id: str | None = None) -> str:
        """The first of Amazon's cancel reasons this file maps, else the seller's default."""
        for code in amazon_reasons:
            if code and code in self.cancel_reasons:
                return self.cancel_reasons[code]
        return self.by_account.get(account_id or "", self.default_reason)


class _ExclusionRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: tuple[str, ...] = ()


class ProductExclusion(_ExclusionRule):
    asins: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()


class OrderExclusion(_ExclusionRule):
    orders: tuple[str, ...] = ()


class RepeatBuyers(_ExclusionRule):
    within_days: int = Field(default=365, ge=1, le=3650)


class Exclusions(BaseModel):
    """include/policies/exclusions.yaml: orders that get no message of a kind, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    late_shipment: _ExclusionRule = _ExclusionRule(kinds=("review_request",))
    products: ProductExclusion = ProductExclusion()
    do_not_contact: OrderExclusion = OrderExclusion()
    repeat_buyers: RepeatBuyers = RepeatBuyers()

    def params(self, kind: str) -> dict[str, object]:
        """The planner's parameters for `kind` (empty lists and zero turn a rule off)."""

        def on(rule: _ExclusionRule) -> bool:
            return kind in rule.kinds

        return {
            "excl_late": on(self.late_shipment),
            "excl_asins": list(self.products.asins) if on(self.products) else [],
            "excl_skus": list(self.products.skus) if on(self.products) else [],
            "excl_orders": list(self.do_not_contact.orders) if on(self.do_not_contact) else [],
            "excl_repeat_days": self.repeat_buyers.within_days if on(self.repeat_buyers) else 0,
        }


def _load(path: Path, model: type[BaseModel]) -> BaseModel:
    try:
        raw = yaml.safe_load(path.read_text())
        return model.model_validate(raw)
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from None
    except ValidationError as err:
        problems = [f"{path}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors()]
        raise ConfigError("\n".join(problems)) from None


@lru_cache(maxsize=8)
def load_pack(pack_id: str, policies_dir: Path | None = None) -> PolicyPack:
    directory = (policies_dir or include_dir() / "policies") / "packs"
    path = directory / f"{pack_id}.yaml"
    pack = _load(path, PolicyPack)
    assert isinstance(pack, PolicyPack)
    if pack.id != pack_id:
        raise ConfigError(f"{path}: id: {pack.id!r} does not match the file name")
    unknown = sorted(set(pack.kinds) - set(ALL_KINDS))
    if unknown:
        raise ConfigError(f"{path}: kinds: unknown kind {', '.join(unknown)}")
    return pack


@lru_cache(maxsize=8)
def load_timing(policies_dir: Path | None = None) -> Timing:
    path = (policies_dir or include_dir() / "policies") / "timing.yaml"
    timing = _load(path, Timing)
    assert isinstance(timing, Timing)
    unknown = sorted(set(timing.kinds) - set(ALL_KINDS))
    if unknown:
        raise ConfigError(f"{path}: kinds: unknown kind {', '.join(unknown)}")
    return timing


@lru_cache(maxsize=8)
def load_product_info(policies_dir: Path | None = None) -> ProductInfo:
    path = (policies_dir or include_dir() / "policies") / "product_info.yaml"
    if not path.exists():
        return ProductInfo()
    info = _load(path, ProductInfo)
    assert isinstance(info, ProductInfo)
    return info


@lru_cache(maxsize=8)
def load_unavailability(policies_dir: Path | None = None) -> Unavailability:
    path = (policies_dir or include_dir() / "policies") / "unavailability.yaml"
    if not path.exists():
        return Unavailability()
    loaded = _load(path, Unavailability)
    assert isinstance(loaded, Unavailability)
    return loaded


@lru_cache(maxsize=8)
def load_exclusions(policies_dir: Path | None = None) -> Exclusions:
    path = (policies_dir or include_dir() / "policies") / "exclusions.yaml"
    if not path.exists():
        return Exclusions()
    loaded = _load(path, Exclusions)
    assert isinstance(loaded, Exclusions)
    for name in ("late_shipment", "products", "do_not_contact", "repeat_buyers"):
        unknown = sorted(set(getattr(loaded, name).kinds) - set(ALL_KINDS))
        if unknown:
            raise ConfigError(f"{path}: {name}.kinds: unknown kind {', '.join(unknown)}")
    return loaded
