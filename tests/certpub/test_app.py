"""The CertPub stand-in over HTTP: publish → locate → fetch, and every refusal (DSOP “Security design”)."""

from __future__ import annotations

import base64
import hashlib
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pydantic import SecretStr

from opendsop.certpub.app import NO_TRUST_ROOTS, create_app
from opendsop.certpub.settings import CertPubSettings
from opendsop.certpub.store import MemoryCertificateStore
from opendsop.contracts.certpub.identifiers import DSOP_PROCESS
from opendsop.trust.pki import CertificateAuthority, Credential, certificate_pem

from .conftest import BASE_URL, DIGDIR, ISSUED, NAV, NOW, TOKEN
from .forgery import swapped

pytestmark = pytest.mark.anyio

AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/x-pem-file"}


def participant(orgno: str) -> str:
    return f"iso6523-actorid-upis::0192:{orgno}"


def cert_path(orgno: str, process: str = DSOP_PROCESS) -> str:
    return f"/api/v1/{participant(orgno)}/{process}"


def bundle(credential: Credential) -> bytes:
    return b"".join(certificate_pem(cert) for cert in credential.path())


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


async def test_publish_locate_fetch_on_both_databases(
    database_url: str, digdir_encryption: Credential, tmp_path: Path, root_ca: CertificateAuthority
) -> None:
    (tmp_path / "root.pem").write_bytes(certificate_pem(root_ca.certificate))
    settings = CertPubSettings(
        public_url=BASE_URL,
        admin_token=SecretStr(TOKEN),
        database_url=database_url,
        trust_roots=(tmp_path / "root.pem",),
    )
    async with AsyncTestClient(create_app(settings, clock=lambda: NOW), base_url=BASE_URL) as client:
        published = await client.put(cert_path(DIGDIR), content=bundle(digdir_encryption), headers=AUTH)
        assert published.status_code == 201, published.text
        located = await client.get(f"/lookup/v2/{participant(DIGDIR)}")
        assert located.status_code == 200
        assert located.json() == {"difi-bcp-v1": BASE_URL + "/"}
        fetched = await client.get(cert_path(DIGDIR), headers={"Accept": "application/x-pem-file"})
    assert fetched.status_code == 200
    assert x509.load_pem_x509_certificate(fetched.content) == digdir_encryption.certificate


async def test_a_cut_database_is_503_with_retry_after_and_not_ready(
    database_url: str,
    digdir_encryption: Credential,
    tmp_path: Path,
    root_ca: CertificateAuthority,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.outages import database_cut

    monkeypatch.setenv("DSOP_SERVING_STATEMENT_TIMEOUT", "0.3")  # a write-locked SQLite file answers promptly
    (tmp_path / "root.pem").write_bytes(certificate_pem(root_ca.certificate))
    settings = CertPubSettings(
        public_url=BASE_URL,
        admin_token=SecretStr(TOKEN),
        database_url=database_url,
        trust_roots=(tmp_path / "root.pem",),
    )
    async with AsyncTestClient(create_app(settings, clock=lambda: NOW), base_url=BASE_URL) as client:
        assert (await client.get("/health/ready")).json() == {"status": "ready", "checks": {"database": "ok"}}
        with database_cut(database_url):
            # PostgreSQL refuses every statement; a write-locked SQLite file still answers reads.
            refused = await client.put(cert_path(DIGDIR), content=bundle(digdir_encryption), headers=AUTH)
            assert (refused.status_code, refused.json()["error"]) == (503, "temporarily_unavailable")
            assert refused.headers["retry-after"].isdigit()
            ready = await client.get("/health/ready")
            assert (ready.status_code, ready.json()["checks"]) == (503, {"database": "unavailable"})
            assert (await client.get("/health/live")).status_code == 200
        published = await client.put(cert_path(DIGDIR), content=bundle(digdir_encryption), headers=AUTH)
        assert published.status_code == 201, published.text
        assert (await client.get("/health/ready")).status_code == 200


async def test_the_default_answer_is_bcp_xml_with_the_base64_der_certificate(
    directory: AsyncTestClient[Litestar], digdir_encryption: Credential
) -> None:
    await directory.put(cert_path(DIGDIR), content=bundle(digdir_encryption), headers=AUTH)
    response = await directory.get(cert_path(DIGDIR))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    # The shape existing BCP clients read: //Process/Certificate holds base64 DER.
    assert root.tag == "Process"
    certificate = root.find("Certificate")
    assert certificate is not None and certificate.text is not None
    assert base64.b64decode(certificate.text) == der(digdir_encryption.certificate)
    assert root.findtext("ParticipantIdentifier") == f"0192:{DIGDIR}"
    assert root.findtext("ProcessIdentifier") == "urn:fdc:bits.no:2018:dsop:account:1.0"


async def test_the_json_form_carries_pem_fingerprint_and_dates(
    directory: AsyncTestClient[Litestar], digdir_encryption: Credential
) -> None:
    await directory.put(cert_path(DIGDIR), content=bundle(digdir_encryption), headers=AUTH)
    body = (await directory.get(cert_path(DIGDIR), headers={"Accept": "application/json"})).json()
    assert body["participant"] == participant(DIGDIR)
    assert body["process"] == DSOP_PROCESS
    assert x509.load_pem_x509_certificate(body["certificate"].encode()) == digdir_encryption.certificate
    assert body["fingerprint"] == hashlib.sha256(der(digdir_encryption.certificate)).hexdigest()
    assert body["notAfter"] == digdir_encryption.certificate.not_valid_after_utc.isoformat().replace("+00:00", "Z")
    assert body["publishedAt"] == "2026-01-15T12:00:00Z"


async def test_republishing_replaces_and_answers_200(
    directory: AsyncTestClient[Litestar], digdir_encryption: Credential, issuing_ca: CertificateAuthority
) -> None:
    first = await directory.put(cert_path(DIGDIR), content=bundle(digdir_encryption), headers=AUTH)
    rotated = issuing_ca.issue_enterprise(DIGDIR, organisation_name="DIGDIR TEST", now=ISSUED, purpose="encryption")
    second = await directory.put(cert_path(DIGDIR), content=bundle(rotated), headers=AUTH)
    assert (first.status_code, second.status_code) == (201, 200)
    fetched = await directory.get(cert_path(DIGDIR), headers={"Accept": "application/x-pem-file"})
    assert x509.load_pem_x509_certificate(fetched.content) == rotated.certificate


async def test_a_json_upload_is_accepted(directory: AsyncTestClient[Litestar], nav_encryption: Credential) -> None:
    response = await directory.put(
        cert_path(NAV),
        json={"certificate": bundle(nav_encryption).decode()},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 201, response.text


async def test_a_stray_space_in_the_participant_id_finds_the_same_participant(
    directory: AsyncTestClient[Litestar], digdir_encryption: Credential
) -> None:
    await directory.put(cert_path(DIGDIR), content=bundle(digdir_encryption), headers=AUTH)
    # "0192: 991825827" as printed in the DSOP CertPub table.
    response = await directory.get("/lookup/v2/iso6523-actorid-upis::0192:%20991825827")
    assert response.status_code == 200
    response = await directory.get(f"/api/v1/iso6523-actorid-upis::0192:%20{DIGDIR}/{DSOP_PROCESS}")
    assert response.status_code == 200


async def test_the_participant_lists_its_processes(
    directory: AsyncTestClient[Litestar], digdir_encryption: Credential
) -> None:
    await directory.put(cert_path(DIGDIR), content=bundle(digdir_encryption), headers=AUTH)
    root = ET.fromstring((await directory.get(f"/api/v1/{participant(DIGDIR)}")).content)
    references = [(ref.get("scheme"), ref.text) for ref in root.iter("ProcessReference")]
    assert references == [("bdx-procid-dsop", "urn:fdc:bits.no:2018:dsop:account:1.0")]


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(f"/lookup/v2/{participant(NAV)}", id="locator"),
        pytest.param(f"/api/v1/{participant(NAV)}", id="participant"),
        pytest.param(cert_path(NAV), id="certificate"),
        pytest.param(cert_path(DIGDIR, "bdx-procid-dsop::urn:other:1.0"), id="other-process"),
    ],
)
async def test_unknown_participants_get_404_with_a_json_error(
    directory: AsyncTestClient[Litestar], digdir_encryption: Credential, path: str
) -> None:
    await directory.put(cert_path(DIGDIR), content=bundle(digdir_encryption), headers=AUTH)
    response = await directory.get(path)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert "0192:" in response.json()["message"]


@pytest.mark.parametrize(
    ("path", "named"),
    [
        pytest.param("/lookup/v2/iso6523-actorid-upis::0192:991825828", "check digit", id="locator-checksum"),
        pytest.param("/lookup/v2/iso6523-actorid-upis::9908:991825827", "0192", id="locator-icd"),
        pytest.param("/api/v1/0192:12345/" + DSOP_PROCESS, "nine-digit", id="publisher-length"),
        pytest.param(f"/api/v1/{participant(DIGDIR)}/not-a-process", "process", id="publisher-process"),
        pytest.param("/api/v1/other-scheme::0192:991825827", "scheme", id="participant-scheme"),
    ],
)
async def test_malformed_ids_get_400_naming_what_is_wrong(
    directory: AsyncTestClient[Litestar], path: str, named: str
) -> None:
    response = await directory.get(path)
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_identifier"
    assert named in response.json()["message"]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"Authorization": "Bearer wrong"}, id="wrong-token"),
        pytest.param({"Authorization": f"Basic {TOKEN}"}, id="wrong-scheme"),
    ],
)
async def test_writes_without_the_admin_token_get_401(
    directory: AsyncTestClient[Litestar], digdir_encryption: Credential, headers: dict[str, str]
) -> None:
    response = await directory.put(cert_path(DIGDIR), content=bundle(digdir_encryption), headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert (await directory.delete(cert_path(DIGDIR), headers=headers)).status_code == 401
    assert (await directory.get(f"/lookup/v2/{participant(DIGDIR)}")).status_code == 404


async def test_without_a_configured_token_publishing_is_disabled(digdir_encryption: Credential) -> None:
    app = create_app(CertPubSettings(public_url=BASE_URL), store=MemoryCertificateStore(), clock=lambda: NOW)
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        response = await client.put(cert_path(DIGDIR), content=bundle(digdir_encryption), headers=AUTH)
    assert response.status_code == 403
    assert response.json()["error"] == "publishing_disabled"


async def test_delete_unpublishes(directory: AsyncTestClient[Litestar], digdir_encryption: Credential) -> None:
    await directory.put(cert_path(DIGDIR), content=bundle(digdir_encryption), headers=AUTH)
    assert (await directory.delete(cert_path(DIGDIR), headers=AUTH)).status_code == 204
    assert (await directory.get(f"/lookup/v2/{participant(DIGDIR)}")).status_code == 404
    assert (await directory.delete(cert_path(DIGDIR), headers=AUTH)).status_code == 404


def _signing(ca: CertificateAuthority) -> bytes:
    cred = ca.issue_enterprise(DIGDIR, organisation_name="DIGDIR", now=ISSUED, purpose="signing")
    return bundle(cred)


def _expired(ca: CertificateAuthority) -> bytes:
    cred = ca.issue_enterprise(
        DIGDIR, organisation_name="DIGDIR", now=NOW - timedelta(days=40), days=30, purpose="encryption"
    )
    return bundle(cred)


def _not_yet_valid(ca: CertificateAuthority) -> bytes:
    cred = ca.issue_enterprise(DIGDIR, organisation_name="DIGDIR", now=NOW + timedelta(days=1), purpose="encryption")
    return bundle(cred)


def _other_organisation(ca: CertificateAuthority) -> bytes:
    return bundle(ca.issue_enterprise(NAV, organisation_name="NAV", now=ISSUED, purpose="encryption"))


def _ca_certificate(ca: CertificateAuthority) -> bytes:
    return certificate_pem(ca.certificate)


@pytest.mark.parametrize(
    ("make", "named"),
    [
        pytest.param(_signing, "keyEncipherment", id="signing-certificate"),
        pytest.param(_expired, "not valid at", id="expired"),
        pytest.param(_not_yet_valid, "not valid at", id="not-yet-valid"),
        pytest.param(_other_organisation, NAV, id="other-organisation"),
        pytest.param(_ca_certificate, "CA certificate", id="ca-certificate"),
        pytest.param(lambda ca: b"not a certificate", "could not be parsed", id="garbage"),
        pytest.param(
            lambda ca: b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "could not be parsed",
            id="broken-pem",
        ),
    ],
)
async def test_unfit_certificates_are_refused_with_422(
    directory: AsyncTestClient[Litestar], issuing_ca: CertificateAuthority, make: object, named: str
) -> None:
    assert callable(make)
    response = await directory.put(cert_path(DIGDIR), content=make(issuing_ca), headers=AUTH)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "certificate_rejected"
    assert named in response.json()["message"]
    assert (await directory.get(f"/lookup/v2/{participant(DIGDIR)}")).status_code == 404


async def test_only_chains_to_the_configured_roots_are_published(
    directory: AsyncTestClient[Litestar], digdir_encryption: Credential
) -> None:
    stranger = CertificateAuthority.create_root("not trusted root", now=ISSUED)
    foreign = stranger.issue_enterprise(DIGDIR, organisation_name="DIGDIR", now=ISSUED, purpose="encryption")
    refused = {
        "self-signed": await directory.put(
            cert_path(DIGDIR), content=certificate_pem(swapped(digdir_encryption, now=NOW)), headers=AUTH
        ),
        "untrusted-root": await directory.put(cert_path(DIGDIR), content=bundle(foreign), headers=AUTH),
        "leaf-without-its-intermediate": await directory.put(
            cert_path(DIGDIR), content=certificate_pem(digdir_encryption.certificate), headers=AUTH
        ),
    }
    assert {
        name: (answer.status_code, "not trusted" in answer.json()["message"]) for name, answer in refused.items()
    } == dict.fromkeys(refused, (422, True))
    assert (await directory.get(f"/lookup/v2/{participant(DIGDIR)}")).status_code == 404  # nothing published
    accepted = await directory.put(cert_path(DIGDIR), content=bundle(digdir_encryption), headers=AUTH)
    assert accepted.status_code == 201


async def test_without_trust_roots_nothing_is_published(
    settings: CertPubSettings, digdir_encryption: Credential
) -> None:
    app = create_app(settings, store=MemoryCertificateStore(), clock=lambda: NOW)  # no DSOP_CERTPUB_TRUST_ROOTS
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        response = await client.put(cert_path(DIGDIR), content=bundle(digdir_encryption), headers=AUTH)
        located = await client.get(f"/lookup/v2/{participant(DIGDIR)}")
    assert response.status_code == 403
    assert response.json() == {"error": "publishing_disabled", "message": NO_TRUST_ROOTS}
    assert "DSOP_CERTPUB_TRUST_ROOTS" in NO_TRUST_ROOTS
    assert located.status_code == 404


async def test_unknown_routes_answer_json_errors_too(directory: AsyncTestClient[Litestar]) -> None:
    response = await directory.get("/nothing/here")
    assert response.status_code == 404
    assert response.json()["error"] == "http_404"


# -- certificates with a duplicate or corrupt KeyUsage: refused, never a 500 -------------------------

_PLACEHOLDER = x509.ObjectIdentifier("2.5.29.99")  # same DER length as KeyUsage (2.5.29.15)


def _hostile_certificate(kind: str) -> bytes:
    """A leaf whose KeyUsage appears twice, or holds bytes that are not a KeyUsage (signature not redone)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "DIGDIR"), x509.NameAttribute(NameOID.SERIAL_NUMBER, DIGDIR)]
    )
    usage = x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    placeholder = x509.UnrecognizedExtension(_PLACEHOLDER, b"\x03\x02\x05\x20" if kind == "duplicate" else b"\x01\xff")
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(ISSUED)
        .not_valid_after(ISSUED + timedelta(days=700))
        .add_extension(placeholder, critical=False)
    )
    if kind == "duplicate":
        builder = builder.add_extension(usage, critical=True)
    body = der(builder.sign(key, hashes.SHA256()))
    return body.replace(b"\x06\x03\x55\x1d\x63", b"\x06\x03\x55\x1d\x0f")


@pytest.mark.parametrize("kind", ["duplicate", "corrupt"])
def test_a_certificate_with_a_broken_key_usage_is_rejected_when_parsed(kind: str) -> None:
    from opendsop.contracts.certpub.checks import parse_certificates
    from opendsop.contracts.certpub.errors import CertificateRejected

    with pytest.raises(CertificateRejected, match="parsed"):  # at load or at the first look at extensions
        parse_certificates(_hostile_certificate(kind))


@pytest.mark.parametrize("kind", ["duplicate", "corrupt"])
async def test_publishing_a_certificate_with_a_broken_key_usage_is_a_4xx(
    directory: AsyncTestClient[Litestar], kind: str
) -> None:
    encoded = base64.encodebytes(_hostile_certificate(kind))
    pem = b"-----BEGIN CERTIFICATE-----\n" + encoded + b"-----END CERTIFICATE-----\n"
    response = await directory.put(cert_path(DIGDIR), content=pem, headers=AUTH)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"] in ("certificate_rejected", "publishing_disabled")
