# SPDX-License-Identifier: Apache-2.0
"""Transportløyvegaranti: a guarantor's case to Statens vegvesen's løyveregister, decided (sans I/O).

Sources: DSOP Transportløyvegaranti “Om tjenesten” and “Onboarding”; SVV's Altinn app model
(``svv-transportloyvegarantie.xsd``: ``soknadtype``, ``Garantitype``, ``Garantistatus``,
``OppsigelseAarsak`` and the five-valued ``Status``); yrkestransportforskriften § 7 and the
yearly circulars N-1/2020, N-1/2021, N-1/2022 (the NOK sums); vegvesen.no “Informasjon om gebyr og
garanti” (no amendment, only replacement; termination and the notice of revocation).

A case is one of four ``soknadtype``\\ s.  ``decide`` takes the case, the guarantor's concession
(Finanstilsynet's register), the carrier as SVV knows it (licences per type, guarantees) and today,
and returns the register's ``Status`` with what to write:

* the guarantor must hold a concession, else ``REJECTED`` (the app stops at ``konsesjonsjekk``);
* an unknown carrier → ``REJECTED`` (the app's ``orgSokFeilmelding``);
* the sum must cover **all** the carrier's licences of the guarantee's type at the year's rates —
  the first licence at the full sum, each further one at the lower sum — else
  ``REJECTED_BELOP_FOR_LAVT``;
* existing guarantees are never amended: an amount change is refused (replace the guarantee);
  a replacement must name the guarantee it replaces, active, of the right guarantor, type and
  carrier, else ``REJECTED_FEIL_GAMMEL_GARANTI``;
* a guarantor's termination takes effect at least two months after it is filed; the carrier's takes
  effect at once; either way SVV sends the carrier a notice of revocation with a deadline for a new
  guarantee.

Choices where the sources are silent are in docs/decisions.md, "Transport guarantees and digital letter".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType

import msgspec

from opendsop.standard.period import months_before

SVV_ORGNR = "971032081"  # Statens vegvesen, Nasjonal transportløyveseksjon (vegvesen.no, gebyr og garanti)
ROLE_CODE = "A0294"  # Altinn role "Transportløyvegaranti" (urn:altinn:rolecode:A0294)
NOTICE_MONTHS = 2  # a guarantor's termination: two months' notice (vegvesen.no)
CARRIER_DEADLINE = timedelta(days=30)  # after a carrier's own termination: assumption, docs/decisions.md


class Soknadtype(StrEnum):
    NY_GARANTI = "nyGaranti"
    ENDRE_GARANTI = "endreGaranti"
    ERSTATT_EGEN_GARANTI = "erstattEgenGaranti"
    ERSTATT_ANNEN_GARANTI = "erstattAnnenGaranti"


class Garantitype(StrEnum):
    GODSLOYVE = "GODSLOYVE"
    TURVOGNLOYVE = "TURVOGNLOYVE"
    LETTGODSLOYVE = "LETTGODSLOYVE"


class Garantistatus(StrEnum):
    OPPSAGT = "OPPSAGT"
    AKTIV = "AKTIV"
    INAKTIV = "INAKTIV"
    UTGAATT = "UTGAATT"


class OppsigelseAarsak(StrEnum):
    AVSLUTTET_AV_GARANTIST = "AVSLUTTET_AV_GARANTIST"
    AVSLUTTET_AV_TRANSPORTOR = "AVSLUTTET_AV_TRANSPORTOR"


class Status(StrEnum):
    """The submission's result, exactly the app model's ``Status`` enum."""

    OK = "OK"
    FAILED = "FAILED"
    REJECTED_FEIL_GAMMEL_GARANTI = "REJECTED_FEIL_GAMMEL_GARANTI"
    REJECTED_BELOP_FOR_LAVT = "REJECTED_BELOP_FOR_LAVT"
    REJECTED = "REJECTED"


class Reason(StrEnum):
    """Why a case was rejected: ours, next to the five-valued ``Status`` (which the guarantor's system keys on)."""

    KONSESJON_MANGLER = "KONSESJON_MANGLER"  # not licensed by Finanstilsynet
    UKJENT_TRANSPORTOR = "UKJENT_TRANSPORTOR"
    UGYLDIG_SAK = "UGYLDIG_SAK"  # the sub-form for the soknadtype is missing or malformed
    UGYLDIG_BELOP = "UGYLDIG_BELOP"
    BELOP_FOR_LAVT = "BELOP_FOR_LAVT"
    ENDRING_IKKE_TILLATT = "ENDRING_IKKE_TILLATT"  # amounts are never amended: replace instead
    GARANTI_FINNES = "GARANTI_FINNES"  # an active guarantee of this type exists: replace it
    GARANTINUMMER_I_BRUK = "GARANTINUMMER_I_BRUK"
    FEIL_GAMMEL_GARANTI = "FEIL_GAMMEL_GARANTI"
    OPPSIGELSE_FOR_TIDLIG = "OPPSIGELSE_FOR_TIDLIG"


# -- the NOK sums per year (circular N-1/yyyy; yrkestransportforskriften § 7: EUR 9 000 / EUR 5 000) -----


@dataclass(frozen=True, slots=True)
class Rates:
    first: int  # the first licence of a type
    further: int  # each further licence of that type

    def required(self, licences: int) -> int:
        return 0 if licences <= 0 else self.first + (licences - 1) * self.further


RATES: Mapping[int, Rates] = MappingProxyType(
    {
        2020: Rates(90_000, 50_000),  # rundskriv N-1/2020
        2021: Rates(98_000, 55_000),  # rundskriv N-1/2021
        2022: Rates(90_000, 50_000),  # rundskriv N-1/2022
    }
)


def rates_for(year: int, table: Mapping[int, Rates] = RATES) -> Rates:
    """The sums of ``year``: its circular's, else the latest earlier one (a later circular not yet in the table)."""
    known = sorted(y for y in table if y <= year)
    return table[known[-1]] if known else table[min(table)]


def required_sum(licences: int, year: int, table: Mapping[int, Rates] = RATES) -> int:
    return rates_for(year, table).required(licences)


# -- the case (JSON names as the app model's) ---------------------------------------------------------


class NyGaranti(msgspec.Struct, frozen=True, kw_only=True):
    garantinummer: str
    garantiType: Garantitype
    belop: str
    gyldigFraDato: date | None = None
    loyvedekning: int | None = None


class EndreGaranti(msgspec.Struct, frozen=True, kw_only=True):
    garantinummer: str
    justerBelopCheck: bool = False
    justerUtbetaltCheck: bool = False
    justerOppsigelseCheck: bool = False
    belop: str | None = None
    resterendeBelop: str | None = None
    utbetaltISinHelhet: bool = False
    oppsigelsedato: date | None = None
    oppsigelseaarsak: OppsigelseAarsak | None = None


class ErstattGaranti(msgspec.Struct, frozen=True, kw_only=True):
    """Replace own guarantee(s): ``valgteGarantier`` (or ``gammelGarantinummer``) go, the new one comes."""

    garantinummer: str
    garantiType: Garantitype
    belop: str
    gammelGarantinummer: str | None = None
    valgteGarantier: tuple[str, ...] = ()
    gyldigFraDato: date | None = None


class ErstattAndreGarantister(msgspec.Struct, frozen=True, kw_only=True):
    """Replace another guarantor's guarantee (``orgnummer`` + its ``garantinummer``) by a new own one."""

    orgnummer: str
    gammelGarantinummer: str
    garantinummer: str
    garantiType: Garantitype
    belop: str
    loyvedekning: int | None = None
    gyldigFraDato: date | None = None


class Soknad(msgspec.Struct, frozen=True, kw_only=True):
    transportorOrgnummer: str
    soknadtype: Soknadtype
    nyGaranti: NyGaranti | None = None
    endreGaranti: EndreGaranti | None = None
    erstattGaranti: ErstattGaranti | None = None
    erstattAndreGarantister: ErstattAndreGarantister | None = None


# -- what SVV knows -----------------------------------------------------------------------------------


class Garanti(msgspec.Struct, frozen=True, kw_only=True):
    """One guarantee in the register (the app model's ``Garanti`` plus the guarantor and carrier)."""

    garantiNummer: str
    garantistOrgnummer: str
    transportorOrgnummer: str
    garantiType: Garantitype
    garantiBelop: Decimal
    status: Garantistatus
    gyldigFra: date
    gyldigTil: date | None = None
    loyvedekning: int = 0
    belopGarantiRest: Decimal | None = None
    oppsigelseaarsak: OppsigelseAarsak | None = None


@dataclass(frozen=True, slots=True)
class Carrier:
    orgnr: str
    name: str
    licences: Mapping[Garantitype, int]  # active licences per type
    guarantees: Sequence[Garanti] = ()

    def active(self, kind: Garantitype) -> list[Garanti]:
        return [g for g in self.guarantees if g.garantiType is kind and g.status is Garantistatus.AKTIV]


@dataclass(frozen=True, slots=True)
class Revocation:
    """SVV's notice to the carrier: the licences of ``garantiType`` are revoked unless a new guarantee by ``frist``."""

    transportorOrgnummer: str
    garantiType: Garantitype
    garantiNummer: str
    frist: date


@dataclass(frozen=True, slots=True)
class Change:
    garantiNummer: str
    status: Garantistatus
    gyldigTil: date | None = None
    belopGarantiRest: Decimal | None = None
    oppsigelseaarsak: OppsigelseAarsak | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    status: Status
    message: str
    reason: Reason | None = None
    create: Garanti | None = None
    changes: tuple[Change, ...] = ()
    revocation: Revocation | None = None
    required: int | None = None  # the sum the case had to reach (amount checks)

    @property
    def ok(self) -> bool:
        return self.status is Status.OK


def _reject(status: Status, reason: Reason, message: str, *, required: int | None = None) -> Decision:
    return Decision(status, message, reason, required=required)


def parse_amount(text: str | None) -> Decimal | None:
    """NOK as ``90000``, ``90 000`` or ``90000.00``; None when it is not a positive amount with at most 2 decimals."""
    if text is None:
        return None
    cleaned = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not cleaned or any(ch not in "0123456789." for ch in cleaned) or len(cleaned) > 20:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    exponent = amount.as_tuple().exponent
    if amount <= 0 or not isinstance(exponent, int) or exponent < -2:
        return None
    return amount


@dataclass(frozen=True, slots=True)
class _New:
    """The fields a new guarantee shares across the three case types that create one."""

    garantinummer: str
    kind: Garantitype
    belop: str
    from_date: date | None
    coverage: int | None = None
    replaces: tuple[str, ...] = field(default=())


def _check_amount(new: _New, carrier: Carrier, today: date, table: Mapping[int, Rates]) -> Decision | int:
    """The parsed amount's check; an int (the licences covered) when it is enough."""
    amount = parse_amount(new.belop)
    if amount is None:
        return _reject(Status.REJECTED, Reason.UGYLDIG_BELOP, f"belop {new.belop!r} is not an amount in NOK")
    licences = max(carrier.licences.get(new.kind, 0), new.coverage or 0, 1)
    required = required_sum(licences, today.year, table)
    if amount < required:
        return _reject(
            Status.REJECTED_BELOP_FOR_LAVT,
            Reason.BELOP_FOR_LAVT,
            f"belop {amount} NOK is below the {required} NOK that {licences} {new.kind.value} licence(s) require "
            f"in {today.year} (the first at {rates_for(today.year, table).first}, each further at "
            f"{rates_for(today.year, table).further})",
            required=required,
        )
    return licences


def _create(new: _New, garantist: str, carrier: Carrier, today: date, table: Mapping[int, Rates]) -> Decision:
    if not new.garantinummer.strip() or len(new.garantinummer) > 64:
        return _reject(Status.REJECTED, Reason.UGYLDIG_SAK, "garantinummer is required (at most 64 characters)")
    if any(g.garantiNummer == new.garantinummer and g.garantistOrgnummer == garantist for g in carrier.guarantees):
        return _reject(
            Status.REJECTED,
            Reason.GARANTINUMMER_I_BRUK,
            f"garantinummer {new.garantinummer} is already registered by this guarantor",
        )
    checked = _check_amount(new, carrier, today, table)
    if isinstance(checked, Decision):
        return checked
    start = new.from_date or today
    amount = parse_amount(new.belop)
    assert amount is not None  # checked above
    created = Garanti(
        garantiNummer=new.garantinummer,
        garantistOrgnummer=garantist,
        transportorOrgnummer=carrier.orgnr,
        garantiType=new.kind,
        garantiBelop=amount,
        status=Garantistatus.AKTIV,
        gyldigFra=start,
        loyvedekning=checked,
    )
    ended = tuple(
        Change(number, Garantistatus.INAKTIV, gyldigTil=start - timedelta(days=1) if start > today else today)
        for number in new.replaces
    )
    required = required_sum(checked, today.year, table)
    return Decision(
        Status.OK,
        f"guarantee {new.garantinummer} registered for {checked} {new.kind.value} licence(s)",
        create=created,
        changes=ended,
        required=required,
    )


def _old(carrier: Carrier, number: str, kind: Garantitype, guarantor: str) -> Garanti | None:
    return next(
        (
            g
            for g in carrier.guarantees
            if g.garantiNummer == number
            and g.garantistOrgnummer == guarantor
            and g.garantiType is kind
            and g.status is Garantistatus.AKTIV
        ),
        None,
    )


def _wrong_old(number: str, who: str) -> Decision:
    return _reject(
        Status.REJECTED_FEIL_GAMMEL_GARANTI,
        Reason.FEIL_GAMMEL_GARANTI,
        f"guarantee {number} is not an active guarantee of {who} for this carrier and type",
    )


def _ny(case: NyGaranti, garantist: str, carrier: Carrier, today: date, table: Mapping[int, Rates]) -> Decision:
    if carrier.active(case.garantiType):
        return _reject(
            Status.REJECTED,
            Reason.GARANTI_FINNES,
            f"the carrier already has an active {case.garantiType.value} guarantee: replace it "
            "(erstattEgenGaranti or erstattAnnenGaranti) — a guarantee is never added to or amended",
        )
    new = _New(case.garantinummer, case.garantiType, case.belop, case.gyldigFraDato, case.loyvedekning)
    return _create(new, garantist, carrier, today, table)


def _erstatt_egen(
    case: ErstattGaranti, garantist: str, carrier: Carrier, today: date, table: Mapping[int, Rates]
) -> Decision:
    numbers = tuple(n for n in dict.fromkeys((*case.valgteGarantier, case.gammelGarantinummer or "")) if n)
    if not numbers:
        return _reject(
            Status.REJECTED_FEIL_GAMMEL_GARANTI,
            Reason.FEIL_GAMMEL_GARANTI,
            "name the guarantee(s) replaced (gammelGarantinummer or valgteGarantier)",
        )
    for number in numbers:
        if _old(carrier, number, case.garantiType, garantist) is None:
            return _wrong_old(number, "this guarantor")
    new = _New(case.garantinummer, case.garantiType, case.belop, case.gyldigFraDato, replaces=numbers)
    return _create(new, garantist, carrier, today, table)


def _erstatt_annen(
    case: ErstattAndreGarantister, garantist: str, carrier: Carrier, today: date, table: Mapping[int, Rates]
) -> Decision:
    if case.orgnummer == garantist:
        return _reject(
            Status.REJECTED_FEIL_GAMMEL_GARANTI,
            Reason.FEIL_GAMMEL_GARANTI,
            "erstattAnnenGaranti replaces another guarantor's guarantee; use erstattEgenGaranti for your own",
        )
    if _old(carrier, case.gammelGarantinummer, case.garantiType, case.orgnummer) is None:
        return _wrong_old(case.gammelGarantinummer, f"guarantor {case.orgnummer}")
    new = _New(
        case.garantinummer,
        case.garantiType,
        case.belop,
        case.gyldigFraDato,
        case.loyvedekning,
        replaces=(case.gammelGarantinummer,),
    )
    return _create(new, garantist, carrier, today, table)


def _endre(case: EndreGaranti, garantist: str, carrier: Carrier, today: date) -> Decision:
    own = next(
        (
            g
            for g in carrier.guarantees
            if g.garantiNummer == case.garantinummer
            and g.garantistOrgnummer == garantist
            and g.status is Garantistatus.AKTIV
        ),
        None,
    )
    if own is None:
        return _wrong_old(case.garantinummer, "this guarantor")
    kinds = sum((case.justerBelopCheck, case.justerUtbetaltCheck, case.justerOppsigelseCheck))
    if kinds != 1:
        return _reject(
            Status.REJECTED,
            Reason.UGYLDIG_SAK,
            "endreGaranti takes exactly one of justerBelopCheck, justerUtbetaltCheck, justerOppsigelseCheck",
        )
    if case.justerBelopCheck:
        return _reject(
            Status.REJECTED,
            Reason.ENDRING_IKKE_TILLATT,
            "a guarantee's amount is never amended: file erstattEgenGaranti with a new guarantee covering "
            "all the carrier's licences",
        )
    if case.justerUtbetaltCheck:
        return _payout(case, own, today)
    return _terminate(case, own, today)


def _payout(case: EndreGaranti, own: Garanti, today: date) -> Decision:
    if case.utbetaltISinHelhet:
        change = Change(own.garantiNummer, Garantistatus.UTGAATT, gyldigTil=today, belopGarantiRest=Decimal(0))
        return Decision(
            Status.OK,
            f"guarantee {own.garantiNummer} paid out in full",
            changes=(change,),
            revocation=Revocation(
                own.transportorOrgnummer, own.garantiType, own.garantiNummer, today + CARRIER_DEADLINE
            ),
        )
    rest = parse_amount(case.resterendeBelop)
    if rest is None or rest > own.garantiBelop:
        return _reject(
            Status.REJECTED,
            Reason.UGYLDIG_BELOP,
            f"resterendeBelop must be an amount in NOK up to the guarantee's {own.garantiBelop}",
        )
    change = Change(own.garantiNummer, Garantistatus.AKTIV, belopGarantiRest=rest)
    return Decision(
        Status.OK, f"payout registered on guarantee {own.garantiNummer}: {rest} NOK left", changes=(change,)
    )


def _terminate(case: EndreGaranti, own: Garanti, today: date) -> Decision:
    if case.oppsigelseaarsak is None:
        return _reject(
            Status.REJECTED, Reason.UGYLDIG_SAK, "a termination names its oppsigelseaarsak (garantist or transportør)"
        )
    if case.oppsigelseaarsak is OppsigelseAarsak.AVSLUTTET_AV_TRANSPORTOR:
        end = today  # the carrier may terminate with immediate effect
        deadline = today + CARRIER_DEADLINE
    else:
        earliest = months_before(today, -NOTICE_MONTHS)  # the same day two months on
        end = case.oppsigelsedato or earliest
        if end < earliest:
            return _reject(
                Status.REJECTED,
                Reason.OPPSIGELSE_FOR_TIDLIG,
                f"a guarantor's termination needs {NOTICE_MONTHS} months' notice: oppsigelsedato {end} is before "
                f"{earliest}",
            )
        deadline = end
    change = Change(own.garantiNummer, Garantistatus.OPPSAGT, gyldigTil=end, oppsigelseaarsak=case.oppsigelseaarsak)
    return Decision(
        Status.OK,
        f"guarantee {own.garantiNummer} terminated with effect from {end}",
        changes=(change,),
        revocation=Revocation(own.transportorOrgnummer, own.garantiType, own.garantiNummer, deadline),
    )


def decide(
    case: Soknad,
    *,
    garantist: str,
    licensed: bool,
    carrier: Carrier | None,
    today: date,
    rates: Mapping[int, Rates] = RATES,
) -> Decision:
    """The register's answer to ``case`` filed by ``garantist`` (its concession: ``licensed``) on ``today``."""
    if not licensed:
        return _reject(
            Status.REJECTED,
            Reason.KONSESJON_MANGLER,
            f"organisation {garantist} has no concession from Finanstilsynet to act as guarantor "
            "(finansforetaksloven § 3-2 jf. §§ 2-7 og 2-8)",
        )
    if carrier is None:
        return _reject(
            Status.REJECTED,
            Reason.UKJENT_TRANSPORTOR,
            f"no carrier {case.transportorOrgnummer} in the løyveregister",
        )
    kind = case.soknadtype
    if kind is Soknadtype.NY_GARANTI and case.nyGaranti is not None:
        return _ny(case.nyGaranti, garantist, carrier, today, rates)
    if kind is Soknadtype.ENDRE_GARANTI and case.endreGaranti is not None:
        return _endre(case.endreGaranti, garantist, carrier, today)
    if kind is Soknadtype.ERSTATT_EGEN_GARANTI and case.erstattGaranti is not None:
        return _erstatt_egen(case.erstattGaranti, garantist, carrier, today, rates)
    if kind is Soknadtype.ERSTATT_ANNEN_GARANTI and case.erstattAndreGarantister is not None:
        return _erstatt_annen(case.erstattAndreGarantister, garantist, carrier, today, rates)
    form = {
        Soknadtype.NY_GARANTI: "nyGaranti",
        Soknadtype.ENDRE_GARANTI: "endreGaranti",
        Soknadtype.ERSTATT_EGEN_GARANTI: "erstattGaranti",
        Soknadtype.ERSTATT_ANNEN_GARANTI: "erstattAndreGarantister",
    }[kind]
    return _reject(Status.REJECTED, Reason.UGYLDIG_SAK, f"soknadtype {kind.value} needs its sub-form {form}")


__all__ = [
    "CARRIER_DEADLINE",
    "NOTICE_MONTHS",
    "RATES",
    "ROLE_CODE",
    "SVV_ORGNR",
    "Carrier",
    "Change",
    "Decision",
    "EndreGaranti",
    "ErstattAndreGarantister",
    "ErstattGaranti",
    "Garanti",
    "Garantistatus",
    "Garantitype",
    "NyGaranti",
    "OppsigelseAarsak",
    "Rates",
    "Reason",
    "Revocation",
    "Soknad",
    "Soknadtype",
    "Status",
    "decide",
    "parse_amount",
    "rates_for",
    "required_sum",
]
