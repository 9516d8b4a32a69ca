"""Credentials kept out of logs and exception texts.

Two layers. Every credential we read or obtain is registered with Airflow's secrets masker,
which replaces it in every task log line (and the supervisor's). And texts we build from
answers of Amazon or a relay (which may echo a request) go through `redact`, which removes
the credentials it is given and anything shaped like an Amazon token.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

if TYPE_CHECKING:
    from airflow.sdk import Connection

# Login with Amazon access tokens (Atza|), refresh tokens (Atzr|) and Restricted Data Tokens
# (Atz.sprdt|): Amazon's formats, so a token we were never told about is still caught.
TOKEN_FORMAT = re.compile(r"Atz(?:a|r|\.sprdt)(?:\||%7C)[^\s\"',;&<>}\]]+", re.IGNORECASE)
MARK = "***"
MAX_QUOTED = 300  # an answer quoted in an error: enough to tell what went wrong


def mask(*values: str | None) -> None:
    """Register credentials with Airflow's secrets masker, from the moment they are read."""
    from airflow.sdk.log import mask_secret

    for value in values:
        if value:
            # as sent in a form body or a URL too (an echo shows `refresh_token=Atzr%7C...`)
            for form in dict.fromkeys((value, quote(value, safe=""), quote_plus(value))):
                mask_secret(form)


class TokenFilter(logging.Filter):
    """Redacts Amazon-shaped tokens from a logger's records. Restricted Data Tokens are made
    per message (one per e-mail sent), too many for Airflow's masker, which recompiles one
    regex per new secret (200 took 23 s); python-amazon-sp-api logs its request headers,
    RDT included, at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if TOKEN_FORMAT.search(text):
            record.msg, record.args = TOKEN_FORMAT.sub(MARK, text), None
        return True


_LIBRARY_LOGGERS = ("sp_api", "sp_api.base.client", "sp_api.auth.access_token_client")


def guard_library_logs() -> None:
    """Put a TokenFilter on the client library's loggers (once per process)."""
    for name in _LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenFilter) for f in logger.filters):
            logger.addFilter(TokenFilter())


def connection_extras(conn: Connection) -> dict[str, Any]:
    """A connection's extras, with the sensitive ones (by Airflow's own list of names)
    registered with the masker.

    `Connection.extra_dejson` registers every extra, and Airflow warns "too short to mask"
    for each short one (`marketplace: US`) on every task; only secrets are worth masking.
    """
    raw = getattr(conn, "extra", None)
    if not raw:
        return {}
    try:
        extra = json.loads(raw) if isinstance(raw, str) else dict(raw)
    except ValueError:
        raise ValueError(f"connection {conn.conn_id!r}: extra is not valid JSON") from None
    if not isinstance(extra, dict):
        raise ValueError(f"connection {conn.conn_id!r}: extra must be a JSON object")
    mask(*(v for k, v in extra.items() if isinstance(v, str) and _sensitive(k)))
    return extra


def _sensitive(key: str) -> bool:
    try:  # Airflow's list, extended by [core] sensitive_var_conn_names
        from airflow.sdk._shared.secrets_masker import should_hide_value_for_key
    except ImportError:  # its home moved before (execution_time -> _shared)
        return any(word in key.lower() for word in ("token", "secret", "password", "key"))
    return bool(should_hide_value_for_key(key))


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` without the given secrets (as sent: raw, URL- or form-encoded) and without
    anything shaped like an Amazon token, cut to a readable length."""
    for secret in secrets:
        if secret:
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, MARK)
    text = TOKEN_FORMAT.sub(MARK, text)
    return text if len(text) <= MAX_QUOTED else text[:MAX_QUOTED] + "…"
