"""Storage of published encryption certificates (SQLAlchemy 2 Core, async).

One row per (participant, process): publishing again replaces the certificate, which is how a
participant rotates its key in CertPub.  The row keeps the certificate as PEM exactly as it was
accepted, the intermediate chain it came with (for validators that need it), and two timestamps.
SQLite is the default for the local stand-in, PostgreSQL for a deployment; the same statements
run on both, and ``create_schema`` is idempotent (``metadata.create_all`` at startup).

``MemoryCertificateStore`` is the in-process twin used by tests and the one-laptop ecosystem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

metadata = MetaData()

certificates = Table(
    "certpub_certificate",
    metadata,
    Column("orgno", String(9), primary_key=True),
    Column("process", String(320), primary_key=True),
    Column("certificate_pem", Text, nullable=False),
    Column("chain_pem", Text, nullable=False, default=""),
    Column("fingerprint", String(64), nullable=False),
    Column("not_after", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedCertificate:
    """A certificate published for one participant and process."""

    orgno: str
    process: str
    certificate_pem: str
    chain_pem: str
    fingerprint: str  # SHA-256 of the DER, lower-case hex
    not_after: datetime
    published_at: datetime


class CertificateStore(Protocol):
    async def create_schema(self) -> None: ...
    async def put(self, record: PublishedCertificate) -> bool:
        """Store or replace; True if the (participant, process) pair was new."""
        ...

    async def get(self, orgno: str, process: str) -> PublishedCertificate | None: ...
    async def processes(self, orgno: str) -> list[str]: ...
    async def delete(self, orgno: str, process: str) -> bool: ...
    async def close(self) -> None: ...


def _utc(value: datetime) -> datetime:
    # SQLite hands timestamps back naive; they were written in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SqlCertificateStore:
    """``CertificateStore`` on SQLite (aiosqlite) or PostgreSQL (asyncpg)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def create_schema(self) -> None:
        async with self._engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

    async def put(self, record: PublishedCertificate) -> bool:
        values = {
            "certificate_pem": record.certificate_pem,
            "chain_pem": record.chain_pem,
            "fingerprint": record.fingerprint,
            "not_after": record.not_after,
            "published_at": record.published_at,
        }
        key = (certificates.c.orgno == record.orgno) & (certificates.c.process == record.process)
        # Update-then-insert is portable across both backends; a concurrent first publish that
        # wins the insert race turns our insert into an update on the retry.
        for _ in range(2):
            try:
                async with self._engine.begin() as conn:
                    result = await conn.execute(update(certificates).where(key).values(**values))
                    if result.rowcount:
                        return False
                    await conn.execute(
                        insert(certificates).values(orgno=record.orgno, process=record.process, **values)
                    )
                    return True
            except IntegrityError:
                continue
        raise RuntimeError("could not store the certificate after a concurrent publish")  # pragma: no cover

    async def get(self, orgno: str, process: str) -> PublishedCertificate | None:
        query = select(certificates).where((certificates.c.orgno == orgno) & (certificates.c.process == process))
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        if row is None:
            return None
        return PublishedCertificate(
            orgno=row["orgno"],
            process=row["process"],
            certificate_pem=row["certificate_pem"],
            chain_pem=row["chain_pem"],
            fingerprint=row["fingerprint"],
            not_after=_utc(row["not_after"]),
            published_at=_utc(row["published_at"]),
        )

    async def processes(self, orgno: str) -> list[str]:
        query = select(certificates.c.process).where(certificates.c.orgno == orgno).order_by(certificates.c.process)
        async with self._engine.connect() as conn:
            return list((await conn.execute(query)).scalars())

    async def delete(self, orgno: str, process: str) -> bool:
        statement = delete(certificates).where((certificates.c.orgno == orgno) & (certificates.c.process == process))
        async with self._engine.begin() as conn:
            return bool((await conn.execute(statement)).rowcount)

    async def close(self) -> None:
        await self._engine.dispose()


class MemoryCertificateStore:
    """The in-memory twin of ``SqlCertificateStore``."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], PublishedCertificate] = {}

    async def create_schema(self) -> None:
        return None

    async def put(self, record: PublishedCertificate) -> bool:
        key = (record.orgno, record.process)
        new = key not in self._rows
        self._rows[key] = record
        return new

    async def get(self, orgno: str, process: str) -> PublishedCertificate | None:
        return self._rows.get((orgno, process))

    async def processes(self, orgno: str) -> list[str]:
        return sorted(process for owner, process in self._rows if owner == orgno)

    async def delete(self, orgno: str, process: str) -> bool:
        return self._rows.pop((orgno, process), None) is not None

    async def close(self) -> None:
        return None


__all__ = [
    "CertificateStore",
    "MemoryCertificateStore",
    "PublishedCertificate",
    "SqlCertificateStore",
    "certificates",
    "metadata",
]
