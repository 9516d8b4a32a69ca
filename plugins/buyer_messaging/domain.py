"""The project's vocabulary, declared once: message kinds, outbox statuses, marketplaces.

Every other list of kinds, statuses, marketplaces, locales, languages or currencies in the
package derives from this module. Adding a kind is one `MessageKind` below plus its files
(`plan/sql/<kind>.sql`, `include/templates/<kind>/<locale>.j2` for every locale when we write
its text, its entry in `include/policies/timing.yaml` and in the policy pack it runs under);
adding a marketplace is one `Marketplace` below plus, for a new language, a template per kind
we write. A declaration that misses one of its files fails at import (`check_files`), naming
the kind and what is missing: a half-declared kind must not be planned forever or skipped
quietly.

The SP-API emulator (`spapi_emulator/marketplaces.py`) keeps its own table on purpose: it
plays Amazon, whose marketplaces do not depend on which ones this package supports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from buyer_messaging.locations import ConfigError, include_dir

# ------------------------------------------------------------------------------ marketplaces


@dataclass(frozen=True)
class Marketplace:
    code: str  # what accounts.yaml says: US, GB, ...
    marketplace_id: str  # Amazon's
    region: str  # the SP-API region (AWS region name) python-amazon-sp-api signs for
    endpoint: str
    currency: str  # ISO 4217
    locale: str  # BCP 47: the language our messages are written in, by default
    timezone: str  # IANA: the account's default day boundaries
    country: str  # ISO 3166 alpha-2: phone numbers' region

    @property
    def language(self) -> str:
        return self.locale.split("-")[0]


_NA = "https://sellingpartnerapi-na.amazon.com"
_EU = "https://sellingpartnerapi-eu.amazon.com"

# Amazon's marketplace ids and endpoints: https://developer-docs.amazon.com/sp-api/docs/marketplace-ids
# and .../sp-api-endpoints
MARKETPLACE_LIST: tuple[Marketplace, ...] = (
    Marketplace("US", "ATVPDKIKX0DER", "us-east-1", _NA, "USD", "en-US", "America/Los_Angeles", "US"),
    Marketplace("GB", "A1F83G8C2ARO7P", "eu-west-1", _EU, "GBP", "en-GB", "Europe/London", "GB"),
    Marketplace("FR", "A13V1IB3VIYZZH", "eu-west-1", _EU, "EUR", "fr-FR", "Europe/Paris", "FR"),
    Marketplace("DE", "A1PA6795UKMFR9", "eu-west-1", _EU, "EUR", "de-DE", "Europe/Berlin", "DE"),
    Marketplace("ES", "A1RKKUPIHCS9HS", "eu-west-1", _EU, "EUR", "es-ES", "Europe/Madrid", "ES"),
    Marketplace("IT", "APJ6JRA9NG5V4", "eu-west-1", _EU, "EUR", "it-IT", "Europe/Rome", "IT"),
)  # fmt: skip
# other names a marketplace goes by (Amazon's own country code for amazon.co.uk is GB)
MARKETPLACE_ALIASES: dict[str, str] = {"UK": "GB"}

# ------------------------------------------------------------------------------ message kinds

CHANNELS = ("solicitations", "messaging", "email_relay")


@dataclass(frozen=True)
class MessageKind:
    name: str
    channel: str  # the channel it goes by unless a policy pack says otherwise
    critical: bool  # reaches buyers who opted out of everything else
    events: tuple[str, ...]  # what one order may get it for; single-event kinds: ("default",)
    written_by_us: bool  # False: Amazon writes the text (Solicitations), nothing to render

    @property
    def sql_file(self) -> str:
        """Its candidates' SELECT, in plan/sql/."""
        return f"{self.name}.sql"

    @property
    def template_folder(self) -> str | None:
        """Its templates' folder in include/templates/, when we write its text."""
        return self.name if self.written_by_us else None


KIND_LIST: tuple[MessageKind, ...] = (
    MessageKind("shipment_confirmation", "email_relay", False, ("default",), True),
    MessageKind(
        "unavailability_notice",
        "messaging",
        True,
        ("cancelled", "partially_cancelled", "delayed"),
        True,
    ),
    MessageKind("return_confirmation", "email_relay", False, ("default",), True),
    MessageKind("review_request", "solicitations", False, ("default",), False),
    MessageKind("product_info", "email_relay", False, ("default",), True),
    MessageKind("issue_resolution", "email_relay", False, ("default",), True),
)

# ------------------------------------------------------------------------------ outbox statuses

# the order of messaging.outbox's CHECK constraint outbox_status_known (migration 0010)
OUTBOX_STATUSES = (
    "planned", "ready", "blocked", "skipped", "expired",
    "sending", "sent", "failed_retryable", "failed", "delivery_unknown",
)  # fmt: skip
# SQL keeps its own copies of these groups (`status IN (...)`); a unit test holds them equal
# may still be sent: what a case or an expiry may still stop
PENDING_STATUSES = ("planned", "ready", "failed_retryable")
# a sender may claim them
SENDABLE_STATUSES = ("ready", "failed_retryable")
# use up an order's one proactive message: sent, or on its way
TAKING_STATUSES = ("planned", "ready", "sending", "sent", "failed_retryable", "delivery_unknown")
# only a send (or send_batches' expiry) sets these: a dry run never produces them
DELIVERY_STATUSES = ("sending", "sent", "failed_retryable", "failed", "expired")
# decided not to send, each with its reason (policy, exclusion, signal, suppression, staleness)
NOT_SENT_STATUSES = ("skipped", "expired")
# the outcomes a day's report shows, in the order it shows them
REPORTED_STATUSES = ("sent", "blocked", "skipped", "expired", "failed", "planned", "delivery_unknown")  # fmt: skip


# ------------------------------------------------------------------------------ derived

MARKETPLACES: dict[str, Marketplace] = {m.code: m for m in MARKETPLACE_LIST}
MARKETPLACE_CODES: tuple[str, ...] = tuple(MARKETPLACES)
BY_ID: dict[str, Marketplace] = {m.marketplace_id: m for m in MARKETPLACE_LIST}
LOCALES: tuple[str, ...] = tuple(dict.fromkeys(m.locale for m in MARKETPLACE_LIST))
LANGUAGES: tuple[str, ...] = tuple(dict.fromkeys(m.language for m in MARKETPLACE_LIST))
CURRENCIES: tuple[str, ...] = tuple(dict.fromkeys(m.currency for m in MARKETPLACE_LIST))
COUNTRIES: tuple[str, ...] = tuple(dict.fromkeys(m.country for m in MARKETPLACE_LIST))

KINDS: dict[str, MessageKind] = {k.name: k for k in KIND_LIST}
KIND_NAMES: tuple[str, ...] = tuple(KINDS)
WRITTEN_BY_US: tuple[str, ...] = tuple(k.name for k in KIND_LIST if k.written_by_us)
AMAZON_WRITTEN: tuple[str, ...] = tuple(k.name for k in KIND_LIST if not k.written_by_us)
CHANNEL_OF: dict[str, str] = {k.name: k.channel for k in KIND_LIST}
CRITICAL_KINDS: tuple[str, ...] = tuple(k.name for k in KIND_LIST if k.critical)


class DomainError(ConfigError):
    """A kind or marketplace declared wrongly or without its files; names it and what is missing."""


def marketplace(code: str) -> Marketplace:
    """The marketplace of an accounts-file code (or an alias such as UK)."""
    key = MARKETPLACE_ALIASES.get(code.upper(), code.upper()) if isinstance(code, str) else code
    try:
        return MARKETPLACES[key]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown marketplace {code!r}; expected one of {', '.join(MARKETPLACE_CODES)}"
        ) from None


def kind(name: str) -> MessageKind:
    try:
        return KINDS[name]
    except (KeyError, TypeError):
        raise DomainError(
            f"unknown message kind {name!r}; expected one of {', '.join(KIND_NAMES)}"
            " (declared in buyer_messaging/domain.py)"
        ) from None


# ------------------------------------------------------------------------------ checks

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_LOCALE = re.compile(r"^[a-z]{2,3}-[A-Z]{2}$")


def check_declarations(
    kinds: tuple[MessageKind, ...] = KIND_LIST,
    marketplaces: tuple[Marketplace, ...] = MARKETPLACE_LIST,
) -> None:
    """The declarations themselves: unique names, known channels, usable locales and zones."""
    problems: list[str] = []
    for name in {k.name for k in kinds if [j.name for j in kinds].count(k.name) > 1}:
        problems.append(f"kind {name!r}: declared twice")
    for k in kinds:
        if not _NAME.match(k.name):
            problems.append(f"kind {k.name!r}: name must be lower_snake_case")
        if k.channel not in CHANNELS:
            problems.append(f"kind {k.name!r}: channel {k.channel!r} is not one of {CHANNELS}")
        if not k.events or any(not _NAME.match(e) for e in k.events):
            problems.append(f"kind {k.name!r}: events must be lower_snake_case names, at least one")
        if not k.written_by_us and k.channel != "solicitations":
            problems.append(
                f"kind {k.name!r}: only Solicitations sends Amazon's text; channel {k.channel!r}"
                " needs a text of ours (written_by_us=True)"
            )
    for field in ("code", "marketplace_id"):
        values = [getattr(m, field) for m in marketplaces]
        for value in sorted({v for v in values if values.count(v) > 1}):
            problems.append(f"marketplace {value!r}: {field} declared twice")
    for m in marketplaces:
        if not _LOCALE.match(m.locale):
            problems.append(f"marketplace {m.code}: locale {m.locale!r} is not like 'de-DE'")
        if not re.fullmatch(r"[A-Z]{3}", m.currency):
            problems.append(f"marketplace {m.code}: currency {m.currency!r} is not ISO 4217")
        try:
            ZoneInfo(m.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"marketplace {m.code}: unknown time zone {m.timezone!r}")
    if problems:
        raise DomainError("buyer_messaging/domain.py: " + "; ".join(problems))


def check_files(
    include: Path,
    sql_dir: Path,
    kinds: tuple[MessageKind, ...] = KIND_LIST,
    locales: tuple[str, ...] = LOCALES,
) -> None:
    """Every kind has its planner SQL, a template per locale (when we write its text) and a
    timing entry; a few stat calls and one small YAML file, so it is cheap at DAG parse."""
    import yaml

    timing_path = include / "policies" / "timing.yaml"
    try:
        timing = yaml.safe_load(timing_path.read_text())
    except FileNotFoundError:
        timing = None
    except yaml.YAMLError as err:
        raise DomainError(f"{timing_path}: not valid YAML: {err}") from None
    kinds_timed = timing.get("kinds") if isinstance(timing, dict) else None
    timed = set(kinds_timed) if isinstance(kinds_timed, dict) else set()
    problems: list[str] = []
    for k in kinds:
        missing: list[str] = []
        if not (sql_dir / k.sql_file).is_file():
            missing.append(f"planner SQL {sql_dir / k.sql_file}")
        if k.template_folder:
            folder = include / "templates" / k.template_folder
            absent = [loc for loc in locales if not (folder / f"{loc}.j2").is_file()]
            if absent:
                missing.append(f"templates {', '.join(f'{loc}.j2' for loc in absent)} in {folder}")
        if k.name not in timed:
            missing.append(f"an entry under kinds: in {timing_path}")
        if missing:
            problems.append(f"kind {k.name!r} is missing " + "; ".join(missing))
    if problems:
        raise DomainError("\n".join(problems))


def _check_at_import() -> None:
    check_declarations()
    check_files(include_dir(), Path(__file__).with_name("plan") / "sql")


_check_at_import()
