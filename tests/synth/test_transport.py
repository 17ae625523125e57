"""The synthetic world's carriers: deterministic, and their guarantees meet the year's required sum."""

from __future__ import annotations

from opendsop.standard.services.transport_guarantee import Garantitype, required_sum
from opendsop.synth import generate, transport


def test_carriers_and_guarantees_are_deterministic_and_sufficient() -> None:
    population = generate("tiny").population()
    found = transport.carriers(population.companies)
    assert found == transport.carriers(generate("tiny").population().companies)
    assert found and all(c.licences[Garantitype.GODSLOYVE.value] >= 1 for c in found)
    given = transport.guarantees(found, population.banks, population.today)
    assert found[0].orgnr not in {g.transportorOrgnummer for g in given}  # one carrier without: for nyGaranti
    for guarantee in given:
        carrier = next(c for c in found if c.orgnr == guarantee.transportorOrgnummer)
        needed = required_sum(carrier.licences[guarantee.garantiType.value], population.today.year)
        assert guarantee.garantiBelop >= needed
