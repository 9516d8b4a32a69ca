"""The delivery address a shipment confirmation quotes, fetched from Amazon when it is rendered.

Buyer PII is not kept in staging: the address is read per message, as Amazon provides it, and
lives only in the rendered body (which the retention purge clears). Where it comes from:

- Orders API v0: getOrderAddress, a restricted operation (ordersV0.json: "ShippingAddress
  contains restricted data. Use the Restricted Data Token"), with one RDT for the generic path
  `/orders/v0/orders/{orderId}/address`, reused until shortly before it expires;
- Orders API 2026-01-01: getOrder with includedData RECIPIENT, `recipient.deliveryAddress`
  (no RDT: Amazon's "Access Orders PII" guide).

The phone number is never quoted (the linter blocks phone numbers, and the buyer knows theirs).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from buyer_messaging.spapi.calls import SpApiCaller, SpApiCallError

if TYPE_CHECKING:
    from sp_api.base import Client

log = logging.getLogger(__name__)

# v0 Address and 2026-01-01 CustomerAddress field names (the models'), in the order they print
V0_FIELDS = ("Name", "AddressLine1", "AddressLine2", "AddressLine3", "City", "StateOrRegion",
             "PostalCode", "CountryCode")  # fmt: skip
FIELDS_2026 = ("name", "addressLine1", "addressLine2", "addressLine3", "city", "stateOrRegion",
               "postalCode", "countryCode")  # fmt: skip
_RDT_MARGIN_S = 120.0


def address_lines(address: dict[str, Any] | None) -> list[str]:
    """Printable lines of an Amazon address (v0 or 2026-01-01 shape), the locality written as
    the country's post does: "Seattle, WA 98109" (US), town then postcode (GB), else "75001 Paris"."""
    if not address:
        return []
    keys = V0_FIELDS if "AddressLine1" in address or "City" in address else FIELDS_2026
    name, line1, line2, line3, city, region, postal, country = (
        str(address.get(k) or "").strip() for k in keys
    )
    lines = [x for x in (name, line1, line2, line3) if x]
    if country == "US":
        region_postal = " ".join(x for x in (region, postal) if x)
        lines.append(", ".join(x for x in (city, region_postal) if x))
    elif country == "GB":
        lines += [city, postal]
    else:
        lines.append(" ".join(x for x in (postal, city) if x))
    return [line for line in lines if line]


class DeliveryAddresses:
    """`fetch(order_id)` -> the order's delivery address lines, or [] when Amazon gives none."""

    def __init__(
        self,
        api: str,
        orders_client: Client,
        caller: SpApiCaller,
        tokens_client: Client | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if api == "v0" and tokens_client is None:
            raise ValueError("Orders API v0 needs a Tokens client: getOrderAddress takes an RDT")
        self.api, self.orders, self.caller, self.tokens = api, orders_client, caller, tokens_client
        self._clock = clock
        self._rdt: tuple[str, float] | None = None

    def __call__(self, order_id: str) -> list[str]:
        try:
            if self.api == "2026-01-01":
                res = self.caller.call(
                    "getOrder", self.orders.get_order, order_id, client=self.orders,
                    subject=order_id, includedData=["RECIPIENT"],
                )  # fmt: skip
                order = (res.payload or {}).get("order") or {}
                return address_lines((order.get("recipient") or {}).get("deliveryAddress"))
            self.orders.restricted_data_token = self._token()
            try:
                res = self.caller.call(
                    "getOrderAddress", self.orders.get_order_address, order_id,
                    client=self.orders, subject=order_id,
                )  # fmt: skip
            finally:
                self.orders.restricted_data_token = None
            return address_lines((res.payload or {}).get("ShippingAddress"))
        except SpApiCallError as err:
            # the error names the operation and the order, never the address
            log.warning("no delivery address: %s", err)
            return []

    def _token(self) -> str:
        assert self.tokens is not None  # __init__ requires it for v0, the only API needing an RDT
        now = self._clock()
        if self._rdt is None or self._rdt[1] <= now:
            payload = self.caller.call(
                "createRestrictedDataToken", self.tokens.create_restricted_data_token,
                client=self.tokens,
                restrictedResources=[
                    {"method": "GET", "path": "/orders/v0/orders/{orderId}/address"}
                ],
            ).payload  # fmt: skip
            lifetime = float(payload.get("expiresIn") or 3600)
            self._rdt = (payload["restrictedDataToken"], now + lifetime - _RDT_MARGIN_S)
        return self._rdt[0]
