"""The bank's facts from the register clients of ``opendsop.registers`` (their in-memory twins):
death and shielding from Folkeregisteret, guardianships with ``representasjonDagligbank``, and the
``kjennelsesdato`` of the bankruptcy opening that stands (DSOP “Recommendations regarding validation”; the DSOP
services' “Løsningsbeskrivelse” pages)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from opendsop.contracts.registers.models import (
    Adressebeskyttelse,
    KonkursType,
    Navn,
    Person,
    PersonStatus,
    Verge,
    Vergemaal,
)
from opendsop.provider.ports import RegisterClients, RegisterFacts
from opendsop.registers.memory import MemoryFolkeregister, MemoryKonkursregister
from opendsop.standard.request import REPRESENTASJON_DAGLIGBANK
from tests.provider import bank as seed
from tests.provider.harness import Bank, Pki, open_bank

pytestmark = pytest.mark.anyio


def _registers(*, task: str = REPRESENTASJON_DAGLIGBANK) -> tuple[MemoryFolkeregister, MemoryKonkursregister]:
    freg = MemoryFolkeregister(clock=lambda: seed.NOW)
    name = Navn(fornavn="Test", etternavn="Person")
    freg.load_persons(
        [
            Person(identifikasjonsnummer=seed.DAG, navn=name, status=PersonStatus.DOED, doedsdato=seed.DEATH),
            Person(identifikasjonsnummer=seed.SKJERMET, navn=name, adressebeskyttelse=Adressebeskyttelse.FORTROLIG),
            Person(identifikasjonsnummer=seed.WARD, navn=name),
            Person(identifikasjonsnummer=seed.GUARDIAN, navn=name),
            Person(identifikasjonsnummer=seed.ANNE, navn=name),
        ]
    )
    freg.put_guardianship(
        Vergemaal(
            id="vm-1",
            vergehaver=seed.WARD,
            verge=Verge(identifikasjonsnummer=seed.GUARDIAN),
            tjenesteoppgaver=(task,),
            gyldigFraOgMed=seed.guardianships()[0].valid_from,
        )
    )
    konkurs = MemoryKonkursregister(clock=lambda: seed.NOW - timedelta(days=60))
    konkurs.register(type=KonkursType.AAPNING, debitor=seed.FIRMA, kjennelsesdato=seed.RULING)
    return freg, konkurs


async def _bank(pki: Pki, issuer: Any, freg: MemoryFolkeregister, konkurs: MemoryKonkursregister) -> Bank:
    return await open_bank(pki, issuer, facts=RegisterFacts(RegisterClients(freg, konkurs)))


@pytest.mark.parametrize(
    ("consumer", "party", "listed"),
    [
        (seed.OED, seed.DAG, {seed.ESTATE}),
        (seed.KONKURS, seed.FIRMA, {seed.BUSINESS}),
        (seed.VERGE, seed.WARD, {seed.WARD_MAIN}),
        (seed.SKATT, seed.SKJERMET, set()),
    ],
    ids=lambda value: getattr(value, "service", None) or "",
)
async def test_facts_from_the_register_clients(
    pki: Pki, token_issuer: Any, consumer: seed.Consumer, party: str, listed: set[str]
) -> None:
    bank = await _bank(pki, token_issuer, *_registers())
    async with bank.client:
        response = await bank.accounts(consumer, party)
    assert response.status_code == 200, response.text
    assert {item["accountIdentifier"] for item in response.json()["accounts"]} == {seed.NUMBERS[a] for a in listed}


async def test_annulled_bankruptcy_is_no_basis(pki: Pki, token_issuer: Any) -> None:
    freg, konkurs = _registers()
    konkurs.register(type=KonkursType.SLETTING, debitor=seed.FIRMA, kjennelsesdato=seed.RULING)
    bank = await _bank(pki, token_issuer, freg, konkurs)
    async with bank.client:
        response = await bank.accounts(seed.KONKURS, seed.FIRMA)
    assert (response.status_code, response.json()["code"]) == (403, "ACC-011")


async def test_guardian_without_representasjon_dagligbank_is_refused(pki: Pki, token_issuer: Any) -> None:
    bank = await _bank(pki, token_issuer, *_registers(task="økonomiskeForhold"))
    async with bank.client:
        response = await bank.accounts(seed.VERGE, seed.WARD)
    assert (response.status_code, response.json()["code"]) == (403, "ACC-011")


async def test_a_failing_register_is_500_acc_100(pki: Pki, token_issuer: Any) -> None:
    freg, konkurs = _registers()

    async def down(_party: str) -> Any:
        raise ConnectionError("folkeregister unreachable")

    freg.person = down  # type: ignore[method-assign]
    bank = await _bank(pki, token_issuer, freg, konkurs)
    async with bank.client:
        response = await bank.accounts(seed.OED, seed.DAG)
    assert (response.status_code, response.json()["code"]) == (503, "ACC-100")


async def test_a_malformed_party_is_400_before_any_register_is_asked(pki: Pki, token_issuer: Any) -> None:
    freg, konkurs = _registers()
    asked: list[str] = []
    original = freg.person

    async def spy(party: str) -> Any:
        asked.append(party)
        return await original(party)

    freg.person = spy  # type: ignore[method-assign]
    bad = seed.DAG[:-1] + ("0" if seed.DAG[-1] != "0" else "1")
    bank = await _bank(pki, token_issuer, freg, konkurs)
    async with bank.client:
        response = await bank.accounts(seed.OED, bad)
    assert (response.status_code, response.json()["code"]) == (400, "ACC-001")
    assert asked == []
