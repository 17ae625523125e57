"""Benchmark ``load_world``'s bank path: banks of the ``demo`` preset generated and stored in SQLite.

Two paths write the same banks (``--banks`` of median size) into fresh SQLite files, in the same run:

* **ours**: what ``load_world`` does per bank: the column tuples of ``mapping.TransactionColumns``
  and ``mapping.balance_columns`` into the loader's bulk path;
* **baseline**: the typed path ``load_world`` used before: a v2 ``Transaction`` and a
  ``TransactionRow`` per row, ``BookedBalanceRow`` per balance, through the same loader.

Both generate the statements afresh (generation is part of the cost).  ``--full`` also times one
whole ``load_world`` of the preset with its default workers (slow: minutes on a busy machine).
The load average is printed because every figure scales with the CPU actually available.

    .venv/bin/python bench/ecosystem_load.py [--banks 2] [--rounds 3] [--seed 0] [--full]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from opendsop.ecosystem import load_world, mapping
from opendsop.ecosystem.load import _LOAD_SECRET, _bank_rows, sqlite_url
from opendsop.provider.store import SqlBankStore, loader
from opendsop.provider.store.records import TransactionRow
from opendsop.synth import generate
from opendsop.synth.transactions import balances as synth_balances
from opendsop.synth.world import Population


def typed_rows(population: Population, orgno: str) -> dict[str, Any]:
    """The loader arguments of the former path: typed rows for every table."""
    accounts = mapping.bank_accounts(population, orgno)
    ids = {account.kontonr: str(account.account_id) for account in accounts}
    cards = {card.card_id: card for card in population.cards if card.kontonr in ids}
    account_rows, balances, transactions = [], [], []
    for account in accounts:
        found = population.statement(account)
        booked = mapping.booked(found)
        account_rows.append(mapping.account_row(account, synth_balances(account, found, population.today)))
        balances.extend(mapping.balance_rows(account, booked))
        transactions.extend(TransactionRow(account_id=ids[account.kontonr], transaction=mapping.transaction(tx, cards))
                            for tx in booked)
    return {"parties": mapping.party_rows(population, set(ids)), "accounts": account_rows,
            "relations": mapping.relation_rows(population, ids), "cards": mapping.card_rows(population, ids),
            "balances": balances, "transactions": transactions}


async def load_once(population: Population, banks: list[str], directory: Path, typed: bool) -> tuple[float, int]:
    """(seconds, transactions stored) for generating and loading ``banks`` into fresh files."""
    started = time.perf_counter()
    stored = 0
    for orgno in banks:
        rows = typed_rows(population, orgno) if typed else _bank_rows(population, orgno)
        store = await SqlBankStore.open(sqlite_url(directory / f"bank-{orgno}.db"), reference_secret=_LOAD_SECRET)
        try:
            stored += (await loader.load(store.engine, **rows)).transactions
        finally:
            await store.close()
    return time.perf_counter() - started, stored


def main(bank_count: int, rounds: int, seed: int, full: bool) -> None:
    world = generate("demo", seed=seed)
    started = time.perf_counter()
    population = world.population()
    build = time.perf_counter() - started
    sizes = Counter(account.bank_orgnr for account in population.accounts)
    by_size = sorted(sizes, key=lambda orgno: sizes[orgno])
    middle = len(by_size) // 2
    banks = by_size[max(0, middle - bank_count // 2):][:bank_count]
    ours: list[float] = []
    baseline: list[float] = []
    stored = 0
    with tempfile.TemporaryDirectory(prefix="bench-ecosystem-") as scratch:
        for round_number in range(rounds):
            # Rounds alternate which path goes first, so that load from elsewhere hits both alike.
            for typed in ((False, True) if round_number % 2 == 0 else (True, False)):
                directory = Path(scratch) / f"r{round_number}-{'typed' if typed else 'ours'}"
                directory.mkdir()
                seconds, stored = asyncio.run(load_once(population, banks, directory, typed))
                (baseline if typed else ours).append(seconds)
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        mine, theirs = statistics.median(ours), statistics.median(baseline)
        print(f"'demo' preset, seed {seed}: {len(banks)} bank(s) of median size, {stored:,} transactions; shard built "
              f"in {build:.1f} s; median of {rounds} round(s); load average {load} on {os.cpu_count()} CPUs")
        print(f"{'path':<58} {'seconds':>8} {'transactions/s':>15} {'× baseline':>11}")
        print(f"{'ours: column tuples (load_world)':<58} {mine:>8.1f} {stored / mine:>15,.0f} {theirs / mine:>11.2f}")
        print(f"{'baseline: typed rows (v2 Transaction per row)':<58} {theirs:>8.1f} {stored / theirs:>15,.0f} "
              f"{1:>11.2f}")
        if full:
            started = time.perf_counter()
            report = asyncio.run(load_world(generate("demo", seed=seed), var_dir=Path(scratch) / "full"))
            whole = time.perf_counter() - started
            print(f"{'full load_world of demo (default workers)':<58} {whole:>8.1f} "
                  f"{report.counts['bank_transactions'] / whole:>15,.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--banks", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--full", action="store_true")
    arguments = parser.parse_args()
    main(arguments.banks, arguments.rounds, arguments.seed, arguments.full)
