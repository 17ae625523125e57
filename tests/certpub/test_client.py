"""A bank's CertPub client: two-step lookup, checks, and a cache that forgets on time (DSOP “Security design”)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from litestar import Litestar
from litestar.testing import AsyncTestClient

from opendsop.certpub.app import create_app
from opendsop.certpub.settings import CertPubSettings
from opendsop.certpub.store import MemoryCertificateStore
from opendsop.contracts.certpub.client import CertPubClient, load_trust
from opendsop.contracts.certpub.errors import CertificateRejected, CertPubUnavailable, ParticipantNotFound
from opendsop.contracts.certpub.identifiers import DSOP_PROCESS, MalformedIdentifier
from opendsop.trust.pki import CertificateAuthority, Credential, certificate_pem

from .conftest import BASE_URL, DIGDIR, ISSUED, NAV, NOW, TOKEN, TRUST, TRUST_STORE
from .forgery import swapped

pytestmark = pytest.mark.anyio

AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/x-pem-file"}
PUBLISHER = "https://publisher.example/bcp-api/v1/standard/"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Directory:
    """The CertPub app in-process, with a count of the HTTP requests that reached it."""

    def __init__(self, http: AsyncTestClient[Litestar]) -> None:
        self.http = http
        self.requests: list[str] = []

        async def count(request: httpx.Request) -> None:
            self.requests.append(request.url.path)

        http.event_hooks["request"].append(count)

    async def publish(self, orgno: str, credential: Credential) -> None:
        body = b"".join(certificate_pem(cert) for cert in credential.path())
        path = f"/api/v1/iso6523-actorid-upis::0192:{orgno}/{DSOP_PROCESS}"
        response = await self.http.put(path, content=body, headers=AUTH)
        assert response.status_code in (200, 201), response.text
        self.requests.clear()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
async def directory(settings: CertPubSettings) -> AsyncIterator[Directory]:
    # The directory's own clock stays at NOW; only the bank's clock moves in these tests.
    app = create_app(settings, store=MemoryCertificateStore(), clock=lambda: NOW, trust_store=TRUST_STORE)
    async with AsyncTestClient(app, base_url=BASE_URL) as http:
        yield Directory(http)


def client_for(directory: Directory, clock: Clock, **options: object) -> CertPubClient:
    return CertPubClient(BASE_URL, http=directory.http, clock=clock, **{**TRUST, **options})  # type: ignore[arg-type]


async def test_the_certificate_is_found_in_two_steps_then_served_from_the_cache(
    directory: Directory, clock: Clock, digdir_encryption: Credential
) -> None:
    await directory.publish(DIGDIR, digdir_encryption)
    client = client_for(directory, clock, ttl=timedelta(hours=1))
    first = await client.encryption_certificate(DIGDIR)
    assert first == digdir_encryption.certificate
    assert directory.requests == [
        f"/lookup/v2/iso6523-actorid-upis::0192:{DIGDIR}",
        f"/api/v1/iso6523-actorid-upis::0192:{DIGDIR}/{DSOP_PROCESS}",
    ]
    clock.now += timedelta(minutes=59)
    assert await client.encryption_certificate("991 825 827") == first
    assert len(directory.requests) == 2  # no new HTTP call within the TTL


async def test_after_the_ttl_the_certificate_is_fetched_again_and_a_rotation_is_seen(
    directory: Directory, clock: Clock, digdir_encryption: Credential, issuing_ca: CertificateAuthority
) -> None:
    await directory.publish(DIGDIR, digdir_encryption)
    client = client_for(directory, clock, ttl=timedelta(hours=1))
    await client.encryption_certificate(DIGDIR)
    rotated = issuing_ca.issue_enterprise(DIGDIR, organisation_name="DIGDIR", now=ISSUED, purpose="encryption")
    await directory.publish(DIGDIR, rotated)
    clock.now += timedelta(hours=1, seconds=1)
    assert await client.encryption_certificate(DIGDIR) == rotated.certificate
    assert len(directory.requests) == 2


async def test_the_cache_never_outlives_the_certificate(
    directory: Directory, clock: Clock, issuing_ca: CertificateAuthority
) -> None:
    short = issuing_ca.issue_enterprise(
        DIGDIR, organisation_name="DIGDIR", now=NOW - timedelta(days=1), days=2, purpose="encryption"
    )
    await directory.publish(DIGDIR, short)
    client = client_for(directory, clock, ttl=timedelta(days=7), negative_ttl=timedelta(minutes=1))
    await client.encryption_certificate(DIGDIR)
    clock.now = short.certificate.not_valid_after_utc + timedelta(seconds=1)
    with pytest.raises(CertificateRejected, match="not valid at"):
        await client.encryption_certificate(DIGDIR)
    assert len(directory.requests) == 4


async def test_not_found_is_cached_briefly_then_asked_again(
    directory: Directory, clock: Clock, nav_encryption: Credential
) -> None:
    client = client_for(directory, clock, ttl=timedelta(hours=1), negative_ttl=timedelta(minutes=1))
    with pytest.raises(ParticipantNotFound, match=NAV):
        await client.encryption_certificate(NAV)
    assert len(directory.requests) == 1  # the locator said 404
    await directory.publish(NAV, nav_encryption)
    clock.now += timedelta(seconds=30)
    with pytest.raises(ParticipantNotFound):
        await client.encryption_certificate(NAV)
    assert directory.requests == []  # still the cached negative answer
    clock.now += timedelta(seconds=31)
    assert await client.encryption_certificate(NAV) == nav_encryption.certificate
    assert len(directory.requests) == 2


async def test_concurrent_lookups_share_one_round_trip(
    directory: Directory, clock: Clock, digdir_encryption: Credential
) -> None:
    await directory.publish(DIGDIR, digdir_encryption)
    client = client_for(directory, clock)
    found = await asyncio.gather(*(client.encryption_certificate(DIGDIR) for _ in range(5)))
    assert set(found) == {digdir_encryption.certificate}
    assert len(directory.requests) == 2


async def test_invalidate_forgets_a_participant(
    directory: Directory, clock: Clock, digdir_encryption: Credential
) -> None:
    await directory.publish(DIGDIR, digdir_encryption)
    client = client_for(directory, clock)
    await client.encryption_certificate(DIGDIR)
    client.invalidate(DIGDIR)
    await client.encryption_certificate(DIGDIR)
    assert len(directory.requests) == 4


async def test_a_malformed_orgno_is_refused_before_any_request(directory: Directory, clock: Clock) -> None:
    client = client_for(directory, clock)
    with pytest.raises(MalformedIdentifier):
        await client.encryption_certificate("991825828")
    assert directory.requests == []


# --- against a scripted publisher (httpx.MockTransport) -------------------------------------------------


def _der_b64(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def scripted(publisher: Callable[[httpx.Request], httpx.Response]) -> tuple[httpx.AsyncClient, list[str]]:
    """A locator pointing at PUBLISHER, and a publisher answering with ``publisher``."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path.startswith("/lookup/v2/"):
            return httpx.Response(200, json={"difi-bcp-v1": PUBLISHER})
        return publisher(request)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler)), seen


def xml_answer(cert: x509.Certificate, namespace: str = "") -> httpx.Response:
    ns = f' xmlns="{namespace}"' if namespace else ""
    body = f'<?xml version="1.0"?><Process{ns}><Certificate>{_der_b64(cert)}</Certificate></Process>'
    return httpx.Response(200, content=body.encode(), headers={"Content-Type": "application/xml"})


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(lambda cert: xml_answer(cert), id="bcp-xml"),
        pytest.param(lambda cert: xml_answer(cert, "http://example.org/certpub"), id="bcp-xml-namespaced"),
        pytest.param(
            lambda cert: httpx.Response(
                200, content=certificate_pem(cert), headers={"Content-Type": "application/x-pem-file"}
            ),
            id="pem",
        ),
        pytest.param(lambda cert: httpx.Response(200, json={"certificate": certificate_pem(cert).decode()}), id="json"),
    ],
)
async def test_every_publisher_representation_is_read(
    digdir_encryption: Credential, answer: Callable[[x509.Certificate], httpx.Response]
) -> None:
    http, seen = scripted(lambda request: answer(digdir_encryption.certificate))
    async with http:
        client = CertPubClient("https://locator.example", http=http, clock=lambda: NOW, **TRUST)
        assert await client.encryption_certificate(DIGDIR) == digdir_encryption.certificate
    # The publisher base URL from the locator is joined without a doubled slash.
    assert seen[1] == f"{PUBLISHER}api/v1/iso6523-actorid-upis::0192:{DIGDIR}/{DSOP_PROCESS}"


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(httpx.Response(500, text="boom"), id="server-error"),
        pytest.param(httpx.Response(200, text="<Process><Nothing/></Process>"), id="xml-without-certificate"),
        pytest.param(httpx.Response(200, text="<Process><Certificate>!!</Certificate></Process>"), id="bad-base64"),
        pytest.param(httpx.Response(200, text="<Process><Certificate>"), id="broken-xml"),
        pytest.param(
            httpx.Response(
                200, text='<!DOCTYPE x [<!ENTITY a "aaaa">]><Process><Certificate>&a;</Certificate></Process>'
            ),
            id="xml-with-dtd",
        ),
        pytest.param(httpx.Response(200, json={"cert": "x"}), id="json-without-certificate"),
        pytest.param(
            httpx.Response(200, content=b"\x00\x01", headers={"Content-Type": "application/pkix-cert"}),
            id="garbage",
        ),
    ],
)
async def test_unreadable_answers_are_unavailable_and_not_cached(answer: httpx.Response) -> None:
    http, seen = scripted(lambda request: answer)
    async with http:
        client = CertPubClient("https://locator.example", http=http, clock=lambda: NOW, **TRUST)
        for _ in range(2):
            with pytest.raises(CertPubUnavailable):
                await client.encryption_certificate(DIGDIR)
    assert len(seen) == 4  # both attempts went to the network


async def test_a_directory_that_does_not_answer_is_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        client = CertPubClient("https://locator.example", http=http, clock=lambda: NOW, **TRUST)
        with pytest.raises(CertPubUnavailable, match="did not answer"):
            await client.encryption_certificate(DIGDIR)


@pytest.mark.parametrize(
    "locator",
    [
        pytest.param(httpx.Response(200, json={"other": PUBLISHER}), id="no-difi-bcp-v1"),
        pytest.param(httpx.Response(200, json={"difi-bcp-v1": "ftp://x"}), id="not-http"),
        pytest.param(httpx.Response(200, text="not json"), id="not-json"),
    ],
)
async def test_a_locator_answer_without_a_publisher_is_unavailable(locator: httpx.Response) -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda request: locator)) as http:
        client = CertPubClient("https://locator.example", http=http, clock=lambda: NOW, **TRUST)
        with pytest.raises(CertPubUnavailable, match="difi-bcp-v1"):
            await client.encryption_certificate(DIGDIR)


async def test_a_certificate_of_another_organisation_is_rejected_and_cached_briefly(
    nav_encryption: Credential,
) -> None:
    http, seen = scripted(lambda request: xml_answer(nav_encryption.certificate))
    clock = Clock(NOW)
    async with http:
        client = CertPubClient(
            "https://locator.example", http=http, clock=clock, negative_ttl=timedelta(seconds=60), **TRUST
        )
        for _ in range(2):
            with pytest.raises(CertificateRejected, match=NAV):
                await client.encryption_certificate(DIGDIR)
        assert len(seen) == 2
        clock.now += timedelta(seconds=61)
        with pytest.raises(CertificateRejected):
            await client.encryption_certificate(DIGDIR)
        assert len(seen) == 4


async def test_a_signing_certificate_is_not_used_for_encryption(issuing_ca: CertificateAuthority) -> None:
    signing = issuing_ca.issue_enterprise(DIGDIR, organisation_name="DIGDIR", now=ISSUED, purpose="signing")
    http, _ = scripted(lambda request: xml_answer(signing.certificate))
    async with http:
        client = CertPubClient("https://locator.example", http=http, clock=lambda: NOW, **TRUST)
        with pytest.raises(CertificateRejected, match="keyEncipherment"):
            await client.encryption_certificate(DIGDIR)


@pytest.mark.parametrize(
    "served",
    [
        pytest.param(lambda credential: swapped(credential, now=NOW), id="swapped-self-signed-certificate"),
        pytest.param(
            lambda credential: (
                CertificateAuthority.create_root("stranger", now=ISSUED)
                .issue_enterprise(DIGDIR, organisation_name="DIGDIR", now=ISSUED, purpose="encryption")
                .certificate
            ),
            id="issued-by-an-untrusted-root",
        ),
    ],
)
async def test_a_certificate_that_does_not_chain_to_the_trust_roots_is_never_used(
    digdir_encryption: Credential, served: Callable[[Credential], x509.Certificate], caplog: pytest.LogCaptureFixture
) -> None:
    http, _ = scripted(lambda request: xml_answer(served(digdir_encryption)))
    async with http:
        client = CertPubClient("https://locator.example", http=http, clock=lambda: NOW, **TRUST)
        with (
            caplog.at_level("WARNING", logger="opendsop.contracts.certpub.client"),
            pytest.raises(CertificateRejected, match="not trusted"),
        ):
            await client.encryption_certificate(DIGDIR)
    assert [record.getMessage() for record in caplog.records] == [
        f"not encrypting to the CertPub certificate of 0192:{DIGDIR}: the certificate chain is not trusted: "
        + caplog.records[0].getMessage().split("not trusted: ", 1)[1]
    ]


async def test_the_intermediates_may_come_from_the_publisher_or_the_configuration(
    digdir_encryption: Credential, issuing_ca: CertificateAuthority
) -> None:
    bundle = b"".join(certificate_pem(cert) for cert in digdir_encryption.path())
    http, _ = scripted(
        lambda request: httpx.Response(200, content=bundle, headers={"Content-Type": "application/x-pem-file"})
    )
    async with http:
        served = CertPubClient("https://locator.example", http=http, clock=lambda: NOW, trust_store=TRUST_STORE)
        assert await served.encryption_certificate(DIGDIR) == digdir_encryption.certificate
    http, _ = scripted(lambda request: xml_answer(digdir_encryption.certificate))  # the BCP form: the leaf alone
    async with http:
        without = CertPubClient("https://locator.example", http=http, clock=lambda: NOW, trust_store=TRUST_STORE)
        with pytest.raises(CertificateRejected, match="not trusted"):
            await without.encryption_certificate(DIGDIR)


def test_the_trust_roots_are_read_from_pem_files(
    tmp_path: Path, root_ca: CertificateAuthority, issuing_ca: CertificateAuthority
) -> None:
    (tmp_path / "root.pem").write_bytes(certificate_pem(root_ca.certificate))
    (tmp_path / "issuing.pem").write_bytes(certificate_pem(issuing_ca.certificate))
    trust_store, intermediates = load_trust([tmp_path / "root.pem", tmp_path / "issuing.pem"])
    assert trust_store.roots == (root_ca.certificate,) and intermediates == (issuing_ca.certificate,)
    with pytest.raises(ValueError, match="no root certificate"):
        load_trust([tmp_path / "issuing.pem"])  # an intermediate alone anchors nothing


def test_a_negative_ttl_longer_than_the_ttl_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="negative_ttl"):
        CertPubClient("https://locator.example", ttl=timedelta(seconds=1), negative_ttl=timedelta(minutes=1), **TRUST)


async def test_the_client_closes_only_the_http_client_it_owns() -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(404))) as http:
        async with CertPubClient("https://locator.example", http=http, clock=lambda: NOW, **TRUST):
            pass
        assert not http.is_closed
    owned = CertPubClient("https://locator.example", **TRUST)
    await owned.aclose()
    assert owned._http.is_closed  # noqa: SLF001 - the owned client is internal by design
