"""Vergekontroll from the pages: the controller uploads the batch file, each row becomes a case, and the
result lists each ward with the flags and their reasons (DSOP Vergekontroll “Løsningsbeskrivelse”).

Every row is checked before the first call (``read_batch``, ``plan_batch`` with the guardianships
Folkeregisteret registers); a refused batch is shown next to the file field.  A batch lives in the
app's memory (its cases are recorded and stay in the case list).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from opendsop.clock import oslo_today
from opendsop.consumer.web.jobs import Job
from opendsop.consumer.workflows import Assignment, CasePlan, WorkflowRefused, flags, plan_batch, read_batch
from opendsop.consumer.workflows.runtime import Runtime
from opendsop.contracts.registers.facts import to_guardianship
from opendsop.web import PageError, service_role

if TYPE_CHECKING:
    from opendsop.consumer.web.app import AgencyPages

ROLE = service_role("verge")
MAX_BATCH_BYTES = 1_000_000


@dataclass
class Batch:
    year: int
    rows: list[Assignment]
    case_ids: list[str]


async def plan_rows(rt: Runtime, rows: Sequence[Assignment], year: int) -> list[CasePlan]:
    registered = None
    if rt.folkeregister is not None:
        registered = {
            row.ward: [to_guardianship(g) for g in await rt.folkeregister.guardianships(row.ward)] for row in rows
        }
    return plan_batch(rows, today=oslo_today(rt.clock), year=year, registered=registered)


def verge_routes(pages: AgencyPages) -> list[Any]:
    kit = pages.kit
    batches: dict[str, Batch] = {}

    def form_page(request: Request[Any, Any, Any], status: int = 200, **errors: str) -> Response[str]:
        year = oslo_today(kit.clock).year - 1
        return kit.render(request, "verge.html", status=status, year=year, errors=errors)

    @get("/verge")
    async def verge_form(request: Request[Any, Any, Any]) -> Response[str]:
        kit.require(request, kind="staff", role=ROLE)
        return form_page(request)

    @post("/verge", status_code=303)
    async def verge_run(request: Request[Any, Any, Any]) -> Response[str]:
        kit.require(request, kind="staff", role=ROLE)
        session, data = await kit.form(request)
        t = kit.texts[kit.lang(request)]
        try:
            year = int(str(data.get("year", "")).strip())
        except ValueError:
            return form_page(request, 400, year=t["required"])
        upload = data.get("batch")
        text = ""
        if isinstance(upload, UploadFile):
            raw = await upload.read(MAX_BATCH_BYTES + 1)
            text = raw.decode("utf-8-sig", errors="replace") if len(raw) <= MAX_BATCH_BYTES else ""
        if not text.strip():
            return form_page(request, 400, batch=t["required"])
        try:
            rows = read_batch(text)
        except WorkflowRefused as refusal:
            return form_page(request, 400, batch=f"{t['refused']}: {refusal.message}")
        batch_id = secrets.token_urlsafe(9)
        plans: list[CasePlan] = []

        async def plan_all(rt: Runtime) -> CasePlan:
            plans.extend(await plan_rows(rt, rows, year))  # every row refused or accepted before any call
            return plans[0]

        try:
            first = await pages.jobs.start("verge", plan_all)
        except WorkflowRefused as refusal:
            return form_page(request, 400, batch=f"{t['refused']}: {refusal.message}")
        ids = [first]
        for plan in plans[1:]:
            ids.append(await pages.jobs.start("verge", _given(plan)))
        batches[batch_id] = Batch(year, rows, ids)
        return kit.redirect(f"/verge/{batch_id}", session=session)

    @get("/verge/{batch_id:str}")
    async def verge_result(request: Request[Any, Any, Any], batch_id: FromPath[str]) -> Response[str]:
        session = kit.require(request, kind="staff", role=ROLE)
        batch = batches.get(batch_id)
        if batch is None:
            raise PageError(404, "not_found")
        wards = []
        running = False
        for row, case_id in zip(batch.rows, batch.case_ids, strict=True):
            job: Job | None = pages.jobs.get(case_id)
            busy = job is not None and not job.done
            running = running or busy
            found = [] if busy else flags(await pages.store.results(case_id), guardian=row.guardian,
                                          guardian_accounts=row.guardian_accounts)  # fmt: skip
            wards.append({"row": row, "case_id": case_id, "busy": busy, "flags": found})
        return kit.render(request, "verge_result.html", session=session, batch=batch, wards=wards, running=running)

    return [verge_form, verge_run, verge_result]


def _given(plan: CasePlan) -> Any:
    async def planned(_: Runtime) -> CasePlan:
        await asyncio.sleep(0)
        return plan

    return planned


__all__ = ["Batch", "verge_routes"]
