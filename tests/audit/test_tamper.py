"""The tamper matrix: each way of changing a party's log is found by ``verify`` at the first bad position.

Every row runs on SQLite and PostgreSQL.  The log has 12 records and signed checkpoints every 4.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from opendsop.audit.log import (
    AuditRecord,
    ChainBroken,
    SqlAuditLog,
    audit_checkpoints,
    audit_leaves,
    audit_personal,
    new_row,
)
from opendsop.audit.signing import Signer
from opendsop.audit.witness import Witness, WitnessRefused
from opendsop.contracts.auditproof import Checkpoint, ProofError
from opendsop.serving import create_engine

T0 = datetime(2026, 11, 28, 12, tzinfo=UTC)
BANK = Signer.generate("bank-984851006")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def record(index: int, outcome: str = "allowed") -> AuditRecord:
    return AuditRecord(
        recorded_at=T0 + timedelta(seconds=index),
        correlation_id=f"00000000-0000-4000-8000-{index:012d}",
        consumer_org="974760673",
        service="konkurs",
        endpoint="listAccounts",
        party_id="31908612345",
        outcome=outcome,
        status=200,
        records=index,
    )


async def _log(url: str, signer: Signer = BANK) -> SqlAuditLog:
    log = SqlAuditLog(create_engine(url), origin=signer.name, signer=signer, checkpoint_every=4, clock=lambda: T0)
    await log.create_schema()
    return log


async def _filled(url: str) -> SqlAuditLog:
    log = await _log(url)
    for index in range(1, 13):
        await log.append(record(index))
    assert [c.size for c in await log.checkpoints()] == [4, 8, 12]
    return log


async def _move(conn: sa.AsyncConnection, source: int, target: int) -> None:
    for table in (audit_leaves, audit_personal):
        await conn.execute(table.update().where(table.c.sequence == source).values(sequence=target))


async def altered(log: SqlAuditLog) -> None:
    from opendsop.audit.log import encoder

    async with log.engine.begin() as conn:
        body = encoder.encode(record(6, outcome="ACC-011"))
        await conn.execute(audit_personal.update().where(audit_personal.c.sequence == 6).values(body=body))


async def deleted(log: SqlAuditLog) -> None:
    async with log.engine.begin() as conn:
        for table in (audit_leaves, audit_personal):
            await conn.execute(table.delete().where(table.c.sequence == 6))


async def reordered(log: SqlAuditLog) -> None:
    async with log.engine.begin() as conn:
        await _move(conn, 6, 1000)
        await _move(conn, 7, 6)
        await _move(conn, 1000, 7)


async def inserted(log: SqlAuditLog) -> None:
    async with log.engine.begin() as conn:
        for sequence in range(12, 5, -1):
            await _move(conn, sequence, sequence + 1)
        row = new_row(6, record(99))  # a well-formed record slipped in at 6
        await conn.execute(
            audit_leaves.insert().values(sequence=6, recorded_at=row.recorded_at, commitment=row.commitment)
        )
        await conn.execute(audit_personal.insert().values(sequence=6, salt=row.salt, body=row.body))


async def signed_by_another(log: SqlAuditLog) -> None:
    other = Signer.generate(BANK.name)  # someone else's key claiming to be the bank
    forged = other.sign(BANK.name, 8, (await log.tree()).root(8), T0)
    async with log.engine.begin() as conn:
        await conn.execute(
            audit_checkpoints.update().where(audit_checkpoints.c.size == 8).values(body=json.dumps(forged.to_json()))
        )


MATRIX: list[tuple[str, Callable[[SqlAuditLog], Awaitable[None]], int, str]] = [
    ("a record altered", altered, 6, "altered"),
    ("a record deleted", deleted, 6, "missing"),
    ("two records re-ordered", reordered, 6, "re-ordered"),
    ("a record inserted in the middle", inserted, 6, "inserted"),
    ("a checkpoint signed by another key", signed_by_another, 5, "another key"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("fault", "tamper", "position", "words"), MATRIX, ids=[row[0] for row in MATRIX])
async def test_each_fault_is_found_at_the_first_bad_position(
    database_url: str, fault: str, tamper: Callable[[SqlAuditLog], Awaitable[None]], position: int, words: str
) -> None:
    log = await _filled(database_url)
    try:
        assert await log.verify() == 12
        await tamper(log)
        log._tree = type(log._tree)()  # a fresh reader: nothing cached from before the tampering
        with pytest.raises(ChainBroken) as broken:
            await log.verify()
        assert broken.value.sequence == position, broken.value
        assert words in str(broken.value)
    finally:
        await log.close()
        await log.engine.dispose()


@pytest.mark.anyio
async def test_a_whole_log_rewritten_and_re_signed_is_caught_by_the_witness(database_url: str) -> None:
    witness = Witness(Signer.generate("witness"), {BANK.name: BANK.public_key})
    log = await _filled(database_url)
    try:
        cosigned = witness.cosign((await log.checkpoints())[-1], [])
        # the bank rewrites record 6 and everything after it, and re-signs with its own key
        async with log.engine.begin() as conn:
            await conn.execute(audit_checkpoints.delete())
            for table in (audit_personal, audit_leaves):
                await conn.execute(table.delete().where(table.c.sequence >= 6))
        log._tree, log._last_checkpoint = type(log._tree)(), None
        for index in range(6, 15):
            await log.append(record(index, outcome="ACC-011"))
        rewritten = await log.checkpoint()
        assert await log.verify() == 14  # consistent with itself …
        with pytest.raises(WitnessRefused) as refused:  # … but not with what the witness saw
            witness.cosign(rewritten, await log.consistency_proof(12, 14))
        assert refused.value.code == "WIT-004"
        # verifying against the witness's copy finds where the log departs from what was signed
        with pytest.raises(ChainBroken) as broken:
            await _verify_against(log, cosigned, witness)
        assert broken.value.sequence == 1  # the witness saw only size 12: no finer point to go back to
    finally:
        await log.close()
        await log.engine.dispose()


async def _verify_against(log: SqlAuditLog, checkpoint: Checkpoint, witness: Witness) -> None:
    from opendsop.contracts.auditproof import LogRecord, verify_log

    rows = await log._rows(0, 1000)
    try:
        verify_log(
            [LogRecord(r.sequence, r.commitment, r.salt, r.body) for r in rows],
            [checkpoint],
            {log.origin: BANK.public_key, "witness": witness.signer.public_key},
            origin=log.origin,
        )
    except ProofError as error:
        raise ChainBroken(error.position or 0, str(error)) from None


@pytest.mark.anyio
async def test_the_witness_cosigns_a_log_that_only_grows_and_refuses_a_rollback(database_url: str) -> None:
    witness = Witness(Signer.generate("witness"), {BANK.name: BANK.public_key})
    log = await _filled(database_url)
    try:
        first, second, third = await log.checkpoints()
        witness.cosign(first, [])
        cosigned = witness.cosign(third, await log.consistency_proof(4, 12))
        assert {s.name for s in cosigned.signatures} == {BANK.name, "witness"}
        with pytest.raises(WitnessRefused) as refused:
            witness.cosign(second, await log.consistency_proof(8, 8))
        assert refused.value.code == "WIT-003"
        stranger = Signer.generate("bank-000000000")
        with pytest.raises(WitnessRefused, match="WIT-001"):
            witness.cosign(stranger.sign(stranger.name, 1, b"\0" * 32, T0), [])
    finally:
        await log.close()
        await log.engine.dispose()
