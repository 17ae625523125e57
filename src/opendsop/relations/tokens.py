"""How the hub reads a caller's token: the ``Authorization`` value, the ``aud`` rule, and a cache.

Tokens are checked locally (DSOP “Security design”) by the verifier given to :class:`CachingVerifier`,
which must not check ``aud`` itself (the hub builds it with ``audience=None``); this module adds:

* **the header**: ``Bearer <token>`` (RFC 6750, scheme in any case), or the token alone without a
  scheme — Altinn's plugin-banking, the production OED consumer, sends KAR its Maskinporten token
  so; any other scheme is refused (docs/decisions.md, "Relations hub tokens");
* **the audience**: a token that names audiences (``aud``, a string or an array) must name this hub;
  a token without ``aud`` is accepted — Maskinporten issues it when the grant asks for no
  ``resource``, and KAR's consumers ask for none.  The route's scope check (``bits:kundeforhold``,
  ``bits:kundeforhold.write``) still decides what such a token may do;
* **the cache**: a consumer reuses one token (≤ 120 s) for every request of a case, so the hub
  verifies the same bytes many times (an RSA signature check and JSON parsing on the hot path of
  ``customerRelationships``).  The cache keys on a SHA-256 of the token, keeps only *successful*
  verifications, and drops an entry at the token's ``exp``: a cached answer is never valid longer
  than the token itself.  Bounded: the oldest entries go first.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from opendsop.authority.verify import Principal
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
        raise InvalidToken("the Authorization header must be 'Bearer <token>' (or the token alone)",
                           reason="missing_token")
    return token.strip()


def check_audience(claims: Mapping[str, Any], audience: str) -> None:
    """A token with ``aud`` must name ``audience``; a token without ``aud`` is not audience-restricted."""
    if "aud" not in claims:
        return
    aud = claims["aud"]
    if aud == audience or (isinstance(aud, list) and audience in aud):
        return
    raise InvalidToken(f"JWT aud must be {audience!r} (or absent)", reason="wrong_audience")


class CachingVerifier:
    def __init__(self, verifier: Any, clock: Callable[[], datetime], *, audience: str | None = None,
                 max_entries: int = 10_000) -> None:
        self._verifier = verifier
        self._clock = clock
        self._audience = audience
        self._max = max_entries
        self._cache: OrderedDict[bytes, tuple[float, Principal]] = OrderedDict()

    async def verify_authorization(self, authorization: str | None) -> Principal:
        token = token_of(authorization)
        key = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        now = self._clock().timestamp()
        hit = self._cache.get(key)
        if hit is not None and now < hit[0]:
            return hit[1]
        principal: Principal = await self._verifier.verify_authorization(f"Bearer {token}")
        if self._audience is not None:
            check_audience(principal.claims, self._audience)
        expires = principal.claims.get("exp")
        if isinstance(expires, int | float) and not isinstance(expires, bool) and expires > now:
            self._cache[key] = (float(expires), principal)
            self._cache.move_to_end(key)
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
        return principal


__all__ = ["CachingVerifier", "check_audience", "token_of"]
