"""The Konkursvarsel consumer (DSOP Konkurs “Løsningsbeskrivelse”) on the memory, SQLite and PostgreSQL stores.

The feed is the registers' in-memory twin loaded with the 15 published test notices; the bank
holds accounts of some of their debtors.  Expectations follow the notice types' bank actions:
``aapning`` blocks all of the debtor's accounts, ``sletting`` reopens the accounts blocked because
of that opening, ``oppheving`` and ``avslutning`` change nothing automatically.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from opendsop.contracts.registers.clients import NoticePage
from opendsop.contracts.registers.models import KonkursType, Konkursvarsel
from opendsop.provider.feeds import FeedError, KonkursFeed, StoredNoticeRegisters, seconds_until_next_poll
from opendsop.provider.ports import MemoryRegisters
from opendsop.provider.store import (
    AccountRow,
    BankStore,
    MemoryBankStore,
    PartyRow,
    RelationRole,
    RelationRow,
    SqlBankStore,
    upgrade,
)
from opendsop.provider.store.repository import NoticeOutcome
from opendsop.provider.store.schema import metadata
from opendsop.registers import MemoryKonkursregister
from opendsop.registers.konkursregister import published_notice_rows
from opendsop.standard.control.v2 import AccountStatus, AccountType
from opendsop.standard.period import Period
from tests.conftest import fresh_database

pytestmark = pytest.mark.anyio

NOW = datetime(2025, 6, 15, 10, 0, tzinfo=UTC)
SECRET = b"feed-test-reference-secret-01234"
START = datetime(2018, 1, 1, tzinfo=UTC)  # before the first published test notice

# Debtors of the published test notices, and what their notices say:
ANNULLED_ORG = "910425463"  # aapning, then sletting
ANNULLED_PERSON = "08086002265"  # aapning, then sletting (weeks later)
STILL_BANKRUPT = "20020101351"  # aapning only; co-owns JOINT with ANNULLED_PERSON
FINISHED = "910375237"  # aapning, then avslutning
APPEALED = "19020101140"  # aapning, then oppheving
BYSTANDER = "910000002"  # no notice

ACCOUNTS = {  # account id → (owner, secondary owner or None, status before any notice)
    "ORG": (ANNULLED_ORG, None, AccountStatus.ENABLED),
    "PERSON": (ANNULLED_PERSON, None, AccountStatus.ENABLED),
    "PERSON_FROZEN": (ANNULLED_PERSON, None, AccountStatus.DISABLED),  # disabled for another reason
    "JOINT": (ANNULLED_PERSON, STILL_BANKRUPT, AccountStatus.ENABLED),
    "FINISHED": (FINISHED, None, AccountStatus.ENABLED),
    "APPEALED": (APPEALED, None, AccountStatus.ENABLED),
    "BYSTANDER": (BYSTANDER, None, AccountStatus.ENABLED),
}
NUMBER = {account_id: f"1234567{index:04d}" for index, account_id in enumerate(ACCOUNTS)}

StoreFactory = Callable[[], Coroutine[Any, Any, BankStore]]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    import asyncio

    return asyncio.run(coroutine)


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


# Migrating costs ~1 s per PostgreSQL database: migrate once per session, then copy (SQLite) or
# truncate (PostgreSQL); the migrations themselves are tested in store/test_migrations.py.
@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("feed-template") / "bank.db"
    _run(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def migrated_postgresql(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database("postgresql", request, tmp_path_factory.mktemp("unused")) as url:
        _run(upgrade(url))
        yield url


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def bank_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """``None`` for the in-memory twin, else an empty, migrated database of this test's own."""
    if request.param == "memory":
        return None
    if request.param == "sqlite":
        target = tmp_path / "bank.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), target)
        return f"sqlite+aiosqlite:///{target}"
    url = str(request.getfixturevalue("migrated_postgresql"))
    _run(_admin(url, "TRUNCATE " + ", ".join(table.name for table in metadata.sorted_tables)))
    return url


@pytest.fixture
async def make_store(bank_url: str | None) -> AsyncIterator[StoreFactory]:
    """Opens stores on one bank database (memory: one shared twin) — a second open is a restart."""
    url = bank_url
    opened: list[BankStore] = []
    twin = MemoryBankStore(reference_secret=SECRET, clock=lambda: NOW) if url is None else None
    loaded = False

    async def factory() -> BankStore:
        nonlocal loaded
        store: BankStore = (
            twin
            if twin is not None
            else await SqlBankStore.open(url, migrate=False, reference_secret=SECRET, clock=lambda: NOW)
        )
        if not loaded:
            await _load_bank(store)
            loaded = True
        opened.append(store)
        return store

    yield factory
    for store in opened:
        await store.close()


async def _load_bank(store: BankStore) -> None:
    parties = sorted({p for owner, second, _ in ACCOUNTS.values() for p in (owner, second) if p})
    relations = []
    for account_id, (owner, second, _) in ACCOUNTS.items():
        relations.append(
            RelationRow(
                account_id=account_id, party_id=owner, role=RelationRole.PRIMARY_OWNER, start_date=date(2015, 1, 1)
            )
        )
        if second:
            relations.append(
                RelationRow(
                    account_id=account_id,
                    party_id=second,
                    role=RelationRole.SECONDARY_OWNER,
                    start_date=date(2015, 1, 1),
                )
            )
    await store.load(
        parties=[PartyRow(party_id=p) for p in parties],
        accounts=[
            AccountRow(
                account_id=a,
                account_number=NUMBER[a],
                type=AccountType.SALARY_ACCOUNT,
                currency="NOK",
                status=status,
                start_date=date(2015, 1, 1),
            )
            for a, (_, _, status) in ACCOUNTS.items()
        ],
        relations=relations,
    )


async def statuses(store: BankStore) -> dict[str, AccountStatus]:
    """Every account's status as the account list shows it."""
    found: dict[str, AccountStatus] = {}
    for owner, _, _ in ACCOUNTS.values():
        result = await store.accounts_for_party(
            owner,
            period=Period(date(2025, 1, 1), NOW.date()),
            only_primary_owner=True,
            consumer_org="974760673",
            account_info_request_id="case-1",
        )
        for account in result.accounts:
            found[account.account_identifier] = account.status
    return {account_id: found[NUMBER[account_id]] for account_id in ACCOUNTS}


def register() -> MemoryKonkursregister:
    feed = MemoryKonkursregister()
    assert feed.load_test_notices() == 15
    return feed


def expected_after_all_15() -> dict[str, AccountStatus]:
    return {
        "ORG": AccountStatus.ENABLED,
        "PERSON": AccountStatus.ENABLED,
        "PERSON_FROZEN": AccountStatus.DISABLED,
        "JOINT": AccountStatus.DISABLED,
        "FINISHED": AccountStatus.DISABLED,
        "APPEALED": AccountStatus.DISABLED,
        "BYSTANDER": AccountStatus.ENABLED,
    }


def last_published_timestamp() -> datetime:
    return max(
        datetime.fromisoformat(row["registreringstidspunkt"].replace("Z", "+00:00")) for row in published_notice_rows()
    )


# ---- the 15 published notices ----------------------------------------------------------------


async def test_the_15_test_notices_flow_through(make_store: StoreFactory) -> None:
    store = await make_store()
    report = await KonkursFeed(store, register(), start=START, page_size=4, clock=lambda: NOW).poll()
    assert (report.read, report.applied, report.duplicates) == (15, 15, 0)
    assert report.by_type == {"aapning": 10, "sletting": 2, "oppheving": 2, "avslutning": 1}
    # Blocked: ORG, PERSON, JOINT, FINISHED, APPEALED (PERSON_FROZEN was already disabled);
    # reopened: ORG and PERSON — JOINT stays blocked by its co-owner's bankruptcy.
    assert (report.blocked, report.reopened) == (5, 2)
    assert await statuses(store) == expected_after_all_15()
    assert report.cursor == last_published_timestamp()
    assert await store.konkurs_cursor() == last_published_timestamp()


async def test_aapning_blocks_then_sletting_reopens(make_store: StoreFactory) -> None:
    store = await make_store()
    feed = MemoryKonkursregister(clock=lambda: NOW)
    konkurs = KonkursFeed(store, feed, clock=lambda: NOW)  # first call: a few days back
    feed.register(type=KonkursType.AAPNING, debitor=ANNULLED_ORG, kjennelsesdato=date(2025, 6, 14))
    assert (await konkurs.poll()).blocked == 1
    assert (await statuses(store))["ORG"] is AccountStatus.DISABLED
    assert (await statuses(store))["BYSTANDER"] is AccountStatus.ENABLED
    feed.register(type=KonkursType.SLETTING, debitor=ANNULLED_ORG, kjennelsesdato=date(2025, 6, 14))
    assert (await konkurs.poll()).reopened == 1
    assert (await statuses(store))["ORG"] is AccountStatus.ENABLED


@pytest.mark.parametrize("kind", [KonkursType.OPPHEVING, KonkursType.AVSLUTNING])
async def test_oppheving_and_avslutning_are_recorded_only(make_store: StoreFactory, kind: KonkursType) -> None:
    store = await make_store()
    feed = MemoryKonkursregister(clock=lambda: NOW)
    konkurs = KonkursFeed(store, feed, clock=lambda: NOW)
    feed.register(type=KonkursType.AAPNING, debitor=FINISHED, kjennelsesdato=date(2025, 6, 1))
    feed.register(type=kind, debitor=FINISHED, kjennelsesdato=date(2025, 6, 1))
    report = await konkurs.poll()
    assert (report.applied, report.blocked, report.reopened) == (2, 1, 0)
    assert (await statuses(store))["FINISHED"] is AccountStatus.DISABLED
    assert [n.type for n in await store.konkurs_notices_for(FINISHED)] == [KonkursType.AAPNING, kind]


# ---- idempotence -------------------------------------------------------------------------------


async def test_polling_again_reads_nothing_new(make_store: StoreFactory) -> None:
    store = await make_store()
    konkurs = KonkursFeed(store, register(), start=START, clock=lambda: NOW)
    await konkurs.poll()
    again = await konkurs.poll()
    assert (again.read, again.applied) == (0, 0)
    assert await statuses(store) == expected_after_all_15()


async def test_replayed_notices_change_nothing(make_store: StoreFactory) -> None:
    store = await make_store()
    feed = register()
    await KonkursFeed(store, feed, start=START, clock=lambda: NOW).poll()
    before = await statuses(store)
    # A lost cursor (another feed name) re-reads all 15: every one is recognised by its uuid.
    replay = await KonkursFeed(store, feed, start=START, clock=lambda: NOW, feed="replay").poll()
    assert (replay.read, replay.applied, replay.duplicates, replay.blocked, replay.reopened) == (15, 0, 15, 0, 0)
    assert await statuses(store) == before
    # The same notice applied directly once more: still nothing.
    page = await feed.notices_since(START, 100)
    notice = await feed.notice(page.notices[0].uuid)
    assert notice is not None
    outcome = await store.apply_konkurs_notice(notice)
    assert (outcome.applied, outcome.accounts_changed) == (False, 0)
    assert await statuses(store) == before
    assert len(await store.konkurs_notices_for(notice.debitor)) == 2  # aapning + avslutning, stored once


# ---- crashes -----------------------------------------------------------------------------------


class Crash(RuntimeError):
    pass


class CrashingStore:
    """Delegates to a store, but the process "dies" after ``survive`` notices were applied."""

    def __init__(self, store: BankStore, survive: int) -> None:
        self._store, self._left = store, survive

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def apply_konkurs_notice(self, notice: Konkursvarsel, **options: Any) -> NoticeOutcome:
        if self._left == 0:
            raise Crash("killed")
        self._left -= 1
        return await self._store.apply_konkurs_notice(notice, **options)


@pytest.mark.parametrize("survive", [0, 5, 14])
async def test_crash_mid_batch_loses_and_repeats_nothing(make_store: StoreFactory, survive: int) -> None:
    store = await make_store()
    feed = register()
    with pytest.raises(Crash):
        await KonkursFeed(
            CrashingStore(store, survive),
            feed,
            start=START,
            page_size=4,  # type: ignore[arg-type]
            clock=lambda: NOW,
        ).poll()
    restarted = await make_store()  # SQL: a new engine on the same database
    report = await KonkursFeed(restarted, feed, start=START, page_size=4, clock=lambda: NOW).poll()
    assert (report.read, report.applied, report.duplicates) == (15 - survive, 15 - survive, 0)
    assert await statuses(restarted) == expected_after_all_15()
    assert await restarted.konkurs_cursor() == last_published_timestamp()


@pytest.mark.parametrize("bank_url", ["sqlite", "postgresql"], indirect=True)
async def test_failure_inside_the_transaction_leaves_no_trace(bank_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = await SqlBankStore.open(bank_url, migrate=False, reference_secret=SECRET, clock=lambda: NOW)
    try:
        await _load_bank(store)
        feed = MemoryKonkursregister(clock=lambda: NOW)
        feed.register(type=KonkursType.AAPNING, debitor=ANNULLED_ORG, kjennelsesdato=date(2025, 6, 14))

        async def die(*_args: Any) -> None:
            raise Crash("killed between the block and the cursor")

        with monkeypatch.context() as patch:
            patch.setattr(SqlBankStore, "_advance_in", die)
            with pytest.raises(Crash):
                await KonkursFeed(store, feed, clock=lambda: NOW).poll()
        assert (await statuses(store))["ORG"] is AccountStatus.ENABLED  # the block was rolled back
        assert await store.konkurs_notices_for(ANNULLED_ORG) == ()
        assert await store.konkurs_cursor() is None
        report = await KonkursFeed(store, feed, clock=lambda: NOW).poll()
        assert (report.applied, report.blocked) == (1, 1)
    finally:
        await store.close()


class ListsWithoutDataset:
    """A feed that lists a notice it cannot deliver."""

    def __init__(self, inner: MemoryKonkursregister, missing: str) -> None:
        self._inner, self._missing = inner, missing

    async def notices_since(self, cursor: datetime | None, limit: int | None = None) -> NoticePage:
        return await self._inner.notices_since(cursor, limit)

    async def notice(self, uuid: str) -> Konkursvarsel | None:
        return None if uuid == self._missing else await self._inner.notice(uuid)

    async def notices_for(self, debitor: str) -> list[Konkursvarsel]:
        return await self._inner.notices_for(debitor)


async def test_a_notice_without_dataset_stops_the_poll_before_it(make_store: StoreFactory) -> None:
    store = await make_store()
    feed = register()
    page = await feed.notices_since(START, 100)
    missing = page.notices[3]
    with pytest.raises(FeedError, match=missing.uuid):
        await KonkursFeed(store, ListsWithoutDataset(feed, missing.uuid), start=START, clock=lambda: NOW).poll()
    assert await store.konkurs_cursor() == page.notices[2].registreringstidspunkt
    report = await KonkursFeed(store, feed, start=START, clock=lambda: NOW).poll()
    assert report.read == 12


# ---- unblock -----------------------------------------------------------------------------------


async def test_unblock_reopens_only_what_that_bankruptcy_blocked(make_store: StoreFactory) -> None:
    store = await make_store()
    assert await store.block_accounts_of(ANNULLED_PERSON, on=NOW.date()) == 2  # PERSON, JOINT
    assert await store.block_accounts_of(STILL_BANKRUPT, on=NOW.date()) == 0  # JOINT: already blocked
    assert await store.unblock_accounts_of(ANNULLED_PERSON) == 1
    got = await statuses(store)
    assert (got["PERSON"], got["JOINT"], got["PERSON_FROZEN"]) == (
        AccountStatus.ENABLED,
        AccountStatus.DISABLED,
        AccountStatus.DISABLED,
    )
    assert await store.unblock_accounts_of(ANNULLED_PERSON) == 0
    assert await store.unblock_accounts_of(STILL_BANKRUPT) == 1
    assert (await statuses(store))["JOINT"] is AccountStatus.ENABLED
    assert (await statuses(store))["PERSON_FROZEN"] is AccountStatus.DISABLED


# ---- facts from stored notices -------------------------------------------------------------------


async def test_stored_notices_give_the_standing_kjennelsesdato(make_store: StoreFactory) -> None:
    store = await make_store()
    feed = MemoryKonkursregister(clock=lambda: NOW)
    konkurs = KonkursFeed(store, feed, clock=lambda: NOW)
    facts = StoredNoticeRegisters(store, MemoryRegisters(deaths={BYSTANDER: date(2025, 1, 2)}))
    assert await facts.kjennelsesdato(ANNULLED_ORG) is None  # no notice: the request is refused
    feed.register(type=KonkursType.AAPNING, debitor=ANNULLED_ORG, kjennelsesdato=date(2025, 6, 10))
    feed.register(type=KonkursType.OPPHEVING, debitor=ANNULLED_ORG, kjennelsesdato=date(2025, 6, 10))
    await konkurs.poll()
    assert await facts.kjennelsesdato(ANNULLED_ORG) == date(2025, 6, 10)
    feed.register(type=KonkursType.SLETTING, debitor=ANNULLED_ORG, kjennelsesdato=date(2025, 6, 10))
    await konkurs.poll()
    assert await facts.kjennelsesdato(ANNULLED_ORG) is None  # annulled
    assert await facts.date_of_death(BYSTANDER) == date(2025, 1, 2)  # Folkeregister questions pass through


# ---- schedule ----------------------------------------------------------------------------------

OSLO_SUMMER = timedelta(hours=2)


def oslo(y: int, m: int, d: int, hh: int, mm: int) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - OSLO_SUMMER  # June: Oslo is UTC+2


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(oslo(2025, 6, 16, 9, 0), 900.0, id="monday-morning-every-15-min"),
        pytest.param(oslo(2025, 6, 16, 15, 55), 900.0, id="last-tick-reads-the-16:00-refresh"),
        pytest.param(oslo(2025, 6, 16, 16, 5), (15 * 60 + 55) * 60.0, id="after-16-wait-for-08-next-day"),
        pytest.param(oslo(2025, 6, 16, 6, 0), 2 * 3600.0, id="before-08-wait-for-08"),
        pytest.param(oslo(2025, 6, 13, 17, 0), (63 * 60) * 60.0, id="friday-evening-wait-for-monday"),
        pytest.param(oslo(2025, 6, 14, 12, 0), (44 * 60) * 60.0, id="saturday-wait-for-monday"),
    ],
)
def test_polls_in_the_refresh_window_only(now: datetime, expected: float) -> None:
    assert seconds_until_next_poll(now, 900.0) == expected


def test_polls_around_the_clock_when_asked() -> None:
    assert seconds_until_next_poll(oslo(2025, 6, 14, 3, 0), 60.0, working_hours_only=False) == 60.0


# ---- the command and the app's background poller ---------------------------------------------------


def test_poll_konkurs_command_reads_once_then_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from opendsop.provider import wiring
    from opendsop.provider.cli import app

    feed = MemoryKonkursregister()  # stamps "now": inside the first poll's look-back window
    feed.register(type=KonkursType.AAPNING, debitor=FINISHED, kjennelsesdato=date(2025, 6, 1))
    feed.register(type=KonkursType.AVSLUTNING, debitor=FINISHED, kjennelsesdato=date(2025, 6, 1))
    monkeypatch.setattr(wiring, "konkurs_register", lambda settings, resources: feed)
    monkeypatch.setenv("DSOP_PROVIDER_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bank.db'}")
    arguments = ["poll-konkurs", "--bank", "910000001", "--registers-url", "http://127.0.0.1:9"]
    first = CliRunner().invoke(app, arguments)
    assert first.exit_code == 0, first.output
    assert "read 2, applied 2, duplicates 0" in first.output
    second = CliRunner().invoke(app, arguments)
    assert second.exit_code == 0, second.output
    assert "read 0, applied 0" in second.output


def test_poll_konkurs_command_needs_the_registers() -> None:
    from typer.testing import CliRunner

    from opendsop.provider.cli import app

    result = CliRunner().invoke(app, ["poll-konkurs", "--bank", "910000001"])
    assert result.exit_code != 0
    assert "REGISTERS_URL" in result.output


class Signalling:
    """A store that reports each applied notice (so the test waits for the poller, not a clock)."""

    def __init__(self, store: BankStore) -> None:
        import asyncio

        self._store, self.applied = store, asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def apply_konkurs_notice(self, notice: Konkursvarsel, **options: Any) -> NoticeOutcome:
        outcome = await self._store.apply_konkurs_notice(notice, **options)
        self.applied.set()
        return outcome


@pytest.mark.parametrize("enabled", [True, False])
async def test_app_polls_in_the_background_only_when_asked(enabled: bool) -> None:
    import asyncio

    from litestar.testing import AsyncTestClient

    from opendsop.audit.log import MemoryAuditLog
    from opendsop.provider.app import create_app
    from opendsop.provider.ports import RegisterFacts, StaticCertificates
    from opendsop.provider.settings import ProviderSettings

    store = MemoryBankStore(reference_secret=SECRET, clock=lambda: NOW)
    await _load_bank(store)
    signalling = Signalling(store)
    feed = MemoryKonkursregister(clock=lambda: NOW)
    feed.register(type=KonkursType.AAPNING, debitor=APPEALED, kjennelsesdato=date(2025, 6, 14))

    class NoTokens:
        async def verify_authorization(self, authorization: str | None) -> Any:
            raise AssertionError("no request is made")

    settings = ProviderSettings(bank_orgno="910000001", konkurs_poll=enabled, konkurs_facts="stored")
    facts = RegisterFacts(MemoryRegisters())
    app = create_app(
        settings,
        clock=lambda: NOW,
        store=signalling,
        tokens=NoTokens(),  # type: ignore[arg-type]
        facts=facts,
        certificates=StaticCertificates(),
        audit=MemoryAuditLog(),
        konkurs=feed,
    )
    async with AsyncTestClient(app) as client:
        assert (await client.get("/health")).status_code == 200
        if enabled:
            await asyncio.wait_for(signalling.applied.wait(), timeout=10)
    assert (await statuses(store))["APPEALED"] is (AccountStatus.DISABLED if enabled else AccountStatus.ENABLED)
    pipeline_facts = app.state["provider"].facts
    assert isinstance(pipeline_facts.registers, StoredNoticeRegisters)  # KONKURS_FACTS=stored
