"""Key generation, JWK/JWKS and PEM conversion (opendsop.trust.keys)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc.jwk import ECKey, KeySet, RSAKey

from opendsop.trust.errors import TrustError
from opendsop.trust.jwt import sign_jwt, verify_jwt
from opendsop.trust.keys import (
    generate_ec_key,
    generate_rsa_key,
    key_from_certificate,
    key_from_pem,
    key_set,
    private_key_pem,
    public_jwk,
    public_jwks,
    public_key_pem,
)

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth"}


def _b64url_int(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _rfc7638_thumbprint(members: dict[str, str]) -> str:
    """RFC 7638 §3: SHA-256 over the required members, sorted, no whitespace."""
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()


def test_rsa_kid_defaults_to_rfc7638_thumbprint() -> None:
    key = generate_rsa_key()
    numbers = key.public_key.public_numbers()
    expected = _rfc7638_thumbprint({"e": _b64url_int(numbers.e), "kty": "RSA", "n": _b64url_int(numbers.n)})
    assert key.kid == expected
    assert key.public_key.key_size == 2048


def test_ec_key_is_p256_with_thumbprint_kid() -> None:
    key = generate_ec_key()
    numbers = key.public_key.public_numbers()
    members = {
        "crv": "P-256",
        "kty": "EC",
        "x": base64.urlsafe_b64encode(numbers.x.to_bytes(32, "big")).rstrip(b"=").decode(),
        "y": base64.urlsafe_b64encode(numbers.y.to_bytes(32, "big")).rstrip(b"=").decode(),
    }
    assert isinstance(key.public_key.curve, ec.SECP256R1)
    assert key.kid == _rfc7638_thumbprint(members)


def test_explicit_kid_is_kept(rsa_key: RSAKey, ec_key: ECKey) -> None:
    assert rsa_key.kid == "rsa-1"
    assert public_jwk(ec_key)["kid"] == "ec-1"


@pytest.mark.parametrize("bits", [1024, 2047, 2049], ids=["1024", "2047", "not-multiple-of-8"])
def test_weak_or_odd_rsa_sizes_are_refused(bits: int) -> None:
    with pytest.raises(ValueError, match="bits"):
        generate_rsa_key(bits=bits)


@pytest.mark.parametrize("which", ["rsa", "ec"])
def test_public_jwk_has_no_private_members(which: str, rsa_key: RSAKey, ec_key: ECKey) -> None:
    key = rsa_key if which == "rsa" else ec_key
    jwk = public_jwk(key)
    assert not PRIVATE_MEMBERS & set(jwk)
    assert jwk["kty"] == ("RSA" if which == "rsa" else "EC")
    assert jwk["kid"] == key.kid
    json.dumps(jwk)  # JSON-ready


def test_public_jwk_keeps_use_and_alg() -> None:
    key = RSAKey.import_key(generate_rsa_key().private_key, parameters={"use": "sig", "alg": "RS256"})
    jwk = public_jwk(key)
    assert (jwk["use"], jwk["alg"]) == ("sig", "RS256")


def test_jwks_round_trip_verifies_tokens(rsa_key: RSAKey, ec_key: ECKey) -> None:
    doc = json.loads(json.dumps(public_jwks([rsa_key, ec_key])))
    assert [k["kid"] for k in doc["keys"]] == ["rsa-1", "ec-1"]
    assert all(not PRIVATE_MEMBERS & set(k) for k in doc["keys"])
    keys = key_set(doc)
    assert isinstance(keys, KeySet)
    for key, alg in ((rsa_key, "RS256"), (ec_key, "ES256")):
        token = sign_jwt({"sub": alg}, key, alg=alg)
        assert verify_jwt(token, keys, algorithms=[alg])[1] == {"sub": alg}


def _small_rsa_jwk() -> dict[str, Any]:
    numbers = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key().public_numbers()
    return {"kty": "RSA", "kid": "weak", "n": _b64url_int(numbers.n), "e": _b64url_int(numbers.e)}


def _p384_jwk() -> dict[str, Any]:
    numbers = ec.generate_private_key(ec.SECP384R1()).public_key().public_numbers()
    enc = lambda v: base64.urlsafe_b64encode(v.to_bytes(48, "big")).rstrip(b"=").decode()  # noqa: E731
    return {"kty": "EC", "crv": "P-384", "kid": "p384", "x": enc(numbers.x), "y": enc(numbers.y)}


BAD_JWKS = [
    pytest.param(lambda: [], "invalid_jwks", id="not-an-object"),
    pytest.param(lambda: {"keys": {}}, "invalid_jwks", id="keys-not-array"),
    pytest.param(lambda: {}, "invalid_jwks", id="no-keys-member"),
    pytest.param(lambda: {"keys": ["x"]}, "invalid_jwks", id="key-not-object"),
    pytest.param(lambda: {"keys": []}, "invalid_jwks", id="empty"),
    pytest.param(
        lambda: {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AA"}]}, "invalid_jwks", id="only-unknown-kty"
    ),
    pytest.param(lambda: {"keys": [{"kty": "RSA", "n": "!!", "e": "AQAB"}]}, "invalid_key", id="rsa-garbage-n"),
    pytest.param(lambda: {"keys": [{"kty": "RSA", "e": "AQAB"}]}, "invalid_key", id="rsa-missing-n"),
    pytest.param(lambda: {"keys": [_small_rsa_jwk()]}, "weak_key", id="rsa-1024"),
    pytest.param(lambda: {"keys": [_p384_jwk()]}, "unsupported_key", id="ec-p384"),
]


@pytest.mark.parametrize(("doc", "reason"), BAD_JWKS)
def test_bad_jwks_documents_are_refused(doc: Any, reason: str) -> None:
    with pytest.raises(TrustError) as info:
        key_set(doc())
    assert info.value.reason == reason


def test_unknown_kty_is_skipped_next_to_usable_keys(rsa_key: RSAKey) -> None:
    doc = public_jwks([rsa_key])
    doc["keys"].insert(0, {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})
    assert [k.kid for k in key_set(doc)] == ["rsa-1"]


@pytest.mark.parametrize("which", ["rsa", "ec"])
def test_private_pem_round_trip(which: str, rsa_key: RSAKey, ec_key: ECKey) -> None:
    key = rsa_key if which == "rsa" else ec_key
    pem = private_key_pem(key)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8
    loaded = key_from_pem(pem, kid=key.kid)
    assert loaded.is_private
    assert public_jwk(loaded) == public_jwk(key)


def test_public_pem_loads_as_public_key_with_thumbprint_kid(rsa_key: RSAKey) -> None:
    loaded = key_from_pem(public_key_pem(rsa_key))
    assert not loaded.is_private
    assert loaded.kid == RSAKey.import_key(rsa_key.public_key).thumbprint()
    with pytest.raises(TrustError) as info:
        private_key_pem(loaded)
    assert info.value.reason == "not_private"


def _ed25519_pem() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _rsa1024_pem() -> bytes:
    return (
        rsa.generate_private_key(public_exponent=65537, key_size=1024)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


@pytest.mark.parametrize(
    ("pem", "reason"),
    [
        pytest.param(lambda: b"", "invalid_key", id="empty"),
        pytest.param(
            lambda: b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "invalid_key", id="bad-private"
        ),
        pytest.param(
            lambda: b"-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----\n", "invalid_key", id="bad-public"
        ),
        pytest.param(lambda: 42, "invalid_key", id="not-bytes"),
        pytest.param(_ed25519_pem, "unsupported_key", id="ed25519"),
        pytest.param(_rsa1024_pem, "weak_key", id="rsa-1024"),
    ],
)
def test_bad_pem_is_refused(pem: Any, reason: str) -> None:
    with pytest.raises(TrustError) as info:
        key_from_pem(pem())
    assert info.value.reason == reason


def test_key_from_certificate_is_the_subject_public_key(pki: Any) -> None:
    key = key_from_certificate(pki.signing.certificate)
    assert not key.is_private
    assert public_jwk(key) == public_jwk(pki.signing.private_key)
    assert key_from_certificate(pki.signing.certificate, kid="cert-1").kid == "cert-1"
