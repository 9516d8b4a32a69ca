"""Cheap necessary conditions for regexes, so most patterns never run on most messages.

Python's regex engine tries a pattern at every position of the text; for a few hundred
characters and an alternation of words that costs 5–20 µs, and a rule set has dozens of
them. Before running a pattern we check a condition every match must satisfy, derived from
the pattern itself: one of a set of literal strings must occur in the text. Literals that
start at a word boundary (``\\bdiscount``) are checked against the set of the message's
word prefixes (a set intersection); others as substrings.

The derivation walks the parsed pattern (``re._parser``). When it cannot prove a literal
is required it returns None and the pattern always runs, so gating never changes results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

try:  # Python 3.11+
    import re._constants as _c  # type: ignore[import-not-found]
    import re._parser as _p  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

PREFIX = 3  # word prefixes of this length are indexed per message
_WORD = re.compile(r"\w+")


def word_prefixes(norm: str) -> frozenset[str]:
    return frozenset(t[:PREFIX] for t in _WORD.findall(norm))


@dataclass(frozen=True)
class Gate:
    prefixes: frozenset[str]  # one of these must be a word prefix of the text
    substrings: tuple[str, ...]  # or one of these must occur in the text

    def open(self, norm: str, prefixes: frozenset[str]) -> bool:
        if self.prefixes and not self.prefixes.isdisjoint(prefixes):
            return True
        return any(s in norm for s in self.substrings)


@dataclass(frozen=True)
class _Lit:
    text: str
    word_start: bool


def _is_word_lookbehind(av: tuple) -> bool:
    direction, sub = av
    if direction != -1:
        return False
    for op, arg in sub:
        if op is _c.IN and any(o is _c.CATEGORY and a is _c.CATEGORY_WORD for o, a in arg):
            return True
    return False


def _charset_literals(items: list) -> list[str] | None:
    chars = []
    for op, av in items:
        if op is not _c.LITERAL:
            return None
        chars.append(chr(av))
    return chars if 0 < len(chars) <= 6 else None


def _required(seq, word_start: bool) -> list[_Lit] | None:  # noqa: C901 - a small tree walk
    """Literals at least one of which occurs in every match of seq (None: unknown)."""
    candidates: list[list[_Lit]] = []
    run: list[str] = []
    run_ws = word_start
    ws = word_start

    def end_run() -> None:
        if run:
            candidates.append([_Lit("".join(run), run_ws)])
            run.clear()

    for op, av in seq:
        if op is _c.LITERAL:
            if not run:
                run_ws = ws
            run.append(chr(av).lower())
            ws = False
            continue
        end_run()
        if op is _c.AT:
            ws = av is _c.AT_BOUNDARY or ws
            continue
        if op is _c.ASSERT_NOT:
            ws = _is_word_lookbehind(av) or ws
            continue
        if op is _c.ASSERT:
            continue  # zero width, no position change
        if op is _c.SUBPATTERN:
            sub = av[-1]
            alts = _required(sub, ws)
        elif op is _c.BRANCH:
            alts = []
            for branch in av[1]:
                got = _required(branch, ws)
                if got is None:
                    alts = None
                    break
                alts.extend(got)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            lo, _hi, item = av
            alts = _required(item, ws) if lo >= 1 else None
        elif op is _c.IN:
            chars = _charset_literals(av)
            alts = [_Lit(ch, ws) for ch in chars] if chars else None
        else:
            alts = None
        if alts:
            candidates.append(alts)
        ws = False
    end_run()
    if not candidates:
        return None

    def score(alts: list[_Lit]) -> tuple[int, int, int]:
        shortest = min(len(a.text) for a in alts)
        good = all(a.word_start and _usable_prefix(a.text) for a in alts)
        return (min(shortest, PREFIX + 2) + (3 if good else 0), -len(alts), shortest)

    return max(candidates, key=score)


def _usable_prefix(text: str) -> str | None:
    """The word-prefix key for a literal at a word start, if the index can answer for it."""
    m = re.match(r"\w+", text)
    if not m:
        return None
    word = m.group(0)
    if len(word) >= PREFIX:
        return word[:PREFIX]
    if m.end() < len(text):  # "de " : the whole word is known, shorter than the prefix length
        return word
    return None


def gate_for(pattern: str, flags: int = 0) -> Gate | None:
    """A gate for a regex, or None when no literal is provably required."""
    try:
        parsed = _p.parse(pattern, flags)
    except re.error:
        return None
    lits = _required(list(parsed), False)
    if not lits:
        return None
    prefixes: set[str] = set()
    subs: list[str] = []
    for lit in lits:
        key = _usable_prefix(lit.text) if lit.word_start else None
        if key is not None:
            prefixes.add(key)
        else:
            subs.append(lit.text)
    if any(s == "" for s in subs):
        return None
    return Gate(frozenset(prefixes), tuple(dict.fromkeys(subs)))
