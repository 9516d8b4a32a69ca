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
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from buyer_messaging.lint.detectors import (
    CompiledMap,
    DetectorClass,
    PatternMap,
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
        for name, item in value.items():
            try:
                _check_pattern_map(item)
            except ValueError as err:
                raise ValueError(f"{name}: {err}") from None
        return value


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


CLAUSE_DETECTORS: dict[str, DetectorClass] = {"clause": Clause}
