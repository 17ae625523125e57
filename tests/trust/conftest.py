"""Shared keys and a test PKI for the trust tests (generated once per session: RSA keygen is slow)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from joserfc.jwk import ECKey, RSAKey

from opendsop.trust.keys import generate_ec_key, generate_rsa_key
from opendsop.trust.pki import CertificateAuthority, Credential, TrustStore

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
SKATTEETATEN = "974761076"


@pytest.fixture(scope="session")
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def rsa_key() -> RSAKey:
    return generate_rsa_key(kid="rsa-1")


@pytest.fixture(scope="session")
def other_rsa_key() -> RSAKey:
    return generate_rsa_key(kid="rsa-2")


@pytest.fixture(scope="session")
def ec_key() -> ECKey:
    return generate_ec_key(kid="ec-1")


@dataclass(frozen=True)
class Pki:
    root: CertificateAuthority
    intermediate: CertificateAuthority
    signing: Credential  # Skatteetaten, OU "DSOP", signing purpose
    encryption: Credential  # Skatteetaten, encryption purpose
    store: TrustStore


@pytest.fixture(scope="session")
def pki() -> Pki:
    root = CertificateAuthority.create_root("opendsop Test Root CA", now=NOW)
    intermediate = root.issue_intermediate("opendsop Test Issuing CA", now=NOW)
    signing = intermediate.issue_enterprise(
        SKATTEETATEN, organisation_name="SKATTEETATEN", organisational_unit="DSOP", now=NOW
    )
    encryption = intermediate.issue_enterprise(
        SKATTEETATEN, organisation_name="SKATTEETATEN", now=NOW, purpose="encryption"
    )
    return Pki(root, intermediate, signing, encryption, TrustStore((root.certificate,)))
