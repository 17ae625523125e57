"""Key generation, PEM/JWK conversion and JWKS documents (DSOP “Security design”; DSOP Politi “Løsningsbeskrivelse”).

Keys are joserfc key objects (``RSAKey`` for RSA 2048+, ``ECKey`` for P-256)
so the same value works with :mod:`opendsop.trust.jwt`, :mod:`opendsop.trust.jwe`
and joserfc itself. Every key gets a ``kid``; when the caller names none it is
the RFC 7638 thumbprint, which is what Maskinporten and politiet's
``finans-jwks.json`` consumers match on. Weak keys (RSA below 2048 bits, EC
curves other than P-256) are refused here, at the door, rather than at use.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import ECKey, KeySet, OctKey, RSAKey

from opendsop.trust.errors import TrustError

__all__ = [
    "MIN_RSA_BITS",
    "JWK",
    "as_jwk",
    "generate_ec_key",
    "generate_rsa_key",
    "key_from_certificate",
    "key_from_pem",
    "key_set",
    "private_key_pem",
    "public_jwk",
    "public_jwks",
]

MIN_RSA_BITS = 2048
JWK = RSAKey | ECKey  # the asymmetric key types this package hands out


def _with_kid(key: RSAKey | ECKey, kid: str | None) -> RSAKey | ECKey:
    if kid is not None:
        if not isinstance(kid, str) or not kid:
            raise ValueError("kid must be a non-empty string")
        key.dict_value["kid"] = kid
    else:
        key.ensure_kid()
    return key


def _check_native(native: Any) -> None:
    """Refuse key types and sizes the ecosystem does not accept."""
    if isinstance(native, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        if native.key_size < MIN_RSA_BITS:
            raise TrustError(
                f"RSA key of {native.key_size} bits is too weak; at least {MIN_RSA_BITS} bits are required",
                reason="weak_key",
            )
    elif isinstance(native, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        if not isinstance(native.curve, ec.SECP256R1):
            raise TrustError(f"EC curve {native.curve.name} is not supported; only P-256 is", reason="unsupported_key")
    else:
        raise TrustError(
            f"key type {type(native).__name__} is not supported; use RSA or EC P-256",
            reason="unsupported_key",
        )


def _from_native(native: Any, kid: str | None) -> RSAKey | ECKey:
    _check_native(native)
    key: RSAKey | ECKey
    if isinstance(native, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        key = RSAKey.import_key(native)
    else:
        key = ECKey.import_key(native)
    return _with_kid(key, kid)


def generate_rsa_key(*, kid: str | None = None, bits: int = 2048) -> RSAKey:
    """Generate an RSA private key (``bits`` ≥ 2048); ``kid`` defaults to the RFC 7638 thumbprint."""
    if bits < MIN_RSA_BITS or bits % 8:
        raise ValueError(f"bits must be a multiple of 8 and at least {MIN_RSA_BITS}, got {bits}")
    native = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    key = _from_native(native, kid)
    assert isinstance(key, RSAKey)
    return key


def generate_ec_key(*, kid: str | None = None) -> ECKey:
    """Generate an EC P-256 private key; ``kid`` defaults to the RFC 7638 thumbprint."""
    key = _from_native(ec.generate_private_key(ec.SECP256R1()), kid)
    assert isinstance(key, ECKey)
    return key


def as_jwk(key: Any, *, kid: str | None = None) -> RSAKey | ECKey | OctKey:
    """Coerce a joserfc key, a cryptography key, an x509 certificate or a JWK dict to a joserfc key.

    joserfc keys pass through unchanged (their cached native key objects are
    what makes repeated verification cheap).
    """
    if isinstance(key, (RSAKey, ECKey, OctKey)):
        return key
    if isinstance(key, x509.Certificate):
        return key_from_certificate(key, kid=kid)
    if isinstance(key, Mapping):
        return _import_jwk_dict(key)
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey, ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return _from_native(key, kid)
    private = getattr(key, "private_key", None)  # a pki.Credential
    if private is not None and isinstance(private, (RSAKey, ECKey)):
        return private
    raise TypeError(f"cannot use {type(key).__name__} as a key")


def _import_jwk_dict(data: Mapping[str, Any]) -> RSAKey | ECKey | OctKey:
    kty = data.get("kty")
    try:
        with warnings.catch_warnings():
            # Size is checked below with a typed error instead of a warning.
            warnings.simplefilter("ignore", SecurityWarning)
            if kty == "RSA":
                key: RSAKey | ECKey | OctKey = RSAKey.import_key(dict(data))
            elif kty == "EC":
                key = ECKey.import_key(dict(data))
            elif kty == "oct":
                key = OctKey.import_key(dict(data))
            else:
                raise TrustError(f"JWK kty {kty!r} is not supported; use RSA or EC", reason="unsupported_key")
            if not isinstance(key, OctKey):
                _check_native(key.raw_value)
    except TrustError:
        raise
    except (JoseError, ValueError, TypeError, KeyError, UnsupportedAlgorithm) as exc:
        raise TrustError(f"JWK could not be loaded: {exc}", reason="invalid_key") from exc
    return key


def public_jwk(key: Any) -> dict[str, Any]:
    """The public members of ``key`` plus ``kid`` (and ``use``/``alg``/``x5c`` if set), as a JSON-ready dict."""
    jwk = as_jwk(key)
    if isinstance(jwk, OctKey):
        raise TrustError("a symmetric key has no public form", reason="unsupported_key")
    jwk.ensure_kid()
    return dict(jwk.as_dict(private=False))


def public_jwks(keys: Iterable[Any]) -> dict[str, list[dict[str, Any]]]:
    """A JWKS document ``{"keys": [...]}`` holding only the public members of ``keys``."""
    return {"keys": [public_jwk(key) for key in keys]}


def key_set(doc: Mapping[str, Any]) -> KeySet:
    """Load a JWKS document. Keys of unknown ``kty`` are skipped (RFC 7517 §5); weak keys are refused."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("keys"), list):
        raise TrustError('JWKS document must be an object with a "keys" array', reason="invalid_jwks")
    keys: list[Any] = []
    for index, item in enumerate(doc["keys"]):
        if not isinstance(item, Mapping):
            raise TrustError(f"JWKS keys[{index}] is not an object", reason="invalid_jwks")
        if item.get("kty") not in ("RSA", "EC"):
            continue
        try:
            keys.append(_import_jwk_dict(item))
        except TrustError as exc:
            raise TrustError(f"JWKS keys[{index}]: {exc.message}", reason=exc.reason) from exc
    if not keys:
        raise TrustError("JWKS document holds no usable RSA or EC key", reason="invalid_jwks")
    return KeySet(keys)


def private_key_pem(key: Any) -> bytes:
    """The private key as unencrypted PKCS#8 PEM."""
    jwk = as_jwk(key)
    native = jwk.private_key if not isinstance(jwk, OctKey) else None
    if native is None:
        raise TrustError("key has no private part", reason="not_private")
    return native.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_key_pem(key: Any) -> bytes:
    """The public key as SubjectPublicKeyInfo PEM."""
    jwk = as_jwk(key)
    if isinstance(jwk, OctKey):
        raise TrustError("a symmetric key has no public form", reason="unsupported_key")
    return jwk.public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_from_pem(pem: bytes, *, kid: str | None = None) -> RSAKey | ECKey:
    """Load an RSA or EC P-256 key, private (PKCS#8 or traditional) or public, from unencrypted PEM."""
    if isinstance(pem, str):
        pem = pem.encode("ascii", "replace")
    if not isinstance(pem, (bytes, bytearray)):
        raise TrustError("PEM must be bytes", reason="invalid_key")
    native: Any
    try:
        if b"PRIVATE KEY" in pem:
            native = serialization.load_pem_private_key(bytes(pem), password=None)
        else:
            native = serialization.load_pem_public_key(bytes(pem))
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise TrustError(f"PEM key could not be loaded: {exc}", reason="invalid_key") from exc
    return _from_native(native, kid)


def key_from_certificate(cert: x509.Certificate, *, kid: str | None = None) -> RSAKey | ECKey:
    """The certificate's public key as a JWK (``kid`` defaults to the key thumbprint)."""
    try:
        native = cert.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise TrustError(f"certificate public key is not usable: {exc}", reason="unsupported_key") from exc
    return _from_native(native, kid)
