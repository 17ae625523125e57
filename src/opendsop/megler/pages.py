# SPDX-License-Identifier: Apache-2.0
"""The estate agent's pages: its sales, each sale's DSVE messages so far, and a form to start one.

For the agent's staff (the shared web layer's staff login, role ``megler``).  Each sale (``Oppdrag``)
shows the steps of a home sale in order — intention, purchase contract, mortgage deed, e-tinglysing,
priority, payoff balance, deletion — with the status the last message of that step carried, read from
the sale's own history (``Oppdrag.events``).  Starting a sale is offered only when the app is given a
``start`` (the ecosystem's home-sale story over real HTTP); these pages never build messages themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, get, post

from opendsop.clock import Clock, utc_now
from opendsop.megler.agent import Oppdrag
from opendsop.serving import observe
from opendsop.web import PageError, StaffDirectory, StaffUser, WebKit

ROLE_MEGLER = "megler"
TEMPLATES = Path(__file__).parent / "templates"
PREFIX = "/megler"  # the root is the shared party page (version, /health, /metrics)

# (text key, the history lines of the step start with one of these)
STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("step_intention", ("IntensjonFraBank",)),
    ("step_contract", ("KjoepekontraktforespoerselFraBank", "KjoepekontraktsvarFraMegler")),
    ("step_deed", ("SignedMortgageDeed",)),
    ("step_tinglysing", ("skjøte", "pantedokument", "GjennomfoertEtinglysing")),
    ("step_priority", ("OppnaaddPrioritetOk",)),
    ("step_payoff", ("Innfrielsessaldo",)),
    ("step_deletion", ("sletting",)),
)

TEXTS: Mapping[str, Mapping[str, str]] = {
    "nb": {
        "sales": "Oppdrag", "sale": "Oppdrag", "unit": "Enhet", "price": "Kjøpesum", "sellers": "Selgere",
        "buyers": "Kjøpere", "step": "Melding", "msg_status": "Status", "waiting": "venter",
        "step_intention": "Intensjon", "step_contract": "Kjøpekontrakt", "step_deed": "Pantedokument",
        "step_tinglysing": "E-tinglysing", "step_priority": "Prioritet", "step_payoff": "Innfrielsessaldo",
        "step_deletion": "Sletting", "start_sale": "Start et salg", "start": "Start salget",
        "no_sales": "Ingen oppdrag ennå.", "no_units": "Ingen ledige eiendommer i den syntetiske verden.",
        "history": "Historikk", "agent": "Eiendomsmegler", "started": "Salget er gjennomført.",
    },
    "en": {
        "sales": "Sales", "sale": "Sale", "unit": "Unit", "price": "Price", "sellers": "Sellers",
        "buyers": "Buyers", "step": "Message", "msg_status": "Status", "waiting": "waiting",
        "step_intention": "Intention", "step_contract": "Purchase contract", "step_deed": "Mortgage deed",
        "step_tinglysing": "E-tinglysing", "step_priority": "Priority", "step_payoff": "Payoff balance",
        "step_deletion": "Deletion", "start_sale": "Start a sale", "start": "Start the sale",
        "no_sales": "No sales yet.", "no_units": "No unit left for sale in the synthetic world.",
        "history": "History", "agent": "Estate agent", "started": "The sale is done.",
    },
}  # fmt: skip


@dataclass(frozen=True)
class Step:
    key: str
    status: str | None  # None: no message of this step yet


def steps(sale: Oppdrag) -> list[Step]:
    """The sale's steps in order, each with the status of its latest history line (``…: status``)."""
    found: list[Step] = []
    for key, prefixes in STEPS:
        lines = [e for e in sale.events if e.startswith(prefixes)]
        if not lines:
            found.append(Step(key, None))
            continue
        _, sep, status = lines[-1].partition(": ")
        found.append(Step(key, status.strip() if sep else "sendt"))
    return found


def default_staff(orgno: str) -> StaffDirectory:
    """The test environment's synthetic staff: ``megler`` (the agent's role) and ``uten.tilgang`` (none)."""
    return StaffDirectory([
        StaffUser("megler", "Eiendomsmegler (test)", orgno, (ROLE_MEGLER,)),
        StaffUser("uten.tilgang", "Uten tilgang (test)", orgno, ()),
    ])  # fmt: skip


def create_app(
    *,
    name: str,
    orgno: str,
    sales: Callable[[], Iterable[Oppdrag]],
    units: Callable[[], Awaitable[Sequence[tuple[str, str]]]] | None = None,
    start: Callable[[str], Awaitable[None]] | None = None,
    staff: StaffDirectory | None = None,
    clock: Clock = utc_now,
    secure: bool = False,
) -> Litestar:
    """The agent's pages: ``sales()`` its sales now; ``units()`` (key, label) of the units it may sell and
    ``start(key)`` selling one (both from the ecosystem; without them no form is shown)."""
    kit = WebKit(
        title={"nb": f"{name} — eiendomsmegler", "en": f"{name} — estate agent"}, templates=TEMPLATES,
        texts=TEXTS, prefix=PREFIX, staff=staff or default_staff(orgno), clock=clock, secure=secure,
        client_id=f"megler-{orgno}", nav=[("/", "sales", "staff")],
    )  # fmt: skip

    @get("/")
    async def home(request: Request[Any, Any, Any]) -> Response[str]:
        session = kit.require(request, kind="staff", role=ROLE_MEGLER)
        listed = [(sale, steps(sale)) for sale in sales()]
        offered = list(await units()) if units is not None and start is not None else []
        return kit.render(request, "megler_sales.html", session=session, sales=listed, units=offered,
                          can_start=start is not None)  # fmt: skip

    @post("/sales", status_code=303)
    async def start_sale(request: Request[Any, Any, Any]) -> Response[str]:
        kit.require(request, kind="staff", role=ROLE_MEGLER)
        session, data = await kit.form(request)
        if start is None or units is None:
            raise PageError(404, "not_found")
        key = str(data.get("enhet", ""))
        if key not in {k for k, _ in await units()}:
            raise PageError(400, "bad_request", key or "—")
        await start(key)
        return kit.redirect(PREFIX + "/", session=session)

    app = Litestar(
        [kit.router([home, start_sale])],
        exception_handlers=kit.exception_handlers(),
        openapi_config=None,
        logging_config=None,  # Litestar's default would replace the project's JSON logging
    )
    return observe(app, "megler-ui", title="Eiendomsmegler / estate agent")  # /health, /metrics like every party


__all__ = ["PREFIX", "ROLE_MEGLER", "STEPS", "TEXTS", "Step", "create_app", "default_staff", "steps"]
