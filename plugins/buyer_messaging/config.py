"""Accounts file: which seller accounts a deployment runs, validated with clear errors."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from buyer_messaging.domain import KIND_NAMES, MARKETPLACE_CODES, MARKETPLACES, Marketplace
from buyer_messaging.locations import (  # noqa: F401 (config's names since before locations.py)
    PACKAGE_INCLUDE,
    ConfigError,
    include_dir,
    project_root,
)

Kind = Literal[KIND_NAMES]  # type: ignore[valid-type]
ALL_KINDS: tuple[str, ...] = KIND_NAMES


def data_docs_dir() -> Path:
    """Where validation writes Great Expectations' data docs: `$BUYER_MESSAGING_DATA_DOCS`,
    else var/data_docs in a source checkout running its own include/, else under AIRFLOW_HOME
    (never inside an installed package, nor beside a deployment's copy of include/)."""
    if os.environ.get("BUYER_MESSAGING_DATA_DOCS"):
        return Path(os.environ["BUYER_MESSAGING_DATA_DOCS"])
    checkout_include = project_root() / "include"
    if include_dir() == checkout_include.resolve() and checkout_include.is_dir():
        return project_root() / "var" / "data_docs"
    home = Path(os.environ.get("AIRFLOW_HOME") or "~/airflow").expanduser()
    return home / "buyer_messaging" / "data_docs"


def accounts_path() -> Path:
    return Path(os.environ.get("BUYER_MESSAGING_ACCOUNTS") or include_dir() / "accounts.yaml")


class Account(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")
    marketplace: Literal[MARKETPLACE_CODES]  # type: ignore[valid-type]
    kinds: tuple[Kind, ...] = ("review_request",)
    timezone: str | None = None
    owner: str = "data-engineering"
    start_date: date = date(2026, 1, 1)
    lookback_days: int = Field(default=35, ge=0, le=365)
    seller_name: str | None = None
    # no longer read: senders per kind are sized to Amazon's rate, not to a batch size
    # (send/timebox.py); kept so existing accounts files still validate
    batch_size: int = Field(default=200, ge=1, le=10_000)
    policy_pack: str | None = None
    enabled_despite_policy: tuple[Kind, ...] = ()
    alert_emails: tuple[str, ...] = ()
    # Airflow notifiers told of new negative signals, besides alert_emails: each
    # {notifier: "package.module.NotifierClass", params: {...}}; templated params may use
    # {{ case_subject }} and {{ case_summary }}
    case_notifiers: tuple[dict[str, Any], ...] = ()
    orders_api: Literal["v0", "2026-01-01"] = "v0"
    # where Orders API v0 accounts get the items their messages need (extract/items.py): auto
    # (getOrderItems per order while the run's budget allows, else the all-orders report),
    # orders_api or report
    order_items: Literal["auto", "orders_api", "report"] = "auto"
    # where the orders themselves come from (extract/report_first.py): auto (the all-orders
    # report first when the last week's runs say the window holds more orders than the listing
    # gets through in orders_listing_minutes; the listing then brings the buyer and delivery
    # window the report lacks, in list_order_details beside the pipeline until the send
    # deadline), orders_api (the listing only) or report (always the report first)
    orders_source: Literal["auto", "orders_api", "report"] = "auto"
    # how long the listing (getOrders / searchOrders) may hold extract_orders up: the yardstick
    # of orders_source auto
    orders_listing_minutes: int = Field(default=60, ge=1, le=1440)
    # write each message in the buyer's preferred language (Messaging getAttributes, one call
    # per rendered message at 1/s); off: the marketplace's language
    buyer_locale: bool = True
    # a return's arrival and refund reach the report days after its request: each run
    # re-reads this many days of it so staging catches up
    returns_refresh_days: int = Field(default=14, ge=0, le=60)
    # hold non-critical messages until this hour of the account's local day (an A/B test's
    # variant may set its own); None: send as soon as they are due
    send_hour: int | None = Field(default=None, ge=0, le=23)
    # the send stage stops claiming this long before the next run is due (the last requests
    # and the report finish in it); what is left stays ready for the next run (send/timebox.py)
    send_margin_minutes: int = Field(default=5, ge=0, le=720)
    # an explicit cap on the send stage's minutes (default: up to the margin before next run)
    send_budget_minutes: int | None = Field(default=None, ge=1, le=10_080)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def dag_id(self) -> str:
        return f"buyer_messaging_{self.id}"

    @property
    def spapi_conn_id(self) -> str:
        return f"spapi_{self.id}"

    @property
    def market(self) -> Marketplace:
        return MARKETPLACES[self.marketplace]

    @property
    def tz(self) -> str:
        return self.timezone or self.market.timezone

    @property
    def pool(self) -> str:
        return f"spapi_{self.id}"


class AccountsFile(BaseModel):
    """The file's shape; each account is validated on its own (see read_accounts)."""

    model_config = ConfigDict(extra="forbid")

    accounts: list[object]


@dataclass(frozen=True)
class AccountsRead:
    """The valid accounts of a file and, one message each, the accounts that are not."""

    path: Path
    accounts: list[Account]
    problems: list[str]

    def raise_problems(self) -> None:
        if self.problems:
            raise ConfigError("\n".join(self.problems))


def load_accounts(path: Path | str | None = None) -> list[Account]:
    """Parse and validate the accounts file; errors name the file and the offending key."""
    read = read_accounts(path)
    read.raise_problems()
    return read.accounts


# (path, the file's text) -> what read_accounts found there: a DAG file and the task it runs
# read the accounts file in one process, and a file that did not change is not parsed again
# (keyed on the text, not the modification time: a rewrite within the clock's tick counts)
_READ_CACHE: dict[tuple[str, str], AccountsRead] = {}
# libyaml's loader when PyYAML was built with it: the same documents, several times faster
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_accounts(path: Path | str | None = None) -> AccountsRead:
    """Every valid account, and a problem per invalid one: a typo in one account must not
    take every other account's DAG down. A file that cannot be read at all still raises.

    Cached per process on the file's text: reading it is cheap, parsing and validating 200
    accounts is not."""
    path = Path(path) if path else accounts_path()
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(f"{path}: accounts file not found") from None
    key = (str(path), text)
    found = _READ_CACHE.get(key)
    if found is None:
        found = _parse_accounts(path, text)
        _READ_CACHE.clear()  # one accounts file per deployment: keep only its latest reading
        _READ_CACHE[key] = found
    return AccountsRead(found.path, list(found.accounts), list(found.problems))


def _parse_accounts(path: Path, text: str) -> AccountsRead:
    try:
        raw = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from None
    try:
        entries = AccountsFile.model_validate(raw).accounts
    except ValidationError as err:
        raise ConfigError(_problems(path, raw, (), err)) from None
    accounts: list[Account] = []
    problems: list[str] = []
    for i, entry in enumerate(entries):
        try:
            accounts.append(Account.model_validate(entry))
        except ValidationError as err:
            problems.append(_problems(path, raw, ("accounts", i), err))
    ids = [a.id for a in accounts]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        # which of two accounts with one id is meant is anyone's guess: neither runs
        problems.append(f"{path}: accounts: duplicate id {', '.join(dupes)}")
        accounts = [a for a in accounts if a.id not in dupes]
    return AccountsRead(path, accounts, problems)


def _problems(path: Path, raw: object, prefix: tuple[object, ...], err: ValidationError) -> str:
    return "\n".join(
        f"{path}: {_location(raw, prefix + e['loc'])}: {e['msg']}" for e in err.errors()
    )


def _location(raw: object, loc: tuple[object, ...]) -> str:
    """`accounts[2] (id=acme_us).marketplace` rather than pydantic's tuple."""
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int):
            label = f"[{key}]"
            if isinstance(node, list) and key < len(node) and isinstance(node[key], dict):
                ident = node[key].get("id")
                if ident:
                    label += f" (id={ident})"
            parts.append(label)
            node = node[key] if isinstance(node, list) and key < len(node) else None
        else:
            parts.append(f".{key}" if parts else str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"
