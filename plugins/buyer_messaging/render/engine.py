"""Rendering message templates (include/templates/<kind>/<locale>.j2) in a Jinja2 sandbox.

A template defines two blocks, ``subject`` and ``body`` (include/templates/README.md). The
environment is sandboxed with StrictUndefined; buyer- and product-supplied values are data,
never template code. Plain text by default (the Messaging API and the e-mail relay get plain
text); ``html=True`` autoescapes and wraps paragraphs for an HTML part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2.runtime import Context as JinjaContext

from buyer_messaging.domain import KIND_NAMES as KINDS
from buyer_messaging.domain import LOCALES, MARKETPLACE_ALIASES, MARKETPLACE_CODES, MARKETPLACES

MARKETPLACE_LOCALES = {
    code: MARKETPLACES[MARKETPLACE_ALIASES.get(code, code)].locale
    for code in (*MARKETPLACE_CODES, *MARKETPLACE_ALIASES)
}
MARKETPLACE_CURRENCIES = {
    code: MARKETPLACES[MARKETPLACE_ALIASES.get(code, code)].currency
    for code in (*MARKETPLACE_CODES, *MARKETPLACE_ALIASES)
}

# every documented key; absent ones are None, so templates test them with "if x"
CONTEXT_KEYS = (
    "order_id", "buyer_name", "marketplace", "items", "carrier", "tracking_number",
    "estimated_delivery", "ship_date", "reason", "refund_amount", "currency", "refund_date",
    "adjusted_amount", "seller_name", "product_info", "delivery_address",
)  # fmt: skip
MAX_TITLE = 120
MAX_ITEMS = 10


class RenderError(Exception):
    """A template could not be rendered for an order; names the order, template and variable."""

    def __init__(
        self, order_id: str | None, template: str, variable: str | None, message: str
    ) -> None:
        self.order_id = order_id
        self.template = template
        self.variable = variable
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return (
            f"cannot render {self.template} for order {self.order_id or '?'}: "
            f"variable {self.variable or '?'!s}: {self.message}"
        )

    def __reduce__(self):  # picklable (Airflow may ship exceptions between processes)
        return (RenderError, (self.order_id, self.template, self.variable, self.message))


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str
    locale: str
    template: str  # the template file used (account override or default)
    kind: str = ""
    html: bool = False


class _Missing(Exception):
    def __init__(self, variable: str, message: str) -> None:
        super().__init__(message)
        self.variable = variable
        self.message = message


def locale_for_marketplace(marketplace: str) -> str:
    """The marketplace's locale (en-US for US, de-DE for DE; domain.MARKETPLACES)."""
    try:
        return MARKETPLACE_LOCALES[marketplace.upper()]
    except (KeyError, AttributeError):
        raise ValueError(
            f"unknown marketplace {marketplace!r}; expected one of {', '.join(MARKETPLACE_CODES)}"
        ) from None


def choose_locale(marketplace: str, preferred_locale: str | None = None) -> str:
    """The buyer's preferred locale when we have templates in its language, else the marketplace's."""
    if preferred_locale:
        wanted = preferred_locale.replace("_", "-")
        for loc in LOCALES:
            if loc.lower() == wanted.lower():
                return loc
        lang = wanted.split("-")[0].lower()
        market = locale_for_marketplace(marketplace)
        if market.split("-")[0] == lang:
            return market
        for loc in LOCALES:
            if loc.split("-")[0] == lang:
                return loc
    return locale_for_marketplace(marketplace)


# ------------------------------------------------------------------------------- filters
_TAG = re.compile(r"<[^<>]{0,200}>")
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0f\u200d\u20e3\u200b-\u200f\u2060\ufeff]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
_HSPACES = re.compile(r"[^\S\n]+")
_BLANKS = re.compile(r"\n{3,}")


def clean_text(value: Any, limit: int = MAX_TITLE, lines: bool = False) -> str:
    """Product/buyer text for a message: markup, emoji and control characters out, clipped;
    one line unless ``lines`` (then paragraphs are kept, at most one blank line between)."""
    if value is None:
        return ""
    return _clean(str(value), limit, lines)


@lru_cache(maxsize=8192)  # a seller's catalogue repeats its titles across a day's messages
def _clean(text: str, limit: int, lines: bool) -> str:
    text = _TAG.sub(" ", text)
    text = _EMOJI.sub("", text)
    text = _CONTROL.sub(" ", text)
    if lines:
        text = "\n".join(
            _HSPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")
        )
        text = _BLANKS.sub("\n\n", text).strip()
    else:
        text = _SPACES.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip(" ,;:-") + "\u2026"
    return text


def _babel_locale(locale: str) -> str:
    return locale.replace("-", "_")


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise TypeError(f"not a date: {value!r}")


def _as_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float | str):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            pass
    raise TypeError(f"not an amount: {value!r}")


# --------------------------------------------------------------------------- environment
# Babel's formatting is pure and costs more than the rest of a render: a day's messages
# share a handful of dates and many amounts
@lru_cache(maxsize=4096)
def _format_money(value: Decimal, currency: str, locale: str) -> str:
    from babel.numbers import format_currency

    return format_currency(value, currency, locale=_babel_locale(locale))


@lru_cache(maxsize=1024)
def _format_date(value: date, fmt: str, locale: str) -> str:
    from babel.dates import format_date

    return format_date(value, fmt, locale=_babel_locale(locale))


@lru_cache(maxsize=8)
def _environment(templates_dir: str, html: bool) -> Any:
    from jinja2 import FileSystemLoader, StrictUndefined, pass_context
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=FileSystemLoader(templates_dir),
        undefined=StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )

    @pass_context
    def need(ctx: JinjaContext, name: str) -> Any:
        """The value of a required variable; a missing or empty one is a render error naming it."""
        value = ctx.get(name)
        if value is None or value == "" or value == []:
            raise _Missing(name, "missing (required by this template)")
        return value

    @pass_context
    def money(ctx: JinjaContext, amount: Any, currency: str | None = None) -> str:
        cur = (
            currency
            or ctx.get("currency")
            or MARKETPLACE_CURRENCIES.get(str(ctx.get("marketplace") or "").upper())
        )
        if not cur:
            raise _Missing("currency", "missing (needed to format an amount)")
        try:
            value = _as_decimal(amount)
        except TypeError as err:
            raise _Missing("amount", str(err)) from None
        return _format_money(value, cur, ctx["locale"])

    @pass_context
    def fdate(ctx: JinjaContext, value: Any, fmt: str = "long") -> str:
        try:
            d = _as_date(value)
        except (TypeError, ValueError) as err:
            raise _Missing("date", str(err)) from None
        return _format_date(d, fmt, ctx["locale"])

    env.globals["need"] = need
    env.filters["money"] = money
    env.filters["date"] = fdate
    env.filters["clean"] = clean_text
    return env


@lru_cache(maxsize=256)
def _block_chain(templates_dir: str, html: bool, name: str) -> tuple[Any, ...]:
    """The template and the templates it extends (child first)."""
    from jinja2 import nodes

    env = _environment(templates_dir, html)
    chain = []
    seen = set()
    while name and name not in seen:
        seen.add(name)
        tmpl = env.get_template(name)
        chain.append(tmpl)
        source = env.loader.get_source(env, name)[0]
        parent = next(iter(env.parse(source).find_all(nodes.Extends)), None)
        name = (
            parent.template.value
            if parent is not None and isinstance(parent.template, nodes.Const)
            else ""
        )
    return tuple(chain)


@lru_cache(maxsize=1024)  # an account's override is looked for once per process, like the templates
def _template_name(
    templates_dir: Path, kind: str, locale: str, account_id: str | None, variant: str | None = None
) -> str:
    """The account's override, else the shipped template; an A/B test's text variant
    (`<locale>.<variant>.j2`) before either's default."""
    stems = [f"{locale}.{variant}", locale] if variant else [locale]
    for stem in stems:
        if account_id:
            name = f"accounts/{account_id}/{kind}/{stem}.j2"
            if (templates_dir / name).is_file():
                return name
        if stem != locale and (templates_dir / kind / f"{stem}.j2").is_file():
            return f"{kind}/{stem}.j2"
    return f"{kind}/{locale}.j2"


def render_message(
    kind: str,
    locale: str,
    context: dict[str, Any],
    *,
    account_id: str | None = None,
    templates_dir: Path | None = None,
    html: bool = False,
    variant: str | None = None,
) -> RenderedMessage:
    """Subject and body of one message; raises RenderError naming order, template and variable."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    from buyer_messaging.render.paths import templates_dir as default_dir

    root = Path(templates_dir) if templates_dir is not None else default_dir()
    order_id = context.get("order_id") if isinstance(context, dict) else None
    if account_id is not None and not re.fullmatch(r"[A-Za-z0-9_.\-]+", account_id):
        raise RenderError(
            order_id, f"{kind}/{locale}.j2", "account_id", f"not a valid account id: {account_id!r}"
        )
    if kind not in KINDS and not (root / kind).is_dir():
        raise RenderError(order_id, f"{kind}/{locale}.j2", "kind", f"unknown message kind {kind!r}")
    if variant is not None and not re.fullmatch(r"[a-z][a-z0-9_-]{0,40}", variant):
        raise RenderError(
            order_id, f"{kind}/{locale}.j2", "variant", f"not a variant name: {variant!r}"
        )
    name = _template_name(root, kind, locale, account_id, variant)
    shown = f"{root}/{name}"
    values: dict[str, Any] = dict.fromkeys(CONTEXT_KEYS)
    values.update(context)
    values["locale"] = locale
    values["kind"] = kind
    items = values.get("items") or []
    values["items"] = [
        dict(i) if isinstance(i, dict) else {"title": str(i), "quantity": 1} for i in items
    ]
    try:
        chain = _block_chain(str(root), html, name)
        tmpl = chain[0]
        ctx = tmpl.new_context(values)
        ctx.blocks = {}
        for t in chain:
            for block_name, fn in t.blocks.items():
                ctx.blocks.setdefault(block_name, []).append(fn)
        missing_blocks = {"subject", "body"} - set(ctx.blocks)
        if missing_blocks:
            raise RenderError(
                order_id, shown, None, f"template has no block {', '.join(sorted(missing_blocks))}"
            )
        subject = "".join(ctx.blocks["subject"][0](ctx))
        body = "".join(ctx.blocks["body"][0](ctx))
    except RenderError:
        raise
    except _Missing as err:
        raise RenderError(order_id, shown, err.variable, err.message) from None
    except UndefinedError as err:
        raise RenderError(order_id, shown, _undefined_name(str(err)), str(err)) from None
    except TemplateNotFound as err:
        raise RenderError(
            order_id, shown, "locale", f"no template {err.name} (kind {kind!r}, locale {locale!r})"
        ) from None
    except TemplateSyntaxError as err:
        raise RenderError(
            order_id, shown, None, f"template syntax error line {err.lineno}: {err.message}"
        ) from None
    except SecurityError as err:
        raise RenderError(
            order_id, shown, None, f"template not allowed by the sandbox: {err}"
        ) from None
    subject = _one_line(subject, html)
    body = _tidy_body(body, html)
    return RenderedMessage(
        subject=subject, body=body, locale=locale, template=shown, kind=kind, html=html
    )


def _undefined_name(message: str) -> str | None:
    m = re.search(r"'([^']+)' is undefined", message) or re.search(
        r"has no attribute '([^']+)'", message
    )
    return m.group(1) if m else None


def _one_line(text: str, html: bool) -> str:
    if html:
        from markupsafe import Markup

        text = Markup(text).unescape()
    return _SPACES.sub(" ", text).strip()


_TRAILING = re.compile(r"[ \t]+\n|\n[ \t]+")


def _tidy_body(text: str, html: bool) -> str:
    text = _TRAILING.sub("\n", text.replace("\r\n", "\n")).strip()
    text = _BLANKS.sub("\n\n", text)
    if html:
        paragraphs = [p.replace("\n", "<br>\n") for p in text.split("\n\n")]
        text = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return text
