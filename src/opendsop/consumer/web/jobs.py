"""Cases running behind the pages: plan, record, step 1, step 2 — each bank's state as it changes.

A case started from a page runs in a task of the app (``Jobs.start``); the task opens the service's
runtime, plans (refusals come back to the form before any call), records the case and its banks, then
streams step 2, updating one :class:`Job` the case page and its event stream read.  What a bank answered
is recorded as it arrives (``CaseStore``), so a job lost with the process is resumed from the case page
(``Jobs.resume``) without asking again for what is recorded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from opendsop.consumer.fanout import BankResult, Plan
from opendsop.consumer.protocol import BankEndpoint
from opendsop.consumer.workflows import CasePlan, find_banks
from opendsop.consumer.workflows.runtime import Runtime
from opendsop.standard.endpoints import CONTROL_ENDPOINTS, Endpoint
from opendsop.standard.services import get_profile

log = logging.getLogger("opendsop.consumer.web")

RuntimeFactory = Callable[[str | None], AbstractAsyncContextManager[Runtime]]
Planner = Callable[[Runtime], Awaitable[CasePlan]]
RUNNING = "running"


@dataclass
class Job:
    """One case in flight: each bank's state (``running`` or its outcome) and the reason."""

    case_id: str
    states: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # org → (name, state, reason)
    without_api: list[tuple[str, str]] = field(default_factory=list)
    done: bool = False
    error: str | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def touch(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    def banks(self, banks: Sequence[BankEndpoint], without_api: Sequence[tuple[str, str]]) -> None:
        self.states = {bank.org_no: (bank.name or bank.org_no, RUNNING, "") for bank in banks}
        self.without_api = list(without_api)
        self.touch()

    def ended(self, result: BankResult) -> None:
        name = result.bank.name or result.bank.org_no
        self.states[result.bank.org_no] = (name, result.outcome.value, result.reason or "")
        self.touch()

    def finish(self, error: str | None = None) -> None:
        self.done, self.error = True, error
        self.touch()

    async def updates(self) -> AsyncIterator[tuple[str, str, str, str]]:
        """``(org, name, state, reason)`` for every bank now, then each change until the job is done."""
        seen: dict[str, tuple[str, str, str]] = {}
        while True:
            waiter = self.changed
            for org, value in list(self.states.items()):
                if seen.get(org) != value:
                    seen[org] = value
                    yield (org, *value)
            if self.done:
                return
            await waiter.wait()


async def record_case(runtime: Runtime, plan: CasePlan, case_number: str | None) -> None:
    await runtime.store.open_case(
        case_number=case_number or plan.case.account_info_request_id, service=plan.service, parameters=plan.case,
        now=runtime.clock(), retention=runtime.retention, facts=plan.facts,
    )  # fmt: skip


async def find_and_record_banks(runtime: Runtime, plan: CasePlan) -> tuple[list[BankEndpoint], list[tuple[str, str]]]:
    """Step 1: the case's banks (recorded) and the institutions without a Control API."""
    found = await find_banks(plan, runtime.relations, runtime.directory)
    await runtime.store.add_banks(plan.case.account_info_request_id, found.banks)
    return list(found.banks), list(found.without_api)


def recorded_plan(service: str, case: Any) -> Plan:
    """The 2b endpoints of a recorded case (Politi: those its order permits)."""
    from opendsop.consumer.workflows.politi import read_order

    profile = get_profile(service)
    if service == "politi" and case.reference_id:
        order = read_order(case.reference_id)
        wanted = {e for e in CONTROL_ENDPOINTS if e is not Endpoint.ACCOUNTS and order.permits(e)}
        return Plan.for_service(profile, wanted=wanted)
    return Plan.for_service(profile)


class Jobs:
    """The app's running cases, by AccountInfoRequestID."""

    def __init__(self, factory: RuntimeFactory) -> None:
        self.factory = factory
        self.jobs: dict[str, Job] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def get(self, case_id: str) -> Job | None:
        return self.jobs.get(case_id)

    async def start(self, service: str, planner: Planner, case_number: str | None = None) -> str:
        """Plan in the service's runtime and start the case; its id, or the planner's refusal raised here."""
        planned: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        async def run() -> None:
            job: Job | None = None
            try:
                async with self.factory(service) as runtime:
                    plan = await planner(runtime)
                    await record_case(runtime, plan, case_number)  # recorded before the page shows it
                    job = self.jobs[plan.case.account_info_request_id] = Job(plan.case.account_info_request_id)
                    planned.set_result(job.case_id)
                    banks, without_api = await find_and_record_banks(runtime, plan)
                    job.banks(banks, without_api)
                    async for result in runtime.fanout.stream(plan.case, banks, plan.plan):
                        job.ended(result)
                job.finish()
            except Exception as error:
                if not planned.done():
                    planned.set_exception(error)
                    return
                log.exception("a case started from the pages failed")
                if job is not None:
                    job.finish(type(error).__name__)

        self._spawn(run())
        return await planned

    async def resume(self, service: str, case: Any, banks: Sequence[BankEndpoint]) -> None:
        """Ask again what a recorded case is missing (answers already recorded are not asked again)."""
        job = self.jobs[case.id] = Job(case.id)
        job.banks(banks, ())
        plan = recorded_plan(service, case.parameters)

        async def run() -> None:
            try:
                async with self.factory(service) as runtime:
                    async for result in runtime.fanout.stream(case.parameters, banks, plan):
                        job.ended(result)
                job.finish()
            except Exception as error:
                log.exception("resuming a case from the pages failed")
                job.finish(type(error).__name__)

        self._spawn(run())

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


__all__ = ["RUNNING", "Job", "Jobs", "RuntimeFactory", "find_and_record_banks", "record_case", "recorded_plan"]
