# SPDX-License-Identifier: Apache-2.0
"""Digital letters: a case's banks without a Control API are asked by letter, and their answers join the case.

DSOP “Architecture document” (step 2.2): after the customer-relations lookup, a bank that is not in the
API catalogue gets the request in its message box instead (contracts.digital_letter); it answers with an
XLSX or PDF in the same channel.  Decided here:

* one letter per (case, bank), recorded in ``case_letter`` next to the case; sending again is a no-op,
  so a resumed or repeated run never asks a bank twice;
* a letter is due ``DUE_DAYS`` after it is sent; ``collect`` picks up the answers waiting in the
  agency's inbox (``LetterBox.answers``), attaches each to its case (outcome ``answered-by-letter``, the
  file kept by content hash) and confirms it, then reminds every bank whose letter is overdue, at most
  every ``REMIND_EVERY`` and ``MAX_REMINDERS`` times;
* an answer that is no XLSX/PDF, or names no letter of ours, is confirmed and reported, never attached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

import msgspec
from sqlalchemy import Column, Date, DateTime, Integer, LargeBinary, MetaData, String, Table, Text, and_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from opendsop.clock import Clock, oslo_date
from opendsop.consumer.workflows._base import CasePlan, new_case_id
from opendsop.contracts.digital_letter import LetterRequest, answer_type, decode_request, encode_request
from opendsop.standard.services import get_profile

DUE_DAYS = 14
REMIND_EVERY = timedelta(days=7)
MAX_REMINDERS = 3
SENT, ANSWERED = "sent", "answered-by-letter"

metadata = MetaData()
case_letter = Table(
    "case_letter",
    metadata,
    Column("case_id", String(36), primary_key=True),  # AccountInfoRequestID
    Column("org_no", String(9), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("correspondence_id", String(100), nullable=False),
    Column("request", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("reminders", Integer, nullable=False),
    Column("reminded_at", DateTime(timezone=True)),
    Column("answered_at", DateTime(timezone=True)),
    Column("file_name", String(255)),
    Column("content_type", String(100)),
    Column("sha256", String(64)),
    Column("data", LargeBinary),
)


@dataclass(frozen=True, slots=True)
class LetterAnswer:
    """A bank's answer waiting in the agency's inbox."""

    reference: str  # the answer's own id at the message platform (confirmed once handled)
    bank_org: str
    account_info_request_id: str
    file_name: str
    data: bytes


class LetterBox(Protocol):
    """The agency's side of the message platform."""

    async def send(self, bank_org: str, request: LetterRequest, *, reminder_of: str | None = None) -> str: ...
    async def answers(self) -> Sequence[LetterAnswer]: ...
    async def confirm(self, answer: LetterAnswer) -> None: ...


class Letter(msgspec.Struct, frozen=True, rename="camel"):
    """One digital letter of a case and, once answered, the bank's file (also the JSON export's form)."""

    case_id: str
    org_no: str
    name: str
    correspondence_id: str
    request: LetterRequest
    status: str
    sent_at: datetime
    due: date
    reminders: int
    reminded_at: datetime | None = None
    answered_at: datetime | None = None
    file_name: str | None = None
    content_type: str | None = None
    sha256: str | None = None
    data: bytes | None = None  # base64 in JSON


@dataclass
class Collected:
    answered: list[Letter] = field(default_factory=list)
    reminded: list[Letter] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # answers not attached, and why


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for timezone=True columns; the store writes UTC only
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _letter(row: dict[str, object]) -> Letter:
    sent = _aware(row["sent_at"])  # type: ignore[arg-type]
    assert sent is not None
    return Letter(
        case_id=str(row["case_id"]),
        org_no=str(row["org_no"]),
        name=str(row["name"]),
        correspondence_id=str(row["correspondence_id"]),
        request=decode_request(str(row["request"]).encode()),
        status=str(row["status"]),
        sent_at=sent,
        due=row["due_date"],  # type: ignore[arg-type]
        reminders=int(row["reminders"]),  # type: ignore[call-overload]
        reminded_at=_aware(row["reminded_at"]),  # type: ignore[arg-type]
        answered_at=_aware(row["answered_at"]),  # type: ignore[arg-type]
        file_name=row["file_name"],  # type: ignore[arg-type]
        content_type=row["content_type"],  # type: ignore[arg-type]
        sha256=row["sha256"],  # type: ignore[arg-type]
        data=row["data"],  # type: ignore[arg-type]
    )


class LetterStore:
    """``case_letter`` on the agency's case database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def create_schema(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

    async def letters(self, case_id: str | None = None, *, status: str | None = None) -> list[Letter]:
        query = select(case_letter).order_by(case_letter.c.sent_at, case_letter.c.case_id, case_letter.c.org_no)
        if case_id is not None:
            query = query.where(case_letter.c.case_id == case_id)
        if status is not None:
            query = query.where(case_letter.c.status == status)
        async with self.engine.connect() as conn:
            return [_letter(dict(row)) for row in (await conn.execute(query)).mappings()]

    async def add(self, letter: Letter) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                case_letter.insert().values(
                    case_id=letter.case_id,
                    org_no=letter.org_no,
                    name=letter.name,
                    correspondence_id=letter.correspondence_id,
                    request=encode_request(letter.request).decode(),
                    status=letter.status,
                    sent_at=letter.sent_at,
                    due_date=letter.due,
                    reminders=0,
                )
            )

    async def _set(self, case_id: str, org_no: str, **values: object) -> None:
        key = and_(case_letter.c.case_id == case_id, case_letter.c.org_no == org_no)
        async with self.engine.begin() as conn:
            await conn.execute(update(case_letter).where(key).values(**values))

    async def answered(self, letter: Letter, file_name: str, content_type: str, data: bytes, now: datetime) -> None:
        await self._set(
            letter.case_id,
            letter.org_no,
            status=ANSWERED,
            answered_at=now,
            file_name=file_name,
            content_type=content_type,
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
        )

    async def reminded(self, letter: Letter, now: datetime) -> None:
        await self._set(letter.case_id, letter.org_no, reminders=letter.reminders + 1, reminded_at=now)


def build_request(
    plan: CasePlan,
    *,
    agency_org: str,
    agency_name: str | None,
    case_number: str | None,
    today: date,
    documents: Sequence[str] = (),
) -> LetterRequest:
    """The structured request: for a bank without a Control API, what the API calls would have asked; with
    ``documents`` only, "ytterligere opplysninger" the API does not carry (DSOP “Architecture document”)."""
    case = plan.case
    profile = get_profile(plan.service)
    asked = () if documents else ("accounts", *sorted(e.operation_id for e in plan.plan.endpoints))
    return LetterRequest(
        service=plan.service,
        serviceName=profile.name,
        legalMandate=case.mandate.text,
        accountInfoRequestId=case.account_info_request_id,
        correlationId=new_case_id(),
        agencyOrgnr=agency_org,
        agencyName=agency_name,
        caseNumber=case_number,
        customerId=case.party_id,
        fromDate=case.from_date,
        toDate=case.to_date,
        onlyPrimaryOwner=case.only_primary_owner,
        requesterId=case.requester_id,
        asked=asked,
        documents=tuple(documents),
        dueDate=today + timedelta(days=DUE_DAYS),
    )


class Letters:
    """Sending a case's letters and collecting their answers (the store, the inbox, the agency's identity)."""

    def __init__(
        self, store: LetterStore, box: LetterBox, *, agency_org: str, agency_name: str | None, clock: Clock
    ) -> None:
        self.store, self.box, self.clock = store, box, clock
        self.agency_org, self.agency_name = agency_org, agency_name

    async def send(
        self,
        plan: CasePlan,
        banks: Sequence[tuple[str, str]],
        case_number: str | None,
        *,
        documents: Sequence[str] = (),
    ) -> list[Letter]:
        """One letter per bank not yet asked by letter in this case; the letters of the case."""
        case_id = plan.case.account_info_request_id
        known = {letter.org_no for letter in await self.store.letters(case_id)}
        now = self.clock()
        for org, name in banks:
            if org in known:
                continue
            request = build_request(
                plan,
                agency_org=self.agency_org,
                agency_name=self.agency_name,
                case_number=case_number,
                today=oslo_date(now),
                documents=documents,
            )
            sent = await self.box.send(org, request)
            letter = Letter(case_id, org, name, sent, request, SENT, now, request.dueDate, 0)
            await self.store.add(letter)
        return await self.store.letters(case_id)

    async def collect(self) -> Collected:
        """Attach the answers waiting in the inbox, then remind the banks whose letters are overdue."""
        done = Collected()
        now = self.clock()
        waiting = {(letter.case_id, letter.org_no): letter for letter in await self.store.letters(status=SENT)}
        for answer in await self.box.answers():
            letter = waiting.pop((answer.account_info_request_id, answer.bank_org), None)
            if letter is None:
                done.refused.append(f"{answer.file_name} from {answer.bank_org}: no open letter of ours asks for it")
                await self.box.confirm(answer)
                continue
            try:
                kind = answer_type(answer.file_name, answer.data)
            except ValueError as error:
                done.refused.append(f"{answer.bank_org}: {error}")
                await self.box.confirm(answer)
                waiting[(letter.case_id, letter.org_no)] = letter
                continue
            await self.store.answered(letter, answer.file_name, kind, answer.data, now)
            await self.box.confirm(answer)
            done.answered.append(letter)
        today = oslo_date(now)
        for letter in waiting.values():
            if today <= letter.due or letter.reminders >= MAX_REMINDERS:
                continue
            if letter.reminded_at is not None and now - letter.reminded_at < REMIND_EVERY:
                continue
            await self.box.send(letter.org_no, letter.request, reminder_of=letter.correspondence_id)
            await self.store.reminded(letter, now)
            done.reminded.append(letter)
        return done


class MemoryLetterBox:
    """The in-memory twin: what was sent, and answers a test puts in the agency's inbox."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, LetterRequest, str | None]] = []
        self.inbox: list[LetterAnswer] = []
        self.confirmed: list[str] = []

    async def send(self, bank_org: str, request: LetterRequest, *, reminder_of: str | None = None) -> str:
        self.sent.append((bank_org, request, reminder_of))
        return f"memory-{len(self.sent)}"

    async def answers(self) -> Sequence[LetterAnswer]:
        return [a for a in self.inbox if a.reference not in self.confirmed]

    async def confirm(self, answer: LetterAnswer) -> None:
        self.confirmed.append(answer.reference)


__all__ = [
    "ANSWERED",
    "DUE_DAYS",
    "MAX_REMINDERS",
    "REMIND_EVERY",
    "SENT",
    "Collected",
    "Letter",
    "LetterAnswer",
    "LetterBox",
    "LetterStore",
    "Letters",
    "MemoryLetterBox",
    "build_request",
    "case_letter",
]
