"""The certificate store contract, run on the memory twin, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from opendsop.certpub.store import (
    CertificateStore,
    MemoryCertificateStore,
    PublishedCertificate,
    SqlCertificateStore,
)
from opendsop.contracts.certpub.identifiers import DSOP_PROCESS

pytestmark = pytest.mark.anyio

PUBLISHED = datetime(2026, 1, 15, 12, 0, 5, tzinfo=UTC)
RECORD = PublishedCertificate(
    orgno="991825827",
    process=DSOP_PROCESS,
    certificate_pem="-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    chain_pem="",
    fingerprint="ab" * 32,
    not_after=PUBLISHED + timedelta(days=700),
    published_at=PUBLISHED,
)


class StoreContract:
    """What every ``CertificateStore`` must do; subclasses supply the ``store`` fixture."""

    async def test_a_stored_certificate_reads_back_unchanged_in_utc(self, store: CertificateStore) -> None:
        assert await store.put(RECORD) is True
        found = await store.get(RECORD.orgno, DSOP_PROCESS)
        assert found == RECORD
        assert found is not None and found.published_at.utcoffset() == timedelta(0)

    async def test_publishing_again_replaces_the_certificate(self, store: CertificateStore) -> None:
        await store.put(RECORD)
        rotated = replace(
            RECORD, certificate_pem="new", fingerprint="cd" * 32, published_at=PUBLISHED + timedelta(days=1)
        )
        assert await store.put(rotated) is False
        assert await store.get(RECORD.orgno, DSOP_PROCESS) == rotated
        assert await store.processes(RECORD.orgno) == [DSOP_PROCESS]

    async def test_unknown_participant_and_process_are_absent(self, store: CertificateStore) -> None:
        await store.put(RECORD)
        assert await store.get("889640782", DSOP_PROCESS) is None
        assert await store.get(RECORD.orgno, "bdx-procid-dsop::urn:other") is None
        assert await store.processes("889640782") == []

    async def test_processes_are_listed_per_participant_in_order(self, store: CertificateStore) -> None:
        other = replace(RECORD, process="bdx-procid-dsop::urn:a")
        await store.put(RECORD)
        await store.put(other)
        await store.put(replace(RECORD, orgno="889640782"))
        assert await store.processes(RECORD.orgno) == sorted([DSOP_PROCESS, other.process])

    async def test_delete_removes_only_that_pair(self, store: CertificateStore) -> None:
        await store.put(RECORD)
        await store.put(replace(RECORD, orgno="889640782"))
        assert await store.delete(RECORD.orgno, DSOP_PROCESS) is True
        assert await store.delete(RECORD.orgno, DSOP_PROCESS) is False
        assert await store.get(RECORD.orgno, DSOP_PROCESS) is None
        assert await store.get("889640782", DSOP_PROCESS) is not None


class TestSqlStore(StoreContract):
    @pytest.fixture
    async def store(self, database_url: str) -> AsyncIterator[CertificateStore]:
        sql = SqlCertificateStore(create_async_engine(database_url))
        await sql.create_schema()
        await sql.create_schema()  # idempotent: the app runs it at every start
        try:
            yield sql
        finally:
            await sql.close()


class TestMemoryStore(StoreContract):
    @pytest.fixture
    async def store(self) -> AsyncIterator[CertificateStore]:
        yield MemoryCertificateStore()
