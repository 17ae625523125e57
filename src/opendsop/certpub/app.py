"""CertPub stand-in: the locator (BCL) and the publisher (BCP) of encryption certificates.

Shaped like the national service (DSOP “Security design”; CertPub Publisher 1.0):

``GET /lookup/v2/iso6523-actorid-upis::0192:<orgno>``
    locator: ``{"difi-bcp-v1": "<publisher base URL>/"}``; 404 if the participant has nothing
    published.  Here the locator and the publisher are one process, so the URL is ``public_url``.
``GET /api/v1/iso6523-actorid-upis::0192:<orgno>``
    the participant's processes, XML ``<Participant><ProcessReference scheme=…>urn…</…></Participant>``.
``GET /api/v1/iso6523-actorid-upis::0192:<orgno>/bdx-procid-dsop::urn:fdc:bits.no:2018:dsop:account:1.0``
    the encryption certificate.  Representation, chosen by ``Accept``:

    * ``application/xml`` (default, also for ``*/*``) — the BCP v1 form that existing clients parse
      with ``//Process/Certificate``: ``<Process>`` holding ``<ParticipantIdentifier>``,
      ``<ProcessIdentifier>`` and ``<Certificate>`` = base64 DER of the leaf certificate.  The real
      service's XML namespace is not in our sources, so none is emitted; read elements by local name.
    * ``application/x-pem-file`` — the leaf certificate as PEM.
    * ``application/json`` — ``{"participant", "process", "certificate" (PEM), "fingerprint"
      (SHA-256 hex of the DER), "notAfter", "publishedAt"}``.
``PUT`` same path (stand-in only; the real CertPub is fed by the CAs)
    body: PEM (leaf first, intermediates optional) or JSON ``{"certificate": PEM}``; header
    ``Authorization: Bearer <admin token>``.  The certificate is checked first (contracts/certpub/checks.py).
    201 when new, 200 when it replaces the previous one; body as the JSON form above.
``DELETE`` same path — 204, same token.

Errors are JSON ``{"error": <code>, "message": <sentence>}``: 400 ``malformed_identifier``,
401 ``unauthorized``, 403 ``publishing_disabled`` (no admin token, or no trust roots: without roots the
directory publishes nothing, since a self-signed certificate could name anyone), 404 ``not_found``,
422 ``certificate_rejected`` (among others: its chain does not lead to one of the configured roots),
503 ``temporarily_unavailable`` with ``Retry-After`` (the database cannot answer), 500 ``internal_error``.
``GET /health`` and ``/health/live``: liveness; ``/health/ready``: the database answers.
Participant ids are normalised (a stray space after ``0192:`` is removed), see identifiers.py.
"""

from __future__ import annotations

import base64
import hmac
import logging
import xml.etree.ElementTree as ET  # noqa: S405 - we only build XML here, never parse it
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from litestar import Litestar, Request, Response, delete, get, put
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.status_codes import HTTP_204_NO_CONTENT

from opendsop.availability import RETRY_AFTER, Readiness, cannot_answer, health_routes
from opendsop.certpub.publishing import publishable
from opendsop.certpub.settings import CertPubSettings
from opendsop.certpub.store import CertificateStore, PublishedCertificate, SqlCertificateStore
from opendsop.clock import Clock
from opendsop.clock import utc_now as _utcnow
from opendsop.contracts.certpub.errors import CertificateRejected, CertPubError, ParticipantNotFound
from opendsop.contracts.certpub.identifiers import (
    PARTICIPANT_SCHEME,
    MalformedIdentifier,
    ParticipantId,
    ProcessId,
    parse_participant,
    parse_process,
)
from opendsop.serving import create_engine, observe
from opendsop.standard.json_body import load_json
from opendsop.trust.pki import TrustStore

log = logging.getLogger("opendsop.certpub")
MAX_UPLOAD_BYTES = 64 * 1024
NO_TRUST_ROOTS = (
    "publishing is disabled: the directory trusts no certificate authority; set "
    "DSOP_CERTPUB_TRUST_ROOTS to the PEM files of the roots that issue participants' certificates"
)
PEM_TYPE = "application/x-pem-file"
XML_TYPE = "application/xml"
JSON_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class _Service:
    """What the handlers need, kept in ``app.state.certpub``."""

    store: CertificateStore
    clock: Clock
    public_url: str
    admin_token: str | None
    trust_store: TrustStore | None


def _service(request: Request[Any, Any, Any]) -> _Service:
    service: _Service = request.app.state.certpub
    return service


def _error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response({"error": error, "message": message}, status_code=status, headers=headers, media_type=JSON_TYPE)


def _json_form(record: PublishedCertificate) -> dict[str, str]:
    return {
        "participant": str(ParticipantId(record.orgno)),
        "process": record.process,
        "certificate": record.certificate_pem,
        "fingerprint": record.fingerprint,
        "notAfter": record.not_after.isoformat().replace("+00:00", "Z"),
        "publishedAt": record.published_at.isoformat().replace("+00:00", "Z"),
    }


def _xml(root: ET.Element) -> bytes:
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


async def _record(
    request: Request[Any, Any, Any], participant: str, process: str
) -> tuple[ParticipantId, ProcessId, PublishedCertificate]:
    party, proc = parse_participant(participant), parse_process(process)
    record = await _service(request).store.get(party.orgno, str(proc))
    if record is None:
        raise ParticipantNotFound(f"no certificate is published for {party} in process {proc}")
    return party, proc, record


@get("/lookup/v2/{participant:str}")
async def lookup(request: Request[Any, Any, Any], participant: FromPath[str]) -> Response[Any]:
    party = parse_participant(participant)
    service = _service(request)
    if not await service.store.processes(party.orgno):
        raise ParticipantNotFound(f"participant {party} is not registered in the locator")
    return Response({"difi-bcp-v1": service.public_url + "/"}, media_type=JSON_TYPE)


@get("/api/v1/{participant:str}")
async def participant_processes(request: Request[Any, Any, Any], participant: FromPath[str]) -> Response[bytes]:
    party = parse_participant(participant)
    processes = await _service(request).store.processes(party.orgno)
    if not processes:
        raise ParticipantNotFound(f"no certificate is published for participant {party}")
    root = ET.Element("Participant", scheme=PARTICIPANT_SCHEME, value=party.value)
    for process in processes:
        proc = parse_process(process)
        ET.SubElement(root, "ProcessReference", scheme=proc.scheme).text = proc.value
    return Response(_xml(root), media_type=XML_TYPE)


@get("/api/v1/{participant:str}/{process:str}")
async def certificate(
    request: Request[Any, Any, Any], participant: FromPath[str], process: FromPath[str]
) -> Response[Any]:
    party, proc, record = await _record(request, participant, process)
    media = request.accept.best_match([XML_TYPE, PEM_TYPE, JSON_TYPE], default=XML_TYPE)
    if media == JSON_TYPE:
        return Response(_json_form(record), media_type=JSON_TYPE)
    if media == PEM_TYPE:
        return Response(record.certificate_pem.encode("ascii"), media_type=PEM_TYPE)
    der = x509.load_pem_x509_certificate(record.certificate_pem.encode("ascii")).public_bytes(
        serialization.Encoding.DER
    )
    root = ET.Element("Process")
    ET.SubElement(root, "ParticipantIdentifier", scheme=PARTICIPANT_SCHEME).text = party.value
    ET.SubElement(root, "ProcessIdentifier", scheme=proc.scheme).text = proc.value
    ET.SubElement(root, "Certificate").text = base64.b64encode(der).decode("ascii")
    return Response(_xml(root), media_type=XML_TYPE)


class _Denied(Exception):
    """A write without the admin token; rendered by ``_denied``."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def _authorise(request: Request[Any, Any, Any]) -> None:
    """Raise ``_Denied`` unless the request carries the admin token."""
    expected = _service(request).admin_token
    if expected is None:
        raise _Denied(
            403,
            "publishing_disabled",
            "publishing is disabled: the directory has no admin token (DSOP_CERTPUB_ADMIN_TOKEN)",
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise _Denied(401, "unauthorized", "Authorization: Bearer <admin token> is missing or wrong")


def _upload(body: bytes, content_type: str) -> bytes:
    if content_type.split(";")[0].strip().lower() == JSON_TYPE:
        try:
            document = load_json(body, max_bytes=MAX_UPLOAD_BYTES)
        except ValueError as exc:  # not JSON, or nested deeper than any certificate upload
            raise CertificateRejected("the JSON body could not be parsed") from exc
        certificate = document.get("certificate") if isinstance(document, dict) else None
        if not isinstance(certificate, str):
            raise CertificateRejected('the JSON body must be {"certificate": "<PEM>"}')
        return certificate.encode("utf-8")
    return body


@put("/api/v1/{participant:str}/{process:str}", request_max_body_size=MAX_UPLOAD_BYTES)
async def publish(request: Request[Any, Any, Any], participant: FromPath[str], process: FromPath[str]) -> Response[Any]:
    party, proc = parse_participant(participant), parse_process(process)
    _authorise(request)
    service = _service(request)
    if service.trust_store is None:
        raise _Denied(403, "publishing_disabled", NO_TRUST_ROOTS)
    body = _upload(await request.body(), request.headers.get("content-type", ""))
    record = publishable(body, participant=party, process=proc, now=service.clock(), trust_store=service.trust_store)
    created = await service.store.put(record)
    return Response(_json_form(record), status_code=201 if created else 200, media_type=JSON_TYPE)


@delete("/api/v1/{participant:str}/{process:str}", status_code=HTTP_204_NO_CONTENT)
async def unpublish(request: Request[Any, Any, Any], participant: FromPath[str], process: FromPath[str]) -> None:
    party, proc = parse_participant(participant), parse_process(process)
    _authorise(request)
    if not await _service(request).store.delete(party.orgno, str(proc)):
        raise ParticipantNotFound(f"no certificate is published for {party} in process {proc}")


def _malformed(_: Request[Any, Any, Any], exc: MalformedIdentifier) -> Response[Any]:
    return _error(400, "malformed_identifier", exc.message)


def _certpub_error(_: Request[Any, Any, Any], exc: CertPubError) -> Response[Any]:
    status = 404 if isinstance(exc, ParticipantNotFound) else 422 if isinstance(exc, CertificateRejected) else 502
    return _error(status, exc.error, exc.message)


def _denied(_: Request[Any, Any, Any], exc: _Denied) -> Response[Any]:
    headers = {"WWW-Authenticate": 'Bearer realm="certpub"'} if exc.status == 401 else None
    return _error(exc.status, exc.error, exc.message, headers=headers)


def _http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return _error(exc.status_code, f"http_{exc.status_code}", str(exc.detail), headers=dict(exc.headers or {}))


def _unexpected(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if cannot_answer(exc):
        log.warning("CertPub's database did not answer (%s)", type(exc).__name__)
        return _error(
            503,
            "temporarily_unavailable",
            "CertPub cannot answer now; retry after Retry-After seconds",
            headers=RETRY_AFTER,
        )
    log.error("internal error", exc_info=exc)
    return _error(500, "internal_error", "CertPub failed to answer")


def load_trust_store(paths: tuple[Path, ...]) -> TrustStore | None:
    """A TrustStore of every certificate in the given PEM files, or None without files."""
    roots = [cert for path in paths for cert in x509.load_pem_x509_certificates(path.read_bytes())]
    return TrustStore(roots=tuple(roots)) if roots else None


def create_app(
    settings: CertPubSettings,
    *,
    clock: Clock | None = None,
    store: CertificateStore | None = None,
    trust_store: TrustStore | None = None,
) -> Litestar:
    """The CertPub app.  ``store``/``trust_store`` override what ``settings`` would build."""
    if store is None:
        store = SqlCertificateStore(create_engine(settings.database_url))
    service = _Service(
        store=store,
        clock=clock or _utcnow,
        public_url=settings.public_url,
        admin_token=settings.admin_token.get_secret_value() if settings.admin_token else None,
        trust_store=trust_store if trust_store is not None else load_trust_store(settings.trust_roots),
    )
    readiness = Readiness()
    readiness.add_database(getattr(store, "engine", None))
    return observe(
        Litestar(
            route_handlers=[lookup, participant_processes, certificate, publish, unpublish, *health_routes(readiness)],
            exception_handlers={
                MalformedIdentifier: _malformed,
                CertPubError: _certpub_error,
                _Denied: _denied,
                HTTPException: _http_error,
                Exception: _unexpected,
            },
            on_startup=[store.create_schema],
            on_shutdown=[store.close],
            state=State({"certpub": service}),
            logging_config=None,  # the process (CLI `serve`, the ecosystem runner) configures logging
        ),
        "certpub",
        title="CertPub",
    )


__all__ = ["NO_TRUST_ROOTS", "create_app", "load_trust_store"]
