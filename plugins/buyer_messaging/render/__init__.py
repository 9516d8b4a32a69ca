"""Message rendering: templates in six locales (include/templates/), Jinja2 sandbox, Babel.

    from buyer_messaging.render import render_message, RenderError, RenderedMessage
    msg = render_message("shipment_confirmation", "de-DE", context, account_id="acme_de")
    msg.subject, msg.body, msg.locale, msg.template

include/templates/README.md lists the context keys and the template conventions.
"""

from __future__ import annotations

from buyer_messaging.render.engine import (
    CONTEXT_KEYS,
    KINDS,
    LOCALES,
    RenderedMessage,
    RenderError,
    choose_locale,
    clean_text,
    locale_for_marketplace,
    render_message,
)
from buyer_messaging.render.paths import include_dir, templates_dir

__all__ = [
    "CONTEXT_KEYS",
    "KINDS",
    "LOCALES",
    "RenderError",
    "RenderedMessage",
    "choose_locale",
    "clean_text",
    "include_dir",
    "locale_for_marketplace",
    "render_message",
    "templates_dir",
]
