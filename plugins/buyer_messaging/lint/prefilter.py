"""Which rule regexes can match a message, for all of them at once, with Hyperscan.

Every regex of the rule files is registered here and compiled into one Hyperscan database in
*prefilter* mode: Hyperscan relaxes what it cannot do exactly (lookarounds, mostly) so that it
reports every regex that matches, and very rarely one that does not. A message is scanned once
(a few microseconds); Python's ``re`` then runs only the regexes that were reported, for their
spans, their sentence conditions and the excerpt. Which regexes run changes how fast a message
is linted, never its verdict: a regex that is reported but does not match finds nothing.

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
    """Regexes by id, and one Hyperscan database over them (rebuilt when one is added)."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, int], int] = {}
        self._always: set[int] = set()  # run on every message
        self._db: Any = None
        self._db_size = 0
        self._lock = threading.Lock()
        self._local = threading.local()

    def register(self, pattern: str, flags: int) -> int:
        key = (pattern, flags & (re.IGNORECASE | re.DOTALL | re.MULTILINE))
        with self._lock:
            pid = self._ids.get(key)
            if pid is None:
                pid = self._ids[key] = len(self._ids)
                if _NON_ASCII_WORD.search(pattern):
                    self._always.add(pid)
        return pid

    def prepare(self) -> None:
        """Compile the database now (rule loading does: the first message should not wait)."""
        self._database()

    def _database(self) -> tuple[Any, frozenset[int]]:
        with self._lock:
            if self._db is None or self._db_size != len(self._ids):
                try:
                    db = self._compile()
                except hyperscan.error:
                    # a regex Hyperscan cannot take even as a prefilter: find it, always run it
                    for key, pid in self._ids.items():
                        if pid not in self._always and not _compiles(*key):
                            self._always.add(pid)
                    db = self._compile()
                self._db, self._db_size = db, len(self._ids)
                self._local = threading.local()  # scratch space belongs to a database
            return self._db, frozenset(self._always)

    def _compile(self) -> Any:
        items = [(k, i) for k, i in self._ids.items() if i not in self._always]
        db = hyperscan.Database()
        if items:
            db.compile(
                expressions=[_pcre(p).encode() for (p, _), _ in items],
                ids=[i for _, i in items],
                elements=len(items),
                flags=[_hs_flags(f) for (_, f), _ in items],
            )
        return db

    def scan(self, text: str) -> frozenset[int]:
        """The ids of the regexes that may match ``text`` (every one that does)."""
        db, always = self._database()
        if len(always) == self._db_size:
            return always  # nothing in the database
        scratch = getattr(self._local, "scratch", None)
        if scratch is None or getattr(self._local, "db", None) is not db:
            scratch = self._local.scratch = hyperscan.Scratch(db)
            self._local.db = db
        found: set[int] = set(always)
        if not text.isascii():
            text = _NON_ASCII.sub(_ascii_word, text)
        db.scan(text.encode(), match_event_handler=_collect, context=found, scratch=scratch)
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
