"""Which channel sends which kind, built from the policy pack and the account's connections."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from airflow.sdk import Connection

SMTP_CONN_ID = "smtp_relay"


def smtp_settings_from_connection(conn: Connection) -> SmtpSettings:
    """The one reading of connection `smtp_relay`, for buyer mail and alerts alike.

    STARTTLS unless the extra `disable_tls` (the SMTP provider's key) is true, so a login never
    goes in clear by default; a local relay without TLS sets `disable_tls: true`. Implicit TLS
    (SMTPS, the provider's `disable_ssl: false`) is refused: the channels speak STARTTLS. The
    older `starttls` extra still works.
    """
    extra = connection_extras(conn)  # extra_dejson warns for every short extra
    sender = extra.get("from_email") or conn.login
    if not sender or "@" not in sender:
        raise ValueError(
            f"connection {conn.conn_id!r}: set extra from_email (the seller's relay sender)"
        )
    if "disable_ssl" in extra and not _flag(extra["disable_ssl"]):
        raise ValueError(
            f"connection {conn.conn_id!r}: implicit TLS (SMTPS, disable_ssl false) is not"
            " supported: use the relay's STARTTLS port (587), TLS is on by default"
        )
    if "starttls" in extra:
        starttls = _flag(extra["starttls"])
    else:
        starttls = not _flag(extra.get("disable_tls", False))
    return SmtpSettings(
        host=conn.host or "127.0.0.1",
        port=int(conn.port or 25),
        login=conn.login if extra.get("auth", bool(conn.password)) else None,
        password=conn.password,
        sender=sender,
        starttls=starttls,
        timeout=float(extra.get("timeout", 30)),
    )


def _flag(value: Any) -> bool:
    # a connection URI's query gives strings: ?disable_tls=true
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def channel_for(
    kind: str, pack: PolicyPack, caller: SpApiCaller, clients: Callable[[str], Any]
) -> Channel:
    """`clients(name)` builds a client on demand: 'solicitations', 'messaging', 'orders', 'tokens', 'smtp'."""
    policy = pack.kinds[kind]
    if policy.channel == "solicitations":
        return Solicitations(caller, clients("solicitations"))
    if policy.channel == "messaging":
        return Messaging(
            caller, clients("messaging"), policy.message_type or "createUnexpectedProblem"
        )
    return EmailRelay(caller, clients("orders"), clients("smtp"), clients("tokens"))
