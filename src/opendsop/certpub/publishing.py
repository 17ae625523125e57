"""The row CertPub stores for an uploaded certificate, once it passed every check of ``contracts.certpub.checks``."""

from __future__ import annotations

import hashlib
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from opendsop.certpub.store import PublishedCertificate
from opendsop.contracts.certpub.checks import check_encryption_certificate, parse_certificates
from opendsop.contracts.certpub.identifiers import ParticipantId, ProcessId
from opendsop.trust.pki import TrustStore


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def publishable(
    data: bytes | str,
    *,
    participant: ParticipantId,
    process: ProcessId,
    now: datetime,
    trust_store: TrustStore,
) -> PublishedCertificate:
    """The row to store for an uploaded PEM bundle, after every check above."""
    chain = parse_certificates(data)
    leaf = check_encryption_certificate(chain, orgno=participant.orgno, now=now, trust_store=trust_store)
    return PublishedCertificate(
        orgno=participant.orgno,
        process=str(process),
        certificate_pem=_pem(leaf),
        chain_pem="".join(_pem(cert) for cert in chain[1:]),
        fingerprint=hashlib.sha256(leaf.public_bytes(serialization.Encoding.DER)).hexdigest(),
        not_after=leaf.not_valid_after_utc,
        published_at=now,
    )


__all__ = ["publishable"]
