"""Certificate-chain validation and subject reading (DSOP “Security design”; DSOP Politi “Løsningsbeskrivelse”).

Decisions:
- Chains arrive leaf-first (JWS ``x5c``, CertPub), so validation walks the
  given order; no path building. Each link's signature
  (``verify_directly_issued_by``), each certificate's validity at ``now`` (a
  parameter, never the clock), the CA flag and ``keyCertSign`` on every
  issuer, and path-length limits are checked; then the leaf's subject.
- Norwegian enterprise certificates (Buypass, Commfides) carry the
  organisation number in subject ``serialNumber`` and, in newer ones, in
  ``organizationIdentifier`` as ``NTRNO-<orgno>``; :func:`organisation_number`
  reads either and refuses to guess when they disagree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.x509.oid import NameOID

from opendsop.trust.errors import CertificateError

__all__ = [
    "MAX_CHAIN_LENGTH",
    "ORGANIZATION_IDENTIFIER",
    "TrustStore",
    "ensure_parsed",
    "organisation_number",
    "subject_value",
]

ORGANIZATION_IDENTIFIER = x509.ObjectIdentifier("2.5.4.97")  # ETSI EN 319 412-1
_ATTRIBUTES: dict[str, x509.ObjectIdentifier] = {
    "CN": NameOID.COMMON_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "C": NameOID.COUNTRY_NAME,
    "serialNumber": NameOID.SERIAL_NUMBER,
    "organizationIdentifier": ORGANIZATION_IDENTIFIER,
}
ORGNO = re.compile(r"[0-9]{9}")
NTR_PREFIX = "NTRNO-"
MAX_CHAIN_LENGTH = 8


def subject_value(cert: x509.Certificate, attribute: str) -> str | None:
    """The first subject value of ``attribute`` ("CN", "OU", "O", "C", "serialNumber", "organizationIdentifier")."""
    oid = _ATTRIBUTES.get(attribute)
    if oid is None:
        raise ValueError(f"unknown subject attribute {attribute!r}; use one of {', '.join(_ATTRIBUTES)}")
    values = cert.subject.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def organisation_number(cert: x509.Certificate) -> str | None:
    """The Norwegian organisation number in the subject, or ``None``.

    Read from ``serialNumber`` (9 digits) and ``organizationIdentifier``
    (``NTRNO-<9 digits>``); when both are present and differ, the answer is
    ambiguous and ``None`` is returned.
    """
    found: set[str] = set()
    serial = subject_value(cert, "serialNumber")
    if serial is not None and ORGNO.fullmatch(serial.strip()):
        found.add(serial.strip())
    identifier = subject_value(cert, "organizationIdentifier")
    if identifier is not None and identifier.startswith(NTR_PREFIX):
        number = identifier[len(NTR_PREFIX) :].strip()
        if ORGNO.fullmatch(number):
            found.add(number)
    return found.pop() if len(found) == 1 else None


def ensure_parsed(cert: x509.Certificate, what: str = "certificate") -> None:
    """Parse the fields validation reads; cryptography parses some lazily and raises ``ValueError`` late."""
    try:
        _ = (cert.version, cert.subject, cert.issuer, cert.extensions, cert.not_valid_before_utc)
        _ = (cert.not_valid_after_utc, cert.signature_algorithm_oid, cert.subject.rfc4514_string())
    except Exception as exc:  # noqa: BLE001 - hostile DER: ValueError, InvalidVersion, DuplicateExtension, ...
        raise CertificateError(f"{what} cannot be parsed: {exc}", reason="malformed") from exc


def _extension(cert: x509.Certificate, ext_type: type[Any]) -> Any:
    try:
        return cert.extensions.get_extension_for_class(ext_type).value
    except x509.ExtensionNotFound:
        return None
    except ValueError as exc:  # duplicate or unparsable extensions
        raise CertificateError(f"certificate {_describe(cert)} has malformed extensions", reason="malformed") from exc


def _describe(cert: x509.Certificate) -> str:
    try:
        return repr(cert.subject.rfc4514_string())
    except ValueError:  # pragma: no cover - unparsable subject
        return "<unreadable subject>"


def _check_validity(cert: x509.Certificate, now: datetime, role: str) -> None:
    if now < cert.not_valid_before_utc:
        raise CertificateError(f"{role} certificate {_describe(cert)} is not valid yet", reason="not_yet_valid")
    if now > cert.not_valid_after_utc:
        raise CertificateError(f"{role} certificate {_describe(cert)} has expired", reason="expired")


def _check_issuer(issuer: x509.Certificate, subject: x509.Certificate, cas_below: int) -> None:
    """``issuer`` must be a CA allowed to sign certificates, and must have signed ``subject``."""
    constraints = _extension(issuer, x509.BasicConstraints)
    if constraints is None or not constraints.ca:
        raise CertificateError(
            f"issuer {_describe(issuer)} is not a CA (basicConstraints cA is not set)", reason="issuer_not_ca"
        )
    if constraints.path_length is not None and cas_below > constraints.path_length:
        raise CertificateError(f"issuer {_describe(issuer)} path length limit exceeded", reason="path_length")
    usage = _extension(issuer, x509.KeyUsage)
    if usage is not None and not usage.key_cert_sign:
        raise CertificateError(
            f"issuer {_describe(issuer)} may not sign certificates (keyUsage)", reason="issuer_not_ca"
        )
    if subject.issuer != issuer.subject:
        raise CertificateError(
            f"certificate {_describe(subject)} was not issued by {_describe(issuer)}", reason="issuer_mismatch"
        )
    try:
        subject.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise CertificateError(
            f"signature on {_describe(subject)} does not verify with {_describe(issuer)}", reason="bad_signature"
        ) from exc


def _signed_by(subject: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        subject.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


_USAGE_FOR_PURPOSE = {
    "signing": ("digital_signature", "content_commitment"),
    "encryption": ("key_encipherment", "key_agreement"),
}


@dataclass(frozen=True)
class TrustStore:
    """The root certificates we trust; validates leaf-first chains against them.

    ``intermediates`` are issuing CAs we know (as Maskinporten knows Buypass's and Commfides'): a
    chain that stops short of a root — an ``x5c`` holding the leaf only — is completed with them,
    each link checked like any other.  Knowing an intermediate never makes it a trust anchor.
    """

    roots: tuple[x509.Certificate, ...]
    intermediates: tuple[x509.Certificate, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "roots", tuple(self.roots))
        object.__setattr__(self, "intermediates", tuple(self.intermediates))

    def validate(
        self,
        leaf_and_chain: Sequence[x509.Certificate],
        *,
        now: datetime,
        organisation_number: str | None = None,
        common_name: str | None = None,
        organisational_unit: str | None = None,
        purpose: str | None = None,
    ) -> x509.Certificate:
        """Validate leaf → intermediates → one of :attr:`roots` at ``now``, then the leaf's subject.

        ``purpose`` ("signing" / "encryption"), if given, requires a fitting
        keyUsage on the leaf. Returns the leaf; raises :class:`CertificateError`.
        """
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("now must be timezone-aware")
        path = list(leaf_and_chain)
        if not path or not all(isinstance(c, x509.Certificate) for c in path):
            raise CertificateError("the chain must be a non-empty list of certificates", reason="malformed")
        if len(path) > MAX_CHAIN_LENGTH:
            raise CertificateError(f"the chain is longer than {MAX_CHAIN_LENGTH}", reason="chain_too_long")
        for index, cert in enumerate(path):
            ensure_parsed(cert, "leaf" if index == 0 else f"chain[{index}]")
        if len(path) > 1 and path[-1] in self.roots:
            path.pop()  # a trailing copy of the trust anchor adds nothing
        self._complete(path)
        leaf = path[0]
        leaf_constraints = _extension(leaf, x509.BasicConstraints)
        if leaf_constraints is not None and leaf_constraints.ca:
            raise CertificateError(f"leaf {_describe(leaf)} is a CA certificate", reason="leaf_is_ca")
        for index, cert in enumerate(path):
            _check_validity(cert, now, "leaf" if index == 0 else "intermediate")
        for index in range(len(path) - 1):
            _check_issuer(path[index + 1], path[index], cas_below=index)
        self._check_anchor(path[-1], now, cas_below=len(path) - 1)
        if purpose is not None:
            _check_purpose(leaf, purpose)
        _check_subject(leaf, organisation_number, common_name, organisational_unit)
        return leaf

    def _complete(self, path: list[x509.Certificate]) -> None:
        """Append known intermediates until the top of ``path`` names a root as its issuer."""
        root_subjects = {root.subject for root in self.roots}
        while path[-1].issuer not in root_subjects and len(path) < MAX_CHAIN_LENGTH:
            issuer = next(
                (
                    ca
                    for ca in self.intermediates
                    if ca.subject == path[-1].issuer and ca not in path and _signed_by(path[-1], ca)
                ),
                None,
            )
            if issuer is None:
                return  # validation then says which link is missing
            path.append(issuer)

    def _check_anchor(self, top: x509.Certificate, now: datetime, cas_below: int) -> None:
        candidates = [root for root in self.roots if root.subject == top.issuer]
        if not candidates:
            raise CertificateError(
                f"certificate {_describe(top)} is not issued by a trusted root", reason="untrusted_root"
            )
        last_error: CertificateError | None = None
        for root in candidates:
            try:
                _check_issuer(root, top, cas_below)
                _check_validity(root, now, "root")
                return
            except CertificateError as exc:
                last_error = exc
        assert last_error is not None
        if last_error.reason in ("bad_signature", "issuer_mismatch"):
            raise CertificateError(
                f"certificate {_describe(top)} is not issued by a trusted root", reason="untrusted_root"
            ) from last_error
        raise last_error


def _check_purpose(leaf: x509.Certificate, purpose: str) -> None:
    if purpose not in _USAGE_FOR_PURPOSE:
        raise ValueError(f"purpose must be one of {', '.join(_USAGE_FOR_PURPOSE)}, got {purpose!r}")
    usage = _extension(leaf, x509.KeyUsage)
    if usage is None:
        return  # no keyUsage extension means no restriction (RFC 5280 §4.2.1.3)
    if not any(getattr(usage, flag) for flag in _USAGE_FOR_PURPOSE[purpose]):
        raise CertificateError(
            f"leaf {_describe(leaf)} is not a {purpose} certificate (keyUsage)", reason="wrong_key_usage"
        )


def _check_subject(
    leaf: x509.Certificate, orgno: str | None, common_name: str | None, organisational_unit: str | None
) -> None:
    if orgno is not None:
        actual = organisation_number(leaf)
        if actual != orgno:
            raise CertificateError(
                f"certificate belongs to organisation {actual or 'unknown'}, expected {orgno}",
                reason="wrong_organisation",
            )
    if common_name is not None and subject_value(leaf, "CN") != common_name:
        raise CertificateError(
            f"certificate CN is {subject_value(leaf, 'CN')!r}, expected {common_name!r}", reason="wrong_common_name"
        )
    if organisational_unit is not None:
        units = [a.value for a in leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)]
        if organisational_unit not in units:
            raise CertificateError(
                f"certificate OU is {units or None}, expected {organisational_unit!r}",
                reason="wrong_organisational_unit",
            )
