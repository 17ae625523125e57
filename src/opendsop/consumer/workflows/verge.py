"""Vergekontroll: SRF's annual batch over guardianships, and the flags for the controller
(DSOP Vergekontroll “Løsningsbeskrivelse”).

Planning, per guardianship (ward, guardian), before any call: both are persons and not the same
person; the period is the **last calendar year** (asking for any other year is refused); when
Folkeregisteret's guardianships are given, one with this guardian, the ``representasjonDagligbank``
task and validity inside that year must exist, and the period is narrowed to the part of the year
it covers; ``OnlyPrimaryOwner`` TRUE; ``AdditionalReferenceIDType`` ``srf`` with the guardian;
no RequesterID; 2b is Account details, Transactions and Roles (Cards refused).

Flags (pure functions over the fetched results; the controller decides, the flag only points):

=================  ==================================================================================
own_account        a debit whose counterparty is one of the guardian's own accounts, or the guardian
cash               a cash withdrawal (ISO sub-family ``cashWithdrawal``/``crossBorderCashWithdrawal``)
                   above the threshold
missing            an account whose transactions did not come (failed, partial, dataNotDelivered),
                   or a bank without a complete answer
=================  ==================================================================================
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from opendsop.consumer.fanout import BankResult, Outcome
from opendsop.consumer.protocol import DATA_NOT_DELIVERED, CaseParameters
from opendsop.consumer.workflows._base import CasePlan, WorkflowRefused, endpoints, new_case_id, party
from opendsop.standard import mandate
from opendsop.standard.control.v2.codes import SubFamilyType
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.errors import DsopError
from opendsop.standard.identifiers import validate_kontonr
from opendsop.standard.period import Period, last_calendar_year
from opendsop.standard.request import REPRESENTASJON_DAGLIGBANK, Guardianship
from opendsop.standard.services import VERGE
from opendsop.standard.services._profile import ReferenceKind

DEFAULT_CASH_THRESHOLD = Decimal("10000")
_CASH = frozenset({SubFamilyType.CASH_WITHDRAWAL.value, SubFamilyType.CROSS_BORDER_CASH_WITHDRAWAL.value})


@dataclass(frozen=True, slots=True)
class Assignment:
    """One row of the batch: a ward, the guardian, and the guardian's own account numbers (for flags)."""

    ward: str
    guardian: str
    guardian_accounts: frozenset[str] = frozenset()


def read_batch(text: str) -> list[Assignment]:
    """CSV with a header: ``ward,guardian`` and optionally ``guardian_accounts`` (separated by ``;`` or spaces)."""
    reader = csv.DictReader(io.StringIO(text))
    names = {name.strip().lower() for name in reader.fieldnames or ()}
    if not {"ward", "guardian"} <= names:
        raise WorkflowRefused("batch: the CSV needs the columns ward and guardian", parameter="batch")
    rows: list[Assignment] = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        accounts: set[str] = set()
        for number in row.get("guardian_accounts", "").replace(";", " ").split():
            try:
                accounts.add(validate_kontonr(number))
            except DsopError as error:
                raise WorkflowRefused(
                    f"batch line {line}: guardian_accounts: {error.message}", parameter="batch"
                ) from None
        rows.append(Assignment(row["ward"], row["guardian"], frozenset(accounts)))
    return rows


def plan_verge(
    ward: str,
    guardian: str,
    *,
    today: date,
    year: int | None = None,
    case_id: str | None = None,
    guardianships: Sequence[Guardianship] | None = None,
    wanted: Collection[Endpoint] | None = None,
) -> CasePlan:
    ward, guardian = party(ward, VERGE, parameter="ward"), party(guardian, VERGE, parameter="guardian")
    if ward == guardian:
        raise WorkflowRefused("guardian: the guardian and the ward are the same person", parameter="guardian")
    period = last_calendar_year(today)
    if year is not None and year != period.from_date.year:
        raise WorkflowRefused(
            f"year: Vergekontroll covers the last calendar year only ({period.from_date.year}), "
            f"not {year} (DSOP Vergekontroll “Løsningsbeskrivelse”)",
            parameter="year",
        )
    if guardianships is not None:
        covered = _covered(period, ward, guardian, guardianships)
        if covered is None:
            raise WorkflowRefused(
                f"guardian: Folkeregisteret has no guardianship with this guardian and the task "
                f"{REPRESENTASJON_DAGLIGBANK} during {period.from_date.year}",
                parameter="guardian",
            )
        period = covered
    case = CaseParameters(
        account_info_request_id=case_id or new_case_id(),
        mandate=mandate.VERGE,
        party_id=ward,
        from_date=period.from_date,
        to_date=period.to_date,
        only_primary_owner=True,
        reference_type=ReferenceKind.GUARDIAN.value,
        reference_id=guardian,
    )
    return CasePlan(VERGE.key, case, endpoints(VERGE, wanted), {"year": str(last_calendar_year(today).from_date.year)})


def _covered(year: Period, ward: str, guardian: str, guardianships: Sequence[Guardianship]) -> Period | None:
    """The part of ``year`` covered by the matching guardianships (first start to last end)."""
    spans = [
        year.intersection(Period(g.valid_from, max(g.valid_from, g.valid_to or year.to_date)))
        for g in guardianships
        if g.ward == ward and g.guardian == guardian and REPRESENTASJON_DAGLIGBANK in g.tasks
    ]
    found = [span for span in spans if span is not None]
    if not found:
        return None
    return Period(min(s.from_date for s in found), max(s.to_date for s in found))


def plan_batch(
    rows: Iterable[Assignment],
    *,
    today: date,
    year: int | None = None,
    registered: Mapping[str, Sequence[Guardianship]] | None = None,
) -> list[CasePlan]:
    """One plan per row (each its own AccountInfoRequestID); any refused row stops the batch up front.

    ``registered`` (ward → Folkeregisteret's guardianships) checks and narrows every row.
    """
    plans = []
    for index, row in enumerate(rows, start=1):
        try:
            plans.append(
                plan_verge(
                    row.ward,
                    row.guardian,
                    today=today,
                    year=year,
                    guardianships=None if registered is None else registered.get(row.ward, ()),
                )
            )
        except WorkflowRefused as error:
            raise WorkflowRefused(f"batch row {index}: {error.message}", parameter=error.parameter) from None
    return plans


# -- flags ---------------------------------------------------------------------------------------


class FlagKind(StrEnum):
    OWN_ACCOUNT = "own_account"
    CASH = "cash"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Flag:
    kind: FlagKind
    bank: str
    account: str | None
    detail: str
    transaction: str | None = field(default=None)


def _is_debit(transaction: Any) -> bool:
    return str(getattr(transaction, "credit_debit_indicator", "") or "") == "debit"


def _to_guardian(transaction: Any, guardian: str, own_accounts: frozenset[str]) -> bool:
    for counterparty in transaction.counter_parties or ():
        number = "".join(ch for ch in str(counterparty.account_identifier or "") if ch.isdigit())
        if number and number in own_accounts:
            return True
        identifier = counterparty.identifier
        if identifier is not None and identifier.value == guardian:
            return True
    return False


def _is_cash(transaction: Any) -> bool:
    code = transaction.transaction_code
    return code is not None and str(code.sub_family or "") in _CASH


def flags(
    results: Iterable[BankResult],
    *,
    guardian: str,
    guardian_accounts: Collection[str] = (),
    cash_threshold: Decimal = DEFAULT_CASH_THRESHOLD,
) -> list[Flag]:
    """What the controller should look at, from one guardianship's fetched results."""
    own = frozenset("".join(ch for ch in number if ch.isdigit()) for number in guardian_accounts)
    found: list[Flag] = []
    for result in results:
        bank = result.bank.org_no
        if result.outcome not in (Outcome.OK, Outcome.PARTIAL):
            found.append(
                Flag(
                    FlagKind.MISSING,
                    bank,
                    None,
                    f"no statement from the bank: {result.outcome.value} ({result.reason or 'no reason'})",
                )
            )
            continue
        for account in result.accounts:
            number = account.account_identifier
            answer = account.answers.get(Endpoint.TRANSACTIONS)
            if account.reference == DATA_NOT_DELIVERED or answer is None or answer.status == "partial":
                why = (
                    "not served online"
                    if account.reference == DATA_NOT_DELIVERED
                    else account.failures.get(
                        Endpoint.TRANSACTIONS, "the bank said partial" if answer else "not fetched"
                    )
                )
                found.append(Flag(FlagKind.MISSING, bank, number, f"transactions missing: {why}"))
                if answer is None:
                    continue
            for transaction in answer.value or ():
                if not _is_debit(transaction):
                    continue
                ident = transaction.transaction_identifier
                if _to_guardian(transaction, guardian, own):
                    found.append(
                        Flag(
                            FlagKind.OWN_ACCOUNT,
                            bank,
                            number,
                            f"{transaction.amount} {transaction.currency or ''} to the guardian".strip(),
                            ident,
                        )
                    )
                if _is_cash(transaction) and transaction.amount is not None and transaction.amount > cash_threshold:
                    found.append(
                        Flag(
                            FlagKind.CASH,
                            bank,
                            number,
                            f"cash withdrawal of {transaction.amount} above {cash_threshold}",
                            ident,
                        )
                    )
    return found


__all__ = [
    "DEFAULT_CASH_THRESHOLD",
    "Assignment",
    "Flag",
    "FlagKind",
    "flags",
    "plan_batch",
    "plan_verge",
    "read_batch",
]
