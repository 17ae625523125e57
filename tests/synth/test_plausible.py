"""A world a new user believes: balances within credit lines, real postal code and place pairs.

The demo world once held a business account at -180,343,789 NOK and addresses in "2344 Paulsen";
these invariants keep such values out of every seed's world.
"""

from __future__ import annotations

from opendsop.synth.model import AccountType
from opendsop.synth.postal import POSTAL_PLACES
from opendsop.synth.transactions import booked_balance
from tests.synth.conftest import Materialised

# Accounts a bank lends on by nature: their balance is a debt, not an overdraft.
LENDING = {AccountType.LOAN_ACCOUNT, AccountType.CREDIT_CARD_ACCOUNT}


def test_a_business_account_never_goes_below_its_credit_line(tiny: Materialised) -> None:
    business = [a for a in tiny.population.accounts if a.type is AccountType.BUSINESS_ACCOUNT]
    assert business
    for account in business:
        floor = -(account.credit_limit or 0)
        running = account.opening_balance
        assert running >= floor, account.kontonr
        for tx in tiny.statements[account.kontonr]:
            if tx.status.value == "booked" and tx.invalid_reason is None:
                running += tx.amount if tx.credit_debit_indicator.value == "credit" else -tx.amount
                assert running >= floor, f"{account.kontonr} at {tx.booking_date}: {running}"


def test_no_account_but_a_loan_holds_a_debt_of_a_million(tiny: Materialised) -> None:
    for account in tiny.population.accounts:
        if account.type in LENDING or account.closed is not None:
            continue
        balance = booked_balance(account, tiny.statements[account.kontonr])
        assert balance > -1_000_000, f"{account.type}: {account.kontonr} {balance}"


def test_every_norwegian_address_has_a_postal_code_and_place_that_belong_together(tiny: Materialised) -> None:
    pairs = set(POSTAL_PLACES)
    family_names = {name.upper() for name in ("Paulsen", "Dahl", "Berg", "Hauge", "Madsen")}
    addresses = [p.address for p in tiny.population.persons] + [c.address for c in tiny.population.companies]
    norwegian = [a for a in addresses if a is not None and a.country == "NO"]
    assert norwegian
    for address in norwegian:
        assert (address.post_code, address.town_name) in pairs, address
        assert address.town_name not in family_names
    assert all(len(code) == 4 and code.isdigit() for code, _ in POSTAL_PLACES)


def test_a_person_s_own_account_holds_no_debt_a_bank_would_not_allow(tiny: Materialised) -> None:
    """Bills and instalments within the person's income, card purchases declined without funds, NAV when
    an employer stops paying: a salary account ends at most a month's small overdraft below zero."""
    salary = [a for a in tiny.population.accounts if a.type is AccountType.SALARY_ACCOUNT and a.closed is None]
    assert salary
    for account in salary:
        balance = booked_balance(account, tiny.statements[account.kontonr])
        assert balance > -(account.credit_limit or 0) - 10_000, f"{account.kontonr}: {balance}"
