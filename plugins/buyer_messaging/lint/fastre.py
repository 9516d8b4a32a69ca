"""Rule regexes compiled so that Python's regex engine can skip ahead to where a match may start.

CPython's engine scans quickly for a pattern's first character when it knows the set of
possible first characters; otherwise it tries the whole pattern at every position. Nearly
every phrase in the rule files starts with ``\\b`` and is matched case-insensitively, and
either one hides the first character from the engine. Since matching runs on normalised,
lower-case text, two rewrites keep every match as it was:

- IGNORECASE is dropped when the pattern has no upper-case letter (the text has none either;
  ``normalize`` folds the few letters IGNORECASE would also equate, like ``ſ`` and ``ı``);
- a leading ``\\b`` before a word character becomes ``(?<!\\w.)`` right after that character:
  "no word character before the match". It is pushed into groups and alternatives, so
  ``\\b(?:call|phone)`` becomes ``(?:c(?<!\\w.)all|p(?<!\\w.)hone)``, whose first characters the
  engine can see.

The rewrite works on the parsed pattern (``re._parser``) and compiles it with ``re._compiler``;
anything it does not recognise is compiled as written. Tests check that both forms find the
same spans for every rule pattern on realistic messages.
"""

from __future__ import annotations

import re
import re._compiler as _compiler  # Python 3.11+, as pyproject.toml requires
import re._constants as _c
import re._parser as _p

_NO_WORD_BEFORE = _p.parse(r"(?<!\w.)").data[0]  # after a first character that is a word char
_REPEATS = tuple(
    op for op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) if op
)


def compile_rule_regex(pattern: str, *, lowercase_text: bool) -> re.Pattern[str]:
    """What ``re.compile(pattern, re.IGNORECASE if lowercase_text else 0)`` matches, on text
    that is lower case when ``lowercase_text``; faster to search (see the module's doc)."""
    flags = re.IGNORECASE if lowercase_text else 0
    try:
        tree = _p.parse(pattern, 0)
        if lowercase_text and _has_upper(tree.data):
            return re.compile(pattern, flags)
        data = _lead_with_a_character(list(tree.data), tree.state)
        if data is None:
            return re.compile(pattern)  # IGNORECASE is not needed (see above) or not asked for
        tree.data = data
        return _compiler.compile(tree, 0)
    except Exception:  # noqa: BLE001 - an internal API changed: the plain form is always right
        return re.compile(pattern, flags)


def _is_upper(code: int) -> bool:
    ch = chr(code)
    return ch.lower() != ch


def _has_upper(seq) -> bool:  # noqa: C901 - a small tree walk
    for op, av in seq:
        if op in (_c.LITERAL, _c.NOT_LITERAL):
            if _is_upper(av):
                return True
        elif op is _c.IN:
            for o, a in av:
                if o is _c.LITERAL and _is_upper(a):
                    return True
                if o is _c.RANGE and any(_is_upper(c) for c in range(a[0], a[1] + 1)):
                    return True
        elif op is _c.SUBPATTERN:
            if av[1] & re.IGNORECASE or _has_upper(av[3]):
                return True  # (?i:...) stays as written
        elif op is _c.BRANCH:
            if any(_has_upper(b) for b in av[1]):
                return True
        elif op in _REPEATS:
            if _has_upper(av[2]):
                return True
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            if _has_upper(av[1]):
                return True
        elif op is getattr(_c, "ATOMIC_GROUP", None):
            if _has_upper(av):
                return True
        elif op is _c.GROUPREF_EXISTS:
            if _has_upper(av[1]) or (av[2] is not None and _has_upper(av[2])):
                return True
    return False


def _word_char(code: int) -> bool:
    ch = chr(code)
    return ch.isalnum() or ch == "_"


def _after_first_character(seq: list, state) -> list | None:
    """seq with the no-word-before assertion right after its first character, when every match
    of seq starts with one literal word character; else None."""
    if not seq:
        return None
    op, av = seq[0]
    if op is _c.LITERAL and _word_char(av):
        return [seq[0], _NO_WORD_BEFORE, *seq[1:]]
    if op is _c.SUBPATTERN:
        group, add_flags, del_flags, sub = av
        inner = _after_first_character(list(sub.data), state)
        if inner is None:
            return None
        return [(_c.SUBPATTERN, (group, add_flags, del_flags, _p.SubPattern(state, inner))), *seq[1:]]
    if op is _c.BRANCH:
        branches = []
        for branch in av[1]:
            inner = _after_first_character(list(branch.data), state)
            if inner is None:
                return None
            branches.append(_p.SubPattern(state, inner))
        return [(_c.BRANCH, (None, branches)), *seq[1:]]
    return None


def _without_leading_boundary(seq: list, state) -> list | None:
    if seq and seq[0] == (_c.AT, _c.AT_BOUNDARY):
        return _after_first_character(seq[1:], state)
    return None


def _lead_with_a_character(seq: list, state) -> list | None:
    """The pattern with its leading \\b rewritten (also one per top-level alternative)."""
    rewritten = _without_leading_boundary(seq, state)
    if rewritten is not None or len(seq) != 1 or seq[0][0] is not _c.BRANCH:
        return rewritten
    branches = []
    for branch in seq[0][1][1]:
        inner = _without_leading_boundary(list(branch.data), state)
        if inner is None:
            return None
        branches.append(_p.SubPattern(state, inner))
    return [(_c.BRANCH, (None, branches))]
