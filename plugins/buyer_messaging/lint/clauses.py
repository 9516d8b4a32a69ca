"""Clause-level rules: a review ask *combined with* a condition, a benefit or a contact-first.

Words alone cannot tell "if you are happy, leave a review" (gating) from "if you are not happy
with the size, return it" plus a separate, neutral review ask. The ``clause`` detector fires
when an ``ask`` (e.g. any mention of a review, rating or stars) and one of its named
``evidence`` maps (e.g. ``condition``, ``benefit``) occur in the same sentence, or within
``before``/``after`` neighbouring sentences ("Happy with it? Leave a review."). The excerpt
names the evidence that fired, so a reviewer sees why: ``condition: "Satisfied? Then …"``.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from buyer_messaging.lint.detectors import (
    CompiledMap,
    DetectorClass,
    PatternMap,
    _check_each,
    _check_pattern_map,
)
from buyer_messaging.lint.text import Message


class ClauseParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ask: PatternMap
    evidence: dict[str, PatternMap] = Field(min_length=1)  # name -> map; any one suffices
    before: int = Field(default=0, ge=0, le=3)  # sentences before the ask's that count
    after: int = Field(default=0, ge=0, le=3)
    unless: PatternMap | None = None  # vetoes the ask's own sentence
    ask_also: PatternMap | None = None  # must match in the ask's own sentence (a request form)
    fields: list[str] = Field(default_factory=lambda: ["subject", "body"])

    @field_validator("ask", "unless", "ask_also")
    @classmethod
    def _maps(cls, value: Any) -> Any:
        return value if value is None else _check_pattern_map(value)

    @field_validator("evidence")
    @classmethod
    def _evidence(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _check_each(value, _check_pattern_map)


class Clause:
    params_model = ClauseParams

    def __init__(self, p: ClauseParams) -> None:
        self.ask = CompiledMap(p.ask)
        # rules that share an ask (the review terms) share its matches on a message
        self.ask_key = json.dumps([p.ask, p.fields], sort_keys=True)
        self.evidence = [(name, CompiledMap(m)) for name, m in p.evidence.items()]
        self.unless = CompiledMap(p.unless) if p.unless else None
        self.ask_also = CompiledMap(p.ask_also) if p.ask_also else None
        self.before, self.after = p.before, p.after
        self.fields = tuple(p.fields)
        # no evidence pattern may match: no evidence, no violation
        maps = [cm for _, cm in self.evidence]
        self.needs = (
            frozenset().union(*(cm.ids for cm in maps)) if all(cm.filtered for cm in maps) else None
        )

    def _asks(self, msg: Message) -> list[tuple[int, int]]:
        cache = msg.__dict__.setdefault("_clause_asks", {})
        spans = cache.get(self.ask_key)
        if spans is None:
            text = msg.norm
            spans = []
            for pattern in self.ask.patterns(msg):
                for f_start, f_end in msg.field_spans(self.fields):
                    spans += [(m.start(), m.end()) for m in pattern.finditer(text, f_start, f_end)]
            cache[self.ask_key] = spans = sorted(spans)
        return spans

    def __call__(self, msg: Message) -> str | None:
        evidence = [(name, pats) for name, cm in self.evidence if (pats := cm.patterns(msg))]
        if not evidence:
            return None
        asks = self._asks(msg)
        if not asks:
            return None
        text = msg.norm
        sentences = msg.sentences
        starts = [s for s, _ in sentences]
        last = len(sentences) - 1
        # the ask's sentences (once each), then the evidence in the few sentences around it
        seen: set[int] = set()
        for a_start, a_end in asks:
            # by the ask's last character: an ask pattern may begin on the punctuation that
            # ends the sentence before ("… today. Rate your purchase …")
            i = max(bisect.bisect_right(starts, a_end - 1) - 1, 0)
            if i in seen:
                continue
            seen.add(i)
            s_start, s_end = sentences[i]
            if self.unless and self.unless.search(msg, text, s_start, s_end):
                continue
            # checked on the ask's sentence only: cheaper than a second scan of the message
            if self.ask_also and not self.ask_also.search(msg, text, s_start, s_end):
                continue
            lo = sentences[max(i - self.before, 0)][0]
            hi = sentences[min(i + self.after, last)][1]
            for name, pats in evidence:
                for p in pats:
                    e = p.search(text, lo, hi)
                    if e:
                        start, end = min(a_start, e.start()), max(a_end, e.end())
                        return f"{name}: {msg.excerpt(start, end)}"
        return None


class OfferParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    goods: PatternMap  # talk of goods other than the order's ("our new range", "next order")
    cues: dict[str, PatternMap] = Field(min_length=1)  # name -> map; any one suffices
    own: PatternMap  # a clause about the order itself: its refund, price paid, replacement
    breaks: PatternMap  # where a sentence's clauses part (commas, "and", "so", "und", ...)
    after: int = Field(default=0, ge=0, le=1)  # the cue may be in the sentence after the goods'
    fields: list[str] = Field(default_factory=lambda: ["subject", "body"])

    @field_validator("goods", "own", "breaks")
    @classmethod
    def _maps(cls, value: Any) -> Any:
        return _check_pattern_map(value)

    @field_validator("cues")
    @classmethod
    def _cues(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _check_each(value, _check_pattern_map)


class Offer:
    """A sales pitch in plain prose: other goods than the order's and a buying, price or
    looking cue in one sentence ("our spring mugs just landed, and they're $12 apiece").

    Neither alone is one: "our range" is small talk, "$34.50" is the refund. A clause that is
    about the order itself (``own``: the refund, the price paid, the replacement, what came in
    the box, "no longer available") lends neither goods nor cue, so "we refunded $20, and our
    new range is 20% off" still fires on its second clause, while "a new one of the same model,
    free of charge" does not. Clauses part at ``breaks`` (punctuation, conjunctions)."""

    params_model = OfferParams

    def __init__(self, p: OfferParams) -> None:
        self.goods = CompiledMap(p.goods)
        # run only where goods were found: in the prefilter, words as common as "and", a comma
        # or a price would cost every message a Hyperscan match callback or more
        self.cues = [(name, CompiledMap(m, prefilter=False)) for name, m in p.cues.items()]
        self.own = CompiledMap(p.own, prefilter=False)
        self.breaks = CompiledMap(p.breaks, prefilter=False)
        self.after = p.after
        self.fields = tuple(p.fields)

    def _free_clauses(
        self, msg: Message, i: int, own: list[re.Pattern[str]], breaks: list[re.Pattern[str]]
    ) -> list[tuple[int, int]]:
        """Sentence i's clauses that are not about the order itself."""
        text = msg.norm
        s_start, s_end = msg.sentences[i]
        clauses = _clauses(text, s_start, s_end, breaks)
        return [(a, b) for a, b in clauses if not any(p.search(text, a, b) for p in own)]

    def __call__(self, msg: Message) -> str | None:
        goods = self.goods.patterns(msg)
        if not goods:
            return None
        cues = [(name, pats) for name, cm in self.cues if (pats := cm.patterns(msg))]
        if not cues:
            return None
        text = msg.norm
        own = self.own.patterns(msg)
        breaks = self.breaks.patterns(msg)
        spans = msg.field_spans(self.fields)
        sentences = msg.sentences
        for i, (s_start, s_end) in enumerate(sentences):
            if not any(f_start <= s_start < f_end for f_start, f_end in spans):
                continue
            found = [(g.start(), g.end()) for p in goods for g in p.finditer(text, s_start, s_end)]
            if not found:
                continue
            clauses = self._free_clauses(msg, i, own, breaks)
            found = [g for g in found if any(a <= g[0] < b for a, b in clauses)]
            if not found:
                continue
            if self.after and i + 1 < len(sentences):
                clauses += self._free_clauses(msg, i + 1, own, breaks)
            for name, pats in cues:
                for p in pats:
                    for a, b in clauses:
                        for c in p.finditer(text, a, b):
                            # a cue within the goods' own words ("new arrivals") is no second sign
                            g = next((g for g in found if c.start() < g[0] or c.end() > g[1]), None)
                            if g is not None:
                                start, end = min(g[0], c.start()), max(g[1], c.end())
                                return f"{name}: {msg.excerpt(start, end)}"
        return None


def _clauses(
    text: str, start: int, end: int, breaks: list[re.Pattern[str]]
) -> list[tuple[int, int]]:
    cuts = sorted({m.start() for p in breaks for m in p.finditer(text, start, end)})
    bounds = [start, *cuts, end]
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


CLAUSE_DETECTORS: dict[str, DetectorClass] = {"clause": Clause, "offer": Offer}
