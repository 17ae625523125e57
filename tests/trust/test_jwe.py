"""JWE compact serialization (opendsop.trust.jwe): round trips, headers, tampering, algorithm policy."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc.jwk import ECKey, KeySet, RSAKey

from opendsop.trust.errors import DecryptionError, TrustError
from opendsop.trust.jwe import (
    CONTENT_ENCRYPTIONS,
    DEFAULT_ALG,
    DEFAULT_ENC,
    decrypt_compact,
    encrypt_compact,
    unverified_jwe_header,
)
from opendsop.trust.keys import public_jwk

PAGE = json.dumps(
    {"transactions": [{"amount": "-125.50", "currency": "NOK", "text": "Rema 1000 Grünerløkka"}] * 50}
).encode()
ALL_ENCS = list(CONTENT_ENCRYPTIONS)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def test_defaults_match_the_agreed_profile() -> None:
    assert (DEFAULT_ALG, DEFAULT_ENC) == ("RSA-OAEP-256", "A256GCM")


@pytest.mark.parametrize("enc", ALL_ENCS)
@pytest.mark.parametrize("alg", ["RSA-OAEP", "RSA-OAEP-256"])
def test_rsa_round_trips(alg: str, enc: str, rsa_key: RSAKey) -> None:
    token = encrypt_compact(PAGE, public_jwk(rsa_key), alg=alg, enc=enc)
    assert token.count(".") == 4
    assert decrypt_compact(token, rsa_key, algorithms=[alg], encryptions=[enc]) == PAGE


@pytest.mark.parametrize("alg", ["ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW"])
def test_ecdh_round_trips(alg: str, ec_key: ECKey) -> None:
    token = encrypt_compact(PAGE, public_jwk(ec_key), alg=alg, enc="A256GCM")
    assert decrypt_compact(token, ec_key, algorithms=[alg]) == PAGE


def test_empty_plaintext_round_trips(rsa_key: RSAKey) -> None:
    for enc in ("A256GCM", "A128CBC-HS256"):
        token = encrypt_compact(b"", rsa_key, enc=enc)
        assert decrypt_compact(token, rsa_key, encryptions=[enc]) == b""


@pytest.mark.parametrize("size", [1, 15, 16, 17, 32, 1000])
@pytest.mark.parametrize("enc", ["A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A256GCM"])
def test_block_boundaries_round_trip(size: int, enc: str, rsa_key: RSAKey) -> None:
    """PKCS#7 always adds 1-16 bytes, a whole block when the plaintext fills the last one."""
    plaintext = bytes(range(256)) * 4
    token = encrypt_compact(plaintext[:size], rsa_key, enc=enc)
    ciphertext = unb64(token.split(".")[3])
    expected_length = (size // 16 + 1) * 16 if "CBC" in enc else size  # GCM is a stream mode
    assert len(ciphertext) == expected_length
    assert decrypt_compact(token, rsa_key, encryptions=[enc]) == plaintext[:size]


def test_wrong_key_and_tampering_look_the_same(rsa_key: RSAKey, other_rsa_key: RSAKey) -> None:
    """No oracle: an RSA unwrap failure and a tag failure give the same error (RFC 7516 §11.5)."""
    token = encrypt_compact(PAGE, rsa_key)
    with pytest.raises(DecryptionError) as wrong_key:
        decrypt_compact(token, other_rsa_key)
    with pytest.raises(DecryptionError) as tampered:
        decrypt_compact(_flip(token, 4), rsa_key)
    assert (wrong_key.value.reason, str(wrong_key.value)) == (tampered.value.reason, str(tampered.value))


def test_header_names_alg_enc_cty_and_kid(rsa_key: RSAKey) -> None:
    header = unverified_jwe_header(encrypt_compact(PAGE, public_jwk(rsa_key)))
    assert header == {"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "application/json", "kid": "rsa-1"}
    header = unverified_jwe_header(encrypt_compact(PAGE, rsa_key, kid="override", content_type=None))
    assert header == {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "override"}


def test_certificate_recipient_gets_x5t_s256_and_credential_decrypts(pki: Any) -> None:
    """Banks encrypt to the CertPub encryption certificate (DSOP “Security design”)."""
    cert = pki.encryption.certificate
    token = encrypt_compact(PAGE, cert)
    header = unverified_jwe_header(token)
    assert header["x5t#S256"] == b64(hashlib.sha256(cert.public_bytes(Encoding.DER)).digest())
    assert "kid" not in header
    assert decrypt_compact(token, pki.encryption.private_key) == PAGE
    assert decrypt_compact(token, pki.encryption) == PAGE  # a Credential works as the key too


def test_key_set_picks_the_recipient_by_kid(rsa_key: RSAKey, other_rsa_key: RSAKey) -> None:
    token = encrypt_compact(PAGE, public_jwk(other_rsa_key))
    assert decrypt_compact(token, KeySet([rsa_key, other_rsa_key])) == PAGE
    with pytest.raises(DecryptionError) as info:
        decrypt_compact(encrypt_compact(PAGE, rsa_key, kid="nobody"), KeySet([rsa_key, other_rsa_key]))
    assert info.value.reason == "unknown_kid"


def test_each_encryption_is_fresh(rsa_key: RSAKey) -> None:
    first, second = encrypt_compact(PAGE, rsa_key), encrypt_compact(PAGE, rsa_key)
    assert first.split(".")[1:3] != second.split(".")[1:3]  # new CEK and IV every time


# -- tampering and policy ------------------------------------------------------------


def _flip(token: str, segment: int, index: int = 0) -> str:
    parts = token.split(".")
    raw = bytearray(unb64(parts[segment]))
    raw[index] ^= 0x01
    parts[segment] = b64(bytes(raw))
    return ".".join(parts)


def _with_header(token: str, header: dict[str, Any]) -> str:
    parts = token.split(".")
    parts[0] = b64(json.dumps(header).encode())
    return ".".join(parts)


Case = Callable[[RSAKey, RSAKey, ECKey], tuple[str, Any, dict[str, Any]]]
GCM = {"encryptions": ["A256GCM"]}
CBC = {"encryptions": ["A128CBC-HS256"]}


def _gcm(k: RSAKey) -> str:
    return encrypt_compact(PAGE, k)


def _cbc(k: RSAKey) -> str:
    return encrypt_compact(PAGE, k, enc="A128CBC-HS256")


TAMPERING: list[Any] = [
    pytest.param(lambda k, o, e: (_flip(_gcm(k), 3), k, GCM), "decryption_failed", id="gcm-ciphertext-byte"),
    pytest.param(lambda k, o, e: (_flip(_gcm(k), 3, -1), k, GCM), "decryption_failed", id="gcm-ciphertext-last-byte"),
    pytest.param(lambda k, o, e: (_flip(_gcm(k), 4), k, GCM), "decryption_failed", id="gcm-auth-tag-byte"),
    pytest.param(lambda k, o, e: (_flip(_gcm(k), 2), k, GCM), "decryption_failed", id="gcm-iv-byte"),
    pytest.param(lambda k, o, e: (_flip(_gcm(k), 1), k, GCM), "decryption_failed", id="encrypted-key-byte"),
    pytest.param(lambda k, o, e: (_flip(_cbc(k), 3), k, CBC), "decryption_failed", id="cbc-ciphertext-byte"),
    pytest.param(lambda k, o, e: (_flip(_cbc(k), 4), k, CBC), "decryption_failed", id="cbc-auth-tag-byte"),
    pytest.param(lambda k, o, e: (_flip(_cbc(k), 2), k, CBC), "decryption_failed", id="cbc-iv-byte"),
    pytest.param(
        lambda k, o, e: (_with_header(_gcm(k), {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "x"}), k, GCM),
        "decryption_failed",
        id="header-rewritten",
    ),
    pytest.param(
        lambda k, o, e: (".".join(_gcm(k).split(".")[:4] + [""]), k, GCM), "decryption_failed", id="tag-removed"
    ),
    pytest.param(lambda k, o, e: (_gcm(k), o, GCM), "decryption_failed", id="other-recipient"),
    pytest.param(lambda k, o, e: (_cbc(k), o, CBC), "decryption_failed", id="other-recipient-cbc"),
    pytest.param(
        lambda k, o, e: (
            encrypt_compact(PAGE, e, alg="ECDH-ES+A256KW"),
            _other_ec(),
            {"algorithms": ["ECDH-ES+A256KW"]},
        ),
        "decryption_failed",
        id="other-recipient-ecdh",
    ),
    pytest.param(
        lambda k, o, e: (_flip(encrypt_compact(PAGE, e, alg="ECDH-ES"), 3), e, {"algorithms": ["ECDH-ES"]}),
        "decryption_failed",
        id="ecdh-ciphertext-byte",
    ),
    # form
    pytest.param(lambda k, o, e: ("a.b.c.d", k, GCM), "malformed", id="four-segments"),
    pytest.param(lambda k, o, e: (_gcm(k) + ".x", k, GCM), "malformed", id="six-segments"),
    pytest.param(lambda k, o, e: (_gcm(k).replace(".", ".$", 2), k, GCM), "malformed", id="bad-base64"),
    pytest.param(lambda k, o, e: ("x" + _gcm(k)[1:] + "é", k, GCM), "malformed", id="non-ascii"),
    pytest.param(
        lambda k, o, e: (_with_header(_gcm(k), {"alg": "RSA-OAEP-256"}), k, GCM), "malformed", id="header-without-enc"
    ),
    pytest.param(lambda k, o, e: (b64(b"[1]") + ".a.b.c.d", k, GCM), "malformed", id="header-not-object"),
    pytest.param(lambda k, o, e: (b64(b"{nope") + ".a.b.c.d", k, GCM), "malformed", id="header-not-json"),
    pytest.param(lambda k, o, e: (None, k, GCM), "malformed", id="not-a-string"),
    pytest.param(
        lambda k, o, e: (_with_header(_gcm(k), {"alg": "RSA-OAEP-256", "enc": "A256GCM", "zip": "DEF"}), k, GCM),
        "malformed",
        id="zip-header",
    ),
    # algorithm policy
    pytest.param(
        lambda k, o, e: (_with_header(_gcm(k), {"alg": "RSA1_5", "enc": "A256GCM"}), k, GCM),
        "unsupported_alg",
        id="rsa1_5",
    ),
    pytest.param(
        lambda k, o, e: (_with_header(_gcm(k), {"alg": "RSA1_5", "enc": "A256GCM"}), k, {"algorithms": ["RSA1_5"]}),
        "unsupported_alg",
        id="rsa1_5-even-if-listed",
    ),
    pytest.param(
        lambda k, o, e: (_with_header(_gcm(k), {"alg": "dir", "enc": "A256GCM"}), k, GCM), "unsupported_alg", id="dir"
    ),
    pytest.param(
        lambda k, o, e: (encrypt_compact(PAGE, k, alg="RSA-OAEP"), k, GCM), "unsupported_alg", id="alg-not-accepted"
    ),
    pytest.param(
        lambda k, o, e: (encrypt_compact(PAGE, k, alg="RSA-OAEP"), k, {"algorithms": "RSA-OAEP-256"}),
        "unsupported_alg",
        id="allow-list-as-bare-string-is-not-a-substring-test",
    ),
    pytest.param(
        lambda k, o, e: (encrypt_compact(PAGE, k, enc="A128GCM"), k, {}), "unsupported_enc", id="enc-not-accepted"
    ),
    pytest.param(
        lambda k, o, e: (
            _with_header(_gcm(k), {"alg": "RSA-OAEP-256", "enc": "A512GCM"}),
            k,
            {"encryptions": ["A512GCM"]},
        ),
        "unsupported_enc",
        id="unknown-enc-even-if-listed",
    ),
    # keys
    pytest.param(lambda k, o, e: (_gcm(k), RSAKey.import_key(k.public_key), GCM), "key_mismatch", id="public-key-only"),
    pytest.param(lambda k, o, e: (_gcm(k), e, GCM), "key_mismatch", id="ec-key-for-rsa-oaep"),
]


def _other_ec() -> ECKey:
    from opendsop.trust.keys import generate_ec_key

    return generate_ec_key()


@pytest.mark.parametrize(("case", "reason"), TAMPERING)
def test_tampered_or_foreign_jwe_is_rejected(
    case: Case, reason: str, rsa_key: RSAKey, other_rsa_key: RSAKey, ec_key: ECKey
) -> None:
    token, key, options = case(rsa_key, other_rsa_key, ec_key)
    with pytest.raises(DecryptionError) as info:
        decrypt_compact(token, key, **options)
    assert info.value.reason == reason
    assert str(info.value)


@pytest.mark.parametrize(
    ("options", "key", "reason"),
    [
        pytest.param({"alg": "RSA1_5"}, "rsa", "unsupported_alg", id="rsa1_5"),
        pytest.param({"alg": "dir"}, "rsa", "unsupported_alg", id="dir"),
        pytest.param({"enc": "A512GCM"}, "rsa", "unsupported_enc", id="unknown-enc"),
        pytest.param({"alg": "RSA-OAEP-256"}, "ec", "key_mismatch", id="ec-key-for-rsa"),
        pytest.param({"alg": "ECDH-ES"}, "rsa", "key_mismatch", id="rsa-key-for-ecdh"),
    ],
)
def test_encrypt_refuses_unsupported_choices(
    options: dict[str, str], key: str, reason: str, rsa_key: RSAKey, ec_key: ECKey
) -> None:
    with pytest.raises(TrustError) as info:
        encrypt_compact(PAGE, rsa_key if key == "rsa" else ec_key, **options)
    assert info.value.reason == reason


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="AQgw_-.=xé{}", max_size=200) | st.binary(max_size=200))
def test_garbage_never_crashes(token: Any) -> None:
    with pytest.raises(DecryptionError):
        decrypt_compact(token, _GARBAGE_KEY)


def _garbage_key() -> RSAKey:
    from opendsop.trust.keys import generate_rsa_key

    return generate_rsa_key()


_GARBAGE_KEY = _garbage_key()
