# SPDX-License-Identifier: Apache-2.0
"""``generate()``: the whole synthetic world, deterministic from a seed, shard by shard.

>>> world = generate("tiny", seed=7)
>>> population = world.population()
>>> len(population.persons) == world.preset.persons
True

A :class:`World` holds the banks and yields :class:`Population` shards (see ``presets``); a
population holds its persons, companies, accounts, roles, cards, links and register events in
memory and generates transactions and balances lazily, account by account.  Shards are made in
order because identifiers are unique across the world; ``world.shards(limit=k)`` is the
reproducible slice of the first *k*.

Invalid records (``invalid_fraction`` > 0) are *added* next to the valid ones, each with its
``invalid_reason`` (see ``opendsop.synth.invalid``); with the default 0 there are none.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from opendsop.standard.period import months_before
from opendsop.synth._context import Pools, Used, Window, derive
from opendsop.synth.accounts import Ledger, build_ledger
from opendsop.synth.banks import choose_banks
from opendsop.synth.model import (
    Account,
    AccountRole,
    Balance,
    Bank,
    Bankruptcy,
    Card,
    Company,
    Death,
    Guardianship,
    Household,
    Link,
    Person,
    Transaction,
)
from opendsop.synth.population import People, build_people
from opendsop.synth.presets import Preset, get_preset
from opendsop.synth.statements import Statements
from opendsop.synth.transactions import balances as account_balances

ID_BLOCK = 1_000_000  # account, card, link and household numbers of shard k start at k × ID_BLOCK


class Population:
    """One shard of the world: everything but the transactions is in memory."""

    def __init__(
        self,
        *,
        seed: int,
        shard: int,
        window: Window,
        banks: tuple[Bank, ...],
        people: People,
        ledger: Ledger,
        invalid_fraction: float = 0.0,
    ) -> None:
        self.seed, self.shard, self.window, self.banks = seed, shard, window, banks
        self.invalid_fraction = invalid_fraction
        self._statements = Statements(seed, window, people, ledger)
        self.persons: tuple[Person, ...] = tuple(people.persons)
        self.households: tuple[Household, ...] = tuple(people.households)
        self.companies: tuple[Company, ...] = tuple(people.companies)
        self.deaths: tuple[Death, ...] = tuple(people.deaths)
        self.guardianships: tuple[Guardianship, ...] = tuple(people.guardianships)
        self.bankruptcies: tuple[Bankruptcy, ...] = tuple(people.bankruptcies)
        self.accounts: tuple[Account, ...] = tuple(ledger.accounts)
        self.roles: tuple[AccountRole, ...] = tuple(ledger.roles)
        self.cards: tuple[Card, ...] = tuple(ledger.cards)
        self.links: tuple[Link, ...] = tuple(ledger.links)
        self.employer_of: dict[str, str] = dict(people.employer_of)
        self._by_kontonr = ledger.by_kontonr
        if invalid_fraction > 0:
            from opendsop.synth.invalid import add_invalid_records

            add_invalid_records(self, derive(seed, "invalid", shard), invalid_fraction)

    @property
    def today(self) -> date:
        return self.window.today

    def account(self, kontonr: str) -> Account | None:
        return self._by_kontonr.get(kontonr)

    def statement(self, account: Account | str) -> list[Transaction]:
        """Every transaction of one account, oldest first (valid ones only)."""
        if isinstance(account, str):
            found = self._by_kontonr.get(account)
            if found is None:
                return []
            account = found
        if account.invalid_reason is not None:
            return []
        return self._statements.statement(account)

    def statement_values(self, account: Account) -> list[tuple[Any, ...]]:
        """Like :meth:`statement`, as tuples in ``Transaction`` field order (faster for bulk loads)."""
        if account.invalid_reason is not None:
            return []
        return self._statements.statement_values(account)

    def statements(self) -> Iterator[tuple[Account, list[Transaction], list[Balance]]]:
        """(account, its transactions, its balances) for every account, in account order.

        Invalid transactions (only with ``invalid_fraction``) come after the valid ones of their
        account and do not count in its balances.
        """
        from opendsop.synth.invalid import invalid_transaction

        rng = derive(self.seed, "invalid-transactions", self.shard)
        for account in self.accounts:
            transactions = self.statement(account)
            found = account_balances(account, transactions, self.today) if account.invalid_reason is None else []
            if self.invalid_fraction > 0 and transactions and rng.random() < self.invalid_fraction:
                transactions = [*transactions, invalid_transaction(rng, transactions[-1], self.today)]
            yield account, transactions, found

    def transactions(self) -> Iterator[Transaction]:
        for _, transactions, _ in self.statements():
            yield from transactions

    def balances(self) -> Iterator[Balance]:
        for _, _, found in self.statements():
            yield from found


class World:
    """The banks and the recipe for every shard; shards are generated on demand."""

    def __init__(self, preset: Preset, *, seed: int, today: date, invalid_fraction: float) -> None:
        if not 0 <= invalid_fraction < 1:
            raise ValueError(f"invalid_fraction must be in [0, 1), got {invalid_fraction}")
        self.preset, self.seed, self.invalid_fraction = preset, seed, invalid_fraction
        self.window = Window(today=today, start=months_before(today, preset.months))
        self.banks: tuple[Bank, ...] = choose_banks(
            derive(seed, "banks"), preset.banks, kfr_fraction=preset.kfr_fraction, used_orgnr=set()
        )
        self._pools = Pools.from_faker(seed)

    @property
    def today(self) -> date:
        return self.window.today

    def shards(self, limit: int | None = None) -> Iterator[Population]:
        """The shards in order (all, or the first ``limit``); each call starts afresh."""
        used = Used(orgnrs={bank.orgnr for bank in self.banks})
        count = self.preset.shard_count if limit is None else min(limit, self.preset.shard_count)
        for shard in range(count):
            yield self._shard(shard, used)

    def _shard(self, shard: int, used: Used) -> Population:
        rng = derive(self.seed, "shard", shard)
        base = shard * ID_BLOCK
        people = build_people(
            rng, self._pools, used, self.window, count=self.preset.shard_persons(shard), household_base=base
        )
        ledger = build_ledger(
            rng, used, self.window, self.banks, people, account_base=base, card_base=base, link_base=base
        )
        return Population(
            seed=self.seed,
            shard=shard,
            window=self.window,
            banks=self.banks,
            people=people,
            ledger=ledger,
            invalid_fraction=self.invalid_fraction,
        )

    def population(self) -> Population:
        """The only shard of a one-shard preset (``tiny``, ``demo``)."""
        if self.preset.shard_count != 1:
            raise ValueError(f"preset {self.preset.name!r} has {self.preset.shard_count} shards: use shards()")
        return next(self.shards())


def generate(
    preset: str | Preset = "tiny", *, seed: int = 0, today: date | None = None, invalid_fraction: float = 0.0
) -> World:
    """The synthetic world for ``preset``; ``today`` defaults to the preset's fixed date."""
    chosen = get_preset(preset)
    return World(chosen, seed=seed, today=today or chosen.today, invalid_fraction=invalid_fraction)


__all__ = ["ID_BLOCK", "Population", "World", "generate"]
