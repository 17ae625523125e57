"""The KFR write API and the own-institution lookup (DSOP Kundeforholdsregister “Om”; KAR.yaml "Financial institution").

* ``POST|DELETE /customers/financialInstitutions/{fid}/relationshipType/{type}`` — one relation
  (201 added / 200 already present; 204 deleted / 404 KFR-008);
* ``POST /customers/financialInstitutions/{fid}/batch`` — multipart ``customer_type`` +
  ``customers``; validated completely (every bad entry reported, nothing stored), persisted as
  ``pending`` and answered 201 with the batch status and its ``Location``, then applied in the
  background in one transaction;
* ``GET /customers/financialInstitutions/{fid}/batch/{batchId}`` — that status;
* ``GET /customers/financialInstitutions/{fid}/`` — is the customer registered at my institution?

Scope ``bits:kundeforhold.write``; the token's consumer organisation must be ``{fid}`` (403
KFR-003).  The three write operations echo ``CorrelationID`` on every answer, errors included.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from opendsop.relations.app import Hub, authenticate, hub
from opendsop.relations.batch import MAX_BATCH_BYTES, parse_batch
from opendsop.relations.errors import JSON, HubError
from opendsop.relations.kfr import DSOPBANK
from opendsop.serving import correlation_id
from opendsop.standard import scopes
from opendsop.standard.errors import DsopError
from opendsop.standard.identifiers import IdentifierKind, validate_party_id
from opendsop.standard.period import Period, parse_date
from opendsop.standard.relations import CustomerRelation, ListCustomerRelation
from opendsop.standard.request import Environment
from opendsop.standard.values import parse_uuid
from opendsop.standard.wire import encode

SCOPE_WRITE = scopes.CUSTOMER_RELATIONS_WRITE
_BASE = "/customers/financialInstitutions/{fid:str}"
# Multipart framing around a 10 MB file; the file part itself is checked against MAX_BATCH_BYTES.
_MAX_UPLOAD = MAX_BATCH_BYTES + 256 * 1024


def _echo(request: Request[Any, Any, Any]) -> dict[str, str]:
    sent = request.headers.get("CorrelationID")
    return {"CorrelationID": sent.strip()[:100] if sent and sent.strip() else correlation_id(None)}


async def _writer(request: Request[Any, Any, Any], fid: str, echo: dict[str, str]) -> Hub:
    principal = await authenticate(
        request,
        SCOPE_WRITE,
        unauthenticated=HubError(401, "KFR-001", headers=echo),
        forbidden=HubError(403, "KFR-002", headers=echo),
    )
    if principal.consumer_org != fid:
        raise HubError(
            403, "KFR-003", f"the token belongs to {principal.consumer_org}, not to {fid[:20]!r}", headers=echo
        )
    sent = request.headers.get("CorrelationID")
    if not sent:
        raise HubError(400, "KFR-004", "CorrelationID header is required", headers=echo)
    try:
        parse_uuid(sent.strip(), parameter="CorrelationID")
    except DsopError:
        raise HubError(400, "KFR-004", "CorrelationID must be a UUID", headers=echo) from None
    return hub(request)


def _customer(service: Hub, raw: str | None, *, code: str, headers: dict[str, str] | None = None) -> str:
    if raw is None or not raw.strip():
        raise HubError(400, code, "CustomerID header is required", headers=headers)
    try:
        party = validate_party_id(
            raw.strip(), synthetic_allowed=service.environment is Environment.TEST, today=service.today()
        )
    except DsopError as error:
        raise HubError(400, code, f"CustomerID is not valid: {error.message}", headers=headers) from None
    if party.kind is IdentifierKind.HNUMMER:
        raise HubError(400, code, "CustomerID: an H-number is not a customer identifier", headers=headers)
    return party.value


def _type(rel_type: str, echo: dict[str, str]) -> str:
    if rel_type != DSOPBANK:
        raise HubError(400, "KFR-009", f"relationship type must be {DSOPBANK}, got {rel_type[:20]!r}", headers=echo)
    return rel_type


@post(_BASE + "/relationshipType/{type:str}", status_code=201)
async def add_relationship(
    request: Request[Any, Any, Any],
    fid: FromPath[str],
    type: FromPath[str],  # noqa: A002
) -> Response[bytes]:
    echo = _echo(request)
    service = await _writer(request, fid, echo)
    kind = _type(type, echo)
    customer = _customer(service, request.headers.get("CustomerID"), code="KFR-005", headers=echo)
    added = await service.kfr.add(fid, customer, kind, service.today())
    return Response(b"", status_code=201 if added else 200, headers=echo)


@delete(_BASE + "/relationshipType/{type:str}", status_code=200)
async def delete_relationship(
    request: Request[Any, Any, Any],
    fid: FromPath[str],
    type: FromPath[str],  # noqa: A002
) -> Response[bytes]:
    echo = _echo(request)
    service = await _writer(request, fid, echo)
    kind = _type(type, echo)
    customer = _customer(service, request.headers.get("CustomerID"), code="KFR-005", headers=echo)
    if not await service.kfr.delete(fid, customer, kind, service.today()):
        raise HubError(404, "KFR-008", f"no open {kind} relationship with this customer at {fid}", headers=echo)
    return Response(b"", status_code=204, headers=echo)


async def _text_field(value: Any, name: str, echo: dict[str, str]) -> str:
    if isinstance(value, UploadFile):
        data = await value.read()
    elif isinstance(value, str):
        data = value.encode("utf-8")
    else:
        raise HubError(400, "KFR-004", f"the form field {name} is required", headers=echo)
    if len(data) > MAX_BATCH_BYTES:
        raise HubError(400, "KFR-004", f"the {name} file is {len(data)} bytes; at most 10 MB is accepted", headers=echo)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HubError(400, "KFR-004", f"the {name} file is not UTF-8 text", headers=echo) from None


@post(_BASE + "/batch", status_code=201, request_max_body_size=_MAX_UPLOAD)
async def upload_batch(request: Request[Any, Any, Any], fid: FromPath[str]) -> Response[bytes]:
    echo = _echo(request)
    service = await _writer(request, fid, echo)
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise HubError(
            400, "KFR-004", "the body must be multipart/form-data with customer_type and customers", headers=echo
        )
    form = await request.form()
    kind = form.get("customer_type")
    if kind is None:
        raise HubError(400, "KFR-004", "the form field customer_type is required", headers=echo)
    _type((await _text_field(kind, "customer_type", echo)).strip(), echo)
    text = await _text_field(form.get("customers"), "customers", echo)
    parsed = parse_batch(text, today=service.today(), synthetic_allowed=service.environment is Environment.TEST)
    if not parsed.ok:
        first = parsed.errors[0]
        detail = (
            f"{parsed.error_count} bad entr{'y' if parsed.error_count == 1 else 'ies'}, nothing was stored; "
            f"first at line {first.line}, entry {first.position}: {first.reason}"
        )
        raise HubError(
            400,
            parsed.first_code(),
            detail,
            headers=echo,
            extra={"errorCount": parsed.error_count, "errors": [e.as_dict() for e in parsed.errors]},
        )
    status = await service.kfr.submit_batch(
        fid, DSOPBANK, sorted(parsed.entries.items()), now=service.now(), correlation_id=echo["CorrelationID"]
    )
    service.worker.schedule(status.batch_id)
    location = f"/customers/financialInstitutions/{fid}/batch/{status.batch_id}"
    return Response(encode(status.as_dict()), status_code=201, media_type=JSON, headers={**echo, "Location": location})


@get(_BASE + "/batch/{batch_id:str}")
async def batch_status(request: Request[Any, Any, Any], fid: FromPath[str], batch_id: FromPath[str]) -> Response[bytes]:
    echo = _echo(request)
    principal = await authenticate(
        request, SCOPE_WRITE, unauthenticated=HubError(401, "KFR-001"), forbidden=HubError(403, "KFR-002")
    )
    if principal.consumer_org != fid:
        raise HubError(403, "KFR-003", f"the token belongs to {principal.consumer_org}, not to {fid[:20]!r}")
    status = await hub(request).kfr.batch(batch_id)
    if status is None or status.org_no != fid:
        raise HubError(404, "KFR-008", f"no batch {batch_id[:40]!r} for institution {fid}")
    return Response(encode(status.as_dict()), media_type=JSON, headers=echo)


def _own_period(service: Hub, request: Request[Any, Any, Any]) -> Period:
    today, days = service.today(), {}
    for name in ("fromDate", "toDate"):
        raw = request.query_params.get(name)
        try:
            days[name] = parse_date(raw, parameter=name) if raw and raw.strip() else today
        except DsopError as error:
            raise HubError(400, "ERR-003", error.message) from None
        if days[name] > today:
            raise HubError(400, "ERR-003", f"{name} {days[name]} is in the future")
    if days["toDate"] < days["fromDate"]:
        raise HubError(400, "ERR-003", f"toDate {days['toDate']} is before fromDate {days['fromDate']}")
    return Period(days["fromDate"], days["toDate"])


@get(_BASE)
async def own_registrations(request: Request[Any, Any, Any], fid: FromPath[str]) -> Response[bytes]:
    principal = await authenticate(
        request, SCOPE_WRITE, unauthenticated=HubError(401, "ERR-001"), forbidden=HubError(403, "ERR-001")
    )
    if principal.consumer_org != fid:
        raise HubError(403, "ERR-001", f"the token belongs to {principal.consumer_org}, not to {fid[:20]!r}")
    service = hub(request)
    customer = _customer(service, request.headers.get("CustomerID"), code="ERR-002")
    period = _own_period(service, request)
    relations = await service.kfr.relations(customer, period, org_no=fid)
    banks = tuple(
        CustomerRelation(organization_id=fid, bank_name=relations[0].bank_name, active_account=False)
        for _ in relations[:1]
    )
    return Response(encode(ListCustomerRelation(banks=banks)), media_type=JSON)


ROUTES = [add_relationship, delete_relationship, upload_batch, batch_status, own_registrations]

__all__ = ["ROUTES", "SCOPE_WRITE"]
