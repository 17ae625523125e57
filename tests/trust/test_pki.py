"""Test PKI and chain validation (opendsop.trust.pki): issuing, subject reading, attacks on the chain."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from opendsop.trust.errors import CertificateError
from opendsop.trust.keys import generate_ec_key
from opendsop.trust.pki import (
    CertificateAuthority,
    Credential,
    TrustStore,
    certificate_from_pem,
    certificate_pem,
    chain_from_x5c,
    organisation_number,
    subject_value,
)

from .conftest import NOW, SKATTEETATEN, Pki

ORG_ID = x509.ObjectIdentifier("2.5.4.97")  # organizationIdentifier, ETSI EN 319 412-1
DAY = timedelta(days=1)


def _hand_made(
    subject: list[x509.NameAttribute],
    issuer: CertificateAuthority | None = None,
    *,
    ca: bool | None = False,
    key_cert_sign: bool = False,
    path_length: int | None = None,
) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A certificate built directly with cryptography, for shapes our issuer never produces."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(subject)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.certificate.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + 30 * DAY)
    )
    if ca is not None:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True
        )
    builder = builder.add_extension(
        x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=key_cert_sign, crl_sign=key_cert_sign, encipher_only=False,
            decipher_only=False,
        ),
        critical=True,
    )  # fmt: skip
    signer = issuer.private_key.private_key if issuer else key
    return builder.sign(signer, hashes.SHA256()), key


def _attrs(**values: str) -> list[x509.NameAttribute]:
    oids = {"C": NameOID.COUNTRY_NAME, "O": NameOID.ORGANIZATION_NAME, "CN": NameOID.COMMON_NAME,
            "serialNumber": NameOID.SERIAL_NUMBER, "orgId": ORG_ID}  # fmt: skip
    return [x509.NameAttribute(oids[k], v) for k, v in values.items()]


# -- issuing ---------------------------------------------------------------------


def test_enterprise_certificate_subject(pki: Pki) -> None:
    cert = pki.signing.certificate
    assert subject_value(cert, "O") == "SKATTEETATEN"
    assert subject_value(cert, "CN") == "SKATTEETATEN"
    assert subject_value(cert, "OU") == "DSOP"
    assert subject_value(cert, "C") == "NO"
    assert subject_value(cert, "serialNumber") == SKATTEETATEN
    assert subject_value(cert, "organizationIdentifier") == "NTRNO-" + SKATTEETATEN
    assert organisation_number(cert) == SKATTEETATEN


def test_enterprise_certificate_extensions(pki: Pki) -> None:
    for credential, signing in ((pki.signing, True), (pki.encryption, False)):
        cert = credential.certificate
        assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        assert usage.digital_signature is signing
        assert usage.key_encipherment is not signing
        assert usage.key_cert_sign is False
        assert isinstance(cert.public_key(), rsa.RSAPublicKey) and cert.public_key().key_size == 2048
        assert credential.private_key.public_key.public_numbers() == cert.public_key().public_numbers()


def test_ca_certificates_are_cas(pki: Pki) -> None:
    for ca in (pki.root, pki.intermediate):
        constraints = ca.certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        assert constraints.critical and constraints.value.ca
        assert ca.certificate.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    assert pki.root.is_root and not pki.intermediate.is_root
    assert pki.root.certificate.issuer == pki.root.certificate.subject


def test_chain_holds_intermediates_only(pki: Pki) -> None:
    assert pki.signing.chain == (pki.intermediate.certificate,)
    assert pki.signing.path() == [pki.signing.certificate, pki.intermediate.certificate]
    direct = pki.root.issue_enterprise("991825827", organisation_name="DIGDIR", now=NOW)
    assert direct.chain == ()


def test_validity_window_and_issuer_cap(pki: Pki) -> None:
    cert = pki.signing.certificate
    assert cert.not_valid_before_utc == NOW
    assert cert.not_valid_after_utc == NOW + 730 * DAY
    short = pki.root.issue_intermediate("Short CA", now=NOW, days=10)
    capped = short.issue_enterprise(SKATTEETATEN, organisation_name="X", now=NOW, days=730)
    assert capped.certificate.not_valid_after_utc == short.certificate.not_valid_after_utc


def test_enterprise_with_own_ec_key(pki: Pki) -> None:
    key = generate_ec_key()
    credential = pki.intermediate.issue_enterprise(SKATTEETATEN, organisation_name="X", now=NOW, key=key)
    assert credential.private_key is key
    pki.store.validate(credential.path(), now=NOW, organisation_number=SKATTEETATEN)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"organisation_number": "97476107"}, "9 digits", id="orgno-8-digits"),
        pytest.param({"organisation_number": "97476107X"}, "9 digits", id="orgno-letter"),
        pytest.param({"purpose": "authentication"}, "purpose", id="unknown-purpose"),
    ],
)
def test_issue_enterprise_rejects_bad_arguments(pki: Pki, kwargs: dict[str, str], match: str) -> None:
    args: dict[str, Any] = {"organisation_number": SKATTEETATEN, "organisation_name": "X", "now": NOW, **kwargs}
    with pytest.raises(ValueError, match=match):
        pki.intermediate.issue_enterprise(**args)


# -- subject reading ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        pytest.param(_attrs(C="NO", O="Buypass style", serialNumber="974761076"), "974761076", id="serialNumber-only"),
        pytest.param(_attrs(C="NO", O="Newer", orgId="NTRNO-974761076"), "974761076", id="organizationIdentifier-only"),
        pytest.param(_attrs(serialNumber="974761076", orgId="NTRNO-974761076"), "974761076", id="both-agree"),
        pytest.param(_attrs(serialNumber="974761076", orgId="NTRNO-889640782"), None, id="both-disagree"),
        pytest.param(_attrs(serialNumber="UN:NO-12345"), None, id="serialNumber-not-orgno"),
        pytest.param(_attrs(orgId="NTRSE-5560000000"), None, id="foreign-registry"),
        pytest.param(_attrs(orgId="NTRNO-97476107"), None, id="ntrno-8-digits"),
        pytest.param(_attrs(CN="no number"), None, id="none"),
    ],
)
def test_organisation_number_reads_either_attribute(attrs: list[x509.NameAttribute], expected: str | None) -> None:
    cert, _ = _hand_made(attrs)
    assert organisation_number(cert) == expected


def test_subject_value_unknown_attribute(pki: Pki) -> None:
    assert subject_value(pki.root.certificate, "OU") is None
    with pytest.raises(ValueError, match="unknown subject attribute"):
        subject_value(pki.root.certificate, "emailAddress")


# -- encodings ---------------------------------------------------------------------


def test_x5c_round_trip(pki: Pki) -> None:
    x5c = pki.signing.x5c()
    der = pki.signing.certificate.public_bytes(serialization.Encoding.DER)
    assert x5c[0] == base64.b64encode(der).decode()  # standard base64, not base64url (RFC 7515 §4.1.6)
    assert chain_from_x5c(x5c) == pki.signing.path()


def test_pem_round_trip(pki: Pki) -> None:
    pem = certificate_pem(pki.signing.certificate)
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----")
    assert certificate_from_pem(pem) == pki.signing.certificate


@pytest.mark.parametrize(
    "x5c",
    [
        pytest.param([], id="empty"),
        pytest.param("MIIB", id="string-not-array"),
        pytest.param([42], id="entry-not-string"),
        pytest.param(["not base64!"], id="bad-base64"),
        pytest.param(["AAAA"], id="not-der"),
        pytest.param(["MIIB" + "A" * 10], id="truncated-der"),
        pytest.param(["AAAA"] * 9, id="too-long"),
    ],
)
def test_bad_x5c_is_a_certificate_error(x5c: Any) -> None:
    with pytest.raises(CertificateError):
        chain_from_x5c(x5c)


@pytest.mark.parametrize("pem", [b"", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "garbage"])
def test_bad_pem_is_a_certificate_error(pem: Any) -> None:
    with pytest.raises(CertificateError) as info:
        certificate_from_pem(pem)
    assert info.value.reason == "malformed"


# -- validation --------------------------------------------------------------------


def test_valid_chain_returns_leaf(pki: Pki) -> None:
    leaf = pki.store.validate(
        pki.signing.path(), now=NOW + DAY, organisation_number=SKATTEETATEN, common_name="SKATTEETATEN",
        organisational_unit="DSOP", purpose="signing",
    )  # fmt: skip
    assert leaf == pki.signing.certificate


def test_trailing_root_is_tolerated(pki: Pki) -> None:
    pki.store.validate([*pki.signing.path(), pki.root.certificate], now=NOW)


def test_leaf_issued_directly_by_root(pki: Pki) -> None:
    direct = pki.root.issue_enterprise("991825827", organisation_name="DIGDIR", now=NOW)
    assert pki.store.validate(direct.path(), now=NOW, organisation_number="991825827") == direct.certificate


def _non_ca_issuer(pki: Pki) -> list[x509.Certificate]:
    """An enterprise (end-entity) key used to sign another certificate."""
    fake_ca = CertificateAuthority(pki.signing.certificate, pki.signing.private_key, pki.signing.chain)
    return fake_ca.issue_enterprise("889640782", organisation_name="NAV", now=NOW).path()


def _ca_without_cert_sign(pki: Pki) -> list[x509.Certificate]:
    cert, key = _hand_made(_attrs(C="NO", CN="CA flag but no keyCertSign"), pki.root, ca=True, key_cert_sign=False)
    from opendsop.trust.keys import as_jwk

    ca = CertificateAuthority(cert, as_jwk(key))  # type: ignore[arg-type]
    return [ca.issue_enterprise(SKATTEETATEN, organisation_name="X", now=NOW).certificate, cert]


def _no_basic_constraints(pki: Pki) -> list[x509.Certificate]:
    cert, key = _hand_made(_attrs(C="NO", CN="no basicConstraints"), pki.root, ca=None, key_cert_sign=True)
    from opendsop.trust.keys import as_jwk

    ca = CertificateAuthority(cert, as_jwk(key))  # type: ignore[arg-type]
    return [ca.issue_enterprise(SKATTEETATEN, organisation_name="X", now=NOW).certificate, cert]


def _too_deep(pki: Pki) -> list[x509.Certificate]:
    """The intermediate has pathLen=0, so it may not issue another CA."""
    sub = pki.intermediate.issue_intermediate("Sub CA", now=NOW)
    return sub.issue_enterprise(SKATTEETATEN, organisation_name="X", now=NOW).path()


def _forged_root(pki: Pki) -> list[x509.Certificate]:
    """An attacker's root with the same subject name as the trusted one."""
    subject = pki.root.certificate.subject
    name = subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    evil = CertificateAuthority.create_root(str(name), now=NOW)
    assert evil.certificate.subject == subject
    return (
        evil.issue_intermediate("opendsop Test Issuing CA", now=NOW)
        .issue_enterprise(SKATTEETATEN, organisation_name="SKATTEETATEN", now=NOW)
        .path()
    )


def _tampered_leaf(pki: Pki) -> list[x509.Certificate]:
    der = bytearray(pki.signing.certificate.public_bytes(serialization.Encoding.DER))
    der[-5] ^= 0x01  # inside the signature value
    return [x509.load_der_x509_certificate(bytes(der)), *pki.signing.chain]


def _other_hierarchy(pki: Pki) -> list[x509.Certificate]:
    other = CertificateAuthority.create_root("Some Other Root", now=NOW)
    return other.issue_enterprise(SKATTEETATEN, organisation_name="SKATTEETATEN", now=NOW).path()


Chain = Callable[[Pki], list[x509.Certificate]]
CHAIN_ATTACKS: list[Any] = [
    pytest.param(_other_hierarchy, NOW, {}, "untrusted_root", id="not-issued-by-trust-store-root"),
    pytest.param(_forged_root, NOW, {}, "untrusted_root", id="forged-root-same-name"),
    pytest.param(lambda p: [p.signing.certificate], NOW, {}, "untrusted_root", id="intermediate-missing"),
    pytest.param(lambda p: p.signing.path(), NOW + 731 * DAY, {}, "expired", id="leaf-expired"),
    pytest.param(lambda p: p.signing.path(), NOW - DAY, {}, "not_yet_valid", id="leaf-not-yet-valid"),
    pytest.param(lambda p: p.signing.path(), NOW + 5000 * DAY, {}, "expired", id="everything-expired"),
    pytest.param(_non_ca_issuer, NOW, {}, "issuer_not_ca", id="intermediate-without-ca-flag"),
    pytest.param(_no_basic_constraints, NOW, {}, "issuer_not_ca", id="intermediate-without-basic-constraints"),
    pytest.param(_ca_without_cert_sign, NOW, {}, "issuer_not_ca", id="intermediate-without-keycertsign"),
    pytest.param(_too_deep, NOW, {}, "path_length", id="path-length-exceeded"),
    pytest.param(_tampered_leaf, NOW, {}, "bad_signature", id="tampered-leaf-signature"),
    pytest.param(
        lambda p: [p.signing.certificate, p.encryption.certificate], NOW, {}, "issuer_not_ca", id="wrong-order"
    ),
    pytest.param(lambda p: [p.intermediate.certificate], NOW, {}, "leaf_is_ca", id="ca-as-leaf"),
    pytest.param(lambda p: [], NOW, {}, "malformed", id="empty"),
    pytest.param(lambda p: [p.signing.certificate] * 9, NOW, {}, "chain_too_long", id="too-long"),
    pytest.param(
        lambda p: p.signing.path(), NOW, {"organisation_number": "889640782"}, "wrong_organisation", id="wrong-orgno"
    ),
    pytest.param(lambda p: p.signing.path(), NOW, {"common_name": "NAV"}, "wrong_common_name", id="wrong-cn"),
    pytest.param(
        lambda p: p.signing.path(),
        NOW,
        {"organisational_unit": "Innkreving"},
        "wrong_organisational_unit",
        id="wrong-ou",
    ),
    pytest.param(
        lambda p: p.encryption.path(),
        NOW,
        {"organisational_unit": "DSOP"},
        "wrong_organisational_unit",
        id="missing-ou",
    ),
    pytest.param(
        lambda p: p.signing.path(), NOW, {"purpose": "encryption"}, "wrong_key_usage", id="signing-cert-for-encryption"
    ),
    pytest.param(
        lambda p: p.encryption.path(), NOW, {"purpose": "signing"}, "wrong_key_usage", id="encryption-cert-for-signing"
    ),
]


@pytest.mark.parametrize(("chain", "at", "checks", "reason"), CHAIN_ATTACKS)
def test_bad_chains_are_rejected(chain: Chain, at: datetime, checks: dict[str, str], reason: str, pki: Pki) -> None:
    with pytest.raises(CertificateError) as info:
        pki.store.validate(chain(pki), now=at, **checks)
    assert info.value.reason == reason
    assert str(info.value)


def test_expired_root_fails_even_with_valid_leaf() -> None:
    root = CertificateAuthority.create_root("Short Root", now=NOW, days=10)
    leaf = root.issue_enterprise(SKATTEETATEN, organisation_name="X", now=NOW + 9 * DAY, days=1)
    store = TrustStore((root.certificate,))
    store.validate(leaf.path(), now=NOW + 9 * DAY)
    with pytest.raises(CertificateError) as info:
        store.validate(leaf.path(), now=NOW + 10 * DAY + timedelta(seconds=1))
    assert info.value.reason == "expired"


def test_store_with_several_roots(pki: Pki) -> None:
    other = CertificateAuthority.create_root("Second Root", now=NOW)
    store = TrustStore((other.certificate, pki.root.certificate))
    assert store.validate(pki.signing.path(), now=NOW) == pki.signing.certificate


# -- a leaf-only chain completed with known issuing CAs ------------------------------------------------


def _known(pki: Pki) -> TrustStore:
    return TrustStore((pki.root.certificate,), intermediates=(pki.intermediate.certificate,))


def test_leaf_only_chain_is_completed_with_a_known_issuing_ca(pki: Pki) -> None:
    leaf = _known(pki).validate([pki.signing.certificate], now=NOW, organisation_number=SKATTEETATEN, purpose="signing")
    assert leaf == pki.signing.certificate
    assert _known(pki).validate(pki.signing.path(), now=NOW) == pki.signing.certificate  # full chains still work


def _forged_issuing_ca(pki: Pki) -> list[x509.Certificate]:
    """A CA with the known issuing CA's name but another key (it is not the one we know)."""
    impostor = pki.root.issue_intermediate("opendsop Test Issuing CA", now=NOW)
    return [impostor.issue_enterprise(SKATTEETATEN, organisation_name="X", now=NOW).certificate]


def _unknown_issuing_ca(pki: Pki) -> list[x509.Certificate]:
    stranger = pki.root.issue_intermediate("Another Issuing CA", now=NOW)
    return [stranger.issue_enterprise(SKATTEETATEN, organisation_name="X", now=NOW).certificate]


def _known_ca_of_an_untrusted_root(pki: Pki) -> list[x509.Certificate]:
    return [pki.signing.certificate]  # validated below against a store whose root is another


LEAF_ONLY_REFUSALS = [
    # (chain, store, now, checks, reason)
    pytest.param(
        lambda p: [p.signing.certificate], lambda p: p.store, NOW, {}, "untrusted_root", id="issuing-ca-not-known"
    ),
    pytest.param(_unknown_issuing_ca, _known, NOW, {}, "untrusted_root", id="unknown-issuer"),
    pytest.param(_forged_issuing_ca, _known, NOW, {}, "untrusted_root", id="issuer-name-of-a-known-ca-other-key"),
    pytest.param(lambda p: [p.signing.certificate], _known, NOW + 10_000 * DAY, {}, "expired", id="expired"),
    pytest.param(
        lambda p: [p.signing.certificate],
        _known,
        NOW,
        {"organisation_number": "889640782"},
        "wrong_organisation",
        id="another-organisation",
    ),
    pytest.param(
        _known_ca_of_an_untrusted_root,
        lambda p: TrustStore(
            (CertificateAuthority.create_root("Else", now=NOW).certificate,),
            intermediates=(p.intermediate.certificate,),
        ),
        NOW,
        {},
        "untrusted_root",
        id="known-ca-whose-root-is-not-trusted",
    ),
]


@pytest.mark.parametrize(("chain", "store", "at", "checks", "reason"), LEAF_ONLY_REFUSALS)
def test_leaf_only_chains_that_stay_refused(
    chain: Chain, store: Any, at: datetime, checks: dict[str, str], reason: str, pki: Pki
) -> None:
    with pytest.raises(CertificateError) as info:
        store(pki).validate(chain(pki), now=at, **checks)
    assert info.value.reason == reason


def test_naive_now_is_a_programming_error(pki: Pki) -> None:
    with pytest.raises(ValueError, match="timezone"):
        pki.store.validate(pki.signing.path(), now=datetime(2026, 3, 1))


def test_credential_is_frozen(pki: Pki) -> None:
    with pytest.raises(AttributeError):
        pki.signing.certificate = pki.encryption.certificate  # type: ignore[misc]
    assert isinstance(pki.signing, Credential)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_certificates_never_crash_validation(data: st.DataObject) -> None:
    """Flip one byte anywhere in the leaf's DER: either it does not parse, or validation rejects it."""
    pki = _FUZZ_PKI
    der = bytearray(pki.signing.certificate.public_bytes(serialization.Encoding.DER))
    index = data.draw(st.integers(min_value=0, max_value=len(der) - 1))
    der[index] ^= data.draw(st.integers(min_value=1, max_value=255))
    x5c = [base64.b64encode(bytes(der)).decode(), *pki.signing.x5c()[1:]]
    try:
        chain = chain_from_x5c(x5c)
    except CertificateError:
        return
    with pytest.raises(CertificateError):
        pki.store.validate(chain, now=NOW, organisation_number=SKATTEETATEN)


def _fuzz_pki() -> Pki:
    root = CertificateAuthority.create_root("Fuzz Root", now=NOW)
    intermediate = root.issue_intermediate("Fuzz CA", now=NOW)
    signing = intermediate.issue_enterprise(SKATTEETATEN, organisation_name="SKATTEETATEN", now=NOW)
    return Pki(root, intermediate, signing, signing, TrustStore((root.certificate,)))


_FUZZ_PKI = _fuzz_pki()
