"""Connection smtp_relay: one reading for buyer mail and alerts, TLS unless the relay opts out."""

import json
from types import SimpleNamespace

import pytest
from airflow.models.connection import Connection

from buyer_messaging.alerts import notify_failure
from buyer_messaging.send.wiring import smtp_settings_from_connection


def _conn(extra: dict, **fields) -> Connection:
    return Connection(conn_id="smtp_relay", conn_type="smtp", host="relay.example", port=587, extra=json.dumps(extra), **fields)  # fmt: skip


def test_starttls_is_the_default_and_a_local_relay_opts_out():
    assert smtp_settings_from_connection(_conn({"from_email": "s@seller.example"})).starttls is True
    assert (
        smtp_settings_from_connection(
            _conn({"from_email": "s@seller.example", "disable_tls": True})
        ).starttls
        is False
    )
    # a connection URI's query is text
    uri = Connection(
        conn_id="smtp_relay",
        uri="smtp://u:p@relay.example:587?from_email=s%40seller.example&disable_tls=true",
    )
    assert smtp_settings_from_connection(uri).starttls is False
    assert (
        smtp_settings_from_connection(
            _conn({"from_email": "s@seller.example", "starttls": "false"})
        ).starttls
        is False
    )
    with pytest.raises(ValueError, match="implicit TLS"):
        smtp_settings_from_connection(
            _conn({"from_email": "s@seller.example", "disable_ssl": False})
        )


def _failure():
    return {
        "ti": SimpleNamespace(dag_id="buyer_messaging_acme_us", task_id="send"),
        "exception": RuntimeError("boom"),
    }


def test_alerts_go_through_the_relay_like_buyer_mail(smtp_relay):
    notify_failure(("ops@seller.example",))(_failure())
    [mail] = smtp_relay
    assert mail["to"] == "ops@seller.example"
    assert "Subject: [buyer-messaging] acme_us ?: send failed" in mail["data"]
    assert "From: seller@seller.example" in mail["data"]


def test_an_alert_never_falls_back_to_clear_text(smtp_relay, monkeypatch, caplog):
    # the same relay without disable_tls: it offers no STARTTLS, so nothing is sent in clear
    conn = json.loads(__import__("os").environ["AIRFLOW_CONN_SMTP_RELAY"])
    del conn["extra"]["disable_tls"]
    conn["login"], conn["password"] = "seller", "SECRET-smtp-pw"
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_RELAY", json.dumps(conn))
    notify_failure(("ops@seller.example",))(_failure())
    assert smtp_relay == []
    assert (
        "could not send the failure e-mail through smtp_relay: SMTPNotSupportedError" in caplog.text
    )
    assert "SECRET-" not in caplog.text
