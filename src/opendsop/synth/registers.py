# SPDX-License-Identifier: Apache-2.0
"""What the registers know about the synthetic world: KAR/KFR relations, FREG, Konkursvarsel.

Derived views, no new randomness (DSOP “Endpoint customerRelationships V.2.0”; DSOP Konkurs “Løsningsbeskrivelse”; DSOP
Kundeforholdsregister “Om”):

* **Customer relations**: one row per (party, account) role.  A bank's rows go to the register
  it reports to (``Bank.reports_to``: ``KAR`` for NICS banks, ``KFR`` otherwise).
  ``nics_creditable`` marks an owned (primary or secondary), enabled account of a type that can
  receive payments or hold funds — the basis of ``activeAccount`` / ``ownershipType`` (KFR
  always answers ``activeAccount = false``; that rule belongs to the register, not here).
* **FREG**: a person's status (``bosatt`` / ``doed``), date of death, address protection and
  vergemål with ``tjenesteoppgaver``.
* **Konkursvarsel**: one ``aapning`` notice per bankruptcy, with ``kjennelsesdato``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from opendsop.synth.model import AccountStatus, AccountType, Register

if TYPE_CHECKING:
    from opendsop.synth.world import Population

T = AccountType
PAYMENT_OR_FUNDS = frozenset(
    {
        T.SALARY_ACCOUNT,
        T.SAVINGS_ACCOUNT,
        T.CURRENCY_ACCOUNT,
        T.BUSINESS_ACCOUNT,
        T.CLIENT_ACCOUNT,
        T.TAX_DEDUCTION_ACCOUNT,
        T.OTHER_ACCOUNT,
    }
)

CUSTOMER_RELATION_COLUMNS = (
    "register",
    "bank_orgnr",
    "bank_name",
    "party_id",
    "party_kind",
    "kontonr",
    "account_type",
    "role",
    "permission",
    "start_date",
    "end_date",
    "nics_creditable",
)
FREG_PERSON_COLUMNS = ("person_id", "id_kind", "status", "date_of_death", "address_protection")
KONKURSVARSEL_COLUMNS = (
    "uuid",
    "registreringstidspunkt",
    "type",
    "debitor",
    "debitor_kind",
    "debitor_name",
    "kjennelsesdato",
    "linked_orgnr",
)


def customer_relations(population: Population, register: Register | None = None) -> Iterator[tuple[Any, ...]]:
    """Rows of ``CUSTOMER_RELATION_COLUMNS`` (valid accounts only), optionally for one register."""
    banks = {bank.orgnr: bank for bank in population.banks}
    accounts = {a.kontonr: a for a in population.accounts if a.invalid_reason is None}
    for role in population.roles:
        account = accounts.get(role.kontonr)
        if account is None:
            continue
        bank = banks[account.bank_orgnr]
        if register is not None and bank.reports_to != register:
            continue
        creditable = (
            role.role != "disponent" and account.type in PAYMENT_OR_FUNDS and account.status is AccountStatus.ENABLED
        )
        yield (
            bank.reports_to,
            bank.orgnr,
            bank.name,
            role.party_id,
            role.party_kind,
            account.kontonr,
            account.type.value,
            role.role,
            role.permission.value,
            role.start_date,
            role.end_date,
            creditable,
        )


def freg_persons(population: Population) -> Iterator[tuple[str, str, str, date | None, str | None]]:
    for person in population.persons:
        if person.invalid_reason is None:
            status = "bosatt" if person.date_of_death is None else "doed"
            yield person.person_id, person.id_kind, status, person.date_of_death, person.address_protection


def konkursvarsel(population: Population) -> Iterator[tuple[str, datetime, str, str, str, str, date, str | None]]:
    for b in population.bankruptcies:
        yield (
            b.notice_uuid,
            b.notice_registered,
            b.notice_type,
            b.debtor_id,
            b.debtor_kind,
            b.debtor_name,
            b.kjennelsesdato,
            b.linked_orgnr,
        )


__all__ = [
    "CUSTOMER_RELATION_COLUMNS",
    "FREG_PERSON_COLUMNS",
    "KONKURSVARSEL_COLUMNS",
    "PAYMENT_OR_FUNDS",
    "customer_relations",
    "freg_persons",
    "konkursvarsel",
]
