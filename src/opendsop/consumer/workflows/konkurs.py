"""Konkursbehandling: the trustee's case on the debtor (DSOP Konkurs “Løsningsbeskrivelse”).

Decided here, before any call: the debtor is a valid org.nr/fnr/d-nr; a standing bankruptcy
opening exists (its ``kjennelsesdato`` from the Konkursvarsel notices — without one the banks must
reject, so the workflow refuses); the period runs from at most 12 months before ``kjennelsesdato``
to today; ``OnlyPrimaryOwner`` TRUE; no RequesterID, no additional reference; 2b is Account
details and Transactions only (Cards/Roles are refused).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from opendsop.consumer.protocol import CaseParameters
from opendsop.consumer.workflows._base import (
    CasePlan,
    WorkflowRefused,
    endpoints,
    new_case_id,
    party,
    start_after_fact,
)
from opendsop.consumer.workflows._base import (
    lookback_months as _lookback,
)
from opendsop.contracts.registers.clients import Konkursregister
from opendsop.contracts.registers.facts import kjennelsesdato as standing_kjennelsesdato
from opendsop.standard import mandate
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services import KONKURS


async def kjennelsesdato(debtor: str, register: Konkursregister) -> date | None:
    """The ruling date of the opening that stands for ``debtor`` (None: no bankruptcy)."""
    return standing_kjennelsesdato(await register.notices_for(debtor))


def plan_konkurs(
    debtor: str,
    *,
    kjennelsesdato: date | None,
    today: date,
    case_id: str | None = None,
    from_date: date | None = None,
    wanted: Collection[Endpoint] | None = None,
) -> CasePlan:
    debtor = party(debtor, KONKURS, parameter="debtor")
    if kjennelsesdato is None:
        raise WorkflowRefused(
            "debtor: no bankruptcy opening stands in Konkursregisteret for this party; the banks "
            "reject a Konkurs request without one (DSOP Konkurs “Løsningsbeskrivelse”)",
            parameter="debtor",
        )
    start = start_after_fact(
        kjennelsesdato,
        months=_lookback(KONKURS),
        fact_name="kjennelsesdato",
        parameter="kjennelsesdato",
        today=today,
        from_date=from_date,
    )
    plan = endpoints(KONKURS, wanted)
    case = CaseParameters(
        account_info_request_id=case_id or new_case_id(),
        mandate=mandate.KONKURS,
        party_id=debtor,
        from_date=start,
        to_date=today,
        only_primary_owner=True,
    )
    return CasePlan(KONKURS.key, case, plan, {"kjennelsesdato": kjennelsesdato})


__all__ = ["kjennelsesdato", "plan_konkurs"]
