"""Provider info: registers the `amazon_sp_api` connection type and its form with Airflow.

Airflow reads this through the `apache_airflow_provider` entry point; keep it import-cheap.
"""

from __future__ import annotations

from typing import Any


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "buyer-messaging",
        "name": "Buyer messaging",
        "description": "Amazon SP-API buyer messaging: hooks and connection types.",
        "versions": ["0.1.0"],
        "connection-types": [
            {
                "connection-type": "amazon_sp_api",
                "hook-class-name": "buyer_messaging.spapi.hook.SpApiHook",
                # the connection form reads the name from here without importing the hook;
                # without it the UI lists the bare connection type
                "hook-name": "Amazon Selling Partner API",
                "ui-field-behaviour": {
                    "hidden-fields": ["host", "schema", "port", "login", "password"],
                    "relabeling": {},
                    "placeholders": {
                        "endpoint": "https://sellingpartnerapi-na.amazon.com",
                        "lwa_endpoint": "https://api.amazon.com/auth/o2/token",
                    },
                },
                "conn-fields": {
                    "refresh_token": {
                        "label": "LWA refresh token",
                        "schema": {"type": ["string", "null"], "format": "password"},
                    },
                    "lwa_app_id": {
                        "label": "LWA app id (client id)",
                        "schema": {"type": ["string", "null"]},
                    },
                    "lwa_client_secret": {
                        "label": "LWA client secret",
                        "schema": {"type": ["string", "null"], "format": "password"},
                    },
                    "marketplace": {
                        # a 2-letter extra makes Airflow warn "too short to mask" on every
                        # task that reads the connection; accounts.yaml already says it
                        "label": "Marketplace override (leave empty: accounts.yaml sets it)",
                        "schema": {"type": ["string", "null"]},
                    },
                    "endpoint": {
                        "label": "SP-API endpoint override (sandbox or emulator)",
                        "schema": {"type": ["string", "null"]},
                    },
                    "lwa_endpoint": {
                        "label": "LWA token URL override",
                        "schema": {"type": ["string", "null"]},
                    },
                },
            }
        ],
    }
