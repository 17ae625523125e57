"""ISO 20022 ``camt.053`` account statements (BankToCustomerStatement, versions 001.02 and 001.08)
as the bank store's booked balances and transactions.

Decides how a statement becomes Control API data (Bank_v2.yaml ``Transaction``, ``Balance``):

* The document is read as a stream of SAX events from ``defusedxml`` (no DTDs, no entities, no
  network), and each ``Ntry`` is turned into a transaction and dropped as soon as it ends, so a
  statement of any size needs the memory of one entry.  Every element remembers its line, which
  is how a bad entry is named.
* The account is ``Stmt/Acct/Id`` (``IBAN`` — a Norwegian IBAN's last 11 digits are the account
  number — or ``Othr/Id``); when ``Acct/Svcr/FinInstnId/Othr/Id`` names an organisation number, it
  must be the importing bank's ("a file of another bank").
* ``Bal`` of type ``CLBD`` (closing booked) or ``PRCD`` (previous closing) gives the booked balance
  at the end of its date (``OPBD``, opening booked, at the end of the day before).
* ``Ntry``: ``Amt``/``@Ccy``, ``CdtDbtInd`` (CRDT → credit, DBIT → debit), ``RvslInd``, ``Sts``
  (BOOK → booked, PDNG → pending, INFO → info; 001.08 nests it in ``Cd``), ``BookgDt``/``ValDt``
  (a date is taken as 00:00 Oslo time), ``BkTxCd/Domn`` codes mapped to the contract's
  domain/family/sub-family names (an ISO code without a name there, and a proprietary code, goes to
  ``freeText``), ``AddtlNtryInf`` and ``RmtInf/Ustrd`` to ``additionalInfo``; from the first
  ``TxDtls``: the references, the counterparty (the creditor of a debit, the debtor of a credit;
  001.08 nests the party in ``Pty``) with its account, identifier and postal address, the currency
  exchange, the card (``Card/PlainCardData/PAN``) and the structured creditor reference.
* ``transactionIdentifier`` is the entry's ``AcctSvcrRef``, else ``NtryRef``, else the
  transaction's ``AcctSvcrRef``, else a digest of the entry's content: the same statement imported
  again names the same transactions, so a re-import changes nothing.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET  # noqa: S405  (elements are built by us; parsing is defusedxml's)
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final
from xml.sax import SAXException
from xml.sax.expatreader import ExpatLocator
from xml.sax.handler import ContentHandler, feature_namespaces

from defusedxml import DefusedXmlException
from defusedxml.sax import make_parser

from opendsop.clock import OSLO
from opendsop.provider.imports.camt_codes import DOMAINS, FAMILIES, SUB_FAMILIES
from opendsop.standard.control.v2 import (
    AddressType,
    BankTransactionCode,
    CounterParty,
    CounterPartyType,
    CreditOrDebit,
    CurrencyExchange,
    Identifier,
    IdentifierType,
    PaymentCard,
    PostalAddress,
    Transaction,
    TransactionReference,
    TransactionReferenceType,
    TransactionStatus,
)

NAMESPACES: Final = {
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02": "camt.053.001.02",
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08": "camt.053.001.08",
}
FIX_SCHEMA: Final = "export the statement as ISO 20022 camt.053.001.02 or camt.053.001.08 (BankToCustomerStatement)"
_LINE: Final = "{opendsop}line"

_STATUS: Final = {"BOOK": TransactionStatus.BOOKED, "PDNG": TransactionStatus.PENDING, "INFO": TransactionStatus.INFO}
_REFERENCES: Final = (
    ("MsgId", TransactionReferenceType.MESSAGE_IDENTIFICATION),
    ("AcctSvcrRef", TransactionReferenceType.ACCOUNT_SERVICER_REFERENCE),
    ("PmtInfId", TransactionReferenceType.PAYMENT_INFORMATION_IDENTIFICATION),
    ("InstrId", TransactionReferenceType.INSTRUCTION_IDENTIFICATION),
    ("EndToEndId", TransactionReferenceType.END_TO_END_IDENTIFICATION),
    ("MndtId", TransactionReferenceType.MANDATE_IDENTIFICATION),
    ("ChqNb", TransactionReferenceType.CHEQUE_NUMBER),
)
_BOOKED_BALANCES: Final = {"CLBD": 0, "PRCD": 0, "OPBD": -1}  # type → days to add to the balance's date


class StatementError(ValueError):
    """A statement that cannot be read at all (``line`` 0: the whole file)."""

    def __init__(self, message: str, line: int = 0, fix: str = FIX_SCHEMA) -> None:
        super().__init__(message)
        self.line, self.fix = line, fix


@dataclass(frozen=True, slots=True)
class StatementAccount:
    """``Stmt/Acct``: the account number and, when the statement names it, the servicer's org no."""

    line: int
    number: str
    currency: str | None
    servicer_orgno: str | None


@dataclass(frozen=True, slots=True)
class Item:
    """One thing read from a statement: an account (a statement begins), a booked balance (day,
    signed amount) or a transaction; ``error`` with the line when the entry is unusable."""

    line: int
    account: StatementAccount | None = None
    balance: tuple[date, Decimal] | None = None
    transaction: Transaction | None = None
    error: str | None = None


def line_of(element: ET.Element) -> int:
    return int(element.get(_LINE, "0"))


def _text(element: ET.Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path)
    if found is None or found.text is None:
        return None
    value = found.text.strip()
    return value or None


def _amount(element: ET.Element, path: str) -> tuple[Decimal, str | None] | None:
    found = element.find(path)
    if found is None or not (found.text or "").strip():
        return None
    try:
        value = Decimal(found.text.strip())  # type: ignore[union-attr]
    except InvalidOperation:
        raise ValueError(f"{path} {found.text!r} is not a decimal amount") from None
    if value < 0 or not value.is_finite():
        raise ValueError(f"{path} {found.text!r} must be a positive amount (the sign is CdtDbtInd)")
    return value, found.get("Ccy")


def _when(element: ET.Element, path: str) -> datetime | None:
    found = element.find(path)
    if found is None:
        return None
    moment = _text(found, "DtTm")
    if moment is not None:
        parsed = datetime.fromisoformat(moment)
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=OSLO)
    day = _text(found, "Dt")
    return datetime.combine(date.fromisoformat(day), time(), OSLO) if day is not None else None


def _party(related: ET.Element | None, role: str) -> ET.Element | None:
    """``RltdPties/<role>``: the party itself (001.02) or its ``Pty`` (001.08)."""
    if related is None:
        return None
    found = related.find(role)
    if found is None:
        return None
    nested = found.find("Pty")
    return nested if nested is not None else found


def _account_id(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    iban = _text(element, "Id/IBAN")
    if iban is not None:
        return iban[4:] if iban.upper().startswith("NO") else iban
    return _text(element, "Id/Othr/Id")


def _postal(party: ET.Element) -> PostalAddress | None:
    found = party.find("PstlAdr")
    if found is None:
        return None
    lines = tuple(line.text.strip()[:70] for line in found.findall("AdrLine") if line.text and line.text.strip())
    kind = _text(found, "AdrTp") or _text(found, "AdrTp/Cd")
    return PostalAddress(
        type={
            "HOME": AddressType.RESIDENTIAL,
            "BIZZ": AddressType.BUSINESS,
            "MLTO": AddressType.MAIL_TO,
            "DLVY": AddressType.DELIVERY_TO,
        }.get(kind or ""),
        street_name=_text(found, "StrtNm"),
        building_number=_text(found, "BldgNb"),
        post_code=_text(found, "PstCd"),
        town_name=(_text(found, "TwnNm") or "")[:35] or None,
        country=_text(found, "Ctry"),
        address_lines=lines or None,
    )


def _identifier(party: ET.Element) -> Identifier | None:
    organisation = _text(party, "Id/OrgId/Othr/Id")
    if organisation is not None:
        return Identifier(
            value=organisation,
            type=IdentifierType.COUNTRY_IDENTIFICATION_CODE,
            country_of_residence=_text(party, "CtryOfRes"),
        )
    person = _text(party, "Id/PrvtId/Othr/Id")
    if person is not None:
        return Identifier(
            value=person, type=IdentifierType.NATIONAL_IDENTITY_NUMBER, country_of_residence=_text(party, "CtryOfRes")
        )
    return None


def _counter_parties(details: ET.Element | None, credit: bool) -> tuple[CounterParty, ...] | None:
    related = details.find("RltdPties") if details is not None else None
    if related is None:
        return None
    roles = (
        (("Dbtr", "DbtrAcct", CounterPartyType.DEBTOR), ("UltmtDbtr", None, CounterPartyType.ULTIMATE_DEBTOR))
        if credit
        else (("Cdtr", "CdtrAcct", CounterPartyType.CREDITOR), ("UltmtCdtr", None, CounterPartyType.ULTIMATE_CREDITOR))
    )
    out = []
    for role, account_path, kind in roles:
        party = _party(related, role)
        account = _account_id(related.find(account_path)) if account_path else None
        if party is None and account is None:
            continue
        out.append(
            CounterParty(
                account_identifier=account,
                type=kind,
                name=(_text(party, "Nm") or "")[:140] or None if party is not None else None,
                identifier=_identifier(party) if party is not None else None,
                postal_address=_postal(party) if party is not None else None,
            )
        )
    return tuple(out) or None


def _code(entry: ET.Element) -> BankTransactionCode | None:
    domain, family, sub_family = (
        _text(entry, "BkTxCd/Domn/Cd"),
        _text(entry, "BkTxCd/Domn/Fmly/Cd"),
        _text(entry, "BkTxCd/Domn/Fmly/SubFmlyCd"),
    )
    proprietary = _text(entry, "BkTxCd/Prtry/Cd")
    if not (domain or family or sub_family or proprietary):
        return None
    mapped = (DOMAINS.get(domain or ""), FAMILIES.get(family or ""), SUB_FAMILIES.get(sub_family or ""))
    unmapped = (
        "/".join(code for code in (domain, family, sub_family) if code)
        if any(code and name is None for code, name in zip((domain, family, sub_family), mapped, strict=True))
        else None
    )
    free = "; ".join(part for part in (proprietary, unmapped) if part) or None
    return BankTransactionCode(
        domain=mapped[0], family=mapped[1], sub_family=mapped[2], free_text=free[:500] if free else None
    )


def _exchange(details: ET.Element | None) -> CurrencyExchange | None:
    if details is None:
        return None
    for path in ("AmtDtls/TxAmt/CcyXchg", "AmtDtls/InstdAmt/CcyXchg", "AmtDtls/CntrValAmt/CcyXchg"):
        found = details.find(path)
        if found is not None:
            rate = _text(found, "XchgRate")
            original = _amount(details, "AmtDtls/InstdAmt/Amt")
            return CurrencyExchange(
                original_amount=original[0] if original else None,
                source_currency=_text(found, "SrcCcy"),
                target_currency=_text(found, "TrgtCcy"),
                unit_currency=_text(found, "UnitCcy"),
                exchange_rate=Decimal(rate) if rate else None,
            )
    return None


def _card(details: ET.Element | None) -> PaymentCard | None:
    number = _text(details, "CardTx/Card/PlainCardData/PAN")
    if number is None:
        number = _text(details, "CardTx/Card/MskdPAN")
    return PaymentCard(card_identifier=number) if number is not None else None


def _digest(entry: ET.Element, account: str) -> str:
    def canonical(element: ET.Element) -> str:
        inner = "".join(canonical(child) for child in element)
        return f"<{element.tag}>{(element.text or '').strip()}{inner}</{element.tag}>"

    return "camt-" + hashlib.sha256(f"{account}|{canonical(entry)}".encode()).hexdigest()[:40]


def transaction(entry: ET.Element, account: str) -> Transaction:
    """The ``Transaction`` of one ``Ntry`` (raises ``ValueError`` naming what is missing or wrong)."""
    amount = _amount(entry, "Amt")
    if amount is None:
        raise ValueError("Ntry has no Amt")
    indicator = _text(entry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise ValueError(f"Ntry CdtDbtInd must be CRDT or DBIT, got {indicator!r}")
    status_code = _text(entry, "Sts/Cd") or _text(entry, "Sts")
    status = _STATUS.get(status_code or "")
    if status is None:
        raise ValueError(f"Ntry Sts must be BOOK, PDNG or INFO, got {status_code!r}")
    booked = _when(entry, "BookgDt")
    if booked is None:
        raise ValueError("Ntry has no BookgDt (a booked entry needs its booking date)")
    details = entry.find("NtryDtls/TxDtls")
    credit = indicator == "CRDT"
    refs = tuple(
        TransactionReference(value=value, type=kind)
        for path, kind in _REFERENCES
        if (value := _text(details, f"Refs/{path}")) is not None
    )
    creditor_reference = _text(details, "RmtInf/Strd/CdtrRefInf/Ref")
    if creditor_reference is not None:
        refs += (TransactionReference(value=creditor_reference, type=TransactionReferenceType.REMITTANCE_REFERENCE),)
    info = " ".join(
        part
        for part in (_text(entry, "AddtlNtryInf"), _text(details, "RmtInf/Ustrd"), _text(details, "AddtlTxInf"))
        if part
    )
    identifier = (
        _text(entry, "AcctSvcrRef")
        or _text(entry, "NtryRef")
        or _text(details, "Refs/AcctSvcrRef")
        or _digest(entry, account)
    )
    reversal = _text(entry, "RvslInd")
    return Transaction(
        transaction_identifier=identifier[:64],
        references=refs or None,
        credit_debit_indicator=CreditOrDebit.CREDIT if credit else CreditOrDebit.DEBIT,
        reversal_indicator=reversal.lower() == "true" if reversal else None,
        status=status,
        transaction_code=_code(entry),
        booking_date=booked,
        value_date=_when(entry, "ValDt"),
        counter_parties=_counter_parties(details, credit),
        additional_info=info[:500] or None,
        currency_exchange=_exchange(details),
        payment_card=_card(details),
        amount=amount[0],
        currency=amount[1],
    )


def _balance(element: ET.Element) -> tuple[date, Decimal] | None:
    kind = _text(element, "Tp/CdOrPrtry/Cd")
    if kind not in _BOOKED_BALANCES:
        return None
    amount = _amount(element, "Amt")
    when = _when(element, "Dt")
    if amount is None or when is None:
        raise ValueError(f"Bal {kind} needs Amt and Dt")
    signed = amount[0] if _text(element, "CdtDbtInd") != "DBIT" else -amount[0]
    return when.astimezone(OSLO).date() + timedelta(days=_BOOKED_BALANCES[kind]), signed


class _Builder(ContentHandler):
    """SAX events → small element trees under ``Stmt``, each handed over as it ends."""

    def __init__(self, emit: Callable[[tuple[str, ...], ET.Element], None]) -> None:
        super().__init__()
        self.emit = emit
        self.stack: list[ET.Element] = []
        self.version: str | None = None
        self.locator: Any = None

    def setDocumentLocator(self, locator: Any) -> None:  # noqa: N802  (SAX API)
        self.locator = locator

    def startElementNS(self, name: tuple[str | None, str], qname: str | None, attrs: Any) -> None:  # noqa: N802
        uri, local = name
        line = self.locator.getLineNumber() if self.locator is not None else 0
        if not self.stack:
            if local != "Document" or uri not in NAMESPACES:
                found = f"{{{uri}}}{local}" if uri else local
                raise StatementError(f"is not a camt.053.001.02 or camt.053.001.08 statement (root {found})", line)
            self.version = NAMESPACES[uri]
        element = ET.Element(local, {key[1]: value for key, value in attrs.items()})
        element.set(_LINE, str(line))
        if self.stack:
            self.stack[-1].append(element)
        self.stack.append(element)

    def characters(self, content: str) -> None:
        if self.stack:
            top = self.stack[-1]
            top.text = (top.text or "") + content

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:  # noqa: N802
        element = self.stack.pop()
        path = tuple(item.tag for item in self.stack)
        if len(path) >= 3 and path[-1] == "Stmt":
            self.emit(path, element)
            if element.tag in ("Ntry", "Bal"):
                self.stack[-1].remove(element)  # keep one entry in memory, not the statement


def read(path: Path, *, progress: Callable[[int], None] | None = None) -> Iterator[Item]:
    """The accounts, booked balances and transactions of a statement file, in document order.

    Raises :class:`StatementError` for a file that is not a camt.053 001.02/001.08 document or is
    not well-formed XML (naming the line); a bad entry is an ``Item`` with ``error``.
    """
    pending: list[Item] = []
    current: list[StatementAccount | None] = [None]

    def emit(parents: tuple[str, ...], element: ET.Element) -> None:
        line = line_of(element)
        if element.tag == "Acct":
            number = _account_id(element)
            if number is None:
                pending.append(Item(line, error="Stmt/Acct has no Id/IBAN or Id/Othr/Id"))
                return
            orgno = _text(element, "Svcr/FinInstnId/Othr/Id")
            account = StatementAccount(line, number, _text(element, "Ccy"), orgno)
            current[0] = account
            pending.append(Item(line, account=account))
        elif element.tag == "Bal":
            try:
                balance = _balance(element)
            except ValueError as error:
                pending.append(Item(line, error=str(error)))
                return
            if balance is not None:
                pending.append(Item(line, balance=balance))
        elif element.tag == "Ntry":
            owner = current[0]
            if owner is None:
                pending.append(Item(line, error="Ntry before its statement's Acct"))
                return
            try:
                pending.append(Item(line, transaction=transaction(element, owner.number)))
            except (ValueError, TypeError) as error:
                pending.append(Item(line, error=str(error)))

    builder = _Builder(emit)
    parser = make_parser()
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(builder)
    builder.locator = ExpatLocator(parser)  # feed() (unlike parse()) never hands the handler one
    advance = progress or (lambda _size: None)
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(64 * 1024):
                parser.feed(chunk)
                advance(len(chunk))
                yield from pending
                pending.clear()
            parser.close()
        except StatementError:
            raise
        except (SAXException, DefusedXmlException) as error:
            line = getattr(error, "getLineNumber", lambda: 0)()
            raise StatementError(f"is not well-formed XML ({error})", line or 0) from None
    if builder.version is None:
        raise StatementError("is empty")
    yield from pending


__all__ = ["NAMESPACES", "Item", "StatementAccount", "StatementError", "line_of", "read", "transaction"]
