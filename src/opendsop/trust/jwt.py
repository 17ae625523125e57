"""JWT (compact JWS) signing and verification with an explicit algorithm allow-list.

Used for Maskinporten access tokens and grants (DSOP “Security design”, DSOP SBL “Integrasjon mot Maskinporten”) and
politiet's utleveringspålegg (PS256, DSOP Politi “Løsningsbeskrivelse”).

Decisions:
- The caller always names the accepted algorithms; ``none`` is never accepted
  and ``HS*`` only when listed *and* the key is a symmetric ``oct`` key. The
  key type must fit the algorithm family, which closes the classic RSA-public-key
  -as-HMAC-secret confusion.
- The compact form is parsed by hand (strict base64url, JSON objects, no
  duplicate members, no NaN) on top of ``cryptography``; verification reuses
  the joserfc key's cached native key, so nothing is re-parsed per token.
- Signature checks and time checks are separate (``verify_jwt`` then
  ``check_time_claims``); ``verify_jwt(..., now=...)`` does both. Nothing
  here reads the clock.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from joserfc.jwk import ECKey, KeySet, OctKey, RSAKey

from opendsop.trust.errors import InvalidToken, TrustError
from opendsop.trust.keys import MIN_RSA_BITS, as_jwk

__all__ = [
    "SIGNING_ALGORITHMS",
    "check_time_claims",
    "sign_jwt",
    "unverified_claims",
    "unverified_header",
    "verify_jwt",
]

SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256")
_HMAC_ALGORITHMS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512,
    "PS256": hashes.SHA256, "PS384": hashes.SHA384, "PS512": hashes.SHA512,
    "ES256": hashes.SHA256,
}  # fmt: skip
_VERIFIABLE = frozenset(_HASHES) | frozenset(_HMAC_ALGORITHMS)
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
# Upper bound on a token we are willing to parse; real tokens are a few KB.
MAX_TOKEN_LENGTH = 64 * 1024

KeyLike = Any  # joserfc key, cryptography key, x509.Certificate or JWK dict
KeySource = KeyLike | KeySet | Callable[[dict[str, Any]], KeyLike]


# -- encoding helpers --------------------------------------------------------


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(segment: str, what: str) -> bytes:
    if _B64URL.fullmatch(segment) is None or len(segment) % 4 == 1:
        raise InvalidToken(f"JWT {what} is not valid base64url", reason="malformed")
    try:
        data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - the regex rules these out
        raise InvalidToken(f"JWT {what} is not valid base64url", reason="malformed") from exc
    # Canonical form only (unused trailing bits zero): one token, one spelling.
    tail = len(segment) % 4 - 1  # bytes in the final, partial 3-byte group
    if tail > 0 and _b64encode(data[-tail:])[-1] != segment[-1]:
        raise InvalidToken(f"JWT {what} is not canonical base64url", reason="malformed")
    return data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate member name")
    return obj


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data, object_pairs_hook=_unique_object, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidToken(f"JWT {what} is not valid JSON: {exc}", reason="malformed") from exc
    if not isinstance(value, dict):
        raise InvalidToken(f"JWT {what} must be a JSON object", reason="malformed")
    return value


def _segments(token: str) -> list[str]:
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError as exc:
            raise InvalidToken("JWT must be ASCII", reason="malformed") from exc
    if not isinstance(token, str):
        raise InvalidToken("JWT must be a string", reason="malformed")
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken(f"JWT is longer than {MAX_TOKEN_LENGTH} characters", reason="malformed")
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken(
            f"JWT must have 3 dot-separated segments (compact JWS), got {len(parts)}", reason="malformed"
        )
    return parts


def _parse_header(segment: str) -> dict[str, Any]:
    header = _json_object(_b64decode(segment, "header"), "header")
    if not isinstance(header.get("alg"), str):
        raise InvalidToken('JWT header has no string "alg"', reason="malformed")
    return header


def unverified_header(token: str) -> dict[str, Any]:
    """The JOSE header of a compact JWS, without checking anything but its form."""
    return _parse_header(_segments(token)[0])


def unverified_claims(token: str) -> dict[str, Any]:
    """The claims of a compact JWS, without checking the signature. Never trust these for decisions."""
    parts = _segments(token)
    _parse_header(parts[0])
    return _json_object(_b64decode(parts[1], "payload"), "payload")


# -- signing -----------------------------------------------------------------


def _rsa_padding(alg: str, hash_cls: type[hashes.HashAlgorithm]) -> padding.AsymmetricPadding:
    if alg.startswith("PS"):
        # RFC 7518 §3.5: salt length equals the hash output length.
        hash_algorithm = hash_cls()
        return padding.PSS(mgf=padding.MGF1(hash_algorithm), salt_length=hash_algorithm.digest_size)
    return padding.PKCS1v15()


def _sign(alg: str, key: RSAKey | ECKey, signing_input: bytes) -> bytes:
    hash_cls = _HASHES[alg]
    native = key.private_key
    if native is None:
        raise TrustError("signing needs a private key", reason="not_private")
    if alg[:2] in ("RS", "PS"):
        if not isinstance(native, rsa.RSAPrivateKey):
            raise TrustError(f"{alg} needs an RSA key", reason="key_mismatch")
        return native.sign(signing_input, _rsa_padding(alg, hash_cls), hash_cls())
    if not isinstance(native, ec.EllipticCurvePrivateKey) or not isinstance(native.curve, ec.SECP256R1):
        raise TrustError(f"{alg} needs an EC P-256 key", reason="key_mismatch")
    r, s = decode_dss_signature(native.sign(signing_input, ec.ECDSA(hash_cls())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def sign_jwt(
    claims: Mapping[str, Any],
    key: KeyLike,
    *,
    alg: str,
    header: Mapping[str, Any] | None = None,
) -> str:
    """Sign ``claims`` as a compact JWS with ``alg`` (one of :data:`SIGNING_ALGORITHMS`).

    The header is ``{"alg", "typ": "JWT", "kid"}`` (``kid`` from the key, if
    it has one), updated with ``header``; a ``None`` value in ``header``
    removes that member (e.g. ``{"kid": None, "x5c": [...]}`` for a
    Maskinporten grant that carries the certificate instead of a kid).
    """
    if alg not in SIGNING_ALGORITHMS:
        raise TrustError(
            f"cannot sign with alg {alg!r}; use one of {', '.join(SIGNING_ALGORITHMS)}", reason="unsupported_alg"
        )
    jwk = as_jwk(key)
    if isinstance(jwk, OctKey):
        raise TrustError(f"{alg} needs an asymmetric key", reason="key_mismatch")
    full: dict[str, Any] = {"alg": alg, "typ": "JWT"}
    if jwk.kid is not None:
        full["kid"] = jwk.kid
    for name, value in (header or {}).items():
        if name == "alg":
            continue  # the algorithm is decided by ``alg`` only
        if value is None:
            full.pop(name, None)
        else:
            full[name] = value
    try:
        header_b64 = _b64encode(json.dumps(full, separators=(",", ":"), allow_nan=False).encode())
        payload_b64 = _b64encode(json.dumps(dict(claims), separators=(",", ":"), allow_nan=False).encode())
    except (TypeError, ValueError) as exc:
        raise TrustError(f"claims or header are not JSON-serialisable: {exc}", reason="invalid_claims") from exc
    signing_input = f"{header_b64}.{payload_b64}"
    signature = _sign(alg, jwk, signing_input.encode("ascii"))
    return f"{signing_input}.{_b64encode(signature)}"


# -- verification ------------------------------------------------------------


def _resolve_key(keys: KeySource, header: dict[str, Any], alg: str) -> Any:
    if isinstance(keys, KeySet):
        kid = header.get("kid")
        if kid is None:
            if len(keys.keys) == 1:
                return keys.keys[0]
            raise InvalidToken('JWT header has no "kid" and the key set holds several keys', reason="unknown_kid")
        candidates = [k for k in keys.keys if k.kid == kid]
        if not candidates:
            raise InvalidToken(f"no key with kid {str(kid)[:80]!r} in the key set", reason="unknown_kid")
        family = "RSA" if alg[:2] in ("RS", "PS") else "EC" if alg[:2] == "ES" else "oct"
        for candidate in candidates:
            if candidate.key_type == family:
                return candidate
        return candidates[0]  # wrong type: rejected with key_mismatch below
    if callable(keys) and not isinstance(keys, (RSAKey, ECKey, OctKey)):
        found = keys(dict(header))
        if found is None:  # the lookup knows no such key
            raise InvalidToken(f"no key for kid {str(header.get('kid'))[:80]!r}", reason="unknown_kid")
        return found
    return keys


def _verify_signature(alg: str, key: Any, signing_input: bytes, signature: bytes) -> None:
    if alg in _HMAC_ALGORITHMS:
        if not isinstance(key, OctKey):
            # Key confusion: an RSA/EC public key must never serve as an HMAC secret.
            raise InvalidToken(f"{alg} needs a symmetric key; refusing an asymmetric one", reason="key_mismatch")
        expected = hmac.new(key.raw_value, signing_input, _HMAC_ALGORITHMS[alg]).digest()
        if not hmac.compare_digest(expected, signature):
            raise InvalidToken("JWT signature does not verify", reason="bad_signature")
        return
    hash_cls = _HASHES[alg]
    if isinstance(key, OctKey):
        raise InvalidToken(f"{alg} needs an asymmetric key", reason="key_mismatch")
    native = key.public_key
    try:
        if alg[:2] in ("RS", "PS"):
            if not isinstance(native, rsa.RSAPublicKey):
                raise InvalidToken(f"{alg} needs an RSA key, the selected key is not one", reason="key_mismatch")
            if native.key_size < MIN_RSA_BITS:
                raise InvalidToken(f"RSA key of {native.key_size} bits is too weak", reason="weak_key")
            native.verify(signature, signing_input, _rsa_padding(alg, hash_cls), hash_cls())
        else:
            if not isinstance(native, ec.EllipticCurvePublicKey) or not isinstance(native.curve, ec.SECP256R1):
                raise InvalidToken(f"{alg} needs an EC P-256 key, the selected key is not one", reason="key_mismatch")
            if len(signature) != 64:
                raise InvalidToken("JWT signature does not verify", reason="bad_signature")
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            native.verify(der, signing_input, ec.ECDSA(hash_cls()))
    except InvalidSignature as exc:
        raise InvalidToken("JWT signature does not verify", reason="bad_signature") from exc


def verify_jwt(
    token: str,
    keys: KeySource,
    *,
    algorithms: Collection[str],
    now: datetime | None = None,
    leeway: timedelta = timedelta(seconds=10),
    max_lifetime: timedelta | None = None,
    issuer: str | None = None,
    audience: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify a compact JWS and return ``(header, claims)``.

    ``keys`` is a key, a ``KeySet`` (picked by ``kid``) or ``callable(header) -> key | None``
    (``None``: unknown key; exceptions it raises propagate).
    The header ``alg`` must be in ``algorithms``. If ``now`` is given the time
    claims are checked too (see :func:`check_time_claims`); ``issuer`` and
    ``audience`` (a string, or a member of an ``aud`` array) are compared exactly
    when given. Raises :class:`InvalidToken` with a ``reason``.
    """
    allowed = {a for a in algorithms if a != "none"} if not isinstance(algorithms, str) else {algorithms}
    header_b64, payload_b64, signature_b64 = _segments(token)
    header = _parse_header(header_b64)
    alg = header["alg"]
    if alg not in allowed or alg not in _VERIFIABLE:
        raise InvalidToken(
            f"JWT alg {alg[:20]!r} is not allowed here; allowed: {', '.join(sorted(allowed & _VERIFIABLE))}",
            reason="disallowed_alg",
        )
    crit = header.get("crit")
    if crit is not None:
        # RFC 7515 §4.1.11: we understand no extensions, so any "crit" is fatal.
        raise InvalidToken('JWT header lists "crit" extensions this verifier does not understand', reason="malformed")
    claims = _json_object(_b64decode(payload_b64, "payload"), "payload")
    signature = _b64decode(signature_b64, "signature")
    key = as_jwk(_resolve_key(keys, header, alg))
    if key.get("use") not in (None, "sig"):
        raise InvalidToken(f"key {key.kid!r} is not a signing key", reason="key_mismatch")
    if key.alg is not None and key.alg != alg:
        raise InvalidToken(f"key {key.kid!r} is for {key.alg}, token uses {alg}", reason="key_mismatch")
    _verify_signature(alg, key, f"{header_b64}.{payload_b64}".encode("ascii"), signature)
    if now is not None:
        check_time_claims(claims, now=now, leeway=leeway, max_lifetime=max_lifetime)
    if issuer is not None and claims.get("iss") != issuer:
        raise InvalidToken(f"JWT iss must be {issuer!r}", reason="wrong_issuer")
    if audience is not None:
        aud = claims.get("aud")
        if not (aud == audience or (isinstance(aud, list) and audience in aud)):
            raise InvalidToken(f"JWT aud must be {audience!r}", reason="wrong_audience")
    return header, claims


# -- time claims ---------------------------------------------------------------


# Far beyond any real date; keeps int/float arithmetic exact and overflow-free.
_MAX_NUMERIC_DATE = 10**12


def _numeric_date(claims: Mapping[str, Any], name: str) -> float | int | None:
    value = claims.get(name)
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not abs(value) <= _MAX_NUMERIC_DATE  # also False for NaN; no float() of huge ints
    ):
        raise InvalidToken(
            f"JWT claim {name!r} must be a NumericDate (seconds since the epoch)", reason=f"invalid_{name}"
        )
    return value


def check_time_claims(
    claims: Mapping[str, Any],
    *,
    now: datetime,
    leeway: timedelta = timedelta(seconds=10),
    max_lifetime: timedelta | None = None,
    require_iat: bool = True,
) -> None:
    """Check ``exp`` (required), ``iat``, ``nbf`` and the lifetime at ``now`` (RFC 7519 §4.1.4-6).

    - ``exp`` must be present and ``now < exp + leeway``;
    - ``iat`` (required unless ``require_iat=False``) must not lie after ``now + leeway``;
    - ``nbf``, if present, must not lie after ``now + leeway``;
    - ``exp - iat`` must not exceed ``max_lifetime`` (Maskinporten tokens: 120 s, DSOP “Security design”).
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    t = now.timestamp()
    slack = leeway.total_seconds()
    exp = _numeric_date(claims, "exp")
    iat = _numeric_date(claims, "iat")
    nbf = _numeric_date(claims, "nbf")
    if exp is None:
        raise InvalidToken('JWT has no "exp" claim', reason="missing_exp")
    if iat is None and require_iat:
        raise InvalidToken('JWT has no "iat" claim', reason="missing_iat")
    if t - slack >= exp:
        raise InvalidToken("JWT has expired", reason="expired")
    if iat is not None and iat > t + slack:
        raise InvalidToken('JWT "iat" lies in the future', reason="iat_in_future")
    if nbf is not None and nbf > t + slack:
        raise InvalidToken('JWT is not valid yet ("nbf")', reason="not_yet_valid")
    if max_lifetime is not None:
        start = iat if iat is not None else t
        if exp - start > max_lifetime.total_seconds():
            raise InvalidToken(
                f"JWT lifetime exceeds {max_lifetime.total_seconds():g} seconds", reason="lifetime_too_long"
            )
