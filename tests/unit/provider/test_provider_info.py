"""The connection type as Airflow's UI sees it, read through Airflow's own ProvidersManager."""

import json
import subprocess
import sys
import textwrap

from buyer_messaging.spapi.hook import SpApiHook

# the API server's connection form (airflow.api_fastapi.core_api.services.ui.connections
# HookMetaService.hook_meta_data) lists iter_connection_type_hook_ui_metadata(), which never
# imports the hook: the name and the fields must come from the provider info alone
PROBE = textwrap.dedent(
    """
    import json
    from airflow.providers_manager import ProvidersManager

    pm = ProvidersManager()
    [meta] = [m for m in pm.iter_connection_type_hook_ui_metadata() if m.connection_type == "amazon_sp_api"]
    widgets = sorted(k for k in pm._connection_form_widgets_from_metadata if "__amazon_sp_api__" in k)
    print(json.dumps({
        "provider": "buyer-messaging" in pm.providers,
        "hook_name": meta.hook_name,
        "hook_class_name": meta.hook_class_name,
        "hidden": (meta.field_behaviour or {}).get("hidden_fields"),
        "widgets": widgets,
    }))
    """
)


def test_the_connection_type_shows_as_amazon_selling_partner_api_with_its_extras_as_fields():
    # a fresh process: ProvidersManager is a process-wide singleton that caches what it read
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout
    info = json.loads(out.strip().splitlines()[-1])
    assert info["provider"], "the apache_airflow_provider entry point is not registered"
    assert info["hook_name"] == "Amazon Selling Partner API" == SpApiHook.hook_name
    assert info["hook_class_name"] == "buyer_messaging.spapi.hook.SpApiHook"
    assert set(info["hidden"]) >= {"host", "login", "password"}
    assert info["widgets"] == sorted(
        f"extra__amazon_sp_api__{field}"
        for field in (
            "refresh_token",
            "lwa_app_id",
            "lwa_client_secret",
            "marketplace",
            "endpoint",
            "lwa_endpoint",
        )
    )
