"""Detectors: the code behind rules. A rule file names a detector and gives its parameters.

Every detector is built once from its (validated) parameters and then called per message
with a ``text.Message``; it returns an excerpt when the rule is broken, else None.

``phrase`` is the general one: regex lists per language (``en``, ``fr``, ``de``, ``es``,
``it``, and ``any`` for every language), matched on normalised text (lower case, accents
folded), optionally requiring other phrases in the same sentence or anywhere in the message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from buyer_messaging.domain import COUNTRIES
from buyer_messaging.lint.language import detect
from buyer_messaging.lint.links import Link, host_matches
from buyer_messaging.lint.prefilter import INDEX, case_flags
from buyer_messaging.lint.text import LANGS, Message, fold_pattern

PatternMap = dict[str, list[str]]


class Detector(Protocol):
    """A built detector: the excerpt of `msg` that breaks its rule, else None.

    A detector may also have ``needs``, a set of prefilter ids (``lint.prefilter``): it finds
    nothing in a message for which the prefilter reported none of them, so the engine does
    not call it (most rules, on most messages)."""

    def __call__(self, msg: Message) -> str | None: ...


class DetectorClass(Protocol):
    """What a rule file's `detector` names: its parameters' model, and the detector built
    from parameters validated by that model (each class takes its own model's instance)."""

    @property
    def params_model(self) -> type[BaseModel]: ...

    def __call__(self, p: Any) -> Detector: ...


_LANG_KEYS = (*LANGS, "any")


TextField = Literal["subject", "body"]
LinkForm = Literal["url", "bare", "disguised", "html"]


def _both_fields() -> list[TextField]:
    return ["subject", "body"]


def _all_link_forms() -> list[LinkForm]:
    return ["url", "bare", "disguised", "html"]


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_each(value: dict[str, Any], check: Any) -> dict[str, Any]:
    """Check every named item of a rule parameter (cues, evidence, requirements), the error
    prefixed with the item's name."""
    for name, item in value.items():
        try:
            check(item)
        except ValueError as err:
            raise ValueError(f"{name}: {err}") from None
    return value


def _check_pattern_map(value: Any) -> Any:
    if not isinstance(value, dict):
        raise ValueError(
            "expected a mapping of language (en, fr, de, es, it, any) to a list of regexes"
        )
    for lang, patterns in value.items():
        if lang not in _LANG_KEYS:
            raise ValueError(
                f"unknown language key {lang!r}; expected one of {', '.join(_LANG_KEYS)}"
            )
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise ValueError(f"{lang}: expected a list of regex strings")
        for i, p in enumerate(patterns):
            try:
                re.compile(p)
            except re.error as err:
                raise ValueError(f"{lang}[{i}]: invalid regex {p!r}: {err}") from None
    return value


class _Patterns:
    """One language's compiled patterns, in order, with the set of their prefilter ids: most
    messages share none of them, which one C-level set operation tells."""

    __slots__ = ("items", "ids", "unfiltered")

    def __init__(self, items: list[tuple[int | None, re.Pattern[str]]]) -> None:
        self.items = items
        self.ids = frozenset(pid for pid, _ in items if pid is not None)
        self.unfiltered = [pattern for pid, pattern in items if pid is None]

    def that_may_match(self, may: frozenset[int]) -> list[re.Pattern[str]]:
        if may.isdisjoint(self.ids):
            return self.unfiltered
        return [pattern for pid, pattern in self.items if pid is None or pid in may]


class CompiledMap:
    """A pattern map compiled per pattern; each (but case-sensitive ones, which read the text
    as written, and maps built with ``prefilter=False``, which a detector runs only on what
    another map found) is registered with the prefilter, which tells which may match a message."""

    __slots__ = ("by_lang", "any", "case_sensitive", "ids", "filtered")

    def __init__(
        self,
        patterns: PatternMap,
        *,
        fold: bool = True,
        case_sensitive: bool = False,
        prefilter: bool = True,
    ) -> None:
        self.case_sensitive = case_sensitive

        def build(items: list[str], lang: str) -> _Patterns:
            out: list[tuple[int | None, re.Pattern[str]]] = []
            for item in items:
                p = fold_pattern(item) if fold else item
                if case_sensitive:
                    out.append((None, re.compile(p)))
                elif not prefilter:
                    out.append((None, re.compile(p, case_flags(p))))
                else:
                    flags = case_flags(p)
                    out.append((INDEX.register(p, flags, lang), re.compile(p, flags)))
            return _Patterns(out)

        self.by_lang = {
            lang: build(items, lang) for lang, items in patterns.items() if lang != "any"
        }
        self.any = build(patterns.get("any", []), "any")
        every = [*self.by_lang.values(), self.any]
        self.ids = frozenset().union(*(p.ids for p in every))
        # all of them registered: when the prefilter reported none, none can match (the
        # usual case: a message may match ~10 of the ~800 regexes)
        self.filtered = not any(p.unfiltered for p in every)

    def patterns(self, msg: Message) -> list[re.Pattern[str]]:
        """The patterns for the message's languages that may match it."""
        may = msg.may_match
        if self.filtered and may.isdisjoint(self.ids):
            return []
        out: list[re.Pattern[str]] = []
        for lang in msg.match_langs:
            found = self.by_lang.get(lang)
            if found is not None:
                out += found.that_may_match(may)
        return out + self.any.that_may_match(may)

    def search(self, msg: Message, text: str, start: int = 0, end: int | None = None) -> bool:
        end = len(text) if end is None else end
        return any(p.search(text, start, end) for p in self.patterns(msg))


# ------------------------------------------------------------------------------------ phrase
class PhraseParams(_Params):
    patterns: PatternMap
    also: list[PatternMap] = Field(default_factory=list)  # each must match in the same scope
    unless: PatternMap | None = None  # the scope is skipped when one of these matches
    message_also: list[PatternMap] = Field(
        default_factory=list
    )  # each must match somewhere in the message
    message_unless: PatternMap | None = None
    scope: Literal["sentence", "message"] = "sentence"
    fields: list[TextField] = Field(default_factory=_both_fields)
    case_sensitive: bool = False

    @field_validator("patterns", "unless", "message_unless")
    @classmethod
    def _maps(cls, value: Any) -> Any:
        return value if value is None else _check_pattern_map(value)

    @field_validator("also", "message_also")
    @classmethod
    def _lists(cls, value: list[Any]) -> list[Any]:
        for i, item in enumerate(value):
            try:
                _check_pattern_map(item)
            except ValueError as err:
                raise ValueError(f"[{i}]: {err}") from None
        return value


class Phrase:
    params_model = PhraseParams

    def __init__(self, p: PhraseParams) -> None:
        cs = p.case_sensitive
        self.primary = CompiledMap(p.patterns, fold=not cs, case_sensitive=cs)
        self.also = [CompiledMap(m, fold=not cs, case_sensitive=cs) for m in p.also]
        self.unless = CompiledMap(p.unless, fold=not cs, case_sensitive=cs) if p.unless else None
        self.message_also = [CompiledMap(m, fold=not cs, case_sensitive=cs) for m in p.message_also]
        self.message_unless = (
            CompiledMap(p.message_unless, fold=not cs, case_sensitive=cs)
            if p.message_unless
            else None
        )
        self.sentence = p.scope == "sentence"
        self.fields = tuple(p.fields)
        self.case_sensitive = cs
        # no primary pattern may match: no patterns, no violation
        self.needs = self.primary.ids if self.primary.filtered else None

    def __call__(self, msg: Message) -> str | None:
        primary = self.primary.patterns(msg)
        if not primary:
            return None
        # case-sensitive rules read the message as written, the others its normalised form
        cs = self.case_sensitive
        text = msg.text if cs else msg.norm
        # cheap whole-message checks first: every "also" must match somewhere at all
        if self.also and not all(c.patterns(msg) for c in self.also):
            return None
        if self.message_also and not all(c.search(msg, text) for c in self.message_also):
            return None
        if self.message_unless and self.message_unless.search(msg, text):
            return None
        spans = msg.text_field_spans(self.fields) if cs else msg.field_spans(self.fields)
        for pattern in primary:
            for f_start, f_end in spans:
                for m in pattern.finditer(text, f_start, f_end):
                    if self._context_ok(msg, text, m.start(), f_start, f_end):
                        if cs:
                            return msg.excerpt_text(m.start(), m.end())
                        return msg.excerpt(m.start(), m.end())
        return None

    def _context_ok(self, msg: Message, text: str, pos: int, f_start: int, f_end: int) -> bool:
        if not self.also and not self.unless:
            return True
        if not self.sentence:
            start, end = f_start, f_end
        elif self.case_sensitive:
            start, end = _sentence_in(msg.text_sentences, pos)
        else:
            start, end = msg.sentence_at(pos)
        if self.unless and self.unless.search(msg, text, start, end):
            return False
        return all(c.search(msg, text, start, end) for c in self.also)


def _sentence_in(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for start, end in spans:
        if start <= pos < end:
            return start, end
    return pos, pos


# ------------------------------------------------------------------------------ links, e-mail
_AMAZON_DOMAINS = [
    "amazon.com", "amazon.co.uk", "amazon.fr", "amazon.de", "amazon.es", "amazon.it", "amazon.ca",
    "amazon.com.mx", "amazon.nl", "amazon.se", "amazon.pl", "amazon.com.be", "amazon.eu",
    "sellercentral.amazon.com", "sellercentral-europe.amazon.com", "media-amazon.com",
    "ssl-images-amazon.com", "images-amazon.com",
]  # fmt: skip
_SHORTENERS = [
    "bit.ly", "tinyurl.com", "goo.gl", "t.co", "ow.ly", "is.gd", "buff.ly", "rebrand.ly", "cutt.ly",
    "shorturl.at", "tiny.cc", "rb.gy", "s.id", "lnkd.in", "amzn.to", "amzn.eu", "a.co", "t.ly", "v.gd",
    "bl.ink", "short.io", "tr.im", "qr.co", "linktr.ee",
]  # fmt: skip


class LinkParams(_Params):
    allowed_domains: list[str] = Field(default_factory=lambda: list(_AMAZON_DOMAINS))
    forms: list[LinkForm] = Field(default_factory=_all_link_forms)
    exclude_domains: list[str] = Field(
        default_factory=list
    )  # links to these are not this rule's business
    only_domains: list[str] = Field(default_factory=list)  # if given: links to these alone
    fields: list[TextField] = Field(default_factory=_both_fields)


class ExternalLink:
    """A link to anything but the allowed (Amazon's own) domains; look-alikes are not Amazon."""

    params_model: ClassVar[type[LinkParams]] = LinkParams

    def __init__(self, p: LinkParams) -> None:
        self.allowed = frozenset(d.lower() for d in p.allowed_domains)
        self.excluded = frozenset(d.lower() for d in p.exclude_domains)
        self.only = frozenset(d.lower() for d in p.only_domains)
        self.forms = frozenset(p.forms)
        self.fields = tuple(p.fields)

    def _links(self, msg: Message) -> list[Link]:
        spans = msg.field_spans(self.fields)
        return [
            link for link in msg.links
            if link.form in self.forms and any(s <= link.start < e for s, e in spans)
            and (not self.only or host_matches(link.host, self.only))
        ]  # fmt: skip

    def __call__(self, msg: Message) -> str | None:
        for link in self._links(msg):
            if self._allowed(msg, link) or host_matches(link.host, self.excluded):
                continue
            return msg.quote(link.start, link.end)
        return None

    def _allowed(self, msg: Message, link: Link) -> bool:
        # a host spelled with look-alike letters (Cyrillic "а", full-width "ａ") is not Amazon's
        return host_matches(link.host, self.allowed) and msg.quote(link.start, link.end).isascii()


class AmazonLinkParams(LinkParams):
    paths: list[str]  # regexes on the part after the host (normalised, lower case)


class AmazonLink(ExternalLink):
    """A link to an Amazon page that is not the order's own business: a storefront, other products."""

    params_model = AmazonLinkParams

    def __init__(self, p: AmazonLinkParams) -> None:
        super().__init__(p)
        self.paths = re.compile("|".join(f"(?:{x})" for x in p.paths))

    def __call__(self, msg: Message) -> str | None:
        for link in self._links(msg):
            if not self._allowed(msg, link):
                continue
            rest = (
                link.url[link.url.find(link.host) + len(link.host) :]
                if link.host in link.url
                else ""
            )
            if self.paths.search(rest):
                return msg.quote(link.start, link.end)
        return None


class WebsiteAddressParams(LinkParams):
    shorteners: list[str] = Field(default_factory=lambda: list(_SHORTENERS))
    # a link the sentence calls the seller's own ("our guide is at …"), in any form but markup
    own: PatternMap | None = None

    @field_validator("own")
    @classmethod
    def _own_map(cls, value: Any) -> Any:
        return value if value is None else _check_pattern_map(value)


# "amaz0n-refunds.com", "amazon-erstattung.de": a look-alike of Amazon is an external link only
_AMAZON_LOOKALIKE = re.compile(r"am[a4@]z[o0]n|arnaz[o0]n")


class WebsiteAddress(ExternalLink):
    """A non-Amazon web address that names a site off Amazon (not a short link): one the buyer
    reads as an address (a scheme, www., a domain written as one piece, whatever its dots look
    like), or any link but markup that its sentence calls the seller's own. A domain spelled out
    in spaced words ("shop dot de", "www . shop . fr") is only a link, as is a markup target."""

    params_model = WebsiteAddressParams

    def __init__(self, p: WebsiteAddressParams) -> None:
        super().__init__(p)
        self.shorteners = frozenset(p.shorteners)
        self.own = CompiledMap(p.own, fold=True, case_sensitive=False) if p.own else None

    def __call__(self, msg: Message) -> str | None:
        for link in self._links(msg):
            if (
                self._allowed(msg, link)
                or host_matches(link.host, self.excluded)
                or host_matches(link.host, self.shorteners)
            ):
                continue
            if self._names_a_site(msg, link):
                return msg.quote(link.start, link.end)
        return None

    def _names_a_site(self, msg: Message, link: Link) -> bool:
        if link.form == "html" or _AMAZON_LOOKALIKE.search(link.host):
            return False  # a hidden target; a host posing as Amazon's is no seller's own site
        if link.form != "disguised" or not any(
            c.isspace() for c in msg.norm[link.start : link.end]
        ):
            return True
        if self.own is None:
            return False
        start, end = msg.sentence_at(link.start)
        return self.own.search(msg, msg.norm, start, end)


class EmailParams(_Params):
    fields: list[TextField] = Field(default_factory=_both_fields)


class EmailAddress:
    params_model = EmailParams

    def __init__(self, p: EmailParams) -> None:
        self.fields = tuple(p.fields)

    def __call__(self, msg: Message) -> str | None:
        spans = msg.field_spans(self.fields)
        for start, end in msg.emails:
            if any(s <= start < e for s, e in spans):
                return msg.quote(start, end)
        return None


# ---------------------------------------------------------------------------------- phones
class PhoneParams(_Params):
    phone_words: str | None = None  # regex alternation; default: phones.DEFAULT_PHONE_WORDS
    other_number_words: str | None = None  # default: phones.DEFAULT_OTHER_NUMBER_WORDS
    extra_phone_words: list[str] = Field(default_factory=list)
    extra_other_number_words: list[str] = Field(default_factory=list)
    min_digits: int = 7
    max_digits: int = 15
    regions: list[str] = Field(default_factory=lambda: list(COUNTRIES))
    fields: list[TextField] = Field(default_factory=_both_fields)
    # click-to-chat links whose path is the number itself (wa.me/393331234567)
    number_link_hosts: list[str] = Field(default_factory=list)


_LINKED_NUMBER = re.compile(r"(?<!\d)\+?\d{7,15}(?!\d)")


class PhoneNumber:
    params_model = PhoneParams

    def __init__(self, p: PhoneParams) -> None:
        from buyer_messaging.lint import phones

        words = p.phone_words or phones.DEFAULT_PHONE_WORDS
        other = p.other_number_words or phones.DEFAULT_OTHER_NUMBER_WORDS
        if p.extra_phone_words:
            words += "|" + "|".join(fold_pattern(w) for w in p.extra_phone_words)
        if p.extra_other_number_words:
            other += "|" + "|".join(fold_pattern(w) for w in p.extra_other_number_words)
        self.finder = phones.PhoneFinder(
            phone_words=words, other_number_words=other, min_digits=p.min_digits,
            max_digits=p.max_digits, regions=p.regions,
        )  # fmt: skip
        self.fields = tuple(p.fields)
        self.number_link_hosts = frozenset(p.number_link_hosts)

    def __call__(self, msg: Message) -> str | None:
        if self.number_link_hosts and msg.links:
            for link in msg.links:
                path = link.url[len(link.host) :] if link.url.startswith(link.host) else link.url
                if host_matches(link.host, self.number_link_hosts) and _LINKED_NUMBER.search(path):
                    return msg.quote(link.start, link.end)
        region = msg.locale.split("-")[-1].upper() if "-" in msg.locale else None
        spans = msg.field_spans(self.fields)

        def phones(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
            known = msg.tracking_spans if found else []
            return [
                (start, end) for start, end in found
                # not a tracking number (by its format, or the renderer put it there)
                if not any(s < end and start < e for s, e in known)
                and any(s <= start < e for s, e in spans)
            ]  # fmt: skip

        found = phones(self.finder.find(msg.norm, region))
        # spelled out ("oh seven seven …"), also when the digits in the message were all the
        # order's tracking number: the words are read only when no phone was found in digits
        if not found and msg.digitised is not None:
            found = phones([
                msg.digitised.source_span(s, e, msg.norm)
                for s, e in self.finder.find(msg.digitised.text, region, spelled=True)
            ])  # fmt: skip
        return msg.quote(*found[0]) if found else None


# ------------------------------------------------------------------------ required content
# A requirement is a regex map (one of its patterns matches), a list of requirements (all of
# them hold), {one_of: [requirement, ...]} (at least one holds) or {detected: name}: what a
# recogniser found (a tracking number in a carrier's format, also written in groups).
Requirement = Any
_DETECTED: dict[str, Callable[[Message], list[tuple[int, int]]]] = {
    "tracking_number": lambda msg: msg.tracking_spans,
}


def _check_requirement(req: Any) -> None:
    if isinstance(req, list):
        for i, item in enumerate(req):
            try:
                _check_requirement(item)
            except ValueError as err:
                raise ValueError(f"[{i}]: {err}") from None
    elif isinstance(req, dict) and "one_of" in req:
        if set(req) != {"one_of"} or not isinstance(req["one_of"], list):
            raise ValueError("one_of: expected {one_of: [requirement, ...]} and no other key")
        _check_requirement(req["one_of"])
    elif isinstance(req, dict) and "detected" in req:
        if set(req) != {"detected"} or req["detected"] not in _DETECTED:
            raise ValueError(
                f"detected: expected {{detected: one of {', '.join(sorted(_DETECTED))}}}"
            )
    else:
        _check_pattern_map(req)


def _compile_requirement(req: Any) -> Callable[[Message, list[tuple[int, int]]], bool]:
    if isinstance(req, list):
        parts = [_compile_requirement(r) for r in req]
        return lambda msg, spans: all(p(msg, spans) for p in parts)
    if isinstance(req, dict) and "one_of" in req:
        parts = [_compile_requirement(r) for r in req["one_of"]]
        return lambda msg, spans: any(p(msg, spans) for p in parts)
    if isinstance(req, dict) and "detected" in req:
        found = _DETECTED[req["detected"]]
        return lambda msg, spans: any(s <= a < e for a, _ in found(msg) for s, e in spans)
    cm = CompiledMap(req)
    return lambda msg, spans: any(cm.search(msg, msg.norm, s, e) for s, e in spans)


class RequiredParams(_Params):
    require: dict[str, Requirement]  # fact name -> requirement
    fields: list[TextField] = Field(default_factory=_both_fields)

    @field_validator("require")
    @classmethod
    def _require(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _check_each(value, _check_requirement)


class RequiredContent:
    """Every named fact must be stated; the excerpt lists the missing ones."""

    params_model = RequiredParams

    def __init__(self, p: RequiredParams) -> None:
        self.require = [(name, _compile_requirement(req)) for name, req in p.require.items()]
        self.fields = tuple(p.fields)

    def __call__(self, msg: Message) -> str | None:
        # subject and body are searched as one text (they are joined by a newline)
        spans = [(0, len(msg.norm))] if len(self.fields) == 2 else msg.field_spans(self.fields)
        missing = [name for name, holds in self.require if not holds(msg, spans)]
        return "missing: " + ", ".join(missing) if missing else None


class OrderIdParams(_Params):
    pattern: str = r"(?<![\w-])[0-9d]\d{2}-\d{7}-\d{7}(?![\w-])"


class OrderId:
    """The message names its order: the given order id, or any Amazon order id when none is given."""

    params_model = OrderIdParams

    def __init__(self, p: OrderIdParams) -> None:
        self.pattern = re.compile(p.pattern, re.IGNORECASE)

    def __call__(self, msg: Message) -> str | None:
        if msg.order_id:
            return (
                None
                if msg.order_id.lower() in msg.norm
                else f"order id {msg.order_id} not in the message"
            )
        return None if self.pattern.search(msg.norm) else "no order id in subject or body"


# ----------------------------------------------------------------------------------- format
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U0001f1e6-\U0001f1ff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff"
    "\u3030\u303d\u3297\u3299\ufe0f\u200d\u20e3]"
)


class NoParams(_Params):
    fields: list[TextField] = Field(default_factory=_both_fields)


class Emoji:
    params_model = NoParams

    def __init__(self, p: NoParams) -> None:
        self.fields = tuple(p.fields)

    def __call__(self, msg: Message) -> str | None:
        if msg.text.isascii():
            return None  # every emoji is outside ASCII
        for s, e in msg.text_field_spans(self.fields):
            m = _EMOJI.search(msg.text, s, e)
            if m:
                return msg.excerpt_text(m.start(), m.end())
        return None


class LineBreakParams(_Params):
    max_consecutive: int = 2


class LineBreaks:
    params_model = LineBreakParams

    def __init__(self, p: LineBreakParams) -> None:
        # starts with a literal "\n" so the engine jumps from newline to newline (the same
        # matches as "(?:\r?\n[ \t]*){n+1,}", less a leading "\r": the count is of "\n"s)
        self.pattern = re.compile(r"\n(?:[ \t\u00a0]*\r?\n){" + str(p.max_consecutive) + ",}")
        self.max = p.max_consecutive

    def __call__(self, msg: Message) -> str | None:
        m = self.pattern.search(msg.body)
        return (
            f"{m.group(0).count(chr(10))} line breaks in a row (at most {self.max})" if m else None
        )


class LengthParams(_Params):
    default: int = 2000  # characters, for a Messaging API text without a more specific limit
    limits: dict[str, int] = Field(default_factory=dict)  # message type -> characters

    @field_validator("limits")
    @classmethod
    def _keys(cls, value: dict[str, int]) -> dict[str, int]:
        return {normalize_message_type(k): v for k, v in value.items()}


def normalize_message_type(name: str) -> str:
    n = re.sub(r"[^a-z]", "", name.lower())
    return n[6:] if n.startswith("create") and len(n) > 6 else n


class Length:
    """The text is over its message type's limit (the body is what the Messaging API sends)."""

    params_model = LengthParams

    def __init__(self, p: LengthParams) -> None:
        self.default = p.default
        self.limits = p.limits

    def __call__(self, msg: Message) -> str | None:
        limit = self.default
        if msg.message_type:
            limit = self.limits.get(normalize_message_type(msg.message_type), self.default)
        n = len(msg.body)
        return (
            f"{n} characters, over the limit of {limit}"
            + (f" for {msg.message_type}" if msg.message_type else "")
            if n > limit
            else None
        )


class LanguageParams(_Params):
    min_hits: int = 4
    margin: float = 2.0


class Language:
    """The message is not in the buyer's language (preferred locale, else the message's locale)."""

    params_model = LanguageParams

    def __init__(self, p: LanguageParams) -> None:
        self.min_hits = p.min_hits
        self.margin = p.margin

    def __call__(self, msg: Message) -> str | None:
        expected = (msg.preferred_locale or msg.locale or "").split("-")[0].lower()
        if expected not in LANGS:
            return None
        scores = msg.language_scores
        found = detect(scores, min_hits=self.min_hits, margin=self.margin)
        if (
            found
            and found != expected
            and scores[found] >= self.margin * scores.get(expected, 0) + 1
        ):
            return f"written in {found!r}, expected {expected!r} ({msg.preferred_locale or msg.locale})"
        return None


DETECTORS: dict[str, DetectorClass] = {
    "phrase": Phrase,
    "external_link": ExternalLink,
    "amazon_link": AmazonLink,
    "website_address": WebsiteAddress,
    "email_address": EmailAddress,
    "phone_number": PhoneNumber,
    "required_content": RequiredContent,
    "order_id": OrderId,
    "emoji": Emoji,
    "line_breaks": LineBreaks,
    "length": Length,
    "language": Language,
}
