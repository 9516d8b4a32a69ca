"""Policy linter: Amazon's communication guidelines as declarative rules (include/policies/lint/).

    from buyer_messaging.lint import load_rules, lint_message
    rules = load_rules()                      # default include/policies/lint/*.yaml
    v = lint_message(rules, kind="review_request", locale="de-DE", subject=s, body=b)
    v = lint_message(rules, ..., facts={"item_titles": [...], "tracking_numbers": [...]})
                                              # the renderer's values, read as the order's data
    v.verdict        # "pass" | "block" (block when any violation has severity block)
    v.violations     # [Violation(rule, category, severity, excerpt)]

`buyer_messaging.lint.command.run_jsonl` is the `buyer-messaging lint --jsonl FILE` command.
"""

from __future__ import annotations

from buyer_messaging.lint.engine import RuleFileError, RuleSet, lint_message, load_rules
from buyer_messaging.lint.models import CONTRACT_CATEGORIES, Verdict, Violation

__all__ = [
    "CONTRACT_CATEGORIES",
    "RuleFileError",
    "RuleSet",
    "Verdict",
    "Violation",
    "lint_message",
    "load_rules",
]
