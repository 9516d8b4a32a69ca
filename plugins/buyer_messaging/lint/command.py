"""`buyer-messaging lint --jsonl FILE`: lint messages one JSON object a line.

Input lines: {"id", "kind", "locale", "subject", "body"} (optional: "channel",
"preferred_locale", "message_type", "order_id", and "facts": an object of the values the
renderer put in, e.g. {"order_id", "item_titles": [...], "tracking_numbers": [...],
"address"}, read as the order's own data; see ``lint.facts``). Output, one line per input line, in order:
{"id", "verdict": "pass"|"block", "violations": [{"rule", "category", "severity", "excerpt"}]}.

A line that is not a valid message is reported on stderr ("line N: field 'body': …") and
skipped; the other lines are still linted. Exit code: 1 when any message is blocked, else 2
when any line was invalid, else 0. FILE "-" reads standard input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from buyer_messaging.lint.engine import RuleSet, lint_message, load_rules
from buyer_messaging.lint.models import KINDS, LOCALES

REQUIRED = ("id", "kind", "locale", "subject", "body")
OPTIONAL = ("channel", "preferred_locale", "message_type", "order_id")


class InputError(ValueError):
    pass


def parse_line(line: str, lineno: int) -> dict[str, Any]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        raise InputError(f"line {lineno}: not valid JSON: {err.msg} (column {err.colno})") from None
    if not isinstance(obj, dict):
        raise InputError(f"line {lineno}: expected a JSON object, got {type(obj).__name__}")
    for key in REQUIRED:
        if key not in obj:
            raise InputError(f"line {lineno}: field {key!r} is missing")
    if not isinstance(obj["id"], str | int) or isinstance(obj["id"], bool):
        raise InputError(f"line {lineno}: field 'id' must be a string or an integer")
    for key in ("kind", "locale", "subject", "body"):
        if not isinstance(obj[key], str):
            raise InputError(
                f"line {lineno}: field {key!r} must be a string, got {type(obj[key]).__name__}"
            )
    if obj["kind"] not in KINDS:
        raise InputError(
            f"line {lineno}: field 'kind': unknown kind {obj['kind']!r}; expected one of {', '.join(KINDS)}"
        )
    if obj["locale"] not in LOCALES:
        raise InputError(
            f"line {lineno}: field 'locale': unknown locale {obj['locale']!r}; expected one of {', '.join(LOCALES)}"
        )
    for key in OPTIONAL:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise InputError(f"line {lineno}: field {key!r} must be a string")
    if obj.get("facts") is not None and not isinstance(obj["facts"], dict):
        raise InputError(
            f"line {lineno}: field 'facts' must be an object, got {type(obj['facts']).__name__}"
        )
    return obj


def lint_lines(lines: Iterable[str], out: TextIO, err: TextIO, rules: RuleSet) -> int:
    blocked = invalid = False
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = parse_line(line, lineno)
        except InputError as e:
            print(str(e), file=err)
            invalid = True
            continue
        verdict = lint_message(
            rules, kind=obj["kind"], locale=obj["locale"], subject=obj["subject"], body=obj["body"],
            channel=obj.get("channel"), preferred_locale=obj.get("preferred_locale"),
            message_type=obj.get("message_type"), order_id=obj.get("order_id"),
            facts=obj.get("facts"),
        )  # fmt: skip
        blocked = blocked or verdict.verdict == "block"
        out.write(json.dumps({"id": obj["id"], **verdict.to_json()}, ensure_ascii=False) + "\n")
    return 1 if blocked else (2 if invalid else 0)


def run_jsonl(
    path: str, out: TextIO, *, err: TextIO | None = None, rules: RuleSet | None = None
) -> int:
    err = err or sys.stderr
    rules = rules or load_rules()
    if path == "-":
        return lint_lines(sys.stdin, out, err, rules)
    try:
        with Path(path).open(encoding="utf-8") as fh:
            return lint_lines(fh, out, err, rules)
    except OSError as e:
        print(f"{path}: {e.strerror or e}", file=err)
        return 2
