"""The buyer's preferred language, asked of Amazon when a message is rendered.

Messaging API getAttributes (messaging.json, GetAttributesResponse): `buyer.locale`, "the buyer's
language of preference, indicated with a locale-specific language tag" (e.g. en-US, zh-CN).
`render.choose_locale` maps it onto the templates' six locales, the marketplace's language when
we have none in the buyer's. Not stored: it is asked per message (1 call/s, burst 5).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from buyer_messaging.spapi.calls import SpApiCaller, SpApiCallError

if TYPE_CHECKING:
    from sp_api.base import Client

log = logging.getLogger(__name__)


class BuyerLocales:
    """`locale(order_id)` -> Amazon's `buyer.locale` for the order, or None when it gives none."""

    def __init__(self, messaging_client: Client, caller: SpApiCaller, marketplace_id: str) -> None:
        self.client, self.caller, self.marketplace_id = messaging_client, caller, marketplace_id

    def __call__(self, order_id: str) -> str | None:
        try:
            res = self.caller.call(
                "GetAttributes", self.client.get_attributes, order_id, client=self.client,
                subject=order_id, marketplaceIds=self.marketplace_id,
            )  # fmt: skip
        except SpApiCallError as err:
            log.warning("no buyer locale, the marketplace's language is used: %s", err)
            return None
        payload = res.payload or {}
        locale = (payload.get("buyer") or {}).get("locale")
        return locale if isinstance(locale, str) and locale.strip() else None
