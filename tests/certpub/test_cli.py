"""``dsop certpub publish --direct`` seeds the directory's database with the same checks as PUT."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from opendsop.certpub.cli import app
from opendsop.certpub.store import PublishedCertificate, SqlCertificateStore
from opendsop.contracts.certpub.identifiers import DSOP_PROCESS
from opendsop.trust.pki import CertificateAuthority, Credential, certificate_pem

from .conftest import DIGDIR, ISSUED, NAV, ROOT_CA


def _stored(url: str, orgno: str) -> PublishedCertificate | None:
    async def read() -> PublishedCertificate | None:
        store = SqlCertificateStore(create_async_engine(url))
        try:
            await store.create_schema()
            return await store.get(orgno, DSOP_PROCESS)
        finally:
            await store.close()

    return asyncio.run(read())


def _env(tmp_path: Path, url: str, root: CertificateAuthority | None = ROOT_CA) -> dict[str, str]:
    if root is None:
        return {"DSOP_CERTPUB_DATABASE_URL": url}
    (tmp_path / "root.pem").write_bytes(certificate_pem(root.certificate))
    return {"DSOP_CERTPUB_DATABASE_URL": url, "DSOP_CERTPUB_TRUST_ROOTS": json.dumps([str(tmp_path / "root.pem")])}


def test_publish_direct_stores_a_fit_certificate(tmp_path: Path, digdir_encryption: Credential) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'certpub.db'}"
    pem = tmp_path / "digdir.pem"
    pem.write_bytes(b"".join(certificate_pem(cert) for cert in digdir_encryption.path()))
    result = CliRunner().invoke(app, ["publish", DIGDIR, str(pem), "--direct"], env=_env(tmp_path, url))
    assert result.exit_code == 0, result.output
    assert "Published" in result.output
    record = _stored(url, DIGDIR)
    assert record is not None
    assert record.certificate_pem.encode() == certificate_pem(digdir_encryption.certificate)


def test_publish_direct_refuses_another_organisations_certificate(
    tmp_path: Path, issuing_ca: CertificateAuthority
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'certpub.db'}"
    nav = issuing_ca.issue_enterprise(NAV, organisation_name="NAV", now=ISSUED, purpose="encryption")
    pem = tmp_path / "nav.pem"
    pem.write_bytes(certificate_pem(nav.certificate))
    result = CliRunner().invoke(app, ["publish", DIGDIR, str(pem), "--direct"], env=_env(tmp_path, url))
    assert result.exit_code == 1
    assert NAV in result.output
    assert _stored(url, DIGDIR) is None


def test_publish_direct_without_trust_roots_publishes_nothing(tmp_path: Path, digdir_encryption: Credential) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'certpub.db'}"
    pem = tmp_path / "digdir.pem"
    pem.write_bytes(b"".join(certificate_pem(cert) for cert in digdir_encryption.path()))
    result = CliRunner().invoke(app, ["publish", DIGDIR, str(pem), "--direct"], env=_env(tmp_path, url, None))
    assert result.exit_code == 1
    assert "DSOP_CERTPUB_TRUST_ROOTS" in result.output
    assert _stored(url, DIGDIR) is None


def test_a_malformed_orgno_is_a_usage_error(tmp_path: Path) -> None:
    pem = tmp_path / "x.pem"
    pem.write_bytes(b"x")
    result = CliRunner().invoke(app, ["publish", "991825828", str(pem), "--direct"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "check digit" in result.output
