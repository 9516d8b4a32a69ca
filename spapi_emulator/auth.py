"""Login with Amazon access tokens and Restricted Data Tokens, stateless and signed.

Tokens are self-contained (issue time, lifetime, signature) rather than kept in a table:
python-amazon-sp-api caches access tokens per refresh token in a process-wide cache, so a
token one emulator issued is routinely presented to another emulator in the same test run.
Any emulator accepts any emulator's unexpired token; anything else is "unknown".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

_KEY = b"spapi-emulator/not-a-secret"  # signing only tells our tokens from random strings


def _sign(kind: str, claims: dict) -> str:
    body = (
        base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode())
        .decode()
        .rstrip("=")
    )
    mac = hmac.new(_KEY, f"{kind}.{body}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{kind}.{body}.{mac}"


def _verify(kind: str, token: str) -> dict | None:
    parts = token.rsplit(".", 2)  # the kind itself may hold a dot (Atz.sprdt|...)
    if len(parts) != 3 or parts[0] != kind:
        return None
    mac = hmac.new(_KEY, f"{kind}.{parts[1]}".encode(), hashlib.sha256).hexdigest()[:32]
    if not hmac.compare_digest(mac, parts[2]):
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None


# The refresh token an emulator accepts unless started with another (`refresh_token=`,
# `--refresh-token`, $SPAPI_EMULATOR_REFRESH_TOKEN): a wrong token is then seen before production.
DEFAULT_REFRESH_TOKEN = "Atzr|emulator-refresh-token"

ACCESS_KIND = "Atza|emu"
RDT_KIND = "Atz.sprdt|emu"


def issue_access_token(refresh_token: str, lifetime_s: float) -> str:
    claims = {
        "iat": time.time(),
        "exp": time.time() + lifetime_s,
        "rt": hashlib.sha256(refresh_token.encode()).hexdigest()[:12],
        "n": secrets.token_hex(4),
    }
    return _sign(ACCESS_KIND, claims)


def issue_rdt(resources: list[dict], lifetime_s: float) -> str:
    claims = {
        "iat": time.time(),
        "exp": time.time() + lifetime_s,
        "res": resources,
        "n": secrets.token_hex(4),
    }
    return _sign(RDT_KIND, claims)


def decode(token: str) -> tuple[str, dict] | None:
    """(kind, claims) of a token we issued, else None. Expiry is the caller's check."""
    for kind in (ACCESS_KIND, RDT_KIND):
        if token.startswith(kind + "."):
            claims = _verify(kind, token)
            return (kind, claims) if claims is not None else None
    return None
