"""``load_world``: the tiny world lands in the bank, registers and relations stores.

Expectations come from the generator's own records (the world is the source of truth) and are
read back through each store's public read API only.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opendsop.contracts.registers.models import PersonStatus
from opendsop.ecosystem import LoadReport, WorldMismatch, load_world
from opendsop.ecosystem.cli import app
from opendsop.ecosystem.load import MANIFEST, REGISTERS_DB, RELATIONS_DB, sqlite_url
from opendsop.provider.store import SqlBankStore
from opendsop.registers.app import Stores
from opendsop.relations import Database, KfrStore, Role
from opendsop.relations.kar import KarSource
from opendsop.standard.period import Period
from opendsop.synth import generate
from opendsop.synth.model import REPRESENTASJON_DAGLIGBANK
from opendsop.synth.world import Population, World

SEED = 0
CONSUMER = "974761076"  # any organisation number: references are bound to it


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass(frozen=True)
class Loaded:
    world: World
    population: Population
    report: LoadReport
    var_dir: Path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    world = generate("tiny", seed=SEED)
    var_dir = tmp_path_factory.mktemp("ecosystem") / "var"
    report = asyncio.run(load_world(world, var_dir=var_dir))
    return Loaded(world=world, population=world.population(), report=report, var_dir=var_dir)


def _window(loaded: Loaded) -> Period:
    """The whole generated history up to today."""
    return Period(loaded.world.window.start - timedelta(days=1), loaded.world.today)


def _two_bank_person(loaded: Loaded) -> tuple[str, str, str]:
    """A person owning accounts at a KAR bank and at a KFR bank: (person, KAR bank, KFR bank)."""
    p = loaded.population
    register = {bank.orgnr: bank.reports_to for bank in p.banks}
    bank_of = {a.kontonr: a.bank_orgnr for a in p.accounts}
    banks: dict[str, set[str]] = {}
    for role in p.roles:
        if role.party_kind == "person" and role.role == "primaryOwner" and role.end_date is None:
            banks.setdefault(role.party_id, set()).add(bank_of[role.kontonr])
    for person, held in sorted(banks.items()):
        kar = sorted(b for b in held if register[b] == "KAR")
        kfr = sorted(b for b in held if register[b] == "KFR")
        if kar and kfr:
            return person, kar[0], kfr[0]
    pytest.fail(f"seed {SEED} has no person with accounts at a KAR and a KFR bank: choose another seed")


def _kontonrs(loaded: Loaded, person: str, bank: str, period: Period) -> set[str]:
    accounts = {a.kontonr: a for a in loaded.population.accounts}
    return {
        r.kontonr
        for r in loaded.population.roles
        if r.party_id == person
        and accounts[r.kontonr].bank_orgnr == bank
        and r.start_date <= period.to_date
        and (r.end_date is None or r.end_date >= period.from_date)
    }


def test_the_report_and_manifest_describe_the_load(loaded: Loaded) -> None:
    report = loaded.report
    assert report.loaded
    assert set(report.banks) == {bank.orgnr for bank in loaded.world.banks}
    for orgno in report.banks:
        assert (loaded.var_dir / f"bank-{orgno}.db").is_file()
    assert (loaded.var_dir / REGISTERS_DB).is_file()
    assert (loaded.var_dir / RELATIONS_DB).is_file()
    assert report.counts["persons"] == len(loaded.population.persons)
    assert report.counts["bank_accounts"] == len(loaded.population.accounts)
    assert (loaded.var_dir / MANIFEST).is_file()


@pytest.mark.anyio
async def test_relations_hub_finds_a_person_with_accounts_at_two_banks(loaded: Loaded) -> None:
    person, kar_bank, kfr_bank = _two_bank_person(loaded)
    period = _window(loaded)
    db = Database.from_url(sqlite_url(loaded.var_dir / RELATIONS_DB))
    try:
        kar = await KarSource(db).relations(person, period)
        kfr = await KfrStore(db).relations(person, period)
    finally:
        await db.close()
    # KAR: account level, every account of the person at the NICS bank, with the person's role.
    assert {r.account_no for r in kar if r.org_no == kar_bank} == _kontonrs(loaded, person, kar_bank, period)
    assert all(r.role in (Role.OWNER, Role.SECONDARY_OWNER, Role.DISPONENT) for r in kar)
    # KFR: one customer-level relation to the bank outside NICS, and no account numbers.
    assert [(r.org_no, r.role, r.account_no) for r in kfr if r.org_no == kfr_bank] == [(kfr_bank, Role.CUSTOMER, None)]
    assert not any(r.org_no == kfr_bank for r in kar)


@pytest.mark.anyio
async def test_bank_store_lists_accounts_and_pages_all_transactions(loaded: Loaded) -> None:
    period = _window(loaded)
    bank_of = {a.kontonr: a.bank_orgnr for a in loaded.population.accounts}
    person, bank = next(
        (role.party_id, bank_of[role.kontonr])
        for role in sorted(loaded.population.roles, key=lambda r: (r.party_id, r.kontonr))
        if role.party_kind == "person"
        and role.role == "primaryOwner"
        and role.end_date is None
        and len(loaded.population.statement(role.kontonr)) > 50
    )  # a statement longer than a page
    noon = datetime.combine(loaded.world.today, time(12), tzinfo=UTC)
    store = await SqlBankStore.open(
        loaded.report.banks[bank], reference_secret=b"a-test-reference-secret-of-32-by", clock=lambda: noon
    )
    try:
        listed = await store.accounts_for_party(
            person, period=period, only_primary_owner=False, consumer_org=CONSUMER, account_info_request_id="case-1"
        )
        numbers = {a.account_identifier: a.account_reference for a in listed.accounts}
        assert set(numbers) == _kontonrs(loaded, person, bank, period)
        checked = 0
        for kontonr, reference in sorted(numbers.items()):
            expected = [tx.transaction_id for tx in loaded.population.statement(kontonr) if tx.booking_date is not None]
            account = await store.account_by_reference(reference, consumer_org=CONSUMER)
            assert account is not None
            seen: list[str] = []
            after = None
            pages = 0
            while True:
                page = await store.transactions_page(account, period=period, after=after, limit=50)
                seen.extend(tx.transaction_identifier for tx in page.transactions)
                pages += 1
                if page.next_position is None:
                    break
                after = page.next_position
            assert len(seen) == len(expected)
            assert sorted(seen) == sorted(expected)
            if len(expected) > 50:
                assert pages > 1  # the keyset paging was exercised
                checked += 1
        assert checked, "no account of the chosen person has more than one page of transactions"
    finally:
        await store.close()


@pytest.mark.anyio
async def test_bank_store_knows_nicknames_and_the_owners_addresses(loaded: Loaded) -> None:
    """The fields Bank_v2.yaml (``AccountDetail.name``) and Bank_v1.yaml (``AccountRole.postalAddress``,
    ``electronicAddresses``) define beyond the register facts are filled by the synthetic world."""
    person, bank, _ = _two_bank_person(loaded)
    registered = next(p for p in loaded.population.persons if p.person_id == person)
    period = _window(loaded)
    store = await SqlBankStore.open(loaded.report.banks[bank], reference_secret=b"a-test-reference-secret-of-32-by")
    try:
        party = await store.party(person)
        assert party is not None and party.postal_address is not None
        assert (party.postal_address.street_name, party.postal_address.post_code, party.postal_address.town_name) == (
            registered.address.street_name,
            registered.address.post_code,
            registered.address.town_name,
        )
        every = [account for account in loaded.population.accounts if account.bank_orgnr == bank]
        named = 0
        for account in every:
            found = await store._accounts([str(account.account_id)])  # noqa: SLF001  (the stored row itself)
            named += found[str(account.account_id)].name is not None if found else 0
        assert 0 < named < len(every)  # most accounts have a nickname, not all
        listed = await store.accounts_for_party(
            person, period=period, only_primary_owner=False, consumer_org=CONSUMER, account_info_request_id="case-2"
        )
        assert all(account.name is None for account in listed.accounts)
    finally:
        await store.close()


@pytest.mark.anyio
async def test_registers_know_deaths_guardianships_and_bankruptcies(loaded: Loaded) -> None:
    p = loaded.population
    assert p.deaths and p.bankruptcies and p.guardianships  # the tiny world has each kind
    stores = Stores(sqlite_url(loaded.var_dir / REGISTERS_DB))
    try:
        for death in p.deaths:
            found = await stores.folkeregister.person(death.person_id)
            assert found is not None
            assert (found.status, found.doedsdato) == (PersonStatus.DOED, death.date_of_death)
        dagligbank = [g for g in p.guardianships if REPRESENTASJON_DAGLIGBANK in g.tjenesteoppgaver]
        assert dagligbank
        for guardianship in dagligbank:
            stored = await stores.folkeregister.guardianships(guardianship.ward_id)
            assert [
                (g.verge.identifikasjonsnummer, g.gyldigFraOgMed)
                for g in stored
                if REPRESENTASJON_DAGLIGBANK in g.tjenesteoppgaver
            ] == [(guardianship.guardian_id, guardianship.valid_from)]
        for bankruptcy in p.bankruptcies:
            notices = await stores.konkurs.notices_for(bankruptcy.debtor_id)
            assert [(n.uuid, n.kjennelsesdato) for n in notices] == [
                (bankruptcy.notice_uuid, bankruptcy.kjennelsesdato)
            ]
    finally:
        await stores.db.close()


def _snapshot(var_dir: Path) -> dict[str, tuple[int, int]]:
    return {path.name: (path.stat().st_mtime_ns, path.stat().st_size) for path in sorted(var_dir.iterdir())}


@pytest.mark.anyio
async def test_loading_the_same_world_again_is_a_no_op(loaded: Loaded) -> None:
    before = _snapshot(loaded.var_dir)
    again = await load_world(generate("tiny", seed=SEED), var_dir=loaded.var_dir)
    assert not again.loaded
    assert again.counts == loaded.report.counts
    assert _snapshot(loaded.var_dir) == before


def test_cli_second_load_says_nothing_to_do(loaded: Loaded) -> None:
    result = CliRunner().invoke(app, ["load", "--preset", "tiny", "--seed", str(SEED), "--var", str(loaded.var_dir)])
    assert result.exit_code == 0, result.output
    assert "nothing to do" in result.output


@pytest.mark.anyio
async def test_another_world_in_the_same_directory_is_refused(loaded: Loaded) -> None:
    with pytest.raises(WorldMismatch) as caught:
        await load_world(generate("tiny", seed=SEED + 1), var_dir=loaded.var_dir)
    message = str(caught.value)
    assert f"seed {SEED}" in message and f"wanted {SEED + 1}" in message
    assert "remove" in message and "another directory" in message


@pytest.mark.anyio
async def test_another_day_in_the_same_directory_is_refused(loaded: Loaded) -> None:
    other_day = loaded.world.today - timedelta(days=1)
    with pytest.raises(WorldMismatch, match="today"):
        await load_world(generate("tiny", seed=SEED, today=other_day), var_dir=loaded.var_dir)


def test_cli_mismatch_exits_with_the_message(loaded: Loaded) -> None:
    result = CliRunner().invoke(app, ["load", "--seed", str(SEED + 1), "--var", str(loaded.var_dir)])
    assert result.exit_code == 2
    assert "another world" in result.output


@pytest.mark.anyio
async def test_databases_without_a_manifest_are_refused(tmp_path: Path) -> None:
    (tmp_path / RELATIONS_DB).write_bytes(b"")
    with pytest.raises(WorldMismatch, match="did not finish"):
        await load_world(generate("tiny", seed=SEED), var_dir=tmp_path)


@pytest.mark.anyio
async def test_registers_know_the_companies_roles_and_signature_rules(loaded: Loaded) -> None:
    companies = loaded.population.companies
    assert companies
    stores = Stores(sqlite_url(loaded.var_dir / REGISTERS_DB))
    try:
        for company in companies:
            roles = await stores.enhetsregister.roles(company.orgnr)
            assert roles is not None
            assert {r.person for r in roles.roller} == {r.person_id for r in company.roles}
        # A rule under which each named holder signs alone lets every holder sign alone.
        alone = [c for c in companies if c.signature is not None and c.signature.kind == "alene"]
        assert alone
        for company in alone:
            assert company.signature is not None
            for holder in company.signature.holders:
                answer = await stores.enhetsregister.signature_right(company.orgnr, holder)
                assert answer is not None and answer.allowed, answer
        # Jointly: one holder alone may not sign, all of them together may.
        joint = [c for c in companies if c.signature is not None and c.signature.kind == "iFellesskap"]
        for company in joint:
            assert company.signature is not None
            first, *others = company.signature.holders
            alone_answer = await stores.enhetsregister.signature_right(company.orgnr, first)
            together = await stores.enhetsregister.signature_right(company.orgnr, first, others)
            assert alone_answer is not None and not alone_answer.allowed
            assert together is not None and together.allowed
    finally:
        await stores.db.close()


@pytest.mark.anyio
async def test_column_tuples_store_what_the_typed_rows_store(database_url: str, loaded: Loaded) -> None:
    """The bulk path of ``load_world`` (column tuples) writes the very rows the typed path writes."""
    from sqlalchemy import delete, select

    from opendsop.ecosystem import mapping
    from opendsop.ecosystem.load import _bank_rows
    from opendsop.provider.store import loader, schema
    from opendsop.provider.store.records import BookedBalanceRow, TransactionRow

    population, bank = loaded.population, loaded.world.banks[0].orgnr
    rows = _bank_rows(population, bank)
    cards = {card.card_id: card for card in population.cards}
    ids = {account.kontonr: str(account.account_id) for account in mapping.bank_accounts(population, bank)}
    typed_transactions = [
        TransactionRow(account_id=ids[account.kontonr], transaction=mapping.transaction(tx, cards))
        for account in mapping.bank_accounts(population, bank)
        for tx in mapping.booked(population.statement(account))
    ]
    typed_balances = [
        row
        for account in mapping.bank_accounts(population, bank)
        for row in mapping.balance_rows(account, mapping.booked(population.statement(account)))
    ]
    assert all(isinstance(row, BookedBalanceRow) for row in typed_balances)
    tables = (schema.transaction, schema.booked_balance)
    store = await SqlBankStore.open(database_url, reference_secret=b"x" * 32)
    try:

        async def snapshot() -> list[list[tuple[object, ...]]]:
            async with store.engine.connect() as conn:
                return [
                    [tuple(row) for row in await conn.execute(select(table).order_by(*table.primary_key))]
                    for table in tables
                ]

        async def empty() -> None:
            async with store.engine.begin() as conn:
                for table in tables:
                    await conn.execute(delete(table))

        small = {name: list(rows[name]) for name in ("parties", "accounts", "relations", "cards")}
        await loader.load(store.engine, **small, balances=typed_balances, transactions=typed_transactions)
        typed = await snapshot()
        await empty()
        counts = await loader.load(
            store.engine,
            balance_columns=rows["balance_columns"],
            transaction_columns=rows["transaction_columns"],
            batch_size=500,
        )
        assert counts.transactions == len(typed_transactions) > 100
        assert await snapshot() == typed
    finally:
        await store.close()


@pytest.mark.anyio
async def test_forked_workers_load_the_same_world(loaded: Loaded, tmp_path: Path) -> None:
    import sqlite3

    announced: list[str] = []
    report = await load_world(
        generate("tiny", seed=SEED), var_dir=tmp_path / "var", workers=2, on_bank=announced.append
    )
    assert report.counts == loaded.report.counts
    assert sorted(announced) == sorted(report.banks), "each bank announced once, as it is loaded"
    for orgno in list(report.banks)[:3]:
        tables = []
        for var_dir in (loaded.var_dir, tmp_path / "var"):
            with sqlite3.connect(var_dir / f"bank-{orgno}.db") as conn:
                tables.append(
                    [
                        conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()  # noqa: S608
                        for table in ("bank_account", "bank_transaction", "bank_booked_balance")
                    ]
                )
        assert tables[0] == tables[1]
        assert tables[0][1]


@pytest.mark.anyio
async def test_workers_below_one_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="workers"):
        await load_world(generate("tiny", seed=SEED), var_dir=tmp_path / "var", workers=0)


@pytest.mark.anyio
async def test_the_sqlite_file_path_stores_what_the_async_loader_stores(loaded: Loaded, tmp_path: Path) -> None:
    """``load_world``'s SQLite path (stdlib driver, one-pass parameters) against the async loader's rows."""
    import sqlite3

    from opendsop.ecosystem.load import _bank_rows, _load_bank
    from opendsop.provider.store import loader

    population, bank = loaded.population, loaded.world.banks[0].orgnr
    store = await SqlBankStore.open(sqlite_url(tmp_path / "async.db"), reference_secret=b"x" * 32)
    try:
        await loader.load(store.engine, **_bank_rows(population, bank))
    finally:
        await store.close()
    counts: dict[str, int] = {}
    await _load_bank(sqlite_url(tmp_path / "file.db"), population, bank, counts)
    assert counts["bank_transactions"] > 100
    dumps = []
    for name in ("async.db", "file.db"):
        with sqlite3.connect(tmp_path / name) as conn:
            tables = [
                row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            ]
            dumps.append(
                {
                    table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)  # noqa: S608
                    for table in tables
                }
            )
            dumps[-1]["journal_mode"] = conn.execute("PRAGMA journal_mode").fetchall()
            dumps[-1]["schema"] = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    assert dumps[0] == dumps[1]
    assert dumps[1]["journal_mode"] == [("wal",)]
    assert dumps[1]["bank_booked_balance"] and dumps[1]["bank_transaction"]


@pytest.mark.anyio
async def test_the_sqlite_file_path_rolls_back_in_a_file_with_data(loaded: Loaded, tmp_path: Path) -> None:
    """Only a file without accounts is loaded without a journal; into one with data, a failed load
    (here: the same rows again) leaves the file as it was."""
    import sqlite3

    from opendsop.ecosystem.load import _load_bank

    population, bank, url = loaded.population, loaded.world.banks[0].orgnr, sqlite_url(tmp_path / "bank.db")
    await _load_bank(url, population, bank, {})

    def dump() -> list[list[tuple[object, ...]]]:
        with sqlite3.connect(tmp_path / "bank.db") as conn:
            return [
                conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()  # noqa: S608
                for table in ("bank_account", "bank_transaction", "bank_booked_balance")
            ]

    before = dump()
    with pytest.raises(sqlite3.IntegrityError):
        await _load_bank(url, population, bank, {})
    assert dump() == before
    with sqlite3.connect(tmp_path / "bank.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchall() == [("wal",)]
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


@pytest.mark.anyio
async def test_the_relations_hub_loads_into_the_database_the_topology_chose(
    loaded: Loaded, database_url: str, tmp_path: Path
) -> None:
    var_dir = tmp_path / "var"
    await load_world(loaded.world, var_dir=var_dir, party_urls={"relations": database_url})
    assert not (var_dir / RELATIONS_DB).exists()  # nothing of the hub under var/
    person, kar_bank, _ = _two_bank_person(loaded)
    period = _window(loaded)
    db = Database.from_url(database_url)
    try:
        kar = await KarSource(db).relations(person, period)
    finally:
        await db.close()
    assert {r.account_no for r in kar if r.org_no == kar_bank} == _kontonrs(loaded, person, kar_bank, period)
