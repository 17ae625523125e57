# SPDX-License-Identifier: Apache-2.0
"""The bank's side of DSVE and of company founding: one desk playing buyer's bank, seller's bank and confirmer.

As buyer's bank it sends the intention (``IntensjonFraBank``), asks for the purchase contract
(``KjoepekontraktforespoerselFraBank``), promises a loan from the contract's price, and sends the signed
mortgage deed (``SignedMortgageDeed``) as its own orgnr, with a document reference unique across banks
(``[case]-[document]-[bank register number]``); it follows the megler's answers until the deed is
registered and its priority reached, then closes the case.  As seller's bank it answers remaining-debt
and payoff requests from its own loan accounts (``Ledger``: the provider store's ``loanAccount`` rows),
naming only borrowers who are title holders in the sale, and after the payoff deletes its mortgage
through e-tinglysing.  As confirmer it keeps the founder's blocked share-capital account, signs the
confirmation aksjeloven § 2-18 asks for and releases the account once the company is registered.

Signatures come from a ``Signer`` (the bank's own certificate, and the customers' BankID signatures,
which the bank collects): the desk never holds a private key it does not need.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Protocol

from opendsop.contracts.dsve.transport import Outbox, Received, Transport, receive
from opendsop.contracts.registers.kartverket import Forsendelse, GrunnbokClient, Stiftelse
from opendsop.standard.dsve import messages as m
from opendsop.standard.dsve import rules, selskap
from opendsop.standard.dsve import tinglysing as tl
from opendsop.standard.dsve.catalogue import reply_status_for_rejection
from opendsop.standard.dsve.shipment import to_bytes
from opendsop.standard.dsve.values import (
    Laan,
    Org,
    Pantedokumentreferanse,
    Party,
    Person,
    Registerenhet,
    child,
    optional_text,
    read_enhet,
    read_party,
    text,
)

Signer = Callable[[bytes, Sequence[str]], Awaitable[bytes]]  # (document, signer ids) → SDO
LOAN_TO_VALUE = Decimal("0.85")  # the desk's loan promise: 85 % of the price (Utlånsforskriften § 4)
INTEREST = Decimal("0.05")  # nominal rate for the payoff balance per day (a stand-in figure)


@dataclass(frozen=True)
class LoanAccount:
    kontonummer: str
    saldo: Decimal  # what is owed (positive)
    borrowers: tuple[str, ...]


class Ledger(Protocol):
    async def loans_of(self, party_id: str) -> list[LoanAccount]: ...


@dataclass
class MemoryLedger:
    loans: dict[str, list[LoanAccount]] = field(default_factory=dict)

    async def loans_of(self, party_id: str) -> list[LoanAccount]:
        return list(self.loans.get(party_id, []))


class StoreLedger:
    """The bank's loan accounts in its provider store: ``loanAccount`` rows where the party is an owner."""

    def __init__(self, store: object) -> None:
        self._store = store

    async def loans_of(self, party_id: str) -> list[LoanAccount]:
        from opendsop.provider.store.base import RowStore
        from opendsop.standard.control.v2.values import AccountType

        store = self._store
        assert isinstance(store, RowStore)
        relations = [r for r in await store._relations_of_party(party_id) if str(r.role) != "disponent"]  # noqa: SLF001
        accounts = await store._accounts([r.account_id for r in relations])  # noqa: SLF001
        found = []
        for account in accounts.values():
            if account.type is not AccountType.LOAN_ACCOUNT or account.available_amount is None:
                continue
            owners = await store._relations_of_accounts([account.account_id])  # noqa: SLF001
            borrowers = tuple(sorted({r.party_id for r in owners if str(r.role) != "disponent"}))
            found.append(LoanAccount(account.account_number, -account.available_amount, borrowers))
        return sorted(found, key=lambda loan: loan.kontonummer)


@dataclass
class BankCase:
    referanse: str
    buyer: Person
    megler: Org
    enhet: Registerenhet
    kontrakt: m.Kontrakt | None = None
    loan: Decimal | None = None
    price: Decimal | None = None
    settlement_account: str | None = None  # the megler's klientkonto, from the purchase contract
    oppdragsnummer: str | None = None
    dokumentreferanse: str | None = None
    deed_transfer: str | None = None
    events: list[str] = field(default_factory=list)
    closed: bool = False


@dataclass
class CapitalAccount:
    kontonummer: str
    foretaksnavn: str
    beloep: Decimal
    founders: tuple[str, ...]
    meldingsreferanse: str
    blocked: bool = True
    organisasjonsnummer: str | None = None
    confirmed: bool = False  # the bank has signed the confirmation of the paid-in capital


class BankDesk:
    def __init__(
        self,
        bank: Org,
        register_number: str,
        *,
        outbox: Outbox,
        transport: Transport,
        grunnbok: GrunnbokClient,
        ledger: Ledger,
        signer: Signer,
        clock: Callable[[], datetime],
    ) -> None:
        self.bank = bank
        self.register_number = register_number  # the bank's 4-digit bankregisternummer (first digits of its accounts)
        self.outbox, self.transport, self.grunnbok, self.ledger = outbox, transport, grunnbok, ledger
        self.signer, self.clock = signer, clock
        self.cases: dict[str, BankCase] = {}
        self.capital: dict[str, CapitalAccount] = {}
        self.paid_off: dict[str, Decimal] = {}  # loan account → amount received at payoff
        self.log: list[str] = []

    # -- buyer's bank ---------------------------------------------------------------------------------

    async def intention(self, referanse: str, buyer: Person, megler: Org, enhet: Registerenhet) -> str:
        case = self.cases.setdefault(referanse, BankCase(referanse, buyer, megler, enhet))
        message = m.intensjon_fra_bank(
            self.bank, referanse, megler, [buyer], [enhet], metode="Elektronisk tinglysing", at=self.clock()
        )
        case.events.append("IntensjonFraBank sent")
        return await self.outbox.send(megler.id, message, reference=f"{referanse}-intensjon")

    async def request_contract(self, referanse: str) -> str:
        case = self.cases[referanse]
        message = m.kjoepekontrakt_forespoersel(self.bank, referanse, case.megler, [case.buyer])
        case.events.append("KjoepekontraktforespoerselFraBank sent")
        return await self.outbox.send(case.megler.id, message, reference=f"{referanse}-kontrakt")

    async def send_deed(self, referanse: str) -> str:
        """The signed mortgage deed for the promised loan, one deed per shipment."""
        case = self.cases[referanse]
        if case.loan is None:
            raise ValueError(f"case {referanse} has no loan promise yet (no purchase contract)")
        case.dokumentreferanse = rules.new_dokumentreferanse(referanse, "PD1", self.register_number)
        deed = tl.Pantedokument(case.dokumentreferanse, case.enhet, self.bank, (case.buyer,), int(case.loan))
        sdo = await self.signer(to_bytes(tl.dokument_xml(deed)), [case.buyer.id])
        letter = None
        if case.settlement_account:  # the conditions travel with the deed (forutsetningsbrev)
            letter = m.forutsetningsbrev(
                self.bank, [case.buyer], case.enhet, beloep=int(case.loan),
                overfoeres=self.clock().date() + timedelta(days=7), total=case.price or case.loan,
                til_kontonummer=case.settlement_account, megler=case.megler,
                saksbehandler=f"Kredittavdelingen, {self.bank.navn}", kreditor_saksnummer=referanse,
                megler_saksnummer=case.oppdragsnummer, at=self.clock(),
            )  # fmt: skip
        message = m.signed_mortgage_deed(
            sdo, reference=case.dokumentreferanse, cover_letter=letter, sender_name=self.bank.navn
        )
        case.deed_transfer = case.dokumentreferanse  # the Altinn sendersreference of the shipment
        case.events.append(f"SignedMortgageDeed sent ({case.dokumentreferanse})")
        return await self.outbox.send(case.megler.id, message, reference=case.dokumentreferanse)

    # -- the inbox ------------------------------------------------------------------------------------

    async def process_inbox(self) -> list[Received]:
        received = await receive(self.transport, self.bank.id)
        for item in received:
            await self._handle(item)
        return received

    async def _handle(self, item: Received) -> None:
        shipment, sender = item.shipment, item.delivery.sender
        if shipment is None:
            assert item.error is not None
            self.log.append(f"refused {item.delivery.properties.get('messageType', '?')}: {item.error}")
            reply = reply_status_for_rejection(item.delivery.properties.get("messageType", ""))
            if reply is not None and reply[0] in ("Restgjeldssvar", "Innfrielsessaldosvar"):
                nack = m.restgjeldssvar if reply[0] == "Restgjeldssvar" else m.innfrielsessaldosvar
                answer = nack(
                    self.bank,
                    "-",
                    Org(sender, sender),
                    "-",
                    [],
                    [],
                    at=self.clock(),
                    status=reply[1],
                    description=str(item.error),
                )
                await self.outbox.send(sender, answer, reference=f"nack-{item.delivery.transfer_id}")
            return
        kind = shipment.message_type
        if kind in ("Restgjeldsforespoersel", "Innfrielsessaldoforespoersel"):
            await self._answer_debt(shipment.document(kind.lower()), sender, kind)
            return
        status = shipment.properties.get("status")
        if kind == "SignedMortgageDeedProcessed":
            root = shipment.document("SignedMortgageDeedProcessedMessage")
            self._note_all(f"{kind}: {text(root, 'Status')} — {text(root, 'StatusDescription')}")
            return
        if not shipment.documents:  # a NACK's dummy ZIP: the status says it all
            self._note_all(f"{kind}: {status} — {shipment.properties.get('statusDescription', '')}")
            return
        root = next(iter(shipment.documents.values()))
        case = self._case_of(root)
        if case is None:
            self.log.append(f"{kind}: no case with that reference")
            return
        if kind == "KjoepekontraktsvarFraMegler":
            contract = child(root, "kjoepekontrakter/kjoepekontrakt")
            price = Decimal(text(contract, "oppgjoersinformasjon/kjoepesum"))
            case.loan = (price * LOAN_TO_VALUE).quantize(Decimal(1), rounding=ROUND_DOWN)
            case.price, case.oppdragsnummer = price, text(contract, "megler/referanse")
            case.settlement_account = optional_text(contract, "oppgjoersinformasjon/kontonummer")
            case.events.append(f"{kind}: {status}, kjøpesum {price:.0f} → lånetilsagn {case.loan:.0f}")
        elif kind == "KjoepekontraktFraMegler":  # a pushed change: the loan promise follows the new price
            price = Decimal(text(root, "kjoepekontrakt/oppgjoersinformasjon/kjoepesum"))
            case.loan = (price * LOAN_TO_VALUE).quantize(Decimal(1), rounding=ROUND_DOWN)
            case.events.append(f"{kind}: endret, kjøpesum {price:.0f} → lånetilsagn {case.loan:.0f}")
        elif kind == "AvbruttSamhandling":
            case.events.append(f"{kind}: {text(root, 'begrunnelse')}")
            case.closed = True
        elif kind == "Intensjonsendring":
            case.events.append(f"{kind}: {text(root, 'intensjonsdetaljer/metode')}")
        elif kind == "IntensjonssvarFraMegler":
            case.events.append(f"{kind}: {status} ({text(root, 'intensjonsdetaljer/metode')})")
        elif kind == "GjennomfoertEtinglysing":
            case.events.append(f"{kind}: {text(root, 'gjennomfoertetinglysingdetaljer/dokumentreferanse')} tinglyst")
        elif kind == "OppnaaddPrioritetOk":
            ok = "GjennomfoertEtinglysing" in " ".join(case.events)
            case.events.append(f"{kind}: prioritet oppnådd" + ("" if ok else " (before GjennomfoertEtinglysing!)"))
            case.closed = ok  # every document of the case confirmed
        else:
            case.events.append(kind)

    def _note_all(self, line: str) -> None:
        for case in self.cases.values():
            if not case.closed:
                case.events.append(line)

    def _case_of(self, root: object) -> BankCase | None:
        from xml.etree.ElementTree import Element

        assert isinstance(root, Element)
        paths = (
            "mottaker/referanse",
            "bank/referanse",
            "kjoepekontrakt/bank/referanse",
            "kjoepekontrakter/kjoepekontrakt/bank/referanse",
        )
        for path in paths:
            reference = optional_text(root, path)
            if reference and reference in self.cases:
                return self.cases[reference]
        return None

    # -- seller's bank --------------------------------------------------------------------------------

    async def _answer_debt(self, root: object, requester: str, kind: str) -> None:
        from xml.etree.ElementTree import Element

        assert isinstance(root, Element)
        their_ref = text(root, "avsender/referanse")
        requester_org = Org(requester, text(root, "avsender/foretaksnavn"))
        units: list[tuple[Registerenhet, list[Party]]] = []
        for item in root.findall("registerenheterMedHjemmelshavere/registerenhetMedHjemmelshavere"):
            holders = [read_party(h) for h in item.findall("hjemmelshavere/hjemmelshaver")]
            units.append((read_enhet(item), holders))
        dates = [date.fromisoformat(d.text or "") for d in root.findall("innfrielsesdatoer/innfrielsesdato")]
        refs: list[tuple[Registerenhet, list[Pantedokumentreferanse]]] = []
        loans: list[Laan] = []
        for enhet, holders in units:
            unit = await self.grunnbok.unit(enhet)
            mine = [h for h in (unit.heftelser if unit else ()) if h.panthaver.id == self.bank.id]
            refs.append(
                (
                    enhet,
                    [
                        Pantedokumentreferanse(
                            h.dokumentnummer,
                            h.dokumentaar,
                            h.embetenummer,
                            h.rettsstiftelsesnummer,
                            h.registreringstidspunkt,
                            h.beloep,
                        )
                        for h in mine
                    ],
                )
            )
            pledgers = {p for h in mine for p in h.pantsettere}
            for holder in holders:
                if holder.id not in pledgers:
                    continue  # only loans tied to the sold unit
                for loan in await self.ledger.loans_of(holder.id):
                    if loan.kontonummer in {x.kontonummer for x in loans} or loan.saldo <= 0:
                        continue
                    names, others = rules.borrower_names(
                        [p for p in holders if p.id in loan.borrowers]
                        + [Org(b, "") for b in loan.borrowers if b not in {h.id for h in holders}],
                        [h.id for h in holders],
                    )
                    per_date = tuple((d, self._payoff(loan.saldo, d)) for d in dates)
                    loans.append(Laan(loan.kontonummer, loan.kontonummer, loan.saldo, names, others, None, per_date))
        at, reference = self.clock(), f"{self.bank.id}-{their_ref}"
        if not loans:
            status, description = "LaanNedbetalt", "Banken har ingen lån med pant i registerenheten"
        else:
            status, description = (
                "RutetSuksessfullt",
                ("Restgjeld oppgitt" if kind.startswith("Rest") else "Innfrielsessaldo oppgitt"),
            )
        builder = m.restgjeldssvar if kind == "Restgjeldsforespoersel" else m.innfrielsessaldosvar
        answer = builder(
            self.bank, reference, requester_org, their_ref, loans, refs, at=at, status=status, description=description
        )
        self.log.append(f"{kind} from {requester}: {status}, {len(loans)} lån")
        await self.outbox.send(requester, answer, reference=f"svar-{kind}-{their_ref}")

    def _payoff(self, saldo: Decimal, day: date) -> Decimal:
        today = self.clock().date()
        days = max((day - today).days, 0)
        return (saldo * (1 + INTEREST * days / 365)).quantize(Decimal("0.01"))

    def receive_payoff(self, kontonummer: str, amount: Decimal) -> None:
        """The settlement's payment to the loan account (booked by the core system; recorded here)."""
        self.paid_off[kontonummer] = self.paid_off.get(kontonummer, Decimal(0)) + amount

    async def delete_mortgages(self, enhet: Registerenhet, pledgers: Sequence[str]) -> list[Forsendelse]:
        """After the payoff: delete this bank's mortgages on ``enhet`` pledged by ``pledgers`` (signed by the bank)."""
        unit = await self.grunnbok.unit(enhet)
        answers = []
        for heftelse in unit.heftelser if unit else ():
            if heftelse.panthaver.id != self.bank.id or not set(heftelse.pantsettere) <= set(pledgers):
                continue
            reference = rules.new_dokumentreferanse(
                f"SL{heftelse.dokumentaar}{heftelse.dokumentnummer}", "SLETT", self.register_number
            )
            target = Pantedokumentreferanse(
                heftelse.dokumentnummer, heftelse.dokumentaar, heftelse.embetenummer, heftelse.rettsstiftelsesnummer
            )
            document = tl.dokument_xml(tl.Sletting(reference, enhet, self.bank, target))
            answers.append(await self.grunnbok.submit(await self.signer(to_bytes(document), [self.bank.id])))
        return answers

    # -- company founding -----------------------------------------------------------------------------

    def open_capital_account(
        self, kontonummer: str, foretaksnavn: str, founders: Sequence[str], referanse: str
    ) -> CapitalAccount:
        account = CapitalAccount(kontonummer, foretaksnavn, Decimal(0), tuple(founders), referanse)
        self.capital[referanse] = account
        return account

    def deposit(self, referanse: str, amount: Decimal) -> None:
        self.capital[referanse].beloep += amount

    async def confirm_capital(self, referanse: str, *, confirmer: str, on: date) -> bytes:
        """The signed confirmation of the paid-in share capital (aksjeloven § 2-18 (2))."""
        account = self.capital[referanse]
        account.confirmed = True
        confirmation = selskap.Kapitalbekreftelse(
            referanse, account.foretaksnavn, account.beloep, on, self.bank.id, self.bank.navn, confirmer
        )
        return await self.signer(to_bytes(selskap.bekreftelse_xml(confirmation)), [self.bank.id])

    def registered(self, state: Stiftelse) -> CapitalAccount | None:
        """Foretaksregisteret's answer: a registered company gets its account released."""
        account = self.capital.get(state.referanse)
        if account is None or state.status != "registrert":
            return account
        account.blocked = False
        account.organisasjonsnummer = state.organisasjonsnummer
        return account


def payoff_dates(today: date, count: int = 2) -> list[date]:
    """Settlement dates to ask for: the next ``count`` weekdays from a week ahead (at most four)."""
    days: list[date] = []
    day = today + timedelta(days=7)
    while len(days) < min(count, rules.MAX_PAYOFF_DATES):
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


__all__ = [
    "BankCase",
    "BankDesk",
    "CapitalAccount",
    "Ledger",
    "LoanAccount",
    "MemoryLedger",
    "Signer",
    "StoreLedger",
    "payoff_dates",
]
