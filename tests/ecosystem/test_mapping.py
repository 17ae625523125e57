"""Mapping rules that the tiny world does not exercise: a role that ends before it starts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from opendsop.ecosystem import mapping
from opendsop.synth.model import Account, AccountPermissionType, AccountRole, AccountStatus, AccountType, Bank


def _world(register: str) -> Any:
    bank = Bank(
        orgnr="984851006",
        name="Testbank",
        bank_codes=("7513",),
        bic="TESTNOKK",
        reports_to=register,
        api_base_url="https://bank.test",
        orgnr_synthetic=False,
    )
    account = Account(
        account_id=1,
        kontonr="75133352139",
        bank_orgnr=bank.orgnr,
        type=AccountType.SALARY_ACCOUNT,
        currency="NOK",
        status=AccountStatus.ENABLED,
        owner_id="01835014262",
        owner_kind="person",
        opened=date(2026, 2, 13),
        closed=None,
        balance_date=date(2026, 2, 13),
        opening_balance=Decimal("0.00"),
    )

    def role(party: str, kind: str, start: date, end: date | None) -> AccountRole:
        return AccountRole(
            kontonr=account.kontonr,
            party_id=party,
            party_kind="person",
            name="N N",
            role=kind,
            permission=AccountPermissionType.RIGHT_TO_USE_ALONE,
            start_date=start,
            end_date=end,
        )

    roles = (
        role("01835014262", "primaryOwner", date(2026, 2, 13), None),
        role("05855794650", "disponent", date(2026, 2, 13), date(2025, 9, 27)),
    )  # never held
    return SimpleNamespace(banks=(bank,), accounts=(account,), roles=roles)


def test_a_role_ending_before_it_starts_is_left_out_of_every_store() -> None:
    kar_world, kfr_world = _world("KAR"), _world("KFR")
    relations = list(mapping.relation_rows(kar_world, {"75133352139": "1"}))
    kar = list(mapping.kar_rows(kar_world))
    kfr, _ = mapping.kfr_rows(kfr_world)
    assert [r.party_id for r in relations] == ["01835014262"]
    assert [r.customer_id for r in kar] == ["01835014262"]
    assert [r.customer_id for r in kfr] == ["01835014262"]


def test_transaction_columns_equal_the_typed_rows_values() -> None:
    """The bulk path gives, column for column, what the loader makes of the v2 Transaction."""
    from opendsop.provider.store import loader
    from opendsop.provider.store.records import TransactionRow
    from opendsop.synth import generate

    population = generate("tiny", seed=3).population()
    cards = {card.card_id: card for card in population.cards}
    columns = mapping.TransactionColumns(cards)
    checked = 0
    for account in population.accounts:
        for tx in mapping.booked(population.statement(account)):
            row = TransactionRow(account_id="7", transaction=mapping.transaction(tx, cards))
            typed = loader.transaction_values(row)
            assert columns.row("7", tx) == tuple(typed[name] for name in loader.TRANSACTION_COLUMNS)
            checked += 1
    assert checked > 1000


def test_balance_columns_equal_the_balance_rows() -> None:
    from opendsop.synth import generate

    population = generate("tiny", seed=3).population()
    for account in population.accounts[:20]:
        booked = mapping.booked(population.statement(account))
        assert mapping.balance_columns(account, booked) == [
            (row.account_id, row.day, row.amount) for row in mapping.balance_rows(account, booked)
        ]


def test_sqlite_rows_equal_what_the_bind_processors_make_of_the_columns() -> None:
    """The one-pass SQLite parameters are, value for value, the converted column tuples."""
    from sqlalchemy.dialects.sqlite import aiosqlite

    from opendsop.provider.store import loader, schema
    from opendsop.synth import generate

    dialect = aiosqlite.dialect()
    transactions = loader._tuple_converter(schema.transaction, dialect)
    balances = loader._tuple_converter(schema.booked_balance, dialect)
    population = generate("tiny", seed=3).population()
    columns = mapping.TransactionColumns({card.card_id: card for card in population.cards})
    checked = 0
    for account in population.accounts:
        booked = mapping.booked(population.statement(account))
        assert mapping.sqlite_balance_params(account, booked) == balances(mapping.balance_columns(account, booked))
        expected = transactions([columns.row("7", tx) for tx in booked])
        assert [columns.sqlite_row("7", tx) for tx in booked] == expected
        assert [tuple(map(type, row)) for row in expected] == [
            tuple(map(type, columns.sqlite_row("7", tx))) for tx in booked
        ]  # str, not a StrEnum member
        checked += len(booked)
    assert checked > 1000


def test_sqlite_timestamps_equal_the_datetime_bind_processor() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from sqlalchemy.dialects.sqlite import aiosqlite

    from opendsop.provider.store import loader, schema
    from opendsop.provider.store.rules import utc

    dialect = aiosqlite.dialect()
    process = schema.transaction.c.registered.type.dialect_impl(dialect).bind_processor(dialect)
    stamp = loader.sqlite_timestamp()
    oslo = timezone(timedelta(hours=2))
    values = [
        datetime(2026, 3, 1, 6, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 6, 0, 0, 1, tzinfo=UTC),
        datetime(2025, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2026, 3, 1, 1, 30, tzinfo=oslo),
        datetime(2026, 3, 1, 1, 30, 5, 250_000, tzinfo=oslo),
        datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),
    ]
    for value in values:
        assert stamp(value) == process(utc(value))
        assert stamp(value) == stamp(value)  # remembered


def test_field_tuples_map_like_the_transactions_they_make() -> None:
    """The load's path from ``statement_values`` gives what the path from ``synth.Transaction`` gives."""
    from opendsop.synth import generate
    from opendsop.synth.model import Transaction
    from opendsop.synth.transactions import balances

    population = generate("tiny", seed=3).population()
    columns = mapping.TransactionColumns({card.card_id: card for card in population.cards})
    checked = 0
    for account in population.accounts:
        values = population.statement_values(account)
        statement = population.statement(account)
        assert [Transaction(*v) for v in values] == statement
        assert mapping.statement_balances(account, values, population.today) == balances(
            account, statement, population.today
        )
        booked = mapping.booked_values(values)
        assert [Transaction(*v) for v in booked] == mapping.booked(statement)
        assert mapping.sqlite_balance_values(account, booked) == mapping.sqlite_balance_params(
            account, mapping.booked(statement)
        )
        assert [columns.sqlite_value_row("7", v) for v in booked] == [
            columns.sqlite_row("7", Transaction(*v)) for v in booked
        ]
        checked += len(booked)
    assert checked > 1000
    assert any(
        mapping.statement_balances(account, population.statement_values(account), population.today)
        for account in population.accounts
    )
