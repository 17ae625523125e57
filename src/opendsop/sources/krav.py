"""Skatteetaten "Krav og betalinger" (FI-K&B) as a consent-based data source (DSOP FI Krav og betalinger pages; DSOP SBL
“Samtykkeløsningen”; DSOP “Altinn 3.0”).

Paths in the "older example form" of DSOP FI Krav og betalinger pages
(``…/api/innkreving/kravogbetalinger/v1/{rettighetspakke}/{orgnr}/…``):

``GET …/finans/{id}/aapnekrav``                               open claims and unplaced payments, with totals
``GET …/finans/{id}/krav?fraOgMed=YYYY-MM-DD&tilOgMed=YYYY-MM-DD``        claims created in the window (≤ 1 year)
``GET …/finans/{id}/innbetalinger?fraOgMed=YYYY-MM-DD&tilOgMed=YYYY-MM-DD`` payments made in the window (≤ 1 year)
``GET …/finans/{id}/utbetalinger``                            not yet available (KB-003)

Scope ``skatteetaten:kravogbetalinger``; rettighetspakke ``finans`` (banks; ``regnskapssystem`` is for
accounting systems and is refused here with DAS-008).  Consent ``ske-krav-betalinger`` in the access
token's ``authorization_details``, given by the organisation ``{id}`` to the token's ``consumer`` for
at most 90 days; re-checked with the consent service when configured.

Totals (``totalOversikt``, also ``oversiktPerKravgruppe``): ``sumForfalteKrav`` / ``sumIkkeForfalteKrav``
are the remaining amounts of open claims due before / from today, ``sumStipulerteRenter`` their
estimated interest, ``sumUplasserteInnbetalinger`` the unplaced payments, and
``saldo = forfalte + ikke forfalte + renter − uplasserte`` (the documented example: 1000 + 20 = 1020).

Errors (api-dokumentasjon Krav og betalinger "Feilkoder"): KB-003 404 unknown URL, KB-004 401
authentication, KB-005 403 consent, KB-006 400 input, KB-007 404 nothing found for identifier and
period, KB-009 404 unknown identifier; DAS-008 403 not authorised (scope, rettighetspakke).
Body ``{"kode", "melding", "korrelasjonsid"}``.  Every answer is audit-logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.exceptions import HTTPException
from litestar.params import FromPath

from opendsop.audit.log import AuditLog, MemoryAuditLog
from opendsop.clock import oslo_today
from opendsop.clock import utc_now as _utcnow
from opendsop.contracts.verify import TokenVerifier
from opendsop.sources import _resources as resources
from opendsop.sources.consent_check import ConsentStatus
from opendsop.sources.data import Innbetaling, Krav, Organisation, World
from opendsop.sources.gateway import (
    Catalogue,
    Clock,
    Exchange,
    Failure,
    SourceError,
    SourceRuntime,
    skatteetaten_body,
)
from opendsop.standard.identifiers import validate_orgnr
from opendsop.standard.period import years_before
from opendsop.standard.values import parse_date

SCOPE = "skatteetaten:kravogbetalinger"
PACKAGE = "finans"
BASE = "/api/innkreving/kravogbetalinger/v1/{rettighetspakke:str}/{id:str}"
CATALOGUE = Catalogue(
    {
        Failure.TOKEN: "KB-004",
        Failure.SCOPE: "DAS-008",
        Failure.CONSENT: "KB-005",
        Failure.INPUT: "KB-006",
        Failure.NO_DATA: "KB-007",
        Failure.UNKNOWN_PARTY: "KB-009",
        Failure.UNAVAILABLE: "KB-002",
    },
    {
        "KB-002": 500,
        "KB-003": 404,
        "KB-004": 401,
        "KB-005": 403,
        "KB-006": 400,
        "KB-007": 404,
        "KB-009": 404,
        "DAS-008": 403,
    },
    skatteetaten_body,
)


def _money(value: Decimal) -> float:
    return float(value)


def _krav(krav: Krav) -> dict[str, Any]:
    return {
        "kravidentifikator": krav.krav_id,
        "kravbeskrivelse": krav.beskrivelse,
        "opprettelsesdatoForKrav": krav.opprettet.isoformat(),
        "kravperiode": f"{krav.opprettet.year}/{krav.opprettet.month:02d}",
        "opprinneligBeloep": _money(krav.opprinnelig),
        "kravforfall": [
            {
                "forfallsdato": krav.forfallsdato.isoformat(),
                "opprinneligBeloep": _money(krav.opprinnelig),
                "gjenstaaendeBeloep": _money(krav.gjenstaaende),
                "plassertInnbetaling": [
                    {
                        "betaltFra": {"konto": {}},
                        "plassertBeloep": _money(p.beloep),
                        "plasseringsdato": p.dato.isoformat(),
                        "innbetalingsIdentifikator": p.innbetaling_id,
                    }
                    for p in krav.placements
                ],
                "plassertMotkrav": [],
                "kravforfallsIdentifikator": krav.forfall_id,
                "betalingsinformasjon": {"konto": {"kontonummer": krav.konto}},
                "utsattIverksettelse": False,
            }
        ],
        "gjenstaaendeBeloep": _money(krav.gjenstaaende),
        "stipulerteRenter": _money(krav.stipulerte_renter),
        "kravtype": krav.kravtype,
        "kravgruppe": krav.kravgruppe,
    }


def _innbetaling(orgnr: str, payment: Innbetaling) -> dict[str, Any]:
    return {
        "partIdentifikator": orgnr,
        "innbetalingsidentifikator": payment.innbetaling_id,
        "innbetalingsdato": payment.dato.isoformat(),
        "innbetaltBeloep": _money(payment.beloep),
        "plassertInnbetalingMotKrav": [],
        "betaltTilKonto": {"kontonummer": payment.til_konto},
        "betaltFra": {"konto": {"kontoeiersNavn": payment.fra_navn, "kontonummer": payment.fra_konto}},
        "innbetalingstype": "bankoverføring",
    }


def _sums(open_krav: Iterable[Krav], unplaced: Decimal, today: date) -> dict[str, float]:
    items = list(open_krav)
    due = sum((k.gjenstaaende for k in items if k.forfallsdato < today), start=Decimal(0))
    not_due = sum((k.gjenstaaende for k in items if k.forfallsdato >= today), start=Decimal(0))
    interest = sum((k.stipulerte_renter for k in items), start=Decimal(0))
    return {
        "sumStipulerteRenter": _money(interest),
        "sumForfalteKrav": _money(due),
        "sumIkkeForfalteKrav": _money(not_due),
        "saldo": _money(due + not_due + interest - unplaced),
    }


def open_claims_body(org: Organisation, today: date) -> dict[str, Any]:
    open_krav = [k for k in org.krav if k.gjenstaaende > 0]
    unplaced = [p for p in org.innbetalinger if p.uplassert > 0]
    unplaced_sum = sum((p.uplassert for p in unplaced), start=Decimal(0))
    total = {**_sums(open_krav, unplaced_sum, today), "sumUplasserteInnbetalinger": _money(unplaced_sum)}
    groups = sorted({k.kravgruppe for k in open_krav})
    return {
        "partIdentifikator": org.orgnr,
        "aapentKravMedGjenstaaendeBeloep": [_krav(k) for k in open_krav],
        "innbetalingMedUplassertBeloep": [_innbetaling(org.orgnr, p) for p in unplaced],
        "totalOversikt": {
            key: total[key]
            for key in (
                "sumStipulerteRenter",
                "sumForfalteKrav",
                "sumIkkeForfalteKrav",
                "sumUplasserteInnbetalinger",
                "saldo",
            )
        },
        "oversiktPerKravgruppe": [
            {"kravgruppe": group, **_sums([k for k in open_krav if k.kravgruppe == group], Decimal(0), today)}
            for group in groups
        ],
    }


def _window(request: Request[Any, Any, Any]) -> tuple[date, date]:
    values = []
    for name in ("fraOgMed", "tilOgMed"):
        raw = request.query_params.get(name)
        try:
            values.append(parse_date(raw or "", parameter=name))
        except ValueError:
            raise SourceError(
                Failure.INPUT, f"{name} is required and must be a date written YYYY-MM-DD", parameter=name
            ) from None
    start, end = values
    if end < start:
        raise SourceError(Failure.INPUT, "tilOgMed is before fraOgMed", parameter="tilOgMed")
    if years_before(end, 1) > start:
        raise SourceError(Failure.INPUT, "the period fraOgMed‥tilOgMed may be at most one year", parameter="tilOgMed")
    return start, end


def _body_for(endpoint: str, org: Organisation, start: date | None, end: date | None, today: date) -> dict[str, Any]:
    if endpoint == "aapnekrav":
        return open_claims_body(org, today)
    assert start is not None and end is not None
    period = {"fraOgMed": start.isoformat(), "tilOgMed": end.isoformat()}
    if endpoint == "krav":
        return {
            "partIdentifikator": org.orgnr,
            "periode": period,
            "krav": [_krav(k) for k in org.krav if start <= k.opprettet <= end],
        }
    return {
        "partIdentifikator": org.orgnr,
        "periode": period,
        "innbetaling": [_innbetaling(org.orgnr, p) for p in org.innbetalinger if start <= p.dato <= end],
    }


def _orgnr(value: str) -> str:
    try:
        return validate_orgnr(value, synthetic_allowed=True)
    except ValueError as exc:
        raise SourceError(
            Failure.INPUT, f"the identifier is not a valid organisasjonsnummer: {exc}", parameter="id"
        ) from None


class _KravOgBetalinger:
    def __init__(self, world: World, runtime: SourceRuntime) -> None:
        self.world, self.runtime = world, runtime

    async def serve(
        self, request: Request[Any, Any, Any], endpoint: str, package: str, org_id: str, windowed: bool
    ) -> Response[Any]:
        runtime = self.runtime
        exchange = Exchange(endpoint, party_id=org_id[:64])

        async def handle() -> dict[str, Any]:
            exchange.principal = principal = await runtime.principal(
                request.headers.get("Authorization"), any_scope=(SCOPE,)
            )
            if package != PACKAGE:
                raise SourceError(
                    Failure.SCOPE,
                    f"rettighetspakke {package[:40]!r} is not available to banks; use {PACKAGE!r}",
                    parameter="rettighetspakke",
                )
            orgnr = _orgnr(org_id)
            parameters: dict[str, str] = {}
            if windowed:
                exchange.from_date, exchange.to_date = _window(request)
                parameters = {"fraOgMed": exchange.from_date.isoformat(), "tilOgMed": exchange.to_date.isoformat()}
            grant = runtime.consent(
                principal,
                resource=resources.KRAV,
                subject=orgnr,
                max_validity=resources.MAX_VALIDITY[resources.KRAV],
                parameters=parameters,
            )
            exchange.consent_id = grant.id
            await runtime.still_active(grant)
            org = self.world.organisations.get(orgnr)
            if org is None:
                raise SourceError(Failure.UNKNOWN_PARTY, "no organisation with the given identifier", parameter="id")
            body = _body_for(endpoint, org, exchange.from_date, exchange.to_date, oslo_today(runtime.clock))
            exchange.records = sum(len(v) for v in body.values() if isinstance(v, list))
            if endpoint != "aapnekrav" and not exchange.records:
                raise SourceError(Failure.NO_DATA, f"no {endpoint} for the identifier in the period", parameter="id")
            return body

        return await runtime.run(request, exchange, handle)


def create_app(
    world: World,
    *,
    verifier: TokenVerifier,
    audit: AuditLog | None = None,
    clock: Clock | None = None,
    consent_status: ConsentStatus | None = None,
) -> Litestar:
    """The Krav og betalinger source over ``world``; ``verifier`` needs no required scopes."""
    service = _KravOgBetalinger(
        world,
        SourceRuntime(
            service="ske-krav-betalinger",
            catalogue=CATALOGUE,
            verifier=verifier,
            audit=audit or MemoryAuditLog(),
            clock=clock or _utcnow,
            consent_status=consent_status,
        ),
    )
    serve = service.serve

    @get(BASE + "/aapnekrav")
    async def aapnekrav(
        request: Request[Any, Any, Any], rettighetspakke: FromPath[str], id: FromPath[str]
    ) -> Response[Any]:  # noqa: A002
        return await serve(request, "aapnekrav", rettighetspakke, id, windowed=False)

    @get(BASE + "/krav")
    async def krav(request: Request[Any, Any, Any], rettighetspakke: FromPath[str], id: FromPath[str]) -> Response[Any]:  # noqa: A002
        return await serve(request, "krav", rettighetspakke, id, windowed=True)

    @get(BASE + "/innbetalinger")
    async def innbetalinger(
        request: Request[Any, Any, Any], rettighetspakke: FromPath[str], id: FromPath[str]
    ) -> Response[Any]:  # noqa: A002
        return await serve(request, "innbetalinger", rettighetspakke, id, windowed=True)

    def unknown(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        if exc.status_code == 404:
            return Response(
                skatteetaten_body("KB-003", 404, "unknown URL (utbetalinger is not yet available)", None, ""),
                status_code=404,
            )
        return Response(
            skatteetaten_body(f"HTTP-{exc.status_code}", exc.status_code, str(exc.detail), None, ""),
            status_code=exc.status_code,
        )

    return Litestar(
        route_handlers=[aapnekrav, krav, innbetalinger],
        exception_handlers={HTTPException: unknown},
        logging_config=None,
    )


__all__ = ["CATALOGUE", "SCOPE", "create_app", "open_claims_body"]
