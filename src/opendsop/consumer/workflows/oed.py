"""Oppgjør etter dødsfall (Digitalt dødsbo): the estate's view of the deceased (DSOP OED “Løsningsbeskrivelse”).

Decided here, before any call: the deceased is a person (fnr/d-nr); Folkeregisteret records a date
of death (the banks confirm it in FREG, so without one the workflow refuses); the period runs from
at most 3 months before the date of death to today; ``OnlyPrimaryOwner`` TRUE; no RequesterID, no
additional reference; 2b is Account details and Transactions only.
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
from opendsop.contracts.registers.clients import Folkeregister
from opendsop.standard import mandate
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services import OED


async def date_of_death(deceased: str, register: Folkeregister) -> date | None:
    person = await register.person(deceased)
    return None if person is None else person.doedsdato


def plan_oed(
    deceased: str,
    *,
    date_of_death: date | None,
    today: date,
    case_id: str | None = None,
    from_date: date | None = None,
    wanted: Collection[Endpoint] | None = None,
) -> CasePlan:
    deceased = party(deceased, OED, parameter="deceased")
    if date_of_death is None:
        raise WorkflowRefused(
            "deceased: Folkeregisteret records no date of death for this person; the banks "
            "confirm the death in FREG (DSOP OED “Løsningsbeskrivelse”)",
            parameter="deceased",
        )
    start = start_after_fact(
        date_of_death,
        months=_lookback(OED),
        fact_name="the date of death",
        parameter="deceased",
        today=today,
        from_date=from_date,
    )
    case = CaseParameters(
        account_info_request_id=case_id or new_case_id(),
        mandate=mandate.OED,
        party_id=deceased,
        from_date=start,
        to_date=today,
        only_primary_owner=True,
    )
    return CasePlan(OED.key, case, endpoints(OED, wanted), {"date_of_death": date_of_death})


__all__ = ["date_of_death", "plan_oed"]
