"""Shared fixtures for the synthetic-data generator tests: one ``tiny`` world, generated once."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from opendsop.synth import Population, generate
from opendsop.synth.model import Account, Balance, Transaction


@dataclass(frozen=True)
class Materialised:
    """A population with every statement generated, for tests that look at transactions."""

    population: Population
    statements: dict[str, list[Transaction]]
    balances: dict[str, list[Balance]]
    accounts: dict[str, Account]

    @property
    def transactions(self) -> list[Transaction]:
        return [tx for txs in self.statements.values() for tx in txs]


def materialise(population: Population) -> Materialised:
    statements, balances = {}, {}
    for account, transactions, found in population.statements():
        statements[account.kontonr] = transactions
        balances[account.kontonr] = found
    return Materialised(population, statements, balances, {a.kontonr: a for a in population.accounts})


@pytest.fixture(scope="session")
def tiny() -> Materialised:
    return materialise(generate("tiny", seed=20260615).population())
