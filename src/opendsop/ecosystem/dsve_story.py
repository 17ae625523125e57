# SPDX-License-Identifier: Apache-2.0
"""The two DSVE stories, told by their actors over whatever transport and registers they are given.

``home_sale``: a buyer's bank, the seller's bank and an estate agent sell one house — intention →
purchase contract → signed mortgage deed → e-tinglysing (skjøte + deed) → priority reached → the seller's
bank's payoff balance → payoff → the old mortgage deleted — ending with the grunnbok's view of the unit.
``company_founding``: a founder's share-capital account, the bank's signed confirmation through the
platform, Foretaksregisteret's check and registration, the account released — ending with
Enhetsregisteret's entry.  The tour (dsve_tour.py) runs them over HTTP and the broker; the tests on
the in-memory transport and the registers app in-process.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import msgspec

from opendsop.contracts.dsve import signing
from opendsop.contracts.dsve.transport import Transport
from opendsop.contracts.dsve.zipfiles import pack, unzip
from opendsop.contracts.registers.kartverket import GrunnbokClient, Grunnbokenhet, Stiftelse, Stiftelsesmelding
from opendsop.megler.agent import EstateAgent, Oppdrag
from opendsop.provider.dsve import BankDesk, payoff_dates
from opendsop.standard.dsve import messages as m
from opendsop.standard.dsve.values import Org, Person, Registerenhet
from opendsop.trust.keys import generate_ec_key
from opendsop.trust.pki import CertificateAuthority, Credential

Say = Callable[[str], None]
FOUNDING_RESOURCE = "brg_aksjeinnskudd"  # our broker resource for share-capital confirmations (docs/decisions.md)
FOUNDING_MESSAGE = "Aksjeinnskuddsbekreftelse"
FOUNDING_ANSWER = "Registreringsmelding"


def _kr(amount: Decimal) -> str:
    return f"{amount:,.0f} kr".replace(",", " ")


class Signers:
    """Who signs what in a story: BankID stand-in certificates for persons, enterprise certificates for
    organisations, issued on first use by ``issuing`` (the ecosystem's enterprise CA)."""

    def __init__(self, issuing: CertificateAuthority, names: dict[str, str], *, now: datetime) -> None:
        self._issuing, self._names, self._now = issuing, names, now
        self._credentials: dict[str, Credential] = {}

    def credential(self, who: str) -> Credential:
        if who not in self._credentials:
            name, start = self._names.get(who, who), self._now - timedelta(days=1)
            self._credentials[who] = (
                self._issuing.issue_person(who, name=name, now=start)
                if len(who) == 11
                else self._issuing.issue_enterprise(who, organisation_name=name, now=start, key=generate_ec_key())
            )
        return self._credentials[who]

    async def sign(self, document: bytes, who: Sequence[str]) -> bytes:
        return signing.sign(document, [self.credential(w) for w in who], at=self._now)


@dataclass
class SaleReport:
    transfers: list[str] = field(default_factory=list)  # message types in the order they travelled
    before: Grunnbokenhet | None = None
    after: Grunnbokenhet | None = None
    forsendelser: list[str] = field(default_factory=list)
    buyer_case: list[str] = field(default_factory=list)
    closed: bool = False  # the buyer's bank closed its case (every deed registered with its priority)
    sale: list[str] = field(default_factory=list)


async def _round(say: Say, report: SaleReport, *actors: BankDesk | EstateAgent) -> None:
    """Every actor looks in its inbox once (the broker holds what is not yet fetched)."""
    for actor in actors:
        for item in await actor.process_inbox():
            kind = item.delivery.properties.get("messageType", "?")
            status = item.delivery.properties.get("status")
            who = actor.bank.navn if isinstance(actor, BankDesk) else actor.megler.navn
            report.transfers.append(kind)
            say(
                f"  {item.delivery.sender} → {who}: {kind}"
                + (f" ({status})" if status else "")
                + ("" if item.error is None else f" refused: {item.error}")
            )


async def home_sale(
    *,
    buyer_bank: BankDesk,
    seller_bank: BankDesk,
    agent: EstateAgent,
    grunnbok: GrunnbokClient,
    enhet: Registerenhet,
    sellers: tuple[Person, ...],
    buyer: Person,
    price: Decimal,
    today: date,
    say: Say,
) -> SaleReport:
    report = SaleReport(before=await grunnbok.unit(enhet))
    digits = "".join(c for c in enhet.key if c.isalnum())
    loan, oppdrag = f"L{digits}", f"O{digits}"  # case numbers: one sale per unit
    sale = agent.open_sale(
        Oppdrag(
            oppdrag,
            enhet,
            sellers,
            (buyer,),
            price,
            today - timedelta(days=3),
            "97100000017",
            today - timedelta(days=30),
        )
    )
    names = ", ".join(p.navn for p in sellers)
    say(f"{agent.megler.navn} sells {enhet.key} for {_kr(price)}: sellers {names}, buyer {buyer.navn}")
    say("1. Intention: the buyer's bank will register its deed electronically")
    await buyer_bank.intention(loan, buyer, agent.megler, enhet)
    await _round(say, report, agent, buyer_bank)
    say("2. Purchase contract: the bank asks, the megler answers; the bank promises the loan")
    await buyer_bank.request_contract(loan)
    await _round(say, report, agent, buyer_bank)
    say("3. The signed mortgage deed (one deed per shipment, sent as the bank's own orgnr)")
    await buyer_bank.send_deed(loan)
    await _round(say, report, agent, buyer_bank)
    say("4. e-tinglysing: the sellers' skjøte and the buyer's deed")
    for answer in await agent.register(sale.oppdragsnummer):
        line = f"{answer.dokumenttype}: {answer.status}"
        if answer.dokumentnummer:
            line += (
                f" dokumentnummer {answer.dokumentnummer}/{answer.dokumentaar} embete {answer.embetenummer}"
                f" rettsstiftelse {answer.rettsstiftelsesnummer}"
            )
        report.forsendelser.append(line)
        say("  " + line)
    await _round(say, report, buyer_bank)
    say("5. Priority: only the sellers' mortgages (paid off from the settlement) rank ahead")
    await agent.check_priority(sale.oppdragsnummer)
    await _round(say, report, buyer_bank)
    say("6. The seller's bank's payoff balance (at most four dates)")
    await agent.request_payoff(sale.oppdragsnummer, seller_bank.bank, payoff_dates(today))
    await _round(say, report, seller_bank, agent)
    say("7. Payoff from the settlement account, and the seller's bank deletes its mortgage")
    for bank, kontonummer, amount in sale.payoff:
        if bank == seller_bank.bank.id:
            seller_bank.receive_payoff(kontonummer, amount)
            say(f"  {sale.oppgjoerskonto} → {kontonummer}: {amount:,.2f} kr".replace(",", " "))
    for answer in await seller_bank.delete_mortgages(enhet, [p.id for p in sellers]):
        report.forsendelser.append(f"{answer.dokumenttype}: {answer.status}")
        say(f"  sletting: {answer.status} {answer.beskrivelse}")
        sale.events.append(f"sletting ({seller_bank.bank.id}): {answer.status}")  # the agent's record of the sale
    report.after = await grunnbok.unit(enhet)
    report.buyer_case = buyer_bank.cases[loan].events
    report.closed = buyer_bank.cases[loan].closed
    report.sale = sale.events
    return report


@dataclass
class FoundingReport:
    state: Stiftelse | None = None
    refused: Stiftelse | None = None
    account_released: bool = False
    kontonummer: str = ""


async def company_founding(
    *,
    bank: BankDesk,
    register: GrunnbokClient,
    register_org: Org,
    transport: Transport,
    founder: Person,
    board: tuple[Person, ...],
    name: str,
    capital: Decimal,
    today: date,
    say: Say,
    deliver: Callable[[], Awaitable[object]],
    reference: str = "SRM-1",
) -> FoundingReport:
    """``deliver``: what brings the confirmation to the register and its answer back (the register's own
    intake polling the platform, or ``register_intake`` below)."""
    report = FoundingReport()
    say(f"1. {founder.navn} founds {name} with {capital:,.0f} kr share capital at {bank.bank.navn}".replace(",", " "))
    notice = Stiftelsesmelding(
        referanse=reference,
        foretaksnavn=name,
        aksjekapital=capital,
        stiftelsesdato=today,
        stiftere=(founder.id,),
        styre=tuple(p.id for p in board),
        bankOrganisasjonsnummer=bank.bank.id,
    )
    state = await register.notify_founding(notice)
    say(f"  samordnet registermelding {reference}: {state.status}")
    number = f"{bank.register_number}{sum(map(ord, reference)) % 10_000_000:07d}"
    account = bank.open_capital_account(number, name, [founder.id], reference)
    bank.deposit(reference, capital)
    report.kontonummer = account.kontonummer
    say(f"2. Blocked share-capital account {account.kontonummer}: {account.beloep:,.0f} kr paid in".replace(",", " "))
    say("3. A confirmation with the wrong amount is refused, then the right one is sent through the platform")
    wrong = bank.capital[reference]
    wrong.beloep -= Decimal(1)
    report.refused = await register.confirm_capital(
        reference, await bank.confirm_capital(reference, confirmer="Kari Kontroll", on=today)
    )
    say(f"  {report.refused.kode}: {report.refused.begrunnelse}")
    wrong.beloep += Decimal(1)
    sdo = await bank.confirm_capital(reference, confirmer="Kari Kontroll", on=today)
    shipment = m.Outgoing(
        "Aksjeinnskuddsbekreftelse",
        {"messageType": "Aksjeinnskuddsbekreftelse", "meldingsreferanse": reference},
        {f"bekreftelse_{reference}.sdo": sdo},
    )
    await transport.send(
        bank.bank.id, register_org.id, shipment.properties, pack(shipment.files), reference=f"kapital-{reference}"
    )
    say(f"  {bank.bank.id} → {register_org.navn}: Aksjeinnskuddsbekreftelse (signed by the bank)")
    say("4. Foretaksregisteret checks it against the notice, registers the company and answers the bank")
    await deliver()
    for transfer_id in await transport.available(bank.bank.id):
        delivery = await transport.fetch(transfer_id, bank.bank.id)
        if delivery.properties.get("messageType") == FOUNDING_ANSWER:
            report.state = msgspec.json.decode(delivery.payload, type=Stiftelse)
        await transport.confirm(transfer_id, bank.bank.id)
    assert report.state is not None
    say(f"  {report.state.status}: organisasjonsnummer {report.state.organisasjonsnummer}")
    released = bank.registered(report.state)
    report.account_released = released is not None and not released.blocked
    say(f"5. {bank.bank.navn} releases the account: " + ("free to use" if report.account_released else "still blocked"))
    return report


async def register_intake(transport: Transport, register: GrunnbokClient, register_org: Org) -> None:
    """Foretaksregisteret's intake played over HTTP (as ``registers.foretak_post`` does on the platform): each
    confirmation to the register is checked by it and its state sent back to the bank."""
    for transfer_id in await transport.available(register_org.id):
        delivery = await transport.fetch(transfer_id, register_org.id)
        files = unzip(delivery.payload)
        state = await register.confirm_capital(
            delivery.properties.get("meldingsreferanse", ""), next(iter(files.values()))
        )
        answer = {"messageType": FOUNDING_ANSWER, "meldingsreferanse": state.referanse, "status": state.status}
        body = msgspec.json.encode(state)
        await transport.send(register_org.id, delivery.sender, answer, body, reference=f"svar-{transfer_id}")
        await transport.confirm(transfer_id, register_org.id)


__all__ = ["register_intake", "FoundingReport", "SaleReport", "Signers", "company_founding", "home_sale"]
