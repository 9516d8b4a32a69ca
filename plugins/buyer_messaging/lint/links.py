"""Finding web addresses and e-mail addresses, also written to slip past a filter.

Works on normalised text (lower case, see ``text.normalize``). Recognised:

- URLs with a scheme (``https://…``), ``www.…``, bare domains (``shop.com/x``) for a list of
  top-level domains, ``<a href>`` / ``<img src>`` targets;
- disguised dots: ``shop dot com``, ``shop (dot) com``, ``shop[.]com``, ``www . shop . fr``,
  ``shop punkt de``, ``shop point fr``, ``shop punto es`` (and ``slash`` for ``/``);
- e-mail addresses, plain or disguised: ``name at domain dot com``, ``name (at) domain``,
  ``name arroba domain punto es``, ``name chiocciola domain punto it``, ``name[at]domain.de``.

An e-mail address is not also reported as a link: links are searched outside e-mail spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# top-level domains we recognise in bare (scheme-less) addresses; longest first in the regex
TLDS = sorted(
    """com net org info biz io co me ly gl gd to tv cc ws shop store online site website app link
    xyz top club blog live email page pro eu uk co.uk org.uk me.uk ltd.uk plc.uk fr de es it nl be
    at ch us ca au pl se dk fi pt ie lu cz gr hu ro sk si hr bg lt lv ee mx br ar jp cn in ru
    tk ml ga cf gq cat gal eus bzh paris berlin gy gg ai sh im ac nu gle""".split(),
    key=len,
    reverse=True,
)
_TLD = "(?:" + "|".join(re.escape(t) for t in TLDS) + ")"
_TLD_RE = _TLD

# a dot, plainly or in disguise; word forms need spaces (or brackets) around them
_DOT_WORDS = ("dot", "punkt", "point", "punto")
_WORD_DOT = "(?:" + "|".join(_DOT_WORDS) + ")"
# dots a reader takes for the dot of a domain when nothing separates them from its labels
# (normalisation has already made "․", "．" and "。" plain dots)
_LOOKALIKE_DOTS = "\u00b7\u2022\u2219\u22c5\u2027\u30fb"
_DOT_CHARS = "[." + _LOOKALIKE_DOTS + "]"
_DOT = (
    r"(?:" + _DOT_CHARS + r"(?!\s)"  # shop.com, shop·com (a dot and a space end a sentence)
    r"|\s+\.\s+"  # www . shop . fr
    r"|\s*[\[({<]\s*(?:\.|" + _WORD_DOT + r")\s*[\])}>]\s*"  # shop[.]com, shop (dot) com
    r"|\s+" + _WORD_DOT + r"\s+"  # shop dot com, shop punkt de
    r"|\s+\.(?=" + _TLD_RE + r"(?![\w\-]))"  # shop .es (a space before the dot, none after)
    r"|\.\s+(?=" + _TLD_RE + r"\s*/\s*\w)"  # shop. com/guide (a path after it)
    # shop · es/recetas: a spaced look-alike dot is a separator in prose, a dot before a path
    r"|\s+[" + _LOOKALIKE_DOTS + r"]\s+(?=" + _TLD_RE + r"\s*/\s*\w)"
    r"|\s+(?=co\s+uk\b)|(?<=\sco)\s+(?=uk\b)"  # shop co uk: the dots left out
    r")"
)
# a hyphen spelled out between the words of a name: "ridgeline dash supply dot com",
# "tienda guion azul punto es"
_SPELLED_HYPHEN = r"\s+(?:dash|hyphen|tiret|bindestrich|guion|trattino)\s+"
_LABEL_PART = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_LABEL = _LABEL_PART + r"(?:" + _SPELLED_HYPHEN + _LABEL_PART + r")*"
_SLASH = r"(?:\s*/\s*|\s+slash\s+)"
_PATH = r"(?:" + _SLASH + r"[a-z0-9][\w\-./?=&%#~+]*)?"

_DOMAIN = re.compile(
    r"(?<![\w@.\-/])((?:w\s?w\s?w"
    + _DOT
    + r")?(?:"
    + _LABEL
    + _DOT
    + r")+"
    + _TLD
    + r")(?![\w\-]|\.[a-z0-9])"
    + _PATH
)
# a scheme also defanged ("hxxps://") or spaced ("https : //")
_URL = re.compile(r"(?:\b(?:h[tx*]{2}ps?|ftp)\s?:\s?/\s?/\s?|\bwww\.)[^\s<>\"'()\[\]{}]+")
_HTML_REF = re.compile(
    r"<\s*(?:a|img|link|iframe|area|form|source|video|audio)\b[^>]*?\b(?:href|src|action)\s*=\s*[\"']?([^\"'\s>]*)"
)

# e-mail: plain, or with a disguised "@" (and a plain or disguised dot)
_EMAIL_PLAIN = re.compile(
    r"(?:mailto:)?[a-z0-9][a-z0-9._%+\-]*@@?[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}"
)
_EMAIL_NO_TLD = re.compile(r"(?<![\w.@\-])[a-z0-9][a-z0-9._%+\-]*@[a-z][a-z0-9\-]{2,}(?![\w.@\-])")
_AT_WORDS = r"arroba|arobase|arobas|chiocciola|chiocciolina|klammeraffe|ät|a\s+commerciale"
_AT_BRACKET = r"(?:\s*[\[({<]\s*(?:at|@|a|" + _AT_WORDS + r")\s*[\])}>]\s*)"
# "chez" is the French for "at" in spoken addresses ("boutique chez gmail point com")
_AT_WORD = r"(?:\s+(?:at|chez|" + _AT_WORDS + r")\s+)"
_EMAIL_DISGUISED = re.compile(
    r"(?<![\w.\-])[a-z0-9][a-z0-9._%+\-]*(?:" + _AT_BRACKET + r"|\s*@\s+|\s+@\s*|" + _AT_WORD + r")"
    r"((?:" + _LABEL + _DOT + r")+" + _TLD + r")(?![\w\-])"
)
_WORD_DOT_RE = re.compile(r"\s+" + _WORD_DOT + r"\s+|[\[({<]|\s+\.\s+")

# a word (not a host name) that precedes "point de" / "punto es" in ordinary prose
_PROSE_WORDS = frozenset(
    """el la los las un una este esta ese esa aquel cada otro otra mismo primer segundo tercer
    ultimo nuestro nuestra su sus tu mi del al buen gran le les ce cet cette un une du au aux
    mon ton son notre votre leur bon premier dernier chaque quel meme tout the a an this that
    each any our your their one first last same good main key weak strong starting focal this
    de di da dal il lo questo quel ogni nostro vostro suo der die das ein eine jeder dieser
    unser ihr wichtiger wichtige letzter erster""".split()
)


@dataclass(frozen=True)
class Link:
    start: int
    end: int
    host: str  # normalised: disguised dots made dots, no "www."
    url: str  # host + path, normalised
    form: str  # "url" (scheme or www.), "bare", "disguised", "html"


_SPACED_WWW = re.compile(r"^w\s?w\s?w(?!\w)")


def _undisguise(s: str) -> str:
    s = _SPACED_WWW.sub("www", s)
    s = re.sub(r"\s*[\[({<]\s*(?:\.|" + _WORD_DOT + r")\s*[\])}>]\s*", ".", s)
    s = re.sub(r"\s+" + _WORD_DOT + r"\s+", ".", s)
    s = re.sub(r"\s*" + _DOT_CHARS + r"\s*", ".", s)
    s = re.sub(r"\s+co\s+uk\b", ".co.uk", s)
    s = re.sub(_SPELLED_HYPHEN, "-", s)
    s = re.sub(_SLASH, "/", s)
    return s


def _host_of(url: str) -> str:
    host = re.sub(r"^[a-z]+://", "", url).split("/")[0].split("?")[0].split("#")[0]
    host = host.split("@")[-1].split(":")[0].strip(".")
    return host[4:] if host.startswith("www.") else host


def find_emails(
    norm: str, domain_hint: bool | None = None, english: bool = True
) -> list[tuple[int, int]]:
    """`domain_hint`: `may_have_domain(norm)` when the caller has it already; `english`: the
    message may be English (elsewhere a plain " at " is no word of the language: an "@")."""
    if domain_hint is None:
        domain_hint = may_have_domain(norm)
    # without "@" only a disguised address can be there, and its domain needs a dot (plain or
    # disguised) before a top-level domain: prose with "at" but no such domain has none
    if "@" not in norm and (not domain_hint or _DISGUISED_AT_HINT.search(norm) is None):
        return _joined_emails(norm)
    spans = [m.span() for m in _EMAIL_PLAIN.finditer(norm)]
    if "@" in norm:  # "support@brewbarn": the top-level domain left out is still an address
        spans += [
            m.span() for m in _EMAIL_NO_TLD.finditer(norm)
            if not any(s <= m.start() < e for s, e in spans)
        ]  # fmt: skip
    for m in _EMAIL_DISGUISED.finditer(norm):
        whole = m.group(0)
        plain_at = re.search(r"\s+at\s+", whole) is not None and not re.search(_AT_BRACKET, whole)
        # "chez" is an everyday French word ("chez Darty point fr"): an "@" on the test of " at "
        chez = re.search(r"\s+chez\s+", whole) is not None
        # "manage your preferences at shop.co/prefs": a host with a path is a page to visit
        if plain_at and _PATH_NEXT.match(norm, m.end()):
            continue
        # "visit us at shop.com", "the guide is at shop dot com" are links, not addresses:
        # a plain " at " is an "@" when what stands before it reads as a mailbox ("info",
        # "j.smith") or the sentence asks the buyer to write
        if ((plain_at and english) or chez) and not _reads_as_address(
            norm, m.start(), m.end(), whole.split()[0], m.group(1)
        ):
            continue
        if not any(s <= m.start() < e for s, e in spans):
            spans.append(m.span())
    return sorted(spans + _joined_emails(norm))


_PATH_NEXT = re.compile(r"\s*/\s*\w|\s+slash\s+\w")


def _joined_emails(norm: str) -> list[tuple[int, int]]:
    if "-at-" not in norm and "_at_" not in norm:
        return []
    return [m.span() for m in _EMAIL_JOINED.finditer(norm)]


# "support-at-brewbarn-dot-com", "info_at_shop_dot_de": the words joined to the name
_EMAIL_JOINED = re.compile(
    r"(?<![\w.\-])[a-z0-9][a-z0-9.]*([\-_])at\1"
    + _LABEL
    + r"(?:\1dot\1"
    + _LABEL
    + r")*\1dot\1"
    + _TLD
    + r"(?![\w\-])"
)


_DISGUISED_AT_HINT = re.compile(
    r"\(at\)|\[at\]|\{at\}|\(a\)|\[a\]|\sat\s|arroba|arobas|chiocciola|klammeraffe|\bat\b|\(@\)|\[@\]|\bät\b|"
    r"\bchez\b"
)
# words that precede a plain " at " in English prose, where no e-mail name would stand
_PROSE_BEFORE_AT = frozenset(
    """us me him her them it you online website site web here there home
    available find visit look looking buy order ordered go page now directly also
    anytime today please more details offers offer deals deal catalogue
    catalog range products product collection everything anything something items available
    sale discounts discount prices price cheaper cheap stock sold listed shopping""".split()
)


# mailbox names sellers use, in the five languages (a person's name is caught by the e-mail
# words around it or by a disguised dot)
_MAILBOX_NAMES = frozenset(
    """info infos information contact contacto contatto contatti kontakt support help helpdesk
    service services servicio servizio kundenservice kundendienst sav hello hallo hola ciao
    bonjour hi team sales vendite ventas ventes vertrieb verkauf shop store tienda negozio
    boutique laden orders order pedidos ordini commandes bestellung bestellungen returns return
    retour retours devoluciones resi reso rucksendung ruckgabe billing invoice invoices factures
    facturas fatture rechnung rechnungen compta admin office mail email care customercare
    customerservice cs assistance assistenza asistencia atencion atencioncliente postventa
    garantie garanzia garantia warranty claims reklamation reclamation reclamaciones reclami
    feedback noreply no-reply webmaster marketing news newsletter parts ersatzteile
    technik technique tecnico soporte supporto buchhaltung verwaltung einkauf versand lager
    zentrale buro comptabilite commercial direction administracion contabilidad amministrazione
    ufficio contabilita accounts accounting""".split()
)
# providers of personal mailboxes in the six marketplaces
_WEBMAIL = frozenset(
    """gmail googlemail yahoo ymail hotmail outlook live msn icloud me aol gmx web t-online
    freenet posteo mailbox protonmail proton orange wanadoo free laposte sfr neuf libero virgilio
    alice tin tiscali email btinternet sky talktalk virginmedia ntlworld telefonica movistar
    terra""".split()
)
# words of writing to someone: the sentence gives an address to write to
_MAIL_CONTEXT = re.compile(
    r"\b(?:e-?mails?|mail\w*|write|writing|drop (?:us|me) a (?:line|note)|send|contact|"
    r"ecri\w*|courriel|envoy\w*|contact\w*|schreib\w*|sende\w*|senden|kontakt\w*|schick\w*|"
    r"escrib\w*|correo|envi\w*|mand\w*|contact\w*|scriv\w*|invia\w*|posta)\b"
)


def _reads_as_address(norm: str, start: int, end: int, name: str, domain: str) -> bool:
    """Whether "<name> at <domain>" is an e-mail address and not "<prose> at <a site>"."""
    if name in _PROSE_BEFORE_AT:
        return False
    mail_context = _MAIL_CONTEXT.search(norm, max(0, start - 60), min(len(norm), end + 40))
    before = norm[max(0, start - 20) : start].split()
    if before and before[-1] in _PROSE_WORDS and "." not in name and not mail_context:
        return False  # "our shop at brewbarn dot com", "the team at …": a noun, not a mailbox
    if name in _MAILBOX_NAMES or re.search(r"[._\-+\d]", name):
        return True
    if _undisguise(domain).split(".")[0] in _WEBMAIL:
        return True  # "jake at gmail dot com": no site to visit there, a mailbox
    # the verb may come after the address ("Belege bitte an … schicken")
    if mail_context is None:
        return False
    return _WORD_DOT_RE.search(domain) is not None or len(name) > 2


def _has_disguised_at(norm: str) -> bool:
    return _DISGUISED_AT_HINT.search(norm) is not None


def find_links(
    norm: str, emails: list[tuple[int, int]], domain_hint: bool | None = None
) -> list[Link]:
    """Every web address in the text, outside e-mail addresses."""
    if domain_hint is None:
        domain_hint = may_have_domain(norm)
    if emails:
        chars = list(norm)
        for s, e in emails:
            chars[s:e] = " " * (e - s)
        norm = "".join(chars)
    links: list[Link] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, url: str, form: str) -> None:
        if any(s <= start < e or start <= s < end for s, e in taken):
            return
        url = url.rstrip(".,;:!?)")
        host = _host_of(url)
        links.append(Link(start, end, host, url, form))
        taken.append((start, end))

    if "<" in norm:
        for m in _HTML_REF.finditer(norm):
            target = m.group(1)
            if target.startswith("mailto:"):
                continue
            add(m.start(), m.end(), re.sub(r"^[a-z]+://", "", target), "html")
    if "//" in norm or "www." in norm:
        for m in _URL.finditer(norm):
            add(m.start(), m.end(), re.sub(r"^[a-z]+://", "", re.sub(r"\s", "", m.group(0))), "url")
    if not domain_hint:
        return links
    for m in _DOMAIN.finditer(norm):
        raw = m.group(0)
        dom = m.group(1)
        disguised = _WORD_DOT_RE.search(dom) is not None
        if disguised:
            first = re.split(r"\s|\[|\(|\{|\.", _SPACED_WWW.sub("www", dom), maxsplit=1)[0]
            if first in _PROSE_WORDS or (len(first) < 3 and first != "www"):
                continue
            if _NOUN_DOT_PROSE.search(norm, m.start(1), m.end(1) + 3):
                continue  # "the set point to save", "der Punkt in": the noun, a word after it
        elif re.fullmatch(r"[\d.]+[a-z]*", dom.split(".")[0] + ".") and dom.split(".")[0].isdigit():
            continue  # 1.5.de, numbers
        form = "disguised" if disguised or _SLASH_WORD.search(raw) else "bare"
        add(m.start(), m.end(), _undisguise(raw), form)
    return links


_SLASH_WORD = re.compile(r"\s+slash\s+")
# "point", "Punkt", "punto" are nouns too: before a top-level domain that is also a short word
# of prose ("to", "in", "me"; not "it", "at", "be", domains of the marketplaces' neighbours)
# and with the sentence going on after it, they are the noun
_NOUN_DOT_PROSE = re.compile(
    r"\s(?:point|punkt|punto)\s+(?:to|in|me|us|is|so|no|my|do|go|by|on|or|as|am|an|of|we)"
    r"\s+[a-z]"
)
# A dot (plain or disguised) followed by a top-level domain: without one there is no domain
# (a plain dot right before it: "Thank you. It" ends a sentence, `_DOT` never spans ". ").
# One regex per form, each starting with a literal or a small set of characters, which the
# regex engine scans for quickly (a pattern starting with \s is tried at every space).
_END = r"(?![\w\-])"
_HINTS = (
    re.compile(_DOT_CHARS + _TLD + _END),
    re.compile(r"[\])}>]\s*" + _TLD + _END),
    re.compile(r"\.(?<=\s\.)\s+" + _TLD),
)
# rarer forms, each behind a substring test that rules most messages out for free
_PATH_AFTER_SPACE = re.compile(_DOT_CHARS + r"\s+" + _TLD + r"\s*/\s*\w")  # shop. com/guide
_SPACED_CO_UK = re.compile(r"\sco\s+uk\b")  # shop co uk
_WORD_DOT_HINT = re.compile(r"\s" + _WORD_DOT + r"\s+" + _TLD + _END)


def may_have_domain(norm: str) -> bool:
    """Whether a domain (plain or disguised) can be in the text: a cheap necessary condition
    for `find_links`' domain search, which rules out most messages."""
    if any(h.search(norm) for h in _HINTS):
        return True
    if "/" in norm and _PATH_AFTER_SPACE.search(norm):
        return True
    if " uk" in norm and _SPACED_CO_UK.search(norm):
        return True
    return any(w in norm for w in _DOT_WORDS) and _WORD_DOT_HINT.search(norm) is not None


def host_matches(host: str, domains: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
    """host is one of domains or a subdomain of one (exact labels: no look-alikes)."""
    if host in domains:
        return True
    parts = host.split(".")
    return any(".".join(parts[i:]) in domains for i in range(1, len(parts) - 1))
