"""What makes a certificate fit to be a participant's DSOP encryption certificate.

Banks encrypt every HTTP 200 body as JWE for the agency, with the key of the agency's certificate
in CertPub (DSOP “Security design”).  So the directory refuses to publish, and the client refuses to
use, a certificate that could not serve that purpose or belongs to someone else:

1. it parses (PEM, possibly followed by its intermediates; or one base64/DER certificate);
2. it is an end-entity certificate (no ``basicConstraints cA=TRUE``);
3. it is valid at ``now``;
4. its key usage allows ``keyEncipherment`` — JWE key wrapping (RSA-OAEP-256, the default of
   ``opendsop.trust.jwe``) is key encipherment;
5. its key is RSA of at least 2048 bits, because the JWE algorithm is RSA-OAEP (the DSOP security
   document that fixes alg/enc is not public, DSOP “Security design”);
6. the organisation number in the subject (virksomhetssertifikat ``serialNumber`` /
   ``organizationIdentifier``) equals the participant's;
7. its chain validates to the configured ``TrustStore`` (Buypass/Commfides in real life, the local
   test root here).  There is no "trust everything": without roots nothing passes, since a
   self-signed certificate can name any organisation and would then receive its answers.

Each failure raises ``CertificateRejected`` with a sentence naming the failed check.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from opendsop.contracts.certpub.errors import CertificateRejected
from opendsop.trust.chain import ensure_parsed
from opendsop.trust.errors import CertificateError
from opendsop.trust.pki import TrustStore, organisation_number

MIN_RSA_BITS = 2048


def parse_certificates(data: bytes | str) -> list[x509.Certificate]:
    """Certificates from a PEM bundle (leaf first), a DER blob or one base64 DER string."""
    raw = data.encode("ascii", "replace") if isinstance(data, str) else data
    try:
        if b"-----BEGIN CERTIFICATE-----" in raw:
            certificates = list(x509.load_pem_x509_certificates(raw))
        else:
            stripped = raw.strip()
            der = stripped if stripped[:1] == b"\x30" else base64.b64decode(b"".join(stripped.split()), validate=True)
            certificates = [x509.load_der_x509_certificate(der)]  # 0x30: already a DER SEQUENCE
    except (ValueError, binascii.Error) as exc:
        raise CertificateRejected(
            "the certificate could not be parsed: send one PEM certificate (optionally followed by its "
            "intermediates) or a base64 DER certificate"
        ) from exc
    for position, certificate in enumerate(certificates):
        try:  # cryptography parses extensions lazily: a duplicate or corrupt KeyUsage would raise later
            ensure_parsed(certificate, "the leaf certificate" if position == 0 else f"certificate {position + 1}")
        except CertificateError as exc:
            raise CertificateRejected(f"{exc.message}; send a well-formed certificate") from None
    return certificates


def check_encryption_certificate(
    chain: Sequence[x509.Certificate],
    *,
    orgno: str,
    now: datetime,
    trust_store: TrustStore,
) -> x509.Certificate:
    """Apply the checks of the module docstring to ``chain`` (leaf first); return the leaf."""
    if not chain:
        raise CertificateRejected("no certificate was given")
    leaf = chain[0]
    try:
        constraints = leaf.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is not None and constraints.ca:
        raise CertificateRejected("the certificate is a CA certificate, not a participant's certificate")
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise CertificateRejected(
            f"the certificate is not valid at {now.isoformat()} (valid from "
            f"{leaf.not_valid_before_utc.isoformat()} to {leaf.not_valid_after_utc.isoformat()})"
        )
    try:
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound as exc:
        raise CertificateRejected("the certificate has no key usage; keyEncipherment is required") from exc
    if not usage.key_encipherment:
        raise CertificateRejected(
            "the certificate's key usage does not allow keyEncipherment; publish the encryption "
            "certificate, not the signing certificate"
        )
    key = leaf.public_key()
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_RSA_BITS:
        raise CertificateRejected(
            f"the certificate must hold an RSA key of at least {MIN_RSA_BITS} bits (JWE RSA-OAEP-256)"
        )
    found = organisation_number(leaf)
    if found != orgno:
        raise CertificateRejected(
            f"the certificate belongs to organisation number {found or '(none)'}, not to the participant {orgno}"
        )
    try:
        trust_store.validate(list(chain), now=now, organisation_number=orgno, purpose="encryption")
    except CertificateError as exc:
        raise CertificateRejected(f"the certificate chain is not trusted: {exc}") from exc
    return leaf


__all__ = ["MIN_RSA_BITS", "check_encryption_certificate", "parse_certificates"]
