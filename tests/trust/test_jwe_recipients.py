"""Recipient keys kept per certificate (opendsop.trust.jwe.RecipientKeys): reuse, rotation, bounds, failures."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from opendsop.trust.errors import DecryptionError, TrustError
from opendsop.trust.jwe import (
    RecipientKeys,
    decrypt_compact,
    encrypt_compact,
    encrypt_compact_bytes,
    unverified_jwe_header,
)
from opendsop.trust.pki import Credential
from tests.trust.conftest import NOW, SKATTEETATEN

PAGE = json.dumps({"accounts": [{"accountReference": "a" * 32, "currency": "NOK"}] * 5}).encode()


def x5t(certificate: x509.Certificate) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(certificate.public_bytes(Encoding.DER)).digest()).rstrip(b"=").decode()
    )


def encryption_credential(pki: Any, days: int) -> Credential:
    """Another encryption certificate for the same consumer (a rotation), with a key of its own."""
    return pki.intermediate.issue_enterprise(
        SKATTEETATEN, organisation_name="SKATTEETATEN", now=NOW + timedelta(days=days), purpose="encryption"
    )


def weak_certificate() -> x509.Certificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "weak")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


def test_a_certificate_is_imported_once_and_found_by_its_der(pki: Any) -> None:
    keys = RecipientKeys(capacity=4)
    certificate = pki.encryption.certificate
    key, thumbprint = keys.get(certificate)
    same_der = x509.load_pem_x509_certificate(certificate.public_bytes(Encoding.PEM))
    assert same_der is not certificate
    assert keys.get(same_der)[0] is key
    assert len(keys) == 1
    assert thumbprint == x5t(certificate)


def test_a_rotated_certificate_is_used_at_once(pki: Any) -> None:
    """The consumer publishes a new encryption certificate: the next answer is encrypted to it."""
    old = pki.encryption
    new = encryption_credential(pki, days=1)
    first = encrypt_compact(PAGE, old.certificate)
    second = encrypt_compact(PAGE, new.certificate)
    assert unverified_jwe_header(first)["x5t#S256"] == x5t(old.certificate)
    assert unverified_jwe_header(second)["x5t#S256"] == x5t(new.certificate)
    assert decrypt_compact(second, new.private_key) == PAGE
    with pytest.raises(DecryptionError):
        decrypt_compact(second, old.private_key)
    assert decrypt_compact(encrypt_compact(PAGE, old.certificate), old.private_key) == PAGE


def test_the_least_recently_used_certificate_goes_first(pki: Any) -> None:
    keys = RecipientKeys(capacity=2)
    first, second, third = (encryption_credential(pki, days).certificate for days in (2, 3, 4))
    first_key = keys.get(first)[0]
    second_key = keys.get(second)[0]
    assert keys.get(first)[0] is first_key  # used again: now the most recent
    keys.get(third)
    assert len(keys) == 2
    assert keys.get(first)[0] is first_key
    assert keys.get(second)[0] is not second_key  # it went, so it was imported again
    assert len(keys) == 2


def test_an_unusable_certificate_is_refused_every_time_and_never_kept() -> None:
    keys = RecipientKeys(capacity=2)
    weak = weak_certificate()
    for _ in range(2):
        with pytest.raises(TrustError) as info:
            keys.get(weak)
        assert info.value.reason == "weak_key"
    assert len(keys) == 0
    with pytest.raises(TrustError):
        encrypt_compact(PAGE, weak)


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RecipientKeys(capacity=0)


@pytest.mark.parametrize(
    "options", [{}, {"kid": "enc-2"}, {"content_type": None}, {"enc": "A128CBC-HS256"}, {"alg": "RSA-OAEP"}]
)
def test_bytes_and_text_forms_carry_the_same_header_and_decrypt(pki: Any, options: dict[str, Any]) -> None:
    certificate = pki.encryption.certificate
    as_bytes = encrypt_compact_bytes(PAGE, certificate, **options)
    as_text = encrypt_compact(PAGE, certificate, **options)
    assert isinstance(as_bytes, bytes)
    assert as_bytes.split(b".")[0].decode() == as_text.split(".")[0]
    expected = {"alg": options.get("alg", "RSA-OAEP-256"), "enc": options.get("enc", "A256GCM")}
    if options.get("content_type", "application/json") is not None:
        expected["cty"] = "application/json"
    expected["x5t#S256"] = x5t(certificate)
    if "kid" in options:
        expected["kid"] = options["kid"]
    assert unverified_jwe_header(as_text) == expected
    accepted = {"algorithms": [expected["alg"]], "encryptions": [expected["enc"]]}
    assert decrypt_compact(as_bytes.decode(), pki.encryption.private_key, **accepted) == PAGE
    assert decrypt_compact(as_text, pki.encryption.private_key, **accepted) == PAGE
