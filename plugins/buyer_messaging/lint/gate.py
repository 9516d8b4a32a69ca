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
import re._constants as _c  # Python 3.11+, as pyproject.toml requires
import re._parser as _p
from dataclasses import dataclass

SHORT, LONG = 3, 5  # word prefixes of these lengths are the index's keys
_COMMON = frozenset(".,-/ x:;'\"()!?")  # single characters that are in nearly every message


# Clauses ("one of these literals occurs") are interned to integers and indexed, so that a
# message works out once which clauses hold (set operations), and a gate is then a lookup.
# A literal made of word characters only can occur only inside one of the message's words, so
# what it makes hold is worked out per word, and cached: a message's words are mostly the
# vocabulary of a few templates. Only literals with other characters ("n't", "$") are looked
# for in the whole text.
_CLAUSES: dict[tuple[frozenset[str], tuple[str, ...]], int] = {}
_BY_KEY: dict[str, set[int]] = {}  # word-prefix key -> clauses
_BY_WORD_SUB: dict[str, set[int]] = {}  # word-character literal -> clauses
_BY_SUB: dict[str, set[int]] = {}  # any other literal -> clauses
_BY_WORD: dict[str, frozenset[int]] = {}  # word -> clauses it makes hold (a cache)
_BY_WORD_MAX = 200_000
_WORD_CHARS = re.compile(r"\w+")


def _intern(prefixes: frozenset[str], substrings: tuple[str, ...]) -> int:
    ident = (prefixes, substrings)
    cid = _CLAUSES.get(ident)
    if cid is None:
        cid = _CLAUSES[ident] = len(_CLAUSES)
        _BY_WORD.clear()
        for key in prefixes:
            _BY_KEY.setdefault(key, set()).add(cid)
        for sub in substrings:
            index = _BY_WORD_SUB if _WORD_CHARS.fullmatch(sub) else _BY_SUB
            index.setdefault(sub, set()).add(cid)
    return cid


def _word_clauses(word: str) -> frozenset[int]:
    held: set[int] = set()
    for key in {word[:SHORT], word[:LONG]}:
        held |= _BY_KEY.get(key, set())
    for sub, cids in _BY_WORD_SUB.items():
        if sub in word:
            held |= cids
    return frozenset(held)


def clauses_holding(norm: str, words: list[str]) -> set[int]:
    """The ids of every indexed clause that holds for a text (``words``: its \\w+ runs)."""
    held: set[int] = set()
    by_word = _BY_WORD
    for word in set(words):
        cids = by_word.get(word)
        if cids is None:
            if len(by_word) >= _BY_WORD_MAX:
                by_word.clear()
            cids = by_word[word] = _word_clauses(word)
        if cids:
            held |= cids
    for sub, cids in _BY_SUB.items():
        if sub in norm:
            held |= cids
    return held


@dataclass(frozen=True)
class Gate:
    """Open when, for one of the alternatives, every clause holds."""

    alternatives: tuple[tuple[int, ...], ...]

    def open(self, held: set[int]) -> bool:
        for conj in self.alternatives:
            for cid in conj:
                if cid not in held:
                    break
            else:
                return True
        return False


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


def _non_word_item(items) -> bool:
    """Whether an item only ever matches non-word characters (a space, punctuation)."""
    items = list(items)
    if len(items) != 1:
        return False
    op, av = items[0]
    if op is _c.LITERAL:
        ch = chr(av)
        return not (ch.isalnum() or ch == "_")
    if op is _c.IN:
        for o, a in av:
            if o is _c.CATEGORY:
                if a not in (_c.CATEGORY_SPACE, _c.CATEGORY_NOT_WORD):
                    return False
            elif o is _c.LITERAL:
                if chr(a).isalnum() or chr(a) == "_":
                    return False
            else:
                return False
        return True
    return False


def _ends_non_word(items) -> bool:
    """Whether every match of an item ends with a non-word character."""
    items = list(items)
    if not items:
        return False
    op, av = items[-1]
    if op is _c.SUBPATTERN:
        return _ends_non_word(av[-1])
    if op is _c.BRANCH:
        return all(_ends_non_word(b) for b in av[1])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
        return _ends_non_word(av[2])
    return _non_word_item([items[-1]])


def _charset_literals(items: list) -> list[str] | None:
    chars = []
    for op, av in items:
        if op is not _c.LITERAL:
            return None
        chars.append(chr(av))
    return chars if 0 < len(chars) <= 6 else None


def _required(seq, word_start: bool, conjunction: bool = False):  # noqa: C901 - a small tree walk
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
            ch = chr(av).lower()
            run.append(ch)
            ws = not (ch.isalnum() or ch == "_")
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
        after_ws = False
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
            item_ws = _ends_non_word(item)
            after_ws = item_ws if lo >= 1 else (item_ws and ws)
        elif op is _c.IN:
            chars = _charset_literals(av)
            alts = [_Lit(ch, ws) for ch in chars] if chars else None
            after_ws = _non_word_item([(op, av)])
        else:
            alts = None
        if alts:
            candidates.append(alts)
        ws = after_ws
    end_run()
    if not candidates:
        return None
    if conjunction:
        return candidates  # type: ignore[return-value]

    def score(alts: list[_Lit]) -> tuple[int, int, int]:
        shortest = min(len(a.text) for a in alts)
        good = all(a.word_start and _usable_prefix(a.text) for a in alts)
        common = any(a.text in _COMMON for a in alts)
        return (
            min(shortest, LONG + 2) + (3 if good else 0) - (5 if common else 0),
            -len(alts),
            shortest,
        )

    return max(candidates, key=score)


def _usable_prefix(text: str) -> str | None:
    """The word-prefix key for a literal at a word start, if the index can answer for it."""
    m = re.match(r"\w+", text)
    if not m:
        return None
    word = m.group(0)
    if len(word) >= LONG:
        return word[:LONG]
    if m.end() < len(text):  # "gift " : the whole word is known (indexed whole when short)
        return word
    if len(word) >= SHORT:
        return word[:SHORT]
    return None


def _token_key(text: str, word_start: bool) -> str | None:
    """The best word-prefix key a literal guarantees: the longest of its words that starts a
    token (the first if the literal starts at a word boundary, or any after a non-word char)."""
    best = None
    for m in re.finditer(r"\w+", text):
        if m.start() == 0 and not word_start:
            continue
        word = m.group(0)
        complete = m.end() < len(text)
        if len(word) >= LONG:
            key = word[:LONG]
        elif complete:
            key = word
        elif len(word) >= SHORT:
            key = word[:SHORT]
        else:
            continue
        if best is None or len(key) > len(best):
            best = key
    return best


def _clause(lits: list[_Lit]) -> tuple[frozenset[str], tuple[str, ...]] | None:
    prefixes: set[str] = set()
    subs: list[str] = []
    for lit in lits:
        if not lit.text:
            return None
        key = _token_key(lit.text, lit.word_start)
        if key is not None:
            prefixes.add(key)
        else:
            subs.append(lit.text)
    return frozenset(prefixes), tuple(dict.fromkeys(subs))


def _trivial(c: tuple[frozenset[str], tuple[str, ...]]) -> bool:
    return not c[0] and all(k.strip() == "" for k in c[1])


def _strength(c: tuple[frozenset[str], tuple[str, ...]]) -> int:
    keys = [*c[0], *c[1]]
    weak = any(len(k) <= 2 or k in _COMMON for k in keys)
    return min(len(k) for k in keys) - (4 if weak else 0) - len(keys) // 8


def _conjunction(seq) -> tuple[int, ...] | None:
    cands = _required(seq, False, conjunction=True)
    if not cands:
        return None
    clauses = [c for c in (_clause(x) for x in cands) if c is not None and not _trivial(c)]
    if not clauses:
        return None
    clauses.sort(key=_strength, reverse=True)
    return tuple(_intern(*c) for c in clauses[:3])


def gate_for(pattern: str, flags: int = 0) -> Gate | None:
    """A gate for a regex, or None when no literal is provably required."""
    try:
        parsed = list(_p.parse(pattern, flags))
    except re.error:
        return None
    branches = [parsed]
    if len(parsed) == 1 and parsed[0][0] is _c.BRANCH:
        branches = [list(b) for b in parsed[0][1][1]]
    alternatives = []
    for branch in branches:
        conj = _conjunction(branch)
        if conj is None:
            return None
        alternatives.append(conj)
    return Gate(tuple(alternatives))
