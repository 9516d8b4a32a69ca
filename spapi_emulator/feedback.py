"""GET_SELLER_FEEDBACK_DATA: the seller feedback report as Amazon serves it.

Amazon's report lists the negative and neutral ratings (1-3 stars) buyers left, one row per
order, tab-separated, UTF-8, with headers translated per marketplace and dates written the
marketplace's way (../shared/amazon-report-formats.md: Airbyte's connector test fixture for
the US header, Airbyte PR #9212 for DE and ES, its date transformer for the formats). Where no
translation is documented (GB, FR, IT) the English header is served.

Which delivered orders get a rating is drawn from the catalogue's seed, apart from the
order's own random stream, so adding this report changed no order.
"""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .data import _h, days_between

if TYPE_CHECKING:
    from .app import Emulator

REPORT_TYPE = "GET_SELLER_FEEDBACK_DATA"
FEEDBACK_RATE_BP = 150  # 1.5% of delivered orders get a 1-3 star rating
MAX_LAG = timedelta(days=40)  # ratings arrive up to ~40 days after delivery
_TAG = 11

HEADERS = {
    "US": ["Date", "Rating", "Comments", "Your Response", "Order ID", "Rater Email"],
    "DE": ["Datum", "Bewertung", "Kommentar", "Ihre Antwort", "Transaktionsnummer",
           "E-Mail des Bewertenden"],
    # partly translated, as Airbyte PR #9212 found it in a real ES file
    "ES": ["Date", "Rating", "Comentarios", "Your Response", "Número de pedido",
           "E-mail del cliente"],
}  # fmt: skip
DATE_FORMATS = {"US": "%m/%d/%y", "DE": "%d.%m.%y"}
DEFAULT_DATE_FORMAT = "%d/%m/%y"
COMMENTS = {
    "en": ["Arrived broken, very disappointed.", "Took two weeks longer than promised.",
           "Not as described.", "Okay, but the box was damaged."],
    "fr": ["Arrivé cassé, très déçu.", "Livraison beaucoup trop lente."],
    "de": ["Kam beschädigt an.", "Lieferung hat viel zu lange gedauert."],
    "es": ["Llegó roto.", "No es lo que se describe."],
    "it": ["Arrivato rotto.", "Consegna molto in ritardo."],
}  # fmt: skip
_LANG = {"US": "en", "GB": "en", "FR": "fr", "DE": "de", "ES": "es", "IT": "it"}


def rating_of(emu: Emulator, day, index: int) -> tuple[int, int] | None:  # type: ignore[no-untyped-def]
    """(stars, days after delivery) for an order that gets a rating, else None."""
    draw = _h(emu.seed, day.toordinal(), index, _TAG)
    if draw % 10_000 >= FEEDBACK_RATE_BP:
        return None
    stars = (1, 1, 2, 2, 3)[(draw >> 20) % 5]
    return stars, 1 + (draw >> 32) % 30


def _guaranteed(emu: Emulator, day, markets: set[str]) -> set[int]:  # type: ignore[no-untyped-def]
    """With `feedback_min_per_day` set (the demo), the delivered orders of the purchase day that
    get a 1-star rating whatever the draw: those with the lowest draws."""
    wanted = getattr(emu, "feedback_min_per_day", 0)
    if not wanted:
        return set()
    delivered = [
        f.index for f in emu.catalog.orders(day)
        if f.delivered_at is not None and f.marketplace.marketplace_id in markets
    ]  # fmt: skip
    delivered.sort(key=lambda i: _h(emu.seed, day.toordinal(), i, _TAG))
    return set(delivered[:wanted])


def feedback_rows(emu: Emulator, start: datetime, end: datetime, markets: set[str], now: datetime):  # type: ignore[no-untyped-def]
    """(marketplace code, row) for ratings left in [start, end] and by `now`."""
    catalog = emu.catalog
    for day in days_between((start - MAX_LAG - timedelta(days=30)).date(), min(end, now).date()):
        forced = _guaranteed(emu, day, markets)
        for index in range(catalog.count(day)):
            drawn = rating_of(emu, day, index)
            if index in forced:
                drawn = (1, 1 + index % 3)  # soon after delivery, so it lands in recent days
            if drawn is None:
                continue
            facts = catalog.order(day, index)
            if facts.delivered_at is None or facts.marketplace.marketplace_id not in markets:
                continue
            stars, lag = drawn
            left = facts.delivered_at + timedelta(days=lag)
            if not (start <= left <= end) or left > now:
                continue
            code = facts.marketplace.code
            comments = COMMENTS[_LANG[code]]
            yield (
                code,
                [
                    left.strftime(DATE_FORMATS.get(code, DEFAULT_DATE_FORMAT)),
                    str(stars),
                    comments[index % len(comments)],
                    "",
                    facts.amazon_order_id,
                    facts.buyer_email,
                ],
            )


def build_feedback_document(
    emu: Emulator, start: datetime, end: datetime, markets: set[str], now: datetime
) -> tuple[bytes, int]:
    rows = list(feedback_rows(emu, start, end, markets, now))
    code = next((c for c, _ in rows), None) or next(
        (m.code for m in emu.markets if m.marketplace_id in markets), "US"
    )
    lines = ["\t".join(HEADERS.get(code, HEADERS["US"]))]
    lines += ["\t".join(v.replace("\t", " ").replace("\n", " ") for v in row) for _, row in rows]
    return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0), len(rows)
