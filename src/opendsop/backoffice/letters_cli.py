# SPDX-License-Identifier: Apache-2.0
"""``dsop bank letters …`` — the bank's operations answer digital letters from agencies (DSOP “Architecture document”).

A bank without a Control API receives the agencies' requests in its message box (resource
``dsop-digital-letter``) and answers "som ustrukturerte data … for eksempel på et excel-format – eventuelt
PDF" in the same channel:

* ``list`` — the letters in the inbox: id, agency, AccountInfoRequestID, service, due date, status;
* ``show ID`` — the letter's text and its structured request (``dsop-foresporsel.json``); marks it read;
* ``answer ID FILE`` — reply with one XLSX or PDF (checked to be what its name says).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from opendsop.backoffice.guarantee_cli import settings
from opendsop.backoffice.settings import BackofficeError

if TYPE_CHECKING:
    from opendsop.contracts.messaging import MessagingClient

T = TypeVar("T")
app = typer.Typer(no_args_is_help=True, help="A bank's operations: digital letters from agencies.")
letters_app = typer.Typer(no_args_is_help=True, help="List, read and answer digital letters (XLSX or PDF).")
app.add_typer(letters_app, name="letters")


def _run(job: Callable[[MessagingClient], Awaitable[T]]) -> T:
    from opendsop.backoffice.session import open_session

    async def main() -> T:
        async with open_session(settings()) as session, session.platform() as client:
            return await job(client)

    return asyncio.run(main())


async def inbox(client: MessagingClient) -> list[Any]:
    """The letters received on ``dsop-digital-letter``, newest first."""
    from opendsop.contracts.digital_letter import RESOURCE

    return [item async for item in client.inbox(resource_id=RESOURCE)]


async def read_letter(client: MessagingClient, letter_id: str) -> tuple[Any, Any]:
    """The correspondence and its structured request; marks it read."""
    from opendsop.contracts.digital_letter import REQUEST_FILE, decode_request

    item = await client.get(letter_id)
    attachment = next((a for a in item.attachments if a.file_name == REQUEST_FILE), None)
    if attachment is None:
        raise BackofficeError(f"{letter_id} carries no {REQUEST_FILE}: it is not a DSOP digital letter")
    try:
        request = decode_request(await client.download_attachment(letter_id, attachment.attachment_id))
    except ValueError as error:
        raise BackofficeError(f"{letter_id}: {error}") from None
    await client.mark_read(letter_id)
    return item, request


async def answer_letter(client: MessagingClient, letter_id: str, file_name: str, data: bytes) -> str:
    """Reply with the file; the id of the answer."""
    from opendsop.contracts.digital_letter import answer_type
    from opendsop.contracts.messaging import FileUpload
    from opendsop.contracts.messaging.models import CorrespondenceContent

    try:
        kind = answer_type(file_name, data)
    except ValueError as error:
        raise BackofficeError(f"{error} — export the answer as .xlsx or .pdf") from None
    item, request = await read_letter(client, letter_id)
    content = CorrespondenceContent(
        message_title=f"Svar: {item.content.message_title}"[:255],
        message_body=f"Svar på forespørsel {request.accountInfoRequestId} ({request.serviceName}) i vedlagt fil.",
    )
    sent = await client.reply(
        letter_id,
        content,
        [FileUpload(file_name, data, kind)],
        senders_reference=request.accountInfoRequestId,
        property_list={"AccountInfoRequestID": request.accountInfoRequestId, "CorrelationID": request.correlationId},
    )
    return sent.correspondences[0].correspondence_id


@letters_app.command("list")
def list_letters() -> None:
    """The letters in the bank's inbox."""
    from rich.console import Console
    from rich.table import Table

    found = _run(inbox)
    table = Table(title="Digital letters")
    for column in ("Id", "From", "AccountInfoRequestID", "Title", "Due", "Status"):
        table.add_column(column, overflow="fold")
    for item in found:
        table.add_row(
            item.correspondence_id,
            item.sender.rsplit(":", 1)[-1],
            item.property_list.get("AccountInfoRequestID", ""),
            item.content.message_title,
            item.due_date_time.date().isoformat() if item.due_date_time else "",
            item.status,
        )
    Console().print(table)


@letters_app.command()
def show(letter_id: Annotated[str, typer.Argument(help="The letter's id (from `list`).")]) -> None:
    """The letter's text and its structured request (JSON)."""
    import msgspec

    item, request = _run(lambda client: read_letter(client, letter_id))
    typer.echo(f"# {item.content.message_title}\n\n{item.content.message_body}\n")
    typer.echo(msgspec.json.format(msgspec.json.encode(request)).decode())


@letters_app.command()
def answer(
    letter_id: Annotated[str, typer.Argument(help="The letter's id (from `list`).")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The answer: one .xlsx or .pdf file.")],
) -> None:
    """Answer the letter with an XLSX or PDF file."""
    data = file.read_bytes()
    sent = _run(lambda client: answer_letter(client, letter_id, file.name, data))
    typer.echo(f"answered {letter_id} with {file.name} ({len(data)} bytes): {sent}")


__all__ = ["answer_letter", "app", "inbox", "read_letter"]
