"""A swapped certificate: what a directory that was tampered with (or the path to it) would serve."""

from __future__ import annotations

from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from opendsop.trust.pki import Credential


def swapped(credential: Credential, *, now: datetime) -> x509.Certificate:
    """Self-signed, with ``credential``'s subject (the same organisation number) and encryption key usage,
    but a key of its own: every check but the chain to a trusted root passes."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = credential.certificate.subject
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
