# SPDX-License-Identifier: Apache-2.0
"""Deliberately invalid records for negative tests, made only when ``invalid_fraction`` > 0.

Each is an *extra* record next to valid ones (so the valid world keeps its invariants) and says
what is wrong in ``invalid_reason``:

* persons: ``bad-checksum`` (fødselsnummer with a wrong K2) or ``born-in-future``;
* companies: ``bad-checksum`` (organisasjonsnummer with a wrong check digit);
* accounts: ``bad-checksum`` (kontonummer with a wrong MOD11 digit), owned by a valid person;
* transactions: ``booked-in-future`` (booking date after today) or ``unknown-counterparty``
  (a counterparty account with a wrong check digit).
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from random import Random
from typing import TYPE_CHECKING

import msgspec

from opendsop.synth.model import Transaction
from opendsop.synth.transactions import _at

if TYPE_CHECKING:
    from opendsop.synth.world import Population


def _wrong_last_digit(rng: Random, value: str) -> str:
    return value[:-1] + str((int(value[-1]) + rng.randint(1, 9)) % 10)


def _count(rng: Random, total: int, fraction: float) -> int:
    return min(total, max(1, math.ceil(total * fraction)))


def add_invalid_records(population: Population, rng: Random, fraction: float) -> None:
    replace = msgspec.structs.replace
    persons = list(population.persons)
    for person in rng.sample(population.persons, _count(rng, len(population.persons), fraction)):
        if rng.random() < 0.7:
            persons.append(
                replace(person, person_id=_wrong_last_digit(rng, person.person_id), invalid_reason="bad-checksum")
            )
        else:
            persons.append(
                replace(
                    person,
                    birth_date=population.today + timedelta(days=rng.randint(1, 400)),
                    invalid_reason="born-in-future",
                )
            )
    companies = list(population.companies)
    for company in rng.sample(population.companies, _count(rng, len(population.companies), fraction)):
        companies.append(replace(company, orgnr=_wrong_last_digit(rng, company.orgnr), invalid_reason="bad-checksum"))
    accounts = list(population.accounts)
    for account in rng.sample(population.accounts, _count(rng, len(population.accounts), fraction)):
        accounts.append(
            replace(
                account,
                account_id=-account.account_id,
                kontonr=_wrong_last_digit(rng, account.kontonr),
                invalid_reason="bad-checksum",
            )
        )
    population.persons, population.companies, population.accounts = tuple(persons), tuple(companies), tuple(accounts)


def invalid_transaction(rng: Random, last: Transaction, today: date) -> Transaction:
    """A copy of ``last`` that is wrong in one way."""
    if rng.random() < 0.5 or last.counterparty_account is None:
        when = _at(today + timedelta(days=rng.randint(1, 60)), 12, 0)
        return msgspec.structs.replace(
            last,
            transaction_id=last.transaction_id + "X",
            registered=when,
            booking_date=when,
            value_date=when,
            invalid_reason="booked-in-future",
        )
    return msgspec.structs.replace(
        last,
        transaction_id=last.transaction_id + "X",
        counterparty_account=_wrong_last_digit(rng, last.counterparty_account),
        invalid_reason="unknown-counterparty",
    )


__all__ = ["add_invalid_records", "invalid_transaction"]
