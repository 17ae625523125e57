"""Invalid records are made only on request, are flagged, and really are invalid."""

from __future__ import annotations

import pytest

from opendsop.standard.errors import InvalidIdentifier
from opendsop.standard.identifiers import validate_kontonr, validate_orgnr, validate_person_number
from opendsop.synth import generate
from opendsop.synth.export import static_rows, transaction_rows


def test_no_invalid_records_unless_asked() -> None:
    population = generate("tiny", seed=9).population()
    records = [*population.persons, *population.companies, *population.accounts, *population.transactions()]
    assert all(record.invalid_reason is None for record in records)


@pytest.fixture(scope="module")
def flawed():
    return generate("tiny", seed=9, invalid_fraction=0.05).population()


def test_invalid_persons_fail_validation(flawed) -> None:
    bad = [p for p in flawed.persons if p.invalid_reason]
    assert bad
    for person in bad:
        with pytest.raises(InvalidIdentifier):
            validate_person_number(person.person_id, synthetic_allowed=True, today=flawed.today)


def test_invalid_companies_and_accounts_fail_validation(flawed) -> None:
    companies = [c for c in flawed.companies if c.invalid_reason]
    accounts = [a for a in flawed.accounts if a.invalid_reason]
    assert companies and accounts
    for company in companies:
        with pytest.raises(InvalidIdentifier):
            validate_orgnr(company.orgnr, synthetic_allowed=True)
    for account in accounts:
        with pytest.raises(InvalidIdentifier):
            validate_kontonr(account.kontonr)


def test_invalid_transactions_are_flagged_and_after_today_or_unresolvable(flawed) -> None:
    accounts = {a.kontonr for a in flawed.accounts if a.invalid_reason is None}
    bad = [t for t in flawed.transactions() if t.invalid_reason]
    assert bad
    for tx in bad:
        if tx.invalid_reason == "booked-in-future":
            assert tx.booking_date.date() > flawed.today
        else:
            assert tx.invalid_reason == "unknown-counterparty" and tx.counterparty_account not in accounts


def test_valid_records_are_unchanged_by_asking_for_invalid_ones(flawed) -> None:
    clean = generate("tiny", seed=9).population()
    assert [p for p in flawed.persons if p.invalid_reason is None] == list(clean.persons)
    assert list(transaction_rows(flawed)) == list(transaction_rows(clean))
    assert list(static_rows(flawed, "accounts")) == list(static_rows(clean, "accounts"))
