"""Fixtures of the CertPub tests: a small test PKI and a directory app at a fixed time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pydantic import SecretStr

from opendsop.certpub.app import create_app
from opendsop.certpub.settings import CertPubSettings
from opendsop.certpub.store import MemoryCertificateStore
from opendsop.trust.pki import CertificateAuthority, Credential, TrustStore

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
ISSUED = datetime(2025, 6, 1, tzinfo=UTC)
TOKEN = "s3cret-admin-token"
BASE_URL = "http://testserver.local"
DIGDIR = "991825827"
NAV = "889640782"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


ROOT_CA = CertificateAuthority.create_root("opendsop test root", now=ISSUED)
ISSUING_CA = ROOT_CA.issue_intermediate("opendsop test enterprise CA", now=ISSUED)
# What a bank configures (and the directory, its roots): the test root and the CA under it.
TRUST_STORE = TrustStore(roots=(ROOT_CA.certificate,))
TRUST = {"trust_store": TRUST_STORE, "intermediates": (ISSUING_CA.certificate,)}


@pytest.fixture(scope="session")
def root_ca() -> CertificateAuthority:
    return ROOT_CA


@pytest.fixture(scope="session")
def issuing_ca() -> CertificateAuthority:
    return ISSUING_CA


@pytest.fixture(scope="session")
def digdir_encryption(issuing_ca: CertificateAuthority) -> Credential:
    return issuing_ca.issue_enterprise(
        DIGDIR, organisation_name="DIGITALISERINGSDIREKTORATET TEST", now=ISSUED, purpose="encryption"
    )


@pytest.fixture(scope="session")
def nav_encryption(issuing_ca: CertificateAuthority) -> Credential:
    return issuing_ca.issue_enterprise(NAV, organisation_name="NAV TEST", now=ISSUED, purpose="encryption")


@pytest.fixture
def settings() -> CertPubSettings:
    return CertPubSettings(public_url=BASE_URL, admin_token=SecretStr(TOKEN))


@pytest.fixture
async def directory(settings: CertPubSettings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """An in-memory directory at ``NOW``."""
    app = create_app(settings, store=MemoryCertificateStore(), clock=lambda: NOW, trust_store=TRUST_STORE)
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        yield client
