"""A bank verifies an utleveringspålegg: the six signature steps, then the content checks.

Spec: DSOP Politi “Løsningsbeskrivelse” "Signature verification" and DSOP Politi “Utleveringspålegg”, in this order:

1. take the JWKS (politiet.no's ``/.well-known/finans-jwks.json``; the HTTP fetch is the
   caller's — ``fetch_jwks`` or ``JwksCache`` below);
2. pick the JWK whose ``kid`` matches the JWS header;
3. take the certificate chain from its ``x5c`` (and the JWK's own key must be the leaf's);
4. validate the chain to the pre-installed root (``trust_store``; the root differs between test
   and production, so the caller passes the right one), including the signing key usage;
5. require ``OU=Påtalemyndigheten`` and ``CN=Godkjenning av utleveringspålegg`` (production) or
   ``… TEST`` (test);
6. verify the PS256 signature with the leaf certificate's key;

then ``standard.extradition.parse_claims`` and ``check_order`` (content checks 1–6).

Errors: a value that is not even a compact JWS with JSON header and payload →
``InvalidRequest`` (400 ACC-001); every failed step → ``InvalidExtraditionOrder`` (403 ACC-011),
the message naming the step; both for the parameter ``AdditionalReferenceID``.  A header ``alg``
other than PS256 fails before any key is looked at (it is part of step 6's "PS256 signature").
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final, Literal

import httpx
from cryptography import x509
from cryptography.x509.oid import NameOID

from opendsop.clock import in_oslo, utc_now
from opendsop.standard import extradition as eo
from opendsop.standard.errors import DsopError, InvalidExtraditionOrder, InvalidRequest
from opendsop.trust.errors import CertificateError, InvalidToken, TrustError
from opendsop.trust.jwt import unverified_claims, unverified_header, verify_jwt
from opendsop.trust.keys import key_from_certificate
from opendsop.trust.pki import TrustStore, chain_from_x5c, subject_value

# Who signs orders (the prosecution's certificate subject) and how: the signer and every bank agree on these.
ALGORITHM: Final = "PS256"
ORGANISATIONAL_UNIT: Final = "Påtalemyndigheten"
COMMON_NAME_PRODUCTION: Final = "Godkjenning av utleveringspålegg"
COMMON_NAME_TEST: Final = "Godkjenning av utleveringspålegg TEST"
COMMON_NAME: Final[dict[str, str]] = {"production": COMMON_NAME_PRODUCTION, "test": COMMON_NAME_TEST}

PARAMETER: Final = eo.PARAMETER  # "AdditionalReferenceID"
POLITIET_JWKS_URL: Final = "https://www.politiet.no/.well-known/finans-jwks.json"
MAX_JWKS_BYTES: Final = 256 * 1024


class JwksUnavailable(DsopError):
    """The prosecution's JWKS could not be fetched: the bank cannot verify any order (ACC-100)."""

    code = "ACC-100"
    default_message = "The extradition order keys (JWKS) could not be fetched"


def _step(number: int, what: str, detail: str) -> InvalidExtraditionOrder:
    return InvalidExtraditionOrder(
        f"{PARAMETER}: extradition order signature step {number} ({what}) failed: {detail}",
        parameter=PARAMETER,
    )


def _nfc(text: str | None) -> str | None:
    return None if text is None else unicodedata.normalize("NFC", text)


def _parse(jws: str) -> dict[str, Any]:
    """The header, after making sure the value is a compact JWS with a JSON header and payload."""
    try:
        header = unverified_header(jws)
        unverified_claims(jws)
    except (InvalidToken, TypeError, ValueError) as exc:
        raise InvalidRequest(
            f"{PARAMETER} is not a signed extradition order (compact JWS): {exc}", parameter=PARAMETER
        ) from None
    return header


def _pick_jwk(jwks: Mapping[str, Any], kid: str) -> Mapping[str, Any]:
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):  # step 1
        raise _step(1, "JWKS", 'the JWKS document has no "keys" array')
    matches = [key for key in keys if isinstance(key, Mapping) and key.get("kid") == kid]
    if not matches:
        raise _step(2, "kid", f"no key with kid {kid[:80]!r} in the JWKS")
    if len(matches) > 1:
        raise _step(2, "kid", f"the JWKS holds {len(matches)} keys with kid {kid[:80]!r}")
    return matches[0]


def _chain(jwk: Mapping[str, Any]) -> list[x509.Certificate]:
    if "x5c" not in jwk:
        raise _step(3, "x5c", "the key has no x5c certificate chain")
    try:
        chain = chain_from_x5c(jwk["x5c"])
    except CertificateError as exc:
        raise _step(3, "x5c", str(exc)) from None
    try:
        published = key_from_certificate(chain[0]).as_dict(private=False)
    except TrustError as exc:
        raise _step(3, "x5c", str(exc)) from None
    # A JWK may carry only kid + x5c; key members it does carry must be the certificate's.
    members = ("kty", "n", "e") if published.get("kty") == "RSA" else ("kty", "crv", "x", "y")
    if any(name in jwk and jwk[name] != published.get(name) for name in members):
        raise _step(3, "x5c", "the JWK's key is not the key of its x5c certificate")
    return chain


def _check_subject(leaf: x509.Certificate, environment: str) -> None:
    attributes = leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    units = [_nfc(str(attribute.value)) for attribute in attributes]
    common_name = _nfc(subject_value(leaf, "CN"))
    if _nfc(ORGANISATIONAL_UNIT) not in units:
        raise _step(5, "subject", f"the certificate's OU is {units or None}, not {ORGANISATIONAL_UNIT!r}")
    if common_name != _nfc(COMMON_NAME[environment]):
        raise _step(
            5,
            "subject",
            f"the certificate's CN is {common_name!r}; {environment} requires {COMMON_NAME[environment]!r}",
        )


def verify_extradition_order(
    jws: str,
    trust_store: TrustStore,
    *,
    now: datetime,
    jwks: Mapping[str, Any],
    environment: Literal["test", "production"] = "test",
    leeway: timedelta = timedelta(0),
) -> eo.ExtraditionOrder:
    """The verified, content-checked order in ``jws`` (see the module docstring for the steps).

    ``leeway`` (default none) widens only the ``approvalTimestamp ≤ now ≤ exp`` window, for
    clock skew between the police and the bank (``standard.extradition.check_order``).
    """
    if environment not in COMMON_NAME:
        raise ValueError(f"environment must be 'test' or 'production', not {environment!r}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    header = _parse(jws)
    if header["alg"] != ALGORITHM:
        alg = str(header["alg"])[:20]
        raise _step(6, "signature", f"the header alg is {alg!r}, only {ALGORITHM} is accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _step(2, "kid", 'the JWS header has no "kid"')
    jwk = _pick_jwk(jwks, kid)  # steps 1 and 2
    chain = _chain(jwk)  # step 3
    try:  # step 4
        leaf = trust_store.validate(chain, now=now, purpose="signing")
    except CertificateError as exc:
        raise _step(4, "certificate chain", str(exc)) from None
    _check_subject(leaf, environment)  # step 5
    try:  # step 6
        _, claims = verify_jwt(jws, key_from_certificate(leaf, kid=kid), algorithms=(ALGORITHM,))
    except TrustError as exc:
        raise _step(6, "signature", str(exc)) from None
    order = eo.parse_claims(claims)
    eo.check_order(order, now=in_oslo(now), leeway=leeway)  # its "today" is the Oslo day
    return order


async def fetch_jwks(url: str, http: httpx.AsyncClient) -> dict[str, Any]:
    """GET the prosecution's JWKS document; ``JwksUnavailable`` if that fails."""
    try:
        response = await http.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise JwksUnavailable(f"the extradition order JWKS at {url} did not answer: {exc}") from exc
    if response.status_code != 200:
        raise JwksUnavailable(f"the extradition order JWKS at {url} answered HTTP {response.status_code}")
    if len(response.content) > MAX_JWKS_BYTES:
        raise JwksUnavailable(f"the extradition order JWKS at {url} is larger than {MAX_JWKS_BYTES} bytes")
    try:
        document = response.json()
    except ValueError as exc:
        raise JwksUnavailable(f"the extradition order JWKS at {url} is not JSON") from exc
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise JwksUnavailable(f'the extradition order JWKS at {url} has no "keys" array')
    return document


class JwksCache:
    """The JWKS, fetched once per ``ttl``, and again early (at most every ``min_refresh``) when an
    order names a ``kid`` the cached set lacks — which is how a key rotation shows up.
    """

    def __init__(
        self,
        url: str,
        http: httpx.AsyncClient,
        *,
        ttl: timedelta = timedelta(hours=1),
        min_refresh: timedelta = timedelta(minutes=1),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._url, self._http, self._ttl, self._min_refresh = url, http, ttl, min_refresh
        self._clock = clock or utc_now
        self._document: dict[str, Any] | None = None
        self._fetched: datetime | None = None
        self._lock = asyncio.Lock()

    def _has_kid(self, kid: str | None) -> bool:
        keys = (self._document or {}).get("keys", [])
        return kid is None or any(isinstance(k, Mapping) and k.get("kid") == kid for k in keys)

    async def document(self, *, kid: str | None = None) -> dict[str, Any]:
        async with self._lock:
            now = self._clock()
            age = None if self._fetched is None else now - self._fetched
            stale = age is None or age >= self._ttl
            rotated = age is not None and not self._has_kid(kid) and age >= self._min_refresh
            if self._document is None or stale or rotated:
                self._document, self._fetched = await fetch_jwks(self._url, self._http), now
            return self._document

    async def verify(
        self,
        jws: str,
        trust_store: TrustStore,
        *,
        now: datetime,
        environment: Literal["test", "production"] = "test",
        leeway: timedelta = timedelta(0),
    ) -> eo.ExtraditionOrder:
        """``verify_extradition_order`` with this cache as the JWKS."""
        kid = _parse(jws).get("kid")
        jwks = await self.document(kid=kid if isinstance(kid, str) else None)
        return verify_extradition_order(jws, trust_store, now=now, jwks=jwks, environment=environment, leeway=leeway)


__all__ = [
    "POLITIET_JWKS_URL",
    "JwksCache",
    "JwksUnavailable",
    "fetch_jwks",
    "verify_extradition_order",
]
