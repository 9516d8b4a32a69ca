"""Numbers written in words, turned into digits before the phone detector runs.

"Call oh-seven-seven double-oh nine one …", "appelez le zéro six douze trente-quatre …",
"chiamate il tre tre tre …": a phone number spelled out in any of the five languages is a
phone number. Runs of at least three number words (or digit groups) are found in the
normalised text with a vocabulary per language and converted by ``text2num`` (which knows
each language's grammar: "soixante-dix-huit" is 78, "zweiundvierzig" 42), after spelling out
what it leaves alone: English "oh" for zero and "double"/"triple" in every language.

The result maps each of its positions back to the normalised text, so a phone found in it
is quoted as the buyer would read it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from text_to_num import alpha2digit

_UNITS = {
    "en": """zero oh nought one two three four five six seven eight nine ten eleven twelve thirteen
        fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty
        seventy eighty ninety hundred""",
    "fr": """zero un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze
        quinze seize vingt vingts trente quarante cinquante soixante cent cents""",
    "de": """null eins ein zwei zwo drei vier funf sechs sieben acht neun zehn elf zwolf zwanzig
        dreissig dreißig vierzig funfzig sechzig siebzig achtzig neunzig hundert""",
    "es": """cero uno un dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce
        quince dieciseis diecisiete dieciocho diecinueve veinte veintiuno veintidos veintitres
        veinticuatro veinticinco veintiseis veintisiete veintiocho veintinueve treinta cuarenta
        cincuenta sesenta setenta ochenta noventa cien ciento doscientos trescientos
        cuatrocientos quinientos seiscientos setecientos ochocientos novecientos""",
    "it": """zero uno due tre quattro cinque sei sette otto nove dieci undici dodici tredici
        quattordici quindici sedici diciassette diciotto diciannove venti trenta quaranta
        cinquanta sessanta settanta ottanta novanta cento""",
}
_REPEATS = {
    "en": "double|triple",
    "fr": "double|triple",
    "de": "doppel|doppelt|dreifach",
    "es": "doble|triple",
    "it": "doppio|triplo",
}
# words made of number parts: "siebenundzwanzig", "dreizehn", "trentaquattro", "ventitre"
_DE_UNIT = r"(?:ein|eins|zwei|drei|vier|funf|sechs|sieben|acht|neun)"
_DE_TEENS_TENS = (
    r"(?:(?:drei|vier|funf|sech|sieb|acht|neun)zehn|elf|zwolf|(?:" + _DE_UNIT + r"und)?"
    r"(?:zwanzig|dreissig|dreißig|vierzig|funfzig|sechzig|siebzig|achtzig|neunzig))"
)
_IT_UNIT = r"(?:uno|due|tre|quattro|cinque|sei|sette|otto|nove)"
_IT_TENS = (
    r"(?:(?:vent|trent|quarant|cinquant|sessant|settant|ottant|novant)[ai]?" + _IT_UNIT + "?"
    r"|dieci|undici|dodici|tredici|quattordici|quindici|sedici|diciassette|diciotto|diciannove)"
)
_COMPOUNDS = {
    # "siebenundzwanzig", "dreizehn", and with hundreds: "einhundertsiebzig", "dreihundertzwölf"
    "de": r"(?:" + _DE_UNIT + r"?hundert(?:und)?(?:" + _DE_TEENS_TENS + "|" + _DE_UNIT + r")?"
    r"|" + _DE_TEENS_TENS + r")",
    # "trentaquattro", "ventitre", and with hundreds: "trecentoquarantasette", "centoventi"
    "it": r"(?:(?:due|tre|quattro|cinque|sei|sette|otto|nove)?cento(?:"
    + _IT_TENS
    + "|"
    + _IT_UNIT
    + r")?|(?:vent|trent|quarant|cinquant|sessant|settant|ottant|novant)[ai]?"
    + _IT_UNIT
    + r")",
    "es": r"veinti\w+",
}
_ARTICLES = frozenset("one un une uno una ein o oh".split())
_ZERO = {"en": "zero", "fr": "zéro", "de": "null", "es": "cero", "it": "zero"}
_CONNECT = {"en": "and", "fr": "et", "de": "und", "es": "y", "it": "e"}


@dataclass(frozen=True)
class _Lang:
    words: frozenset[str]
    gate: frozenset[str]
    run: re.Pattern[str]
    repeat: re.Pattern[str]
    compound: re.Pattern[str] | None
    compound_word: re.Pattern[str] | None  # a compound as a whole word, searched in the text


def _lang(lang: str) -> _Lang:
    words = _UNITS[lang].split()
    alts = sorted(words + _REPEATS[lang].split("|"), key=len, reverse=True)
    word = "(?:" + "|".join(alts) + (f"|{_COMPOUNDS[lang]}" if lang in _COMPOUNDS else "") + ")"
    token = r"(?:\d+|" + word + r")(?!\w)"
    # groups may be set apart by a middle dot or a bullet as well ("seis cero cero · uno dos")
    sep = r"(?:[ ,.;:\-/·•]{1,3}|\s+" + _CONNECT[lang] + r"\s+)"
    return _Lang(
        words=frozenset(words),
        gate=frozenset(words) - _ARTICLES,
        run=re.compile(r"(?<!\w)" + token + r"(?:" + sep + token + r"){2,}"),
        repeat=re.compile(r"\b(" + _REPEATS[lang] + r")[\s-]+(\w+)"),
        compound=re.compile(_COMPOUNDS[lang]) if lang in _COMPOUNDS else None,
        compound_word=(
            re.compile(r"(?<!\w)(?:" + _COMPOUNDS[lang] + r")(?!\w)")
            if lang in _COMPOUNDS
            else None
        ),
    )


LANGS = {lang: _lang(lang) for lang in _UNITS}
_GAPS = re.compile(r"[\s,.;:/·•-]+")
_WORD_END = re.compile(r"\w*")
MIN_WORDS = 3  # fewer number words make a quantity ("a set of four"), not a phone number
_WORD_CACHE: dict[tuple[str, str], bool] = {}


def _is_number_word(lang: str, spec: _Lang, word: str) -> bool:
    if word in spec.words:
        return True
    if spec.compound is None or len(word) < 6:
        return False
    key = (lang, word)
    hit = _WORD_CACHE.get(key)
    if hit is None:
        if len(_WORD_CACHE) > 100_000:
            _WORD_CACHE.clear()
        hit = _WORD_CACHE[key] = spec.compound.fullmatch(word) is not None
    return hit


@dataclass(frozen=True)
class Digitised:
    """Text with spelled-out numbers as digits; ``offsets[i]``: its position i in the source."""

    text: str
    offsets: list[int]

    def source_span(self, start: int, end: int, source: str) -> tuple[int, int]:
        """The span of ``source`` that [start, end) was made from, to the end of its last word."""
        s_start = self.offsets[start]
        s_end = self.offsets[end - 1] + 1 if end > start else s_start
        m = _WORD_END.match(source, s_end)
        return s_start, m.end() if m else s_end


def _unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _spell_out(piece: str, lang: str, spec: _Lang) -> str:
    """What text2num leaves alone: "double oh" is "oh oh", and "oh" is zero (English)."""
    piece = spec.repeat.sub(
        lambda m: " ".join([m.group(2)] * (3 if m.group(1).startswith(("tri", "drei")) else 2)),
        piece,
    )
    if lang == "en":
        piece = re.sub(r"\b(?:oh|o|nought)\b", "zero", piece)
    for folded, spelled in _ACCENTS.get(lang, {}).items():
        piece = re.sub(r"\b" + folded + r"\b", spelled, piece)
    return piece.replace("-", " ")


# text2num reads words as written: put back the accents normalisation folded away (used
# when the original could not be lined up with the normalised text)
_ACCENTS = {
    "fr": {"zero": "zéro"},
    "de": {"funf": "fünf", "zwolf": "zwölf", "dreissig": "dreißig", "funfzig": "fünfzig"},
    "es": {
        "dieciseis": "dieciséis",
        "veintidos": "veintidós",
        "veintitres": "veintitrés",
        "veintiseis": "veintiséis",
    },
}


def digitise(
    norm: str, words: list[str], langs: tuple[str, ...], original: str
) -> Digitised | None:
    """Spelled-out numbers in ``norm`` as digits, or None when there are none to convert.

    ``original`` is the text ``norm`` was made from, with the same positions (text2num needs
    the accents that normalisation folds: "fünf", "zéro")."""
    for lang in langs:
        spec = LANGS.get(lang)
        if spec is None:
            continue
        # cheap gate: number words that are not also articles ("un", "one", "ein")
        hits = spec.gate.intersection(words)
        count = sum(words.count(w) for w in hits) if hits else 0
        if count < MIN_WORDS and spec.compound_word is not None and count:
            # "null einhundertsiebzig, zwölf, …": compounds are number words too
            count += len(spec.compound_word.findall(norm))
        if count < MIN_WORDS:
            continue
        out: list[str] = []
        offsets: list[int] = []
        last = 0
        for m in spec.run.finditer(norm):
            piece = m.group(0)
            if sum(1 for w in re.findall(r"[^\W\d]+", piece) if _is_number_word(lang, spec, w)) < 2:
                continue  # digit groups with a word between them: already digits
            source = unicodedata.normalize("NFC", original[m.start() : m.end()].lower())
            # the original only for its accents: a full-width or look-alike letter ("ｑｕａｔｔｒｏ",
            # Cyrillic "о") is no word text2num knows, the normalised piece reads right
            if len(source) != len(piece) or _unaccented(source) != piece:
                source = piece
            # spelled-out groups are one number read in parts: keep only spaces between them
            digits = _GAPS.sub(" ", alpha2digit(_spell_out(source, lang, spec), lang))
            if not any(c.isdigit() for c in digits):
                continue
            out.append(norm[last : m.start()])
            offsets += range(last, m.start())
            out.append(digits)
            # every digit maps into the run, proportionally: a quote of a part stays inside it
            span = m.end() - m.start()
            offsets += [m.start() + (i * span) // max(1, len(digits)) for i in range(len(digits))]
            last = m.end()
        if out:
            out.append(norm[last:])
            offsets += range(last, len(norm) + 1)
            return Digitised("".join(out), offsets)
    return None
