"""Skatteetaten's Ajourhold av OTP APIs (rettighetspakke ``otp``) over the synthetic a-ordning.

Paths (api-dokumentasjon "Tjenestepensjonsavtale API", "Inntektsmottakere API", "Inntekt API"; the
Inntektsmottakere path is **decided**, its OpenAPI was not read):

``POST|DELETE /api/tjenestepensjonsavtale/v1/otp/avtaleforhold``            register/change, delete
``GET /api/tjenestepensjonsavtale/v1/otp/avtaleforhold/gyldighet``          months without avtaleforhold
``GET /api/tjenestepensjonsavtale/v1/otp/avtaleforhold/virkningsperiode/gyldighet``
``GET /api/inntektsmottakere/v1/otp/{opplysningspliktig}?fraOgMed&tilOgMed`` employees of an employer
``GET /api/innrapportert/inntektsmottaker/otp/{personidentifikator}/oppgave/inntekt?fraOgMed&tilOgMed``

No consent: the legal basis is skatteforvaltningsloven § 3-6 (3) and the access rules are the
avtaleforhold and virkningsperiode of ``standard.otp``, for the calling institution (the token's
consumer).  Errors are each API's own table (``standard.otp``), body ``{"kode", "melding", "korrelasjonsid"}``.
**Decided:** a month outside the avtaleforhold/virkningsperiode, or no agreement reported by both sides,
is an authorisation error (xx-005, the months listed); a shielded person's income is "unknown person"
(IM-007) so that the answer does not reveal the shielding; a month not yet complete (before the 10th of
the month after) is left out, and nothing left is IM-008.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.params import FromPath

from opendsop.clock import oslo_today
from opendsop.contracts.verify import Principal
from opendsop.sources.gateway import Catalogue, Exchange, Failure, SourceError, SourceRuntime, skatteetaten_body
from opendsop.sources.otp_agreements import Agreements
from opendsop.standard import otp
from opendsop.standard.errors import DsopError
from opendsop.standard.identifiers import validate_orgnr, validate_person_number
from opendsop.standard.otp import Agreement, Fault
from opendsop.standard.values import Month, parse_month
from opendsop.synth.aordning import AOrdning

_KINDS = {
    Failure.TOKEN: Fault.AUTHENTICATION,
    Failure.SCOPE: Fault.AUTHORISATION,
    Failure.FORBIDDEN: Fault.AUTHORISATION,
    Failure.CONSENT: Fault.CONSENT,
    Failure.INPUT: Fault.INPUT,
    Failure.UNKNOWN_PARTY: Fault.UNKNOWN_PERSON,
    Failure.NO_DATA: Fault.NO_DATA,
    Failure.FORMAT: Fault.FORMAT,
    Failure.UNAVAILABLE: Fault.BACKEND,
}


def catalogue(table: Mapping[Fault, tuple[str, int]]) -> Catalogue:
    """A source catalogue from one of ``standard.otp``'s error tables (a missing kind falls back to no-data)."""
    codes = {failure: table.get(kind, table[Fault.NO_DATA])[0] for failure, kind in _KINDS.items()}
    return Catalogue(codes, {code: status for code, status in table.values()}, skatteetaten_body)


INNTEKT = catalogue(otp.INNTEKT_ERRORS)
INNTEKTSMOTTAKERE = catalogue(otp.INNTEKTSMOTTAKERE_ERRORS)
TJENESTEPENSJONSAVTALE = catalogue(otp.TJENESTEPENSJONSAVTALE_ERRORS)
_AVTALE_BASE = "/api/tjenestepensjonsavtale/v1/{rettighetspakke:str}/avtaleforhold"


def _month(value: object, name: str) -> Month:
    try:
        return parse_month(value, parameter=name)
    except DsopError:
        raise SourceError(Failure.INPUT, f"{name} must be a month written YYYY-MM", parameter=name) from None


def _span(first_raw: object, last_raw: object) -> tuple[Month, Month]:
    first = _month(first_raw, "fraOgMed")
    last = _month(last_raw, "tilOgMed") if last_raw is not None else first
    if last < first:
        raise SourceError(Failure.INPUT, "tilOgMed is before fraOgMed", parameter="tilOgMed")
    return first, last


def _orgnr(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise SourceError(Failure.INPUT, f"{name} must be an organisasjonsnummer", parameter=name)
    try:
        return validate_orgnr(value, synthetic_allowed=True)
    except DsopError:
        raise SourceError(Failure.INPUT, f"{name} is not a valid organisasjonsnummer", parameter=name) from None


def _package(value: str) -> None:
    if value != otp.PACKAGE:
        raise SourceError(
            Failure.FORBIDDEN, f"rettighetspakke must be {otp.PACKAGE!r} here", parameter="rettighetspakke"
        )


def _shown(months: tuple[Month, ...]) -> str:
    text = ", ".join(str(m) for m in months[:6])
    return text + (f" and {len(months) - 6} more" if len(months) > 6 else "")


async def agreed_months(
    aordning: AOrdning, agreements: Agreements, institution: str, employer: str
) -> frozenset[Month]:
    """The avtaleforhold months of the pair: registered by the institution and named in the a-meldinger."""
    found = aordning.employers.get(employer)
    if found is None:
        return frozenset()
    registered = await agreements.of(institution, employer)
    return otp.avtaleforhold(registered, found.providers, institution=institution, employer=employer)


_WINDOWS: dict[tuple[str, str, int, tuple[Agreement, ...]], frozenset[Month]] = {}  # by what decides it


async def window_months(
    aordning: AOrdning, agreements: Agreements, institution: str, employer: str
) -> frozenset[Month]:
    """The virkningsperiode of the pair, kept per registered agreements (a sync asks it once per person)."""
    found = aordning.employers.get(employer)
    if found is None:
        return frozenset()
    registered = tuple(await agreements.of(institution, employer))
    key = (institution, employer, hash(tuple(found.providers.items())), registered)
    window = _WINDOWS.get(key)
    if window is None:
        agreed = otp.avtaleforhold(registered, found.providers, institution=institution, employer=employer)
        window = otp.virkningsperiode(agreed)
        if len(_WINDOWS) > 4096:
            _WINDOWS.clear()
        _WINDOWS[key] = window
    return window


class OtpService:
    """The OTP package's rules over one a-ordning and one agreement registry."""

    def __init__(self, aordning: AOrdning, agreements: Agreements, runtime: Callable[[Catalogue], SourceRuntime]):
        self.aordning = aordning
        self.agreements = agreements
        self.avtale, self.mottakere, self.inntekt_rt = (
            runtime(TJENESTEPENSJONSAVTALE),
            runtime(INNTEKTSMOTTAKERE),
            runtime(INNTEKT),
        )

    # -- the rules -------------------------------------------------------------------------------

    async def agreed(self, institution: str, employer: str) -> frozenset[Month]:
        return await agreed_months(self.aordning, self.agreements, institution, employer)

    async def window(self, institution: str, employer: str) -> frozenset[Month]:
        return await window_months(self.aordning, self.agreements, institution, employer)

    def _employer(self, orgnr: str, failure: Failure = Failure.NO_DATA) -> None:
        if orgnr not in self.aordning.employers:
            raise SourceError(
                failure, "no opplysningspliktig with this organisasjonsnummer", parameter="opplysningspliktig"
            )

    async def _guard(
        self, rt: SourceRuntime, request: Request[Any, Any, Any], exchange: Exchange, scope: str
    ) -> Principal:
        exchange.principal = principal = await rt.principal(request.headers.get("Authorization"), any_scope=(scope,))
        if not otp.accepts_json(request.headers.get("Accept")):
            raise SourceError(Failure.FORMAT, "only application/json is served", parameter="Accept")
        return principal

    # -- Tjenestepensjonsavtale --------------------------------------------------------------------

    async def register(self, request: Request[Any, Any, Any], rettighetspakke: str) -> Response[Any]:
        exchange = Exchange("tjenestepensjonsavtale.registrer")

        async def handle() -> dict[str, Any]:
            principal = await self._guard(self.avtale, request, exchange, otp.SCOPE_TJENESTEPENSJONSAVTALE)
            _package(rettighetspakke)
            body = await _json(request)
            reference = _reference(body)
            employer = _orgnr(_norsk(body), "opplysningspliktig.norskIdentifikator")
            first, last_raw = _month(body.get("fraOgMed"), "fraOgMed"), body.get("tilOgMed")
            last = _month(last_raw, "tilOgMed") if last_raw is not None else None
            if last is not None and last < first:
                raise SourceError(Failure.INPUT, "tilOgMed is before fraOgMed", parameter="tilOgMed")
            self._employer(employer)
            agreement = Agreement(principal.consumer_org, employer, reference, first, last)
            exchange.records = 1
            new = await self.agreements.put(agreement)
            exchange.headers["X-Avtaleforhold"] = "registrert" if new else "endret"
            return _agreement_body(agreement)

        return await self.avtale.run(request, exchange, handle)

    async def remove(self, request: Request[Any, Any, Any], rettighetspakke: str) -> Response[Any]:
        exchange = Exchange("tjenestepensjonsavtale.slett")

        async def handle() -> dict[str, Any]:
            principal = await self._guard(self.avtale, request, exchange, otp.SCOPE_TJENESTEPENSJONSAVTALE)
            _package(rettighetspakke)
            body = await _json(request)
            reference = _reference(body)
            employer = _orgnr(_norsk(body), "opplysningspliktig.norskIdentifikator")
            if not await self.agreements.delete(principal.consumer_org, employer, reference):
                raise SourceError(
                    Failure.NO_DATA, "no avtaleforhold with this avtalereferanse", parameter="avtalereferanse"
                )
            exchange.records = 1
            return {"avtalereferanse": reference, "opplysningspliktig": {"norskIdentifikator": employer}}

        return await self.avtale.run(request, exchange, handle)

    async def validity(self, request: Request[Any, Any, Any], rettighetspakke: str, *, virkning: bool) -> Response[Any]:
        exchange = Exchange("tjenestepensjonsavtale.gyldighet" + (".virkningsperiode" if virkning else ""))

        async def handle() -> dict[str, Any]:
            principal = await self._guard(self.avtale, request, exchange, otp.SCOPE_TJENESTEPENSJONSAVTALE)
            _package(rettighetspakke)
            query = request.query_params
            employer = _orgnr(query.get("opplysningspliktig"), "opplysningspliktig")
            institution = _orgnr(query.get("pensjonsinnretning"), "pensjonsinnretning")
            if institution != principal.consumer_org:
                raise SourceError(
                    Failure.FORBIDDEN,
                    "pensjonsinnretning must be the caller's organisation",
                    parameter="pensjonsinnretning",
                )
            first, last = _span(query.get("fraOgMed"), query.get("tilOgMed"))
            self._employer(employer)
            allowed = await (self.window if virkning else self.agreed)(institution, employer)
            missing = [str(m) for m in otp.outside(first, last, allowed)]
            key = "maanederUtenforGyldigVirkningsperiode" if virkning else "maanederUtenGyldigAvtaleforhold"
            return {"gyldig": not missing, key: {"maaned": missing}}

        return await self.avtale.run(request, exchange, handle)

    # -- Inntektsmottakere ---------------------------------------------------------------------------

    async def employees(self, request: Request[Any, Any, Any], rettighetspakke: str, orgnr: str) -> Response[Any]:
        exchange = Exchange("inntektsmottakere", party_id=orgnr[:64])

        async def handle() -> dict[str, Any]:
            principal = await self._guard(self.mottakere, request, exchange, otp.SCOPE_INNTEKTSMOTTAKERE)
            _package(rettighetspakke)
            employer = _orgnr(orgnr, "opplysningspliktig")
            first, last = _span(request.query_params.get("fraOgMed"), request.query_params.get("tilOgMed"))
            exchange.from_date, exchange.to_date = first.first_day, last.last_day
            self._employer(employer)
            agreed = await self.agreed(principal.consumer_org, employer)
            if not agreed:
                raise SourceError(
                    Failure.FORBIDDEN,
                    "no avtaleforhold: both the employer (a-melding) and the institution must report the agreement",
                    parameter="opplysningspliktig",
                )
            missing = otp.outside(first, last, agreed)
            if missing:
                raise SourceError(
                    Failure.FORBIDDEN, f"months outside the avtaleforhold: {_shown(missing)}", parameter="fraOgMed"
                )
            found = self.aordning.employers[employer]
            reported = sorted({person for month in otp.months(first, last) for person in found.reported(month)})
            shown = [p for p in reported if p not in self.aordning.shielded]
            if not reported:
                raise SourceError(
                    Failure.NO_DATA, "no inntektsmottakere reported for these months", parameter="fraOgMed"
                )
            exchange.records = len(shown)
            return {
                "opplysningspliktig": {"norskIdentifikator": employer},
                "fraOgMed": str(first),
                "tilOgMed": str(last),
                "skjermet": len(shown) < len(reported),
                "link": None,
                "inntektsmottaker": [{"personidentifikator": p} for p in shown],
            }

        return await self.mottakere.run(request, exchange, handle)

    # -- Inntekt ----------------------------------------------------------------------------------------

    async def income(self, request: Request[Any, Any, Any], personidentifikator: str) -> Response[Any]:
        exchange = Exchange("inntekt.otp", party_id=personidentifikator[:64])

        async def handle() -> dict[str, Any]:
            principal = await self._guard(self.inntekt_rt, request, exchange, otp.SCOPE_INNTEKT)
            try:
                fnr = validate_person_number(personidentifikator, synthetic_allowed=True).value
            except (ValueError, DsopError):
                raise SourceError(
                    Failure.INPUT,
                    "personidentifikator is not a valid fødselsnummer or D-nummer",
                    parameter="personidentifikator",
                ) from None
            first, last = _span(request.query_params.get("fraOgMed"), request.query_params.get("tilOgMed"))
            exchange.from_date, exchange.to_date = first.first_day, last.last_day
            employers = self.aordning.employers_of.get(fnr, ())
            if not employers or fnr in self.aordning.shielded:
                raise SourceError(
                    Failure.UNKNOWN_PARTY,
                    "no inntektsmottaker with this personidentifikator",
                    parameter="personidentifikator",
                )
            windows = {e: await self.window(principal.consumer_org, e) for e in employers}
            union = frozenset().union(*windows.values())
            if not union:
                raise SourceError(
                    Failure.FORBIDDEN,
                    "no avtaleforhold with this person's employers has been reported by both sides",
                    parameter="personidentifikator",
                )
            missing = otp.outside(first, last, union)
            if missing:
                raise SourceError(
                    Failure.FORBIDDEN, f"months outside the virkningsperiode: {_shown(missing)}", parameter="fraOgMed"
                )
            complete = otp.last_complete_month(oslo_today(self.inntekt_rt.clock))
            body = income_body(self.aordning, fnr, windows, first, min(last, complete))
            exchange.records = len(body["oppgaveInntektsmottaker"])
            if not exchange.records:
                raise SourceError(Failure.NO_DATA, "no complete income reported for these months", parameter="fraOgMed")
            return body

        return await self.inntekt_rt.run(request, exchange, handle)


def income_body(
    aordning: AOrdning, fnr: str, windows: Mapping[str, frozenset[Month]], first: Month, last: Month
) -> dict[str, Any]:
    """``oppgaveInntektsmottaker[]`` of ``first``‥``last`` inside each employer's virkningsperiode, otp codes only."""
    reports = []
    for employer, window in windows.items():
        for report in aordning.employers[employer].income.get(fnr, ()):
            month = Month(int(report.kalendermaaned[:4]), int(report.kalendermaaned[5:]))
            if not first <= month <= last or month not in window:
                continue
            reports.append(
                {
                    "opplysningspliktigId": report.opplysningspliktig,
                    "virksomhetId": report.virksomhet,
                    "kalendermaaned": report.kalendermaaned,
                    "inntektsmottaker": {"personidentifikator": fnr},
                    "inntekt": [
                        {
                            "fordel": income.fordel,
                            "utloeserArbeidsgiveravgift": income.kind == "loennsinntekt",
                            "inngaarIGrunnlagForTrekk": True,
                            "beloep": float(income.beloep),
                            income.kind: {"beskrivelse": income.beskrivelse},
                        }
                        for income in report.incomes
                        if otp.PACKAGE in income.packages
                    ],
                }
            )
    reports.sort(key=lambda r: (r["kalendermaaned"], r["opplysningspliktigId"]))
    return {"oppgaveInntektsmottaker": reports}


async def _json(request: Request[Any, Any, Any]) -> dict[str, Any]:
    try:
        body = msgspec.json.decode(await request.body())
    except msgspec.DecodeError:
        raise SourceError(Failure.INPUT, "the body must be a JSON object", parameter="body") from None
    if not isinstance(body, dict):
        raise SourceError(Failure.INPUT, "the body must be a JSON object", parameter="body")
    return body


def _reference(body: Mapping[str, Any]) -> str:
    reference = body.get("avtalereferanse")
    if not isinstance(reference, str) or not reference.strip() or len(reference) > 200:
        raise SourceError(Failure.INPUT, "avtalereferanse must be 1–200 characters", parameter="avtalereferanse")
    return reference.strip()


def _norsk(body: Mapping[str, Any]) -> object:
    party = body.get("opplysningspliktig")
    return party.get("norskIdentifikator") if isinstance(party, dict) else None


def _agreement_body(agreement: Agreement) -> dict[str, Any]:
    body: dict[str, Any] = {
        "avtalereferanse": agreement.reference,
        "fraOgMed": str(agreement.first),
        "opplysningspliktig": {"norskIdentifikator": agreement.employer},
    }
    if agreement.last is not None:
        body["tilOgMed"] = str(agreement.last)
    return body


def routes(service: OtpService) -> list[Any]:
    """The Litestar handlers of the Tjenestepensjonsavtale and Inntektsmottakere APIs (Inntekt shares SBL's path)."""

    @post(_AVTALE_BASE, status_code=200)
    async def registrer(request: Request[Any, Any, Any], rettighetspakke: FromPath[str]) -> Response[Any]:
        return await service.register(request, rettighetspakke)

    @delete(_AVTALE_BASE, status_code=200)
    async def slett(request: Request[Any, Any, Any], rettighetspakke: FromPath[str]) -> Response[Any]:
        return await service.remove(request, rettighetspakke)

    @get(_AVTALE_BASE + "/gyldighet")
    async def gyldighet(request: Request[Any, Any, Any], rettighetspakke: FromPath[str]) -> Response[Any]:
        return await service.validity(request, rettighetspakke, virkning=False)

    @get(_AVTALE_BASE + "/virkningsperiode/gyldighet")
    async def virkning(request: Request[Any, Any, Any], rettighetspakke: FromPath[str]) -> Response[Any]:
        return await service.validity(request, rettighetspakke, virkning=True)

    @get("/api/inntektsmottakere/v1/{rettighetspakke:str}/{opplysningspliktig:str}")
    async def inntektsmottakere(
        request: Request[Any, Any, Any], rettighetspakke: FromPath[str], opplysningspliktig: FromPath[str]
    ) -> Response[Any]:
        return await service.employees(request, rettighetspakke, opplysningspliktig)

    return [registrer, slett, gyldighet, virkning, inntektsmottakere]


def unknown_url_code(path: str) -> str | None:
    """The API's own xx-003 for an unknown URL under its prefix."""
    if path.startswith("/api/tjenestepensjonsavtale"):
        return otp.TJENESTEPENSJONSAVTALE_ERRORS[Fault.UNKNOWN_URL][0]
    if path.startswith(("/api/inntektsmottakere", "/api/innrapportert")):
        return otp.INNTEKT_ERRORS[Fault.UNKNOWN_URL][0]
    return None


__all__ = [
    "agreed_months",
    "INNTEKT",
    "INNTEKTSMOTTAKERE",
    "TJENESTEPENSJONSAVTALE",
    "OtpService",
    "income_body",
    "routes",
]
