"""A bank encrypts only to an agency certificate that chains to its trust roots (CertPub answers are checked)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pydantic import SecretStr

from opendsop.audit.log import MemoryAuditLog
from opendsop.certpub.app import create_app as certpub_app
from opendsop.certpub.settings import CertPubSettings
from opendsop.certpub.store import MemoryCertificateStore, PublishedCertificate
from opendsop.contracts.certpub.client import CertPubClient, load_trust
from opendsop.contracts.certpub.identifiers import DSOP_PROCESS
from opendsop.provider.app import create_app
from opendsop.provider.ports import RegisterFacts
from opendsop.trust.pki import Credential, certificate_pem
from tests.certpub.forgery import swapped
from tests.provider import bank as seed
from tests.provider.harness import Bank, Pki, registers, seeded_store, settings

pytestmark = pytest.mark.anyio

CERTPUB = "https://certpub.test"


def trust_files(pki: Pki, directory: Path) -> tuple[Path, Path]:
    """What the bank's operator installs: the root, and the issuing CA that CertPub does not serve."""
    root, issuing = directory / "root.pem", directory / "issuing.pem"
    root.write_bytes(certificate_pem(pki.trust_store.roots[0]))
    issuing.write_bytes(certificate_pem(pki.encryption[seed.NAV.orgno].chain[0]))
    return root, issuing


async def directory_serving(certificate: x509.Certificate) -> httpx.AsyncClient:
    """A CertPub whose database holds ``certificate`` for NAV, however it got there (a tampered row)."""
    store = MemoryCertificateStore()
    der = certificate.public_bytes(serialization.Encoding.DER)
    await store.put(
        PublishedCertificate(
            orgno=seed.NAV.orgno,
            process=DSOP_PROCESS,
            certificate_pem=certificate_pem(certificate).decode(),
            chain_pem="",
            fingerprint=hashlib.sha256(der).hexdigest(),
            not_after=certificate.not_valid_after_utc,
            published_at=seed.NOW,
        )
    )
    app = certpub_app(CertPubSettings(public_url=CERTPUB, admin_token=SecretStr("t")), store=store)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=CERTPUB)


@pytest.mark.parametrize(
    ("served", "trusted"),
    [
        pytest.param(lambda credential: credential.certificate, True, id="the-agencys-own-certificate"),
        pytest.param(lambda credential: swapped(credential, now=seed.NOW), False, id="a-swapped-self-signed-one"),
    ],
)
async def test_the_bank_encrypts_only_to_a_certificate_chained_to_its_roots(
    pki: Pki,
    token_issuer: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    served: Callable[[Credential], x509.Certificate],
    trusted: bool,
) -> None:
    trust_store, intermediates = load_trust(trust_files(pki, tmp_path))
    async with await directory_serving(served(pki.encryption[seed.NAV.orgno])) as http:
        certificates = CertPubClient(
            CERTPUB, http=http, clock=lambda: seed.NOW, trust_store=trust_store, intermediates=intermediates
        )
        app = create_app(
            settings(),
            clock=lambda: seed.NOW,
            store=await seeded_store(),
            audit=MemoryAuditLog(),
            tokens=token_issuer.verifier(seed.BASE_URL, (seed.SCOPE,), clock=lambda: seed.NOW),
            facts=RegisterFacts(registers()),
            certificates=certificates,
        )
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://bank.test") as client:
            bank = Bank(
                client=client, app=app, audit=MemoryAuditLog(), registers=registers(), pki=pki, issuer=token_issuer
            )
            with caplog.at_level(logging.WARNING, logger="opendsop.contracts.certpub.client"):
                response = await bank.accounts(seed.NAV, seed.ANNE, accept="application/jose")
    records = [record for record in caplog.records if record.name == "opendsop.contracts.certpub.client"]
    if trusted:
        assert (response.status_code, response.headers["content-type"]) == (200, "application/jose")
        assert "accounts" in bank.decrypt(response, pki.encryption[seed.NAV.orgno])
        assert records == []
        return
    assert (response.status_code, response.json()["code"]) == (503, "ACC-100")  # an error, never ciphertext
    assert "chain is not trusted" in response.json()["message"]
    assert [record.getMessage().split(":")[0] for record in records] == [
        "not encrypting to the CertPub certificate of 0192"
    ]


async def test_a_bank_without_certpub_trust_roots_does_not_start(pki: Pki, token_issuer: Any) -> None:
    with pytest.raises(ValueError, match="DSOP_PROVIDER_CERTPUB_TRUST_ROOTS is not set"):
        create_app(
            settings(),
            clock=lambda: seed.NOW,
            store=await seeded_store(),
            audit=MemoryAuditLog(),
            tokens=token_issuer.verifier(seed.BASE_URL, (seed.SCOPE,), clock=lambda: seed.NOW),
            facts=RegisterFacts(registers()),
        )


async def test_the_configured_trust_roots_reach_the_banks_certpub_client(
    pki: Pki, token_issuer: Any, tmp_path: Path
) -> None:
    root, issuing = trust_files(pki, tmp_path)
    app = create_app(
        settings(certpub_url=CERTPUB, certpub_trust_roots=(root, issuing)),
        clock=lambda: seed.NOW,
        store=await seeded_store(),
        audit=MemoryAuditLog(),
        tokens=token_issuer.verifier(seed.BASE_URL, (seed.SCOPE,), clock=lambda: seed.NOW),
        facts=RegisterFacts(registers()),
    )
    [startup], [shutdown] = app.on_startup, app.on_shutdown
    await startup(app)  # type: ignore[call-arg]
    try:
        client = app.state["provider"].certificates
        assert isinstance(client, CertPubClient)
        assert client._trust_store.roots == pki.trust_store.roots  # noqa: SLF001 - what the bank checks against
    finally:
        await shutdown()  # type: ignore[call-arg]


def test_dsop_provider_serve_names_the_missing_trust_roots(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from opendsop import server
    from opendsop.provider.cli import app

    served: list[Any] = []
    monkeypatch.setattr(server, "run", lambda *args, **kwargs: served.append(args))
    monkeypatch.delenv("DSOP_PROVIDER_CERTPUB_TRUST_ROOTS", raising=False)
    result = CliRunner().invoke(app, ["serve", "--bank", "910000001"])
    assert (result.exit_code, served) == (1, [])
    assert "DSOP_PROVIDER_CERTPUB_TRUST_ROOTS is not set" in result.output
