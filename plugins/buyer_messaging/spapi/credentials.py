"""SP-API credentials as stored in an Airflow connection of type `amazon_sp_api`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from buyer_messaging.marketplaces import marketplace as lookup_marketplace
from buyer_messaging.masking import connection_extras, mask

if TYPE_CHECKING:
    from airflow.sdk import Connection

DEFAULT_LWA_ENDPOINT = "https://api.amazon.com/auth/o2/token"
REQUIRED_EXTRAS = ("refresh_token", "lwa_app_id", "lwa_client_secret")


class CredentialsError(ValueError):
    pass


@dataclass(frozen=True)
class SpApiCredentials:
    refresh_token: str = field(repr=False)
    lwa_app_id: str
    lwa_client_secret: str = field(repr=False)
    marketplace: str = "US"
    endpoint: str = ""
    lwa_endpoint: str = DEFAULT_LWA_ENDPOINT
    conn_id: str = ""  # named in errors: which account's credentials failed

    @property
    def base_url(self) -> str:
        return (self.endpoint or lookup_marketplace(self.marketplace).endpoint).rstrip("/")

    @property
    def lwa_parts(self) -> tuple[str, str, str]:
        """(scheme://, host[:port], path) of the token URL, as the client library wants them."""
        parts = urlsplit(self.lwa_endpoint)
        if not parts.scheme or not parts.netloc:
            raise CredentialsError(f"lwa_endpoint {self.lwa_endpoint!r} is not a full URL")
        return f"{parts.scheme}://", parts.netloc, parts.path or "/auth/o2/token"

    def secrets(self) -> tuple[str, ...]:
        return (self.refresh_token, self.lwa_client_secret)

    @property
    def account(self) -> str:
        return f"connection {self.conn_id!r}" if self.conn_id else "these SP-API credentials"


def credentials_from_connection(
    conn: Connection, *, marketplace: str | None = None
) -> SpApiCredentials:
    extra = connection_extras(conn)
    missing = [key for key in REQUIRED_EXTRAS if not extra.get(key)]
    if missing:
        raise CredentialsError(
            f"connection {conn.conn_id!r}: extras {', '.join(missing)} are required"
        )
    # whatever the extras' names, these two are secrets (the masker matches names only)
    mask(extra["refresh_token"], extra["lwa_client_secret"])
    return SpApiCredentials(
        refresh_token=extra["refresh_token"],
        lwa_app_id=extra["lwa_app_id"],
        lwa_client_secret=extra["lwa_client_secret"],
        marketplace=extra.get("marketplace") or marketplace or "US",
        endpoint=extra.get("endpoint") or "",
        lwa_endpoint=extra.get("lwa_endpoint") or DEFAULT_LWA_ENDPOINT,
        conn_id=conn.conn_id or "",
    )
