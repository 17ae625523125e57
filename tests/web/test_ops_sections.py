"""The bank console's back-office sections over HTTP: digital letters (list, audited open, answer) and the
transport guarantees — the same code paths as ``dsop bank letters`` and ``dsop guarantee list|cases``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from litestar import Litestar

from opendsop.backoffice.ops_console import GuaranteesSection, LettersSection
from opendsop.contracts.digital_letter import REQUEST_FILE, LetterRequest, encode_request
from opendsop.contracts.messaging.errors import NotFound
from opendsop.provider.ops import console_for, default_staff
from opendsop.standard.services import transport_guarantee as tg

pytestmark = pytest.mark.anyio
BANK = "910000001"
PARTY = "01017012345"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
XLSX = b"PK\x03\x04" + b"\0" * 40


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Audit:
    def __init__(self) -> None:
        self.appended: list[Any] = []

    async def append(self, record: Any) -> None:
        self.appended.append(record)

    async def records(self, *, after: int, limit: int) -> list[Any]:
        return []


class Platform:
    """The message platform as the bank sees it: one letter in the inbox."""

    def __init__(self) -> None:
        self.asked = LetterRequest(
            service="konkurs", serviceName="Konkurs", legalMandate="konkursloven § 101",
            accountInfoRequestId="req-1", correlationId="corr-1", agencyOrgnr="974760673",
            customerId=PARTY, dueDate=date(2026, 5, 20),
        )  # fmt: skip
        self.item = SimpleNamespace(
            correspondence_id="c-1", sender="0192:974760673", status="Published",
            due_date_time=datetime(2026, 5, 20, 10, tzinfo=UTC), property_list={"AccountInfoRequestID": "req-1"},
            content=SimpleNamespace(message_title=self.asked.title(), message_body="Svar innen fristen."),
            attachments=[SimpleNamespace(file_name=REQUEST_FILE, attachment_id="a-1")],
        )  # fmt: skip
        self.replies: list[Any] = []

    async def __aenter__(self) -> Platform:
        return self

    async def __aexit__(self, *_: Any) -> None:
        return None

    async def inbox(self, *, resource_id: str) -> AsyncIterator[Any]:
        yield self.item

    async def get(self, letter_id: str) -> Any:
        if letter_id != "c-1":
            raise NotFound(f"no correspondence {letter_id}")
        return self.item

    async def download_attachment(self, letter_id: str, attachment_id: str) -> bytes:
        return encode_request(self.asked)

    async def mark_read(self, letter_id: str) -> None:
        self.item.status = "Read"

    async def reply(self, letter_id: str, content: Any, files: list[Any], **extra: Any) -> Any:
        self.replies.append((letter_id, files, extra))
        return SimpleNamespace(correspondences=[SimpleNamespace(correspondence_id="c-answer")])


class Register:
    async def __aenter__(self) -> Register:
        return self

    async def __aexit__(self, *_: Any) -> None:
        return None

    async def guarantees(self, carrier: str | None) -> list[tg.Garanti]:
        return [tg.Garanti(
            garantiNummer="G-1", garantistOrgnummer=BANK, transportorOrgnummer="999888777",
            garantiType=tg.Garantitype.GODSLOYVE, garantiBelop=Decimal(190000), status=next(iter(tg.Garantistatus)),
            gyldigFra=date(2026, 1, 2),
        )]  # fmt: skip

    async def cases(self) -> list[Any]:
        return [SimpleNamespace(
            saksnummer="S-7", mottatt=datetime(2026, 5, 4, 10, tzinfo=UTC),
            soknad=SimpleNamespace(soknadtype=SimpleNamespace(value="NY_GARANTI"), transportorOrgnummer="999888777"),
            svar=SimpleNamespace(status=SimpleNamespace(value="REJECTED_BELOP_FOR_LAVT"), melding="For lavt beløp"),
        )]  # fmt: skip


@pytest.fixture
async def world() -> AsyncIterator[tuple[httpx.AsyncClient, Platform, Audit]]:
    platform, audit = Platform(), Audit()
    backoffice = SimpleNamespace(platform=lambda: platform, loyveregister=Register)

    @asynccontextmanager
    async def opened() -> AsyncIterator[Any]:
        yield backoffice

    console = console_for(BANK, "Testbanken", lambda: SimpleNamespace(audit=audit), default_staff(BANK))
    LettersSection(open_session=opened)(console)
    GuaranteesSection(open_session=opened)(console)
    app = Litestar([console.router()])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bank.test") as http:
        yield http, platform, audit


def csrf(html: str) -> str:
    found = _CSRF.search(html)
    assert found, html
    return found.group(1)


async def login(http: httpx.AsyncClient, username: str, target: str) -> httpx.Response:
    page = await http.get("/ops/login", params={"next": target})
    form = {"csrf": csrf(page.text), "username": username, "next": target}
    answer = await http.post("/ops/oidc/authorize", data=form)
    assert answer.status_code == 303, answer.text
    return await http.get(answer.headers["location"], follow_redirects=True)


async def test_a_letter_is_listed_opened_with_an_audit_record_and_answered(world: Any) -> None:
    http, platform, audit = world
    listed = await login(http, "brev", "/ops/letters")
    assert "Digitale brev" in listed.text and "974760673" in listed.text and "20.05.2026" in listed.text
    assert PARTY not in listed.text  # no personal data in the list
    opened = await http.post("/ops/letters/c-1", data={"csrf": csrf(listed.text)})
    assert opened.status_code == 200 and PARTY in opened.text and "req-1" in opened.text
    assert [(r.endpoint, r.requester_id, r.party_id) for r in audit.appended] == [("ops:letter", "brev", PARTY)]
    refused = await http.post("/ops/letters/c-1/answer", files={"file": ("svar.xlsx", XLSX)})
    assert refused.status_code == 403 and not platform.replies  # CSRF on every POST
    wrong = await http.post("/ops/letters/c-1/answer", data={"csrf": csrf(opened.text)},
                            files={"file": ("svar.pdf", XLSX)})  # fmt: skip
    assert wrong.status_code == 400 and "not a PDF" in wrong.text and not platform.replies
    sent = await http.post("/ops/letters/c-1/answer", data={"csrf": csrf(opened.text)},
                           files={"file": ("svar.xlsx", XLSX)})  # fmt: skip
    assert sent.status_code == 200 and "Svaret er sendt: c-answer" in sent.text
    ((letter_id, files, extra),) = platform.replies
    unknown = await http.post("/ops/letters/c-9", data={"csrf": csrf(opened.text)})
    assert unknown.status_code == 404 and "MSG-006" in unknown.text  # a clear page, not a 500
    assert letter_id == "c-1" and files[0].data == XLSX and extra["senders_reference"] == "req-1"


async def test_the_guarantees_section_lists_the_bank_s_guarantees_for_operations_only(world: Any) -> None:
    http, _, _ = world
    page = await login(http, "drift", "/ops/guarantees")
    assert page.status_code == 200 and "Transportløyvegarantier" in page.text
    assert "G-1" in page.text and "190\u00a0000,00" in page.text and "02.01.2026" in page.text
    assert "S-7" in page.text and "REJECTED_BELOP_FOR_LAVT" in page.text and "04.05.2026 kl. 12:00" in page.text
    english = await http.get("/ops/guarantees", params={"lang": "en"})
    assert "Our guarantees" in english.text
    await login(http, "brev", "/ops/letters")
    assert (await http.get("/ops/guarantees")).status_code == 403
