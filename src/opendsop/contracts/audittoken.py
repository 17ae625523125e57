"""Short-lived EdDSA tokens for a party's audit API: person-bound (innsyn), lifts, auditors.

A compact JWS (RFC 7515) with ``alg: EdDSA`` (RFC 8037), signed by the caller's Ed25519 key and checked
against the key the party trusts for that issuer:

* ``iss: innsyn``, ``sub: <person>``, ``scope: dsop:innsyn`` — the innsyn service acting for the logged-in
  person (the TokenX exchange of NAV's dsop-api, in small): the party answers about ``sub`` only;
* ``scope: dsop:audit.lift`` with ``lift: <AccountInfoRequestID>`` — the prosecution lifts an embargo;
* ``scope: dsop:audit.read`` — an auditor reads the party's log.

``aud`` is the party's log origin and ``exp`` at most ``MAX_LIFETIME`` after ``iat``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SCOPE_INNSYN = "dsop:innsyn"
SCOPE_LIFT = "dsop:audit.lift"
SCOPE_READ = "dsop:audit.read"
MAX_LIFETIME = timedelta(minutes=5)


class TokenRefused(ValueError):
    """The token is malformed, expired, for another party, or not signed by a trusted issuer."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(key: Ed25519PrivateKey, claims: Mapping[str, Any], *, now: datetime, lifetime: timedelta) -> str:
    header = _b64(json.dumps({"alg": "EdDSA", "typ": "JWT"}).encode())
    iat = int(now.timestamp())
    body = _b64(json.dumps({**claims, "iat": iat, "exp": iat + int(lifetime.total_seconds())}).encode())
    return f"{header}.{body}.{_b64(key.sign(f'{header}.{body}'.encode()))}"


def check(token: str, trusted: Mapping[str, bytes], *, audience: str, scope: str, now: datetime) -> dict[str, Any]:
    """The claims of ``token`` if a trusted issuer signed it for ``audience`` and ``scope``, unexpired."""
    try:
        header, body, signature = token.split(".")
        if json.loads(_unb64(header)).get("alg") != "EdDSA":
            raise TokenRefused("only EdDSA tokens are accepted")
        claims = json.loads(_unb64(body))
        key = trusted.get(str(claims.get("iss")))
        if key is None:
            raise TokenRefused(f"issuer {claims.get('iss')!r} is not trusted")
        Ed25519PublicKey.from_public_bytes(key).verify(_unb64(signature), f"{header}.{body}".encode())
        iat, exp = int(claims["iat"]), int(claims["exp"])
    except TokenRefused:
        raise
    except (ValueError, KeyError, TypeError, InvalidSignature):
        raise TokenRefused("the token is malformed or its signature does not verify") from None
    moment = int(now.timestamp())
    if not iat - 60 <= moment < exp or exp - iat > MAX_LIFETIME.total_seconds():
        raise TokenRefused("the token has expired (or lives too long)")
    if claims.get("aud") != audience:
        raise TokenRefused("the token is for another party")
    if scope not in str(claims.get("scope", "")).split():
        raise TokenRefused(f"the token lacks the scope {scope}")
    return dict(claims)


__all__ = ["MAX_LIFETIME", "SCOPE_INNSYN", "SCOPE_LIFT", "SCOPE_READ", "TokenRefused", "check", "issue"]
