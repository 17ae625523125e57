# SPDX-License-Identifier: Apache-2.0
"""The grunnbok and AKELDO of the synthetic world, derived deterministically from it.

Every person who owes on a ``loanAccount`` (first 300, by account) holds one house in the grunnbok,
mortgaged to that bank for the loan plus a margin (rounded up to 100 000 kr); every bank of the world,
and the ecosystem's estate agent, is in AKELDO with its role's whole message set.  The estate agent and
Foretaksregisteret's intake have their own token-service clients (provision.py), like the pension
institutions.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal

import msgspec

from opendsop.contracts.dsve.transport import akeldo_entry
from opendsop.contracts.messaging import names as messaging_names
from opendsop.contracts.registers.kartverket import (
    SCOPE_ETINGLYSING,
    SCOPE_FORETAK,
    SCOPE_GRUNNBOK,
    Aktoer,
    Grunnbokenhet,
    Heftelse,
    Rettighetshaver,
    grunnbokenhet,
)
from opendsop.standard.control.v2.values import AccountType
from opendsop.standard.dsve.catalogue import Role
from opendsop.standard.dsve.values import Matrikkel, Org
from opendsop.synth.world import Population

MEGLER = Org("315000009", "Eiendomsmegler Demo AS")  # Tenor's synthetic range: no real agent is named
BRREG = Org("974760673", "Brønnøysundregistrene")
DSVE_ORGS = (MEGLER, BRREG)
REGISTER_SCOPES = (SCOPE_GRUNNBOK, SCOPE_ETINGLYSING, SCOPE_FORETAK)
DSVE_SCOPES = (*REGISTER_SCOPES, messaging_names.BROKER_WRITE, messaging_names.BROKER_READ)
MAX_HOUSES = 300
KOMMUNER = (("0301", "Oslo"), ("4601", "Bergen"), ("5001", "Trondheim"), ("1103", "Stavanger"), ("3201", "Bærum"))


def dsve_client_id(orgno: str) -> str:
    return f"dsve-{orgno}"


def _number(*parts: str) -> int:
    return int(hashlib.sha256("/".join(parts).encode()).hexdigest()[:8], 16)


def _akeldo(entry: object) -> Aktoer:
    from opendsop.standard.dsve.rules import Aktoer as Entry

    assert isinstance(entry, Entry)
    return Aktoer(
        organisasjonsnummer=entry.organisasjonsnummer,
        navn=entry.navn,
        rolle=entry.rolle.value,
        sendeliste=tuple(sorted(entry.sendeliste)),
        mottaksliste=tuple(sorted(entry.mottaksliste)),
    )


def grunnbok_rows(population: Population) -> tuple[list[Grunnbokenhet], list[Aktoer]]:
    persons = {p.person_id: p for p in population.persons if p.invalid_reason is None and p.date_of_death is None}
    banks = {b.orgnr: b for b in population.banks}
    units: list[Grunnbokenhet] = []
    taken: set[str] = set()
    owners: set[str] = set()
    loans = sorted(
        (
            a
            for a in population.accounts
            if a.type is AccountType.LOAN_ACCOUNT and a.owner_id in persons and a.invalid_reason is None
        ),
        key=lambda a: a.account_id,
    )
    for account in loans:
        if len(units) >= MAX_HOUSES or account.owner_id in owners or account.opening_balance >= 0:
            continue
        owner = persons[account.owner_id]
        kommune, navn = KOMMUNER[_number(owner.person_id, "kommune") % len(KOMMUNER)]
        gnr, bnr = 1 + _number(owner.person_id, "gnr") % 400, 1 + _number(owner.person_id, "bnr") % 300
        while f"{kommune}-{gnr}-{bnr}" in taken:
            bnr += 1
        taken.add(f"{kommune}-{gnr}-{bnr}")
        owners.add(owner.person_id)
        amount = (-account.opening_balance * Decimal("1.2") / 100_000).to_integral_value(ROUND_CEILING) * 100_000
        bank = banks.get(account.bank_orgnr)
        code = (bank.bank_codes[0] if bank and bank.bank_codes else "0000")[:4]
        mortgage = Heftelse(
            prioritet=1,
            dokumentnummer=100_000 + len(units),
            dokumentaar=account.opened.year,
            embetenummer=200,
            rettsstiftelsesnummer=1,
            registreringstidspunkt=datetime(
                account.opened.year, account.opened.month, account.opened.day, 12, tzinfo=UTC
            ),
            panthaver=Rettighetshaver(id=account.bank_orgnr, navn=bank.name if bank else account.bank_orgnr),
            pantsettere=(owner.person_id,),
            beloep=int(amount),
            dokumentreferanse=f"SEED{len(units)}-PD1-{code}",
        )
        address = owner.address
        unit = grunnbokenhet(
            Matrikkel(kommune, navn, gnr, bnr),
            (Rettighetshaver(id=owner.person_id, navn=owner.name),),
            f"{address.street_name} {address.building_number}, {address.post_code} {address.town_name}",
        )
        units.append(msgspec.structs.replace(unit, heftelser=(mortgage,)))
    entries = [_akeldo(akeldo_entry(b.orgnr, b.name, Role.BANK)) for b in population.banks]
    entries.append(_akeldo(akeldo_entry(MEGLER.id, MEGLER.navn, Role.MEGLER)))
    return units, entries


__all__ = [
    "BRREG",
    "DSVE_ORGS",
    "DSVE_SCOPES",
    "MEGLER",
    "REGISTER_SCOPES",
    "dsve_client_id",
    "grunnbok_rows",
]
