"""A small local test PKI: root CA → intermediate CA → enterprise certificates (DSOP “Security design”).

Decisions:
- Test PKI only. Enterprise certificates ("virksomhetssertifikat") carry the
  organisation number as Buypass and Commfides do: subject ``serialNumber`` and,
  like newer certificates, ``organizationIdentifier`` = ``NTRNO-<orgno>``.
- Keys default to RSA 2048; a certificate never outlives its issuer.
- Chain validation and subject reading live in :mod:`opendsop.trust.chain`
  and are re-exported here, so ``from opendsop.trust.pki import TrustStore``
  is the one import callers need.
"""

from __future__ import annotations

import base64
import binascii
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID
from joserfc.jwk import ECKey, RSAKey

from opendsop.trust.chain import (
    MAX_CHAIN_LENGTH,
    NTR_PREFIX,
    ORGANIZATION_IDENTIFIER,
    ORGNO,
    TrustStore,
    ensure_parsed,
    organisation_number,
    subject_value,
)
from opendsop.trust.errors import CertificateError
from opendsop.trust.keys import as_jwk, generate_ec_key, generate_rsa_key

__all__ = [
    "CertificateAuthority",
    "Credential",
    "TrustStore",
    "certificate_from_pem",
    "certificate_pem",
    "chain_from_x5c",
    "organisation_number",
    "subject_value",
]

_PURPOSES = ("signing", "encryption")
_TEST_PKI_ORGANISATION = "opendsop test PKI"


# -- small helpers ---------------------------------------------------------------


def certificate_pem(cert: x509.Certificate) -> bytes:
    """The certificate as PEM."""
    return cert.public_bytes(serialization.Encoding.PEM)


def certificate_from_pem(pem: bytes) -> x509.Certificate:
    """Load one PEM certificate; :class:`CertificateError` on garbage."""
    if isinstance(pem, str):
        pem = pem.encode("ascii", "replace")
    if not isinstance(pem, (bytes, bytearray)):
        raise CertificateError("PEM must be bytes", reason="malformed")
    return _load_strict(x509.load_pem_x509_certificate, bytes(pem), "PEM certificate")


def _load_strict(loader: Callable[[bytes], x509.Certificate], data: bytes, what: str) -> x509.Certificate:
    """Load and fully parse one certificate; anything RFC 5280 forbids is a ``CertificateError``."""
    with warnings.catch_warnings(record=True) as caught:
        # cryptography only *warns* about some violations (e.g. a negative serial number).
        warnings.simplefilter("always", CryptographyDeprecationWarning)
        try:
            cert = loader(data)
        except Exception as exc:  # noqa: BLE001 - hostile input: ValueError, InvalidVersion, ...
            raise CertificateError(f"{what} is not a valid certificate: {exc}", reason="malformed") from exc
    if any(issubclass(w.category, CryptographyDeprecationWarning) for w in caught):
        raise CertificateError(f"{what} violates RFC 5280: {caught[0].message}", reason="malformed")
    ensure_parsed(cert, what)
    return cert


def chain_from_x5c(x5c: Sequence[str]) -> list[x509.Certificate]:
    """Decode a JWS/JWK ``x5c`` array (standard base64 DER, leaf first) to certificates."""
    if isinstance(x5c, (str, bytes)) or not isinstance(x5c, Sequence) or not x5c:
        raise CertificateError("x5c must be a non-empty array of base64 DER certificates", reason="malformed")
    if len(x5c) > MAX_CHAIN_LENGTH:
        raise CertificateError(f"x5c holds more than {MAX_CHAIN_LENGTH} certificates", reason="chain_too_long")
    certs = []
    for index, item in enumerate(x5c):
        if not isinstance(item, str):
            raise CertificateError(f"x5c[{index}] is not a string", reason="malformed")
        try:
            der = base64.b64decode(item, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CertificateError(f"x5c[{index}] is not base64", reason="malformed") from exc
        certs.append(_load_strict(x509.load_der_x509_certificate, der, f"x5c[{index}]"))
    return certs


def _x5c_entry(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")


def _utc_second(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.replace(microsecond=0)


def _native_private(key: Any) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    jwk = as_jwk(key)
    native = getattr(jwk, "private_key", None)
    if not isinstance(native, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise ValueError("a certificate key must be an RSA or EC private key")
    return native


# -- issuing ---------------------------------------------------------------------


@dataclass(frozen=True)
class Credential:
    """A private key, its certificate and the issuing chain (intermediates; root and leaf excluded)."""

    private_key: RSAKey | ECKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    def x5c(self) -> list[str]:
        """Base64 DER certificates, leaf first, then the chain (JWS ``x5c``)."""
        return [_x5c_entry(self.certificate), *(_x5c_entry(c) for c in self.chain)]

    def path(self) -> list[x509.Certificate]:
        """Leaf first, then the chain: what :meth:`TrustStore.validate` takes."""
        return [self.certificate, *self.chain]


@dataclass(frozen=True)
class CertificateAuthority:
    """A test CA: its key, certificate and the intermediates above it (root excluded)."""

    certificate: x509.Certificate
    private_key: RSAKey | ECKey
    chain: tuple[x509.Certificate, ...] = field(default=())

    @property
    def is_root(self) -> bool:
        return self.certificate.issuer == self.certificate.subject

    @property
    def credential(self) -> Credential:
        return Credential(self.private_key, self.certificate, self.chain)

    @classmethod
    def create_root(cls, common_name: str, *, now: datetime, days: int = 3650, key: Any = None) -> CertificateAuthority:
        """A self-signed root CA valid from ``now`` for ``days`` days."""
        start = _utc_second(now)
        jwk = as_jwk(key) if key is not None else generate_rsa_key()
        native = _native_private(jwk)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, _TEST_PKI_ORGANISATION),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(native.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_ca_key_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(native.public_key()), critical=False)
        )
        cert = builder.sign(native, hashes.SHA256())
        return cls(certificate=cert, private_key=jwk)  # type: ignore[arg-type]

    def _issue(
        self,
        subject: x509.Name,
        public_key: Any,
        *,
        now: datetime,
        days: int,
        extensions: list[tuple[x509.ExtensionType, bool]],
    ) -> x509.Certificate:
        start = _utc_second(now)
        # A certificate never outlives its issuer.
        end = min(start + timedelta(days=days), self.certificate.not_valid_after_utc)
        issuer_key = _native_private(self.private_key)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(issuer_key, hashes.SHA256())

    def _chain_below(self) -> tuple[x509.Certificate, ...]:
        return self.chain if self.is_root else (self.certificate, *self.chain)

    def issue_intermediate(
        self, common_name: str, *, now: datetime, days: int = 1825, key: Any = None
    ) -> CertificateAuthority:
        """An intermediate CA (``pathLen=0``) signed by this CA."""
        jwk = as_jwk(key) if key is not None else generate_rsa_key()
        native = _native_private(jwk)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, _TEST_PKI_ORGANISATION),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )
        cert = self._issue(
            subject,
            native.public_key(),
            now=now,
            days=days,
            extensions=[(x509.BasicConstraints(ca=True, path_length=0), True), (_ca_key_usage(), True)],
        )
        return CertificateAuthority(certificate=cert, private_key=jwk, chain=self._chain_below())  # type: ignore[arg-type]

    def issue_enterprise(
        self,
        organisation_number: str,
        *,
        organisation_name: str,
        now: datetime,
        common_name: str | None = None,
        organisational_unit: str | None = None,
        days: int = 730,
        key: Any = None,
        purpose: str = "signing",
    ) -> Credential:
        """A virksomhetssertifikat for ``organisation_number`` (9 digits).

        Subject: C=NO, O=<name>, optional OU, CN (default: the name),
        serialNumber=<orgno>, organizationIdentifier=NTRNO-<orgno>. ``purpose``
        "signing" gives keyUsage digitalSignature + nonRepudiation,
        "encryption" gives keyEncipherment + dataEncipherment.
        """
        if not isinstance(organisation_number, str) or not ORGNO.fullmatch(organisation_number):
            raise ValueError(f"organisation_number must be 9 digits, got {organisation_number!r}")
        if purpose not in _PURPOSES:
            raise ValueError(f"purpose must be one of {', '.join(_PURPOSES)}, got {purpose!r}")
        jwk = as_jwk(key) if key is not None else generate_rsa_key()
        native = _native_private(jwk)
        attributes = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation_name),
        ]
        if organisational_unit is not None:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, organisational_unit))
        attributes += [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name or organisation_name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, organisation_number),
            x509.NameAttribute(ORGANIZATION_IDENTIFIER, NTR_PREFIX + organisation_number),
        ]
        cert = self._issue(
            x509.Name(attributes),
            native.public_key(),
            now=now,
            days=days,
            extensions=[(x509.BasicConstraints(ca=False, path_length=None), True), (_leaf_key_usage(purpose), True)],
        )
        return Credential(private_key=jwk, certificate=cert, chain=self._chain_below())  # type: ignore[arg-type]

    def issue_person(
        self, identifier: str, *, name: str, now: datetime, days: int = 730, key: Any = None
    ) -> Credential:
        """A personal signing certificate (a BankID stand-in) for the fødselsnummer ``identifier`` (11 digits).

        Subject: C=NO, CN=<name>, serialNumber=<identifier>; keyUsage digitalSignature + nonRepudiation.
        Real BankID certificates carry a PID, not the fødselsnummer; the stand-in's registers check
        signers by fødselsnummer, so it is the serial number here (docs/decisions.md, DSVE).
        """
        if not isinstance(identifier, str) or len(identifier) != 11 or not identifier.isdigit():
            raise ValueError("identifier must be an 11-digit fødselsnummer")
        jwk = as_jwk(key) if key is not None else generate_ec_key()
        native = _native_private(jwk)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
                x509.NameAttribute(NameOID.COMMON_NAME, name),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, identifier),
            ]
        )
        cert = self._issue(
            subject,
            native.public_key(),
            now=now,
            days=days,
            extensions=[(x509.BasicConstraints(ca=False, path_length=None), True), (_leaf_key_usage("signing"), True)],
        )
        return Credential(private_key=jwk, certificate=cert, chain=self._chain_below())  # type: ignore[arg-type]


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _leaf_key_usage(purpose: str) -> x509.KeyUsage:
    signing = purpose == "signing"
    return x509.KeyUsage(
        digital_signature=signing, content_commitment=signing, key_encipherment=not signing,
        data_encipherment=not signing, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
