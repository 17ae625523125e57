"""Interoperability with independent JOSE implementations: PyJWT (JWS) and jwcrypto (JWE)."""

from __future__ import annotations

import json
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from joserfc.jwk import ECKey, RSAKey
from jwcrypto import jwe as cjwe
from jwcrypto import jwk as cjwk

from opendsop.trust.errors import InvalidToken
from opendsop.trust.jwe import decrypt_compact, encrypt_compact
from opendsop.trust.jwt import sign_jwt, verify_jwt
from opendsop.trust.keys import key_set, private_key_pem, public_jwk, public_jwks

from .conftest import NOW

T = int(NOW.timestamp())
CLAIMS = {"iss": "https://test.maskinporten.no/", "aud": "https://bank.example/", "iat": T, "exp": T + 120, "jti": "1"}
PAGE = json.dumps({"transactions": [{"amount": "12.00", "text": "Kiwi Ålesund"}] * 20}).encode()
JWS_ALGS = ["RS256", "RS384", "RS512", "PS256", "ES256"]


def _key(alg: str, rsa_key: RSAKey, ec_key: ECKey) -> RSAKey | ECKey:
    return ec_key if alg.startswith("ES") else rsa_key


@pytest.mark.parametrize("alg", JWS_ALGS)
def test_pyjwt_verifies_our_tokens(alg: str, rsa_key: RSAKey, ec_key: ECKey) -> None:
    token = sign_jwt(CLAIMS, _key(alg, rsa_key, ec_key), alg=alg)
    kid = pyjwt.get_unverified_header(token)["kid"]
    published = next(k for k in public_jwks([rsa_key, ec_key])["keys"] if k["kid"] == kid)
    signing_key = pyjwt.PyJWK(published, algorithm=alg)  # PyJWK binds one algorithm per key
    claims = pyjwt.decode(
        token, signing_key, algorithms=[alg], audience=CLAIMS["aud"], options={"verify_exp": False, "verify_iat": False}
    )
    assert claims == CLAIMS


@pytest.mark.parametrize("alg", JWS_ALGS)
def test_we_verify_pyjwt_tokens(alg: str, rsa_key: RSAKey, ec_key: ECKey) -> None:
    key = _key(alg, rsa_key, ec_key)
    token = pyjwt.encode(CLAIMS, key.private_key, algorithm=alg, headers={"kid": key.kid})
    header, claims = verify_jwt(token, key_set(public_jwks([rsa_key, ec_key])), algorithms=[alg], now=NOW)
    assert header["kid"] == key.kid and claims == CLAIMS


def test_pyjwt_hs256_token_with_our_public_pem_is_refused(rsa_key: RSAKey) -> None:
    """PyJWT itself refuses to HMAC with a PEM; a hand-made one must not pass our verifier either."""
    import base64
    import hashlib
    import hmac

    from opendsop.trust.keys import public_key_pem

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{b64(json.dumps(CLAIMS).encode())}"
    mac = hmac.new(public_key_pem(rsa_key), signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(InvalidToken):
        verify_jwt(f"{signing_input}.{b64(mac)}", rsa_key, algorithms=["RS256", "HS256"])


JWE_CASES = [
    pytest.param("RSA-OAEP-256", "A256GCM", "rsa", id="rsa-oaep-256+a256gcm"),
    pytest.param("RSA-OAEP-256", "A128CBC-HS256", "rsa", id="rsa-oaep-256+a128cbc-hs256"),
    pytest.param("RSA-OAEP", "A256CBC-HS512", "rsa", id="rsa-oaep+a256cbc-hs512"),
    pytest.param("RSA-OAEP", "A128GCM", "rsa", id="rsa-oaep+a128gcm"),
    pytest.param("ECDH-ES+A256KW", "A256GCM", "ec", id="ecdh-es+a256kw"),
    pytest.param("ECDH-ES", "A128CBC-HS256", "ec", id="ecdh-es"),
]


def _jwcrypto_key(key: Any) -> cjwk.JWK:
    return cjwk.JWK.from_pem(private_key_pem(key))


@pytest.mark.parametrize(("alg", "enc", "kind"), JWE_CASES)
def test_jwcrypto_decrypts_our_jwe(alg: str, enc: str, kind: str, rsa_key: RSAKey, ec_key: ECKey) -> None:
    key = rsa_key if kind == "rsa" else ec_key
    token = encrypt_compact(PAGE, public_jwk(key), alg=alg, enc=enc)
    message = cjwe.JWE()
    message.deserialize(token, key=_jwcrypto_key(key))
    assert message.payload == PAGE
    assert json.loads(message.objects["protected"])["enc"] == enc


@pytest.mark.parametrize(("alg", "enc", "kind"), JWE_CASES)
def test_we_decrypt_jwcrypto_jwe(alg: str, enc: str, kind: str, rsa_key: RSAKey, ec_key: ECKey) -> None:
    key = rsa_key if kind == "rsa" else ec_key
    recipient = cjwk.JWK(**public_jwk(key))
    message = cjwe.JWE(PAGE, json.dumps({"alg": alg, "enc": enc, "cty": "application/json"}))
    message.add_recipient(recipient)
    token = message.serialize(compact=True)
    assert decrypt_compact(token, key, algorithms=[alg], encryptions=[enc]) == PAGE


def test_we_decrypt_jwcrypto_jwe_to_a_certificate_key(pki: Any) -> None:
    """The CertPub flow: the bank (here jwcrypto) encrypts to the certificate's key; the agency decrypts."""
    recipient = cjwk.JWK.from_pem(pki.encryption.certificate.public_bytes(Encoding.PEM))
    message = cjwe.JWE(PAGE, json.dumps({"alg": "RSA-OAEP-256", "enc": "A256GCM"}))
    message.add_recipient(recipient)
    assert decrypt_compact(message.serialize(compact=True), pki.encryption) == PAGE
