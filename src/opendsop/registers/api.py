# SPDX-License-Identifier: Apache-2.0
"""HTTP routes of the three registers; one handler per resource, no rules of their own.

Every route needs ``Authorization: Bearer <token>`` from the configured issuer, with the
register's scope; only authorised consumers get person data.  Input is checked here and errors
are typed (errors.py); the stores and signatur.py decide the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath, FromQuery

from opendsop.clock import oslo_start_of_day
from opendsop.contracts.registers.errors import (
    AccessDenied,
    InvalidCursor,
    InvalidInput,
    NotFound,
    RegisterUnavailable,
    org_id,
    party_id,
    person_id,
)
from opendsop.contracts.registers.models import (
    Endringsside,
    Hendelsesside,
    Konkursvarsel,
    KonkursvarselOppsummering,
    Konkursvarselside,
    Organisasjon,
    Person,
    Roller,
    SignaturSporsmal,
    SignaturSvar,
    Vergemaal,
)
from opendsop.contracts.registers.scopes import (
    ENHETSREGISTER,
    FOLKEREGISTER,
    KONKURS,
    SCOPE_ENHETSREGISTER,
    SCOPE_FOLKEREGISTER,
    SCOPE_KONKURS,
)
from opendsop.contracts.verify import InsufficientScope, JwksUnavailable, Principal, TokenVerifier
from opendsop.registers.enhetsregister import EnhetsregisterStore
from opendsop.registers.folkeregister import FolkeregisterStore, for_bank
from opendsop.registers.konkursregister import KonkursStore
from opendsop.standard import values
from opendsop.standard.json_body import check_json_limits
from opendsop.trust.errors import InvalidToken

log = logging.getLogger("opendsop.registers")

DEFAULT_PAGE = 100
MAX_SEQUENCE = 10**18 - 1
MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Registers:
    """What the handlers need, kept in ``app.state.registers``."""

    folkeregister: FolkeregisterStore
    konkurs: KonkursStore
    enhetsregister: EnhetsregisterStore
    verifier: TokenVerifier
    public_url: str
    synthetic_allowed: bool
    max_page: int
    clock: Callable[[], datetime]
    audit: Any = None  # the registers' verifiable log of person lookups (audit.log.MerkleLog), when kept


def _registers(request: Request[Any, Any, Any]) -> Registers:
    registers: Registers = request.app.state.registers
    return registers


async def authorise(request: Request[Any, Any, Any], scope: str) -> Principal:
    """The verified caller, holding ``scope``; ``AccessDenied`` (401/403) otherwise."""
    try:
        principal = await _registers(request).verifier.verify_authorization(request.headers.get("authorization"))
    except InsufficientScope as exc:
        raise AccessDenied(exc.message, status=403, error="insufficient_scope") from None
    except InvalidToken as exc:
        raise AccessDenied(exc.message) from None
    except JwksUnavailable as exc:
        raise RegisterUnavailable(exc.message) from None
    if scope not in principal.scopes:
        raise AccessDenied(f"the token lacks the scope {scope}", status=403, error="insufficient_scope")
    return principal


def parse_after(value: str | None, parameter: str) -> int:
    """A sequence cursor: a non-negative integer in ASCII digits (0 = from the start)."""
    if value is None or value == "":
        return 0
    try:
        return values.parse_whole_number(value, parameter=parameter, maximum=MAX_SEQUENCE)
    except ValueError:
        raise InvalidCursor(
            f"{parameter} must be a sequence number (0 or more), got {value[:30]!r}", parameter=parameter
        ) from None


def parse_limit(value: str | None, maximum: int) -> int:
    if value is None or value == "":
        return min(DEFAULT_PAGE, maximum)
    try:
        return values.parse_whole_number(value, parameter="antall", minimum=1, maximum=maximum)
    except ValueError:
        raise InvalidInput(
            f"antall must be a whole number from 1 to {maximum}, got {value[:30]!r}", parameter="antall"
        ) from None


def parse_timestamp(value: str, parameter: str) -> datetime:
    """An RFC 3339 timestamp with a time zone, or a date (the start of that day in Oslo), years 1900–2100.

    Strict (standard.values): ASCII digits, nothing around the value, and a year range that no time-zone
    conversion can overflow (``0001-01-01T00:00:00+01:00`` raised ``OverflowError``).
    """
    try:
        if len(value) == len("YYYY-MM-DD"):
            return oslo_start_of_day(values.parse_date(value, parameter=parameter))
        return values.parse_timestamp(value, parameter=parameter)
    except ValueError:
        raise InvalidCursor(
            f"{parameter} must be an ISO 8601 timestamp with a time zone, such as "
            f"2018-06-08T11:32:40.200Z, or a date, got {value[:40]!r}",
            parameter=parameter,
        ) from None


# ----------------------------------------------------------------------------------- Folkeregister


@get(FOLKEREGISTER + "/personer/{fnr:str}")
async def person(request: Request[Any, Any, Any], fnr: FromPath[str]) -> Person:
    principal = await authorise(request, SCOPE_FOLKEREGISTER)
    registers = _registers(request)
    number = person_id(fnr, "fnr", synthetic_allowed=registers.synthetic_allowed)
    found = await registers.folkeregister.person(number)
    log.info("person lookup by %s: %s", principal.consumer_org, "found" if found else "not found")
    await _audited(registers, principal, "person", number, found is not None)
    if found is None:
        raise NotFound("no person with this identifikasjonsnummer in Folkeregisteret", parameter="fnr")
    return for_bank(found)


async def _audited(registers: Registers, principal: Principal, endpoint: str, number: str, found: bool) -> None:
    """One record per lookup of a person, who asked and whether it was found (``audit``)."""
    if registers.audit is None:
        return
    from opendsop.audit.log import AuditRecord

    await registers.audit.append(
        AuditRecord(
            recorded_at=registers.clock(),
            consumer_org=principal.consumer_org,
            service="folkeregister",
            endpoint=endpoint,
            party_id=number,
            outcome="allowed" if found else "not-found",
            status=200 if found else 404,
            categories=("folkeregisteropplysninger",) if endpoint == "person" else ("vergemål",),
        )
    )


@get(FOLKEREGISTER + "/personer/{fnr:str}/vergemaal")
async def vergemaal(request: Request[Any, Any, Any], fnr: FromPath[str]) -> list[Vergemaal]:
    principal = await authorise(request, SCOPE_FOLKEREGISTER)
    registers = _registers(request)
    number = person_id(fnr, "fnr", synthetic_allowed=registers.synthetic_allowed)
    found = await registers.folkeregister.person(number) is not None
    await _audited(registers, principal, "vergemaal", number, found)
    if not found:
        raise NotFound("no person with this identifikasjonsnummer in Folkeregisteret", parameter="fnr")
    return await registers.folkeregister.guardianships(number)


@get(FOLKEREGISTER + "/hendelser")
async def hendelser(
    request: Request[Any, Any, Any], etter: FromQuery[str | None] = None, antall: FromQuery[str | None] = None
) -> Hendelsesside:
    await authorise(request, SCOPE_FOLKEREGISTER)
    registers = _registers(request)
    return await registers.folkeregister.events_after(
        parse_after(etter, "etter"), parse_limit(antall, registers.max_page)
    )


# --------------------------------------------------------------------------------- Konkursvarsel


def _summary(registers: Registers, notice: Konkursvarsel) -> KonkursvarselOppsummering:
    return KonkursvarselOppsummering(
        uuid=notice.uuid,
        registreringstidspunkt=notice.registreringstidspunkt,
        type=notice.type,
        debitor=notice.debitor,
        lenke=f"{registers.public_url}{KONKURS}/{notice.uuid}",
    )


async def _page(request: Request[Any, Any, Any], after: datetime | None, antall: str | None) -> Konkursvarselside:
    registers = _registers(request)
    found, more = await registers.konkurs.notices_after(after, parse_limit(antall, registers.max_page))
    return Konkursvarselside(konkursvarsler=tuple(_summary(registers, n) for n in found), flere=more)


@get(KONKURS)
async def konkursvarsler(
    request: Request[Any, Any, Any], debitor: FromQuery[str | None] = None, antall: FromQuery[str | None] = None
) -> Konkursvarselside:
    """Without a parameter: the feed from its start; with ``debitor``: every notice about that debtor."""
    await authorise(request, SCOPE_KONKURS)
    registers = _registers(request)
    if debitor is None:
        return await _page(request, None, antall)
    party = party_id(debitor, "debitor", synthetic_allowed=registers.synthetic_allowed)
    found = await registers.konkurs.notices_for(party.value)
    return Konkursvarselside(konkursvarsler=tuple(_summary(registers, n) for n in found), flere=False)


@get(KONKURS + "/oppdatert/{registreringstidspunkt:str}")
async def oppdatert(
    request: Request[Any, Any, Any], registreringstidspunkt: FromPath[str], antall: FromQuery[str | None] = None
) -> Konkursvarselside:
    await authorise(request, SCOPE_KONKURS)
    return await _page(request, parse_timestamp(registreringstidspunkt, "registreringstidspunkt"), antall)


@get(KONKURS + "/{uuid:str}")
async def konkursvarsel(request: Request[Any, Any, Any], uuid: FromPath[str]) -> Konkursvarsel:
    await authorise(request, SCOPE_KONKURS)
    try:
        key = str(values.parse_uuid(uuid, parameter="uuid"))
    except ValueError:
        raise InvalidInput(f"uuid must be a UUID, got {uuid[:40]!r}", parameter="uuid") from None
    found = await _registers(request).konkurs.notice(key)
    if found is None:
        raise NotFound(f"no Konkursvarsel with uuid {key}", parameter="uuid")
    return found


# -------------------------------------------------------------------------------- Enhetsregister


async def _orgnr(request: Request[Any, Any, Any], value: str, parameter: str = "orgnr") -> str:
    await authorise(request, SCOPE_ENHETSREGISTER)
    return org_id(value, parameter, synthetic_allowed=_registers(request).synthetic_allowed)


@get(ENHETSREGISTER + "/enheter/{orgnr:str}")
async def enhet(request: Request[Any, Any, Any], orgnr: FromPath[str]) -> Organisasjon:
    number = await _orgnr(request, orgnr)
    found = await _registers(request).enhetsregister.organisation(number)
    if found is None:
        raise NotFound(f"no organisation {number} in Enhetsregisteret", parameter="orgnr")
    return found


@get(ENHETSREGISTER + "/enheter/{orgnr:str}/roller")
async def roller(request: Request[Any, Any, Any], orgnr: FromPath[str]) -> Roller:
    number = await _orgnr(request, orgnr)
    found = await _registers(request).enhetsregister.roles(number)
    if found is None:
        raise NotFound(f"no organisation {number} in Enhetsregisteret", parameter="orgnr")
    return found


@post(ENHETSREGISTER + "/signaturrett", status_code=200)
async def signaturrett(request: Request[Any, Any, Any]) -> SignaturSvar:
    """Maskinell kontroll av signaturrett og prokura (body: models.SignaturSporsmal)."""
    await authorise(request, SCOPE_ENHETSREGISTER)
    registers = _registers(request)
    try:
        body = check_json_limits(await request.body(), max_bytes=MAX_BODY_BYTES)
        question = msgspec.json.decode(body, type=SignaturSporsmal)
    except ValueError as exc:  # over the limits (InvalidRequest), or msgspec's DecodeError/ValidationError
        raise InvalidInput(
            f'the body must be {{"organisasjonsnummer", "person", "sammenMed": [...]}}: {exc}', parameter="body"
        ) from None
    synthetic = registers.synthetic_allowed
    orgnr = org_id(question.organisasjonsnummer, "organisasjonsnummer", synthetic_allowed=synthetic)
    who = person_id(question.person, "person", synthetic_allowed=synthetic)
    others = [person_id(p, "sammenMed", synthetic_allowed=synthetic) for p in question.sammenMed]
    found = await registers.enhetsregister.signature_right(orgnr, who, others)
    if found is None:
        raise NotFound(f"no organisation {orgnr} in Enhetsregisteret", parameter="organisasjonsnummer")
    return found


@get(ENHETSREGISTER + "/oppdateringer/enheter")
async def oppdateringer(
    request: Request[Any, Any, Any], etter: FromQuery[str | None] = None, antall: FromQuery[str | None] = None
) -> Endringsside:
    await authorise(request, SCOPE_ENHETSREGISTER)
    registers = _registers(request)
    return await registers.enhetsregister.changes_after(
        parse_after(etter, "etter"), parse_limit(antall, registers.max_page)
    )


ROUTES = [
    person,
    vergemaal,
    hendelser,
    konkursvarsler,
    oppdatert,
    konkursvarsel,
    enhet,
    roller,
    signaturrett,
    oppdateringer,
]

__all__ = [
    "ROUTES",
    "SCOPE_ENHETSREGISTER",
    "SCOPE_FOLKEREGISTER",
    "SCOPE_KONKURS",
    "Registers",
    "authorise",
    "parse_after",
    "parse_limit",
    "parse_timestamp",
]
