# SPDX-License-Identifier: Apache-2.0
"""The bank's DSVE desk in the operations console (``/ops/dsve``): shipments and share-capital accounts.

Read-only, for staff with the ``operations`` role (the console's own login):

* **shipments** per case of the desk (:class:`~opendsop.provider.dsve.BankDesk`): each message type the
  bank sent (``… sent``) or received, with the status the message carried — in the order they travelled;
* **share-capital accounts** for company founding (aksjeloven § 2-18 (2)): *blocked* while the money is
  paid in, *confirmed* once the bank has signed the confirmation, *released* when Foretaksregisteret has
  registered the company (``BankDesk.registered``).

The desks are whatever ``desks()`` gives at the time of the request (the ecosystem's running actors);
the desk keeps its cases in memory, so the page shows what this process has seen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, get

from opendsop.provider.dsve import BankDesk, CapitalAccount
from opendsop.provider.ops import OpsConsole
from opendsop.web import ROLE_OPERATIONS

TEXTS: Mapping[str, Mapping[str, str]] = {
    "nb": {
        "dsve": "Eiendomshandel og stiftelse", "shipments": "Forsendelser (DSVE)", "case": "Sak",
        "direction": "Retning", "message_type": "Meldingstype", "msg_status": "Status", "out": "ut",
        "in": "inn", "capital": "Aksjekapitalkontoer", "company": "Foretak", "amount": "Beløp",
        "state": "Tilstand", "blocked_state": "sperret", "confirmed": "bekreftet", "released": "frigitt",
        "orgnr": "Organisasjonsnummer", "refused": "Avviste forsendelser", "unit": "Enhet",
    },
    "en": {
        "dsve": "Property sales and founding", "shipments": "Shipments (DSVE)", "case": "Case",
        "direction": "Direction", "message_type": "Message type", "msg_status": "Status", "out": "out",
        "in": "in", "capital": "Share-capital accounts", "company": "Company", "amount": "Amount",
        "state": "State", "blocked_state": "blocked", "confirmed": "confirmed", "released": "released",
        "orgnr": "Organisation number", "refused": "Refused shipments", "unit": "Unit",
    },
}  # fmt: skip


@dataclass(frozen=True)
class Shipment:
    case: str
    direction: str  # "out" | "in"
    message_type: str
    status: str


def shipment_of(case: str, event: str) -> Shipment:
    """One line of a case's history as a shipment: ``X sent (…)`` went out, ``X: status`` came in."""
    head, sep, rest = event.partition(":")
    if not sep and " sent" in head:
        kind, _, detail = head.partition(" sent")
        return Shipment(case, "out", kind.strip(), detail.strip(" ()"))
    return Shipment(case, "in", head.strip(), rest.strip())


def capital_state(account: CapitalAccount) -> str:
    """The text key of the account's state: blocked, confirmed by the bank, released after registration."""
    if not account.blocked:
        return "released"
    return "confirmed" if account.confirmed else "blocked_state"


def shipments(desk: BankDesk) -> list[Shipment]:
    return [shipment_of(ref, event) for ref, case in desk.cases.items() for event in case.events]


def add_dsve_section(console: OpsConsole, desks: Callable[[], Iterable[BankDesk]]) -> None:
    """``/ops/dsve`` on the console of ``console.bank_orgno``, over the desks of that bank."""
    kit = console.kit

    @get("/dsve")
    async def dsve(request: Request[Any, Any, Any]) -> Response[str]:
        session = kit.require(request, kind="staff", role=ROLE_OPERATIONS)
        mine = [desk for desk in desks() if desk.bank.id == console.bank_orgno]
        rows = [row for desk in mine for row in shipments(desk)]
        accounts = [(account, capital_state(account)) for desk in mine for account in desk.capital.values()]
        refused = [line for desk in mine for line in desk.log if line.startswith("refused")]
        return kit.render(request, "ops_dsve.html", session=session, rows=rows, accounts=accounts, refused=refused)

    console.add_section("/dsve", TEXTS, "dsve", [dsve])


__all__ = ["TEXTS", "Shipment", "add_dsve_section", "capital_state", "shipment_of", "shipments"]
