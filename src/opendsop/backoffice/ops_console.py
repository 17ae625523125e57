# SPDX-License-Identifier: Apache-2.0
"""The back office's sections of the bank's operations console (``/ops``, ``OpsConsole.add_section``).

* **Digitale brev**: the inbox of ``dsop-digital-letter`` correspondences, one letter with its structured
  request, and the answer (one XLSX or PDF) — through :mod:`.letters_cli`'s ``inbox``/``read_letter``/
  ``answer_letter``, the very code ``dsop bank letters`` runs;
* **Transportløyvegarantier**: the bank's guarantees as guarantor and its cases with Statens vegvesen's
  answers — the løyveregister calls ``dsop guarantee list|cases`` make.

Both act with the bank's own platform credentials (:class:`BackofficeSettings`, as the CLI gets them).  The
letter list shows no personal data: the request (with the party) is shown only after a posted click that
is written to the bank's audit log (``ops:letter``, as the requests view's ``ops:view``) and that the
message platform records as the bank reading the letter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from opendsop.backoffice.settings import BackofficeError, BackofficeSettings
from opendsop.contracts.messaging.errors import MessagingError
from opendsop.web import ROLE_LETTERS, ROLE_OPERATIONS, PageError

PAGES = Path(__file__).parent / "ops_pages"

LETTER_TEXTS = {
    "nb": {
        "letters": "Digitale brev", "letter": "Brev", "sender": "Avsender", "due": "Frist", "letter_status":
        "Status", "title_col": "Tittel", "structured": "Strukturert forespørsel", "answer": "Svar med fil",
        "answer_file": "Fil (XLSX eller PDF)", "send_answer": "Send svar", "answered": "Svaret er sendt",
        "open": "Åpne (loggføres)", "received": "Mottatt", "platform_down": "Meldingsplattformen svarer ikke",
    },
    "en": {
        "letters": "Digital letters", "letter": "Letter", "sender": "Sender", "due": "Due", "letter_status":
        "Status", "title_col": "Title", "structured": "Structured request", "answer": "Answer with a file",
        "answer_file": "File (XLSX or PDF)", "send_answer": "Send answer", "answered": "The answer is sent",
        "open": "Open (audited)", "received": "Received", "platform_down": "The message platform does not answer",
    },
}  # fmt: skip
GUARANTEE_TEXTS = {
    "nb": {
        "guarantees": "Transportløyvegarantier", "our_guarantees": "Våre garantier", "cases": "Saker hos "
        "Statens vegvesen", "number": "Garantinummer", "carrier": "Transportør", "kind": "Type", "amount":
        "Beløp (NOK)", "valid_from": "Gyldig fra", "valid_to": "Gyldig til", "case_no": "Saksnummer",
        "svv_answer": "Svar", "g_status": "Status", "register_down": "Løyveregisteret svarer ikke",
    },
    "en": {
        "guarantees": "Transport guarantees", "our_guarantees": "Our guarantees", "cases": "Cases with Statens "
        "vegvesen", "number": "Guarantee number", "carrier": "Carrier", "kind": "Type", "amount": "Amount (NOK)",
        "valid_from": "Valid from", "valid_to": "Valid to", "case_no": "Case number", "svv_answer": "Answer",
        "g_status": "Status", "register_down": "The licence register does not answer",
    },
}  # fmt: skip


def _session(settings: BackofficeSettings) -> Callable[[], AbstractAsyncContextManager[Any]]:
    @asynccontextmanager
    async def opened() -> AsyncIterator[Any]:
        from opendsop.backoffice.session import open_session

        async with open_session(settings) as session:
            yield session

    return opened


def _staff(console: Any, request: Request[Any, Any, Any]) -> Any:
    """Operations staff or the letter handlers (``brev``) may read and answer letters."""
    session = console.kit.require(request, kind="staff")
    if not (session.has(ROLE_LETTERS) or session.has(ROLE_OPERATIONS)):
        raise PageError(403, "forbidden")
    return session


@dataclass
class LettersSection:
    """``/ops/letters``: the bank's digital letters (``open_session`` is the CLI's, or a test's stand-in)."""

    settings: BackofficeSettings | None = None
    open_session: Callable[[], AbstractAsyncContextManager[Any]] | None = None

    def __call__(self, console: Any) -> None:
        from opendsop.backoffice.letters_cli import answer_letter, inbox, read_letter

        kit = console.kit
        opened = self.open_session or _session(self.settings)  # type: ignore[arg-type]

        async def with_platform(job: Callable[[Any], Any]) -> Any:
            try:
                async with opened() as session, session.platform() as client:
                    return await job(client)
            except BackofficeError as error:
                raise PageError(400, "platform_down", error.message) from None
            except MessagingError as error:  # the platform's own code and detail (MSG-006: an unknown letter)
                if error.status == 404:
                    raise PageError(404, "not_found", f"{error.code}: {error.detail}") from None
                raise PageError(502 if error.status >= 500 else 400, "platform_down",
                                f"{error.code}: {error.detail}") from None  # fmt: skip
            except (OSError, httpx.HTTPError) as error:  # the platform or the token service is not reachable
                raise PageError(502, "platform_down", type(error).__name__) from None

        @get("/letters")
        async def letters(request: Request[Any, Any, Any]) -> Response[str]:
            session = _staff(console, request)
            found = await with_platform(inbox)
            return kit.render(request, "ops_letters.html", session=session, letters=found)

        async def shown(request: Request[Any, Any, Any], letter_id: str, session: Any, **extra: Any) -> Response[str]:
            item, asked = await with_platform(lambda client: read_letter(client, letter_id))
            # the request names the party: every showing is written to the bank's audit log (as ``ops:view``)
            await console.audited(
                session.subject, endpoint="ops:letter", correlation_id=asked.correlationId,
                party_id=asked.customerId, account_info_request_id=asked.accountInfoRequestId,
            )  # fmt: skip
            structured = msgspec.json.format(msgspec.json.encode(asked)).decode()
            return kit.render(request, "ops_letter.html", session=session, item=item, structured=structured, **extra)

        @post("/letters/{letter_id:str}", status_code=200)
        async def letter(request: Request[Any, Any, Any], letter_id: FromPath[str]) -> Response[str]:
            _staff(console, request)
            session, _ = await kit.form(request)
            return await shown(request, letter_id, session)

        @post("/letters/{letter_id:str}/answer", status_code=200)
        async def answer(request: Request[Any, Any, Any], letter_id: FromPath[str]) -> Response[str]:
            _staff(console, request)
            session, form = await kit.form(request)
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                return await shown(request, letter_id, session, error="answer with an .xlsx or .pdf file",
                                   status=400)  # fmt: skip
            data = await upload.read()
            try:
                sent = await with_platform(lambda client: answer_letter(client, letter_id, upload.filename, data))
            except PageError as error:
                if error.status != 400:
                    raise
                return await shown(request, letter_id, session, error=error.detail, status=400)
            return await shown(request, letter_id, session, sent=sent)

        console.add_section("/letters", LETTER_TEXTS, "letters", [letters, letter, answer], templates=PAGES)


@dataclass
class GuaranteesSection:
    """``/ops/guarantees``: the bank's guarantees and cases at the løyveregister (read-only)."""

    settings: BackofficeSettings | None = None
    open_session: Callable[[], AbstractAsyncContextManager[Any]] | None = None

    def __call__(self, console: Any) -> None:
        kit = console.kit
        opened = self.open_session or _session(self.settings)  # type: ignore[arg-type]

        @get("/guarantees")
        async def guarantees(request: Request[Any, Any, Any]) -> Response[str]:
            session = kit.require(request, kind="staff", role=ROLE_OPERATIONS)
            try:
                async with opened() as backoffice, backoffice.loyveregister() as register:
                    ours = await register.guarantees(None)
                    cases = await register.cases()
            except (BackofficeError, OSError, httpx.HTTPError) as error:
                raise PageError(502, "register_down", getattr(error, "message", type(error).__name__)) from None
            return kit.render(request, "ops_guarantees.html", session=session, guarantees=ours, cases=cases)

        console.add_section("/guarantees", GUARANTEE_TEXTS, "guarantees", [guarantees], templates=PAGES)


__all__ = ["GuaranteesSection", "LettersSection"]
