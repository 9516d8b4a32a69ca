"""Accounts file: which seller accounts a deployment runs, validated with clear errors."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from buyer_messaging.marketplaces import MARKETPLACES, Marketplace

Kind = Literal[
    "shipment_confirmation",
    "unavailability_notice",
    "return_confirmation",
    "review_request",
    "product_info",
    "issue_resolution",
]
ALL_KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]


class ConfigError(ValueError):
    pass


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


# the wheel carries include/ here as package data; a source checkout has it at its root
PACKAGE_INCLUDE = Path(__file__).with_name("include")


def include_dir() -> Path:
    """Templates, policies and the example accounts: `$BUYER_MESSAGING_INCLUDE` when set, else
    the installed package's copy, else the source checkout's include/."""
    return _include_dir(os.environ.get("BUYER_MESSAGING_INCLUDE"))


@lru_cache(maxsize=8)
def _include_dir(env: str | None) -> Path:
    # resolving costs system calls, and the renderer asks once per message; errors are not cached
    if env:
        path = Path(env).expanduser().resolve()
        if not path.is_dir():
            raise ConfigError(
                f"BUYER_MESSAGING_INCLUDE={env}: no such directory (it must hold templates/ and"
                " policies/, like the project's include/)"
            )
        return path
    candidates = (PACKAGE_INCLUDE, project_root() / "include")
    for path in candidates:
        if path.is_dir():
            return path.resolve()
    raise ConfigError(
        "no include directory (templates, policies, accounts) at "
        + " or ".join(str(c) for c in candidates)
        + ": set BUYER_MESSAGING_INCLUDE to yours"
    )


def data_docs_dir() -> Path:
    """Where validation writes Great Expectations' data docs: `$BUYER_MESSAGING_DATA_DOCS`,
    else var/data_docs beside a checkout's include/, else under AIRFLOW_HOME (never inside
    an installed package)."""
    if os.environ.get("BUYER_MESSAGING_DATA_DOCS"):
        return Path(os.environ["BUYER_MESSAGING_DATA_DOCS"])
    include = include_dir()
    if include != PACKAGE_INCLUDE.resolve():
        return include.parent / "var" / "data_docs"
    home = Path(os.environ.get("AIRFLOW_HOME") or "~/airflow").expanduser()
    return home / "buyer_messaging" / "data_docs"


def accounts_path() -> Path:
    return Path(os.environ.get("BUYER_MESSAGING_ACCOUNTS") or include_dir() / "accounts.yaml")


class Account(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")
    marketplace: Literal["US", "GB", "FR", "DE", "ES", "IT"]
    kinds: tuple[Kind, ...] = ("review_request",)
    timezone: str | None = None
    owner: str = "data-engineering"
    start_date: date = date(2026, 1, 1)
    lookback_days: int = Field(default=35, ge=0, le=365)
    seller_name: str | None = None
    batch_size: int = Field(default=200, ge=1, le=10_000)
    policy_pack: str | None = None
    enabled_despite_policy: tuple[Kind, ...] = ()
    alert_emails: tuple[str, ...] = ()
    # Airflow notifiers told of new negative signals, besides alert_emails: each
    # {notifier: "package.module.NotifierClass", params: {...}}; templated params may use
    # {{ case_subject }} and {{ case_summary }}
    case_notifiers: tuple[dict[str, Any], ...] = ()
    orders_api: Literal["v0", "2026-01-01"] = "v0"
    # write each message in the buyer's preferred language (Messaging getAttributes, one call
    # per rendered message at 1/s); off: the marketplace's language
    buyer_locale: bool = True
    # a return's arrival and refund reach the report days after its request: each run
    # re-reads this many days of it so staging catches up
    returns_refresh_days: int = Field(default=14, ge=0, le=60)

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
