"""Airflow hook for connection type `amazon_sp_api` (one connection `spapi_<account>` each)."""

from __future__ import annotations

from typing import TypeVar

from airflow.sdk import BaseHook

from buyer_messaging.spapi.client import build_client
from buyer_messaging.spapi.credentials import SpApiCredentials, credentials_from_connection

T = TypeVar("T")


def conn_id_for(account_id: str) -> str:
    return f"spapi_{account_id}"


class SpApiHook(BaseHook):
    """Reads the connection on every use, so a rotated refresh token needs no deploy."""

    conn_name_attr = "spapi_conn_id"
    default_conn_name = "spapi_default"
    conn_type = "amazon_sp_api"
    hook_name = "Amazon Selling Partner API"

    def __init__(self, spapi_conn_id: str = default_conn_name, marketplace: str | None = None):
        super().__init__()
        self.spapi_conn_id = spapi_conn_id
        self.marketplace = marketplace

    def get_credentials(self) -> SpApiCredentials:
        conn = self.get_connection(self.spapi_conn_id)
        return credentials_from_connection(conn, marketplace=self.marketplace)

    def get_conn(self) -> SpApiCredentials:
        return self.get_credentials()

    def client(self, api_cls: type[T], *, timeout: float = 30.0) -> T:
        """A fresh client (the library's token handling is not shared across threads)."""
        return build_client(api_cls, self.get_credentials(), timeout=timeout)

    def test_connection(self) -> tuple[bool, str]:
        try:
            creds = self.get_credentials()
            from sp_api.api import Sellers

            client = build_client(Sellers, creds, timeout=10)
            client.auth  # noqa: B018 - exchanging the refresh token proves the LWA credentials
        except Exception as err:  # the UI shows the message; never the secrets
            message = str(err)
            for secret in _secrets_of(locals().get("creds")):
                message = message.replace(secret, "***")
            return False, message
        return True, f"LWA token obtained for marketplace {creds.marketplace} ({creds.base_url})"


def _secrets_of(creds: SpApiCredentials | None) -> tuple[str, ...]:
    return creds.secrets() if isinstance(creds, SpApiCredentials) else ()
