"""Skatteetaten as a consent-based data source for SBL (DSOP SBL “Om tjenesten”; DSOP SBL “Samtykkeløsningen”; DSOP
“Altinn 3.0”).

Endpoints (paths as documented in DSOP SBL “Om tjenesten”; each real API has its own host, so the host name becomes the
first path segment where DSOP SBL “Om tjenesten” gives only a base URL):

``GET /sistetilgjengeligeskatteoppgjoer/v1/{personidentifikator}``
    Siste tilgjengelige skatteoppgjør: **no consent**, but a valid token with
    ``skatteetaten:summertskattegrunnlag`` or ``skatteetaten:spesifisertsummertskattegrunnlag``
    ("no own scope").  ``{"personidentifikator", "ressursId": "skattegrunnlag",
    "sisteTilgjengeligePeriode": "YYYY"}``.  Errors TD-002 (401), TD-003 (400), TD-004 (404), DAS-008 (403).
``GET /api/innrapportert/inntektsmottaker/{rettighetspakke}/{personidentifikator}/oppgave/inntekt``
``?fraOgMed=YYYY-MM[&tilOgMed=YYYY-MM]``
    Income per month from the a-ordning; scope ``skatteetaten:inntekt``; consent ``ske-sbl-inntekt``
    whose ``metaData`` period contains the asked one.  Errors IM-004..IM-008, IM-010.
``GET /api/formueinntekt/spesifisertsummertskattegrunnlag[/{stadie}]/{rettighetspakke}/{inntektsaar}/``
``{personidentifikator}``
    Summarised tax base; ``stadie`` defaults to ``oppgjoer``; scope
    ``skatteetaten:summertskattegrunnlag`` (or the old ``…spesifisertsummertskattegrunnlag``);
    consent ``ske-sbl-inntekt`` with the same ``inntektsaar``; **only the latest available income
    year** (the one the no-consent endpoint names) is served with consent — any other is SSG-006.
    Errors SSG-004..SSG-008, SSG-010.

The consent is the ``authorization_details`` of the access token (Altinn 3); it must be given to the
token's ``consumer``, for this person, for at most 10 days (Skatteetaten rejects longer consents even
when used within 10 days), and not be revoked (checked with the consent service when configured).
Only ``rettighetspakke`` ``sbl`` is served here (``otp`` is statutory, not consent-based): another
package is refused as an authorisation error (IM-005 / SSG-005).  The answer is filtered to the
fields and income codes flagged ``sbl``.  Every answer is audit-logged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.exceptions import HTTPException
from litestar.params import FromPath

from opendsop.audit.log import AuditLog, MemoryAuditLog
from opendsop.clock import utc_now as _utcnow
from opendsop.contracts.verify import TokenVerifier
from opendsop.sources import _resources as resources
from opendsop.sources.consent_check import ConsentGrant, ConsentStatus
from opendsop.sources.data import Person, World
from opendsop.sources.gateway import (
    Catalogue,
    Clock,
    Exchange,
    Failure,
    SourceError,
    SourceRuntime,
    skatteetaten_body,
)
from opendsop.sources.otp import OtpService, unknown_url_code
from opendsop.sources.otp import routes as otp_routes
from opendsop.sources.otp_agreements import Agreements
from opendsop.standard.identifiers import validate_person_number
from opendsop.standard.otp import PACKAGE as OTP_PACKAGE
from opendsop.standard.values import Month, parse_month, parse_year
from opendsop.synth.aordning import AOrdning

PACKAGE = "sbl"
SCOPE_INNTEKT = "skatteetaten:inntekt"
SCOPES_SKATTEGRUNNLAG = ("skatteetaten:summertskattegrunnlag", "skatteetaten:spesifisertsummertskattegrunnlag")
STADIER = ("oppgjoer", "utkast", "fastsatt")

# api-dokumentasjon "Feilkoder" tables (SSG-001..004 by the same pattern as IM-001..004) and DAS-008.
STATUSES = {
    "IM-004": 401,
    "IM-005": 403,
    "IM-006": 400,
    "IM-007": 404,
    "IM-008": 404,
    "IM-010": 403,
    "IM-002": 500,
    "SSG-004": 401,
    "SSG-005": 403,
    "SSG-006": 400,
    "SSG-007": 404,
    "SSG-008": 404,
    "SSG-010": 403,
    "SSG-002": 500,
    "TD-001": 500,
    "TD-002": 401,
    "TD-003": 400,
    "TD-004": 404,
    "DAS-008": 403,
    "DAS-002": 404,
}
INNTEKT = Catalogue(
    {
        Failure.TOKEN: "IM-004",
        Failure.SCOPE: "IM-005",
        Failure.INPUT: "IM-006",
        Failure.UNKNOWN_PARTY: "IM-007",
        Failure.NO_DATA: "IM-008",
        Failure.CONSENT: "IM-010",
        Failure.UNAVAILABLE: "IM-002",
    },
    STATUSES,
    skatteetaten_body,
)
SKATTEGRUNNLAG = Catalogue(
    {
        Failure.TOKEN: "SSG-004",
        Failure.SCOPE: "SSG-005",
        Failure.INPUT: "SSG-006",
        Failure.UNKNOWN_PARTY: "SSG-007",
        Failure.NO_DATA: "SSG-008",
        Failure.CONSENT: "SSG-010",
        Failure.UNAVAILABLE: "SSG-002",
    },
    STATUSES,
    skatteetaten_body,
)
TILGJENGELIG = Catalogue(
    {
        Failure.TOKEN: "TD-002",
        Failure.SCOPE: "DAS-008",
        Failure.INPUT: "TD-003",
        Failure.UNKNOWN_PARTY: "TD-004",
        Failure.NO_DATA: "TD-004",
        Failure.CONSENT: "DAS-008",
        Failure.UNAVAILABLE: "TD-001",
    },
    STATUSES,
    skatteetaten_body,
)


def _person_id(value: str) -> str:
    try:
        return validate_person_number(value, synthetic_allowed=True).value
    except ValueError as exc:
        raise SourceError(
            Failure.INPUT,
            f"personidentifikator is not a valid fødselsnummer or D-nummer: {exc}",
            parameter="personidentifikator",
        ) from None


def _package(value: str) -> None:
    if value != PACKAGE:
        raise SourceError(
            Failure.SCOPE,
            f"rettighetspakke {value[:40]!r} is not available with consent here; only {PACKAGE!r} is",
            parameter="rettighetspakke",
        )


def _month(value: str | None, name: str) -> Month:
    try:
        return parse_month(value, parameter=name)
    except ValueError:
        raise SourceError(Failure.INPUT, f"{name} must be a month written YYYY-MM", parameter=name) from None


def _year(value: str, name: str) -> int:
    try:
        return parse_year(value, parameter=name)
    except ValueError:
        raise SourceError(Failure.INPUT, f"{name} must be a year written YYYY", parameter=name) from None


def _lookup(world: World, fnr: str) -> Person:
    person = world.persons.get(fnr)
    if person is None:
        raise SourceError(
            Failure.UNKNOWN_PARTY, "no person with the given personidentifikator", parameter="personidentifikator"
        )
    return person


def _require_metadata(grant: ConsentGrant, key: str) -> None:
    """An SBL consent names what it covers: a period (income) or an income year (tax base)."""
    right = grant.right_for(resources.SBL)
    if right is None or key not in right.metadata:
        raise SourceError(
            Failure.CONSENT,
            f"the consent does not name {key}, so it does not cover this request",
            parameter="authorization_details",
        )


def income_body(person: Person, start: Month, end: Month) -> dict[str, Any]:
    """``oppgaveInntektsmottaker[]`` for the months ``start``‥``end``, filtered to rettighetspakke sbl."""
    reports = []
    for report in person.income:
        if not start <= parse_month(report.kalendermaaned, parameter="kalendermaaned") <= end:  # as months
            continue
        incomes = [
            {
                "fordel": income.fordel,
                "utloeserArbeidsgiveravgift": income.kind == "loennsinntekt",
                "inngaarIGrunnlagForTrekk": True,
                "beloep": float(income.beloep),
                income.kind: {"beskrivelse": income.beskrivelse},
            }
            for income in report.incomes
            if PACKAGE in income.packages
        ]
        reports.append(
            {
                "opplysningspliktigId": report.opplysningspliktig,
                "virksomhetId": report.virksomhet,
                "kalendermaaned": report.kalendermaaned,
                "inntektsmottaker": {"personidentifikator": person.fnr},
                "inntekt": incomes,
            }
        )
    return {"oppgaveInntektsmottaker": reports}


class _Skatteetaten:
    """The three endpoints' logic over one world; each answer goes through its own catalogue's runtime."""

    def __init__(
        self, world: World, runtime: Callable[[Catalogue], SourceRuntime], otp_service: OtpService | None = None
    ) -> None:
        self.world = world
        self.otp = otp_service
        self.td, self.im, self.ssg = runtime(TILGJENGELIG), runtime(INNTEKT), runtime(SKATTEGRUNNLAG)

    async def siste(self, request: Request[Any, Any, Any], personidentifikator: str) -> Response[Any]:
        exchange = Exchange("sistetilgjengeligeskatteoppgjoer", party_id=personidentifikator[:64])

        async def handle() -> dict[str, Any]:
            exchange.principal = await self.td.principal(
                request.headers.get("Authorization"), any_scope=SCOPES_SKATTEGRUNNLAG
            )
            person = _lookup(self.world, _person_id(personidentifikator))
            exchange.records = 1
            return {
                "personidentifikator": person.fnr,
                "ressursId": "skattegrunnlag",
                "sisteTilgjengeligePeriode": str(person.latest_tax_year),
            }

        return await self.td.run(request, exchange, handle)

    async def inntekt(
        self, request: Request[Any, Any, Any], rettighetspakke: str, personidentifikator: str
    ) -> Response[Any]:
        if rettighetspakke == OTP_PACKAGE and self.otp is not None:  # statutory, no consent (sources.otp)
            return await self.otp.income(request, personidentifikator)
        exchange = Exchange("inntekt", party_id=personidentifikator[:64])
        asked_start, asked_end = request.query_params.get("fraOgMed"), request.query_params.get("tilOgMed")

        async def handle() -> dict[str, Any]:
            exchange.principal = principal = await self.im.principal(
                request.headers.get("Authorization"), any_scope=(SCOPE_INNTEKT,)
            )
            _package(rettighetspakke)
            fnr = _person_id(personidentifikator)
            first = _month(asked_start, "fraOgMed")
            last = _month(asked_end, "tilOgMed") if asked_end is not None else first
            if last < first:
                raise SourceError(Failure.INPUT, "tilOgMed is before fraOgMed", parameter="tilOgMed")
            start, end = str(first), str(last)
            exchange.from_date, exchange.to_date = first.first_day, last.first_day
            grant = self.im.consent(
                principal,
                resource=resources.SBL,
                subject=fnr,
                max_validity=resources.MAX_VALIDITY[resources.SBL],
                parameters={"fraOgMed": start, "tilOgMed": end},
            )
            exchange.consent_id = grant.id
            _require_metadata(grant, "fraOgMed")
            await self.im.still_active(grant)
            body = income_body(_lookup(self.world, fnr), first, last)
            exchange.records = len(body["oppgaveInntektsmottaker"])
            if not exchange.records:
                raise SourceError(Failure.NO_DATA, f"no income is reported for {start}‥{end}", parameter="fraOgMed")
            return body

        return await self.im.run(request, exchange, handle)

    async def skattegrunnlag(
        self,
        request: Request[Any, Any, Any],
        stadie: str,
        rettighetspakke: str,
        inntektsaar: str,
        personidentifikator: str,
    ) -> Response[Any]:
        exchange = Exchange("summertskattegrunnlag", party_id=personidentifikator[:64])

        async def handle() -> dict[str, Any]:
            exchange.principal = principal = await self.ssg.principal(
                request.headers.get("Authorization"), any_scope=SCOPES_SKATTEGRUNNLAG
            )
            if stadie not in STADIER:
                raise SourceError(Failure.INPUT, f"stadie must be one of {', '.join(STADIER)}", parameter="stadie")
            _package(rettighetspakke)
            year = _year(inntektsaar, "inntektsaar")
            fnr = _person_id(personidentifikator)
            exchange.from_date, exchange.to_date = date(year, 1, 1), date(year, 12, 31)
            grant = self.ssg.consent(
                principal,
                resource=resources.SBL,
                subject=fnr,
                max_validity=resources.MAX_VALIDITY[resources.SBL],
                parameters={"inntektsaar": str(year)},
            )
            exchange.consent_id = grant.id
            _require_metadata(grant, "inntektsaar")
            await self.ssg.still_active(grant)
            body = tax_base_body(_lookup(self.world, fnr), year, stadie)
            exchange.records = len(body["grunnlag"])
            return body

        return await self.ssg.run(request, exchange, handle)


def tax_base_body(person: Person, year: int, stadie: str) -> dict[str, Any]:
    """The summarised tax base of the latest available year, filtered to rettighetspakke sbl."""
    if year != person.latest_tax_year:
        raise SourceError(
            Failure.INPUT,
            f"with consent only the latest available income year ({person.latest_tax_year}) may be fetched, not {year}",
            parameter="inntektsaar",
        )
    base = person.tax_base(year)
    if base is None or stadie != "oppgjoer":
        raise SourceError(
            Failure.NO_DATA, f"no summarised tax base for {year} at stadie {stadie}", parameter="inntektsaar"
        )
    grunnlag = [
        {"tekniskNavn": item.teknisk_navn, "beloep": float(item.beloep), "kategori": item.kategori}
        for item in base.items
        if PACKAGE in item.packages
    ]
    return {
        "personidentifikator": person.fnr,
        "inntektsaar": str(year),
        "skjermet": False,
        "skatteoppgjoersdato": base.skatteoppgjoersdato.isoformat(),
        "stadie": stadie,
        "grunnlag": grunnlag,
    }


def create_app(
    world: World,
    *,
    verifier: TokenVerifier,
    audit: AuditLog | None = None,
    clock: Clock | None = None,
    consent_status: ConsentStatus | None = None,
    aordning: AOrdning | None = None,
    agreements: Agreements | None = None,
) -> Litestar:
    """The Skatteetaten SBL data source over ``world``; ``verifier`` needs no required scopes.

    With ``aordning`` it also serves Ajourhold av OTP (``sources.otp``) with ``agreements`` as the
    avtaleforhold registry (in memory when not given).
    """
    log = audit or MemoryAuditLog()

    def runtime(catalogue: Catalogue) -> SourceRuntime:
        return SourceRuntime(
            service="skatteetaten-sbl",
            catalogue=catalogue,
            verifier=verifier,
            audit=log,
            clock=clock or _utcnow,
            consent_status=consent_status,
        )

    otp_service = None
    if aordning is not None:
        from opendsop.sources.otp_agreements import MemoryAgreements

        otp_service = OtpService(aordning, agreements or MemoryAgreements(), runtime)
    service = _Skatteetaten(world, runtime, otp_service)

    @get("/sistetilgjengeligeskatteoppgjoer/v1/{personidentifikator:str}")
    async def siste_tilgjengelige(request: Request[Any, Any, Any], personidentifikator: FromPath[str]) -> Response[Any]:
        return await service.siste(request, personidentifikator)

    @get("/api/innrapportert/inntektsmottaker/{rettighetspakke:str}/{personidentifikator:str}/oppgave/inntekt")
    async def inntekt(
        request: Request[Any, Any, Any], rettighetspakke: FromPath[str], personidentifikator: FromPath[str]
    ) -> Response[Any]:
        return await service.inntekt(request, rettighetspakke, personidentifikator)

    @get(
        "/api/formueinntekt/spesifisertsummertskattegrunnlag/{stadie:str}/{rettighetspakke:str}/"
        "{inntektsaar:str}/{personidentifikator:str}"
    )
    async def skattegrunnlag_med_stadie(
        request: Request[Any, Any, Any],
        stadie: FromPath[str],
        rettighetspakke: FromPath[str],
        inntektsaar: FromPath[str],
        personidentifikator: FromPath[str],
    ) -> Response[Any]:
        return await service.skattegrunnlag(request, stadie, rettighetspakke, inntektsaar, personidentifikator)

    @get(
        "/api/formueinntekt/spesifisertsummertskattegrunnlag/{rettighetspakke:str}/{inntektsaar:str}/"
        "{personidentifikator:str}"
    )
    async def skattegrunnlag_oppgjoer(
        request: Request[Any, Any, Any],
        rettighetspakke: FromPath[str],
        inntektsaar: FromPath[str],
        personidentifikator: FromPath[str],
    ) -> Response[Any]:
        return await service.skattegrunnlag(request, "oppgjoer", rettighetspakke, inntektsaar, personidentifikator)

    def not_found(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        code = "DAS-002" if exc.status_code == 404 else f"HTTP-{exc.status_code}"
        if exc.status_code == 404:
            code = unknown_url_code(request.url.path) or code
        return Response(
            skatteetaten_body(
                code,
                exc.status_code,
                "the requested URL is not a valid endpoint" if exc.status_code == 404 else str(exc.detail),
                None,
                "",
            ),
            status_code=exc.status_code,
        )

    return Litestar(
        route_handlers=[
            siste_tilgjengelige,
            inntekt,
            skattegrunnlag_med_stadie,
            skattegrunnlag_oppgjoer,
            *(otp_routes(otp_service) if otp_service is not None else ()),
        ],
        exception_handlers={HTTPException: not_found},
        logging_config=None,
    )


__all__ = ["INNTEKT", "SKATTEGRUNNLAG", "TILGJENGELIG", "create_app", "income_body", "tax_base_body"]
