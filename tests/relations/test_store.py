"""SQL storage of KAR, KFR, batches and the catalogue, on SQLite and PostgreSQL (``database_url``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from opendsop.contracts.catalogue import CatalogueEntry
from opendsop.relations.catalogue import CatalogueStore
from opendsop.relations.kar import KarRow, KarSource, load_kar_relations
from opendsop.relations.kfr import DSOPBANK, KfrRow, KfrStore, load_kfr_relations
from opendsop.relations.sources import Role
from opendsop.relations.store import Database
from opendsop.relations.worker import BatchWorker
from opendsop.standard.period import Period
from tests.relations.conftest import BANK_A, BANK_B, NOW, TODAY, person

pytestmark = pytest.mark.anyio
CUSTOMER = person(81)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(database_url)
    await database.create_schema()
    try:
        yield database
    finally:
        await database.close()


async def test_kar_load_and_period_query(db: Database) -> None:
    rows = [
        KarRow(
            customer_id=CUSTOMER,
            org_no=BANK_A,
            account_no="12345678903",
            role=Role.OWNER,
            start=date(2018, 1, 1),
            bank_name="Bank A",
        ),
        KarRow(
            customer_id=CUSTOMER,
            org_no=BANK_B,
            account_no="98765432109",
            role=Role.DISPONENT,
            start=date(2015, 1, 1),
            end=date(2016, 12, 31),
            nics_reachable=False,
        ),
        KarRow(
            customer_id=person(82), org_no=BANK_B, account_no="11111111111", role=Role.OWNER, start=date(2018, 1, 1)
        ),
    ]
    assert await load_kar_relations(db, rows) == 3
    kar = KarSource(db)
    recent = await kar.relations(CUSTOMER, Period(date(2020, 1, 1), TODAY))
    assert [(r.org_no, r.bank_name, r.role, r.nics_reachable) for r in recent] == [(BANK_A, "Bank A", Role.OWNER, True)]
    both = await kar.relations(CUSTOMER, Period(date(2016, 12, 31), TODAY))
    assert {r.org_no for r in both} == {BANK_A, BANK_B}
    assert (await kar.servicer("12345678903")).org_no == BANK_A  # type: ignore[union-attr]
    assert await kar.servicer("22222222222") is None


async def test_kfr_add_delete_keeps_history(db: Database) -> None:
    kfr = KfrStore(db)
    assert await kfr.add(BANK_A, CUSTOMER, DSOPBANK, date(2020, 1, 1)) is True
    assert await kfr.add(BANK_A, CUSTOMER, DSOPBANK, date(2021, 1, 1)) is False
    assert await kfr.delete(BANK_A, CUSTOMER, DSOPBANK, date(2024, 6, 30)) is True
    assert await kfr.delete(BANK_A, CUSTOMER, DSOPBANK, date(2024, 6, 30)) is False
    assert await kfr.relations(CUSTOMER, Period(date(2025, 1, 1), TODAY)) == []
    (past,) = await kfr.relations(CUSTOMER, Period(date(2023, 1, 1), date(2023, 12, 31)))
    assert (past.org_no, past.start, past.end) == (BANK_A, date(2020, 1, 1), date(2024, 6, 30))
    assert await kfr.relations(CUSTOMER, Period(date(2023, 1, 1), date(2023, 12, 31)), org_no=BANK_B) == []
    assert await kfr.add(BANK_A, CUSTOMER, DSOPBANK, TODAY) is True  # a new relation after the old one ended


async def test_batch_crash_before_commit_stores_nothing_then_resumes(db: Database) -> None:
    kfr = KfrStore(db)
    entries = [(person(90 + i), date(2020, 1, 1)) for i in range(20)]
    status = await kfr.submit_batch(BANK_A, DSOPBANK, entries, now=NOW, correlation_id=None)

    async def crash() -> None:
        raise ConnectionError("power cut")

    with pytest.raises(ConnectionError):
        await kfr.apply_batch(status.batch_id, NOW, before_commit=crash)
    assert await kfr.count_open() == 0
    assert await kfr.pending_batches() == [status.batch_id]
    assert await kfr.apply_batch(status.batch_id, NOW) is True
    assert await kfr.apply_batch(status.batch_id, NOW) is False  # applied once only
    done = await kfr.batch(status.batch_id)
    assert done is not None and (done.status, done.added, done.unchanged) == ("applied", 20, 0)
    assert await kfr.count_open(BANK_A) == 20


async def test_bulk_loader_is_idempotent_and_keeps_closed_rows(db: Database) -> None:
    rows = [KfrRow(org_no=BANK_B, customer_id=person(120 + i), start=date(2019, 1, 1)) for i in range(10)]
    rows.append(KfrRow(org_no=BANK_B, customer_id=person(120), start=date(2010, 1, 1), end=date(2015, 1, 1)))
    assert await load_kfr_relations(db, rows, names={BANK_B: "Bank B"}) == 11
    assert await load_kfr_relations(db, rows) == 0  # loading the same rows again changes nothing
    assert await KfrStore(db).count_open(BANK_B) == 10
    (relation,) = await KfrStore(db).relations(person(121), Period(date(2020, 1, 1), TODAY))
    assert relation.bank_name == "Bank B"


async def test_catalogue_put_replace_and_validity(db: Database) -> None:
    store = CatalogueStore(db)
    entry = CatalogueEntry(
        org_no=BANK_A, name="Bank A", url="https://api.bank-a.test/v2", env="test", valid_from=date(2025, 1, 1)
    )
    assert await store.put(entry) is True
    moved = CatalogueEntry(
        org_no=BANK_A,
        name="Bank A",
        url="https://new.bank-a.test/v2",
        env="test",
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 12, 31),
    )
    assert await store.put(moved) is False
    assert [e.url for e in await store.list("test")] == ["https://new.bank-a.test/v2"]
    assert await store.list("test", valid_on=TODAY) == []
    assert await store.list("production") == []


async def test_batch_with_some_relations_already_open(db: Database) -> None:
    kfr = KfrStore(db)
    existing = [person(140 + i) for i in range(3)]
    for customer in existing:
        assert await kfr.add(BANK_A, customer, DSOPBANK, date(2018, 1, 1))
    entries = [(c, date(2020, 1, 1)) for c in [*existing, person(150), person(151)]]
    status = await kfr.submit_batch(BANK_A, DSOPBANK, entries, now=NOW, correlation_id=None)
    assert await kfr.apply_batch(status.batch_id, NOW)
    done = await kfr.batch(status.batch_id)
    assert done is not None and (done.added, done.unchanged) == (2, 3)
    (kept,) = await kfr.relations(existing[0], Period(date(2018, 1, 1), TODAY))
    assert kept.start == date(2018, 1, 1)  # an open relation is not restarted by a later upload


async def test_worker_marks_a_failing_batch_failed(db: Database) -> None:
    kfr = KfrStore(db)
    status = await kfr.submit_batch(BANK_A, DSOPBANK, [(person(160), date(2020, 1, 1))], now=NOW, correlation_id=None)

    async def broken(batch_id: str, now: object, **_: object) -> bool:
        raise RuntimeError("disk full")

    kfr.apply_batch = broken  # type: ignore[method-assign]
    worker = BatchWorker(kfr, lambda: NOW)
    assert await worker.resume() == 1
    await worker.drain()
    failed = await kfr.batch(status.batch_id)
    assert failed is not None and failed.status == "failed" and "disk full" in (failed.message or "")
    assert await kfr.count_open() == 0


async def test_bulk_loader_large_load_skips_open_twins(db: Database) -> None:
    """Above the COPY threshold (PostgreSQL: temp table + COPY), the same skip rules hold."""
    rows = [KfrRow(org_no=BANK_A, customer_id=f"0{i:010d}", start=date(2019, 1, 1)) for i in range(1500)]
    assert await load_kfr_relations(db, rows[:300]) == 300
    assert await load_kfr_relations(db, rows) == 1200
    assert await KfrStore(db).count_open(BANK_A) == 1500


async def test_combined_lookup_equals_the_two_sources(db: Database) -> None:
    if not db.is_postgres:
        pytest.skip("the one-round-trip lookup exists for PostgreSQL only")
    from opendsop.relations.combined import CombinedSqlRelations

    await load_kar_relations(
        db,
        [
            KarRow(
                customer_id=CUSTOMER,
                org_no=BANK_A,
                account_no="12345678903",
                role=Role.OWNER,
                start=date(2018, 1, 1),
                bank_name="Bank A",
            ),
            KarRow(
                customer_id=CUSTOMER,
                org_no=BANK_B,
                account_no="98765432109",
                role=Role.DISPONENT,
                start=date(2015, 1, 1),
                end=date(2016, 12, 31),
                nics_reachable=False,
            ),
        ],
    )
    await load_kfr_relations(
        db,
        [
            KfrRow(org_no=BANK_B, customer_id=CUSTOMER, start=date(2019, 1, 1)),
            KfrRow(org_no=BANK_A, customer_id=CUSTOMER, start=date(2010, 1, 1), end=date(2012, 1, 1)),
        ],
    )
    for period in (Period(date(2020, 1, 1), TODAY), Period(date(2011, 1, 1), date(2016, 12, 31))):
        kar, kfr = await CombinedSqlRelations(db).both(CUSTOMER, period)
        assert sorted(kar, key=repr) == sorted(await KarSource(db).relations(CUSTOMER, period), key=repr)
        assert sorted(kfr, key=repr) == sorted(await KfrStore(db).relations(CUSTOMER, period), key=repr)
