"""The token service: one JWT-bearer grant in, one access token out (RFC 7523, Maskinporten rules).

Order of the checks, and why:

1. header (``alg`` allow-list) and ``iss`` are read unverified, only to find the client and its key;
2. the client is authenticated: the key named by ``kid`` in its JWKS, or the ``x5c`` certificate
   validated against the PKI roots *for the client's organisation number* (an ``x5c`` holding the leaf
   only is chained through the known issuing CAs, as Maskinporten does); the signature must verify
   with that key (``invalid_client`` otherwise);
3. the claim rules of ``authority.grants`` run on the verified claims (``invalid_grant``);
4. the ``jti`` is spent *before* the scope checks, so a signed grant cannot be retried once refused;
5. scopes granted to the client, then the delegation for ``consumer_org`` (``invalid_scope``);
6. consents named in ``authorization_details`` (``urn:altinn:consent``) exist, are accepted, unexpired
   and given to the token's consumer (``authority.consent``); a one-time consent is marked ``used``
   once the token is signed.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

from opendsop.authority.consent import ConsentLookup, consent_details, parse_authorization_details
from opendsop.authority.errors import InvalidClient, InvalidGrant, TemporarilyUnavailable
from opendsop.authority.grants import (
    GRANT_ALGORITHMS,
    AssertionHeader,
    GrantRules,
    access_token_claims,
    check_claims,
    check_delegation,
    check_header,
    check_scopes_granted,
    client_id_of,
)
from opendsop.authority.signing import SigningKeys
from opendsop.authority.store import AUTH_ENTERPRISE_CERTIFICATE, AuthorityStore, ClientRecord
from opendsop.clock import Clock
from opendsop.trust.errors import CertificateError, InvalidToken, TrustError
from opendsop.trust.jwt import unverified_claims, unverified_header, verify_jwt
from opendsop.trust.keys import key_from_certificate, key_set
from opendsop.trust.pki import TrustStore, chain_from_x5c

log = logging.getLogger("opendsop.authority")

_PURGE_INTERVAL_SECONDS = 60
_MAX_CACHED_CLIENTS = 10_000


class TokenService:
    def __init__(
        self,
        store: AuthorityStore,
        keys: SigningKeys,
        *,
        rules: GrantRules,
        token_lifetime: timedelta,
        trust_store: TrustStore | None,
        delegation_source: str,
        clock: Clock,
        consent_lookup: ConsentLookup | None = None,
        client_cache_seconds: float = 2.0,
        spent: Any = None,
    ) -> None:
        self._store = store
        self._keys = keys
        self._rules = rules
        self._lifetime = token_lifetime
        self._trust_store = trust_store
        self._delegation_source = delegation_source
        self._clock = clock
        self._next_purge = 0
        self._consents = consent_lookup
        # Registered clients change rarely (the CLI, another process): a few seconds of caching saves
        # a database round trip per token.  Unknown ids are not cached, so they cannot fill the cache.
        self._clients: dict[str, tuple[float, ClientRecord]] = {}
        self._client_ttl = client_cache_seconds
        # Several workers: the used-jti set in Redis (contracts.state.RedisOnce) instead of the database.
        self._spent = spent

    async def issue(self, assertion: str) -> dict[str, Any]:
        """The token response body for a valid grant; an ``OAuthError`` otherwise."""
        now = self._clock()
        try:
            header = check_header(unverified_header(assertion))
            client_id = client_id_of(unverified_claims(assertion))
        except InvalidToken as exc:
            raise InvalidGrant(f"assertion is not a valid JWT: {exc.message}") from None
        client = await self._client(client_id)
        if client is None:
            raise InvalidClient(f"client {client_id[:80]} is not registered")  # iss is untrusted input: keep it short
        key = self._client_key(client, header, now)
        try:
            _, claims = verify_jwt(assertion, key, algorithms=GRANT_ALGORITHMS)
        except InvalidToken as exc:
            raise InvalidClient(f"assertion signature of client {client_id} does not verify: {exc.message}") from None
        grant = check_claims(claims, rules=self._rules, now=now)
        requested_consents = parse_authorization_details(claims.get("authorization_details"))
        spent_until = grant.expires_at + int(self._rules.clock_skew.total_seconds())
        if not await self._use_jti(client_id, grant.jti, spent_until, int(now.timestamp())):
            raise InvalidGrant("jti has already been used; make a new assertion for each request")
        check_scopes_granted(grant.scopes, client_id=client_id, granted=client.scopes)
        if grant.consumer_org is not None and grant.consumer_org != client.organisation_number:
            delegated = await self._store.delegated_scopes(grant.consumer_org, client.organisation_number)
            check_delegation(
                grant.scopes,
                consumer_org=grant.consumer_org,
                supplier_org=client.organisation_number,
                delegated=delegated,
            )
        consents, records = await consent_details(
            requested_consents, self._consents, consumer_org=grant.consumer_org or client.organisation_number, now=now
        )
        token_claims = access_token_claims(
            grant,
            issuer=self._rules.issuer,
            client_organisation=client.organisation_number,
            client_amr=client.auth_method,
            now=now,
            lifetime=self._lifetime,
            jti=secrets.token_urlsafe(24),
            delegation_source=self._delegation_source,
        )
        if consents:
            token_claims["authorization_details"] = consents
        token, kid = await self._keys.sign(token_claims)
        for record in records:
            if record.one_time and self._consents is not None:
                await self._consents.mark_used(record.id)
        # Organisation data only: no assertion, no token, no personal data.
        log.info(
            "token issued to client %s: scope %r, aud %r, kid %s",
            client_id,
            token_claims["scope"],
            token_claims.get("aud"),
            kid,
        )
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(self._lifetime.total_seconds()),
            "scope": token_claims["scope"],
        }

    async def _client(self, client_id: str) -> ClientRecord | None:
        cached = self._clients.get(client_id)
        if cached is not None and time.monotonic() - cached[0] < self._client_ttl:
            return cached[1]
        client = await self._store.get_client(client_id)
        if client is not None:
            if len(self._clients) >= _MAX_CACHED_CLIENTS:
                self._clients.clear()
            self._clients[client_id] = (time.monotonic(), client)
        return client

    async def _use_jti(self, client_id: str, jti: str, spent_until: int, now: int) -> bool:
        """Spend ``jti`` in the shared set (Redis) or the database; refuse when Redis cannot say (no replay)."""
        if self._spent is not None:
            from opendsop.contracts.state import SharedStateUnavailable

            try:
                return bool(await self._spent.use(f"{client_id}\x00{jti}", ttl=spent_until - now))
            except SharedStateUnavailable:
                log.warning("the used-jti set (Redis) does not answer: grants are refused until it does")
                raise TemporarilyUnavailable(
                    "the token service cannot check the grant's jti now; retry after Retry-After seconds"
                ) from None
        await self._purge_spent_jtis(now)
        return await self._store.use_jti(client_id, jti, expires_at=spent_until, now=now)

    async def _purge_spent_jtis(self, now: int) -> None:
        # Rows of expired assertions protect nothing; drop them about once a minute per process.
        if now >= self._next_purge:
            self._next_purge = now + _PURGE_INTERVAL_SECONDS
            await self._store.purge_jtis(now=now)

    def _client_key(self, client: ClientRecord, header: AssertionHeader, now: datetime) -> Any:
        if client.auth_method == AUTH_ENTERPRISE_CERTIFICATE:
            return self._certificate_key(client, header, now)
        if header.kid is None:
            raise InvalidClient(f"client {client.client_id} uses private_key_jwt: the assertion header must carry kid")
        if client.jwks is None:
            raise InvalidClient(f"client {client.client_id} has no registered keys")
        try:
            keys = key_set(client.jwks)
        except TrustError:
            raise InvalidClient(f"the registered keys of client {client.client_id} cannot be used") from None
        for key in keys.keys:
            if key.kid == header.kid:
                return key
        raise InvalidClient(f"kid {header.kid[:80]!r} is not a registered key of client {client.client_id}")

    def _certificate_key(self, client: ClientRecord, header: AssertionHeader, now: datetime) -> Any:
        if header.x5c is None:
            raise InvalidClient(
                f"client {client.client_id} authenticates with its enterprise certificate: "
                "the assertion header must carry x5c"
            )
        if self._trust_store is None:
            raise InvalidClient("this authority has no PKI roots configured and cannot accept x5c")
        try:
            leaf = self._trust_store.validate(
                chain_from_x5c(header.x5c),
                now=now,
                organisation_number=client.organisation_number,
                purpose="signing",
            )
            return key_from_certificate(leaf)
        except CertificateError as exc:
            raise InvalidClient(
                f"the x5c certificate of client {client.client_id} is not accepted: {exc.message}"
            ) from None
        except TrustError as exc:
            raise InvalidClient(
                f"the x5c certificate key of client {client.client_id} cannot be used: {exc.message}"
            ) from None
