"""Politi-utlevering: one party's case under a signed extradition order (DSOP Politi “Løsningsbeskrivelse”).

Decided here, before any call: the order (JWS) is readable and passes its content checks (mandate,
reason, 10-year look-back, accountList, at most 90 days valid and valid now); the party asked about
is the order's ``partyID``; **RequesterID** (the investigator) present; the Legal-Mandate is the
order's; the period is the order's, ending today at the latest; ``OnlyPrimaryOwner`` is the order's
(an order with ``true`` allows nothing else); the 2b endpoints are those the order permits — asking
for one it does not permit is refused (the bank would answer 403 ACC-011).  The order rides on every
request as ``AdditionalReferenceIDType`` ``pol1``.  The signature is the bank's to verify
(contracts.extradition_order); the agency only forwards what the prosecution signed.

Step 1 is either ``customerRelationships`` or, from an account number, ``accountServicingProvider``
(Politi alone may call it), which names the one bank to ask.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from opendsop.clock import in_oslo
from opendsop.consumer.protocol import CaseParameters
from opendsop.consumer.workflows._base import (
    CasePlan,
    RelationsClient,
    WorkflowRefused,
    endpoints,
    new_case_id,
    party,
    requester,
)
from opendsop.standard import extradition
from opendsop.standard.endpoints import CONTROL_ENDPOINTS, Endpoint
from opendsop.standard.errors import DsopError, InvalidExtraditionOrder
from opendsop.standard.services import POLITI
from opendsop.standard.services._profile import ReferenceKind


def read_order(jws: str) -> extradition.ExtraditionOrder:
    """The order's claims from its compact JWS (payload only: the bank verifies the signature)."""
    parts = jws.strip().split(".")
    if len(parts) != 3 or not all(parts):
        raise InvalidExtraditionOrder(
            "the extradition order must be a compact JWS (three dot-separated parts)", parameter="eo"
        )
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
    except (binascii.Error, ValueError):
        raise InvalidExtraditionOrder("the extradition order's payload is not base64url", parameter="eo") from None
    return extradition.parse_claims(payload)


def plan_politi(
    order_jws: str,
    *,
    party_id: str,
    requester_id: str | None,
    now: datetime,
    case_id: str | None = None,
    only_primary_owner: bool | None = None,
    wanted: Collection[Endpoint] | None = None,
) -> CasePlan:
    party_id = party(party_id, POLITI, parameter="party")
    requester_id = requester(POLITI, requester_id, who="the investigator")
    now = in_oslo(now)  # the order's and the period's "today" is the Oslo day
    try:
        order = read_order(order_jws)
        extradition.check_order(order, now=now)
        mandate = extradition.order_mandate(order)
    except DsopError as error:
        raise WorkflowRefused(error.message, parameter="eo") from None
    if order.party_id != party_id:
        raise WorkflowRefused(
            "party: the extradition order is for another party (its partyID differs)", parameter="party"
        )
    if order.only_primary_owner and only_primary_owner is False:
        raise WorkflowRefused(
            "OnlyPrimaryOwner: the extradition order allows owned accounts only (true)", parameter="OnlyPrimaryOwner"
        )
    permitted = {e for e in CONTROL_ENDPOINTS if e is not Endpoint.ACCOUNTS and order.permits(e)}
    if wanted is not None:
        beyond = sorted(e.operation_id for e in wanted if e is not Endpoint.ACCOUNTS and e not in permitted)
        if beyond:
            raise WorkflowRefused(
                f"endpoints: the extradition order does not permit {', '.join(beyond)} "
                "(the bank would answer 403 ACC-011)",
                parameter="endpoints",
            )
    plan = endpoints(POLITI, permitted if wanted is None else set(wanted) & permitted)
    today = now.date()
    if order.from_date > today:
        raise WorkflowRefused(f"the extradition order's period starts {order.from_date}, after today", parameter="eo")
    case = CaseParameters(
        account_info_request_id=case_id or new_case_id(),
        mandate=mandate,
        party_id=party_id,
        from_date=order.from_date,
        to_date=min(order.to_date, today),
        only_primary_owner=order.only_primary_owner if only_primary_owner is None else only_primary_owner,
        requester_id=requester_id,
        reference_type=ReferenceKind.EXTRADITION_ORDER.value,
        reference_id=order_jws.strip(),
    )
    return CasePlan(POLITI.key, case, plan, {"extraditionOrderID": order.extradition_order_id})


async def with_servicer(plan: CasePlan, account: str, relations: RelationsClient) -> CasePlan:
    """Step 1 by account number: ask only the institution that services ``account``."""
    # 11 digits; no MOD11 check, as KAR does none on this endpoint (DSOP “Endpoint customerRelationships V.2.0”)
    number = "".join(ch for ch in account if ch not in " .")
    if len(number) != 11 or not number.isdigit():
        raise WorkflowRefused("account: a kontonummer has 11 digits (spaces and dots allowed)", parameter="account")
    provider = await relations.account_servicing_provider(number, plan.case)
    org = provider.organization_id or provider.legacy_organization_id
    if not org:
        raise WorkflowRefused("account: the relations hub named no institution for this account", parameter="account")
    return replace(plan, step1=False, banks=(str(org),), facts={**plan.facts, "servicer": str(org)})


__all__ = ["plan_politi", "read_order", "with_servicer"]
