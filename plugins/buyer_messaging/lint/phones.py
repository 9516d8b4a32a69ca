"""Phone numbers in the six marketplaces' formats, and not the other numbers a message carries.

A cheap regex finds digit runs that could be phone numbers (7–15 digits, phone-style
separators); Amazon order ids are masked first, and dates, times, year ranges, ZIP+4 codes
and prices are dropped by shape. What is left is judged by its context and by Google's
libphonenumber (``phonenumbers.PhoneNumberMatcher``) for the marketplaces' regions:

- after a phone word ("call", "Tel.", "appelez", "llámanos", "WhatsApp", …) or with an
  international prefix (``+44``, ``0049``): a *possible* number for some region is a phone;
- after a word that names another kind of number ("tracking", "SKU", "Sendungsnummer",
  "código postal", a carrier name, …): never a phone;
- otherwise a grouped number (``020 7946 0958``) must be a *valid* number of the message's
  region; an unbroken run of digits (a tracking number) is not a phone without a phone word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from buyer_messaging.domain import COUNTRIES

REGIONS = COUNTRIES

ORDER_ID = re.compile(r"(?<![\w-])[0-9d]\d{2}-\d{7}-\d{7}(?![\w-])")
# an order id's tail starts with a literal "-", which the regex engine scans for quickly;
# ORDER_ID itself starts with a lookbehind and is tried at every position
_ORDER_ID_TAIL = re.compile(r"-\d{7}-\d{7}(?![\w-])")
_MASK = "#" * 19


def mask_order_ids(text: str) -> str:
    """The text with every Amazon order id replaced by as many "#"s (offsets are kept)."""
    out: list[str] = []
    last = 0
    for m in _ORDER_ID_TAIL.finditer(text):
        start = m.start() - 3
        if start >= last and ORDER_ID.match(text, start):
            out += (text[last:start], _MASK)
            last = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


_CANDIDATE = re.compile(r"(?<![\w+\-/.,])(?:\+|\(\+?|00)?\d[\d()\-./ ]{4,24}\d(?![\w])")
_SPLIT = re.compile(r"\s{2,}|\s[-/]\s")
# a country code, also with the trunk "(0)" and the area code ("+49 (0) 40 - 87 65 43 21")
_AREA_CODE = re.compile(r"\(?(?:\+\d{1,3}(?: ?\(0\))?(?: ?\d{1,5})?|0\d{1,4}|\d{3})\)?")
# abbreviations whose dot does not end a sentence: "part no. 0 986 494 294", "tel. 030 …"
_ABBREV = frozenset(
    "no nr n num tel ref art cod rif fax mob ph approx ca vs st tfno tlf tlfno tfn cel".split()
)
_SENTENCE_STOP = re.compile(r"(\w*)[.!?]\s|\n")
# a trunk "0" written as its own group before a non-"8" digit: part numbers (Bosch
# "0 986 494 294"), not phone numbers (French toll-free "0 800 …" keeps its own shape)
_PART_NUMBER = re.compile(r"0 [0-79]\d{2} \d{3} \d{3}")


def _since_sentence_start(before: str) -> str:
    cut = -1
    for m in _SENTENCE_STOP.finditer(before):
        if m.group(0) == "\n" or m.group(1) not in _ABBREV:
            cut = m.end() - 1
    return before[cut + 1 :] if cut >= 0 else before


_DOT_BETWEEN_DIGITS = re.compile(r"(?<=\d)[\u00b7\u2022\u2219\u22c5\u2027\u30fb](?=\d)")
_QUICK = re.compile(r"\d[\d()\-./ ]{4,}\d")
_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./-]\d{1,2}[./-]\d{1,2}")
_NOT_PHONE_SHAPES = (
    re.compile(r"(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./-]\d{1,2}[./-]\d{1,2})"),  # a date
    re.compile(r"(?:19|20)\d\d\s?[-/]\s?(?:19|20)\d\d"),  # a year range
    re.compile(r"\d{5}-\d{4}"),  # ZIP+4
    re.compile(r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?"),  # 1.234.567 / 12,345,678
    re.compile(
        r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\s?-\s?\d{1,2}[./-]\d{1,2}[./-]\d{2,4}"
    ),  # date range
)

DEFAULT_PHONE_WORDS = (
    r"call|calling|phone|telephone|tel|tele|mobile|cell|cellphone|ring|text|sms|whatsapp|hotline"
    r"|helpline|fax|dial|reach us|contact us|appel\w*|appelez|telephonez|telephone"
    r"|portable|joindre|contactez|anruf\w*|rufen|telefon\w*|handy|mobil\w*|erreichen|unter"
    r"|llam\w*|telefono|movil|contact\w*|contatt\w*|kontaktier\w*|chiama\w*|cellulare|signal|telegram"
    r"|viber"
    r"|rufnummer\w*|durchwahl|festnetz|joignable|joignez|fixe|tlf|tfno|tf|tlfno|fijo|whatsapp\w*"
    r"|cel|squill\w*|bell|reach me|get in touch|contact me|landline|freephone|toll-free|numero verde"
    r"|imessage|wasap|guasap|direct line|(?:my|our|the) (?:own )?line|durchwahl|ligne directe|linea diretta|linea directa"
)
DEFAULT_OTHER_NUMBER_WORDS = (
    r"track\w*|tracking|trace|sku|asin|ean|isbn|upc|gtin|mpn|model\w*|modell\w*|modele|ref|reference"
    r"|art|artikel\w*|item|part|serial|serie\w*|invoice|rechnung\w*|facture|factura|fattura|order|orders"
    r"|bestell\w*|commande|pedido|ordine|sendung\w*|paket\w*|suivi|colis|seguimiento|envio|tracciamento"
    r"|spedizione|lot|batch|charge|postal|postcode|zip|plz|postleitzahl|cp|cap|iban|bic|account|konto"
    r"|compte|cuenta|conto|code|codice|codigo|id|nr|no|n|ups|usps|fedex|dhl|dpd|gls|hermes|evri|yodel"
    r"|colissimo|chronopost|seur|mrw|correos|brt|sda|nexive|inpost|ontrac|tnt|relay|royal mail"
    r"|parcelforce|poste|lieferschein|waybill|awb|consignment|vat|ust|tva|iva|siret|steuer\w*"
    r"|teil\w*|ersatzteil\w*|bauteil\w*|hersteller\w*|oem|pieza\w*|recambio\w*|repuesto\w*"
    r"|referencia|ricambi\w*|articolo|piece|pieces|reference|riferimento|spare|replacement"
    r"|type|typ|tipo|rma|ticket|claim|vorgang\w*|aktenzeichen|gutschrift\w*|dossier|avoir|expediente"
    r"|incidencia|pratica|reclamo|sinistro"
)


_SHORT_GROUPS = re.compile(r"\+?\d{1,4}(?:(?: ?[-/.] ?| )\d{1,4}){3,}")
# keypad letters: "1-800-FLOWERS" is 1-800-356-9377; the seven characters after a toll-free
# code split any way ("1-888-GO-BLEND", "1-800-GOT-JUNK"), an eighth letter is not dialled
_KEYPAD = str.maketrans("abcdefghijklmnopqrstuvwxyz", "22233344455566677778889999")
_VANITY = re.compile(
    r"(?<![\w-])(?:1[ \-.])?\(?8(?:00|33|44|55|66|77|88)\)?[ \-.](?=[\w\-]*[a-z]{3})"
    r"([a-z0-9]{2,7}(?:[\-.]?[a-z0-9]{1,7}){0,3})(?![\w-])"
)


def _dial(m: re.Match[str]) -> str:
    tail = sum(c.isalnum() for c in m.group(1))
    if 7 <= tail <= 8:
        return m.group(0).translate(_KEYPAD)
    if 8 < tail <= 12 and m.group(0)[0] == "1":
        # "1-800-GO-NORTHWIND": letters past the seventh are not dialled (blanked, so the
        # spans stay those of the text); only with the leading 1, as "800-thread-count" is no number
        head = m.group(0)[: m.start(1) - m.start(0)]
        out, kept = [], 0
        for c in m.group(1):
            if c.isalnum():
                kept += 1
                out.append(c if kept <= 7 else " ")
            else:
                out.append(c if kept < 7 else " ")
        return (head + "".join(out)).translate(_KEYPAD)
    return m.group(0)


# a letter O in a group of digits: "O7700 9OO 461" is 07700 900 461
_O_FOR_ZERO = re.compile(r"(?<![\w])(?=[\do]*\d)(?=[\do]*o)[\do]{2,}(?![\w])")
_O_DIGIT = re.compile(r"o\d")
_VANITY_HINT = re.compile(r"8(?:00|33|44|55|66|77|88)[ \-.)]")


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


class PhoneFinder:
    def __init__(
        self,
        *,
        phone_words: str = DEFAULT_PHONE_WORDS,
        other_number_words: str = DEFAULT_OTHER_NUMBER_WORDS,
        min_digits: int = 7,
        max_digits: int = 15,
        regions: Iterable[str] = REGIONS,
    ) -> None:
        # the nearest word(s) before the number decide its kind
        self.phone_before = re.compile(
            r"(?:^|[^\w#])(?:" + phone_words + r")\b\W{0,4}(?:\w+\W+){0,5}$"
        )
        self.other_before = re.compile(
            r"(?:^|[^\w#])(?:(?:" + other_number_words + r")\b|#)\W{0,6}(?:\w{1,12}\W{1,3}){0,2}$"
        )
        self.min_digits = min_digits
        self.max_digits = max_digits
        self.regions = tuple(regions)

    def find(
        self, norm: str, region: str | None, *, spelled: bool = False
    ) -> list[tuple[int, int]]:
        """Spans of phone numbers in normalised text (``spelled``: digits that were written in
        words, so their grouping is the writer's reading, not a format's)."""
        if _VANITY_HINT.search(norm) and _VANITY.search(norm):
            norm = _VANITY.sub(_dial, norm)
        # "O7700 9OO 461": a letter o touching digits is a zero (same length); "o" then a digit
        # is searched forwards and backwards, a literal first character being fast to find
        if _O_DIGIT.search(norm) or _O_DIGIT.search(norm[::-1]):
            norm = _O_FOR_ZERO.sub(lambda m: m.group(0).replace("o", "0"), norm)
        if _QUICK.search(norm) is None and _DOT_BETWEEN_DIGITS.search(norm) is None:
            return []
        # middle dots and bullets between digits separate groups like dots: "06·12·34·56·78"
        text = _DOT_BETWEEN_DIGITS.sub(".", mask_order_ids(norm))
        if _QUICK.search(text) is None:
            return []
        found: list[tuple[int, int]] = []
        others: set[str] = set()
        for m in _CANDIDATE.finditer(text):
            pieces = self._pieces(text, m.start(), m.end())
            if len(pieces) > 1 and _SHORT_GROUPS.fullmatch(m.group(0)):
                # "06 - 12 - 34 - 56 - 78": short groups all split by dashes are one number
                pieces = [m.span()]
            for start, end in pieces:
                verdict = self._is_phone(text, start, end, region, spelled)
                if verdict:
                    found.append((start, end))
                elif verdict is None:
                    others.add(_digits(text[start:end]))
        # a number named as something else anywhere ("Teilenummer 0 986 494 294") is that
        # thing wherever it stands
        return [(s, e) for s, e in found if _digits(text[s:e]) not in others]

    def _pieces(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        """Split a candidate at wide gaps (" - ", "  ") and drop a date it swallowed in front."""
        cand = text[start:end]
        out: list[tuple[int, int]] = []
        pos = 0
        sep_before: re.Match[str] | None = None
        for sep in [*_SPLIT.finditer(cand), None]:
            p_start, p_end = pos, (sep.start() if sep else len(cand))
            d = _DATE.match(cand, p_start, p_end)
            if d and d.end() < p_end and cand[d.end()] == " ":  # "26.11.2026 0049 30 …"
                p_start = d.end() + 1
            while p_start < p_end and cand[p_start] in " .-/":
                p_start += 1
            while p_end > p_start and cand[p_end - 1] in " .-/(":
                p_end -= 1
            if p_end > p_start:
                piece = (start + p_start, start + p_end)
                # "020 – 7946 0958", "(555) - 123 4567": an area code, a dash, the number
                if out and sep_before is not None and _AREA_CODE.fullmatch(text, *out[-1]):
                    piece = (out.pop()[0], piece[1])
                out.append(piece)
            sep_before = sep if sep and sep.group(0).strip() else None
            pos = sep.end() if sep else len(cand)
        return out

    def _is_phone(
        self, text: str, start: int, end: int, region: str | None, spelled: bool = False
    ) -> bool | None:
        """Whether text[start:end] is a phone number; None: it is named as another number."""
        cand = text[start:end]
        digits = sum(c.isdigit() for c in cand)
        if not self.min_digits <= digits <= self.max_digits:
            return False
        if any(p.fullmatch(cand) for p in _NOT_PHONE_SHAPES):
            return False
        before = _since_sentence_start(text[max(0, start - 48) : start])
        international = cand.startswith("+") or cand.startswith("00") or cand.startswith("(+")
        phone_word = self.phone_before.search(before)
        other_word = self.other_before.search(before)
        if other_word and (not phone_word or other_word.start() > phone_word.start()):
            return None  # named as another kind of number
        grouped = any(not c.isdigit() for c in cand)
        if _PART_NUMBER.match(cand) and not phone_word:
            return False  # "0 986 494 294": a lone leading 0 group is a part number's style
        if phone_word or international:
            return self._matches(cand, self._regions_for(region), strict=False)
        if spelled:  # a valid number spelled out digit by digit is a disguised phone number
            return self._matches(
                "".join(c for c in cand if c.isdigit()), self._regions_for(region), strict=True
            )
        if not grouped:
            return False  # an unbroken run of digits without a phone word: a tracking number or so
        groups = re.findall(r"\d+", cand)
        if not cand.lstrip("(").startswith("0") and max(map(len, groups)) <= 2:
            return False  # "40 42 44 46 48": sizes, not a number without its trunk prefix
        return self._matches(cand, self._regions_for(region), strict=True)

    def _regions_for(self, region: str | None) -> tuple[str, ...]:
        first = region if region in self.regions else None
        return ((first,) if first else ()) + tuple(r for r in self.regions if r != first)

    @staticmethod
    def _matches(cand: str, regions: tuple[str, ...], *, strict: bool) -> bool:
        import phonenumbers
        from phonenumbers import Leniency

        leniency = Leniency.VALID if strict else Leniency.POSSIBLE
        want = sum(c.isdigit() for c in cand)
        for region in regions:
            for match in phonenumbers.PhoneNumberMatcher(cand, region, leniency=leniency):
                if sum(c.isdigit() for c in match.raw_string) >= want - 1:
                    return True
        return False
