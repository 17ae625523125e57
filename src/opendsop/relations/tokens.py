"""How the hub reads a caller's token: the ``Authorization`` value, and the ``aud`` rule.

Tokens are checked locally (DSOP “Security design”) by the verifier given to :class:`HubVerifier`,
which must not check ``aud`` itself (the hub builds it with ``audience=None``); this module adds:

* **the header**: ``Bearer <token>`` (RFC 6750, scheme in any case), or the token alone without a
  scheme — Altinn's plugin-banking, the production OED consumer, sends KAR its Maskinporten token
  so; any other scheme is refused (docs/decisions.md, "Relations hub tokens");
* **the audience**: a token that names audiences (``aud``, a string or an array) must name this hub;
  a token without ``aud`` is accepted — Maskinporten issues it when the grant asks for no
  ``resource``, and KAR's consumers ask for none.  The route's scope check (``bits:kundeforhold``,
  ``bits:kundeforhold.write``) still decides what such a token may do;
* **the cache** is the verifier's own (``contracts.verify``): until ``exp``, at most 30 s, and
  dropped at once when the issuer's JWKS no longer holds the key — the same rule as at the banks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opendsop.contracts.verify import Principal
from opendsop.trust.errors import InvalidToken


def token_of(authorization: str | None) -> str:
    """The token of an ``Authorization`` value: ``Bearer <token>``, or a bare token without a scheme."""
    value = (authorization or "").strip()
    if not value or value.lower() == "bearer":
        raise InvalidToken("the Authorization header with a Bearer token is missing", reason="missing_token")
    scheme, space, token = value.partition(" ")
    if not space:
        return value  # no scheme: the value is the token itself
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken(
            "the Authorization header must be 'Bearer <token>' (or the token alone)", reason="missing_token"
        )
    return token.strip()


def check_audience(claims: Mapping[str, Any], audience: str) -> None:
    """A token with ``aud`` must name ``audience``; a token without ``aud`` is not audience-restricted."""
    if "aud" not in claims:
        return
    aud = claims["aud"]
    if aud == audience or (isinstance(aud, list) and audience in aud):
        return
    raise InvalidToken(f"JWT aud must be {audience!r} (or absent)", reason="wrong_audience")


class HubVerifier:
    """The hub's reading of ``Authorization`` and ``aud`` around a verifier that checks everything else."""

    def __init__(self, verifier: Any, *, audience: str | None = None) -> None:
        self._verifier = verifier
        self._audience = audience

    async def verify_authorization(self, authorization: str | None) -> Principal:
        token = token_of(authorization)
        principal: Principal = await self._verifier.verify_authorization(f"Bearer {token}")
        if self._audience is not None:
            check_audience(principal.claims, self._audience)
        return principal


__all__ = ["HubVerifier", "check_audience", "token_of"]
