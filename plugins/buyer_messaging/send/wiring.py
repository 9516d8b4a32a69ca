"""Which channel sends which kind, built from the policy pack and the account's connections."""

from __future__ import annotations

from typing import Any

from buyer_messaging.masking import connection_extras
from buyer_messaging.policies import PolicyPack
from buyer_messaging.send.channels import (
    Channel,
    EmailRelay,
    Messaging,
    SmtpSettings,
    Solicitations,
)
from buyer_messaging.spapi.calls import SpApiCaller

SMTP_CONN_ID = "smtp_relay"


def smtp_settings_from_connection(conn: Any) -> SmtpSettings:
    extra = connection_extras(conn)  # extra_dejson warns for every short extra
    sender = extra.get("from_email") or conn.login
    if not sender or "@" not in sender:
        raise ValueError(
            f"connection {conn.conn_id!r}: set extra from_email (the seller's relay sender)"
        )
    return SmtpSettings(
        host=conn.host or "127.0.0.1",
        port=int(conn.port or 25),
        login=conn.login if extra.get("auth", bool(conn.password)) else None,
        password=conn.password,
        sender=sender,
        starttls=bool(extra.get("starttls", False)),
        timeout=float(extra.get("timeout", 30)),
    )


def channel_for(kind: str, pack: PolicyPack, caller: SpApiCaller, clients: Any) -> Channel:
    """`clients(name)` builds a client on demand: 'solicitations', 'messaging', 'orders', 'tokens', 'smtp'."""
    policy = pack.kinds[kind]
    if policy.channel == "solicitations":
        return Solicitations(caller, clients("solicitations"))
    if policy.channel == "messaging":
        return Messaging(
            caller, clients("messaging"), policy.message_type or "createUnexpectedProblem"
        )
    return EmailRelay(caller, clients("orders"), clients("smtp"), clients("tokens"))
