"""The start-a-case form of each service: its fields, the checks made before any call, and its planner.

Every field is checked here first (required, a valid fødselsnummer/D-number/organisasjonsnummer, a
date); only then does the planner run, which may still refuse from the registers' facts (no bankruptcy
standing, no date of death, an extradition order for another party …) — that refusal is shown next to
the field the workflow names (``WorkflowRefused.parameter``), and nothing was sent to a bank.
The logged-in user is the case's RequesterID wherever the service carries one (Skatt, NAV, Politi).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from opendsop.clock import oslo_today
from opendsop.consumer.web.jobs import Planner
from opendsop.consumer.workflows import (
    WorkflowRefused,
    plan_fi_utlegg,
    plan_konkurs,
    plan_nav,
    plan_oed,
    plan_politi,
    plan_skatt,
    with_servicer,
)
from opendsop.consumer.workflows._base import party
from opendsop.consumer.workflows.konkurs import kjennelsesdato
from opendsop.consumer.workflows.oed import date_of_death
from opendsop.consumer.workflows.runtime import Runtime
from opendsop.standard.services import get_profile


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str  # text key
    kind: str = "text"  # text | date | checkbox | textarea
    required: bool = False
    hint: str | None = None  # text key


PARTY = Field("party", "party", required=True, hint="party_hint")
FORMS: Mapping[str, tuple[Field, ...]] = {
    "konkurs": (Field("debtor", "debtor", required=True, hint="party_hint"),),
    "oed": (Field("deceased", "deceased", required=True, hint="person_hint"),),
    "fi_utlegg": (Field("debtor", "debtor", required=True, hint="party_hint"),),
    "fi_utlegg_an": (Field("debtor", "debtor", required=True, hint="party_hint"),),
    "skatt": (PARTY, Field("from_date", "from_date", "date"), Field("to_date", "to_date", "date"),
              Field("disponent", "disponent", "checkbox")),
    "nav": (PARTY,),
    "politi": (PARTY, Field("eo", "eo", "textarea", required=True, hint="eo_hint"),
               Field("account", "account", hint="account_hint")),
}  # fmt: skip
# where a workflow's refusal names a parameter, the field it belongs next to
_FIELD_OF = {"fromDate": "from_date", "toDate": "to_date", "kjennelsesdato": "debtor", "OnlyPrimaryOwner": "eo",
             "endpoints": "eo", "RequesterID": None, "Legal-Mandate": None}  # fmt: skip


class FormErrors(Exception):
    """Field name → message (the ``_form`` key for the form as a whole)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def field_of(service: str, refusal: WorkflowRefused) -> str:
    names = {f.name for f in FORMS.get(service, ())}
    parameter = getattr(refusal, "parameter", None) or ""
    name = _FIELD_OF.get(parameter, parameter)
    return name if name in names else "_form"


def check(service: str, data: Mapping[str, Any], t: Mapping[str, str]) -> dict[str, Any]:
    """The form's values, checked without any call; :class:`FormErrors` names each field at fault."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    profile = get_profile(service)
    for spec in FORMS[service]:
        raw = data.get(spec.name)
        text = raw.strip() if isinstance(raw, str) else ""
        if spec.kind == "checkbox":
            values[spec.name] = bool(text)
            continue
        if not text:
            if spec.required:
                errors[spec.name] = t["required"]
            values[spec.name] = None
            continue
        if spec.name in ("party", "debtor", "deceased"):
            try:
                text = party(text, profile, parameter=spec.name)
            except WorkflowRefused as refusal:
                errors[spec.name] = f"{t['invalid_id']} ({refusal.message})"
        elif spec.kind == "date":
            try:
                values[spec.name] = date.fromisoformat(text)
            except ValueError:
                errors[spec.name] = t["invalid_date"]
            continue
        values[spec.name] = text
    if errors:
        raise FormErrors(errors)
    return values


def planner(service: str, values: Mapping[str, Any], user: str) -> Planner:
    """What the job runs in the service's runtime to plan the case (facts from the registers first)."""

    async def plan(rt: Runtime) -> Any:
        today = oslo_today(rt.clock)
        if service == "konkurs":
            ruling = await kjennelsesdato(values["debtor"], rt.konkurs) if rt.konkurs else None
            return plan_konkurs(values["debtor"], kjennelsesdato=ruling, today=today)
        if service == "oed":
            died = await date_of_death(values["deceased"], rt.folkeregister) if rt.folkeregister else None
            return plan_oed(values["deceased"], date_of_death=died, today=today)
        if service in ("fi_utlegg", "fi_utlegg_an"):  # the innkrevingsmyndighet or the alminnelig namsmann
            authority = "an" if service == "fi_utlegg_an" else "im"
            return plan_fi_utlegg(
                values["debtor"], today=today, production=rt.production, configured=rt.mandates, authority=authority
            )
        if service == "skatt":
            return plan_skatt(
                values["party"], requester_id=user, today=today, only_primary_owner=not values["disponent"],
                from_date=values["from_date"], to_date=values["to_date"],
            )  # fmt: skip
        if service == "nav":
            return plan_nav(values["party"], today=today, requester_id=user)
        if service == "politi":
            order = "".join(values["eo"].split())
            planned = plan_politi(order, party_id=values["party"], requester_id=user, now=rt.clock())
            if values.get("account"):
                if rt.relations is None:
                    raise WorkflowRefused("account: no relations hub is configured", parameter="account")
                planned = await with_servicer(planned, values["account"], rt.relations)
            return planned
        raise WorkflowRefused(f"service: {service} has no form", parameter="service")

    return plan


__all__ = ["FORMS", "Field", "FormErrors", "check", "field_of", "planner"]
