# SPDX-License-Identifier: Apache-2.0
"""A small estate-agent system: its sales and what it does with each DSVE message.

A sale (``Oppdrag``) has a unit, sellers, buyers, a price and the settlement account.  The agent:

* routes an intention or a deed to its sale (``rules.route``: the addressed megler, the unit, a buyer
  among the debtors; the first error stops) and answers at once (``IntensjonssvarFraMegler``,
  ``SignedMortgageDeedProcessed`` with ``RoutedSuccessfully``/``UnknownCadastre``/``DebitorMismatch``/``Rejected``);
* answers a contract request with every active sale of the buyer (``KjoepekontraktsvarFraMegler``);
* registers the skjøtepakke at e-tinglysing (the seller's skjøte, then each deed), and for each deed
  sends ``GjennomfoertEtinglysing`` with Kartverket's status — only if the bank's AKELDO mottaksliste has it;
* checks the grunnbok and sends ``OppnaaddPrioritetOk`` once only the sellers' mortgages (paid off from the
  settlement) rank ahead of the deed;
* asks the seller's bank for the payoff balance (1–4 dates) and pays it from the settlement account;
* looks for contract changes no less often than the rules ask (``rules.next_poll``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from xml.etree.ElementTree import Element

from opendsop.contracts.dsve import signing
from opendsop.contracts.dsve.transport import Outbox, Received, Transport, receive
from opendsop.contracts.registers.kartverket import Forsendelse, GrunnbokClient
from opendsop.standard.dsve import messages as m
from opendsop.standard.dsve import rules
from opendsop.standard.dsve import tinglysing as tl
from opendsop.standard.dsve.catalogue import reply_status_for_rejection
from opendsop.standard.dsve.errors import DsveError
from opendsop.standard.dsve.shipment import parse_xml, to_bytes
from opendsop.standard.dsve.values import (
    Org,
    Person,
    Registerenhet,
    child,
    read_enhet,
    read_org,
    read_party,
    text,
)

Signer = Callable[[bytes, Sequence[str]], Awaitable[bytes]]


@dataclass
class Oppdrag:
    oppdragsnummer: str
    enhet: Registerenhet
    selgere: tuple[Person, ...]
    kjoepere: tuple[Person, ...]
    kjoepesum: Decimal
    akseptdato: date
    oppgjoerskonto: str  # the settlement (klientkonto) account
    opened: date
    signed: bool = True
    banks: dict[str, str] = field(default_factory=dict)  # bank orgnr → the bank's case reference
    deeds: dict[str, tuple[bytes, str, str]] = field(
        default_factory=dict
    )  # dokumentreferanse → (SDO, bank, sendersref)
    registered: dict[str, Forsendelse] = field(default_factory=dict)
    payoff: list[tuple[str, str, Decimal]] = field(
        default_factory=list
    )  # (bank, kontonummer, amount on the first date)
    events: list[str] = field(default_factory=list)
    last_poll: datetime | None = None

    def case(self, megler: str) -> rules.Case:
        return rules.Case(
            self.oppdragsnummer, megler, None, self.enhet, self.selgere, self.kjoepere, self.opened, self.signed
        )


class EstateAgent:
    def __init__(
        self,
        megler: Org,
        *,
        outbox: Outbox,
        transport: Transport,
        grunnbok: GrunnbokClient,
        signer: Signer,
        clock: Callable[[], datetime],
    ) -> None:
        self.megler = megler
        self.outbox, self.transport, self.grunnbok, self.signer, self.clock = outbox, transport, grunnbok, signer, clock
        self.sales: dict[str, Oppdrag] = {}
        self.log: list[str] = []

    def open_sale(self, sale: Oppdrag) -> Oppdrag:
        self.sales[sale.oppdragsnummer] = sale
        return sale

    def _cases(self) -> list[rules.Case]:
        return [sale.case(self.megler.id) for sale in self.sales.values()]

    # -- polling --------------------------------------------------------------------------------------

    def poll_due(self, now: datetime) -> bool:
        """Whether any sale is due for a look at its contract (5 minutes after signing, daily before)."""
        return any(
            s.last_poll is None or now >= rules.next_poll(s.last_poll, signed=s.signed) for s in self.sales.values()
        )

    async def process_inbox(self) -> list[Received]:
        received = await receive(self.transport, self.megler.id)
        now = self.clock()
        for sale in self.sales.values():
            sale.last_poll = now
        for item in received:
            await self._handle(item)
        return received

    async def _handle(self, item: Received) -> None:
        sender, shipment = item.delivery.sender, item.shipment
        kind = item.delivery.properties.get("messageType", "")
        if shipment is None:
            assert item.error is not None
            reply = reply_status_for_rejection(kind)
            self.log.append(f"refused {kind or 'a shipment'} from {sender}: {item.error}")
            if reply is not None:
                await self._nack(sender, reply, f"Avvist: {item.error}", item.delivery.transfer_id)
            return
        if kind in ("SignedMortgageDeed", "SignedMortgageDeedPdf"):
            await self._deed(item)
        elif kind == "IntensjonFraBank":
            await self._intention(shipment.document("intensjonfrabank"), sender)
        elif kind == "KjoepekontraktforespoerselFraBank":
            await self._contract(shipment.document("kjoepekontraktforespoerselFraBank"), sender)
        elif kind in ("Innfrielsessaldosvar", "Restgjeldssvar"):
            self._payoff_answer(shipment.documents, sender, kind, shipment.properties)
        else:
            self.log.append(f"{kind} from {sender}")

    async def _nack(self, bank: str, reply: tuple[str, str], description: str, transfer: str) -> None:
        kind, status = reply
        at, org = self.clock(), Org(bank, bank)
        if kind == "SignedMortgageDeedProcessed":
            answer = m.deed_processed(status, description)
        elif kind == "IntensjonssvarFraMegler":
            answer = m.intensjonssvar(
                self.megler,
                "-",
                org,
                "-",
                [],
                [],
                [],
                metode="Papirtinglysing",
                at=at,
                status=status,
                description=description,
            )
        else:
            answer = m.kjoepekontraktsvar([], at=at, status=status, description=description)
        await self.outbox.send(bank, answer, reference=f"nack-{transfer}")

    # -- intention, contract, deed ---------------------------------------------------------------------

    async def _intention(self, root: Element, bank: str) -> None:
        units = [read_enhet(e) for e in root.findall("registerenheter/registerenhet")]
        buyers = [read_party(e).id for e in root.findall("kjoepere/rettssubjekt")]
        outcome, case = rules.route(self._cases(), child(root, "mottaker").get("id", ""), units, buyers)
        status = rules.INTENSJON_STATUS[outcome]
        bank_org, bank_ref = read_org(child(root, "avsender")), text(root, "avsender/referanse")
        at = self.clock()
        if case is None or outcome != "ok":
            answer = m.intensjonssvar(
                self.megler,
                "-",
                bank_org,
                bank_ref,
                [],
                [],
                [],
                metode="Papirtinglysing",
                at=at,
                status=status,
                description=rules.STATUS_TEXT[status],
            )
        else:
            sale = self.sales[case.oppdragsnummer]
            sale.banks[bank] = bank_ref
            answer = m.intensjonssvar(
                self.megler,
                sale.oppdragsnummer,
                bank_org,
                bank_ref,
                sale.selgere,
                sale.kjoepere,
                [sale.enhet],
                metode=text(root, "intensjonsdetaljer/metode"),
                at=at,
            )
            sale.events.append(f"IntensjonFraBank from {bank}: {status}")
        await self.outbox.send(bank, answer, reference=f"intensjonssvar-{bank}-{bank_ref}")

    async def _contract(self, root: Element, bank: str) -> None:
        buyers = [read_party(e).id for e in root.findall("kjoepere/kjoeper")]
        bank_org, bank_ref = read_org(child(root, "bank")), text(root, "bank/referanse")
        found = rules.contract_cases(self._cases(), child(root, "megler").get("id", ""), buyers, self.clock().date())
        contracts = []
        for case in found:
            sale = self.sales[case.oppdragsnummer]
            sale.banks[bank] = bank_ref
            contracts.append(
                m.Kontrakt(
                    bank_org,
                    bank_ref,
                    self.megler,
                    sale.oppdragsnummer,
                    sale.kjoepesum,
                    sale.akseptdato,
                    sale.enhet,
                    sale.selgere,
                    sale.kjoepere,
                    kontonummer=sale.oppgjoerskonto,
                )
            )
            sale.events.append(f"KjoepekontraktforespoerselFraBank from {bank}: RutetSuksessfullt")
        status = "RutetSuksessfullt" if contracts else "UgyldigKjøper"
        answer = m.kjoepekontraktsvar(contracts, at=self.clock(), status=status, description=rules.STATUS_TEXT[status])
        await self.outbox.send(bank, answer, reference=f"kontraktsvar-{bank}-{bank_ref}")

    async def _deed(self, item: Received) -> None:
        assert item.shipment is not None
        bank, name_and_sdo = item.delivery.sender, item.shipment.file(0)
        sdo = name_and_sdo[1]
        try:
            deed = tl.read_dokument(parse_xml(signing.document_of(sdo), "the deed"))
            if not isinstance(deed, tl.Pantedokument):
                raise DsveError("TL-006", "the shipment holds no pantedokument")
            rules.check_sender_is_lender(bank, deed.panthaver.id)
            outcome, case = rules.route(
                self._cases(), item.delivery.recipient, [deed.enhet], [p.id for p in deed.pantsettere]
            )
            status = rules.DEED_STATUS[outcome]
            description = rules.STATUS_TEXT[status]
        except DsveError as error:
            case, status, description = None, "Rejected", f"Avvist: {error.message}"
        if case is not None and status == "RoutedSuccessfully":
            sale = self.sales[case.oppdragsnummer]
            if deed.dokumentreferanse in {r for s in self.sales.values() for r in s.deeds if s is not sale}:
                status, description = "Rejected", "Avvist: dokumentreferansen er brukt i et annet oppdrag"
            else:
                sale.deeds[deed.dokumentreferanse] = (sdo, bank, item.delivery.senders_reference)
                sale.events.append(f"SignedMortgageDeed {deed.dokumentreferanse} from {bank}: {status}")
        answer = m.deed_processed(status, description, external_id=case.oppdragsnummer if case else None)
        await self.outbox.send(bank, answer, reference=f"processed-{item.delivery.transfer_id}")

    # -- e-tinglysing and priority --------------------------------------------------------------------

    async def register(self, oppdragsnummer: str) -> list[Forsendelse]:
        """Submit the skjøtepakke: the sellers' skjøte, then each deed; report each registered deed to its bank."""
        sale = self.sales[oppdragsnummer]
        answers: list[Forsendelse] = []
        skjoete = tl.Skjoete(
            rules.new_dokumentreferanse(sale.oppdragsnummer, "SKJ1", "0000"),
            sale.enhet,
            sale.selgere,
            sale.kjoepere,
            sale.kjoepesum,
        )
        sdo = await self.signer(to_bytes(tl.dokument_xml(skjoete)), [p.id for p in sale.selgere])
        answer = await self.grunnbok.submit(sdo)
        answers.append(answer)
        sale.events.append(f"skjøte: {answer.status} {answer.beskrivelse}")
        if answer.status != "OK":
            return answers
        for reference, (deed, bank, senders_reference) in sale.deeds.items():
            answer = await self.grunnbok.submit(deed)
            answers.append(answer)
            sale.events.append(f"pantedokument {reference}: {answer.status} {answer.beskrivelse}")
            if answer.status != "OK":
                continue
            sale.registered[reference] = answer
            receiver = await self.outbox.akeldo(bank)
            if receiver is None or "GjennomfoertEtinglysing" not in receiver.mottaksliste:
                sale.events.append(f"{bank} does not receive GjennomfoertEtinglysing (AKELDO): not sent")
                continue
            message = m.gjennomfoert_etinglysing(
                self.megler,
                sale.oppdragsnummer,
                Org(bank, receiver.navn),
                sale.banks.get(bank, ""),
                dokumentreferanse=reference,
                altinn_sendersreference=senders_reference,
                forsendelsesstatus=answer.forsendelsesstatus.encode("utf-8"),
                at=self.clock(),
            )
            await self.outbox.send(bank, message, reference=f"gjennomfoert-{reference}")
        return answers

    async def check_priority(self, oppdragsnummer: str) -> list[str]:
        """Send ``OppnaaddPrioritetOk`` for every registered deed whose agreed priority holds; returns those."""
        sale = self.sales[oppdragsnummer]
        unit = await self.grunnbok.unit(sale.enhet)
        reached = []
        for reference in sale.registered:
            heftelser = (
                [] if unit is None else [(h.panthaver.id, h.pantsettere, h.dokumentreferanse) for h in unit.heftelser]
            )
            position = next((i for i, h in enumerate(heftelser) if h[2] == reference), None)
            if position is None:
                continue
            ahead = [(h[0], h[1]) for h in heftelser[:position]]
            if not rules.priority_reached(ahead, [p.id for p in sale.selgere]):
                continue
            _, bank, senders_reference = sale.deeds[reference]
            receiver = await self.outbox.akeldo(bank)
            if receiver is None or "OppnaaddPrioritetOk" not in receiver.mottaksliste:
                continue
            message = m.oppnaadd_prioritet_ok(
                self.megler,
                sale.oppdragsnummer,
                Org(bank, receiver.navn),
                sale.banks.get(bank, ""),
                dokumentreferanse=reference,
                altinn_sendersreference=senders_reference,
                at=self.clock(),
            )
            await self.outbox.send(bank, message, reference=f"prioritet-{reference}")
            sale.events.append(
                f"OppnaaddPrioritetOk {reference}: prioritet {position + 1} (ahead: the sellers' mortgages only)"
            )
            reached.append(reference)
        return reached

    # -- pushes to the banks that asked -------------------------------------------------------------------

    async def _to_banks(self, sale: Oppdrag, tag: str, build: Callable[[Org, str], m.Outgoing]) -> list[str]:
        """One message to every bank of the sale (``build(bank, the bank's case reference)``)."""
        sent = []
        for bank, reference in sale.banks.items():
            receiver = await self.outbox.akeldo(bank)
            message = build(Org(bank, receiver.navn if receiver else bank), reference)
            key = f"{tag}-{sale.oppdragsnummer}-{bank}-{self.clock():%Y%m%d%H%M%S%f}"
            sent.append(await self.outbox.send(bank, message, reference=key))
            sale.events.append(f"{message.message_type} to {bank}")
        return sent

    async def contract_changed(self, oppdragsnummer: str, **changes: object) -> list[str]:
        """A tracked field changed (price, takeover, buyers…): push the contract to every bank that asked."""
        sale = self.sales[oppdragsnummer]
        for name, value in changes.items():
            setattr(sale, name, value)

        def build(bank: Org, reference: str) -> m.Outgoing:
            kontrakt = m.Kontrakt(
                bank, reference, self.megler, sale.oppdragsnummer, sale.kjoepesum, sale.akseptdato, sale.enhet,
                sale.selgere, sale.kjoepere, kontonummer=sale.oppgjoerskonto,
            )  # fmt: skip
            return m.kjoepekontrakt_push(kontrakt, at=self.clock())

        return await self._to_banks(sale, "endring", build)

    async def change_intention(self, oppdragsnummer: str, metode: str) -> list[str]:
        """A changed registration method, broadcast to every bank that got an IntensjonssvarFraMegler."""
        sale = self.sales[oppdragsnummer]

        def build(bank: Org, reference: str) -> m.Outgoing:
            return m.intensjonsendring(
                self.megler, sale.oppdragsnummer, bank, reference, sale.selgere, sale.kjoepere, [sale.enhet],
                metode=metode, at=self.clock(), megler=(self.megler, sale.oppdragsnummer),
            )  # fmt: skip

        return await self._to_banks(sale, "intensjonsendring", build)

    async def abort(self, oppdragsnummer: str, begrunnelse: str) -> list[str]:
        """The collaboration ends (e.g. the buyer withdrew): ``AvbruttSamhandling`` to every bank of the sale."""
        sale = self.sales[oppdragsnummer]
        sale.signed = False

        def build(bank: Org, reference: str) -> m.Outgoing:
            return m.avbrutt_samhandling(self.megler, sale.oppdragsnummer, bank, reference, begrunnelse)

        return await self._to_banks(sale, "avbrutt", build)

    async def request_remaining_debt(self, oppdragsnummer: str, bank: Org, *, prisantydning: int | None = None) -> str:
        sale = self.sales[oppdragsnummer]
        message = m.restgjeldsforespoersel(
            self.megler,
            sale.oppdragsnummer,
            bank,
            [(sale.enhet, list(sale.selgere))],
            at=self.clock(),
            prisantydning=prisantydning,
        )
        return await self.outbox.send(bank.id, message, reference=f"restgjeld-{sale.oppdragsnummer}-{bank.id}")

    # -- payoff --------------------------------------------------------------------------------------

    async def request_payoff(self, oppdragsnummer: str, bank: Org, dates: Sequence[date]) -> str:
        sale = self.sales[oppdragsnummer]
        rules.check_payoff_dates(dates)
        message = m.innfrielsessaldoforespoersel(
            self.megler, sale.oppdragsnummer, bank, [(sale.enhet, list(sale.selgere))], dates, at=self.clock()
        )
        sale.events.append(f"Innfrielsessaldoforespoersel to {bank.id} for {', '.join(d.isoformat() for d in dates)}")
        return await self.outbox.send(bank.id, message, reference=f"innfrielse-{sale.oppdragsnummer}-{bank.id}")

    def _payoff_answer(self, documents: object, bank: str, kind: str, properties: object) -> None:
        assert isinstance(documents, dict) and isinstance(properties, dict)
        root = next(iter(documents.values()), None)
        status = properties.get("status")
        if root is None:
            self.log.append(f"{kind} from {bank}: {status} {properties.get('statusDescription', '')}")
            return
        reference = text(root, "mottaker/referanse")
        sale = self.sales.get(reference)
        if sale is None:
            return
        for loan in root.findall("laanliste/laan"):
            first = loan.find("saldoerPerDato/saldoPerDato/beloep")
            amount = Decimal((first.text if first is not None else None) or text(loan, "saldo"))
            sale.payoff.append((bank, text(loan, "kontonummer"), amount))
            names = [n.text or "" for n in loan.findall("laantakereHjemmelshaver/navn")]
            sale.events.append(
                f"{kind} from {bank}: lån {text(loan, 'kontonummer')} {amount:.2f} kr (låntakere: {', '.join(names)})"
            )


__all__ = ["EstateAgent", "Oppdrag", "Signer"]
