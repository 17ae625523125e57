"""CertPub client: a bank finds an agency's encryption certificate before JWE-encrypting for it.

The two-step lookup of DSOP “Security design”:

1. ``GET {locator}/lookup/v2/iso6523-actorid-upis::0192:<orgno>`` → ``{"difi-bcp-v1": publisher}``;
2. ``GET {publisher}/api/v1/iso6523-actorid-upis::0192:<orgno>/<process>`` with the DSOP process
   ``bdx-procid-dsop::urn:fdc:bits.no:2018:dsop:account:1.0``.

The publisher's answer is read in any of the three forms our stand-in serves (BCP XML with a
base64 DER ``Certificate`` element, PEM, or JSON with a PEM ``certificate``), so the same client
works against the national BCP.  The certificate is then checked (contracts/certpub/checks.py: encryption
key usage, RSA, the participant's organisation number, valid now, and its chain to the bank's
trust roots) before a bank ever encrypts to it.  The trust roots are required: a directory that
served a swapped, self-signed certificate would otherwise receive an agency's answers.  The BCP
serves the leaf alone, so the issuing CAs' intermediates come from the bank's configuration too
(``load_trust``), together with any the publisher sends along.

Caching ("caching the certificate is recommended", DSOP “Security design”): a certificate is kept for ``ttl`` but never
past its own ``notAfter``; a definite negative answer (404, or a certificate that fails the checks)
is kept for the much shorter ``negative_ttl``, so a participant that publishes later is found
soon; a failure to reach the directory is never cached.  Concurrent lookups of the same
organisation share one round trip.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import xml.etree.ElementTree as ET  # noqa: S405 - DTDs are refused before parsing, see _from_xml
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType

import httpx
from cryptography import x509

from opendsop.clock import Clock
from opendsop.clock import utc_now as _utcnow
from opendsop.contracts.certpub.checks import check_encryption_certificate, parse_certificates
from opendsop.contracts.certpub.errors import CertificateRejected, CertPubError, CertPubUnavailable, ParticipantNotFound
from opendsop.contracts.certpub.identifiers import DSOP_PROCESS, ParticipantId, normalise_orgno, parse_process
from opendsop.trust.pki import TrustStore

_log = logging.getLogger("opendsop.contracts.certpub.client")
MAX_PATH = 5  # leaf + intermediates: more than any real enterprise PKI uses
LOCATOR_KEY = "difi-bcp-v1"
ACCEPT = "application/xml, application/x-pem-file;q=0.9, application/json;q=0.8"


@dataclass(frozen=True, slots=True)
class _Entry:
    expires: datetime
    certificate: x509.Certificate | None = None
    error: CertPubError | None = None


def _from_xml(body: bytes) -> list[x509.Certificate]:
    # A publisher has no reason to send a DTD; refusing one rules out entity-expansion and
    # external-entity tricks without a hardened parser.
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise CertPubUnavailable("the publisher's XML contains a DTD, which is not accepted")
    try:
        root = ET.fromstring(body)  # noqa: S314 - DTD refused above
    except ET.ParseError as exc:
        raise CertPubUnavailable("the publisher's XML answer could not be parsed") from exc
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "Certificate" and element.text:
            try:
                der = base64.b64decode("".join(element.text.split()), validate=True)
                return [x509.load_der_x509_certificate(der)]
            except (binascii.Error, ValueError) as exc:
                raise CertPubUnavailable("the publisher's Certificate element is not a base64 DER certificate") from exc
    raise CertPubUnavailable("the publisher's XML answer has no Certificate element")


def certificates_from_response(response: httpx.Response) -> list[x509.Certificate]:
    """The certificate(s) in a publisher answer, whatever of XML, PEM or JSON it is."""
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    body = response.content
    try:
        if media.endswith("json"):
            document = json.loads(body)
            if not isinstance(document, dict) or not isinstance(document.get("certificate"), str):
                raise CertPubUnavailable('the publisher\'s JSON answer has no "certificate" string')
            return parse_certificates(document["certificate"])
        if media.endswith("xml") or body.lstrip().startswith(b"<"):
            return _from_xml(body)
        return parse_certificates(body)
    except (CertificateRejected, ValueError) as exc:
        raise CertPubUnavailable(f"the publisher's answer holds no readable certificate: {exc}") from exc


def load_trust(paths: Sequence[Path]) -> tuple[TrustStore, tuple[x509.Certificate, ...]]:
    """The trust store and intermediates in PEM files: self-issued certificates are the roots, the rest
    intermediates.  ``ValueError`` when the files hold no root (nothing could ever be trusted)."""
    certificates = [cert for path in paths for cert in x509.load_pem_x509_certificates(Path(path).read_bytes())]
    roots = tuple(cert for cert in certificates if cert.subject == cert.issuer)
    if not roots:
        raise ValueError(
            f"no root certificate in {', '.join(map(str, paths)) or '(no files)'}: give the PEM files "
            "of the roots that issue participants' encryption certificates"
        )
    return TrustStore(roots=roots), tuple(cert for cert in certificates if cert.subject != cert.issuer)


def _path_to_roots(
    leaf: x509.Certificate, pool: Sequence[x509.Certificate], trust_store: TrustStore
) -> list[x509.Certificate]:
    """``leaf`` followed by the intermediates from ``pool`` that lead up to a root, by issuer name."""
    path = [leaf]
    roots = {root.subject for root in trust_store.roots}
    while path[-1].issuer not in roots and len(path) < MAX_PATH:
        issuer = next((cert for cert in pool if cert.subject == path[-1].issuer and cert not in path), None)
        if issuer is None:
            break  # the trust store then names what is missing
        path.append(issuer)
    return path


class CertPubClient:
    """Finds, checks and caches participants' encryption certificates.

    ``trust_store`` (required) holds the roots a certificate must chain to, ``intermediates`` the
    issuing CAs between them (see ``load_trust``).  ``http`` is injected (tests pass an in-process
    ASGI client); without it the client owns one and closes it in ``aclose``.
    """

    def __init__(
        self,
        locator_url: str,
        *,
        trust_store: TrustStore,
        intermediates: Sequence[x509.Certificate] = (),
        http: httpx.AsyncClient | None = None,
        ttl: timedelta = timedelta(hours=1),
        negative_ttl: timedelta = timedelta(minutes=1),
        clock: Clock | None = None,
        process: str = DSOP_PROCESS,
    ) -> None:
        if negative_ttl > ttl:
            raise ValueError("negative_ttl must not be longer than ttl")
        self._locator = locator_url.rstrip("/")
        self._http = http or httpx.AsyncClient(timeout=10.0)
        self._owns_http = http is None
        self._ttl = ttl
        self._negative_ttl = negative_ttl
        self._clock = clock or _utcnow
        self._process = str(parse_process(process))
        self._trust_store = trust_store
        self._intermediates = tuple(intermediates)
        self._cache: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def encryption_certificate(self, orgno: str) -> x509.Certificate:
        """The participant's checked encryption certificate.

        Raises ``MalformedIdentifier`` (a ValueError) for a bad organisation number,
        ``ParticipantNotFound``, ``CertificateRejected`` or ``CertPubUnavailable``.
        """
        orgno = normalise_orgno(orgno)
        cached = self._fresh(orgno)
        if cached is None:
            lock = self._locks.setdefault(orgno, asyncio.Lock())
            async with lock:
                cached = self._fresh(orgno)  # another task may have filled it meanwhile
                if cached is None:
                    cached = await self._load(orgno)
        if cached.error is not None:
            raise cached.error
        assert cached.certificate is not None
        return cached.certificate

    def invalidate(self, orgno: str | None = None) -> None:
        """Forget one participant (e.g. after a JWE the agency could not decrypt) or everything."""
        if orgno is None:
            self._cache.clear()
        else:
            self._cache.pop(normalise_orgno(orgno), None)

    def _fresh(self, orgno: str) -> _Entry | None:
        entry = self._cache.get(orgno)
        if entry is not None and self._clock() < entry.expires:
            return entry
        return None

    async def _load(self, orgno: str) -> _Entry:
        now = self._clock()
        try:
            leaf = await self._fetch(orgno, now)
        except CertificateRejected as exc:
            _log.warning(
                "not encrypting to the CertPub certificate of 0192:%s: %s",
                orgno,
                exc.message,
                extra={"consumer_org": orgno},
            )
            entry = _Entry(expires=now + self._negative_ttl, error=exc)
        except ParticipantNotFound as exc:
            entry = _Entry(expires=now + self._negative_ttl, error=exc)
        else:
            entry = _Entry(expires=min(now + self._ttl, leaf.not_valid_after_utc), certificate=leaf)
        self._cache[orgno] = entry
        return entry

    async def publisher_url(self, orgno: str) -> str:
        """Step 1: ask the locator where the participant publishes."""
        participant = ParticipantId(normalise_orgno(orgno))
        response = await self._get(f"{self._locator}/lookup/v2/{participant}", accept="application/json")
        if response.status_code == 404:
            raise ParticipantNotFound(f"the CertPub locator does not know participant {participant}")
        self._require_ok(response, "locator")
        try:
            publisher = response.json()[LOCATOR_KEY]
        except (ValueError, KeyError, TypeError) as exc:
            raise CertPubUnavailable(f'the locator answer has no "{LOCATOR_KEY}" entry') from exc
        if not isinstance(publisher, str) or not publisher.startswith(("https://", "http://")):
            raise CertPubUnavailable(f'the locator\'s "{LOCATOR_KEY}" is not an http(s) URL')
        return publisher

    async def _fetch(self, orgno: str, now: datetime) -> x509.Certificate:
        participant = ParticipantId(orgno)
        publisher = await self.publisher_url(orgno)
        url = f"{publisher.rstrip('/')}/api/v1/{participant}/{self._process}"
        response = await self._get(url, accept=ACCEPT)
        if response.status_code == 404:
            raise ParticipantNotFound(f"participant {participant} has no certificate for process {self._process}")
        self._require_ok(response, "publisher")
        leaf, *served = certificates_from_response(response)
        path = _path_to_roots(leaf, [*served, *self._intermediates], self._trust_store)
        return check_encryption_certificate(path, orgno=orgno, now=now, trust_store=self._trust_store)

    async def _get(self, url: str, *, accept: str) -> httpx.Response:
        try:
            return await self._http.get(url, headers={"Accept": accept})
        except httpx.HTTPError as exc:
            raise CertPubUnavailable(f"CertPub did not answer at {url}: {exc}") from exc

    @staticmethod
    def _require_ok(response: httpx.Response, what: str) -> None:
        if response.status_code != 200:
            raise CertPubUnavailable(
                f"the CertPub {what} answered HTTP {response.status_code} for {response.request.url}"
            )

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> CertPubClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()


__all__ = ["CertPubClient", "certificates_from_response", "load_trust"]
