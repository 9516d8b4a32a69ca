"""Text normalisation for matching, and the per-message analysis the detectors share.

Detectors match on a *normalised* copy of the message: lower case, accents folded
(``é`` → ``e``), typographic quotes and dashes made ASCII, non-breaking spaces made spaces.
Normalisation maps one character to one character, so a match's offsets are also offsets
into the original text and excerpts quote the message as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from buyer_messaging.lint.gate import clauses_holding
from buyer_messaging.lint.language import detect, scores
from buyer_messaging.lint.links import find_emails, find_links, may_have_domain

LANGS = ("en", "fr", "de", "es", "it")


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x250):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0].lower()
        if len(base) == 1 and base != ch:
            table[cp] = base
    for ch in "\u2018\u2019\u201a\u201b\u02bc\u00b4\u0060\u2032":
        table[ord(ch)] = "'"
    for ch in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033":
        table[ord(ch)] = '"'
    for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212":
        table[ord(ch)] = "-"
    for ch in "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u3000\t":
        table[ord(ch)] = " "
    table[0x200B] = " "  # zero-width space: a space for matching (keeps offsets)
    table[0x00DF] = "\u00df"  # ß stays ß
    # IGNORECASE equates these with i and s; rule regexes run without it (lint/fastre.py)
    table[0x0131] = "i"  # dotless ı
    table[0x017F] = "s"  # long ſ
    return table


FOLD = _fold_table()


_FOLDABLE = re.compile("[\t`\u00a0-\uffff]")


def _fold_char(m: re.Match[str]) -> str:
    return FOLD.get(ord(m.group(0)), m.group(0))


def normalize(text: str) -> str:
    """Lower case, fold accents and punctuation; same length as ``text``."""
    low = text.lower()
    if len(low) != len(text):  # e.g. "İ": lower() grew the string; fold per character
        low = "".join(c.lower()[0] for c in text)
    return _FOLDABLE.sub(_fold_char, low)


def fold_pattern(pattern: str) -> str:
    """Fold accents in a regex pattern the way ``normalize`` folds text (case is left to flags)."""
    return pattern.translate(FOLD)


_WORDS = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\s*\n\s*")


_T = TypeVar("_T")


class cached_property(Generic[_T]):  # noqa: N801 (a drop-in for functools')
    """functools.cached_property without its per-instance lock (Python 3.11 takes one on every
    first access): a message is analysed by one thread, and it computes ~10 of these."""

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


class Message:
    """One message to lint and everything the detectors compute about it, each at most once."""

    __slots__ = (
        "kind", "locale", "lang", "subject", "body", "channel", "preferred_locale",
        "message_type", "order_id", "text", "body_start", "__dict__",
    )  # fmt: skip

    def __init__(
        self,
        *,
        kind: str,
        locale: str,
        subject: str,
        body: str,
        channel: str | None = None,
        preferred_locale: str | None = None,
        message_type: str | None = None,
        order_id: str | None = None,
    ) -> None:
        self.kind = kind
        self.locale = locale
        self.lang = (locale or "").split("-")[0].split("_")[0].lower()
        self.subject = subject or ""
        self.body = body or ""
        self.channel = channel
        self.preferred_locale = preferred_locale
        self.message_type = message_type
        self.order_id = order_id
        # subject and body as one text: the subject is its own line (its own sentence)
        self.text = self.subject + "\n" + self.body
        self.body_start = len(self.subject) + 1

    # --- shared, lazily computed -------------------------------------------------------
    @cached_property
    def norm(self) -> str:
        return normalize(self.text)

    @cached_property
    def words(self) -> list[str]:
        return _WORDS.findall(self.norm)

    @cached_property
    def held_clauses(self) -> set[int]:
        return clauses_holding(self.norm, self.words)

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        start = 0
        text = self.text
        for m in _SENTENCE_END.finditer(text):
            if m.start() > start:
                spans.append((start, m.start()))
            start = m.end()
        if start < len(text):
            spans.append((start, len(text)))
        return spans

    def sentence_at(self, pos: int) -> tuple[int, int]:
        for start, end in self.sentences:
            if start <= pos < end:
                return start, end
        return pos, pos

    @cached_property
    def language_scores(self) -> dict[str, int]:
        return scores(self.words)

    @cached_property
    def detected_lang(self) -> str | None:
        return detect(self.language_scores)

    @cached_property
    def match_langs(self) -> tuple[str, ...]:
        """Languages whose phrase lists apply: the locale's, and the detected one if different."""
        langs = [self.lang] if self.lang in LANGS else []
        if self.detected_lang and self.detected_lang not in langs:
            langs.append(self.detected_lang)
        if self.preferred_locale:
            pref = self.preferred_locale.split("-")[0].lower()
            if pref in LANGS and pref not in langs:
                langs.append(pref)
        return tuple(langs)

    @cached_property
    def domain_hint(self) -> bool:
        return may_have_domain(self.norm)

    @cached_property
    def emails(self) -> list[tuple[int, int]]:
        return find_emails(self.norm, self.domain_hint)

    @cached_property
    def links(self) -> list:
        return find_links(self.norm, self.emails, self.domain_hint)

    def field_spans(self, fields: tuple[str, ...]) -> list[tuple[int, int]]:
        spans = []
        if "subject" in fields:
            spans.append((0, len(self.subject)))
        if "body" in fields:
            spans.append((self.body_start, len(self.text)))
        return spans

    def excerpt(self, start: int, end: int, limit: int = 160) -> str:
        """The original text of [start, end), widened to its sentence when short, clipped."""
        s_start, s_end = self.sentence_at(start)
        if s_end - s_start <= limit and s_start <= start and end <= s_end:
            start, end = s_start, s_end
        piece = self.text[start:end].strip()
        if len(piece) > limit:
            piece = piece[: limit - 1].rstrip() + "\u2026"
        return piece
