# SPDX-License-Identifier: Apache-2.0
"""A bank's fraud desk: recall money from receiving banks over the message platform, and answer recalls.

Design, no public specification (docs/decisions.md, "Fraud cooperation and report confirmation"):

* The paying bank recalls each outgoing transaction it holds (``standard.fraud.new_recall``) as one
  correspondence on the resource ``dsop-fraud-recall`` to the bank that owns the receiving account's
  bank code (``directory``: bank code → organisation number), ``sendersReference`` = the case id,
  ``dueDateTime`` = the answer deadline, the recall in ``propertyList``, ``idempotentKey`` = case and
  transaction (a retried send never recalls twice).
* The receiving bank answers with a reply on the same resource (``POST {id}/reply``): frozen amount,
  already withdrawn or returned (``standard.fraud.answer_recall``).
* The paying bank's case is read back from the platform: its sent recalls and the replies to them; a
  recall with no reply after its deadline shows as ``overdue``.  The platform is the case's store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from opendsop.clock import in_oslo
from opendsop.contracts.messaging import MessagingClient
from opendsop.contracts.messaging.models import (
    Correspondence,
    CorrespondenceContent,
    CorrespondenceOverview,
    InitializeCorrespondences,
    Resource,
)
from opendsop.contracts.messaging.names import ORG_URN, CorrespondenceStatus, Role
from opendsop.provider.store.base import RowStore
from opendsop.standard import fraud
from opendsop.standard.control.v2.values import CreditOrDebit

RESOURCE: Final = "dsop-fraud-recall"


def recall_resource(banks: Iterable[str], *, owner: str) -> Resource:
    """The platform resource: every participating bank may send recalls to every other."""
    members = sorted(set(banks))
    return Resource(
        identifier=RESOURCE,
        owner=owner,
        title="Tilbakekall ved svindel",
        kinds=["correspondence"],
        senders=members,
        recipients=members,
    )


@dataclass(frozen=True, slots=True)
class RecallLine:
    """One transaction of a case as the paying bank sees it."""

    request: fraud.RecallRequest
    receiving_bank: str
    state: fraud.RecallState
    outcome: fraud.Outcome | None = None
    frozen_amount: Decimal | None = None
    late: bool = False
    mule_flag: fraud.MuleFlag | None = None  # the receiving bank's suspicion, seen by the case's parties


def _org(urn: str) -> str:
    return urn.removeprefix(ORG_URN).removeprefix("0192:")


def _request(overview: CorrespondenceOverview) -> fraud.RecallRequest:
    p = overview.property_list
    try:
        return fraud.RecallRequest(
            recall_id=p["recallId"],
            case_id=p["caseId"],
            transaction_id=p["transactionId"],
            to_account=p["toAccount"],
            receiving_bank_code=p["toAccount"][:4],
            amount=Decimal(p["amount"]),
            sent_at=datetime.fromisoformat(p["sentAt"]),
            deadline=datetime.fromisoformat(p["deadline"]),
        )
    except (KeyError, ValueError, ArithmeticError):
        raise fraud.FraudError("FRD-009", f"correspondence {overview.correspondence_id} is not a recall") from None


async def outgoing_transactions(
    store: RowStore, account_id: str, account_number: str, *, start: datetime, end: datetime, limit: int = 1000
) -> dict[str, fraud.Transaction]:
    """The payments out of one of the bank's own accounts booked in ``[start, end)`` that name the receiving
    account: what a fraud case may recall (the bank holds exactly these)."""
    held: dict[str, fraud.Transaction] = {}
    after: tuple[datetime, str] | None = None
    while True:
        page = await store._transactions(account_id, start, end, after, limit)  # noqa: SLF001 (the party's own store)
        for item in page:
            receiver = next((c.account_identifier for c in item.counter_parties or () if c.account_identifier), None)
            if item.credit_debit_indicator != CreditOrDebit.DEBIT or receiver is None or item.amount is None:
                continue
            booked = in_oslo(item.booking_date).date() if item.booking_date else in_oslo(start).date()
            held[item.transaction_identifier] = fraud.Transaction(
                item.transaction_identifier, account_number, receiver, Decimal(item.amount), booked
            )
        if len(page) < limit:
            return held
        last = page[-1]
        after = (last.booking_date or start, last.transaction_identifier)


class FraudDesk:
    """One bank's side of recalls, over ``client`` (a messaging client acting as the bank ``orgno``)."""

    def __init__(
        self,
        orgno: str,
        client: MessagingClient,
        *,
        directory: Mapping[str, str],
        legal_basis: Mapping[str, str | None],
        clock: Callable[[], datetime],
        deadline: timedelta = fraud.DEFAULT_DEADLINE,
    ) -> None:
        self.orgno, self._client, self._directory = orgno, client, directory
        self._legal_basis, self._clock, self._deadline = legal_basis, clock, deadline

    async def _sent(self, case_id: str | None = None) -> list[CorrespondenceOverview]:
        found: list[CorrespondenceOverview] = []
        cursor: str | None = None
        while True:
            page = await self._client.search(
                role=Role.SENDER, resource_id=RESOURCE, senders_reference=case_id, cursor=cursor
            )
            found += [item for item in page.items if item.reply_to is None]
            if not page.next:
                return found
            cursor = page.next

    async def recall(
        self, case_id: str, kind: fraud.FraudType, transaction_ids: Sequence[str], held: Mapping[str, fraud.Transaction]
    ) -> list[fraud.RecallRequest]:
        """Send one recall per transaction (FRD-001 not held, FRD-002 already recalled, FRD-010 no legal basis)."""
        basis = fraud.require_legal_basis(fraud.Flow.RECALL, self._legal_basis)
        recalled = {item.property_list.get("transactionId") for item in await self._sent()}
        now = self._clock()
        requests = []
        for transaction_id in transaction_ids:  # check all before sending any
            recall_id = f"{case_id}:{transaction_id}"
            request = fraud.new_recall(
                recall_id,
                case_id,
                transaction_id,
                held=held,
                already_recalled={t for t in recalled if t},
                now=now,
                deadline=self._deadline,
            )
            if request.receiving_bank_code not in self._directory:
                raise fraud.FraudError(
                    "FRD-008", f"bank code {request.receiving_bank_code} has no bank on the message platform"
                )
            recalled.add(transaction_id)
            requests.append(request)
        for request in requests:
            await self._client.initialize(
                InitializeCorrespondences(
                    correspondence=Correspondence(
                        resource_id=RESOURCE,
                        senders_reference=case_id,
                        content=CorrespondenceContent(
                            message_title=f"Tilbakekall ved svindel ({kind.value})",
                            message_body=f"Frys og returner {request.amount} NOK til konto {request.to_account}.",
                        ),
                        due_date_time=request.deadline,
                        property_list={
                            "recallId": request.recall_id,
                            "caseId": case_id,
                            "transactionId": request.transaction_id,
                            "toAccount": request.to_account,
                            "amount": str(request.amount),
                            "fraudType": kind.value,
                            "sentAt": request.sent_at.isoformat(),
                            "deadline": request.deadline.isoformat(),
                            "legalBasis": basis,
                        },
                        is_confidential=True,
                    ),
                    recipients=[ORG_URN + self._directory[request.receiving_bank_code]],
                    idempotent_key=request.recall_id,
                )
            )
        return requests

    async def incoming(self) -> list[tuple[str, fraud.RecallRequest, str]]:
        """Recalls to this bank not yet answered: (correspondence id, request, paying bank)."""
        found = []
        async for item in self._client.inbox(resource_id=RESOURCE):
            if item.reply_to is None and item.status != CorrespondenceStatus.REPLIED:
                found.append((item.correspondence_id, _request(item), _org(item.sender)))
        return found

    async def answer(
        self,
        correspondence_id: str,
        outcome: str,
        *,
        frozen_amount: str | int | Decimal = 0,
        mule_reason: str | None = None,
        mule_days: int = 90,
    ) -> fraud.RecallAnswer:
        """Answer one recall (FRD-009 unknown or already answered, FRD-008 a bad amount); with ``mule_reason``
        the receiving account is flagged as a suspected money-mule account in the answer (``flag_account``)."""
        overview = await self._client.get(correspondence_id)
        if overview.resource_id != RESOURCE or overview.reply_to is not None:
            raise fraud.FraudError("FRD-009", f"correspondence {correspondence_id} is not a recall to this bank")
        if overview.status == CorrespondenceStatus.REPLIED:
            raise fraud.FraudError("FRD-009", f"recall {correspondence_id} is already answered")
        request = _request(overview)
        answer = fraud.answer_recall(request, outcome, frozen_amount=frozen_amount, answered=None, now=self._clock())
        flag: dict[str, str] = {}
        if mule_reason is not None:
            mule = fraud.flag_account(
                request.to_account,
                case_id=request.case_id,
                case_parties={_org(overview.sender), self.orgno},
                flagged_by=self.orgno,
                reason=mule_reason,
                today=in_oslo(self._clock()).date(),
                days=mule_days,
            )
            flag = {"muleReason": mule.reason, "muleExpires": mule.expires.isoformat()}
        await self._client.reply(
            correspondence_id,
            CorrespondenceContent(message_title="Svar på tilbakekall", message_body=f"{answer.outcome.value}"),
            senders_reference=overview.senders_reference,
            property_list={
                "recallId": answer.recall_id,
                "outcome": answer.outcome.value,
                "frozenAmount": str(answer.frozen_amount),
                "answeredAt": answer.answered_at.isoformat(),
                "late": "true" if answer.late else "false",
                **flag,
            },
            idempotent_key=f"answer:{answer.recall_id}",
        )
        return answer

    async def case(self, case_id: str) -> list[RecallLine]:
        """The paying bank's case: each recall with the receiving bank's answer, or waiting / overdue."""
        sent = await self._sent(case_id)
        answers: dict[str, CorrespondenceOverview] = {}
        async for item in self._client.inbox(resource_id=RESOURCE):
            if item.reply_to is not None:
                answers[item.reply_to] = item
        now = self._clock()
        lines = []
        for item in sorted(sent, key=lambda i: i.property_list.get("transactionId", "")):
            request = _request(item)
            reply = answers.get(item.correspondence_id)
            if reply is None:
                lines.append(RecallLine(request, _org(item.recipient), fraud.recall_state(request, None, now=now)))
                continue
            p = reply.property_list
            flags = (
                [
                    fraud.MuleFlag(
                        request.to_account,
                        case_id,
                        p["muleReason"],
                        _org(item.recipient),
                        date.fromisoformat(p["muleExpires"]),
                    )
                ]
                if "muleReason" in p
                else []
            )
            parties = {case_id: {self.orgno, _org(item.recipient)}}
            seen = fraud.visible_flags(flags, viewer=self.orgno, parties_of=parties, today=in_oslo(now).date())
            lines.append(
                RecallLine(
                    request,
                    _org(item.recipient),
                    fraud.RecallState.ANSWERED,
                    fraud.Outcome(p["outcome"]),
                    Decimal(p["frozenAmount"]),
                    p.get("late") == "true",
                    seen[0] if seen else None,
                )
            )
        return lines


__all__ = ["RESOURCE", "FraudDesk", "RecallLine", "outgoing_transactions", "recall_resource"]
