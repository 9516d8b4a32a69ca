"""Loading rule files and linting one message against them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from buyer_messaging.lint.clauses import CLAUSE_DETECTORS
from buyer_messaging.lint.detectors import DETECTORS, Detector
from buyer_messaging.lint.models import RuleFile, RuleSpec, Verdict, Violation
from buyer_messaging.lint.prefilter import INDEX
from buyer_messaging.lint.text import Message


class RuleFileError(ValueError):
    """A rule file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: str
    description: str
    kinds: frozenset[str] | None  # None: all
    locales: frozenset[str] | None  # locales and bare languages; None: all
    channels: frozenset[str] | None  # None: any channel, also none given
    suppressed_by: frozenset[str]  # categories, or "any": any other blocking violation
    check: Detector
    source: str
    needs: frozenset[int] | None = None  # the detector's (see ``Detector``)

    def applies(self, kind: str, locale: str, channel: str | None) -> bool:
        if self.kinds is not None and kind not in self.kinds:
            return False
        if (
            self.locales is not None
            and locale not in self.locales
            and locale.split("-")[0] not in self.locales
        ):
            return False
        return self.channels is None or channel in self.channels


class RuleSet:
    """Compiled rules, in evaluation order (rules that others can silence come last)."""

    def __init__(self, rules: list[Rule]) -> None:
        def stage(rule: Rule) -> int:
            if not rule.suppressed_by:
                return 0
            return 2 if "any" in rule.suppressed_by else 1

        self.rules = sorted(rules, key=stage)
        self._applicable: dict[tuple[str, str, str | None], list[Rule]] = {}

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def by_id(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def applicable(self, kind: str, locale: str, channel: str | None) -> list[Rule]:
        key = (kind, locale, channel)
        found = self._applicable.get(key)
        if found is None:
            found = [r for r in self.rules if r.applies(kind, locale, channel)]
            self._applicable[key] = found
        return found


def default_rules_dir() -> Path:
    from buyer_messaging.render.paths import include_dir

    return include_dir() / "policies" / "lint"


def _loc(err: ErrorDetails) -> str:
    out = ""
    for part in err["loc"]:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _compile(spec: RuleSpec, where: str) -> Rule:
    factory = DETECTORS.get(spec.detector) or CLAUSE_DETECTORS.get(spec.detector)
    if factory is None:
        known = sorted([*DETECTORS, *CLAUSE_DETECTORS])
        raise RuleFileError(
            f"{where}.detector: unknown detector {spec.detector!r}; expected one of {', '.join(known)}"
        )
    try:
        params = factory.params_model.model_validate(spec.params)
    except ValidationError as err:
        first = err.errors()[0]
        raise RuleFileError(f"{where}.params.{_loc(first)}: {first['msg']}") from None
    check = factory(params)
    return Rule(
        id=spec.id,
        category=spec.category,
        severity=spec.severity,
        description=spec.description,
        kinds=None if spec.kinds == "all" else frozenset(spec.kinds),
        locales=None if spec.locales == "all" else frozenset(spec.locales),
        channels=None if spec.channels == "all" else frozenset(spec.channels),
        suppressed_by=frozenset(spec.suppressed_by),
        check=check,
        source=where,
        needs=getattr(check, "needs", None),
    )


def load_rule_file(path: Path) -> list[Rule]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise RuleFileError(f"{path}: not valid YAML: {err}") from None
    try:
        parsed = RuleFile.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = _loc(first)
        rules = (data or {}).get("rules") if isinstance(data, dict) else None
        idx = first["loc"][1] if len(first["loc"]) > 1 and first["loc"][0] == "rules" else None
        rid = ""
        if (
            isinstance(idx, int)
            and isinstance(rules, list)
            and idx < len(rules)
            and isinstance(rules[idx], dict)
        ):
            rid = f" (rule {rules[idx].get('id')!r})"
        raise RuleFileError(f"{path}: {loc}{rid}: {first['msg']}") from None
    return [
        _compile(spec, f"{path}: rules[{i}] (rule {spec.id!r})")
        for i, spec in enumerate(parsed.rules)
        if spec.enabled
    ]


def load_rules(path: Path | str | None = None) -> RuleSet:
    """Rules from a directory of *.yaml files (default include/policies/lint/) or one file."""
    root = Path(path) if path is not None else default_rules_dir()
    if root.is_dir():
        files = sorted([*root.glob("*.yaml"), *root.glob("*.yml")])
        if not files:
            raise RuleFileError(f"{root}: no rule files (*.yaml)")
    elif root.is_file():
        files = [root]
    else:
        raise RuleFileError(f"{root}: no such rule file or directory")
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for file in files:
        for rule in load_rule_file(file):
            if rule.id in seen:
                raise RuleFileError(
                    f"{file}: rule id {rule.id!r} is already defined in {seen[rule.id]}"
                )
            seen[rule.id] = str(file)
            rules.append(rule)
    INDEX.prepare()  # the rules' regexes are registered: compile their prefilter database
    return RuleSet(rules)


def lint_message(
    rules: RuleSet,
    *,
    kind: str,
    locale: str,
    subject: str,
    body: str,
    channel: str | None = None,
    preferred_locale: str | None = None,
    message_type: str | None = None,
    order_id: str | None = None,
    facts: dict[str, Any] | None = None,
) -> Verdict:
    """``facts``: the values the renderer put in (see ``lint.facts``), read as the order's data."""
    if channel is None and message_type:
        channel = "messaging"  # message types are the Messaging API's
    msg = Message(
        kind=kind, locale=locale, subject=subject, body=body, channel=channel,
        preferred_locale=preferred_locale, message_type=message_type, order_id=order_id,
        facts=facts,
    )  # fmt: skip
    violations: list[Violation] = []
    for rule in rules.applicable(kind, locale, channel):
        if rule.needs is not None and msg.may_match.isdisjoint(rule.needs):
            continue
        if rule.suppressed_by and _suppressed(rule, violations):
            continue
        excerpt = rule.check(msg)
        if excerpt is not None:
            violations.append(Violation(rule.id, rule.category, rule.severity, excerpt))
    blocked = any(v.severity == "block" for v in violations)
    return Verdict("block" if blocked else "pass", violations)


def _suppressed(rule: Rule, found: list[Violation]) -> bool:
    for v in found:
        if v.severity != "block":
            continue
        if v.category in rule.suppressed_by or (
            "any" in rule.suppressed_by and v.category != rule.category
        ):
            return True
    return False
