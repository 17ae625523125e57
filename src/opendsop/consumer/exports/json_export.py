"""The JSON export of a case: everything recorded, in the standard's own wire shapes, and back.

Decided here: one document ``{"case": …, "banks": [...]}``; each answer keeps the
bank's wire model (camelCase, amounts as JSON numbers, DSOP “Data model”) so the export is
as faithful as the store; it is written piece by piece to a binary stream (a bank's transactions
in chunks) so a large case is never held twice as bytes; :func:`read_json` rebuilds the
:class:`CaseExport` exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import IO, Any, get_args

import msgspec

from opendsop.consumer.cases import Case
from opendsop.consumer.client import VALUE_TYPES, Fetched
from opendsop.consumer.exports.model import AccountExport, BankExport, CaseExport
from opendsop.consumer.fanout import Outcome
from opendsop.consumer.letters import Letter
from opendsop.consumer.protocol import BankEndpoint, CaseParameters
from opendsop.standard import mandate as mandates
from opendsop.standard import wire
from opendsop.standard.endpoints import Endpoint

CHUNK = 5000  # list items encoded at once


def write_json(export: CaseExport, out: IO[bytes]) -> None:
    for piece in _pieces(export):
        out.write(piece)


def to_json(export: CaseExport) -> bytes:
    return b"".join(_pieces(export))


def read_json(data: bytes | str) -> CaseExport:
    document = msgspec.json.decode(data, type=_Document)
    banks = []
    for item in document.banks:
        bank = BankEndpoint(item.org_no, item.base_url, item.version, item.name)
        types = VALUE_TYPES[bank.version]
        account_type = get_args(types[Endpoint.ACCOUNTS])[0]
        accounts = tuple(
            AccountExport(
                entry.account_reference,
                wire.decode(bytes(entry.account), account_type),
                {
                    Endpoint(name): _fetched_value(Endpoint(name), answer, types)
                    for name, answer in entry.answers.items()
                },
            )
            for entry in item.accounts
        )
        outcome = Outcome(item.outcome) if item.outcome else None
        banks.append(
            BankExport(bank, outcome, item.reason, accounts, _fetched(Endpoint.ACCOUNTS, item.account_list, types))
        )
    return CaseExport(_case(document.case), tuple(banks), tuple(document.letters))


class _Answer(msgspec.Struct):
    status: str | None
    message: str | None
    pages: int
    value: msgspec.Raw  # decoded with the bank's wire model: amounts stay exact Decimals


class _Account(msgspec.Struct, rename="camel"):
    account_reference: str
    account: msgspec.Raw
    answers: dict[str, _Answer]


class _Bank(msgspec.Struct, rename="camel"):
    org_no: str
    name: str
    version: str
    base_url: str
    outcome: str | None
    reason: str | None
    account_list: _Answer | None
    accounts: list[_Account]


class _Document(msgspec.Struct):
    case: dict[str, Any]
    banks: list[_Bank]
    letters: list[Letter] = []


def _pieces(export: CaseExport) -> Iterator[bytes]:
    yield b'{"case":' + msgspec.json.encode(_case_document(export.case)) + b',"banks":['
    for index, bank in enumerate(export.banks):
        b = bank.bank
        head = {
            "orgNo": b.org_no,
            "name": b.name,
            "version": b.version,
            "baseUrl": b.base_url,
            "outcome": bank.outcome.value if bank.outcome else None,
            "reason": bank.reason,
        }
        yield (b"," if index else b"") + msgspec.json.encode(head)[:-1] + b',"accountList":'
        yield from _answer(bank.listed, items=False)
        yield b',"accounts":['
        for number, account in enumerate(bank.accounts):
            yield (b"," if number else b"") + b'{"accountReference":' + msgspec.json.encode(account.reference)
            yield b',"account":' + wire.encode(account.account) + b',"answers":{'
            for position, (endpoint, fetched) in enumerate(account.answers.items()):
                yield (b"," if position else b"") + msgspec.json.encode(endpoint.value) + b":"
                yield from _answer(fetched, items=True)
            yield b"}}"
        yield b"]}"
    yield b'],"letters":' + msgspec.json.encode(list(export.letters)) + b"}"


def _answer(fetched: Fetched | None, *, items: bool) -> Iterator[bytes]:
    if fetched is None:
        yield b"null"
        return
    head = {"status": fetched.status, "message": fetched.message, "pages": fetched.pages}
    yield msgspec.json.encode(head)[:-1] + b',"value":'
    value = fetched.value
    if isinstance(value, tuple) and (items or len(value) > CHUNK):
        yield b"["
        for start in range(0, len(value), CHUNK):
            chunk = wire.encode(value[start : start + CHUNK])
            yield (b"," if start else b"") + chunk[1:-1]
        yield b"]}"
    else:
        yield wire.encode(value) + b"}"


def _fetched(endpoint: Endpoint, answer: _Answer | None, types: dict[Endpoint, Any]) -> Fetched | None:
    return None if answer is None else _fetched_value(endpoint, answer, types)


def _fetched_value(endpoint: Endpoint, answer: _Answer, types: dict[Endpoint, Any]) -> Fetched:
    value = wire.decode(bytes(answer.value), types[endpoint])
    return Fetched(endpoint, value, answer.status, answer.message, answer.pages)


def _case_document(case: Case) -> dict[str, Any]:
    p = case.parameters
    return {
        "accountInfoRequestId": case.id,
        "caseNumber": case.case_number,
        "service": case.service,
        "legalMandate": p.mandate.text,
        "mandateKey": p.mandate.key,
        "partyId": p.party_id,
        "fromDate": p.from_date,
        "toDate": p.to_date,
        "onlyPrimaryOwner": p.only_primary_owner,
        "requesterId": p.requester_id,
        "referenceType": p.reference_type,
        "referenceId": p.reference_id,
        "facts": dict(case.facts),
        "status": case.status,
        "createdAt": case.created_at,
        "retainUntil": case.retain_until,
    }


def _case(doc: dict[str, Any]) -> Case:
    parameters = CaseParameters(
        account_info_request_id=doc["accountInfoRequestId"],
        mandate=mandates.by_key(doc["mandateKey"]),
        party_id=doc["partyId"],
        from_date=_date(doc["fromDate"]),
        to_date=_date(doc["toDate"]),
        only_primary_owner=doc["onlyPrimaryOwner"],
        requester_id=doc["requesterId"],
        reference_type=doc["referenceType"],
        reference_id=doc["referenceId"],
    )
    return Case(
        doc["accountInfoRequestId"],
        doc["caseNumber"],
        doc["service"],
        parameters,
        doc["facts"],
        doc["status"],
        datetime.fromisoformat(doc["createdAt"]),
        datetime.fromisoformat(doc["retainUntil"]),
    )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


__all__ = ["read_json", "to_json", "write_json"]
