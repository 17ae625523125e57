# SPDX-License-Identifier: Apache-2.0
"""HTTP routes of the grunnbok, e-tinglysing, AKELDO and Foretaksregisteret's founding intake
(contracts.registers.kartverket documents them).

A decided document is always answered 200 with its ``Forsendelse`` (``REJECTED`` and
``VALIDATION_FAILED`` included, as Kartverket's forsendelsesstatus is); a document under a
reference already used by another is 409 with the refusal.  A confirmation is answered 200 with the
notice's state (a refusal carries its FR-code).  Bodies are capped; no route answers a trace.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath

from opendsop.clock import oslo_today
from opendsop.contracts.registers.errors import InvalidInput, NotFound, org_id
from opendsop.contracts.registers.kartverket import (
    AKELDO,
    ETINGLYSING,
    FORETAKSREGISTER,
    GRUNNBOK,
    SCOPE_ETINGLYSING,
    SCOPE_FORETAK,
    SCOPE_GRUNNBOK,
    Aktoer,
    Forsendelse,
    Grunnbokenhet,
    Stiftelse,
    Stiftelsesmelding,
)
from opendsop.registers.api import _registers, authorise
from opendsop.registers.foretak import ForetakStore
from opendsop.registers.grunnbok import MAX_DOCUMENT_BYTES, GrunnbokStore
from opendsop.standard.dsve.errors import DsveError
from opendsop.standard.json_body import check_json_limits

MAX_BODY_BYTES = 64 * 1024


def _grunnbok(request: Request[Any, Any, Any]) -> GrunnbokStore:
    store: GrunnbokStore = request.app.state.grunnbok
    return store


def _foretak(request: Request[Any, Any, Any]) -> ForetakStore:
    store: ForetakStore = request.app.state.foretak
    return store


async def _document(request: Request[Any, Any, Any]) -> bytes:
    body = await request.body()
    if len(body) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(f"the signed document is larger than {MAX_DOCUMENT_BYTES} bytes", parameter="body")
    if not body.strip():
        raise InvalidInput("the body must be a signed document (SDO, application/xml)", parameter="body")
    return body


@get(GRUNNBOK + "/registerenheter/{enhet:str}")
async def registerenhet(request: Request[Any, Any, Any], enhet: FromPath[str]) -> Grunnbokenhet:
    await authorise(request, SCOPE_GRUNNBOK)
    if len(enhet) > 80:
        raise InvalidInput("the unit key is at most 80 characters", parameter="enhet")
    found = await _grunnbok(request).unit(enhet)
    if found is None:
        raise NotFound(f"no unit {enhet[:80]} in the grunnbok", parameter="enhet")
    return found


@get(GRUNNBOK + "/hjemmelshavere/{holder:str}/registerenheter")
async def hjemmel(request: Request[Any, Any, Any], holder: FromPath[str]) -> list[Grunnbokenhet]:
    await authorise(request, SCOPE_GRUNNBOK)
    if not holder.isdigit() or len(holder) not in (9, 11):
        raise InvalidInput(
            "a title holder is an organisasjonsnummer (9 digits) or fødselsnummer (11)", parameter="holder"
        )
    return await _grunnbok(request).units_of(holder)


@post(ETINGLYSING + "/forsendelser", status_code=200)
async def forsendelse(request: Request[Any, Any, Any]) -> Response[Forsendelse]:
    await authorise(request, SCOPE_ETINGLYSING)
    answer, duplicate = await _grunnbok(request).submit(await _document(request), now=_registers(request).clock())
    return Response(answer, status_code=409 if duplicate else 200)


@get(ETINGLYSING + "/forsendelser/{referanse:str}")
async def forsendelsesstatus(request: Request[Any, Any, Any], referanse: FromPath[str]) -> Forsendelse:
    await authorise(request, SCOPE_ETINGLYSING)
    found = await _grunnbok(request).forsendelse(referanse[:100])
    if found is None:
        raise NotFound(f"no forsendelse with dokumentreferanse {referanse[:100]}", parameter="referanse")
    return found


@get(AKELDO + "/aktoer")
async def aktoerer(request: Request[Any, Any, Any]) -> list[Aktoer]:
    """Public, as Kartverket's AKELDO is."""
    return await _grunnbok(request).aktoerer()


@get(AKELDO + "/aktoer/{orgnr:str}")
async def aktoer(request: Request[Any, Any, Any], orgnr: FromPath[str]) -> Aktoer:
    number = org_id(orgnr, "orgnr", synthetic_allowed=_registers(request).synthetic_allowed)
    found = await _grunnbok(request).aktoer(number)
    if found is None:
        raise NotFound(f"organisation {number} is not registered in AKELDO", parameter="orgnr")
    return found


@post(FORETAKSREGISTER + "/stiftelser", status_code=200)
async def stiftelse(request: Request[Any, Any, Any]) -> Stiftelse:
    await authorise(request, SCOPE_FORETAK)
    try:
        body = check_json_limits(await request.body(), max_bytes=MAX_BODY_BYTES)
        notice = msgspec.json.decode(body, type=Stiftelsesmelding)
    except ValueError as exc:
        raise InvalidInput(f"the body must be a founding notice (Stiftelsesmelding): {exc}", parameter="body") from None
    synthetic = _registers(request).synthetic_allowed
    org_id(notice.bankOrganisasjonsnummer, "bankOrganisasjonsnummer", synthetic_allowed=synthetic)
    if not notice.referanse or len(notice.referanse) > 64:
        raise InvalidInput("referanse must be 1 to 64 characters", parameter="referanse")
    try:
        return await _foretak(request).notify(notice)
    except DsveError as error:
        raise InvalidInput(f"{error.code}: {error.message}", parameter="body") from None


@post(FORETAKSREGISTER + "/stiftelser/{referanse:str}/kapitalbekreftelse", status_code=200)
async def kapitalbekreftelse(request: Request[Any, Any, Any], referanse: FromPath[str]) -> Stiftelse:
    await authorise(request, SCOPE_FORETAK)
    clock = _registers(request).clock
    found = await _foretak(request).confirm(
        referanse[:64], await _document(request), now=clock(), today=oslo_today(clock)
    )
    if found is None:
        raise NotFound(f"no founding notice {referanse[:64]}", parameter="referanse")
    return found


@get(FORETAKSREGISTER + "/stiftelser/{referanse:str}")
async def stiftelsesstatus(request: Request[Any, Any, Any], referanse: FromPath[str]) -> Stiftelse:
    await authorise(request, SCOPE_FORETAK)
    found = await _foretak(request).founding(referanse[:64])
    if found is None:
        raise NotFound(f"no founding notice {referanse[:64]}", parameter="referanse")
    return found


KARTVERKET_ROUTES = [
    registerenhet,
    hjemmel,
    forsendelse,
    forsendelsesstatus,
    aktoerer,
    aktoer,
    stiftelse,
    kapitalbekreftelse,
    stiftelsesstatus,
]

__all__ = ["KARTVERKET_ROUTES"]
