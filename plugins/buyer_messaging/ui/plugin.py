"""Airflow plugin: the "Buyer messaging" dashboard in the Airflow 3 UI, and the listener that
creates a missing `spapi_<id>` pool (buyer_messaging.pools).

Registered through the `airflow.plugins` entry point (pyproject.toml), so installing the
package is enough: nothing to copy into the plugins folder.

A FastAPI app mounted by the API server at /buyer-messaging (page, static files and JSON API,
every route behind Airflow's authentication) and a top-level nav entry that shows the page
inside the Airflow UI at /plugin/buyer-messaging. See docs/ui.md.

Every Airflow component imports this file: it imports nothing heavy. The FastAPI app itself
is built on the API server's first request to it (buyer_messaging.ui.LazyApp).
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from buyer_messaging import pools
from buyer_messaging.ui import URL_PREFIX, app


class BuyerMessagingUIPlugin(AirflowPlugin):
    name = "buyer_messaging_ui"
    listeners = [pools]
    fastapi_apps = [
        {"app": app, "url_prefix": URL_PREFIX, "name": "Buyer messaging dashboard"},
    ]
    external_views = [
        {
            "name": "Buyer messaging",
            "href": f"{URL_PREFIX}/",
            "url_route": "buyer-messaging",
            "destination": "nav",
            "nav_top_level": True,
        },
    ]
