"""Deterministic order data: every order is a pure function of (seed, purchase day, index).

Nothing is stored: an order is regenerated whenever it is needed, so the same seed gives the
same orders whatever day they are asked on, whichever query window finds them, and however
many orders a day there are (10 or 1,000,000). The AmazonOrderId encodes the purchase day and
the index, so a single order can be rebuilt from its id alone.

Each order carries its whole lifecycle (purchase, payment, shipments, cancellation, delivery,
return); `OrderFacts.status_at(now)` gives the state Amazon would show at `now`.
"""

from __future__ import annotations

import functools
import hashlib
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from .marketplaces import MARKETPLACES, Marketplace

EPOCH = date(2000, 1, 1)
DAY = timedelta(days=1)
RETURN_RATE_BP = 800  # 8% of delivered orders, in basis points
# A return is requested at most this long after purchase (delivery + 20 days at the latest).
MAX_RETURN_LAG = timedelta(days=35)
# Orders outside the slow tier have all their events within this long after the start of their
# purchase day (latest ship date is at most day + 2d 23:59:59; cancellations come sooner).
REGULAR_LAG = timedelta(days=3)
SLOW_TIER_EVERY = 10
# Every event of an order happens within this long after its purchase: a LastUpdated window
# only needs the purchase days that start at most this long before it.
MAX_EVENT_LAG = timedelta(days=7)

# --- catalogue -------------------------------------------------------------------------------

_LANG = {"US": "en", "GB": "en", "FR": "fr", "DE": "de", "ES": "es", "IT": "it"}

# (en, fr, de, es, it), price in the marketplace currency
_PRODUCTS: list[tuple[tuple[str, str, str, str, str], float]] = [
    (
        (
            "Stainless Steel Water Bottle, 750 ml",
            "Gourde en acier inoxydable, 750 ml",
            "Edelstahl-Trinkflasche, 750 ml",
            "Botella de agua de acero inoxidable, 750 ml",
            "Borraccia in acciaio inossidabile, 750 ml",
        ),
        19.99,
    ),
    (
        (
            "Bamboo Cutting Board Set (3 pieces)",
            "Lot de 3 planches à découper en bambou",
            "Bambus-Schneidebretter, 3er-Set",
            "Juego de tablas de cortar de bambú (3 piezas)",
            "Set di taglieri in bambù (3 pezzi)",
        ),
        24.5,
    ),
    (
        (
            "Wireless Earbuds with Charging Case",
            "Écouteurs sans fil avec étui de charge",
            "Kabellose Ohrhörer mit Ladeetui",
            "Auriculares inalámbricos con estuche de carga",
            "Auricolari wireless con custodia di ricarica",
        ),
        39.0,
    ),
    (
        (
            "Yoga Mat, Non-Slip, 6 mm",
            "Tapis de yoga antidérapant, 6 mm",
            "Yogamatte, rutschfest, 6 mm",
            "Esterilla de yoga antideslizante, 6 mm",
            "Tappetino yoga antiscivolo, 6 mm",
        ),
        29.95,
    ),
    (
        (
            "LED Desk Lamp with USB Port",
            "Lampe de bureau LED avec port USB",
            "LED-Schreibtischlampe mit USB-Anschluss",
            "Lámpara de escritorio LED con puerto USB",
            "Lampada da scrivania LED con porta USB",
        ),
        34.99,
    ),
    (
        (
            "Cotton Bath Towels, Set of 4",
            "Serviettes de bain en coton, lot de 4",
            "Baumwoll-Badetücher, 4er-Set",
            "Toallas de baño de algodón, juego de 4",
            "Asciugamani da bagno in cotone, set da 4",
        ),
        27.0,
    ),
    (
        (
            "Ceramic Coffee Mug – Café Crème Edition",
            "Mug en céramique – édition Café Crème",
            "Keramik-Kaffeebecher – Café-Crème-Edition",
            "Taza de cerámica – edición Café Crème",
            "Tazza in ceramica – edizione Café Crème",
        ),
        12.49,
    ),
    (
        (
            "Phone Stand, Adjustable Aluminium",
            "Support de téléphone réglable en aluminium",
            "Handyständer, verstellbar, Aluminium",
            "Soporte de móvil ajustable de aluminio",
            "Supporto per telefono regolabile in alluminio",
        ),
        15.99,
    ),
    (
        (
            "Children's Puzzle 1000 pieces – Château de Versailles",
            "Puzzle enfant 1000 pièces – Château de Versailles",
            "Kinderpuzzle 1000 Teile – Schloss Versailles",
            "Puzle infantil 1000 piezas – Palacio de Versalles",
            "Puzzle per bambini 1000 pezzi – Reggia di Versailles",
        ),
        17.9,
    ),
    (
        (
            "Garden Hose Nozzle, 8 Patterns",
            "Pistolet d'arrosage, 8 jets",
            "Gartenschlauch-Brause, 8 Strahlarten",
            "Pistola de riego, 8 chorros",
            "Lancia per tubo da giardino, 8 getti",
        ),
        11.99,
    ),
    (
        (
            "Hiking Backpack 30 L, Waterproof",
            "Sac à dos de randonnée 30 L, imperméable",
            "Wanderrucksack 30 L, wasserdicht",
            "Mochila de senderismo 30 L, impermeable",
            "Zaino da trekking 30 L, impermeabile",
        ),
        49.99,
    ),
    (
        (
            "Essential Oil Diffuser, 300 ml",
            "Diffuseur d'huiles essentielles, 300 ml",
            "Aroma-Diffusor für ätherische Öle, 300 ml",
            "Difusor de aceites esenciales, 300 ml",
            "Diffusore di oli essenziali, 300 ml",
        ),
        22.99,
    ),
]

# Titles a seller's listing really contains now and then: the pipeline must survive them.
_NASTY_TITLES = [
    "Crème brûlée Torch – Ñandú Édition Spéciale ÅÄÖ 🔥🍮",
    "<b>BESTSELLER</b> Kitchen Scale <script>alert(1)</script>",
    "Template Mug {{ 7*7 }} {% if x %}${PATH}",
    "Fancy Socks 🧦🧦🧦 \u200b(zero-width) \u202eRTL",
    "Ultra " + "Long Title With Many Keywords " * 20 + "End",
]

_FIRST = {
    "en": ["James", "Olivia", "Liam", "Emma", "Noah", "Amelia", "Zoë", "Chloé", "Seán", "Aoife"],
    "fr": ["Léa", "Hugo", "Chloé", "Théo", "Inès", "Gaël", "Anaïs", "François", "Noémie", "Jérôme"],
    "de": [
        "Jürgen",
        "Lena",
        "Lukas",
        "Sophie",
        "Björn",
        "Jörg",
        "Mia",
        "Maximilian",
        "Käthe",
        "Uwe",
    ],
    "es": [
        "José",
        "María",
        "Lucía",
        "Martín",
        "Iñigo",
        "Begoña",
        "Sofía",
        "Andrés",
        "Ángel",
        "Nuria",
    ],
    "it": [
        "Giulia",
        "Luca",
        "Niccolò",
        "Francesca",
        "Matteo",
        "Chiara",
        "Nicolò",
        "Aurora",
        "Gianluca",
        "Bea",
    ],
}
_LAST = {
    "en": ["Smith", "O'Brien", "Johnson", "Williams", "Brown", "Taylor", "Davies", "McAllister"],
    "fr": ["Martin", "Lefèvre", "Dubois", "Bernard", "Gérard", "Rousseau", "Lemaître", "Faure"],
    "de": ["Müller", "Schmidt", "Schäfer", "Weiß", "Groß", "Köhler", "Fischer", "Becker"],
    "es": ["García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Muñoz", "Gómez"],
    "it": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"],
}
_NASTY_NAMES = [
    "<b>Bob</b> Tables",
    "Ana 🌸 Flores",
    "{{ buyer.name }}",
    "X" * 300,
    "Robert'); DROP TABLE orders;--",
]

_CITIES = {
    "US": [
        ("Seattle", "WA", "98109"),
        ("Austin", "TX", "78701"),
        ("Brooklyn", "NY", "11201"),
        ("Denver", "CO", "80202"),
        ("Miami", "FL", "33101"),
    ],
    "GB": [
        ("London", "Greater London", "SW1A 1AA"),
        ("Manchester", "Lancashire", "M1 1AE"),
        ("Edinburgh", "Midlothian", "EH1 1YZ"),
    ],
    "FR": [
        ("Paris", "Île-de-France", "75001"),
        ("Lyon", "Rhône", "69002"),
        ("Besançon", "Doubs", "25000"),
    ],
    "DE": [
        ("München", "Bayern", "80331"),
        ("Köln", "Nordrhein-Westfalen", "50667"),
        ("Düsseldorf", "Nordrhein-Westfalen", "40213"),
    ],
    "ES": [
        ("Madrid", "Madrid", "28013"),
        ("A Coruña", "Galicia", "15001"),
        ("Málaga", "Andalucía", "29015"),
    ],
    "IT": [
        ("Milano", "Lombardia", "20121"),
        ("Roma", "Lazio", "00184"),
        ("Forlì", "Emilia-Romagna", "47121"),
    ],
}
_STREETS = {
    "en": "Main Street",
    "fr": "rue de la Paix",
    "de": "Hauptstraße",
    "es": "Calle Mayor",
    "it": "Via Roma",
}
_LOCALES = ["en-US", "en-GB", "fr-FR", "de-DE", "es-ES", "it-IT", "pl-PL", "tr-TR", "nl-NL"]
_CARRIERS = {
    "US": ["UPS", "USPS", "FedEx", "AMZN_US"],
    "GB": ["Royal Mail", "DPD", "AMZN_UK"],
    "FR": ["Colissimo", "Chronopost", "DPD"],
    "DE": ["DHL", "Hermes", "DPD"],
    "ES": ["Correos", "SEUR", "MRW"],
    "IT": ["Poste Italiane", "BRT", "GLS"],
}
_SERVICE = [
    ("Standard", 0.70),
    ("Expedited", 0.15),
    ("NextDay", 0.05),
    ("SecondDay", 0.05),
    ("FreeEconomy", 0.05),
]
RETURN_REASONS = [
    "CR-UNWANTED_ITEM",
    "CR-DEFECTIVE",
    "CR-ORDERED_WRONG_ITEM",
    "CR-SWITCHEROO",
    "CR-NOT_AS_DESCRIBED",
    "CR-DAMAGED_BY_CARRIER",
    "AMZ-PG-BAD-DESC",
    "CR-NO_REASON_GIVEN",
]


@functools.cache  # a few dozen products, asked for on every item line a report or page holds
def asin_for(product: int) -> str:
    digest = hashlib.sha1(f"asin:{product}".encode()).hexdigest().upper()
    return "B0" + "".join(c for c in digest if c.isalnum())[:8]


# --- the model of one order ------------------------------------------------------------------


@dataclass
class ItemFacts:
    order_item_id: str
    asin: str
    sku: str
    title: str
    quantity: int
    unit_price: float
    shipped_at: datetime | None  # None: never ships (the order is cancelled first)
    cancelled: bool = False  # cancelled by the seller when the rest of the order shipped


@dataclass
class ReturnFacts:
    requested_at: datetime
    item_index: int
    quantity: int
    reason: str
    rma_id: str
    status: str  # Approved / Authorized / Closed
    refund_at: datetime
    refunded_amount: float
    in_policy: bool
    carrier: str
    tracking_id: str
    delivered_back_at: datetime | None


@dataclass
class Timeline:
    marketplace: Marketplace
    purchase: datetime
    fulfillment: str
    service_level: str
    authorized_at: datetime | None
    canceled_at: datetime | None
    ships: list[datetime | None]  # per order line
    latest_ship: datetime
    earliest_delivery: datetime
    latest_delivery: datetime
    delivered_at: datetime | None
    late: bool

    def status_at(self, now: datetime) -> tuple[str, datetime]:
        """(OrderStatus, LastUpdateDate) as Amazon shows them at `now`."""
        if self.canceled_at and self.canceled_at <= now:
            return "Canceled", self.canceled_at
        if self.authorized_at is None or now < self.authorized_at:
            return "Pending", self.purchase
        shipped = [t for t in self.ships if t and t <= now]
        if not shipped:
            return "Unshipped", self.authorized_at
        if len(shipped) < len(self.ships):
            return "PartiallyShipped", max(shipped)
        return "Shipped", max(shipped)


@dataclass
class OrderFacts:
    amazon_order_id: str
    day: date
    index: int
    marketplace: Marketplace
    purchase: datetime
    authorized_at: datetime | None  # None: payment never authorised (stays Pending, then cancelled)
    canceled_at: datetime | None
    fulfillment: str  # AFN / MFN
    service_level: str
    is_prime: bool
    is_business: bool
    earliest_ship: datetime
    latest_ship: datetime
    earliest_delivery: datetime
    latest_delivery: datetime
    delivered_at: datetime | None
    items: list[ItemFacts]
    buyer_name: str
    buyer_email: str
    buyer_locale: str
    buyer_opted_out: bool
    city: str
    state: str
    postal_code: str
    address_line: str
    phone: str
    carrier: str
    tracking_number: str
    shipping_price: float
    ret: ReturnFacts | None = None
    late: bool = False
    buyer_cancelled: bool = False  # the buyer asked for the (seller's) cancellation
    malformed: str | None = field(default=None)  # set by fault injection only

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def currency(self) -> str:
        return self.marketplace.currency

    @property
    def last_event(self) -> datetime:
        """The time of the order's final status change (its LastUpdateDate once all is done)."""
        events = [self.purchase]
        if self.authorized_at:
            events.append(self.authorized_at)
        if self.canceled_at:
            events.append(self.canceled_at)
        events += [i.shipped_at for i in self.items if i.shipped_at]
        return max(events)

    def visible(self, now: datetime) -> bool:
        return self.purchase <= now

    def status_at(self, now: datetime) -> tuple[str, datetime]:
        """(OrderStatus, LastUpdateDate) as Amazon shows them at `now`."""
        if self.canceled_at and self.canceled_at <= now:
            return "Canceled", self.canceled_at
        if self.authorized_at is None or now < self.authorized_at:
            return "Pending", self.purchase
        shipped = [i.shipped_at for i in self.items if i.shipped_at and i.shipped_at <= now]
        if not shipped:
            return "Unshipped", self.authorized_at
        if len(shipped) < len(self.items):
            return "PartiallyShipped", max(shipped)
        return "Shipped", max(shipped)

    def shipped_at(self, now: datetime) -> datetime | None:
        """When the whole order shipped, if it has by `now`."""
        times = [i.shipped_at for i in self.items]
        if any(t is None or t > now for t in times):
            return None
        return max(times)  # type: ignore[type-var]

    def total(self) -> float:
        return round(sum(i.unit_price * i.quantity for i in self.items) + self.shipping_price, 2)


# --- generation ------------------------------------------------------------------------------


_M64 = (1 << 64) - 1
_TAGS = {
    "count": 1,
    "p": 2,
    "pre": 3,
    "chk": 4,
    "ret": 5,
    "tier": 6,
    "t": 7,
    "o": 8,
    "item": 9,
    "rep": 10,
    "pcx": 11,
    "brc": 12,
}
# One order in REPEAT_EVERY comes from one of REGULARS returning buyers of its marketplace (same
# anonymised address across orders), so suppression and repeat-buyer rules have buyers to act on.
# Decided by a hash, not the order's random stream, so every other fact stays as it was.
REPEAT_EVERY = 12
REGULARS = 6
# One multi-line merchant-fulfilled order in PARTIAL_CANCEL_EVERY ships without its last line,
# which the seller cancels (NO_INVENTORY) when the rest ships; one seller-side cancellation in
# BUYER_CANCEL_EVERY is one the buyer asked for. Hash-decided, like the repeat buyers.
PARTIAL_CANCEL_EVERY = 6
BUYER_CANCEL_EVERY = 3


def _h(*parts: int) -> int:
    """splitmix64 over integers: a stable hash a few times cheaper than hashlib or random.Random,
    which matters when a query walks through a million orders."""
    z = 0x9E3779B97F4A7C15
    for part in parts:
        z = (z ^ (part & _M64)) * 0xBF58476D1CE4E5B9 & _M64
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB & _M64
        z ^= z >> 31
    return z


def _mix(seed: int, day: date, *rest: int | str) -> int:
    return _h(seed, day.toordinal(), *(_TAGS[r] if isinstance(r, str) else r for r in rest))


@functools.lru_cache(maxsize=4096)
def _day_mix(seed: int, day: date, tag: str) -> int:
    """_mix of a per-day fact (the day's order count, its slow tier), asked for per order a
    scan looks at."""
    return _mix(seed, day, tag)


class FastRandom:
    """The subset of random.Random the generator uses, on a splitmix64 stream (deterministic
    across Python versions and ~10x cheaper to create than a seeded Mersenne Twister)."""

    __slots__ = ("_state",)

    def __init__(self, *parts: int) -> None:
        self._state = _h(*parts)

    def _next(self) -> int:
        self._state = (self._state + 0x9E3779B97F4A7C15) & _M64
        z = self._state
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9 & _M64
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB & _M64
        return z ^ (z >> 31)

    def random(self) -> float:
        # _next inlined (the generator's most frequent draw)
        state = self._state = (self._state + 0x9E3779B97F4A7C15) & _M64
        z = (state ^ (state >> 30)) * 0xBF58476D1CE4E5B9 & _M64
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB & _M64
        return ((z ^ (z >> 31)) >> 11) * (1.0 / 9007199254740992.0)

    def randrange(self, n: int) -> int:
        return self._next() % n

    def randint(self, low: int, high: int) -> int:
        return low + self._next() % (high - low + 1)

    def choice(self, seq):
        return seq[self._next() % len(seq)]

    def choices(self, seq, k: int) -> list:
        # _next inlined: the same stream, without a call per draw (an order's ids and codes
        # draw hundreds of characters, and a report builds hundreds of thousands of orders)
        n, state, out = len(seq), self._state, []
        for _ in range(k):
            state = (state + 0x9E3779B97F4A7C15) & _M64
            z = (state ^ (state >> 30)) * 0xBF58476D1CE4E5B9 & _M64
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB & _M64
            out.append(seq[(z ^ (z >> 31)) % n])
        self._state = state
        return out

    def sample(self, population, k: int) -> list:
        pool = list(population)
        for i in range(k):
            j = i + self._next() % (len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()


# The last 7 digits are the index under an invertible affine map, so ids look like Amazon's
# (no run of zeros) yet still lead straight back to (day, index).
_ID_MOD = 10**7
_ID_MUL = 7_654_321  # coprime with 10**7
_ID_INV = pow(_ID_MUL, -1, _ID_MOD)


def _scramble(day: date, index: int) -> int:
    return (index * _ID_MUL + day_number(day) * 7919) % _ID_MOD


def _unscramble(day: date, value: int) -> int:
    return ((value - day_number(day) * 7919) * _ID_INV) % _ID_MOD


@functools.lru_cache(maxsize=4096)  # asked for per order scanned; a scan spans a few days
def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def day_number(day: date) -> int:
    return (day - EPOCH).days


@dataclass(frozen=True)
class Catalog:
    """Generation settings: what `seed` and `orders_per_day` mean for a server."""

    seed: int
    orders_per_day: int
    marketplaces: tuple[Marketplace, ...]
    # the demo's guarantee that a short run shows every path: the first orders of each day are
    # a merchant-fulfilled two-line order whose last line the seller cancels, and a
    # merchant-fulfilled order the seller cancels (not at the buyer's request) 20 minutes after
    # payment, so every day has a cancellation and a partial one
    showcase: bool = False

    def showcase_role(self, index: int) -> str | None:
        if not self.showcase:
            return None
        return {0: "partial_cancel", 1: "seller_cancel"}.get(index)

    # -- counting and ordering within a day ---------------------------------------------------

    def count(self, day: date) -> int:
        """How many orders were placed on `day` (a deterministic ±10% jitter)."""
        if self.orders_per_day <= 0:
            return 0
        jitter = (_day_mix(self.seed, day, "count") % 2001) / 10000.0 - 0.1
        return max(1, round(self.orders_per_day * (1.0 + jitter)))

    def purchase_time(self, day: date, index: int, count: int | None = None) -> datetime:
        """Purchase times increase with the index, so a Created window maps to an index range."""
        count = self.count(day) if count is None else count
        step = 86400.0 / count
        # _mix(seed, day, index, "p") without its per-part type test: a scan asks for every order
        frac = (_h(self.seed, day.toordinal(), index, _TAGS["p"]) % 1_000_000) / 1_000_000.0
        seconds = int((index + frac) * step)
        return day_start(day) + timedelta(seconds=min(seconds, 86399))

    def first_index_at_or_after(self, day: date, moment: datetime) -> int:
        """The smallest index whose purchase time could be >= moment (a safe lower bound)."""
        count = self.count(day)
        offset = (moment - day_start(day)).total_seconds()
        if offset <= 0:
            return 0
        return max(0, min(count, int(offset / (86400.0 / count)) - 1))

    # -- ids --------------------------------------------------------------------------------

    def order_id(self, day: date, index: int, market: Marketplace) -> str:
        prefix = market.order_prefixes[
            _mix(self.seed, day, index, "pre") % len(market.order_prefixes)
        ]
        check = _mix(self.seed, day, index, "chk") % 100
        return f"{prefix}-{day_number(day):05d}{check:02d}-{_scramble(day, index):07d}"

    @staticmethod
    def parse_order_id(order_id: str) -> tuple[date, int] | None:
        parts = order_id.split("-")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            return None
        if (len(parts[0]), len(parts[1]), len(parts[2])) != (3, 7, 7):
            return None
        try:
            day = EPOCH + timedelta(days=int(parts[1][:5]))
        except OverflowError:
            return None
        return day, _unscramble(day, int(parts[2]))

    def find(self, order_id: str) -> OrderFacts | None:
        parsed = self.parse_order_id(order_id)
        if parsed is None:
            return None
        day, index = parsed
        if index >= self.count(day):
            return None
        facts = self.order(day, index)
        return facts if facts.amazon_order_id == order_id else None

    # -- orders -----------------------------------------------------------------------------

    def orders(self, day: date, start: int = 0) -> Iterator[OrderFacts]:
        for index in range(start, self.count(day)):
            yield self.order(day, index)

    def timeline(
        self,
        day: date,
        index: int,
        count: int | None = None,
        purchase: datetime | None = None,
    ) -> Timeline:
        """The order's marketplace, channel and event times only: cheap enough to filter
        millions of orders by status and LastUpdateDate before building any in full.
        `purchase`: its purchase_time, when the caller has it already (a scan)."""
        rng = FastRandom(self.seed, day.toordinal(), index, _TAGS["t"])
        market = self.marketplaces[rng.randrange(len(self.marketplaces))]
        if purchase is None:
            purchase = self.purchase_time(day, index, count)
        role = self.showcase_role(index)
        afn = rng.random() < 0.6 and role is None  # (drawn either way: the stream stays aligned)
        service = _weighted(rng, _SERVICE)
        # payment: most authorise within the hour; 1% never do and are cancelled after ~a day
        never_pays = rng.random() < 0.01 and role is None
        authorized_at = None if never_pays else purchase + timedelta(seconds=rng.randint(30, 3600))
        latest_ship = day_start(day) + timedelta(
            days=rng.choice((1, 2)), hours=23, minutes=59, seconds=59
        )
        transit = 1 if service in ("NextDay", "Expedited") else rng.choice((1, 2, 3))
        earliest_delivery = day_start(latest_ship.date()) + timedelta(days=transit, hours=7)
        latest_delivery = earliest_delivery + timedelta(
            days=rng.choice((1, 2, 3, 4)), hours=16, minutes=59, seconds=59
        )
        lines = 1 if rng.random() < 0.72 else rng.choice((2, 2, 3, 4))
        if role == "partial_cancel":
            lines = max(lines, 2)
        ships: list[datetime | None] = [None] * lines
        canceled_at = None
        late = False
        if authorized_at is None:
            canceled_at = purchase + timedelta(hours=rng.randint(20, 40))
        elif role == "seller_cancel":
            canceled_at = authorized_at + timedelta(minutes=20)  # the same day, in any zone
        elif role is None and rng.random() < 0.04:
            canceled_at = authorized_at + timedelta(minutes=rng.randint(10, 30 * 60))
        else:
            earliest = authorized_at + timedelta(minutes=30)
            slow = self.in_slow_tier(day, index)
            if not afn and slow and rng.random() < 0.5:
                late = True  # shipped after LatestShipDate: an unavailability notice is due
                ship = latest_ship + timedelta(minutes=rng.randint(120, 48 * 60))
            else:
                window = max(60, int((latest_ship - earliest).total_seconds()))
                ship = min(earliest + timedelta(seconds=rng.randint(0, window)), latest_ship)
            split = lines > 1 and slow and rng.random() < 0.6 and role is None
            ships = [
                ship if (line == 0 or not split) else ship + timedelta(hours=rng.randint(12, 36))
                for line in range(lines)
            ]
        delivered_at = None
        if canceled_at is None:
            last_ship = max(t for t in ships if t)
            span = max(0, int((latest_delivery - earliest_delivery).total_seconds()))
            delivered_at = max(
                earliest_delivery + timedelta(seconds=rng.randint(0, span)),
                last_ship + timedelta(hours=20),
            )
        return Timeline(
            market,
            purchase,
            "AFN" if afn else "MFN",
            service,
            authorized_at,
            canceled_at,
            ships,
            latest_ship,
            earliest_delivery,
            latest_delivery,
            delivered_at,
            late,
        )

    def slow_tier_offset(self, day: date) -> int:
        return _day_mix(self.seed, day, "tier") % SLOW_TIER_EVERY

    def in_slow_tier(self, day: date, index: int) -> bool:
        """Only one order in SLOW_TIER_EVERY may ship late or in two parts; all others are done
        within REGULAR_LAG of their purchase day, so a LastUpdated scan can step over them."""
        return index % SLOW_TIER_EVERY == self.slow_tier_offset(day)

    def order(self, day: date, index: int, timeline: Timeline | None = None) -> OrderFacts:
        """The order in full; `timeline`: its timeline(day, index), when the caller (a scan
        that filtered on it) has it already, so it is not drawn twice."""
        tl = timeline if timeline is not None else self.timeline(day, index)
        rng = FastRandom(self.seed, day.toordinal(), index, _TAGS["o"])
        market = tl.marketplace
        lang = _LANG[market.code]
        oid = self.order_id(day, index, market)
        afn = tl.fulfillment == "AFN"
        is_prime = rng.random() < (0.8 if afn else 0.15)
        is_business = rng.random() < 0.07

        products = rng.sample(range(len(_PRODUCTS)), len(tl.ships))
        items: list[ItemFacts] = []
        for line, product in enumerate(products):
            titles, base_price = _PRODUCTS[product]
            title = titles[("en", "fr", "de", "es", "it").index(lang)]
            if rng.random() < 0.03:
                title = rng.choice(_NASTY_TITLES)
            price = round(
                base_price
                * (1.0 if market.currency != "GBP" else 0.86)
                * rng.choice((1.0, 1.0, 0.9, 1.1)),
                2,
            )
            items.append(
                ItemFacts(
                    order_item_id=f"{_mix(self.seed, day, index, 'item', line) % 10**14:014d}",
                    asin=asin_for(product),
                    sku=f"SKU-{product:03d}-{market.code}",
                    title=title,
                    quantity=1 if rng.random() < 0.85 else rng.choice((2, 3)),
                    unit_price=price,
                    shipped_at=tl.ships[line],
                )
            )
        purchase = tl.purchase
        service = tl.service_level
        authorized_at, canceled_at, late = tl.authorized_at, tl.canceled_at, tl.late
        latest_ship, delivered_at = tl.latest_ship, tl.delivered_at
        earliest_delivery, latest_delivery = tl.earliest_delivery, tl.latest_delivery
        fulfillment = tl.fulfillment

        first = rng.choice(_FIRST[lang])
        last = rng.choice(_LAST[lang])
        name = f"{first} {last}" if rng.random() > 0.02 else rng.choice(_NASTY_NAMES)
        email_user = "".join(rng.choices(string.ascii_lowercase + string.digits, k=15))
        repeat = _mix(self.seed, day, index, "rep")
        if repeat % REPEAT_EVERY == 0:
            regular = (repeat >> 8) % REGULARS
            email_user = (
                f"regular{regular}x{_h(self.seed, regular, *map(ord, market.code)) % 10**9:09d}"
            )
            name = f"{_FIRST[lang][regular % len(_FIRST[lang])]} {_LAST[lang][regular % len(_LAST[lang])]}"
        locale = market.locale if rng.random() < 0.88 else rng.choice(_LOCALES)
        opted_out = rng.random() < 0.03
        city, state, postal = rng.choice(_CITIES[market.code])
        address_line = f"{rng.randint(1, 250)} {_STREETS[lang]}"
        phone = f"+{rng.randint(1, 49)} {rng.randint(100, 999)} {rng.randint(1000000, 9999999)}"
        carrier = rng.choice(_CARRIERS[market.code])
        tracking = (
            "1Z" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=16))
            if carrier == "UPS"
            else "".join(rng.choices(string.digits, k=14))
        )
        shipping_price = 0.0 if (is_prime or afn) else rng.choice((0.0, 3.99, 4.99))

        facts = OrderFacts(
            amazon_order_id=oid,
            day=day,
            index=index,
            marketplace=market,
            purchase=purchase,
            authorized_at=authorized_at,
            canceled_at=canceled_at,
            fulfillment=fulfillment,
            service_level=service,
            is_prime=is_prime,
            is_business=is_business,
            earliest_ship=purchase,
            latest_ship=latest_ship,
            earliest_delivery=earliest_delivery,
            latest_delivery=latest_delivery,
            delivered_at=delivered_at,
            items=items,
            buyer_name=name,
            buyer_email=f"{email_user}@{market.email_domain}",
            buyer_locale=locale,
            buyer_opted_out=opted_out,
            city=city,
            state=state,
            postal_code=postal,
            address_line=address_line,
            phone=phone,
            carrier=carrier,
            tracking_number=tracking,
            shipping_price=shipping_price,
            late=late,
        )
        if (
            fulfillment == "MFN"
            and canceled_at is None
            and len(items) > 1
            and len({i.shipped_at for i in items}) == 1
            and (
                _mix(self.seed, day, index, "pcx") % PARTIAL_CANCEL_EVERY == 0
                or self.showcase_role(index) == "partial_cancel"
            )
        ):
            items[-1].cancelled = True
        facts.buyer_cancelled = (
            canceled_at is not None
            and authorized_at is not None
            and _mix(self.seed, day, index, "brc") % BUYER_CANCEL_EVERY == 0
            and self.showcase_role(index) is None
        )
        # ~8% of delivered orders come back; their refund lands days later
        if delivered_at is not None and self.may_be_returned(day, index):
            facts.ret = _make_return(rng, facts, delivered_at)
        return facts

    def may_be_returned(self, day: date, index: int) -> bool:
        """A cheap pre-check (no full generation) for the returns report's scan."""
        return _mix(self.seed, day, index, "ret") % 10_000 < RETURN_RATE_BP


def _make_return(rng: FastRandom, facts: OrderFacts, delivered_at: datetime) -> ReturnFacts:
    line = rng.randrange(len(facts.items))
    item = facts.items[line]
    requested = delivered_at + timedelta(hours=rng.randint(6, 20 * 24))
    back = requested + timedelta(days=rng.randint(2, 8))
    qty = rng.randint(1, item.quantity)
    return ReturnFacts(
        requested_at=requested,
        item_index=line,
        quantity=qty,
        reason=rng.choice(RETURN_REASONS),
        rma_id="D" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=8)) + "RRMA",
        status=rng.choice(("Approved", "Approved", "Authorized", "Closed")),
        refund_at=back + timedelta(hours=rng.randint(1, 72)),
        refunded_amount=round(item.unit_price * qty, 2),
        in_policy=rng.random() < 0.9,
        carrier=rng.choice(_CARRIERS[facts.marketplace.code]),
        tracking_id="".join(rng.choices(string.digits, k=12)),
        delivered_back_at=back if rng.random() < 0.85 else None,
    )


def _weighted(rng: FastRandom, options: list[tuple[str, float]]) -> str:
    roll = rng.random()
    for value, weight in options:
        roll -= weight
        if roll < 0:
            return value
    return options[-1][0]


def iso(moment: datetime) -> str:
    """Amazon's timestamp style: UTC, seconds, a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def days_between(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += DAY


def default_marketplaces() -> tuple[Marketplace, ...]:
    return (MARKETPLACES["US"],)
