"""NAV's Aa-registeret OTP API: employments of an employee for a pension institution, as GraphQL.

``POST /aareg/otp/graphql`` (the path is **decided**; NAV's integration page was not read) with
``{"query", "variables"}`` and scope ``nav:aareg/v1/arbeidsforhold/otp``.  The one query is the
documented example ``finnArbeidsforholdPrArbeidstaker(opplysningspliktigId, arbeidstakerId,
ansattFraMaaned, ansattTilMaaned?, skip, limit)``; without ``ansattTilMaaned`` everything up to the current
month.  The schema holds the OTP view only (DSOP Ajourhold FAQ): ``id``, ``type``, ``arbeidstaker{ident}``,
``ansettelsesperiode{startdato, sluttdato, sluttaarsak}``, ``ansettelsesdetaljer[]``, ``permisjoner[]``,
``permitteringer[]``, ``timerMedTimeloenn[]``, ``idHistorikk``; asking any other field fails validation
and is refused (400) before anything is read.

The access rule is Skatteetaten's (``standard.otp``): the asked months must lie inside the virkningsperiode
of the calling institution's avtaleforhold with the employer (NAV reads the same registry).  Refusals are
GraphQL error bodies ``{"data": null, "errors": [{"message", "extensions": {"code", "callId"}}]}`` with the
HTTP status of the fault (codes **decided**, NAV's error list was not read); every answer is audit-logged.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
import strawberry
from litestar import Request, Response, post
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types import ExecutionContext, Info

from opendsop.clock import oslo_today
from opendsop.contracts.verify import Principal
from opendsop.sources.gateway import Catalogue, Exchange, Failure, SourceError, SourceRuntime
from opendsop.sources.otp import window_months
from opendsop.sources.otp_agreements import Agreements
from opendsop.standard import otp
from opendsop.standard.errors import DsopError
from opendsop.standard.identifiers import validate_orgnr, validate_person_number
from opendsop.standard.values import Month, parse_month
from opendsop.synth.aordning import AOrdning, Employment, Leave

PATH = "/aareg/otp/graphql"
MAX_LIMIT = 100


def _graphql_body(code: str, _status: int, message: str, _parameter: str | None, correlation: str) -> dict[str, Any]:
    return {"data": None, "errors": [{"message": message, "extensions": {"code": code, "callId": correlation}}]}


CATALOGUE = Catalogue(
    {
        Failure.TOKEN: "UNAUTHENTICATED",
        Failure.SCOPE: "FORBIDDEN",
        Failure.FORBIDDEN: "FORBIDDEN",
        Failure.CONSENT: "FORBIDDEN",
        Failure.INPUT: "BAD_REQUEST",
        Failure.UNKNOWN_PARTY: "NOT_FOUND",
        Failure.NO_DATA: "NOT_FOUND",
        Failure.FORMAT: "NOT_ACCEPTABLE",
        Failure.UNAVAILABLE: "UNAVAILABLE",
    },
    {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "BAD_REQUEST": 400, "NOT_FOUND": 404, "NOT_ACCEPTABLE": 406,
     "UNAVAILABLE": 503},
    _graphql_body,
)  # fmt: skip


@strawberry.type
class Kodeverk:
    kode: str
    beskrivelse: str


@strawberry.type
class Arbeidstaker:
    ident: str


@strawberry.type
class Ansettelsesperiode:
    startdato: date
    sluttdato: date | None
    sluttaarsak: Kodeverk | None


@strawberry.type
class Rapporteringsmaaneder:
    fra: str
    til: str | None


@strawberry.type
class Ansettelsesdetaljer:
    type: str
    ansettelsesform: Kodeverk
    arbeidstidsordning: Kodeverk
    antall_timer_pr_uke: float
    avtalt_stillingsprosent: float
    rapporteringsmaaneder: Rapporteringsmaaneder


@strawberry.type
class Permisjon:
    id: str
    type: Kodeverk
    startdato: date
    sluttdato: date | None
    prosent: float


@strawberry.type
class TimerMedTimeloenn:
    rapporteringsmaaned: str
    antall: float


@strawberry.type
class IdHistorikk:
    id: str


@strawberry.type
class Arbeidsforhold:
    id: str
    type: Kodeverk
    arbeidstaker: Arbeidstaker
    ansettelsesperiode: Ansettelsesperiode
    ansettelsesdetaljer: list[Ansettelsesdetaljer]
    permisjoner: list[Permisjon]
    permitteringer: list[Permisjon]
    timer_med_timeloenn: list[TimerMedTimeloenn]
    id_historikk: list[IdHistorikk]


def _code(value: str) -> Kodeverk:
    return Kodeverk(kode=value, beskrivelse=value)


def _leave(leave: Leave) -> Permisjon:
    return Permisjon(
        id=leave.id, type=_code(leave.kind), startdato=leave.start, sluttdato=leave.end, prosent=float(leave.percent)
    )


def arbeidsforhold(employment: Employment) -> Arbeidsforhold:
    return Arbeidsforhold(
        id=employment.id,
        type=_code(employment.kind),
        arbeidstaker=Arbeidstaker(ident=employment.person),
        ansettelsesperiode=Ansettelsesperiode(
            startdato=employment.start,
            sluttdato=employment.end,
            sluttaarsak=_code(employment.sluttaarsak) if employment.sluttaarsak else None,
        ),
        ansettelsesdetaljer=[
            Ansettelsesdetaljer(
                type=d.kind,
                ansettelsesform=_code(d.form),
                arbeidstidsordning=_code(d.arbeidstidsordning),
                antall_timer_pr_uke=float(d.hours_per_week),
                avtalt_stillingsprosent=float(d.percent),
                rapporteringsmaaneder=Rapporteringsmaaneder(fra=str(d.first), til=str(d.last) if d.last else None),
            )
            for d in employment.details
        ],
        permisjoner=[_leave(p) for p in employment.permisjoner],
        permitteringer=[_leave(p) for p in employment.permitteringer],
        timer_med_timeloenn=[
            TimerMedTimeloenn(rapporteringsmaaned=str(m), antall=float(h)) for m, h in employment.hours
        ],
        id_historikk=[IdHistorikk(id=i) for i in employment.id_history],
    )


def _month(value: str, name: str) -> Month:
    try:
        return parse_month(value, parameter=name)
    except DsopError:
        raise SourceError(Failure.INPUT, f"{name} must be a month written YYYY-MM", parameter=name) from None


@strawberry.type
class Query:
    @strawberry.field
    async def finn_arbeidsforhold_pr_arbeidstaker(
        self,
        info: Info[dict[str, Any], None],
        opplysningspliktig_id: str,
        arbeidstaker_id: str,
        ansatt_fra_maaned: str,
        ansatt_til_maaned: str | None = None,
        skip: int = 0,
        limit: int = MAX_LIMIT,
    ) -> list[Arbeidsforhold]:
        """The employee's employments with the employer active in the months asked."""
        context = info.context
        service: Aareg = context["service"]
        return await service.find(
            context["principal"],
            opplysningspliktig_id,
            arbeidstaker_id,
            ansatt_fra_maaned,
            ansatt_til_maaned,
            skip,
            limit,
        )


class _Schema(strawberry.Schema):
    def process_errors(self, errors: list[Any], execution_context: ExecutionContext | None = None) -> None:
        """Refusals are answered and audit-logged by the runtime; nothing to log twice."""


SCHEMA = _Schema(query=Query, extensions=[ParserCache, ValidationCache])


class Aareg:
    def __init__(self, aordning: AOrdning, agreements: Agreements, runtime: SourceRuntime) -> None:
        self.aordning, self.agreements, self.runtime = aordning, agreements, runtime

    async def find(
        self,
        principal: Principal,
        employer_raw: str,
        person_raw: str,
        first_raw: str,
        last_raw: str | None,
        skip: int,
        limit: int,
    ) -> list[Arbeidsforhold]:
        try:
            employer = validate_orgnr(employer_raw, synthetic_allowed=True)
        except (ValueError, DsopError):
            raise SourceError(
                Failure.INPUT, "opplysningspliktigId is no valid orgnr", parameter="opplysningspliktigId"
            ) from None
        try:
            person = validate_person_number(person_raw, synthetic_allowed=True).value
        except (ValueError, DsopError):
            raise SourceError(
                Failure.INPUT, "arbeidstakerId is no valid fnr or D-nummer", parameter="arbeidstakerId"
            ) from None
        first = _month(first_raw, "ansattFraMaaned")
        last = (
            _month(last_raw, "ansattTilMaaned")
            if last_raw is not None
            else otp.month_of(oslo_today(self.runtime.clock))
        )
        if last < first:
            raise SourceError(Failure.INPUT, "ansattTilMaaned is before ansattFraMaaned", parameter="ansattTilMaaned")
        if skip < 0 or not 1 <= limit <= MAX_LIMIT:
            raise SourceError(Failure.INPUT, f"skip ≥ 0 and limit 1–{MAX_LIMIT}", parameter="limit")
        found = self.aordning.employers.get(employer)
        if found is None:
            raise SourceError(
                Failure.NO_DATA, "no opplysningspliktig with this orgnr", parameter="opplysningspliktigId"
            )
        window = await window_months(self.aordning, self.agreements, principal.consumer_org, employer)
        if not window:
            raise SourceError(
                Failure.FORBIDDEN, "no avtaleforhold reported by both sides", parameter="opplysningspliktigId"
            )
        missing = otp.outside(first, last, window)
        if missing:
            raise SourceError(
                Failure.FORBIDDEN,
                f"months outside the virkningsperiode: {', '.join(str(m) for m in missing[:6])}",
                parameter="ansattFraMaaned",
            )
        if person in self.aordning.shielded:
            raise SourceError(Failure.UNKNOWN_PARTY, "no such arbeidstaker", parameter="arbeidstakerId")
        asked = otp.months(first, last)
        hits = [e for e in found.employments if e.person == person and any(e.active_in(m) for m in asked)]
        return [arbeidsforhold(e) for e in hits[skip : skip + limit]]


def routes(aordning: AOrdning, agreements: Agreements, runtime: SourceRuntime) -> list[Any]:
    service = Aareg(aordning, agreements, runtime)

    @post(PATH, status_code=200)
    async def graphql(request: Request[Any, Any, Any]) -> Response[Any]:
        exchange = Exchange("finnArbeidsforholdPrArbeidstaker")

        async def handle() -> dict[str, Any]:
            exchange.principal = principal = await runtime.principal(
                request.headers.get("Authorization"), any_scope=(otp.SCOPE_AAREG,)
            )
            if not otp.accepts_json(request.headers.get("Accept")):
                raise SourceError(Failure.FORMAT, "only application/json is served", parameter="Accept")
            try:
                body = msgspec.json.decode(await request.body())
            except msgspec.DecodeError:
                body = None
            if not isinstance(body, dict) or not isinstance(body.get("query"), str):
                raise SourceError(Failure.INPUT, 'the body must be {"query": …, "variables": …}', parameter="query")
            variables = body.get("variables") or {}
            if not isinstance(variables, dict):
                raise SourceError(Failure.INPUT, "variables must be an object", parameter="variables")
            arbeidstaker = variables.get("arbeidstakerId")
            exchange.party_id = arbeidstaker[:64] if isinstance(arbeidstaker, str) else None
            result = await SCHEMA.execute(
                body["query"],
                variable_values=variables,
                operation_name=body.get("operationName"),
                context_value={"service": service, "principal": principal},
            )
            if result.errors:
                for error in result.errors:
                    if isinstance(error.original_error, SourceError):
                        raise error.original_error
                messages = "; ".join(error.message for error in result.errors)[:500]
                raise SourceError(Failure.INPUT, f"the query is outside the OTP view: {messages}", parameter="query")
            data = result.data or {}
            exchange.records = sum(len(v) for v in data.values() if isinstance(v, list))
            return {"data": data}

        return await runtime.run(request, exchange, handle)

    return [graphql]


__all__ = ["CATALOGUE", "PATH", "SCHEMA", "Aareg", "arbeidsforhold", "routes"]
