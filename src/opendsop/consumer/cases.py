"""The agency's case store (SQL on SQLite or PostgreSQL): what was asked, of whom, and what came back.

DSOP “eOppslag”: a case is one ``AccountInfoRequestID`` — identical on every call
of the case, at every bank — which the agency must be able to map to its real case number and
for which it must prove its legal basis when a bank asks.  Decided here:

* ``consumer_case`` holds the case: AccountInfoRequestID, the agency's case number, service,
  Legal-Mandate, party, period, OnlyPrimaryOwner, requester, AdditionalReference*, the *facts*
  the agency used to choose the period (``kjennelsesdato``, date of death …), and its retention;
* ``case_bank`` holds each bank asked and its outcome and reason; ``case_answer`` each typed
  answer (the account list, and per account each 2b endpoint) as JSON with its completeness;
* it is the fan-out's ``Recorder``: answers are written as they arrive, so after a crash or
  restart ``FanOut`` resumes without asking again for what is recorded;
* ``purge(now)`` deletes the answers of every case past its ``retain_until`` and marks it
  ``purged``; the case row itself (ID, legal basis, banks asked) stays, because the agency must
  still answer a bank's legal inquiry about that AccountInfoRequestID (v1 said 13 years).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import msgspec
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from opendsop.consumer.client import VALUE_TYPES, Fetched
from opendsop.consumer.fanout import AccountResult, BankResult, Outcome, Progress
from opendsop.consumer.protocol import BankEndpoint, CaseParameters
from opendsop.serving import create_engine
from opendsop.standard import mandate as mandates
from opendsop.standard import wire
from opendsop.standard.endpoints import Endpoint

metadata = MetaData()
LIST = ""  # the account_reference of the account list's row

consumer_case = Table(
    "consumer_case",
    metadata,
    Column("id", String(36), primary_key=True),  # AccountInfoRequestID
    Column("case_number", String(100), nullable=False, index=True),
    Column("service", String(40), nullable=False),
    Column("mandate_key", String(60), nullable=False),
    Column("party_id", String(20), nullable=False),
    Column("from_date", Date),
    Column("to_date", Date),
    Column("only_primary_owner", Boolean, nullable=False),
    Column("requester_id", String(200)),
    Column("reference_type", String(20)),
    Column("reference_id", Text),
    Column("facts", Text, nullable=False),
    Column("status", String(20), nullable=False),  # open, purged
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("retain_until", DateTime(timezone=True), nullable=False, index=True),
    Column("purged_at", DateTime(timezone=True)),
)
case_bank = Table(
    "case_bank",
    metadata,
    Column("case_id", String(36), ForeignKey("consumer_case.id", ondelete="CASCADE"), primary_key=True),
    Column("org_no", String(9), primary_key=True),
    Column("base_url", String(500), nullable=False),
    Column("version", String(4), nullable=False),
    Column("name", String(200), nullable=False),
    Column("outcome", String(10)),  # None until the bank has ended once
    Column("reason", Text),
    Column("seconds", Float),  # how long the bank's last run took (None: not ended, or recorded before this column)
)
case_answer = Table(
    "case_answer",
    metadata,
    Column("case_id", String(36), ForeignKey("consumer_case.id", ondelete="CASCADE"), primary_key=True),
    Column("org_no", String(9), primary_key=True),
    Column("account_reference", String(500), primary_key=True),
    Column("endpoint", String(20), primary_key=True),
    Column("status", String(10)),
    Column("message", Text),
    Column("pages", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
)


@dataclass(frozen=True, slots=True)
class Case:
    id: str  # AccountInfoRequestID
    case_number: str
    service: str
    parameters: CaseParameters
    facts: Mapping[str, str]
    status: str
    created_at: datetime
    retain_until: datetime


class CaseConflict(ValueError):
    """An AccountInfoRequestID already names a different case."""


class CaseStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._write = asyncio.Lock()  # one writer at a time: SQLite has one, PostgreSQL does not mind

    @classmethod
    def from_url(cls, database_url: str) -> CaseStore:
        return cls(create_engine(database_url))

    async def create_schema(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            from opendsop.consumer.letters import metadata as letters  # the cases' digital letters (letters.py)

            await conn.run_sync(letters.create_all)
            columns = await conn.run_sync(lambda sync: {c["name"] for c in inspect(sync).get_columns("case_bank")})
            if "seconds" not in columns:  # a store made before the timing was kept
                await conn.execute(text("ALTER TABLE case_bank ADD COLUMN seconds FLOAT"))

    async def list_cases(self, *, service: str | None = None, status: str | None = None) -> list[Case]:
        """The recorded cases, newest first, optionally of one service and/or status (open, purged)."""
        query = select(consumer_case.c.id).order_by(consumer_case.c.created_at.desc(), consumer_case.c.id)
        if service is not None:
            query = query.where(consumer_case.c.service == service)
        if status is not None:
            query = query.where(consumer_case.c.status == status)
        async with self.engine.connect() as conn:
            ids = [row[0] for row in (await conn.execute(query)).all()]
        return [case for case in [await self.get(case_id) for case_id in ids] if case is not None]

    async def timings(self, case_id: str) -> dict[str, float | None]:
        """Each bank's time for its last run, in seconds (None: not recorded)."""
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(case_bank.c.org_no, case_bank.c.seconds).where(case_bank.c.case_id == case_id)
                )
            ).all()
        return {org: seconds for org, seconds in rows}

    async def close(self) -> None:
        await self.engine.dispose()

    # -- cases ---------------------------------------------------------------------------------------

    async def open_case(
        self,
        *,
        case_number: str,
        service: str,
        parameters: CaseParameters,
        now: datetime,
        retention: timedelta,
        facts: Mapping[str, str | date] | None = None,
    ) -> Case:
        """Create the case, or return it if this AccountInfoRequestID already names the same case."""
        now = now.astimezone(UTC)
        case = Case(
            parameters.account_info_request_id,
            case_number,
            service,
            parameters,
            {
                name: value.isoformat() if isinstance(value, date) else str(value)
                for name, value in (facts or {}).items()
            },
            "open",
            now,
            now + retention,
        )
        existing = await self.get(case.id)
        if existing is not None:
            if (existing.case_number, existing.service, existing.parameters) != (case_number, service, parameters):
                raise CaseConflict(f"AccountInfoRequestID {case.id} already names case {existing.case_number}")
            return existing
        p = parameters
        async with self._write, self.engine.begin() as conn:
            await conn.execute(
                consumer_case.insert().values(
                    id=case.id,
                    case_number=case_number,
                    service=service,
                    mandate_key=p.mandate.key,
                    party_id=p.party_id,
                    from_date=p.from_date,
                    to_date=p.to_date,
                    only_primary_owner=p.only_primary_owner,
                    requester_id=p.requester_id,
                    reference_type=p.reference_type,
                    reference_id=p.reference_id,
                    facts=msgspec.json.encode(dict(case.facts)).decode(),
                    status="open",
                    created_at=now,
                    retain_until=case.retain_until,
                )
            )
        return case

    async def get(self, case_id: str) -> Case | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(consumer_case).where(consumer_case.c.id == case_id))).mappings().first()
        if row is None:
            return None
        parameters = CaseParameters(
            account_info_request_id=row["id"],
            mandate=mandates.by_key(row["mandate_key"]),
            party_id=row["party_id"],
            from_date=row["from_date"],
            to_date=row["to_date"],
            only_primary_owner=row["only_primary_owner"],
            requester_id=row["requester_id"],
            reference_type=row["reference_type"],
            reference_id=row["reference_id"],
        )
        return Case(
            row["id"],
            row["case_number"],
            row["service"],
            parameters,
            msgspec.json.decode(row["facts"]),
            row["status"],
            _aware(row["created_at"]),
            _aware(row["retain_until"]),
        )

    async def add_banks(self, case_id: str, banks: Iterable[BankEndpoint]) -> None:
        """The banks this case asks (from the customer relations and the catalogue); known ones are kept."""
        known = {bank.org_no for bank in await self.banks(case_id)}
        rows = [
            {"case_id": case_id, "org_no": b.org_no, "base_url": b.base_url, "version": b.version, "name": b.name}
            for b in banks
            if b.org_no not in known
        ]
        if rows:
            async with self._write, self.engine.begin() as conn:
                await conn.execute(case_bank.insert(), rows)

    async def banks(self, case_id: str) -> list[BankEndpoint]:
        async with self.engine.connect() as conn:
            rows = (
                (
                    await conn.execute(
                        select(case_bank).where(case_bank.c.case_id == case_id).order_by(case_bank.c.org_no)
                    )
                )
                .mappings()
                .all()
            )
        return [BankEndpoint(r["org_no"], r["base_url"], r["version"], r["name"]) for r in rows]

    async def outcomes(self, case_id: str) -> dict[str, tuple[Outcome | None, str | None]]:
        """Each bank's outcome so far (None: not ended yet) and reason."""
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(case_bank.c.org_no, case_bank.c.outcome, case_bank.c.reason).where(
                        case_bank.c.case_id == case_id
                    )
                )
            ).all()
        return {org: (Outcome(outcome) if outcome else None, reason) for org, outcome, reason in rows}

    # -- the fan-out's recorder ----------------------------------------------------------------------

    async def record_answer(self, case_id: str, bank: BankEndpoint, reference: str | None, answer: Fetched) -> None:
        key = and_(
            case_answer.c.case_id == case_id,
            case_answer.c.org_no == bank.org_no,
            case_answer.c.account_reference == (reference or LIST),
            case_answer.c.endpoint == answer.endpoint.value,
        )
        async with self._write, self.engine.begin() as conn:
            await conn.execute(delete(case_answer).where(key))
            await conn.execute(
                case_answer.insert().values(
                    case_id=case_id,
                    org_no=bank.org_no,
                    account_reference=reference or LIST,
                    endpoint=answer.endpoint.value,
                    status=answer.status,
                    message=answer.message,
                    pages=answer.pages,
                    body=wire.encode(answer.value),
                )
            )

    async def record_outcome(self, case_id: str, result: BankResult) -> None:
        """The bank's outcome; a bank not yet listed with ``add_banks`` is added."""
        bank = result.bank
        async with self._write, self.engine.begin() as conn:
            changed = await conn.execute(
                update(case_bank)
                .where(and_(case_bank.c.case_id == case_id, case_bank.c.org_no == bank.org_no))
                .values(outcome=result.outcome.value, reason=result.reason, seconds=result.seconds)
            )
            if not changed.rowcount:
                await conn.execute(
                    case_bank.insert().values(
                        case_id=case_id,
                        org_no=bank.org_no,
                        base_url=bank.base_url,
                        version=bank.version,
                        name=bank.name,
                        outcome=result.outcome.value,
                        reason=result.reason,
                        seconds=result.seconds,
                    )
                )

    async def progress(self, case_id: str, bank: BankEndpoint) -> Progress | None:
        outcome, reason = (await self.outcomes(case_id)).get(bank.org_no, (None, None))
        async with self.engine.connect() as conn:
            rows = (
                (
                    await conn.execute(
                        select(case_answer).where(
                            and_(case_answer.c.case_id == case_id, case_answer.c.org_no == bank.org_no)
                        )
                    )
                )
                .mappings()
                .all()
            )
        if outcome is None and not rows:
            return None
        listed: Fetched | None = None
        answers: dict[str, dict[Endpoint, Fetched]] = {}
        for row in rows:
            endpoint = Endpoint(row["endpoint"])
            fetched = Fetched(
                endpoint,
                wire.decode(row["body"], VALUE_TYPES[bank.version][endpoint]),
                row["status"],
                row["message"],
                row["pages"],
            )
            if row["account_reference"] == LIST:
                listed = fetched
            else:
                answers.setdefault(row["account_reference"], {})[endpoint] = fetched
        return Progress(outcome, reason, listed, answers)

    async def results(self, case_id: str) -> list[BankResult]:
        """Every bank's recorded result, as the fan-out would have streamed it."""
        results = []
        outcomes, timings = await self.outcomes(case_id), await self.timings(case_id)
        for bank in await self.banks(case_id):
            outcome, reason = outcomes.get(bank.org_no, (None, None))
            progress = await self.progress(case_id, bank)
            result = BankResult(bank, outcome or Outcome.ERROR, reason if outcome else "not finished", resumed=True)
            result.seconds = timings.get(bank.org_no) or 0.0
            if progress is not None and progress.accounts is not None:
                result.accounts = [
                    AccountResult(a.account_reference, a, dict(progress.answers.get(a.account_reference, {})))
                    for a in progress.accounts.value
                ]
            results.append(result)
        return results

    # -- retention -----------------------------------------------------------------------------------

    async def purge(self, now: datetime) -> int:
        """Delete the answers of every case past its retention; the cases stay as ``purged``."""
        now = now.astimezone(UTC)
        due = select(consumer_case.c.id).where(
            and_(consumer_case.c.retain_until <= now, consumer_case.c.status != "purged")
        )
        async with self._write, self.engine.begin() as conn:
            ids = [row[0] for row in (await conn.execute(due)).all()]
            if ids:
                await conn.execute(delete(case_answer).where(case_answer.c.case_id.in_(ids)))
                # a bank's error message may quote the party: reasons go with the answers
                await conn.execute(update(case_bank).where(case_bank.c.case_id.in_(ids)).values(reason=None))
                await conn.execute(
                    update(consumer_case).where(consumer_case.c.id.in_(ids)).values(status="purged", purged_at=now)
                )
        return len(ids)


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone=True columns; the store writes UTC only.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


__all__ = ["Case", "CaseConflict", "CaseStore", "case_answer", "case_bank", "consumer_case", "metadata"]
