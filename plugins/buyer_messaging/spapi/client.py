"""python-amazon-sp-api clients pointed at the account's endpoints, with status checking.

The library has no host setting and trusts any body without `errors` (an empty or HTML error
page would pass for success), and its token cache is a process-wide dict. Our subclasses fix
those three things without forking it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from buyer_messaging.marketplaces import marketplace as lookup_marketplace
from buyer_messaging.masking import guard_library_logs, mask, redact
from buyer_messaging.spapi.credentials import SpApiCredentials

if TYPE_CHECKING:
    from sp_api.base import Client

T = TypeVar("T")


class SpApiHttpError(Exception):
    """An SP-API answer that is not a success, with Amazon's error code when it gave one."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    @property
    def token_expired(self) -> bool:
        return self.status == 403 and "expired" in self.message.lower()


class LwaError(SpApiHttpError):
    """Login with Amazon did not exchange the refresh token: the message names the account
    and the token endpoint, and never holds what was sent (an endpoint may echo it)."""


@dataclass(frozen=True)
class _Marketplace:
    """What the client library reads from its Marketplaces enum."""

    endpoint: str
    marketplace_id: str
    region: str


def _check_status(res: Any) -> None:
    status = res.status_code
    if 200 <= status < 300:
        if res.content:
            try:
                json.loads(res.content)
            except ValueError:
                raise SpApiHttpError(
                    status,
                    "InvalidResponse",
                    "the body is not valid JSON (truncated?)",
                    res.headers,
                ) from None
        return
    code, message = "HttpError", (res.text or "")[:200] or "empty body"
    try:
        errors = res.json().get("errors") or []
        if errors:
            code = errors[0].get("code", code)
            message = errors[0].get("message", message)
            details = errors[0].get("details")
            if details:
                message = f"{message} ({details})"
    except (ValueError, AttributeError):
        pass
    raise SpApiHttpError(status, code, redact(message), res.headers)


class _CheckedMixin:
    """Mixed in front of a library API class: real Host header and a status check."""

    # the ignores below: super() is the sp_api class this is mixed in front of, which mypy
    # cannot see from the mixin (and sp_api ships no types)
    @property
    def headers(self) -> dict[str, str]:
        headers = super().headers  # type: ignore[misc]
        headers["host"] = urlsplit(self.endpoint).netloc  # type: ignore[attr-defined]
        return headers

    def _check_response(self, res: Any, *args: Any, **kwargs: Any) -> Any:
        _check_status(res)
        return super()._check_response(res, *args, **kwargs)  # type: ignore[misc]


def _token_client_class(creds: SpApiCredentials) -> type:
    from sp_api.auth import AccessTokenClient, AccessTokenResponse

    scheme, host, path = creds.lwa_parts

    class _TokenClient(AccessTokenClient):
        """Caches its token per instance (the library's cache is global and unsynchronised)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._lock = threading.Lock()
            self._token: dict[str, Any] | None = None
            self._expires_at = 0.0

        def get_auth(self) -> AccessTokenResponse:
            with self._lock:
                if self._token is None or time.monotonic() >= self._expires_at:
                    token = self._exchange()
                    mask(token["access_token"])
                    lifetime = float(token.get("expires_in", 3600))
                    # refresh a little early so a token never expires in flight
                    self._expires_at = time.monotonic() + max(1.0, lifetime * 0.9)
                    self._token = token
                return AccessTokenResponse(**self._token)

        def _exchange(self) -> dict[str, Any]:
            """POST the refresh token to LWA. The library's own `_request` raises with the
            endpoint's error_description verbatim, which an echoing endpoint fills with the
            refresh token and client secret."""
            import httpx

            url = self.scheme + self.host + self.path
            where = f"LWA token exchange for {creds.account} at {url}"
            try:
                res = self._transport.request("POST", url, data=self.data, headers=self.headers)
            except httpx.TransportError as err:
                raise type(err)(f"{where}: {type(err).__name__}: {redact(str(err))}") from None
            try:
                body = res.json()
            except ValueError:
                body = None
            if res.status_code == 200 and isinstance(body, dict) and body.get("access_token"):
                return body
            if res.status_code == 200:
                raise LwaError(
                    200,
                    "InvalidResponse",
                    f"{where}: the answer holds no access_token",
                    res.headers,
                )
            if isinstance(body, dict):
                code = str(body.get("error") or "HttpError")
                detail = str(body.get("error_description") or "")
            else:
                code, detail = "HttpError", res.text[:200]
            detail = redact(detail, creds.secrets())
            raise LwaError(
                res.status_code, code, f"{where} failed: {detail or 'no description'}", res.headers
            )

        def invalidate(self) -> None:
            with self._lock:
                self._token = None

    _TokenClient.scheme = scheme
    _TokenClient.host = host
    _TokenClient.path = path
    return _TokenClient


_checked_classes: dict[type, type] = {}


def checked_class(api_cls: type) -> type:
    if api_cls not in _checked_classes:
        _checked_classes[api_cls] = type(f"Checked{api_cls.__name__}", (_CheckedMixin, api_cls), {})
    return _checked_classes[api_cls]


def build_client(api_cls: type[T], creds: SpApiCredentials, *, timeout: float = 30.0) -> T:
    """A client of `api_cls` (e.g. OrdersV0, Solicitations) for these credentials."""
    mp = lookup_marketplace(creds.marketplace)
    # credentials built without a connection too; and the masker's import (about a second)
    # is paid here, not inside the first paced call
    mask(*creds.secrets())
    guard_library_logs()
    cls = checked_class(api_cls)
    client = cls(
        marketplace=_Marketplace(creds.base_url, mp.marketplace_id, mp.region),
        credentials={
            "refresh_token": creds.refresh_token,
            "lwa_app_id": creds.lwa_app_id,
            "lwa_client_secret": creds.lwa_client_secret,
        },
        refresh_token=creds.refresh_token,
        auth_token_client_class=_token_client_class(creds),
        timeout=timeout,
    )
    client.conn_id = creds.conn_id  # named by SpApiCaller when the endpoint cannot be reached
    # SP_API_DEFAULT_MARKETPLACE in the environment silently replaces the argument: undo that.
    client.endpoint, client.marketplace_id, client.region = (
        creds.base_url,
        mp.marketplace_id,
        mp.region,
    )
    return client


def invalidate_token(client: Client) -> None:
    auth = getattr(client, "_auth", None)
    if auth is not None and hasattr(auth, "invalidate"):
        auth.invalidate()


def utcnow() -> datetime:
    return datetime.now(UTC)
