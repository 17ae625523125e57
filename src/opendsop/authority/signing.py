"""The authority's token-signing keys: one active key, rotation, and the published JWKS.

Rotation rule: ``rotate`` stores a new key that signs every token from then on.  The old key is
retired but stays in ``/jwks`` until every token it signed has expired, i.e. for the token
lifetime plus the clock skew verifiers allow after ``exp``; then it is dropped.  Verifiers that
meet the new ``kid`` refetch the JWKS (see ``contracts.verify``).

Parsed keys are cached by ``kid`` (a kid always names the same key), so a token costs one small
SELECT for the active kid and one RSA signature.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from opendsop.authority.store import AuthorityStore, StoredKey
from opendsop.trust.jwt import sign_jwt
from opendsop.trust.keys import generate_rsa_key, key_from_pem, private_key_pem, public_jwk

TOKEN_ALGORITHM = "RS256"  # noqa: S105 - an algorithm name


class SigningKeys:
    def __init__(
        self,
        store: AuthorityStore,
        *,
        token_lifetime: timedelta,
        clock_skew: timedelta,
        key_bits: int = 2048,
        active_cache_seconds: float = 2.0,
    ) -> None:
        self._store = store
        self._keep_after_retirement = int((token_lifetime + clock_skew).total_seconds())
        self._bits = key_bits
        self._parsed: dict[str, Any] = {}
        # The active key is read on every token; a rotation by another process (the CLI) is picked up
        # within ``active_cache_seconds``, while both keys are published, so nothing fails meanwhile.
        self._active_cache: tuple[float, StoredKey | None] | None = None
        self._active_ttl = active_cache_seconds

    async def ensure_active(self, *, now: datetime) -> None:
        """Create the first key when the database has none active (first start)."""
        if await self._active() is None:
            await self.rotate(now=now)

    async def rotate(self, *, now: datetime) -> str:
        """Make a new active key; returns its ``kid``."""
        key = generate_rsa_key(bits=self._bits)
        kid = key.kid
        assert kid is not None  # generate_rsa_key sets the RFC 7638 thumbprint
        await self._store.add_signing_key(kid, private_key_pem(key), now=int(now.timestamp()), retire_others=True)
        self._parsed[kid] = key
        self._active_cache = None
        await self._store.drop_signing_keys_retired_before(int(now.timestamp()) - self._keep_after_retirement)
        return kid

    async def sign(self, claims: dict[str, Any]) -> tuple[str, str]:
        """Sign ``claims`` with the active key; returns ``(token, kid)``."""
        stored = await self._active()
        if stored is None:
            raise RuntimeError("the authority has no active signing key; run `dsop authority rotate-key`")
        key = self._key(stored)
        return sign_jwt(claims, key, alg=TOKEN_ALGORITHM, header={"kid": stored.kid}), stored.kid

    async def published(self, *, now: datetime) -> dict[str, Any]:
        """The JWKS: the active key(s) and retired keys whose tokens may still be valid."""
        cutoff = int(now.timestamp()) - self._keep_after_retirement
        keys = [k for k in await self._store.signing_keys() if k.retired_at is None or k.retired_at >= cutoff]
        jwks = []
        for stored in keys:
            jwk = public_jwk(self._key(stored))
            jwk.update(kid=stored.kid, use="sig", alg=TOKEN_ALGORITHM)
            jwks.append(jwk)
        return {"keys": jwks}

    async def active_kid(self) -> str | None:
        stored = await self._active()
        return stored.kid if stored else None

    async def _active(self) -> StoredKey | None:
        cached = self._active_cache
        if cached is not None and time.monotonic() - cached[0] < self._active_ttl:
            return cached[1]
        stored = await self._store.active_signing_key()
        self._active_cache = (time.monotonic(), stored)
        return stored

    def _key(self, stored: StoredKey) -> Any:
        key = self._parsed.get(stored.kid)
        if key is None:
            key = self._parsed[stored.kid] = key_from_pem(stored.private_key_pem, kid=stored.kid)
        return key
