"""One case across many banks at once: bounded, resumable, streamed, every bank with an outcome.

DSOP “eOppslag” ("banks return what they have as soon as data is available; the consumer
compiles results across banks and deduplicates"), DSOP “Architecture document” steps 4–7, DSOP “eOppslag”.  Decided
here:

* per bank: Accounts first (2a), then the plan's endpoints (2b) for every account that is not
  ``dataNotDelivered``, concurrently within the client's per-bank limit;
* each bank ends with one ``Outcome`` and a reason:

  ========  =====================================================================================
  ok        every call answered, every answer ``complete``
  partial   the bank said ``partial`` (data exists offline, DSOP “eOppslag”), listed an account as
            ``dataNotDelivered``, or a 2b call failed while the account list came through (the
            reason names the failed calls)
  denied    the account list was refused with a 4xx (the request must change; not retried)
  error     5xx after the retries, open circuit, a broken answer (garbage, JWE for someone else),
            no token
  timeout   no complete answer within the per-call timeout after the retries, or the bank's
            overall deadline passed
  ========  =====================================================================================

* the tokens of all banks still to be asked are requested **at once** before the first call
  (``DsopClient.prefetch_tokens``: grants signed in batches off the event loop), not one by one as
  each bank gets to its first call;
* results are **streamed** as each bank finishes (``FanOut.stream``); one bank's failure never
  touches another's results;
* with a ``Recorder`` (cases.py), every answer is recorded as it arrives and a resumed case skips
  banks that ended ``ok`` or ``denied``, the account lists already received and every (account,
  endpoint) already recorded — a crash costs only what was in flight;
* ``Merger`` joins the same account reported by several banks (same ``accountIdentifier``; e.g. a
  merged bank still registered twice) into one entry with all its sources, and transactions by
  ``transactionIdentifier``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from opendsop.consumer.client import DsopClient, Fetched
from opendsop.consumer.errors import BankError, ConsumerError, TokenError
from opendsop.consumer.protocol import DATA_NOT_DELIVERED, BankEndpoint, CaseParameters
from opendsop.serving import redact
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services import ServiceProfile

log = logging.getLogger("opendsop.consumer")


class Outcome(StrEnum):
    OK = "ok"
    PARTIAL = "partial"
    DENIED = "denied"
    ERROR = "error"
    TIMEOUT = "timeout"


# A resumed case does not ask these banks again.  ``partial`` is not among them: a resumed bank
# re-asks only the calls that failed, which costs nothing when the bank itself said "partial".
FINAL = frozenset({Outcome.OK, Outcome.DENIED})


@dataclass(frozen=True, slots=True)
class Plan:
    """The step-2b endpoints to fetch for every listed account."""

    endpoints: tuple[Endpoint, ...] = (Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS)

    @classmethod
    def for_service(cls, profile: ServiceProfile, *, wanted: Collection[Endpoint] | None = None) -> Plan:
        """Every 2b endpoint the service may call (the DSOP services' “Løsningsbeskrivelse” pages), or the ``wanted``
        subset of them."""
        order = (Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS, Endpoint.CARDS, Endpoint.ROLES)
        return cls(tuple(e for e in order if profile.allows(e) and (wanted is None or e in wanted)))


@dataclass(slots=True)
class AccountResult:
    reference: str
    account: Any  # the Account model from the list
    answers: dict[Endpoint, Fetched] = field(default_factory=dict)
    failures: dict[Endpoint, str] = field(default_factory=dict)

    @property
    def account_identifier(self) -> str:
        return str(self.account.account_identifier)


@dataclass(slots=True)
class BankResult:
    bank: BankEndpoint
    outcome: Outcome
    reason: str | None = None
    accounts: list[AccountResult] = field(default_factory=list)
    seconds: float = 0.0
    resumed: bool = False


@dataclass(frozen=True, slots=True)
class Progress:
    """What a case store already holds for one bank (see ``Recorder.progress``)."""

    outcome: Outcome | None
    reason: str | None
    accounts: Fetched | None
    answers: Mapping[str, Mapping[Endpoint, Fetched]]


class Recorder(Protocol):
    """Where a fan-out writes as it goes, and reads from on resume (cases.CaseStore implements it)."""

    async def progress(self, case_id: str, bank: BankEndpoint) -> Progress | None: ...

    async def record_answer(self, case_id: str, bank: BankEndpoint, reference: str | None, answer: Fetched) -> None: ...

    async def record_outcome(self, case_id: str, result: BankResult) -> None: ...


def _failure(error: Exception) -> tuple[Outcome, str]:
    if isinstance(error, BankError):
        return Outcome(error.outcome), str(error)
    if isinstance(error, TokenError):
        return Outcome.ERROR, f"no access token: {error.message}"
    return Outcome.ERROR, f"{type(error).__name__}: {error}"


class FanOut:
    def __init__(
        self,
        client: DsopClient,
        *,
        recorder: Recorder | None = None,
        bank_deadline: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        on_answer: Callable[[CaseParameters, BankEndpoint, Fetched], Awaitable[None]] | None = None,
    ) -> None:
        self.client = client
        self.recorder = recorder
        self.on_answer = on_answer  # the agency's audit log (consumer.workflows.runtime)
        self.bank_deadline = bank_deadline
        self.monotonic = monotonic

    async def stream(
        self, case: CaseParameters, banks: Iterable[BankEndpoint], plan: Plan = Plan()
    ) -> AsyncGenerator[BankResult, None]:
        """Each bank's result as soon as it is final (completion order)."""
        banks = list(banks)
        known: list[Progress | None] = [None] * len(banks)
        if self.recorder is not None:  # what is finished first, so the tokens of all the rest are asked at once
            recorder = self.recorder
            known = list(
                await asyncio.gather(*(recorder.progress(case.account_info_request_id, bank) for bank in banks))
            )
        self.client.prefetch_tokens(
            [
                bank
                for bank, progress in zip(banks, known, strict=True)
                if progress is None or progress.outcome not in FINAL
            ]
        )
        tasks = [
            asyncio.ensure_future(self._bank(case, bank, plan, progress))
            for bank, progress in zip(banks, known, strict=True)
        ]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def run(self, case: CaseParameters, banks: Iterable[BankEndpoint], plan: Plan = Plan()) -> list[BankResult]:
        return [result async for result in self.stream(case, banks, plan)]

    async def _bank(
        self, case: CaseParameters, bank: BankEndpoint, plan: Plan, progress: Progress | None
    ) -> BankResult:
        started = self.monotonic()
        if progress is not None and progress.outcome in FINAL:
            result = BankResult(bank, progress.outcome, progress.reason, resumed=True)
            if progress.accounts is not None:
                result.accounts = _accounts_from(progress.accounts, progress.answers)
            return result
        result = BankResult(bank, Outcome.OK, resumed=progress is not None)
        try:
            async with asyncio.timeout(self.bank_deadline):
                await self._fetch_bank(case, bank, plan, progress, result)
        except TimeoutError:
            result.outcome, result.reason = Outcome.TIMEOUT, f"the bank's deadline of {self.bank_deadline:g} s passed"
        except ConsumerError as error:
            result.outcome, result.reason = _failure(error)
        except Exception as error:  # a bug or a failing case store must not take the other banks down
            log.exception(
                "fan-out to bank %s failed",
                bank.org_no,
                extra={"account_info_request_id": case.account_info_request_id},
            )
            result.outcome, result.reason = Outcome.ERROR, f"internal error ({type(error).__name__})"
        result.seconds = self.monotonic() - started
        if result.outcome is not Outcome.OK:
            log.info(
                "bank %s ended %s: %s",
                bank.org_no,
                result.outcome.value,
                redact(result.reason or ""),
                extra={"account_info_request_id": case.account_info_request_id},
            )
        if self.recorder:
            try:
                await self.recorder.record_outcome(case.account_info_request_id, result)
            except Exception:
                log.exception("the outcome of bank %s could not be recorded; it is asked again on resume", bank.org_no)
        return result

    async def _fetch_bank(
        self, case: CaseParameters, bank: BankEndpoint, plan: Plan, progress: Progress | None, result: BankResult
    ) -> None:
        listed = progress.accounts if progress and progress.accounts is not None else None
        if listed is None:
            listed = await self.client.accounts(bank, case)
            await self._record(case, bank, None, listed)
        done = progress.answers if progress else {}
        result.accounts = _accounts_from(listed, done)
        notes = [f"the bank says partial: {listed.message or 'no reason given'}"] if listed.status == "partial" else []
        withheld = [
            account.account_identifier for account in result.accounts if account.reference == DATA_NOT_DELIVERED
        ]
        # DSOP Skatt “Løsningsbeskrivelse”/DSOP Politi “Løsningsbeskrivelse”: listed, but served only through the
        # digital letter channel
        if withheld:
            notes.append(
                f"{len(withheld)} account(s) not served online (accountReference dataNotDelivered); "
                "ask for them by digital letter"
            )
        calls = [
            (account, endpoint)
            for account in result.accounts
            if account.reference != DATA_NOT_DELIVERED
            for endpoint in plan.endpoints
            if endpoint not in account.answers
        ]
        await asyncio.gather(*(self._fetch_one(case, bank, account, endpoint) for account, endpoint in calls))
        for account in result.accounts:
            for endpoint, answer in account.answers.items():
                if answer.status == "partial":
                    notes.append(f"{endpoint.operation_id} of {account.reference} partial: {answer.message or '-'}")
            for endpoint, reason in account.failures.items():
                notes.append(f"{endpoint.operation_id} of {account.reference} failed: {reason}")
        if notes:
            result.outcome, result.reason = Outcome.PARTIAL, "; ".join(notes)

    async def _fetch_one(
        self, case: CaseParameters, bank: BankEndpoint, account: AccountResult, endpoint: Endpoint
    ) -> None:
        try:
            answer = await self.client.fetch(bank, case, endpoint, account.reference)
        except ConsumerError as error:
            account.failures[endpoint] = _failure(error)[1]
            return
        except ValueError as error:  # an accountReference no request can carry (e.g. empty)
            account.failures[endpoint] = f"not requested: {error}"
            return
        account.answers[endpoint] = answer
        await self._record(case, bank, account.reference, answer)

    async def _record(self, case: CaseParameters, bank: BankEndpoint, reference: str | None, answer: Fetched) -> None:
        if self.recorder:
            await self.recorder.record_answer(case.account_info_request_id, bank, reference, answer)
        if self.on_answer is not None:
            await self.on_answer(case, bank, answer)


def _accounts_from(listed: Fetched, done: Mapping[str, Mapping[Endpoint, Fetched]]) -> list[AccountResult]:
    return [
        AccountResult(account.account_reference, account, dict(done.get(account.account_reference, {})))
        for account in listed.value
    ]


# -- merging across banks ------------------------------------------------------------------------


@dataclass(slots=True)
class MergedAccount:
    account_identifier: str
    sources: list[tuple[str, str]]  # (bank org no, accountReference)
    account: Any
    details: Any = None
    transactions: dict[tuple[Any, ...], Any] = field(default_factory=dict)  # identity → Transaction


class Merger:
    """Accounts of all banks, one entry per ``accountIdentifier`` (DSOP “eOppslag”: same identity = duplicate)."""

    def __init__(self) -> None:
        self.accounts: dict[str, MergedAccount] = {}

    def add(self, result: BankResult) -> None:
        for item in result.accounts:
            key = "".join(ch for ch in item.account_identifier if ch.isalnum()).upper()
            merged = self.accounts.get(key)
            if merged is None:
                merged = self.accounts[key] = MergedAccount(item.account_identifier, [], item.account)
            merged.sources.append((result.bank.org_no, item.reference))
            details = item.answers.get(Endpoint.ACCOUNT_DETAILS)
            if merged.details is None and details is not None:
                merged.details = details.value
            transactions = item.answers.get(Endpoint.TRANSACTIONS)
            for transaction in transactions.value if transactions else ():
                # the bank's identifier alone is only unique per bank; with date and amount it names one booking
                identity = (
                    transaction.transaction_identifier,
                    transaction.booking_date,
                    transaction.amount,
                    transaction.credit_debit_indicator,
                )
                merged.transactions.setdefault(identity, transaction)

    @property
    def duplicates(self) -> list[MergedAccount]:
        return [merged for merged in self.accounts.values() if len(merged.sources) > 1]


__all__ = [
    "FINAL",
    "AccountResult",
    "BankResult",
    "FanOut",
    "MergedAccount",
    "Merger",
    "Outcome",
    "Plan",
    "Progress",
    "Recorder",
]
