"""Build python-amazon-sp-api clients that talk to an emulator, in one line.

from sp_api.api import Orders
from spapi_emulator.testing import client_kwargs
orders = Orders(**client_kwargs(srv.url))
"""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import urlsplit

from .auth import DEFAULT_REFRESH_TOKEN

CREDENTIALS = {
    "refresh_token": DEFAULT_REFRESH_TOKEN,
    "lwa_app_id": "amzn1.application-oa2-client.emulator",
    "lwa_client_secret": "emulator-client-secret",
}


def _bypass_proxies(host: str) -> None:
    """httpx honours HTTP(S)_PROXY: a proxy would swallow requests to 127.0.0.1 (CI sets one)."""
    for name in ("NO_PROXY", "no_proxy"):
        hosts = [h.strip() for h in os.environ.get(name, "").split(",") if h.strip()]
        if host and host not in hosts:
            os.environ[name] = ",".join([*hosts, host])


def client_kwargs(
    url: str, marketplace: str = "US", refresh_token: str | None = None
) -> dict[str, Any]:
    """`marketplace`, `credentials` and `auth_token_client_class` for any sp_api client."""
    from sp_api.auth import AccessTokenClient, AccessTokenResponse
    from sp_api.base import Marketplaces

    parts = urlsplit(url)
    base = Marketplaces[marketplace]
    _bypass_proxies(parts.hostname or "")

    class _Marketplace:
        # sp_api only reads these three attributes of a Marketplaces member
        endpoint = url.rstrip("/")
        marketplace_id = base.marketplace_id
        region = base.region
        name = base.name

    class EmulatorTokenClient(AccessTokenClient):
        scheme = f"{parts.scheme}://"
        host = parts.netloc
        # sp_api's own cache is process-wide, keyed by refresh token only, and ignores
        # expires_in; this one is per emulator and honours expiry.
        _cache: dict[str, tuple[float, dict]] = {}

        def get_auth(self) -> AccessTokenResponse:
            key = f"{self.host}|{self.cred.refresh_token}"
            hit = self._cache.get(key)
            if hit is None or hit[0] <= time.monotonic():
                data = self._request(self.scheme + self.host + self.path, self.data, self.headers)
                lifetime = float(data.get("expires_in", 3600))
                hit = (time.monotonic() + max(0.0, lifetime - min(60.0, lifetime / 10)), data)
                self._cache[key] = hit
            return AccessTokenResponse(**hit[1])

        @classmethod
        def forget(cls) -> None:
            cls._cache.clear()

    credentials = dict(CREDENTIALS)
    if refresh_token is not None:
        credentials["refresh_token"] = refresh_token
    return {
        "marketplace": _Marketplace,
        "credentials": credentials,
        "auth_token_client_class": EmulatorTokenClient,
    }
