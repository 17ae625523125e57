"""Transportløyvegaranti rules, one row per documented rule (sources in each row's ``source``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from opendsop.standard.services import transport_guarantee as tg
from opendsop.standard.services.transport_guarantee import (
    Carrier,
    Garanti,
    Garantistatus,
    Garantitype,
    Reason,
    Soknad,
    Status,
)

TODAY = date(2022, 3, 15)
BANK, OTHER = "984851006", "920058817"
CARRIER = "937901003"
GODS = Garantitype.GODSLOYVE


def _guarantee(number: str, guarantor: str = BANK, kind: Garantitype = GODS, amount: int = 190_000) -> Garanti:
    return Garanti(
        garantiNummer=number,
        garantistOrgnummer=guarantor,
        transportorOrgnummer=CARRIER,
        garantiType=kind,
        garantiBelop=Decimal(amount),
        status=Garantistatus.AKTIV,
        gyldigFra=date(2021, 1, 1),
        loyvedekning=3,
    )


def _carrier(*guarantees: Garanti, gods: int = 3) -> Carrier:
    return Carrier(CARRIER, "Fjordfrakt AS", {GODS: gods, Garantitype.TURVOGNLOYVE: 1}, guarantees)


def _case(kind: str, **form: Any) -> Soknad:
    key = {
        "nyGaranti": "nyGaranti",
        "endreGaranti": "endreGaranti",
        "erstattEgenGaranti": "erstattGaranti",
        "erstattAnnenGaranti": "erstattAndreGarantister",
    }[kind]
    return msgspec.convert({"transportorOrgnummer": CARRIER, "soknadtype": kind, key: form}, Soknad)


@dataclass(frozen=True)
class Row:
    rule: str
    source: str
    case: Soknad
    carrier: Carrier | None
    status: Status
    reason: Reason | None = None
    licensed: bool = True


NEW = {"garantinummer": "G-2", "garantiType": "GODSLOYVE"}
ROWS = [
    Row(
        "a guarantor without Finanstilsynet's concession may not use the service",
        "DSOP Transportløyvegaranti “Om”: only finansforetak with konsesjon (finansforetaksloven § 3-2)",
        _case("nyGaranti", **NEW, belop="190000"),
        _carrier(),
        Status.REJECTED,
        Reason.KONSESJON_MANGLER,
        licensed=False,
    ),
    Row(
        "an unknown carrier is refused",
        "SVV app model: orgSokFeilmelding",
        _case("nyGaranti", **NEW, belop="190000"),
        None,
        Status.REJECTED,
        Reason.UKJENT_TRANSPORTOR,
    ),
    Row(
        "3 goods licences in 2022: 90 000 + 2 × 50 000 = 190 000 NOK is enough",
        "yrkestransportforskriften § 7; rundskriv N-1/2022",
        _case("nyGaranti", **NEW, belop="190 000"),
        _carrier(),
        Status.OK,
    ),
    Row(
        "the sum must cover all the holder's licences of the type",
        "yrkestransportforskriften § 7; rundskriv N-1/2022; app model Status REJECTED_BELOP_FOR_LAVT",
        _case("nyGaranti", **NEW, belop="189999"),
        _carrier(),
        Status.REJECTED_BELOP_FOR_LAVT,
        Reason.BELOP_FOR_LAVT,
    ),
    Row(
        "loyvedekning above the licences held raises the required sum",
        "SVV app model: NyGaranti.loyvedekning",
        _case("nyGaranti", **NEW, belop="190000", loyvedekning=4),
        _carrier(),
        Status.REJECTED_BELOP_FOR_LAVT,
        Reason.BELOP_FOR_LAVT,
    ),
    Row(
        "a new guarantee where one is active: only ombytting (replacement)",
        "vegvesen.no gebyr og garanti; lastebil.no citing the circular: no amendments, only ombytting",
        _case("nyGaranti", **NEW, belop="190000"),
        _carrier(_guarantee("G-1")),
        Status.REJECTED,
        Reason.GARANTI_FINNES,
    ),
    Row(
        "an amount is not an amount",
        "SVV app model: NyGaranti.belop",
        _case("nyGaranti", **NEW, belop="mye"),
        _carrier(),
        Status.REJECTED,
        Reason.UGYLDIG_BELOP,
    ),
    Row(
        "existing guarantees are not amended (justerBelop)",
        "vegvesen.no gebyr og garanti: ombytting, never endring",
        _case("endreGaranti", garantinummer="G-1", justerBelopCheck=True, belop="250000"),
        _carrier(_guarantee("G-1")),
        Status.REJECTED,
        Reason.ENDRING_IKKE_TILLATT,
    ),
    Row(
        "a guarantor's termination needs two months' notice",
        "vegvesen.no: 2 måneders oppsigelsesfrist overfor løyvehaver og løyvemyndigheten",
        _case(
            "endreGaranti",
            garantinummer="G-1",
            justerOppsigelseCheck=True,
            oppsigelseaarsak="AVSLUTTET_AV_GARANTIST",
            oppsigelsedato="2022-05-14",
        ),
        _carrier(_guarantee("G-1")),
        Status.REJECTED,
        Reason.OPPSIGELSE_FOR_TIDLIG,
    ),
    Row(
        "a guarantor's termination two months ahead is accepted",
        "vegvesen.no: 2 måneders oppsigelsesfrist",
        _case(
            "endreGaranti",
            garantinummer="G-1",
            justerOppsigelseCheck=True,
            oppsigelseaarsak="AVSLUTTET_AV_GARANTIST",
            oppsigelsedato="2022-05-15",
        ),
        _carrier(_guarantee("G-1")),
        Status.OK,
    ),
    Row(
        "the carrier may terminate with immediate effect",
        "vegvesen.no: løyvehaver kan si opp med umiddelbar virkning",
        _case(
            "endreGaranti", garantinummer="G-1", justerOppsigelseCheck=True, oppsigelseaarsak="AVSLUTTET_AV_TRANSPORTOR"
        ),
        _carrier(_guarantee("G-1")),
        Status.OK,
    ),
    Row(
        "endreGaranti on a guarantee of another guarantor",
        "SVV app model: endreGaranti changes an own guarantee",
        _case("endreGaranti", garantinummer="G-9", justerUtbetaltCheck=True, utbetaltISinHelhet=True),
        _carrier(_guarantee("G-9", guarantor=OTHER)),
        Status.REJECTED_FEIL_GAMMEL_GARANTI,
        Reason.FEIL_GAMMEL_GARANTI,
    ),
    Row(
        "a payout is registered on an own guarantee",
        "SVV app model: EndreGaranti.justerUtbetaltCheck, resterendeBelop",
        _case("endreGaranti", garantinummer="G-1", justerUtbetaltCheck=True, resterendeBelop="40000"),
        _carrier(_guarantee("G-1")),
        Status.OK,
    ),
    Row(
        "replacing an own guarantee (ombytte) with one covering every licence",
        "SVV app model: erstattEgenGaranti; vegvesen.no: ombytting",
        _case("erstattEgenGaranti", **NEW, belop="190000", gammelGarantinummer="G-1"),
        _carrier(_guarantee("G-1")),
        Status.OK,
    ),
    Row(
        "replacing a guarantee that is not one's own",
        "SVV app model: Status REJECTED_FEIL_GAMMEL_GARANTI",
        _case("erstattEgenGaranti", **NEW, belop="190000", gammelGarantinummer="G-9"),
        _carrier(_guarantee("G-9", guarantor=OTHER)),
        Status.REJECTED_FEIL_GAMMEL_GARANTI,
        Reason.FEIL_GAMMEL_GARANTI,
    ),
    Row(
        "the replacement must cover all licences at the year's rates too",
        "vegvesen.no: den nye garantien må dekke alle løyvene",
        _case("erstattEgenGaranti", **NEW, belop="140000", gammelGarantinummer="G-1"),
        _carrier(_guarantee("G-1")),
        Status.REJECTED_BELOP_FOR_LAVT,
        Reason.BELOP_FOR_LAVT,
    ),
    Row(
        "replacing another guarantor's guarantee",
        "SVV app model: erstattAnnenGaranti (ErstattAndreGarantister.orgnummer, garantinummer)",
        _case("erstattAnnenGaranti", **NEW, belop="190000", orgnummer=OTHER, gammelGarantinummer="G-9"),
        _carrier(_guarantee("G-9", guarantor=OTHER)),
        Status.OK,
    ),
    Row(
        "replacing another guarantor's guarantee it does not hold",
        "SVV app model: Status REJECTED_FEIL_GAMMEL_GARANTI",
        _case("erstattAnnenGaranti", **NEW, belop="190000", orgnummer=OTHER, gammelGarantinummer="G-1"),
        _carrier(_guarantee("G-1")),
        Status.REJECTED_FEIL_GAMMEL_GARANTI,
        Reason.FEIL_GAMMEL_GARANTI,
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[row.rule for row in ROWS])
def test_documented_rule(row: Row) -> None:
    decision = tg.decide(row.case, garantist=BANK, licensed=row.licensed, carrier=row.carrier, today=TODAY)
    assert (decision.status, decision.reason) == (row.status, row.reason), decision.message
    assert decision.message


@pytest.mark.parametrize(
    ("year", "licences", "required"),
    [
        (2020, 1, 90_000),  # rundskriv N-1/2020: 90 000 / 50 000
        (2021, 1, 98_000),  # rundskriv N-1/2021: 98 000 / 55 000
        (2021, 3, 208_000),
        (2022, 2, 140_000),  # rundskriv N-1/2022: 90 000 / 50 000
        (2026, 2, 140_000),  # a year without a circular in the table: the latest known one (decisions.md)
        (2022, 0, 0),
    ],
)
def test_required_sum_per_year(year: int, licences: int, required: int) -> None:
    assert tg.required_sum(licences, year) == required


def test_replacement_ends_the_old_guarantee_and_creates_the_new() -> None:
    case = _case("erstattEgenGaranti", **NEW, belop="190000", gammelGarantinummer="G-1")
    decision = tg.decide(case, garantist=BANK, licensed=True, carrier=_carrier(_guarantee("G-1")), today=TODAY)
    assert decision.create is not None and decision.create.status is Garantistatus.AKTIV
    assert [(c.garantiNummer, c.status) for c in decision.changes] == [("G-1", Garantistatus.INAKTIV)]
    assert decision.revocation is None  # the carrier stays covered


def test_termination_sends_the_carrier_a_revocation_notice() -> None:
    by_guarantor = _case(
        "endreGaranti", garantinummer="G-1", justerOppsigelseCheck=True, oppsigelseaarsak="AVSLUTTET_AV_GARANTIST"
    )
    decision = tg.decide(by_guarantor, garantist=BANK, licensed=True, carrier=_carrier(_guarantee("G-1")), today=TODAY)
    assert decision.changes[0].status is Garantistatus.OPPSAGT
    assert decision.changes[0].gyldigTil == date(2022, 5, 15)  # default: the earliest allowed date
    assert decision.revocation is not None and decision.revocation.frist == date(2022, 5, 15)
    by_carrier = _case(
        "endreGaranti", garantinummer="G-1", justerOppsigelseCheck=True, oppsigelseaarsak="AVSLUTTET_AV_TRANSPORTOR"
    )
    decision = tg.decide(by_carrier, garantist=BANK, licensed=True, carrier=_carrier(_guarantee("G-1")), today=TODAY)
    assert decision.changes[0].gyldigTil == TODAY
    assert decision.revocation is not None and decision.revocation.frist == TODAY + tg.CARRIER_DEADLINE


def test_a_case_without_its_sub_form_is_refused() -> None:
    case = Soknad(transportorOrgnummer=CARRIER, soknadtype=tg.Soknadtype.NY_GARANTI)
    decision = tg.decide(case, garantist=BANK, licensed=True, carrier=_carrier(), today=TODAY)
    assert (decision.status, decision.reason) == (Status.REJECTED, Reason.UGYLDIG_SAK)


def test_the_status_codes_are_the_app_models_five() -> None:
    assert [s.value for s in Status] == [
        "OK",
        "FAILED",
        "REJECTED_FEIL_GAMMEL_GARANTI",
        "REJECTED_BELOP_FOR_LAVT",
        "REJECTED",
    ]
