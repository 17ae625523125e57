"""NAV "Syke- og uføreopplysninger" (SSU) as a consent-based data source (DSOP SSU pages; DSOP SBL “Samtykkeløsningen”;
DSOP “Altinn 3.0”).

The DSOP SSU pages name only the operations, not their paths or the consent header, so this
stand-in **decides**:

``GET /arbeid/v1/aap/vedtak``            ``finnVedtakListe``   — AAP decisions, scope ``nav:arbeid/v1/aap``
``GET /arbeid/v1/aap/meldekort``         ``finnMeldekortListe`` — AAP reporting cards, same scope
``GET /helse/v1/uforeopplysninger``      ``getUforedata``      — disability-benefit decisions,
                                                                 scope ``nav:helse/v1/uforeopplysninger``

The person is named in the header ``Nav-Personident``; ``Nav-Call-Id`` is the correlation id.
Optional query ``fraOgMed`` / ``tilOgMed`` (YYYY-MM-DD) narrow the list to entries overlapping the
period.  Lists come chronologically by from-date (DSOP SSU pages); invalidated decisions (``tilDato`` the day
before ``fraDato``) are delivered as they are — the insurer interprets them (FAQ).  Sykepenger is
not served (postponed indefinitely).

Consent: resource ``nav-ssu`` in the access token's ``authorization_details``, given to the token's
``consumer`` by this person, at most 3 years; NAV checks the org in the consent equals the org in the
token (DSOP SSU pages).  With a ``metaData`` period the asked period must lie inside it.  Revocation is
re-checked with the consent service when configured.  Errors (codes not documented): 400, 401, 403
(scope or consent), 404 (person unknown); body ``{"status", "melding", "callId"}``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from litestar import Litestar, Request, Response, get

from opendsop.audit.log import AuditLog, MemoryAuditLog
from opendsop.clock import utc_now as _utcnow
from opendsop.contracts.verify import TokenVerifier
from opendsop.sources import _resources as resources
from opendsop.sources.consent_check import ConsentStatus
from opendsop.sources.data import Person, World
from opendsop.sources.gateway import Catalogue, Clock, Exchange, Failure, SourceError, SourceRuntime
from opendsop.standard.identifiers import validate_person_number
from opendsop.standard.values import parse_date

if TYPE_CHECKING:
    from opendsop.sources.otp_agreements import Agreements
    from opendsop.synth.aordning import AOrdning

SCOPE_AAP = "nav:arbeid/v1/aap"
SCOPE_UFORE = "nav:helse/v1/uforeopplysninger"
PERSON_HEADER = "Nav-Personident"
CALL_ID = "Nav-Call-Id"


def _body(code: str, status: int, message: str, _parameter: str | None, correlation: str) -> dict[str, Any]:
    return {"status": status, "melding": message, "callId": correlation}


CATALOGUE = Catalogue(
    {
        Failure.TOKEN: "401",
        Failure.SCOPE: "403",
        Failure.INPUT: "400",
        Failure.CONSENT: "403",
        Failure.UNKNOWN_PARTY: "404",
        Failure.NO_DATA: "404",
        Failure.UNAVAILABLE: "500",
    },
    {"400": 400, "401": 401, "403": 403, "404": 404, "500": 500},
    _body,
)


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return parse_date(value, parameter=name)
    except ValueError:
        raise SourceError(Failure.INPUT, f"{name} must be a date written YYYY-MM-DD", parameter=name) from None


def _overlaps(start: date, end: date, asked_from: date | None, asked_to: date | None) -> bool:
    end = max(start, end)  # an invalidated decision ends before it starts: treat it as its start day
    return (asked_from is None or end >= asked_from) and (asked_to is None or start <= asked_to)


def aap_vedtak_body(person: Person, asked_from: date | None, asked_to: date | None) -> dict[str, Any]:
    return {
        "vedtaksliste": [
            {
                "vedtakId": v.vedtak_id,
                "rettighetstype": "AAP",
                "vedtakstype": v.vedtakstype,
                "status": v.status,
                "fraDato": v.fra_dato.isoformat(),
                "tilDato": v.til_dato.isoformat(),
            }
            for v in sorted(person.aap_vedtak, key=lambda v: v.fra_dato)
            if _overlaps(v.fra_dato, v.til_dato, asked_from, asked_to)
        ]
    }


def meldekort_body(person: Person, asked_from: date | None, asked_to: date | None) -> dict[str, Any]:
    return {
        "meldekortliste": [
            {
                "meldekortId": m.meldekort_id,
                "fraDato": m.fra_dato.isoformat(),
                "tilDato": m.til_dato.isoformat(),
                "timerArbeidet": float(m.timer_arbeidet),
            }
            for m in sorted(person.meldekort, key=lambda m: m.fra_dato)
            if _overlaps(m.fra_dato, m.til_dato, asked_from, asked_to)
        ]
    }


def ufore_body(person: Person, asked_from: date | None, asked_to: date | None) -> dict[str, Any]:
    return {
        "vedtak": [
            {
                "vedtakId": u.vedtak_id,
                "virkningsdato": u.virkningsdato.isoformat(),
                "uforegrad": u.uforegrad,
                "uforetidspunkt": u.uforetidspunkt.isoformat(),
            }
            for u in sorted(person.ufore_vedtak, key=lambda u: u.virkningsdato)
            if asked_to is None or u.virkningsdato <= asked_to
        ]
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
    """The NAV SSU source over ``world``; ``verifier`` needs no required scopes.

    With ``aordning`` it also serves the Aa-registeret OTP API (``sources.aareg``) over the avtaleforhold
    registry ``agreements`` (Skatteetaten's; in memory when not given).
    """
    runtime = SourceRuntime(
        service="nav-ssu",
        catalogue=CATALOGUE,
        verifier=verifier,
        audit=audit or MemoryAuditLog(),
        clock=clock or _utcnow,
        consent_status=consent_status,
        correlation_header=CALL_ID,
    )

    async def serve(request: Request[Any, Any, Any], endpoint: str, scope: str, build: Any) -> Response[Any]:
        exchange = Exchange(endpoint, party_id=(request.headers.get(PERSON_HEADER) or "").strip()[:64] or None)

        async def handle() -> dict[str, Any]:
            exchange.principal = principal = await runtime.principal(
                request.headers.get("Authorization"), any_scope=(scope,)
            )
            raw = (request.headers.get(PERSON_HEADER) or "").strip()
            if not raw:
                raise SourceError(Failure.INPUT, f"the header {PERSON_HEADER} is missing", parameter=PERSON_HEADER)
            try:
                fnr = validate_person_number(raw, synthetic_allowed=True).value
            except ValueError as exc:
                raise SourceError(
                    Failure.INPUT,
                    f"{PERSON_HEADER} is not a valid fødselsnummer or D-nummer: {exc}",
                    parameter=PERSON_HEADER,
                ) from None
            asked_from = _date(request.query_params.get("fraOgMed"), "fraOgMed")
            asked_to = _date(request.query_params.get("tilOgMed"), "tilOgMed")
            if asked_from and asked_to and asked_to < asked_from:
                raise SourceError(Failure.INPUT, "tilOgMed is before fraOgMed", parameter="tilOgMed")
            exchange.from_date, exchange.to_date = asked_from, asked_to
            parameters = {
                key: value.isoformat()
                for key, value in (("fraOgMed", asked_from), ("tilOgMed", asked_to))
                if value is not None
            }
            grant = runtime.consent(
                principal,
                resource=resources.SSU,
                subject=fnr,
                max_validity=resources.MAX_VALIDITY[resources.SSU],
                parameters=parameters,
            )
            exchange.consent_id = grant.id
            await runtime.still_active(grant)
            person = world.persons.get(fnr)
            if person is None:
                raise SourceError(
                    Failure.UNKNOWN_PARTY, f"NAV knows no person with this {PERSON_HEADER}", parameter=PERSON_HEADER
                )
            body: dict[str, Any] = build(person, asked_from, asked_to)
            exchange.records = sum(len(value) for value in body.values())
            return body

        return await runtime.run(request, exchange, handle)

    @get("/arbeid/v1/aap/vedtak")
    async def finn_vedtak_liste(request: Request[Any, Any, Any]) -> Response[Any]:
        return await serve(request, "finnVedtakListe", SCOPE_AAP, aap_vedtak_body)

    @get("/arbeid/v1/aap/meldekort")
    async def finn_meldekort_liste(request: Request[Any, Any, Any]) -> Response[Any]:
        return await serve(request, "finnMeldekortListe", SCOPE_AAP, meldekort_body)

    @get("/helse/v1/uforeopplysninger")
    async def get_uforedata(request: Request[Any, Any, Any]) -> Response[Any]:
        return await serve(request, "getUforedata", SCOPE_UFORE, ufore_body)

    handlers: list[Any] = [finn_vedtak_liste, finn_meldekort_liste, get_uforedata]
    if aordning is not None:
        from opendsop.sources import aareg
        from opendsop.sources.otp_agreements import MemoryAgreements

        aareg_runtime = SourceRuntime(
            service="nav-aareg-otp",
            catalogue=aareg.CATALOGUE,
            verifier=verifier,
            audit=runtime.audit,
            clock=runtime.clock,
            correlation_header=CALL_ID,
        )
        handlers += aareg.routes(aordning, agreements or MemoryAgreements(), aareg_runtime)
    return Litestar(route_handlers=handlers, logging_config=None)


__all__ = ["CATALOGUE", "SCOPE_AAP", "SCOPE_UFORE", "aap_vedtak_body", "create_app", "meldekort_body", "ufore_body"]
