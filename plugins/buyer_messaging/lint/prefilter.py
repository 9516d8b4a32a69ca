"""Which rule regexes can match a message, for all of them at once, with Hyperscan.

Every regex of the rule files is registered here, with the language of its list, and compiled
into one Hyperscan database per language (and one for "any") in *prefilter* mode: Hyperscan
relaxes what it cannot do exactly (lookarounds, mostly; we open bounded repeats too) so that it
reports every regex that matches, and now and then one that does not. A message is scanned once
with the databases of its languages (tens of microseconds); Python's ``re`` then runs only the
regexes that were reported, for their spans, their sentence conditions and the excerpt. Which
regexes run changes how fast a message is linted, never its verdict: a regex that is reported
but does not match finds nothing.

Hyperscan's ``\\w`` is ASCII here (its Unicode mode takes minutes to compile our rules), so
the text is scanned with every other letter or digit written as ``x`` or ``0``: a word
character stays one, and a regex with a non-ASCII letter in it is always run instead.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import hyperscan

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_NON_ASCII_WORD = re.compile(r"[^\W\x00-\x7f]")


class PatternIndex:
    """Regexes by id, in groups (the language of a rule's list, or "any"), and one Hyperscan
    database per group (rebuilt when a regex is added). A message is scanned with the databases
    of its languages alone: a fifth of the regexes each, so less to scan and far less memory to
    compile than one database of all of them."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, int], int] = {}
        self._groups: dict[str, set[int]] = {}
        self._always: set[int] = set()  # run on every message
        self._dbs: dict[str, Any] = {}  # group -> database, None when it has no regex
        self._always_now: frozenset[int] = frozenset()
        self._version = 0  # registrations so far; the databases are of _built
        self._built = -1
        self._lock = threading.Lock()
        self._local = threading.local()

    def register(self, pattern: str, flags: int, group: str = "any") -> int:
        key = (pattern, flags & (re.IGNORECASE | re.DOTALL | re.MULTILINE))
        with self._lock:
            pid = self._ids.get(key)
            if pid is None:
                pid = self._ids[key] = len(self._ids)
                if _NON_ASCII_WORD.search(pattern):
                    self._always.add(pid)
            members = self._groups.setdefault(group, set())
            if pid not in members:
                members.add(pid)
                self._version += 1
        return pid

    def prepare(self) -> None:
        """Compile the databases now (rule loading does: the first message should not wait)."""
        self._databases()

    def _databases(self) -> tuple[dict[str, Any], frozenset[int]]:
        with self._lock:
            if self._built != self._version:
                try:
                    dbs = {group: self._compile(ids) for group, ids in self._groups.items()}
                except hyperscan.error:
                    # a regex Hyperscan cannot take even as a prefilter: find it, always run it
                    for key, pid in self._ids.items():
                        if pid not in self._always and not _compiles(*key):
                            self._always.add(pid)
                    dbs = {group: self._compile(ids) for group, ids in self._groups.items()}
                self._dbs, self._built = dbs, self._version
                self._always_now = frozenset(self._always)
                self._local = threading.local()  # scratch space belongs to a database
            return self._dbs, self._always_now

    def _compile(self, ids: set[int]) -> Any:
        items = [(k, i) for k, i in self._ids.items() if i in ids and i not in self._always]
        if not items:
            return None
        db = hyperscan.Database()
        db.compile(
            expressions=[_pcre(p).encode() for (p, _), _ in items],
            ids=[i for _, i in items],
            elements=len(items),
            flags=[_hs_flags(f) for (_, f), _ in items],
        )
        return db

    def scan(self, text: str, groups: tuple[str, ...] | None = None) -> frozenset[int]:
        """The ids of the regexes of ``groups`` (default: all) that may match ``text`` (every
        one that does), and those that are always run."""
        dbs, always = self._databases()
        chosen = [(g, dbs[g]) for g in (dbs if groups is None else groups) if dbs.get(g)]
        if not chosen:
            return always
        scratches: dict[str, Any] = self._local.__dict__.setdefault("scratches", {})
        found: set[int] = set(always)
        if not text.isascii():
            text = _NON_ASCII.sub(_ascii_word, text)
        data = text.encode()
        for group, db in chosen:
            scratch = scratches.get(group)
            if scratch is None:
                scratch = scratches[group] = hyperscan.Scratch(db)
            db.scan(data, match_event_handler=_collect, context=found, scratch=scratch)
        return frozenset(found)


def _collect(pid: int, _from: int, _to: int, _flags: int, found: set[int]) -> None:
    found.add(pid)


# an escape, a character class, or a bounded repeat ("{2,40}", Python's "{,40}")
_REPEAT_OR_SKIP = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|\{(\d*),\d+\}", re.DOTALL)


def _pcre(pattern: str) -> str:
    """The pattern in PCRE's syntax, its bounded repeats made open: "X{2,40}" is "X{2,}" and
    Python's "X{,40}" "X{0,}". Each bound costs Hyperscan a counter in the automaton: with
    them our rules took ~15 s and ~190 MB to compile, without them ~5 s and ~100 MB, and the
    scan is faster. An open repeat matches more, so every regex that matches is still
    reported; inside a lookaround it changes nothing, as prefilter mode drops lookarounds."""
    return _REPEAT_OR_SKIP.sub(_open_repeat, pattern)


def _open_repeat(m: re.Match[str]) -> str:
    if m.group(1) is None:
        return m.group(0)  # an escape or a character class, as written
    return "{" + (m.group(1) or "0") + ",}"


def _ascii_word(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch.isdigit():
        return "0"
    return "x" if ch.isalnum() else ch


def _hs_flags(flags: int) -> int:
    out = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_UTF8
    if flags & re.IGNORECASE:
        out |= hyperscan.HS_FLAG_CASELESS
    if flags & re.DOTALL:
        out |= hyperscan.HS_FLAG_DOTALL
    if flags & re.MULTILINE:
        out |= hyperscan.HS_FLAG_MULTILINE
    return out


def _compiles(pattern: str, flags: int) -> bool:
    try:
        hyperscan.Database().compile(expressions=[_pcre(pattern).encode()], ids=[0], elements=1,
                                     flags=[_hs_flags(flags)])  # fmt: skip
    except hyperscan.error:
        return False
    return True


def case_flags(pattern: str) -> int:
    """IGNORECASE, unless the pattern has no upper-case letter: it runs on lower-case text,
    where both find the same, and Python's engine searches faster without it."""
    literal = re.sub(r"\\.", "", pattern)  # escapes (\W, \S, \B) are not letters
    return re.IGNORECASE if any(c.isupper() for c in literal) else 0


INDEX = PatternIndex()
