"""Enhetsregisteret storage on SQLite and PostgreSQL: units, roles, rules, and the change feed."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from opendsop.contracts.registers.errors import InvalidIdentifierInput, InvalidInput
from opendsop.contracts.registers.models import Rettighet
from opendsop.registers.app import Stores
from tests.registers.sample import COMPANY, LEDE, MEDL1, OLA, ORG, SOLE_PROPRIETORSHIP

pytestmark = pytest.mark.anyio


async def test_units_round_trip_and_every_write_is_one_change(stores: Stores) -> None:
    er = stores.enhetsregister
    assert await er.load_organisations([msgspec.to_builtins(SOLE_PROPRIETORSHIP)]) == 1  # the loader's JSON form
    assert (await er.changes_after(0, 10)).oppdateringer == ()
    first = await er.put(COMPANY)
    second = await er.put(COMPANY)
    closed = msgspec.structs.replace(COMPANY.organisasjon, slettedato=date(2026, 11, 28))
    third = await er.put(msgspec.structs.replace(COMPANY, organisasjon=closed))
    assert [c.endringstype for c in (first, second, third)] == ["Ny", "Endring", "Sletting"]
    page = await er.changes_after(first.oppdateringsid, 1)
    assert page.oppdateringer == (second,) and page.flere
    roles = await er.roles(ORG)
    assert roles is not None and roles.roller == COMPANY.roller
    assert [r.rettighet for r in roles.signatur] == [Rettighet.SIGNATUR]
    answer = await er.signature_right(ORG, LEDE, [MEDL1])
    assert answer is not None and answer.allowed
    enks = await er.enk_units(OLA)
    assert [u.organisasjonsnummer for u in enks] == [SOLE_PROPRIETORSHIP.organisasjon.organisasjonsnummer]


async def test_loader_rows_are_checked(sqlite_stores: Stores) -> None:
    er = sqlite_stores.enhetsregister
    with pytest.raises(InvalidInput) as caught:
        await er.load_organisations([{"organisasjon": {"navn": "Mangler Nummer AS"}}])
    assert "enhet 1" in caught.value.message
    bad_holder = msgspec.to_builtins(COMPANY)
    bad_holder["roller"][0]["person"] = "12345678901"
    with pytest.raises(InvalidIdentifierInput):
        await er.load_organisations([bad_holder])
