# SPDX-License-Identifier: Apache-2.0
"""``load_world``: the generated world written into the ecosystem's embedded stores under ``var/``.

Decides the layout of a local ecosystem's data: one bank database per synthetic
bank (``bank-<orgno>.db``, the provider's ``SqlBankStore`` and its bulk loader), the registers
database (``registers.db``: FREG persons and vergemål, Konkursvarsel notices, Enhetsregisteret
units) and the relations hub database (``relations.db``: KAR rows of the NICS banks, KFR rows of
the others; DSOP Kundeforholdsregister “Om”, DSOP “Endpoint customerRelationships V.2.0”).  Only the stores' own loaders
write; the row
mapping is in ``mapping.py``.

Speed (``make demo`` must start within a minute): the two big tables (balances, transactions) are
never v2 objects per row.  A bank in a SQLite file (the default) is migrated by its store, then
filled by ``loader.load_sqlite_file`` (stdlib driver, synchronous, no journal while the fresh file
is filled) with the driver's parameters made in one pass from the generator's field tuples
(``mapping.TransactionColumns.sqlite_value_row``); a bank elsewhere (PostgreSQL) gets column tuples
through the async loader.  Banks are independent files, so worlds with enough accounts load their
banks in forked worker processes (the children inherit the generated shard; their collector is off
while a bank loads) while this process loads the registers and the hub.  ``bench/ecosystem_load.py``
measures it.

A load is recorded in ``world.json`` (preset, seed, today, counts), written last.  Loading the
same world again is a no-op; a different world in the same directory is refused
(:class:`WorldMismatch`), and so are databases left without a manifest by an interrupted load.
"""

from __future__ import annotations

import asyncio
import gc
import json
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from opendsop.ecosystem import dsve_seed, mapping
from opendsop.provider.store import SqlBankStore, loader
from opendsop.provider.store.records import AccountRow
from opendsop.registers.app import Stores
from opendsop.relations import Database, load_kar_relations, load_kfr_relations
from opendsop.synth.transactions import balances as synth_balances
from opendsop.synth.world import Population, World

MANIFEST = "world.json"
LOADING = "loading.json"  # written while a load runs: the files an interrupted load leaves to be discarded
REGISTERS_DB = "registers.db"
RELATIONS_DB = "relations.db"
BANK_DB = "bank-{orgno}.db"
DEFAULT_BANKS_URL = "sqlite+aiosqlite:///{var_dir}/bank-{orgno}.db"


class WorldMismatch(ValueError):
    """``var_dir`` already holds another world (or an interrupted load)."""


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What ``load_world`` did: ``loaded`` is False when the world was already there."""

    preset: str
    seed: int
    today: date
    loaded: bool
    var_dir: Path
    banks: dict[str, str] = field(default_factory=dict)  # orgno -> database URL
    counts: dict[str, int] = field(default_factory=dict)

    def manifest(self) -> dict[str, Any]:
        return {
            "preset": self.preset,
            "seed": self.seed,
            "today": self.today.isoformat(),
            "banks": dict(self.banks),
            "counts": dict(self.counts),
        }


def stored_today(var_dir: Path) -> date | None:
    """The "today" of the world loaded in ``var_dir`` (None: none loaded, or no readable manifest)."""
    try:
        return date.fromisoformat(json.loads((var_dir / MANIFEST).read_text(encoding="utf-8"))["today"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _identity(world: World) -> dict[str, Any]:
    return {"preset": world.preset.name, "seed": world.seed, "today": world.today.isoformat()}


def _check_existing(world: World, var_dir: Path) -> LoadReport | None:
    """The report of an earlier identical load, None for an empty directory; else WorldMismatch."""
    manifest_path = var_dir / MANIFEST
    wanted = _identity(world)
    if manifest_path.exists():
        try:
            found = json.loads(manifest_path.read_text(encoding="utf-8"))
            found_identity = {key: found[key] for key in wanted}
        except (ValueError, KeyError, TypeError):
            raise WorldMismatch(
                f"{manifest_path} is not a world manifest: remove {var_dir} or choose another directory"
            ) from None
        differing = [
            f"{key} {found_identity[key]!r} (wanted {wanted[key]!r})"
            for key in wanted
            if found_identity[key] != wanted[key]
        ]
        if differing:
            raise WorldMismatch(
                f"{var_dir} already holds another world: {', '.join(differing)}; remove {var_dir} "
                "or choose another directory"
            )
        return LoadReport(
            preset=world.preset.name,
            seed=world.seed,
            today=world.today,
            loaded=False,
            var_dir=var_dir,
            banks=dict(found.get("banks", {})),
            counts=dict(found.get("counts", {})),
        )
    if (var_dir / LOADING).exists():  # an interrupted load of ours: start afresh
        _discard(var_dir)
    leftovers = sorted(path.name for path in var_dir.glob("*.db")) if var_dir.exists() else []
    if leftovers:
        raise WorldMismatch(
            f"{var_dir} holds databases ({', '.join(leftovers)}) but no {MANIFEST}: an earlier load "
            f"did not finish; remove {var_dir} or choose another directory"
        )
    return None


def _add(counts: dict[str, int], name: str, value: int) -> None:
    counts[name] = counts.get(name, 0) + value


def _bank_rows(population: Population, orgno: str) -> dict[str, Any]:
    """The loader's arguments for one bank: typed rows for the small tables, column tuples for the
    big ones (balances and transactions; see ``mapping.TransactionColumns``)."""
    # In key order (account ids compare as text): every index of the big tables is then appended to.
    accounts = sorted(mapping.bank_accounts(population, orgno), key=lambda account: str(account.account_id))
    ids = {account.kontonr: str(account.account_id) for account in accounts}
    cards = {card.card_id: card for card in population.cards if card.kontonr in ids}
    columns = mapping.TransactionColumns(cards)
    account_rows: list[AccountRow] = []
    balances: list[tuple[Any, ...]] = []
    transactions: list[tuple[Any, ...]] = []
    for account in accounts:
        found = population.statement(account)
        booked = mapping.booked(found)
        account_rows.append(mapping.account_row(account, synth_balances(account, found, population.today)))
        balances.extend(mapping.balance_columns(account, booked))
        account_id = ids[account.kontonr]
        transactions.extend([columns.row(account_id, tx) for tx in booked])
    return {
        "parties": mapping.party_rows(population, set(ids)),
        "accounts": account_rows,
        "relations": mapping.relation_rows(population, ids),
        "cards": mapping.card_rows(population, ids),
        "balance_columns": balances,
        "transaction_columns": transactions,
    }


def _bank_file_rows(population: Population, orgno: str) -> dict[str, Any]:
    """``loader.load_sqlite_file``'s arguments for one bank: as ``_bank_rows``, with the big tables
    as the driver's parameters made in one pass, account by account (``bulk``)."""
    accounts = sorted(mapping.bank_accounts(population, orgno), key=lambda account: str(account.account_id))
    ids = {account.kontonr: str(account.account_id) for account in accounts}
    cards = {card.card_id: card for card in population.cards if card.kontonr in ids}
    account_rows: list[AccountRow] = []
    statements: list[list[tuple[Any, ...]]] = []
    for account in accounts:
        # Field tuples, not synth.Transaction objects: the mapping reads them by position.
        found = population.statement_values(account)
        account_rows.append(mapping.account_row(account, mapping.statement_balances(account, found, population.today)))
        statements.append(mapping.booked_values(found))

    def bulk() -> Any:
        columns = mapping.TransactionColumns(cards)
        for index, account in enumerate(accounts):
            booked, statements[index] = statements[index], []  # the rows go to the file; let them go here
            account_id = ids[account.kontonr]
            yield (
                mapping.sqlite_balance_values(account, booked),
                [columns.sqlite_value_row(account_id, values) for values in booked],
            )

    return {
        "parties": mapping.party_rows(population, set(ids)),
        "accounts": account_rows,
        "relations": mapping.relation_rows(population, ids),
        "cards": mapping.card_rows(population, ids),
        "bulk": bulk(),
    }


def _sqlite_file(engine: Any) -> str | None:
    """The path of a SQLite file database (None for other engines and in-memory SQLite)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return str(database)


async def _load_bank(url: str, population: Population, orgno: str, counts: dict[str, int]) -> None:
    store = await SqlBankStore.open(url)  # runs the store's own migrations; loading needs no reference secret
    path = _sqlite_file(store.engine)
    try:
        if path is None:
            loaded = await loader.load(store.engine, **_bank_rows(population, orgno))
    finally:
        await store.close()
    if path is not None:
        # No other connection is open on the file now: the stdlib driver, synchronously, is fastest.
        loaded = loader.load_sqlite_file(path, **_bank_file_rows(population, orgno))
    for name, value in asdict(loaded).items():
        _add(counts, f"bank_{name}", value)


async def _load_registers(url: str, population: Population, counts: dict[str, int]) -> None:
    stores = Stores(url)
    try:
        await stores.db.create_schema()
        _add(counts, "persons", await stores.folkeregister.load_persons(mapping.freg_persons(population)))
        _add(counts, "vergemaal", await stores.folkeregister.load_guardianships(mapping.vergemaal(population)))
        _add(counts, "notices", await stores.konkurs.load_notices(mapping.notices(population)))
        _add(counts, "organisations", await stores.enhetsregister.load_organisations(mapping.organisations(population)))
        _add(counts, "grunnbok", await stores.grunnbok.load(*dsve_seed.grunnbok_rows(population)))
        for name, value in (await stores.loyve.load(**mapping.loyveregister(population))).items():
            _add(counts, name, value)
    finally:
        await stores.db.close()


async def _load_relations(url: str, population: Population, counts: dict[str, int]) -> None:
    db = Database.from_url(url)
    try:
        await db.create_schema()
        _add(counts, "kar_relations", await load_kar_relations(db, mapping.kar_rows(population)))
        kfr, names = mapping.kfr_rows(population)
        _add(counts, "kfr_relations", await load_kfr_relations(db, kfr, names=names))
    finally:
        await db.close()


_MIN_ACCOUNTS_PER_WORKER = 2_000  # below this, forking costs more than it saves
_MAX_WORKERS = 4
_worker_population: Population | None = None  # set before forking: the children inherit it


def _workers(wanted: int | None, population: Population, banks: int) -> int:
    if wanted is not None:
        return min(wanted, banks)
    if not hasattr(os, "fork"):
        return 1
    by_size = len(population.accounts) // _MIN_ACCOUNTS_PER_WORKER
    return max(1, min(os.cpu_count() or 1, _MAX_WORKERS, banks, by_size))


def _bank_in_child(url: str, orgno: str) -> dict[str, int]:
    """One bank, in a forked worker (it has the parent's population; asyncio.run there is its own)."""
    assert _worker_population is not None
    counts: dict[str, int] = {}
    # A bank's rows make no reference cycles: the collector would only re-scan them, at a noticeable cost.
    gc.disable()
    try:
        asyncio.run(_load_bank(url, _worker_population, orgno, counts))
    finally:
        gc.enable()
    return counts


async def _load_banks(
    banks: dict[str, str],
    population: Population,
    counts: dict[str, int],
    workers: int,
    on_bank: Callable[[str], None] | None = None,
) -> None:
    done = on_bank or (lambda _orgno: None)
    if workers == 1:
        for orgno, url in banks.items():
            await _load_bank(url, population, orgno, counts)
            done(orgno)
        return
    global _worker_population
    sizes = Counter(account.bank_orgnr for account in population.accounts)
    order = sorted(banks, key=lambda orgno: -sizes[orgno])  # biggest first: the workers finish together
    _worker_population = population
    loop = asyncio.get_running_loop()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            # every job is submitted (and every worker forked) here, before the first await: no other
            # task has started a thread yet that a forked child could inherit mid-lock
            jobs = [(orgno, loop.run_in_executor(pool, _bank_in_child, banks[orgno], orgno)) for orgno in order]

            async def finish(orgno: str, job: asyncio.Future[dict[str, int]]) -> None:
                for name, value in (await job).items():
                    _add(counts, name, value)
                done(orgno)

            try:
                await asyncio.gather(*(finish(orgno, job) for orgno, job in jobs))
            except BaseException:  # Ctrl-C or a failed bank: stop the others now, not when their banks are done
                _quiet_about_stopped_workers(loop)
                _stop_workers(pool)
                raise
    finally:
        _worker_population = None


def _quiet_about_stopped_workers(loop: asyncio.AbstractEventLoop) -> None:
    """The jobs of the workers stopped on purpose end in BrokenProcessPool, some after no one awaits them any
    more (asyncio would print "Future exception was never retrieved" for each): expected, so not reported."""
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if isinstance(context.get("exception"), BrokenProcessPool):
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Drop the queued banks and end the running workers (their half-written databases are discarded)."""
    workers = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() forgets them
    for process in workers:
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def _discard(var_dir: Path) -> None:
    """Remove the SQLite files an unfinished load wrote (named in ``LOADING``, which stays until a load
    finishes: a thread of the interrupted load may still create a file after this), so that the next start
    loads the world afresh; a bank on a server database keeps its rows (loading them again is idempotent)."""
    try:
        files = [Path(name) for name in json.loads((var_dir / LOADING).read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return
    for path in files:
        for leftover in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
            path.with_name(path.name + "-journal"),
        ):
            leftover.unlink(missing_ok=True)


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def load_world(
    world: World,
    *,
    var_dir: Path,
    banks_url_template: str = DEFAULT_BANKS_URL,
    workers: int | None = None,
    bank_urls: Mapping[str, str] | None = None,
    on_bank: Callable[[str], None] | None = None,
    party_urls: Mapping[str, str] | None = None,
) -> LoadReport:
    """Write ``world`` into the stores under ``var_dir``; a no-op when the same world is there.

    ``banks_url_template`` is formatted with ``var_dir`` and ``orgno`` (one database per bank);
    ``bank_urls`` (orgno → URL) overrides it for some banks (e.g. one on PostgreSQL);
    ``on_bank(orgno)`` is called as each bank is loaded (a progress bar); ``party_urls`` gives the
    registers' and the relations hub's database (``"registers"``/``"relations"`` → URL; default SQLite).
    Banks are generated and loaded by ``workers`` forked processes (default: one per CPU, at most
    4, for worlds big enough to gain from it; 1 loads in this process).
    Raises :class:`WorldMismatch` when ``var_dir`` holds another world or an unfinished load.
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    var_dir = Path(var_dir).resolve()
    earlier = _check_existing(world, var_dir)
    if earlier is not None:
        return earlier
    var_dir.mkdir(parents=True, exist_ok=True)
    banks = {
        bank.orgnr: (bank_urls or {}).get(bank.orgnr) or banks_url_template.format(var_dir=var_dir, orgno=bank.orgnr)
        for bank in world.banks
    }
    counts: dict[str, int] = {"banks": len(banks)}
    chosen_urls = party_urls or {}
    registers_url = chosen_urls.get("registers") or sqlite_url(var_dir / REGISTERS_DB)
    relations_url = chosen_urls.get("relations") or sqlite_url(var_dir / RELATIONS_DB)
    written = [
        Path(url.removeprefix("sqlite+aiosqlite:///"))
        for url in (registers_url, relations_url)
        if url.startswith("sqlite+aiosqlite:///")
    ]
    written += [
        Path(url.removeprefix("sqlite+aiosqlite:///"))
        for url in banks.values()
        if url.startswith("sqlite+aiosqlite:///")
    ]
    (var_dir / LOADING).write_text(json.dumps([str(path) for path in written]), encoding="utf-8")
    gc.freeze()  # the long-lived world is never garbage: keep the collector from re-scanning it per batch
    try:
        for population in world.shards():
            gc.freeze()
            chosen = _workers(workers, population, len(banks))
            await asyncio.gather(
                _load_banks(banks, population, counts, chosen, on_bank),
                _load_registers(registers_url, population, counts),
                _load_relations(relations_url, population, counts),
            )
    except (asyncio.CancelledError, KeyboardInterrupt):  # Ctrl-C: leave var_dir as a next start can use
        _discard(var_dir)
        raise
    finally:
        gc.unfreeze()
    report = LoadReport(
        preset=world.preset.name,
        seed=world.seed,
        today=world.today,
        loaded=True,
        var_dir=var_dir,
        banks=banks,
        counts=counts,
    )
    (var_dir / MANIFEST).write_text(json.dumps(report.manifest(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (var_dir / LOADING).unlink()
    return report


__all__ = [
    "BANK_DB",
    "DEFAULT_BANKS_URL",
    "MANIFEST",
    "REGISTERS_DB",
    "RELATIONS_DB",
    "LoadReport",
    "WorldMismatch",
    "load_world",
    "sqlite_url",
    "stored_today",
]
