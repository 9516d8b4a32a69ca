"""Tracking numbers, also written in groups ("9400 1118 9922 3197 4284 97", "1Z 999 AA1 01
2345 6784", "RR 1234 5678 5GB"): the order's own data, never a phone number, and what a
shipment confirmation must state.

A run of letter-and-digit groups is read in its compact form and recognised by
``tracking_numbers`` (the python port of the tracking_number_data formats: UPS 1Z, USPS,
FedEx, DHL Express, S10/UPU with its check digit for Royal Mail, Colissimo, Poste Italiane and
Correos abroad, Amazon Logistics TBA, each with the carrier's check digit), else by the table
below of carriers it does not know. A number the library validates and that cannot be a phone
(letters in it, or more than 15 digits) counts anywhere; any other match needs a tracking word
or a carrier name in its sentence ("numéro de suivi", "Sendungsnummer", "DPD").
"""

from __future__ import annotations

import re
from functools import lru_cache

# Formats on the compact (no spaces) lower-case form, by carrier, and where each comes from.
# A match here counts only with the carrier or a tracking word in its sentence, and no check
# digit is verified: carriers' own numbers reach buyers retyped, and a number the check digit
# rejects is still the order's tracking number, never a phone number.
CARRIER_FORMATS: dict[str, str] = {
    # jkeen/tracking_number_data (couriers/*.json, the data the tracking_numbers library is
    # generated from; the library verifies these with their check digits, here the shape alone)
    "ups": r"1z[0-9a-z]{16}",  # ups.json: 1Z + 16
    "usps": r"9[1-5]\d{18,20}|\d{20}",  # usps.json: USPS 91 (IMpb 9x…, 20-22) and USPS 20
    "fedex": r"\d{12}|\d{15}|96\d{20}",  # fedex.json: Express 12, Ground 15, Ground 96 (22)
    "dhl_express": r"\d{10,11}|j[a-z]{2,3}\d{9,10}",  # dhl.json: DHL Express, Piece ID JJD…
    # DPD: WooCommerce Fulfillments DPDShippingProvider (woocommerce/woocommerce): 14-digit
    # parcel numbers in DE, GB and FR (02…/05…/09…, 03…/06…/15…/16…), 12 digits in DE/FR
    "dpd": r"\d{14}|\d{12}",
    # the rest: the lengths commonly printed on these carriers' labels, from general knowledge
    # and not checked against each carrier's documentation
    "dhl_paket": r"\d{12}|00340\d{15}|jjd\d{16,20}",  # DHL Paket: 12 digits, SSCC 00340…, JJD…
    "gls": r"\d{11,12}",  # GLS parcel number: 11 digits (+ check digit on some labels)
    "colissimo": r"\d[a-z]\d{11}",  # Colissimo domestic: 13 characters, e.g. 6A…, 8R…
    "mondial_relay": r"\d{8}|\d{10}|\d{12}",  # Mondial Relay expedition number
    "seur": r"\d{8,16}",  # SEUR expedition / parcel references
    "nacex": r"\d{4}\d{8}|\d{8}",  # Nacex: agency (4) + expedition (8), or expedition alone
    "brt": r"\d{12,19}",  # BRT (Bartolini) parcel / shipment numbers
    "poste_italiane": r"[a-z0-9]{2}\d{10,11}",  # Poste Italiane domestic (Pacco, Crono)
    "correos": r"p[a-z]\d{10,20}[a-z]{0,2}",  # Correos domestic: PQ…, PK…
    # S10 (UPU standard S10: 2 letters, 8 digits, check digit, country) for Royal Mail,
    # Parcelforce, La Poste, Poste Italiane, Correos abroad; the library checks its digit
    "royal_mail": r"[a-z]{2}\d{9}gb",
    "evri_hermes": r"h[0-9a-z]{15}|h\d{19}|\d{14}|\d{16}",  # Evri / Hermes parcel numbers
    "amazon": r"tba\d{12}|(?:qa|es|it|fr|de)\d{10}",  # Amazon Logistics
}
_FORMAT = re.compile("|".join(f"(?:{f})" for f in CARRIER_FORMATS.values()))

# a run of groups: an optional letter prefix (RR, TBA, JJD), groups that each hold a digit,
# an optional two-letter country suffix (GB); groups split by a space or a hyphen
_RUN = re.compile(
    r"(?<![\w\-+])(?:[a-z]{2,3}[ \-]?)?\d[0-9a-z]*(?:[ \-][0-9a-z]*\d[0-9a-z]*)*(?:[ \-]?[a-z]{2})?(?![\w\-])"
)
_DATE = re.compile(r"\d{4}[ \-]\d{1,2}[ \-]\d{1,2}|\d{1,2}[ \-]\d{1,2}[ \-]\d{4}")
_QUICK = re.compile(r"\d[ \-]?\d[ \-]?\d[ \-]?\d")

_CARRIERS = (
    r"ups|usps|fedex|dhl|dpd|gls|hermes|evri|yodel|royal mail|parcelforce|tnt|colissimo|"
    r"chronopost|mondial relay|relais colis|la poste|colis prive|seur|mrw|correos|nacex|ctt|sda|"
    r"brt|bartolini|poste italiane|nexive|inpost|amazon logistics|amazon shipping|ontrac|"
    r"lasership|deutsche post|gel express|go express|envialia|tipsa|zeleris|geodis|asendia"
)
CONTEXT = re.compile(
    r"\b(?:track\w*|trace|suivi|colis|sendung\w*|paket\w*|verfolg\w*|seguimiento|envio|"
    r"localizador|expedicion|spedizione|tracciamento|lettera di vettura|waybill|consignment|"
    r"parcel|package|shipment|reference|referencia|riferimento|codice|segnacollo|envoi|"
    # a freight carrier's own numbers: a PRO number, a bill of lading, a Frachtbrief
    r"pro number|pro no|bill of lading|frachtbrief\w*|lettre de voiture|albaran|"
    + _CARRIERS
    + r")\b"
)
# such a word as the number's label, with its abbreviation ("parcel no. 1550 …", "Sendungs-Nr.
# 0034 …", "n° 6A …"): the label's dot is no sentence end, the number is the carrier's
_LABEL_BEFORE = re.compile(
    r"(?:"
    + CONTEXT.pattern
    + r")\W{0,3}(?:(?:no|nr|n°|num|nro|number|numero|nummer)\b\.?)?\W{0,3}$"
)
# the carrier's name right before the number ("InPost 6800 1234 …", "Deutsche Post: 0312 …"):
# whatever its length, the number is that carrier's tracking number
_CARRIER_BEFORE = re.compile(r"\b(?:" + _CARRIERS + r")\b(?:[ \-]\w{1,10}){0,2}\W{0,4}$")


@lru_cache(maxsize=4096)
def _library(compact: str) -> bool:
    import tracking_numbers

    found = tracking_numbers.get_tracking_number(compact.upper())
    return bool(found and found.valid)


def _strong(compact: str) -> bool:
    """A library-validated number that cannot be a phone number."""
    if not 8 <= len(compact) <= 34:
        return False
    digits = sum(c.isdigit() for c in compact)
    return (digits > 15 or not compact.isdigit()) and _library(compact)


def find_tracking(norm: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of tracking numbers in normalised text (``sentences``: its sentence spans)."""
    if _QUICK.search(norm) is None:
        return []
    from buyer_messaging.lint.phones import mask_order_ids

    found = []
    for m in _RUN.finditer(mask_order_ids(norm)):
        readings = _readings(m)
        strong = [r for r in readings if _strong(_compact(norm, *r))]
        for start, end in strong or readings[::-1]:  # bare digits first: "is 1550 …"
            if strong or _is_tracking(norm, start, end, sentences):
                found.append((start, end))
                break
    return found


def _readings(m: re.Match[str]) -> list[tuple[int, int]]:
    """The run, and the run without a leading or trailing word of letters ("is", "de"),
    which may be prose rather than a prefix (RR…) or a country (…GB)."""
    start, end = m.span()
    text = m.group(0)
    head = re.match(r"[a-z]{2,3}[ \-]", text)
    tail = re.search(r"[ \-][a-z]{2}$", text)
    spans = [(start, end)]
    if head:
        spans.append((start + head.end(), end))
    if tail:
        spans.append((start, end - len(tail.group(0))))
    if head and tail and head.end() < len(text) - len(tail.group(0)):
        spans.append((start + head.end(), end - len(tail.group(0))))
    return spans


def _compact(norm: str, start: int, end: int) -> str:
    return norm[start:end].replace(" ", "").replace("-", "")


def _is_tracking(norm: str, start: int, end: int, sentences: list[tuple[int, int]]) -> bool:
    """A number in a carrier's format with a carrier or tracking word in its sentence."""
    compact = _compact(norm, start, end)
    if not 8 <= len(compact) <= 34 or sum(c.isdigit() for c in compact) < 7:
        return False
    if _DATE.fullmatch(norm, start, end):
        return False  # 2026-11-26, 26 11 2026: a date is not a tracking number
    if not (
        _FORMAT.fullmatch(compact)
        or _library(compact)
        or _after_tracking_word(norm, start)
        or (
            sum(c.isdigit() for c in compact) >= 10
            and _CARRIER_BEFORE.search(norm, max(0, start - 40), start) is not None
        )
    ):
        return False
    if _INTERNATIONAL.match(compact):
        return False  # 0044 20 …: a phone number's international prefix
    if _LABEL_BEFORE.search(norm, max(0, start - 40), start) is not None:
        return True
    # the carrier or a tracking word is named in its sentence
    before = [i for i, (s, e) in enumerate(sentences) if s <= start < e]
    if not before:
        return CONTEXT.search(norm) is not None
    s_start, s_end = sentences[before[0]]
    context = [m.start() for m in CONTEXT.finditer(norm, s_start, s_end)]
    if not context:
        return False
    # "DHL hotline: 0228 …": a phone word nearer the number than the tracking word wins
    phone = [m.start() for m in _phone_word().finditer(norm, s_start, start)]
    ahead = [p for p in context if p < start]
    return not phone or (bool(ahead) and ahead[-1] > phone[-1])


# "tracking", "suivi", "Sendungsnummer", … right before the number: whatever its format
# (carriers' numbers vary, and writers shorten them), it is the tracking number
_TRACKING_WORD = re.compile(
    r"\b(?:track\w*|tracking|suivi|sendungs\w*|paketnummer|seguimiento|localizador|"
    r"tracciamento|spedizione|segnacollo|waybill|consignment)\b\W{0,4}(?:\w+\W{1,3}){0,2}$"
)


def _after_tracking_word(norm: str, start: int) -> bool:
    return _TRACKING_WORD.search(norm, max(0, start - 40), start) is not None


@lru_cache(maxsize=1)
def _phone_word() -> re.Pattern[str]:
    from buyer_messaging.lint.phones import DEFAULT_PHONE_WORDS

    return re.compile(r"\b(?:" + DEFAULT_PHONE_WORDS + r")\b")


# the marketplaces' countries dialled from abroad, with their national number lengths
_INTERNATIONAL = re.compile(r"00(?:1\d{10}|44\d{9,10}|33\d{9}|49\d{6,11}|34\d{9}|39\d{6,11})$")
