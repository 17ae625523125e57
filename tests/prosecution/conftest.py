"""Fixtures of the prosecution tests: a local test PKI and the fields of one order.

Times: the order is approved at APPROVED and checked at NOW, one day later.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from opendsop.prosecution.keystore import SigningKey, create_signing_credential, default_kid
from opendsop.prosecution.orders import ORGANISATIONAL_UNIT
from opendsop.trust.pki import CertificateAuthority, Credential, TrustStore

ISSUED = datetime(2025, 6, 1, tzinfo=UTC)
APPROVED = datetime(2026, 1, 14, 9, 30, tzinfo=UTC)
NOW = APPROVED + timedelta(days=1)
ORDER_ID = uuid.UUID("3f0c2f9e-8a51-4f5e-9d43-0b7a2d1e6c11")
CASE_ID = "9b2e7c1a-4d3f-4e8b-a6c5-1f0d2e3b4a59"

# What the police fill in (DSOP Politi “Utleveringspålegg”), without the fields the service sets.
FIELDS: dict[str, Any] = {
    "partyID": "15108695088",
    "mandate": "Straffeprosessloven §210 (3) første punktum",
    "fromDate": "2020-01-01",
    "toDate": "2026-01-14",
    "onlyPrimaryOwner": True,
    "accountDetails": True,
    "transactions": True,
    "cards": False,
    "roles": False,
    "district": {"districtID": "1", "districtLabel": "Oslo politidistrikt"},
    "approval": {"approvedByID": "pa-4711", "approvedByName": "Kari Nordmann", "approvedByRole": "Politiadvokat"},
    "caseID": CASE_ID,
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def root_ca() -> CertificateAuthority:
    return CertificateAuthority.create_root("opendsop test root (Buypass stand-in)", now=ISSUED)


@pytest.fixture(scope="session")
def issuing_ca(root_ca: CertificateAuthority) -> CertificateAuthority:
    return root_ca.issue_intermediate("opendsop test enterprise CA", now=ISSUED)


@pytest.fixture(scope="session")
def trust_store(root_ca: CertificateAuthority) -> TrustStore:
    return TrustStore(roots=(root_ca.certificate,))


@pytest.fixture(scope="session")
def test_key(issuing_ca: CertificateAuthority, root_ca: CertificateAuthority) -> SigningKey:
    credential = create_signing_credential(issuing_ca, now=ISSUED, environment="test")
    return SigningKey(kid=default_kid(credential), credential=credential, root=root_ca.certificate)


@pytest.fixture(scope="session")
def production_key(issuing_ca: CertificateAuthority, root_ca: CertificateAuthority) -> SigningKey:
    credential = create_signing_credential(issuing_ca, now=ISSUED, environment="production")
    return SigningKey(kid=default_kid(credential), credential=credential, root=root_ca.certificate)


def politi_credential(
    ca: CertificateAuthority,
    *,
    common_name: str,
    organisational_unit: str | None = ORGANISATIONAL_UNIT,
    purpose: str = "signing",
) -> Credential:
    return ca.issue_enterprise(
        "915429785",
        organisation_name="POLITIET",
        now=ISSUED,
        common_name=common_name,
        organisational_unit=organisational_unit,
        purpose=purpose,
    )
