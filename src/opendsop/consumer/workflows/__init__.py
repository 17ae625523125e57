"""Case workflows, one module per DSOP service: pure planning, then step 1 and step 2 (the DSOP services'
“Løsningsbeskrivelse” pages).

Each ``plan_*`` turns a case handler's inputs and register facts into a ``CasePlan`` or refuses
(``WorkflowRefused``) before any call; ``find_banks`` runs step 1 and the catalogue lookup and
``run_case`` step 2 through ``FanOut``.
"""

from opendsop.consumer.workflows._base import (
    CasePlan,
    Found,
    HttpRelations,
    MemoryRelations,
    RelationsClient,
    RelationsError,
    WorkflowRefused,
    find_banks,
    run_case,
)
from opendsop.consumer.workflows.fi_utlegg import plan_fi_utlegg
from opendsop.consumer.workflows.konkurs import plan_konkurs
from opendsop.consumer.workflows.nav import plan_nav
from opendsop.consumer.workflows.oed import plan_oed
from opendsop.consumer.workflows.politi import plan_politi, with_servicer
from opendsop.consumer.workflows.skatt import plan_skatt
from opendsop.consumer.workflows.verge import Assignment, Flag, FlagKind, flags, plan_batch, plan_verge, read_batch

__all__ = [
    "Assignment",
    "CasePlan",
    "Flag",
    "FlagKind",
    "Found",
    "HttpRelations",
    "MemoryRelations",
    "RelationsClient",
    "RelationsError",
    "WorkflowRefused",
    "find_banks",
    "flags",
    "plan_batch",
    "plan_fi_utlegg",
    "plan_konkurs",
    "plan_nav",
    "plan_oed",
    "plan_politi",
    "plan_skatt",
    "plan_verge",
    "read_batch",
    "run_case",
    "with_servicer",
]
