"""The import bundle: one JSON Lines or CSV file per entity, read line by line (docs/import-bundle.md).

Decides the file format a bank hands ``dsop provider import``: the file's name says the entity
(``parties``, ``accounts``, ``roles``, ``cards``, ``balances``, ``transactions``, each ``.jsonl`` or
``.csv``), every line is one row whose field names are camelCase, and cards and transactions are
the Control API's own objects (Bank_v2.yaml ``PaymentCard``, ``Transaction``) plus the keys that place
them.  In CSV a field holding an object or an array (``postalAddress``, ``counterParties`` …) holds
it as JSON text, and an empty cell is an absent field.  Each line is decoded into a typed
:class:`msgspec.Struct` (unknown fields refused) and then checked by the store's own row checks, so
a line the store would refuse is named here, with its file and line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import msgspec

from opendsop.provider.store import loader
from opendsop.provider.store.records import (
    AccountRow,
    BookedBalanceRow,
    CardRow,
    Delivery,
    ElectronicAddressRow,
    PartyRow,
    RelationRole,
    RelationRow,
    TransactionRow,
)
from opendsop.standard.control.v1 import ElectronicAddress
from opendsop.standard.control.v2 import (
    AccountPermissionType,
    AccountStatus,
    AccountType,
    PaymentCard,
    PostalAddress,
    Transaction,
)

ENTITIES: Final = ("parties", "accounts", "roles", "balances", "cards", "transactions")
SUFFIXES: Final = (".jsonl", ".csv")
DOC: Final = "docs/import-bundle.md"


class _Line(msgspec.Struct, kw_only=True, frozen=True, rename="camel", forbid_unknown_fields=True):
    pass


class PartyLine(_Line, frozen=True):
    party_id: str
    name: str | None = None
    country: str | None = "NO"
    postal_address: PostalAddress | None = None
    electronic_addresses: tuple[ElectronicAddress, ...] = ()

    def row(self) -> PartyRow:
        return PartyRow(
            party_id=self.party_id,
            name=self.name,
            country=self.country,
            postal_address=self.postal_address,
            electronic_addresses=tuple(
                ElectronicAddressRow(type=item.type, value=item.value) for item in self.electronic_addresses
            ),
        )


class AccountLine(_Line, frozen=True):
    account_id: str
    account_number: str
    bank: str
    type: AccountType
    currency: str
    start_date: date
    status: AccountStatus = AccountStatus.ENABLED
    end_date: date | None = None
    name: str | None = None
    servicer_id: str | None = None
    servicer_name: str | None = None
    credit_line_amount: Decimal | None = None
    credit_line_currency: str | None = None
    credit_line_included: bool = False
    available_amount: Decimal | None = None
    available_registered: datetime | None = None
    history_from: date | None = None
    delivery: Delivery = Delivery.ONLINE

    def row(self) -> AccountRow:
        if self.available_registered is not None and self.available_registered.tzinfo is None:
            raise ValueError("availableRegistered needs a time zone (Z or +hh:mm)")
        fields = msgspec.structs.asdict(self)
        del fields["bank"]
        return AccountRow(**fields)


class RoleLine(_Line, frozen=True):
    account_id: str
    party_id: str
    role: RelationRole
    start_date: date
    end_date: date | None = None
    permission: AccountPermissionType | None = None

    def row(self) -> RelationRow:
        return RelationRow(**msgspec.structs.asdict(self))


class BalanceLine(_Line, frozen=True):
    account_id: str
    day: date
    amount: Decimal

    def row(self) -> BookedBalanceRow:
        return BookedBalanceRow(account_id=self.account_id, day=self.day, amount=self.amount)


class CardLine(PaymentCard, kw_only=True, frozen=True, forbid_unknown_fields=True):
    account_id: str
    card_id: str
    holder_party_id: str | None = None
    linked_from: date | None = None
    linked_to: date | None = None

    def row(self) -> CardRow:
        fields = msgspec.structs.asdict(self)
        keys = {
            name: fields.pop(name) for name in ("account_id", "card_id", "holder_party_id", "linked_from", "linked_to")
        }
        return CardRow(card=PaymentCard(**fields), **keys)


class TransactionLine(Transaction, kw_only=True, frozen=True, forbid_unknown_fields=True):
    account_id: str

    def row(self) -> TransactionRow:
        fields = msgspec.structs.asdict(self)
        account_id = fields.pop("account_id")
        return TransactionRow(account_id=account_id, transaction=Transaction(**fields))


LINES: Final[dict[str, type[Any]]] = {
    "parties": PartyLine,
    "accounts": AccountLine,
    "roles": RoleLine,
    "balances": BalanceLine,
    "cards": CardLine,
    "transactions": TransactionLine,
}
# CSV cells that hold an object or an array as JSON text.
_JSON_CELLS: Final = frozenset(
    {
        "postalAddress",
        "electronicAddresses",
        "references",
        "transactionCode",
        "counterParties",
        "currencyExchange",
        "paymentCard",
        "cardIssuerIdentifier",
    }
)
_CHECKS: Final[dict[str, Callable[[Any], None]]] = {
    "parties": loader.check_party,
    "accounts": loader.check_account,
    "roles": loader.check_relation,
    "cards": loader.check_card,
    "transactions": loader.check_transaction,
    "balances": lambda row: None,
}


def entity_of(path: Path) -> str | None:
    """``accounts`` for ``accounts.jsonl`` / ``accounts.csv``; ``None`` for any other name."""
    if path.suffix.lower() not in SUFFIXES:
        return None
    return path.stem if path.stem in ENTITIES else None


@dataclass(frozen=True, slots=True)
class Line:
    """One row read from a bundle file: the record, or what is wrong with it."""

    number: int
    row: Any | None
    error: str | None = None
    bank: str | None = None  # accounts only: the bank the line says holds the account


def _message(error: Exception) -> str:
    text = str(error).replace("`", "'")
    if isinstance(error, msgspec.DecodeError) and not isinstance(error, msgspec.ValidationError):
        text = f"is not valid JSON ({text})"
    return text[:300]


def _line(number: int, entity: str, line: Any) -> Line:
    row = line.row()
    _CHECKS[entity](row)
    return Line(number, row, bank=getattr(line, "bank", None))


def read(path: Path, entity: str, *, progress: Callable[[int], None] | None = None) -> Iterator[Line]:
    """The rows of one bundle file in order, each either a record or an error (nothing is raised
    for a bad line); ``progress`` is told how many bytes each line took."""
    kind = LINES[entity]
    advance = progress or (lambda _size: None)
    if path.suffix.lower() == ".jsonl":
        decoder = msgspec.json.Decoder(kind)
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                advance(len(raw))
                if not raw.strip():
                    continue
                try:
                    yield _line(number, entity, decoder.decode(raw))
                except (msgspec.DecodeError, ValueError, TypeError) as error:
                    yield Line(number, None, _message(error))
        return
    with path.open("rb") as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        header = next(reader, None)
        consumed = binary.tell()
        advance(consumed)
        if header is None:
            return
        names = [name.strip() for name in header]
        for values in reader:
            number = reader.line_num
            position = binary.tell()  # the wrapper reads ahead in chunks: progress moves by chunk
            advance(position - consumed)
            consumed = position
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(names):
                yield Line(number, None, f"has {len(values)} cells, the header names {len(names)}")
                continue
            try:
                fields = {
                    name: msgspec.json.decode(value) if name in _JSON_CELLS else value
                    for name, value in zip(names, values, strict=True)
                    if value != ""
                }
                yield _line(number, entity, msgspec.convert(fields, kind, strict=False))
            except (msgspec.DecodeError, msgspec.ValidationError, ValueError, TypeError) as error:
                yield Line(number, None, _message(error))


__all__ = ["DOC", "ENTITIES", "LINES", "SUFFIXES", "Line", "entity_of", "read"]
