# SPDX-License-Identifier: Apache-2.0
"""``dsop guarantee …`` — the bank as guarantor files transport licence guarantee cases with Statens vegvesen.

``show CARRIER`` (licences, own and others' guarantees), ``new``, ``replace``, ``terminate`` (the
four case types of DSOP Transportløyvegaranti, ``endreGaranti`` being the termination here), ``list``
(the guarantees) and ``cases`` (every case filed, with SVV's answer).  ``--via-altinn`` files the
case as a correspondence to SVV on the message platform and waits for the answer in the bank's inbox
(DSOP Transportløyvegaranti “Om”) instead of calling the register's API.  Each case prints the
register's ``Status`` (``OK``, ``REJECTED_BELOP_FOR_LAVT`` …) and why; exit code 0 for ``OK``, 1 for a
rejection, 2 when nothing could be filed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import msgspec
import typer

from opendsop.backoffice.settings import BackofficeError, BackofficeSettings

if TYPE_CHECKING:
    from opendsop.backoffice.session import Session
    from opendsop.contracts.registers.loyve import Svar

T = TypeVar("T")
app = typer.Typer(no_args_is_help=True, help="Transport licence guarantees at Statens vegvesen (as guarantor).")


class Kind(StrEnum):
    GODSLOYVE = "GODSLOYVE"
    TURVOGNLOYVE = "TURVOGNLOYVE"
    LETTGODSLOYVE = "LETTGODSLOYVE"


class By(StrEnum):
    GARANTIST = "garantist"
    TRANSPORTOR = "transportor"


def _environment_only() -> BackofficeSettings | None:
    return None


# Where the settings come from when DSOP_BACKOFFICE_ORG is unset: `dsop` points this at the local ecosystem's
# first bank (``opendsop.ecosystem.message_side.local_backoffice_settings``); None: the environment only.
local_settings: Callable[[], BackofficeSettings | None] = _environment_only


def settings() -> BackofficeSettings:
    import os

    if not os.environ.get("DSOP_BACKOFFICE_ORG"):
        found = local_settings()
        if found is not None:
            return found
    return BackofficeSettings()


def run(job: Callable[[Session], Awaitable[T]]) -> T:
    from opendsop.backoffice.session import open_session

    async def main() -> T:
        async with open_session(settings()) as session:
            return await job(session)

    return asyncio.run(main())


Carrier = Annotated[str, typer.Argument(help="The carrier's (løyvehaver's) organisasjonsnummer.")]
Amount = Annotated[str, typer.Option("--amount", help="The guaranteed sum in NOK, e.g. 190000.")]
Number = Annotated[str | None, typer.Option("--number", help="Your guarantee number (default: one is made).")]
Type = Annotated[Kind, typer.Option("--type", help="The licence type the guarantee covers.")]
From = Annotated[str | None, typer.Option("--from", help="Valid from, YYYY-MM-DD (default: today).")]


def _number(carrier: str, given: str | None) -> str:
    from opendsop.clock import utc_now

    return given or f"G-{carrier}-{utc_now().strftime('%Y%m%d%H%M%S')}"


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BackofficeError(f"{option} {value!r} is not a date — write it as YYYY-MM-DD") from None


async def file_over_platform(session: Session, case: Any, *, attempts: int = 60) -> Svar:
    """File ``case`` as a correspondence to SVV and wait for SVV's answer in the bank's inbox."""
    from opendsop.contracts.registers.loyve import Melding
    from opendsop.contracts.registers.loyve_messages import RESOURCE, case_number, filing

    request, attachment = filing(case)
    async with session.platform() as client:
        made = await client.send(request, [attachment])
        number = case_number(made.correspondences[0].correspondence_id)
        for _ in range(attempts):  # SVV reads its inbox about once a second
            async for item in client.inbox(resource_id=RESOURCE):
                if item.property_list.get("saksnummer") == number and item.attachments:
                    data = await client.download_attachment(item.correspondence_id, item.attachments[0].attachment_id)
                    await client.confirm(item.correspondence_id)
                    letter = msgspec.json.decode(data, type=Melding)
                    if letter.svar is not None:
                        return letter.svar
            await asyncio.sleep(0.5)
    raise BackofficeError(
        f"no answer from Statens vegvesen to case {number} yet — it may come later: "
        "`dsop guarantee list` shows whether it was registered, or file through the register's API "
        "(without --via-altinn)"
    )


VIA = Annotated[
    bool, typer.Option("--via-altinn", help="File over the message platform; the answer comes to your inbox.")
]


def _file(body: dict[str, Any], via_platform: bool = False) -> None:
    """File the case and print the answer; exit 0 for OK, 1 for a rejection."""
    from opendsop.standard.services.transport_guarantee import Soknad

    try:
        case = msgspec.convert(body, Soknad)
    except msgspec.ValidationError as error:
        raise BackofficeError(f"the case is not valid: {error} — check the options") from None

    async def job(session: Session) -> Svar:
        if via_platform:
            return await file_over_platform(session, case)
        async with session.loyveregister() as register:
            return await register.submit(case)

    answer = run(job)
    typer.echo(f"{answer.status.value}: {answer.melding}")
    if answer.kreves is not None and answer.status.value != "OK":
        typer.echo(f"required sum: {answer.kreves} NOK")
    typer.echo(f"saksnummer {answer.saksnummer}")
    raise typer.Exit(0 if answer.status.value == "OK" else 1)


@app.command()
def new(
    carrier: Carrier,
    amount: Amount,
    kind: Type = Kind.GODSLOYVE,
    number: Number = None,
    valid_from: From = None,
    coverage: Annotated[int | None, typer.Option(min=1, help="Licences covered (default: those held).")] = None,
    via: VIA = False,
) -> None:
    """nyGaranti: a new guarantee for a carrier with none of this type."""
    form: dict[str, Any] = {"garantinummer": _number(carrier, number), "garantiType": kind.value, "belop": amount}
    if valid_from:
        form["gyldigFraDato"] = str(_date(valid_from, "--from"))
    if coverage:
        form["loyvedekning"] = coverage
    _file({"transportorOrgnummer": carrier, "soknadtype": "nyGaranti", "nyGaranti": form}, via)


@app.command()
def replace(
    carrier: Carrier,
    old: Annotated[str, typer.Option("--old", help="The guarantee number replaced.")],
    amount: Amount,
    kind: Type = Kind.GODSLOYVE,
    number: Number = None,
    valid_from: From = None,
    other: Annotated[
        str | None, typer.Option("--other-guarantor", help="The old guarantee is this guarantor's (orgnr).")
    ] = None,
    via: VIA = False,
) -> None:
    """erstattEgenGaranti (or erstattAnnenGaranti with --other-guarantor): a new guarantee covering every licence."""
    form: dict[str, Any] = {"garantinummer": _number(carrier, number), "garantiType": kind.value, "belop": amount}
    if valid_from:
        form["gyldigFraDato"] = str(_date(valid_from, "--from"))
    if other:
        body = {"orgnummer": other, "gammelGarantinummer": old, **form}
        _file(
            {"transportorOrgnummer": carrier, "soknadtype": "erstattAnnenGaranti", "erstattAndreGarantister": body}, via
        )
        return
    _file(
        {
            "transportorOrgnummer": carrier,
            "soknadtype": "erstattEgenGaranti",
            "erstattGaranti": {"gammelGarantinummer": old, **form},
        },
        via,
    )


@app.command()
def terminate(
    carrier: Carrier,
    number: Annotated[str, typer.Argument(help="Your guarantee number.")],
    by: Annotated[By, typer.Option(help="Who ends it: the guarantor (2 months' notice) or the carrier (at once).")] = (
        By.GARANTIST
    ),
    on: Annotated[str | None, typer.Option("--on", help="Termination date (default: the earliest allowed).")] = None,
    via: VIA = False,
) -> None:
    """endreGaranti (termination): SVV sends the carrier a notice of revocation."""
    form: dict[str, Any] = {
        "garantinummer": number,
        "justerOppsigelseCheck": True,
        "oppsigelseaarsak": "AVSLUTTET_AV_GARANTIST" if by is By.GARANTIST else "AVSLUTTET_AV_TRANSPORTOR",
    }
    if on:
        form["oppsigelsedato"] = str(_date(on, "--on"))
    _file({"transportorOrgnummer": carrier, "soknadtype": "endreGaranti", "endreGaranti": form}, via)


@app.command("list")
def list_guarantees(
    carrier: Annotated[str | None, typer.Option(help="Only this carrier's.")] = None,
) -> None:
    """Your guarantees in the løyveregister: number, carrier, type, sum, status, valid from/to."""
    from rich.console import Console
    from rich.table import Table

    from opendsop.standard.services.transport_guarantee import Garanti

    async def job(session: Session) -> list[Garanti]:
        async with session.loyveregister() as register:
            return await register.guarantees(carrier)

    found = run(job)
    table = Table(title=f"Guarantees by {settings().name or settings().org}")
    for column in ("Number", "Carrier", "Type", "NOK", "Status", "From", "To"):
        table.add_column(column, overflow="fold")
    for g in found:
        table.add_row(
            g.garantiNummer,
            g.transportorOrgnummer,
            g.garantiType.value,
            f"{g.garantiBelop:,.0f}".replace(",", " "),
            g.status.value,
            str(g.gyldigFra),
            str(g.gyldigTil or ""),
        )
    Console().print(table)


@app.command()
def cases() -> None:
    """Your cases at Statens vegvesen, oldest first: saksnummer, received, type, carrier, status and answer."""
    from rich.console import Console
    from rich.table import Table

    from opendsop.contracts.registers.loyve import Sak

    async def job(session: Session) -> list[Sak]:
        async with session.loyveregister() as register:
            return await register.cases()

    table = Table(title="Cases at Statens vegvesen")
    for column in ("Saksnummer", "Received", "Type", "Carrier", "Status", "Answer"):
        table.add_column(column, overflow="fold")
    for sak in run(job):
        table.add_row(
            sak.saksnummer,
            sak.mottatt.isoformat(timespec="seconds"),
            sak.soknad.soknadtype.value,
            sak.soknad.transportorOrgnummer,
            sak.svar.status.value,
            sak.svar.melding,
        )
    Console().print(table)


@app.command()
def show(carrier: Carrier) -> None:
    """The carrier as SVV shows it to you: licences per type, your guarantees, other guarantors'."""
    from opendsop.contracts.registers.loyve import GarantiInformasjon

    async def job(session: Session) -> GarantiInformasjon | None:
        async with session.loyveregister() as register:
            return await register.carrier(carrier)

    found = run(job)
    if found is None:
        raise BackofficeError(f"no carrier {carrier} in the løyveregister — check the organisasjonsnummer")
    typer.echo(msgspec.json.format(msgspec.json.encode(found)).decode())


__all__ = ["app", "local_settings", "settings"]
