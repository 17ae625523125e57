# SPDX-License-Identifier: Apache-2.0
"""Fraud cooperation between banks and police, and the police's report confirmation to insurers.

No DSOP or Bits specification exists for either (docs/decisions.md, "Fraud cooperation and report
confirmation"): everything here is design.  Pure rules, no I/O: "now" and "today" are parameters.

* Fraud case: a fraud type, the outgoing transactions the paying bank itself holds.
* Recall (tilbakekall): one request per transaction to the receiving bank (found from the account
  number's bank code), answered within a deadline: frozen amount, already withdrawn, returned.
* Mule flag (muldyrkonto): set by a party of the case, carries a reason and an expiry, visible only to
  the case's parties and the police.
* Report confirmation: case number, filing date, reporter, offence category — no narrative.
* Every flow runs only with a legal basis the deployment names (``require_legal_basis``).

Refusal codes (ours; HTTP status in ``STATUS``):

FRD-001 recall for a transaction the bank does not hold · FRD-002 duplicate recall · FRD-003 mule flag
by a party outside the case · FRD-004 confirmation for another person · FRD-005 forged confirmation
(signature, chain or signer) · FRD-006 expired confirmation · FRD-007 consent for another insurer ·
FRD-008 malformed input · FRD-009 answer to an unknown or already answered recall · FRD-010 no legal
basis configured for the flow · FRD-011 a mule flag the viewer may not see.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Final

from opendsop.standard.identifiers import bank_by_code, bank_code, validate_kontonr, validate_person_number


class FraudError(ValueError):
    """A fraud rule is broken: ``code`` (FRD-xxx) and a message for a person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        return STATUS[self.code]


STATUS: Final[dict[str, int]] = {
    "FRD-001": 404,
    "FRD-002": 409,
    "FRD-003": 403,
    "FRD-004": 403,
    "FRD-005": 403,
    "FRD-006": 403,
    "FRD-007": 403,
    "FRD-008": 400,
    "FRD-009": 409,
    "FRD-010": 403,
    "FRD-011": 404,
}


class FraudType(StrEnum):
    INVESTMENT = "investment"
    ROMANCE = "romance"
    PHISHING = "phishing"
    BANKID_MISUSE = "bankid_misuse"
    INVOICE = "invoice"


# The offence a report names for each fraud type (straffeloven § 371 bedrageri; § 202 identitetskrenkelse
# for BankID misuse).  The police decide the final classification; this is the reporter's category.
OFFENCE_CATEGORY: Final[dict[FraudType, str]] = {
    FraudType.INVESTMENT: "bedrageri (straffeloven § 371)",
    FraudType.ROMANCE: "bedrageri (straffeloven § 371)",
    FraudType.PHISHING: "bedrageri (straffeloven § 371)",
    FraudType.BANKID_MISUSE: "identitetskrenkelse (straffeloven § 202)",
    FraudType.INVOICE: "bedrageri (straffeloven § 371)",
}


class Flow(StrEnum):
    RECALL = "recall"
    MULE_FLAG = "mule_flag"
    REPORT = "report"
    CONFIRMATION = "confirmation"


def require_legal_basis(flow: Flow, basis: Mapping[str, str | None]) -> str:
    """The legal basis the deployment names for ``flow``; FRD-010 when it names none.

    Bank secrecy (finansforetaksloven § 16-2) forbids sharing customer data without one; which provision
    applies is the deployment's legal assessment, not this code's.
    """
    text = basis.get(flow.value)
    if not isinstance(text, str) or not text.strip():
        raise FraudError("FRD-010", f"no legal basis is configured for the {flow.value} flow — set it before use")
    return text.strip()


def fraud_type(value: str) -> FraudType:
    try:
        return FraudType(value.strip().lower().replace("-", "_"))
    except (ValueError, AttributeError):
        names = ", ".join(t.value for t in FraudType)
        raise FraudError("FRD-008", f"fraud type must be one of {names}, not {value!r}") from None


def amount(value: str | int | Decimal) -> Decimal:
    """A positive NOK amount with at most two decimals."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise FraudError("FRD-008", f"amount {value!r} is not a number") from None
    if not number.is_finite() or number < 0 or number.as_tuple().exponent < -2:  # type: ignore[operator]
        raise FraudError("FRD-008", f"amount {value!r} must be zero or more with at most two decimals")
    return number


# -- transactions and recalls --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Transaction:
    """An outgoing transaction as the paying bank's own store holds it."""

    transaction_id: str
    from_account: str
    to_account: str
    amount: Decimal
    booked: date


@dataclass(frozen=True, slots=True)
class ReceivingBank:
    bank_code: str
    name: str
    bic: str


def receiving_bank(account: str) -> ReceivingBank:
    """The receiving bank from the account number's bank code (the schwifty-derived registry)."""
    try:
        code = bank_code(validate_kontonr(account))
    except ValueError as exc:
        raise FraudError("FRD-008", f"receiving account {account!r} is not a valid kontonummer: {exc}") from None
    info = bank_by_code(code)
    if info is None:
        raise FraudError("FRD-008", f"no bank has bank code {code} in the bank registry")
    return ReceivingBank(code, info.name, info.bic)


class Outcome(StrEnum):
    FROZEN = "frozen"
    ALREADY_WITHDRAWN = "already_withdrawn"
    RETURNED = "returned"


class RecallState(StrEnum):
    WAITING = "waiting"
    ANSWERED = "answered"
    OVERDUE = "overdue"  # the deadline passed without an answer


DEFAULT_DEADLINE: Final = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class RecallRequest:
    recall_id: str
    case_id: str
    transaction_id: str
    to_account: str
    receiving_bank_code: str
    amount: Decimal
    sent_at: datetime
    deadline: datetime


@dataclass(frozen=True, slots=True)
class RecallAnswer:
    recall_id: str
    outcome: Outcome
    frozen_amount: Decimal
    answered_at: datetime
    late: bool


def new_recall(
    recall_id: str,
    case_id: str,
    transaction_id: str,
    *,
    held: Mapping[str, Transaction],
    already_recalled: Collection[str],
    now: datetime,
    deadline: timedelta = DEFAULT_DEADLINE,
) -> RecallRequest:
    """A recall of ``transaction_id``: FRD-001 if the bank does not hold it, FRD-002 if already recalled."""
    transaction = held.get(transaction_id)
    if transaction is None:
        raise FraudError("FRD-001", f"this bank holds no outgoing transaction {transaction_id!r}")
    if transaction_id in already_recalled:
        raise FraudError("FRD-002", f"transaction {transaction_id!r} is already recalled in a fraud case")
    if deadline <= timedelta(0):
        raise FraudError("FRD-008", "the answer deadline must be in the future")
    bank = receiving_bank(transaction.to_account)
    return RecallRequest(
        recall_id,
        case_id,
        transaction_id,
        transaction.to_account,
        bank.bank_code,
        transaction.amount,
        now,
        now + deadline,
    )


def answer_recall(
    request: RecallRequest | None,
    outcome: str,
    *,
    frozen_amount: str | int | Decimal = 0,
    answered: RecallAnswer | None,
    now: datetime,
) -> RecallAnswer:
    """The receiving bank's answer: FRD-009 for an unknown or answered recall, FRD-008 for a bad amount.

    A late answer is still taken (money frozen late is still frozen) and marked ``late``.
    """
    if request is None:
        raise FraudError("FRD-009", "no such recall at this bank")
    if answered is not None:
        raise FraudError("FRD-009", f"recall {request.recall_id} is already answered ({answered.outcome})")
    try:
        kind = Outcome(outcome)
    except ValueError:
        names = ", ".join(o.value for o in Outcome)
        raise FraudError("FRD-008", f"outcome must be one of {names}, not {outcome!r}") from None
    frozen = amount(frozen_amount)
    if kind is Outcome.ALREADY_WITHDRAWN and frozen:
        raise FraudError("FRD-008", "an already withdrawn transaction has no frozen amount")
    if kind is not Outcome.ALREADY_WITHDRAWN and frozen == 0:
        frozen = request.amount if kind is Outcome.RETURNED else frozen
    if frozen > request.amount:
        raise FraudError("FRD-008", f"frozen amount {frozen} exceeds the transaction's {request.amount}")
    return RecallAnswer(request.recall_id, kind, frozen, now, late=now > request.deadline)


def recall_state(request: RecallRequest, answer: RecallAnswer | None, *, now: datetime) -> RecallState:
    if answer is not None:
        return RecallState.ANSWERED
    return RecallState.OVERDUE if now > request.deadline else RecallState.WAITING


# -- mule flags ----------------------------------------------------------------------------------------

POLICE: Final = "police"
MAX_FLAG_DAYS: Final = 180


@dataclass(frozen=True, slots=True)
class MuleFlag:
    account: str
    case_id: str
    reason: str
    flagged_by: str  # the organisation number of the bank that set it
    expires: date


def flag_account(
    account: str,
    *,
    case_id: str,
    case_parties: Collection[str],
    flagged_by: str,
    reason: str,
    today: date,
    days: int = 90,
) -> MuleFlag:
    """A mule flag: FRD-003 if ``flagged_by`` is not a party of the case, FRD-008 without reason/expiry."""
    if flagged_by not in case_parties:
        raise FraudError("FRD-003", f"{flagged_by} is not a party of fraud case {case_id} and cannot flag in it")
    if not reason.strip():
        raise FraudError("FRD-008", "a mule flag needs its reason")
    if not 1 <= days <= MAX_FLAG_DAYS:
        raise FraudError("FRD-008", f"a mule flag expires after 1 to {MAX_FLAG_DAYS} days, not {days}")
    return MuleFlag(validate_kontonr(account), case_id, reason.strip(), flagged_by, today + timedelta(days=days))


def visible_flags(
    flags: Iterable[MuleFlag], *, viewer: str, parties_of: Mapping[str, Collection[str]], today: date
) -> list[MuleFlag]:
    """The unexpired flags ``viewer`` may see: those of cases it is a party of; the police see all."""
    return [
        flag
        for flag in flags
        if flag.expires >= today and (viewer == POLICE or viewer in parties_of.get(flag.case_id, ()))
    ]


def flag_for(flag: MuleFlag, *, viewer: str, case_parties: Collection[str], today: date) -> MuleFlag:
    """One flag for ``viewer``; FRD-011 (as if absent) when it expired or the viewer is outside the case."""
    if flag.expires < today or (viewer != POLICE and viewer not in case_parties):
        raise FraudError("FRD-011", "no mule flag on this account is visible to you")
    return flag


# -- report confirmation -------------------------------------------------------------------------------

CONFIRMATION_TYP: Final = "dsop-report-confirmation+jwt"
CONFIRMATION_FIELDS: Final = frozenset({"caseNumber", "filed", "reporter", "offenceCategory", "iat", "exp", "jti"})
MAX_CONFIRMATION_VALIDITY: Final = timedelta(days=365)
_CASE_NUMBER: Final = re.compile(r"\d{8}")


@dataclass(frozen=True, slots=True)
class ReportConfirmation:
    """What the police confirm to an insurer: case number, date, reporter, offence category — no narrative."""

    case_number: str
    filed: date
    reporter: str
    offence_category: str
    issued_at: datetime
    expires_at: datetime


def confirmation_claims(confirmation: ReportConfirmation, *, jti: str) -> dict[str, Any]:
    return {
        "caseNumber": confirmation.case_number,
        "filed": confirmation.filed.isoformat(),
        "reporter": confirmation.reporter,
        "offenceCategory": confirmation.offence_category,
        "iat": int(confirmation.issued_at.timestamp()),
        "exp": int(confirmation.expires_at.timestamp()),
        "jti": jti,
    }


def new_confirmation(
    *,
    case_number: str,
    filed: date,
    reporter: str,
    offence_category: str,
    now: datetime,
    validity: timedelta,
    synthetic_allowed: bool = False,
) -> ReportConfirmation:
    if not _CASE_NUMBER.fullmatch(case_number):
        raise FraudError("FRD-008", f"a police case number is 8 digits, not {case_number!r}")
    if not timedelta(seconds=1) <= validity <= MAX_CONFIRMATION_VALIDITY:
        raise FraudError("FRD-008", f"a confirmation is valid for 1 second to {MAX_CONFIRMATION_VALIDITY.days} days")
    if offence_category not in set(OFFENCE_CATEGORY.values()):
        raise FraudError("FRD-008", f"unknown offence category {offence_category!r}")
    try:
        person = validate_person_number(reporter, synthetic_allowed=synthetic_allowed).value
    except ValueError as exc:
        raise FraudError("FRD-008", f"the reporter is not a valid fødselsnummer or d-nummer: {exc}") from None
    stamp = now.replace(microsecond=0)
    return ReportConfirmation(case_number, filed, person, offence_category, stamp, stamp + validity)


def parse_confirmation(claims: Mapping[str, Any]) -> ReportConfirmation:
    """The confirmation in verified claims; FRD-005 when it is not one (extra fields such as a narrative too)."""
    extra = set(claims) - CONFIRMATION_FIELDS
    if extra:
        raise FraudError("FRD-005", f"a report confirmation carries no {', '.join(sorted(extra))}")
    try:
        issued = datetime.fromtimestamp(int(claims["iat"]), tz=UTC)
        expires = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
        return ReportConfirmation(
            str(claims["caseNumber"]),
            date.fromisoformat(str(claims["filed"])),
            str(claims["reporter"]),
            str(claims["offenceCategory"]),
            issued,
            expires,
        )
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise FraudError("FRD-005", f"not a report confirmation: {exc}") from None


def check_confirmation(
    confirmation: ReportConfirmation,
    *,
    person: str,
    now: datetime,
    insurer: str | None = None,
    consent_insurer: str | None = None,
) -> ReportConfirmation:
    """An insurer's checks after the signature: FRD-004 another person, FRD-006 expired, FRD-007 the consent
    names another insurer (checked only when a consent is presented)."""
    if confirmation.reporter != person:
        raise FraudError("FRD-004", "the confirmation is for another person than the claimant")
    if not confirmation.issued_at <= now + timedelta(seconds=60) or now >= confirmation.expires_at:
        raise FraudError("FRD-006", f"the confirmation expired at {confirmation.expires_at.isoformat()}")
    if consent_insurer is not None and consent_insurer != insurer:
        raise FraudError("FRD-007", f"the reporter's consent names insurer {consent_insurer}, not {insurer}")
    return confirmation


__all__ = [
    "CONFIRMATION_TYP",
    "DEFAULT_DEADLINE",
    "OFFENCE_CATEGORY",
    "POLICE",
    "STATUS",
    "Flow",
    "FraudError",
    "FraudType",
    "MuleFlag",
    "Outcome",
    "RecallAnswer",
    "RecallRequest",
    "RecallState",
    "ReceivingBank",
    "ReportConfirmation",
    "Transaction",
    "amount",
    "answer_recall",
    "check_confirmation",
    "confirmation_claims",
    "flag_account",
    "flag_for",
    "fraud_type",
    "new_confirmation",
    "new_recall",
    "parse_confirmation",
    "receiving_bank",
    "recall_state",
    "require_legal_basis",
    "visible_flags",
]
