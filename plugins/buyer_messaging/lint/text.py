"""Text normalisation for matching, and the per-message analysis the detectors share.

Detectors match on a *normalised* copy of the message: Unicode NFKC (full-width letters,
ligatures, the one-dot leader ``․`` and the full-width ``＠`` become their plain forms), then
lower case, accents folded (``é`` → ``e``), look-alike letters and dots from other scripts
mapped to the Latin letter they imitate (Unicode's confusables data, shipped by the
``confusable-homoglyphs`` package: a Cyrillic ``о`` reads as ``o``), the ideographic full stop
``。`` made a dot, typographic quotes and dashes made ASCII, non-breaking spaces made spaces,
and combining marks and zero-width characters dropped.

Most characters map to one character; when some do not (``ﬁ`` → ``fi``, a dropped zero-width
space), ``Normalised.offsets`` maps every normalised position back to the original, so an
excerpt still quotes the message as written.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Generic, TypeVar

from buyer_messaging.domain import LANGUAGES
from buyer_messaging.lint.language import (
    detect,
    may_lead,
    scores,
    split_words,
    stop_word_languages,
)
from buyer_messaging.lint.links import find_emails, find_links, may_have_domain
from buyer_messaging.lint.prefilter import INDEX

LANGS = LANGUAGES


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
    # invisible characters split nothing a reader sees: "bit\u200b.ly" is bit.ly
    for ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e":
        table[ord(ch)] = ""
    table[0x00DF] = "\u00df"  # ß stays ß
    # IGNORECASE equates these with i and s; most rule regexes run without it (prefilter.py)
    table[0x0131] = "i"  # dotless ı
    table[0x017F] = "s"  # long ſ
    return table


FOLD = _fold_table()

# Full stops of other scripts that Unicode's confusables data does not equate with "."
# (it maps "。" to a ring, and NFKC leaves it): a reader takes them for the dot of a domain.
_EXTRA_DOTS = "\u3002\ufe12\uff61\u06d4\u0701\u0702\ua60e\u2e3c\u2e33\u0589\u1362\u166e"
# the symbols a confusable may stand for: letters, digits, the dot and the at-sign
_TARGETS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.@")


@lru_cache(maxsize=1)
def _confusables() -> dict[str, str]:
    """Non-ASCII character -> the ASCII letter, digit, "." or "@" it is confusable with."""
    raw = json.loads(
        resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    )
    out: dict[str, str] = {}
    for plain, glyphs in raw.items():
        if plain.lower() not in _TARGETS or len(plain) != 1:
            continue
        for g in glyphs:
            look = g["c"].strip("\u200e")
            if len(look) == 1 and not look.isascii():
                out.setdefault(look, plain.lower())
    for ch in _EXTRA_DOTS:
        out[ch] = "."
    return out


def _map_char(ch: str) -> str:
    """What one (lower-cased) character becomes in normalised text."""
    folded = FOLD.get(ord(ch))
    if folded is not None:
        return folded
    if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return ""  # combining marks (a strike-through, a stray accent), format controls
    nfkc = unicodedata.normalize("NFKC", ch)
    if nfkc != ch:
        return "".join(_map_char(c) for c in nfkc.lower())
    if unicodedata.category(ch) == "Nd":
        return str(unicodedata.digit(ch))  # other scripts' digits: "٠٦١٢" is 0612
    base = unicodedata.normalize("NFD", ch)[0]
    if base != ch and base.isascii():
        return base.lower()  # accented Latin letters beyond Latin Extended-B
    look = _confusables().get(ch)
    # CJK and other "Lo" letters are words of their own script, not disguises
    if look is not None and unicodedata.category(ch) != "Lo":
        return look
    return ch


_MAP: dict[str, str] = {}
# characters that do not map to exactly one character, as a regex (grown as they are met)
_ODD: set[str] = set()
_odd_re: re.Pattern[str] | None = None


def _char(ch: str) -> str:
    global _odd_re
    out = _MAP.get(ch)
    if out is None:
        out = _MAP[ch] = _map_char(ch)
        if len(out) != 1:
            _ODD.add(ch)
            _odd_re = re.compile("[" + "".join(re.escape(c) for c in sorted(_ODD)) + "]")
    return out


_FOLDABLE = re.compile("[\t`\u00a0-\U0010ffff]")


def _fold_char(m: re.Match[str]) -> str:
    return _char(m.group(0))


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):  # e.g. "İ": lower() grew the string; fold per character
        low = "".join(c.lower()[0] for c in text)
    return low


@dataclass(frozen=True)
class Normalised:
    """Normalised text; ``offsets[i]`` is the original position of its character i (and
    ``offsets[len(text)]`` the original length), or None when positions are the same."""

    text: str
    offsets: list[int] | None

    def orig(self, pos: int) -> int:
        return pos if self.offsets is None else self.offsets[pos]

    def orig_end(self, end: int) -> int:
        """The original end of a span that ends at normalised ``end``."""
        if self.offsets is None or end == 0:
            return end
        return self.offsets[end - 1] + 1


def normalize_mapped(text: str) -> Normalised:
    low = _lower(text)
    norm = _FOLDABLE.sub(_fold_char, low)
    if len(norm) == len(text) and (_odd_re is None or _odd_re.search(low) is None):
        return Normalised(norm, None)
    offsets: list[int] = []
    last = 0
    assert _odd_re is not None  # a length changed, so some character maps to 0 or 2+
    for m in _odd_re.finditer(low):
        i = m.start()
        offsets += range(last, i)
        offsets += [i] * len(_char(low[i]))
        last = i + 1
    offsets += range(last, len(low) + 1)
    return Normalised(norm, offsets)


def normalize(text: str) -> str:
    """Lower case, NFKC, look-alikes and accents folded, punctuation made ASCII."""
    return _FOLDABLE.sub(_fold_char, _lower(text))


def fold_pattern(pattern: str) -> str:
    """Fold accents in a regex pattern the way ``normalize`` folds text (case is left to flags)."""
    return pattern.translate(FOLD)


_WORDS = re.compile(r"\w+")
_SENTENCE_TYPO = re.compile(r"[^\W\d_A-Z]{2,}\.[A-Z][^\W\d_A-Z]+")
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


def _sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _sentence_at(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for start, end in spans:
        if start <= pos < end:
            return start, end
    return pos, pos


def _clip(piece: str, limit: int) -> str:
    piece = piece.strip()
    if len(piece) > limit:
        piece = piece[: limit - 1].rstrip() + "\u2026"
    return piece


class Message:
    """One message to lint and everything the detectors compute about it, each at most once.

    Positions the detectors find are in ``norm`` (see ``Normalised``); ``quote`` and
    ``excerpt`` turn them back into the message's own words."""

    __slots__ = (
        "kind", "locale", "lang", "subject", "body", "channel", "preferred_locale",
        "message_type", "order_id", "facts", "text", "body_start", "__dict__",
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
        facts: dict[str, Any] | None = None,
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
        self.facts = facts
        # subject and body as one text: the subject is its own line (its own sentence)
        self.text = self.subject + "\n" + self.body
        self.body_start = len(self.subject) + 1

    # --- shared, lazily computed -------------------------------------------------------
    @cached_property
    def normalised(self) -> Normalised:
        return normalize_mapped(self.text)

    @cached_property
    def known(self) -> Any:
        """The facts the renderer put in, found in the text (``lint.facts.Known``)."""
        from buyer_messaging.lint.facts import find_known

        return find_known(self.normalised.text, self.facts, normalize)

    @cached_property
    def norm(self) -> str:
        """Normalised subject and body, with known product titles and addresses blanked."""
        return self.known.masked

    @cached_property
    def norm_body_start(self) -> int:
        offsets = self.normalised.offsets
        return self.body_start if offsets is None else bisect_left(offsets, self.body_start)

    @cached_property
    def words(self) -> list[str]:
        return _WORDS.findall(self.norm)

    @cached_property
    def may_match(self) -> frozenset[int]:
        """Ids of the rule regexes that may match ``norm`` (``lint.prefilter``), of the lists of
        the languages the message is matched in (``match_langs``) and of every language."""
        return INDEX.scan(self.norm, ("any", *self.match_langs))

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        return _sentences(self.norm)

    @cached_property
    def text_sentences(self) -> list[tuple[int, int]]:
        return _sentences(self.text)

    def sentence_at(self, pos: int) -> tuple[int, int]:
        """The sentence of ``norm`` around a position of ``norm``."""
        return _sentence_at(self.sentences, pos)

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
        # a sentence in another language (an English offer in a French message) brings its
        # language's lists too: the message as a whole is still the locale's. A sentence's
        # stop words are some of the message's (counted the same way, over the whole text), so
        # only a language with 2 in the message (detect's min_hits) that may lead a sentence
        # at all (``may_lead``) can lead one: without such a language no sentence is scored.
        pieces = split_words(self.words)
        split = scores(pieces)  # with language_scores: scores(self.norm)
        candidates = [
            lang
            for lang, n in self.language_scores.items()
            if n + split[lang] >= 2 and lang in LANGS and lang not in langs
        ]
        if not candidates:
            return tuple(langs)
        groups = stop_word_languages(self.words + pieces)
        if not any(may_lead(lang, groups) for lang in candidates):
            return tuple(langs)
        for start, end in self.sentences:
            lang = detect(scores(self.norm[start:end]), min_hits=2)
            if lang and lang in LANGS and lang not in langs:
                langs.append(lang)
        return tuple(langs)

    @cached_property
    def digitised(self) -> Any:
        """``norm`` with numbers written in words as digits (``numwords.Digitised``), or None."""
        from buyer_messaging.lint.numwords import digitise

        original = self.text if self.normalised.offsets is None else self.norm
        return digitise(self.norm, self.words, self.match_langs, original)

    @cached_property
    def tracking_spans(self) -> list[tuple[int, int]]:
        """Tracking numbers in ``norm``: recognised by format, and those the renderer put in."""
        from buyer_messaging.lint.tracking import find_tracking

        return sorted(find_tracking(self.norm, self.sentences) + self.known.tracking_spans)

    @cached_property
    def domain_hint(self) -> bool:
        return may_have_domain(self.norm)

    @cached_property
    def emails(self) -> list[tuple[int, int]]:
        return find_emails(self.norm, self.domain_hint, english="en" in self.match_langs)

    @cached_property
    def links(self) -> list:
        links = find_links(self.norm, self.emails, self.domain_hint)
        # "is on its way.It went out": a missing space between sentences, not a domain (no one
        # writes a domain's label in lower case and its top-level domain capitalised)
        return [
            link for link in links
            if not (link.form == "bare" and _SENTENCE_TYPO.fullmatch(self.quote(link.start, link.end)))
        ]  # fmt: skip

    def field_spans(self, fields: tuple[str, ...]) -> list[tuple[int, int]]:
        """Spans of the fields in ``norm``."""
        spans = []
        if "subject" in fields:
            spans.append((0, self.norm_body_start - 1))
        if "body" in fields:
            spans.append((self.norm_body_start, len(self.norm)))
        return spans

    def text_field_spans(self, fields: tuple[str, ...]) -> list[tuple[int, int]]:
        """Spans of the fields in ``text`` (the message as written)."""
        spans = []
        if "subject" in fields:
            spans.append((0, len(self.subject)))
        if "body" in fields:
            spans.append((self.body_start, len(self.text)))
        return spans

    def orig_span(self, start: int, end: int) -> tuple[int, int]:
        n = self.normalised
        return n.orig(start), max(n.orig(start), n.orig_end(end))

    def quote(self, start: int, end: int) -> str:
        """The original text of the normalised span [start, end)."""
        o_start, o_end = self.orig_span(start, end)
        return self.text[o_start:o_end].strip()

    def excerpt(self, start: int, end: int, limit: int = 160) -> str:
        """The original text of normalised [start, end), widened to its sentence when short."""
        s_start, s_end = self.sentence_at(start)
        if s_start <= start and end <= s_end:
            w_start, w_end = self.orig_span(s_start, s_end)
            if w_end - w_start <= limit:
                return _clip(self.text[w_start:w_end], limit)
        o_start, o_end = self.orig_span(start, end)
        return _clip(self.text[o_start:o_end], limit)

    def excerpt_text(self, start: int, end: int, limit: int = 160) -> str:
        """The text of [start, end) of ``text``, widened to its sentence when short, clipped."""
        s_start, s_end = _sentence_at(self.text_sentences, start)
        if s_end - s_start <= limit and s_start <= start and end <= s_end:
            start, end = s_start, s_end
        return _clip(self.text[start:end], limit)
