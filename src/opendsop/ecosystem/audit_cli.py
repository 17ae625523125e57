"""``dsop audit`` — read, verify, checkpoint, export and purge a party's verifiable audit log.

A log is named by ``--party ORIGIN`` (a party of the local ecosystem: ``bank-<orgno>``,
``source-<name>``; its database and key from ``var/``) or by ``--database URL --origin NAME [--key
FILE]`` for a party's own database.  ``verify`` with neither checks every party of the ecosystem.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from opendsop.audit.signing import Signer
    from opendsop.audit.sql import SqlAuditLog
    from opendsop.ecosystem.topology import Topology

app = typer.Typer(no_args_is_help=True, help="A party's verifiable audit log: show, verify, checkpoint, export, purge.")

PartyOption = Annotated[str | None, typer.Option("--party", help="bank-<orgno> or source-<name> of `dsop up`")]
DatabaseOption = Annotated[str | None, typer.Option("--database", help="The log's database URL (instead of --party)")]
OriginOption = Annotated[str, typer.Option("--origin", help="The log's name (with --database)")]
KeyOption = Annotated[Path | None, typer.Option("--key", help="Its Ed25519 checkpoint key file (with --database)")]
TopologyOption = Annotated[Path | None, typer.Option("--topology", help="The ecosystem's topology file")]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _topology(path: Path | None) -> Topology:
    """The ecosystem's topology: ``--topology``, else ``DSOP_ECOSYSTEM``, else the nearest ``var/ecosystem.toml``."""
    from opendsop.ecosystem import discovery
    from opendsop.ecosystem.topology import TopologyError, read

    try:
        return read(discovery.find(path))
    except discovery.NoEcosystem as error:
        raise _fail(f"{error} (or pass --database URL --origin NAME)") from None
    except (TopologyError, OSError) as error:
        raise _fail(f"{error} — run `dsop synth topology` or pass --database URL --origin NAME") from None


@asynccontextmanager
async def _opened(
    party: str | None, database: str | None, origin: str, key: Path | None, topology: Path | None
) -> AsyncIterator[SqlAuditLog]:
    from opendsop.audit.signing import Signer  # noqa: F811 - the runtime import of the name typed above
    from opendsop.audit.sql import SqlAuditLog  # noqa: F811
    from opendsop.serving import create_engine

    if party is None and database is None:
        raise _fail("which log? — pass --party ORIGIN or --database URL --origin NAME")
    keys: dict[str, bytes] = {}
    signer: Signer | None
    if party is not None:
        from opendsop.ecosystem import audit_side

        topo = _topology(topology)
        try:
            located = audit_side.party_log(topo, party)
        except ValueError as error:
            raise _fail(str(error)) from None
        database, origin = located.database, located.origin
        signer = audit_side.signer(topo, origin)
        keys = audit_side.public_keys(topo)
    else:
        signer = Signer.from_file(origin, key) if key is not None else None
    assert database is not None
    log = SqlAuditLog(create_engine(database), origin=origin, signer=signer)
    log.keys.update(keys)
    try:
        await log.create_schema()
        yield log
    finally:
        await log.close()
        await log.engine.dispose()


def _day(value: str | None, flag: str) -> datetime | None:
    if value is None:
        return None
    from opendsop.clock import oslo_start_of_day

    try:
        return oslo_start_of_day(date.fromisoformat(value))
    except ValueError:
        raise _fail(f"{flag} {value!r} is not a date — write YYYY-MM-DD") from None


@app.command()
def show(
    party: PartyOption = None,
    database: DatabaseOption = None,
    origin: OriginOption = "audit",
    key: KeyOption = None,
    topology: TopologyOption = None,
    case: Annotated[str | None, typer.Option(help="AccountInfoRequestID of the case")] = None,
    consumer: Annotated[str | None, typer.Option(help="The consumer's organisation number")] = None,
    service: Annotated[str | None, typer.Option(help="The service (konkurs, politi, nav-ssu, …)")] = None,
    subject: Annotated[str | None, typer.Option(help="Whom the records are about (fnr or orgno)")] = None,
    since: Annotated[str | None, typer.Option(help="From this date (YYYY-MM-DD, Oslo)")] = None,
    until: Annotated[str | None, typer.Option(help="Before this date (YYYY-MM-DD, Oslo)")] = None,
    limit: Annotated[int, typer.Option(help="At most this many records")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
) -> None:
    """List records (newest last), filtered by case, consumer, service, subject and period."""
    import msgspec

    async def run() -> None:
        async with _opened(party, database, origin, key, topology) as log:
            rows = await log.records(
                account_info_request_id=case,
                consumer_org=consumer,
                service=service,
                subject=subject,
                since=_day(since, "--since"),
                until=_day(until, "--until"),
                limit=limit,
            )
            for row in rows:
                if as_json:
                    fields = msgspec.to_builtins(row.record)
                    typer.echo(json.dumps({"sequence": row.sequence, "commitment": row.commitment, **fields}))
                    continue
                r = row.record
                typer.echo(
                    f"{row.sequence:>7}  {r.recorded_at:%Y-%m-%d %H:%M:%S}  {r.consumer_org or '-':9}  "
                    f"{(r.service or '-'):18}  {r.endpoint:24}  {r.outcome:9}  {r.records:>4}  "
                    f"{r.account_info_request_id or ''}"
                )
            if not as_json:
                typer.echo(f"{len(rows)} record(s) of {log.origin}")

    asyncio.run(run())


def _trusted(values: list[str]) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for value in values:
        name, _, encoded = value.partition("=")
        try:
            keys[name] = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise _fail(f"--trust {value!r} — write NAME=BASE64 (a public key from `dsop audit key`)") from None
    return keys


@app.command()
def verify(
    party: PartyOption = None,
    database: DatabaseOption = None,
    origin: OriginOption = "audit",
    key: KeyOption = None,
    topology: TopologyOption = None,
    since: Annotated[int, typer.Option("--from-checkpoint", help="Check checkpoints from this size on")] = 0,
    record: Annotated[int | None, typer.Option("--record", help="Check one record's inclusion proof")] = None,
    export: Annotated[Path | None, typer.Option("--export", help="Check an export file offline")] = None,
    trust: Annotated[list[str], typer.Option("--trust", help="NAME=BASE64 public key to trust")] = [],  # noqa: B006
) -> None:
    """Verify a log (records, checkpoints, the witness's cosignatures): prints OK or the first bad position."""
    trusted = _trusted(trust)
    if export is not None:
        _verify_export(export, trusted)
        return
    if party is None and database is None:  # every party of the ecosystem
        from opendsop.ecosystem import audit_side

        parties = [log.origin for log in audit_side.party_logs(_topology(topology))]
        bad = sum(
            asyncio.run(_verify_one(name, None, origin, key, topology, since, record, trusted)) for name in parties
        )
    else:
        bad = asyncio.run(_verify_one(party, database, origin, key, topology, since, record, trusted))
    if bad:
        raise typer.Exit(code=1)


async def _verify_one(
    party: str | None,
    database: str | None,
    origin: str,
    key: Path | None,
    topology: Path | None,
    since: int,
    record: int | None,
    trusted: dict[str, bytes],
) -> int:
    from opendsop.audit.log import ChainBroken
    from opendsop.contracts.auditproof import ProofError, leaf_hash, verify_inclusion
    from opendsop.standard import auditlog

    async with _opened(party, database, origin, key, topology) as log:
        try:
            if record is not None:
                checkpoints = await log.checkpoints()
                last = checkpoints[-1] if checkpoints else None
                if last is None or last.size < record:
                    raise ProofError(f"no checkpoint covers record {record} yet — run `dsop audit checkpoint`", record)
                rows = await log._rows(record - 1, 1)
                if not rows or rows[0].sequence != record:
                    raise ProofError(f"record {record} is missing", record)
                proof = await log.inclusion_proof(record, last.size)
                verify_inclusion(
                    record - 1, last.size, leaf_hash(auditlog.leaf(record, rows[0].commitment)), proof, last.root
                )
                typer.echo(
                    f"OK {log.origin}: record {record} is in the tree of {last.size} signed {last.time} "
                    f"({len(proof)} hashes)"
                )
                return 0
            count = await log.verify(trusted, since=since)
        except (ChainBroken, ProofError) as error:
            position = getattr(error, "sequence", None) or getattr(error, "position", None)
            typer.echo(f"BAD {log.origin}: first bad position {position}: {getattr(error, 'reason', error)}")
            return 1
        checkpoints = await log.checkpoints()
        cosigned = sum(1 for c in checkpoints if len(c.signatures) > 1)
        typer.echo(
            f"OK {log.origin}: {count} records, {len(checkpoints)} checkpoints ({cosigned} cosigned by the witness)"
        )
        return 0


def _verify_export(path: Path, trusted: dict[str, bytes]) -> None:
    from opendsop.contracts.auditproof import ProofError, verify_export

    try:
        with path.open(encoding="utf-8") as lines:
            count = verify_export(lines, trusted)
    except OSError as error:
        raise _fail(f"cannot read {path}: {error.strerror}") from None
    except ProofError as error:
        typer.echo(f"BAD {path}: first bad position {error.position}: {error}")
        raise typer.Exit(code=1) from None
    typer.echo(f"OK {path}: {count} records, checkpoints and proofs verify")


@app.command()
def checkpoint(
    party: PartyOption = None,
    database: DatabaseOption = None,
    origin: OriginOption = "audit",
    key: KeyOption = None,
    topology: TopologyOption = None,
    witness: Annotated[str | None, typer.Option(help="The witness's URL (default: the ecosystem's, if any)")] = None,
) -> None:
    """Sign a checkpoint of the log now and have the witness countersign it."""
    from opendsop.audit.witnessing import WitnessUnavailable, submit
    from opendsop.contracts.auditproof import ProofError

    async def run() -> None:
        async with _opened(party, database, origin, key, topology) as log:
            try:
                signed = await log.checkpoint()
            except ProofError as error:
                raise _fail(f"{error} — pass --key FILE (or --party)") from None
            typer.echo(f"signed {log.origin}: {signed.size} records, root {signed.root.hex()[:16]}…, {signed.time}")
            url = witness
            if url is None and party is not None:
                topo = _topology(topology)
                url = f"http://{topo.host}:{topo.ports.get('witness', 8055)}"
            if url:
                try:
                    await submit(log, signed, url)
                    typer.echo(f"cosigned by the witness at {url}")
                except WitnessUnavailable as error:
                    typer.echo(f"the witness did not cosign: {error}", err=True)
                    raise typer.Exit(code=1) from None

    asyncio.run(run())


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="The JSON Lines file to write")],
    party: PartyOption = None,
    database: DatabaseOption = None,
    origin: OriginOption = "audit",
    key: KeyOption = None,
    topology: TopologyOption = None,
    proofs: Annotated[bool, typer.Option(help="Add an inclusion proof per record")] = True,
) -> None:
    """Write the log with its checkpoints and proofs, verifiable offline (`dsop audit verify --export`)."""
    from opendsop.audit.export import export_lines

    async def run() -> int:
        lines = 0
        async with _opened(party, database, origin, key, topology) as log:
            with out.open("w", encoding="utf-8") as handle:
                async for line in export_lines(log, proofs=proofs):
                    handle.write(line + "\n")
                    lines += 1
        return lines

    typer.echo(f"wrote {out} ({asyncio.run(run())} lines)")


@app.command()
def purge(
    party: PartyOption = None,
    database: DatabaseOption = None,
    origin: OriginOption = "audit",
    key: KeyOption = None,
    topology: TopologyOption = None,
    years: Annotated[int, typer.Option(help="Retention in years (13: AccountInfoRequestID)")] = 13,
) -> None:
    """Remove the personal part of records older than the retention; the log still verifies."""
    from opendsop.audit.log import retention_cutoff
    from opendsop.clock import utc_now

    if years < 0:
        raise _fail(f"--years {years} — a retention is 0 years or more")

    async def run() -> int:
        async with _opened(party, database, origin, key, topology) as log:
            return await log.purge_before(retention_cutoff(utc_now(), years))

    typer.echo(f"purged the personal part of {asyncio.run(run())} record(s) older than {years} years")


__all__ = ["app"]
