"""What an export holds: one case as plain values, loaded once from the case store, and its rows.

DSOP “eOppslag”: a case is one ``AccountInfoRequestID`` with its
legal basis, the banks asked and what each answered.  Decided here:

* :class:`CaseExport` is a plain value (the case, then per bank its outcome, reason and
  accounts with their typed answers), so every export format is testable without a database;
* the rows of the tables (accounts, transactions) are *generated* from the answers, never
  collected: a million transactions are held once, as the answers, while a writer streams them;
* amounts stay :class:`~decimal.Decimal` and dates :class:`~datetime.date`; a booking or value
  date (an ``ISODateTime`` on the wire) becomes the calendar date in the offset the bank sent,
  which is the bank's own booking day;
* a bank with no outcome yet reads "not finished"; an account is *partial* when an answer said
  ``partial`` and *failed* for an endpoint the fan-out recorded no answer for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from opendsop.consumer.cases import Case, CaseStore
from opendsop.consumer.client import Fetched
from opendsop.consumer.fanout import Outcome
from opendsop.consumer.letters import Letter, LetterStore
from opendsop.consumer.protocol import BankEndpoint
from opendsop.standard.endpoints import Endpoint

NOT_FINISHED = "not finished"


class UnknownCase(LookupError):
    """No case with this AccountInfoRequestID in the store."""


@dataclass(frozen=True, slots=True)
class AccountExport:
    reference: str
    account: Any  # the Account model of the bank's account list
    answers: Mapping[Endpoint, Fetched] = field(default_factory=dict)

    @property
    def identifier(self) -> str:
        return str(self.account.account_identifier)

    @property
    def detail(self) -> Any | None:
        fetched = self.answers.get(Endpoint.ACCOUNT_DETAILS)
        return fetched.value if fetched is not None else None

    @property
    def transactions(self) -> Sequence[Any]:
        fetched = self.answers.get(Endpoint.TRANSACTIONS)
        return fetched.value if fetched is not None and fetched.value is not None else ()

    def partial(self) -> dict[Endpoint, str]:
        """Each endpoint whose answer said ``partial``, with the bank's message."""
        return {
            endpoint: fetched.message or "partial"
            for endpoint, fetched in self.answers.items()
            if fetched.status == "partial"
        }


@dataclass(frozen=True, slots=True)
class BankExport:
    bank: BankEndpoint
    outcome: Outcome | None  # None: the bank has not ended yet
    reason: str | None
    accounts: tuple[AccountExport, ...] = ()
    listed: Fetched | None = None  # the account list itself (its status and message)

    @property
    def state(self) -> str:
        return self.outcome.value if self.outcome is not None else NOT_FINISHED


@dataclass(frozen=True, slots=True)
class CaseExport:
    case: Case
    banks: tuple[BankExport, ...]
    letters: tuple[Letter, ...] = ()  # banks asked by digital letter, with their answer files (letters.py)

    @property
    def case_id(self) -> str:
        return self.case.id

    @property
    def legal_basis(self) -> str:
        return self.case.parameters.mandate.text

    def not_ok(self) -> list[BankExport]:
        """Banks that ended other than ``ok`` (or not at all)."""
        return [bank for bank in self.banks if bank.outcome is not Outcome.OK]


async def load_case_export(store: CaseStore, case_id: str) -> CaseExport:
    """Read one case and everything recorded for it; raises :class:`UnknownCase`."""
    case = await store.get(case_id)
    if case is None:
        raise UnknownCase(f"no case with AccountInfoRequestID {case_id!r}")
    outcomes = await store.outcomes(case_id)
    banks = []
    for bank in await store.banks(case_id):
        outcome, reason = outcomes.get(bank.org_no, (None, None))
        progress = await store.progress(case_id, bank)
        accounts: tuple[AccountExport, ...] = ()
        listed = progress.accounts if progress is not None else None
        if progress is not None and listed is not None:
            accounts = tuple(
                AccountExport(a.account_reference, a, dict(progress.answers.get(a.account_reference, {})))
                for a in listed.value
            )
        banks.append(BankExport(bank, outcome, reason, accounts, listed))
    letters = await LetterStore(store.engine).letters(case_id)
    return CaseExport(case, tuple(banks), tuple(letters))


# -- rows -----------------------------------------------------------------------------------------

ACCOUNT_COLUMNS = (
    "bank_org_no",
    "bank_name",
    "bank_outcome",
    "account_identifier",
    "account_type",
    "account_status",
    "currency",
    "start_date",
    "end_date",
    "booked_balance",
    "available_balance",
    "transaction_count",
    "total_credit",
    "total_debit",
    "partial",
    "failed",
)
TRANSACTION_COLUMNS = (
    "bank_org_no",
    "bank_name",
    "account_identifier",
    "transaction_identifier",
    "booking_date",
    "value_date",
    "credit_debit",
    "amount",
    "signed_amount",
    "currency",
    "status",
    "reversal",
    "transaction_code",
    "counterparty_name",
    "counterparty_account",
    "merchant",
    "additional_info",
)
Cell = str | Decimal | date | int | bool | None


@dataclass(frozen=True, slots=True)
class Totals:
    count: int
    credit: Decimal
    debit: Decimal


def totals(transactions: Sequence[Any]) -> Totals:
    """Count and sums of credits and debits (``amount`` is positive; the indicator is the sign)."""
    credit = debit = Decimal(0)
    for transaction in transactions:
        if transaction.amount is None:
            continue
        if _indicator(transaction) == "debit":
            debit += transaction.amount
        else:
            credit += transaction.amount
    return Totals(len(transactions), credit, debit)


def balance(detail: Any | None, kind: str) -> Decimal | None:
    """The signed ``bookedBalance`` or ``availableBalance`` of an account (debit is negative)."""
    for item in getattr(detail, "balances", None) or ():
        amount: Decimal | None = item.amount
        if _enum(item.type) == kind and amount is not None:
            return -amount if _indicator(item) == "debit" else amount
    return None


def failed_endpoints(bank: BankExport, account: AccountExport) -> tuple[str, ...]:
    """The 2b endpoints asked of every account that have no recorded answer for this one."""
    if bank.outcome is None or bank.outcome is Outcome.OK:
        return ()
    asked = {endpoint for other in bank.accounts for endpoint in other.answers}
    return tuple(sorted(endpoint.value for endpoint in asked - set(account.answers)))


def account_rows(export: CaseExport) -> Iterator[tuple[Cell, ...]]:
    for bank in export.banks:
        for account in bank.accounts:
            detail = account.detail
            source = detail if detail is not None else account.account
            sums = totals(account.transactions)
            yield (
                bank.bank.org_no,
                bank.bank.name,
                bank.state,
                account.identifier,
                _enum(source.type),
                _enum(source.status),
                source.currency,
                getattr(detail, "start_date", None),
                getattr(detail, "end_date", None),
                balance(detail, "bookedBalance"),
                balance(detail, "availableBalance"),
                sums.count,
                sums.credit,
                sums.debit,
                "; ".join(f"{e.value}: {m}" for e, m in account.partial().items()) or None,
                ", ".join(failed_endpoints(bank, account)) or None,
            )


def transaction_rows(export: CaseExport) -> Iterator[tuple[Cell, ...]]:
    for bank in export.banks:
        for account in bank.accounts:
            for t in account.transactions:
                indicator = _indicator(t)
                signed = None if t.amount is None else (-t.amount if indicator == "debit" else t.amount)
                party = (t.counter_parties or (None,))[0]
                yield (
                    bank.bank.org_no,
                    bank.bank.name,
                    account.identifier,
                    t.transaction_identifier,
                    _day(t.booking_date),
                    _day(t.value_date),
                    indicator,
                    t.amount,
                    signed,
                    t.currency,
                    _enum(t.status),
                    t.reversal_indicator,
                    _code(t.transaction_code),
                    getattr(party, "name", None),
                    getattr(party, "account_identifier", None),
                    t.merchant,
                    t.additional_info,
                )


def _enum(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def _indicator(item: Any) -> str | None:
    return _enum(getattr(item, "credit_debit_indicator", None))


def _day(value: datetime | date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _code(code: Any) -> str | None:
    if code is None:
        return None
    parts = [_enum(getattr(code, name, None)) for name in ("domain", "family", "sub_family")]
    text = "-".join(part for part in parts if part)
    return text or getattr(code, "free_text", None)


__all__ = [
    "ACCOUNT_COLUMNS",
    "NOT_FINISHED",
    "TRANSACTION_COLUMNS",
    "AccountExport",
    "BankExport",
    "CaseExport",
    "Cell",
    "Totals",
    "UnknownCase",
    "account_rows",
    "balance",
    "failed_endpoints",
    "load_case_export",
    "totals",
    "transaction_rows",
]
