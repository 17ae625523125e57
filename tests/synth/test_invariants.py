"""Generator invariants: every identifier valid, balances equal the sum of transactions,
counterparties resolve to a mirror transaction, values within the v2 data model's rules."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from opendsop.standard.identifiers import (
    bank_for,
    validate_kontonr,
    validate_orgnr,
    validate_party_id,
    validate_person_number,
)
from opendsop.synth.model import (
    AccountType,
    CreditOrDebit,
    IdentifierType,
    TransactionReferenceType,
    TransactionStatus,
)
from tests.synth.conftest import Materialised

MASKED_CARD = re.compile(r"\d{6}X+\d{4}")  # DSOP “Data model”: at most first 6 and last 4 digits
YEAR_MONTH = re.compile(r"[0-9]+-(0[1-9]|1[0-2])")


def test_every_person_number_is_a_valid_synthetic_number(tiny: Materialised) -> None:
    population = tiny.population
    for person in population.persons:
        party = validate_person_number(person.person_id, synthetic_allowed=True, today=population.today)
        assert party.synthetic, f"{person.person_id} is not month + 80"
        assert party.birth_date == person.birth_date
        assert party.kind.value == person.id_kind
    assert {p.id_kind for p in population.persons} == {"fodselsnummer", "dnummer"}


def test_person_numbers_are_unique(tiny: Materialised) -> None:
    ids = [p.person_id for p in tiny.population.persons]
    assert len(ids) == len(set(ids))


def test_every_organisation_number_is_valid(tiny: Materialised) -> None:
    population = tiny.population
    for company in population.companies:
        validate_orgnr(company.orgnr, synthetic_allowed=True)
    for bank in population.banks:
        # A bank with a known (real) number passes even the production check.
        validate_orgnr(bank.orgnr, synthetic_allowed=bank.orgnr_synthetic)
        assert bank.orgnr_synthetic == (bank.orgnr[0] in "23")
    orgnrs = [c.orgnr for c in population.companies] + [b.orgnr for b in population.banks]
    assert len(orgnrs) == len(set(orgnrs))


def test_every_account_number_is_valid_at_its_own_bank(tiny: Materialised) -> None:
    banks = {bank.orgnr: bank for bank in tiny.population.banks}
    for account in tiny.population.accounts:
        validate_kontonr(account.kontonr)
        bank = banks[account.bank_orgnr]
        assert account.kontonr[:4] in bank.bank_codes
        info = bank_for(account.kontonr)
        assert info is not None and info.name == bank.name
    numbers = [a.kontonr for a in tiny.population.accounts]
    assert len(numbers) == len(set(numbers))


def test_banks_report_to_kar_or_kfr_and_both_occur(tiny: Materialised) -> None:
    registers = {bank.reports_to for bank in tiny.population.banks}
    assert registers == {"KAR", "KFR"}


def test_all_eleven_account_types_occur(tiny: Materialised) -> None:
    assert {a.type for a in tiny.population.accounts} == set(AccountType)


def test_role_holders_and_counterparties_are_valid_parties(tiny: Materialised) -> None:
    population = tiny.population
    for role in population.roles:
        kind = validate_party_id(role.party_id, synthetic_allowed=True).wire_identifier_type
        assert kind == role.identifier_type.value
    for tx in tiny.transactions:
        if tx.counterparty_id is not None and tx.counterparty_id_type is IdentifierType.NATIONAL_IDENTITY_NUMBER:
            validate_person_number(tx.counterparty_id, synthetic_allowed=True)
        elif tx.counterparty_id is not None:
            validate_orgnr(tx.counterparty_id, synthetic_allowed=True)


def test_cards_are_masked_six_plus_four(tiny: Materialised) -> None:
    cards = tiny.population.cards
    assert cards
    for card in cards:
        assert MASKED_CARD.fullmatch(card.card_identifier), card.card_identifier
        assert YEAR_MONTH.fullmatch(card.start_date) and YEAR_MONTH.fullmatch(card.expiry_date)
        assert card.start_date < card.expiry_date
        assert card.version_number in "123456789" and len(card.version_number) == 1
        assert card.kontonr in tiny.accounts


def test_transactions_have_positive_amounts_in_the_account_currency(tiny: Materialised) -> None:
    for kontonr, transactions in tiny.statements.items():
        account = tiny.accounts[kontonr]
        for tx in transactions:
            assert tx.amount >= 0
            assert tx.amount == tx.amount.quantize(Decimal("0.01"))
            assert tx.currency == account.currency
            assert tx.registered.tzinfo is not None
            if tx.status is TransactionStatus.BOOKED:
                assert tx.booking_date is not None and tx.booking_date.tzinfo is not None
                assert tx.booking_date.date() <= tiny.population.today
            else:
                assert tx.status is TransactionStatus.PENDING and tx.booking_date is None


def test_transaction_identifiers_are_unique(tiny: Materialised) -> None:
    ids = [tx.transaction_id for tx in tiny.transactions]
    assert len(ids) == len(set(ids))
    assert all(len(i) <= 35 for i in ids)  # v1.0's limit, kept as a safe bound


def _running_balance(opening: Decimal, transactions: list, day: date) -> Decimal:
    total = opening
    for tx in transactions:
        if tx.status is TransactionStatus.BOOKED and tx.booking_date.date() <= day:
            total += tx.amount if tx.credit_debit_indicator is CreditOrDebit.CREDIT else -tx.amount
    return total


def test_booked_balance_equals_opening_plus_booked_transactions(tiny: Materialised) -> None:
    from opendsop.synth import booked_balance

    population = tiny.population
    checked = 0
    for kontonr, transactions in tiny.statements.items():
        account = tiny.accounts[kontonr]
        for day in (population.window.start, date(2026, 3, 1), population.today):
            expected = _running_balance(account.opening_balance, transactions, day)
            assert booked_balance(account, transactions, day) == expected
        balances = {b.type: b for b in tiny.balances[kontonr]}
        if account.type is AccountType.ACCOUNT_WITHOUT_BALANCE or account.closed is not None:
            assert balances == {}
            continue
        final = _running_balance(account.opening_balance, transactions, population.today)
        booked = balances["bookedBalance"]
        signed = booked.amount if booked.credit_debit_indicator is CreditOrDebit.CREDIT else -booked.amount
        assert signed == final and booked.amount >= 0
        pending_debits = sum((tx.amount for tx in transactions if tx.status is TransactionStatus.PENDING), Decimal(0))
        available = balances["availableBalance"]
        signed = available.amount if available.credit_debit_indicator is CreditOrDebit.CREDIT else -available.amount
        assert signed == final - pending_debits + (account.credit_limit or 0)
        checked += 1
    assert checked > 50


def test_accounts_without_balance_have_no_transactions(tiny: Materialised) -> None:
    for kontonr, transactions in tiny.statements.items():
        if tiny.accounts[kontonr].type is AccountType.ACCOUNT_WITHOUT_BALANCE:
            assert transactions == []


def test_every_counterparty_account_resolves_to_a_mirror(tiny: Materialised) -> None:
    by_e2e: dict[tuple[str, str], list] = defaultdict(list)
    for tx in tiny.transactions:
        e2e = tx.reference(TransactionReferenceType.END_TO_END_IDENTIFICATION)
        if e2e is not None:
            by_e2e[(tx.kontonr, e2e)].append(tx)
    resolved = cross_bank = 0
    for tx in tiny.transactions:
        if tx.counterparty_account is None:
            continue
        other = tiny.accounts.get(tx.counterparty_account)
        assert other is not None, f"{tx.transaction_id}: counterparty {tx.counterparty_account} does not exist"
        e2e = tx.reference(TransactionReferenceType.END_TO_END_IDENTIFICATION)
        (mirror,) = by_e2e[(other.kontonr, e2e)]
        assert mirror.counterparty_account == tx.kontonr
        assert mirror.credit_debit_indicator is not tx.credit_debit_indicator
        assert mirror.booking_date == tx.booking_date
        assert mirror.counterparty_id == tiny.accounts[tx.kontonr].owner_id
        if mirror.currency == tx.currency:
            assert mirror.amount == tx.amount
        else:  # a currency purchase: both sides state the same exchange
            assert mirror.fx_exchange_rate == tx.fx_exchange_rate and mirror.fx_original_amount == tx.fx_original_amount
        resolved += 1
        cross_bank += other.bank_orgnr != tiny.accounts[tx.kontonr].bank_orgnr
    assert resolved > 100 and cross_bank > 10


def test_card_transactions_use_a_card_of_the_account(tiny: Materialised) -> None:
    cards = {card.card_id: card for card in tiny.population.cards}
    used = 0
    for tx in tiny.transactions:
        if tx.card_id is None:
            continue
        card = cards[tx.card_id]
        assert card.kontonr == tx.kontonr and card.card_identifier == tx.card_identifier
        assert tx.merchant
        used += 1
    assert used > 100


@pytest.mark.parametrize(
    "feature",
    [
        "pending",
        "reversal",
        "currency-exchange",
        "salary",
        "transfer",
        "merchant",
        "tax-to-skatteetaten",
    ],
)
def test_life_like_transactions_occur(tiny: Materialised, feature: str) -> None:
    checks = {
        "pending": lambda tx: tx.status is TransactionStatus.PENDING,
        "reversal": lambda tx: tx.reversal_indicator and tx.credit_debit_indicator is CreditOrDebit.CREDIT,
        "currency-exchange": lambda tx: tx.fx_exchange_rate is not None and tx.fx_source_currency != tx.currency,
        "salary": lambda tx: tx.free_text == "Lønn" and tx.credit_debit_indicator is CreditOrDebit.CREDIT,
        "transfer": lambda tx: tx.free_text == "Straksbetaling",
        "merchant": lambda tx: tx.merchant is not None and tx.card_identifier is not None,
        "tax-to-skatteetaten": lambda tx: tx.counterparty_id == "974761076",
    }
    assert any(checks[feature](tx) for tx in tiny.transactions)


def test_reversals_undo_an_earlier_purchase(tiny: Materialised) -> None:
    for transactions in tiny.statements.values():
        purchases = {
            tx.reference(TransactionReferenceType.ARCHIVE_REFERENCE): tx
            for tx in transactions
            if tx.card_id is not None and not tx.reversal_indicator
        }
        for tx in transactions:
            if tx.reversal_indicator:
                original = purchases[tx.reference(TransactionReferenceType.ARCHIVE_REFERENCE)]
                assert original.amount == tx.amount and original.booking_date < tx.booking_date


def test_no_role_ends_before_it_starts() -> None:
    # demo seed 0 once gave a guardian a disponent role ending before the ward's account opened
    from opendsop.synth import generate

    for population in generate("demo", seed=0).shards(limit=1):
        assert all(role.end_date is None or role.start_date <= role.end_date for role in population.roles)
