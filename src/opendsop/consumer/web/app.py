"""The agency's pages: case handlers start and follow cases, controllers run Vergekontroll, heirs see estates.

Server-rendered (``opendsop.web``), plain forms; the case page follows each bank live over server-sent
events (``/cases/{id}/events``) and works without JavaScript (a refresh link).  Routes::

    GET  /                          the services the logged-in case handler may start, the latest cases
    GET  /cases?q=&service=         the case list with search          GET /cases/new/{service}  the form
    POST /cases/new/{service}       checked, planned, started → 303 /cases/{id}
    GET  /cases/{id}                facts, each bank's state, the accounts; downloads; resume
    GET  /cases/{id}/events         server-sent events: each bank's state as it changes, then "done"
    POST /cases/{id}/resume         ask again for what is missing
    GET  /cases/{id}/banks/{org}/accounts/{n}?q=&from=&to=&page=   balances, chart, transactions
    GET  /cases/{id}/export/{xlsx|pdf|json}
    GET  /verge   POST /verge       Vergekontroll: a batch file → one case per ward → /verge/{batch}
    GET  /dodsbo  GET /dodsbo/{n}   Digitalt dødsbo, for heirs (persons): the estate, the overview, the choice

A case handler sees and starts only the cases of the services their roles name (``service:<key>``);
a person sees only the estates they are an heir of.
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from litestar import Litestar, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import ServerSentEvent, ServerSentEventMessage

from opendsop.clock import Clock, utc_now
from opendsop.consumer import exports
from opendsop.consumer.cases import Case, CaseStore
from opendsop.consumer.exports.labels import balance_history, fact_label, service_label
from opendsop.consumer.web import views
from opendsop.consumer.web.estates import Choices, HeirRegistry
from opendsop.consumer.web.forms import FORMS, FormErrors, check, field_of, planner
from opendsop.consumer.web.jobs import Jobs, RuntimeFactory
from opendsop.consumer.web.texts import TEXTS, TITLE
from opendsop.consumer.web.verge import verge_routes
from opendsop.consumer.workflows import WorkflowRefused
from opendsop.serving import observe
from opendsop.web import PageError, StaffDirectory, WebKit, WebSession, service_role
from opendsop.web.kit import SECURITY_HEADERS

PAGES = Path(__file__).parent / "pages"
STARTABLE = tuple(FORMS)  # services with a start form (Vergekontroll runs from a batch file)
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf",
           "json": "application/json"}  # fmt: skip


@dataclass
class AgencyPages:
    """What the pages need: the case store, the runtimes, who may log in, the heirs, the clock."""

    store: CaseStore
    jobs: Jobs
    kit: WebKit
    choices: Choices
    heirs: HeirRegistry
    innsyn_url: str | None = None

    def services(self, session: WebSession) -> list[str]:
        return [role.removeprefix("service:") for role in session.roles if role.startswith("service:")]

    async def case(self, request: Request[Any, Any, Any], case_id: str) -> tuple[WebSession, Case]:
        session = self.kit.require(request, kind="staff")
        case = await self.store.get(case_id)
        if case is None:
            raise PageError(404, "not_found")
        if not session.has(service_role(case.service)):
            raise PageError(403, "forbidden")
        return session, case

    async def export(self, case_id: str) -> exports.CaseExport:
        return await exports.load_case_export(self.store, case_id)

    def bank_states(self, case_id: str, export: exports.CaseExport) -> list[dict[str, str]]:
        job = self.jobs.get(case_id)
        if job is not None and not job.done:
            return [{"org": org, "name": name, "state": state, "reason": reason}
                    for org, (name, state, reason) in job.states.items()]  # fmt: skip
        return [{"org": b.bank.org_no, "name": b.bank.name or b.bank.org_no, "state": b.state, "reason": b.reason or ""}
                for b in export.banks]  # fmt: skip


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


HOME = "/start"  # the case handler's start page


def case_routes(pages: AgencyPages) -> list[Any]:  # noqa: C901 - one closure per route
    kit = pages.kit

    @get(HOME)  # "/" is the party's own page (opendsop.party_pages), which links here
    async def home(request: Request[Any, Any, Any]) -> Response[str]:
        session = kit.session(request)
        if session.kind == "person":
            return kit.redirect("/dodsbo")
        session = kit.require(request, kind="staff")
        allowed = pages.services(session)
        cases = [c for c in await pages.store.list_cases() if c.service in allowed][:10]
        return kit.render(request, "home.html", session=session, services=[(s, service_label(s)) for s in allowed
                          if s in STARTABLE], verge="verge" in allowed, cases=cases, label=service_label)  # fmt: skip

    @get("/cases")
    async def case_list(request: Request[Any, Any, Any]) -> Response[str]:
        session = kit.require(request, kind="staff")
        allowed = pages.services(session)
        wanted = request.query_params.get("service") or None
        needle = (request.query_params.get("q") or "").strip().lower()
        listed = await pages.store.list_cases(service=wanted if wanted in allowed else None)
        cases = [
            c for c in listed
            if c.service in allowed and needle in f"{c.case_number} {c.parameters.party_id} {c.id}".lower()
        ]  # fmt: skip
        return kit.render(request, "cases.html", session=session, cases=cases, q=needle, service=wanted or "",
                          services=[(s, service_label(s)) for s in allowed], label=service_label)  # fmt: skip

    @get("/cases/new/{service:str}")
    async def new_case(request: Request[Any, Any, Any], service: FromPath[str]) -> Response[str]:
        if service not in FORMS:
            raise PageError(404, "not_found")
        session = kit.require(request, kind="staff", role=service_role(service))
        return kit.render(request, "new_case.html", session=session, service=service, label=service_label(service),
                          fields=FORMS[service], values={}, errors={})  # fmt: skip

    @post("/cases/new/{service:str}", status_code=303)
    async def start_case(request: Request[Any, Any, Any], service: FromPath[str]) -> Response[str]:
        if service not in FORMS:
            raise PageError(404, "not_found")
        kit.require(request, kind="staff", role=service_role(service))
        session, data = await kit.form(request)
        t = kit.texts[kit.lang(request)]
        try:
            values = check(service, data, t)
            case_id = await pages.jobs.start(
                service,
                planner(service, values, session.subject or ""),
                (data.get("case_number") or "").strip() or None,
            )
        except FormErrors as bad:
            errors = bad.errors
        except WorkflowRefused as refusal:
            errors = {field_of(service, refusal): f"{t['refused']}: {refusal.message}"}
        else:
            return kit.redirect(f"/cases/{case_id}", session=session)
        return kit.render(request, "new_case.html", status=400, session=session, service=service,
                          label=service_label(service), fields=FORMS[service], values=data, errors=errors)  # fmt: skip

    @get("/cases/{case_id:str}")
    async def case_page(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Response[str]:
        session, case = await pages.case(request, case_id)
        export = await pages.export(case_id)
        job = pages.jobs.get(case_id)
        running = job is not None and not job.done
        return kit.render(request, "case.html", session=session, case=case, label=service_label(case.service),
                          fact_label=fact_label,
                          banks=pages.bank_states(case_id, export), running=running,
                          without_api=job.without_api if job else [], accounts=views.accounts(export),
                          balances=views.balances(export) if case.service in views.BALANCE_SERVICES else [],
                          resumable=not running and any(b.outcome is None or b.state not in ("ok", "denied")
                                                        for b in export.banks))  # fmt: skip

    @get("/cases/{case_id:str}/events")
    async def case_events(request: Request[Any, Any, Any], case_id: FromPath[str]) -> ServerSentEvent:
        await pages.case(request, case_id)
        t = kit.texts[kit.lang(request)]
        job = pages.jobs.get(case_id)

        async def stream() -> AsyncIterator[ServerSentEventMessage]:
            if job is not None:
                async for org, _name, state, reason in job.updates():
                    text = t.get(state, state) + (f" — {reason}" if reason and state != "running" else "")
                    yield ServerSentEventMessage(data=json.dumps({"id": org, "text": text, "state": state}))
            yield ServerSentEventMessage(data="{}", event="done")

        return ServerSentEvent(stream(), headers=SECURITY_HEADERS)

    @post("/cases/{case_id:str}/resume", status_code=303)
    async def resume(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Response[str]:
        _, case = await pages.case(request, case_id)
        session, _ = await kit.form(request)
        job = pages.jobs.get(case_id)
        if job is None or job.done:
            await pages.jobs.resume(case.service, case, await pages.store.banks(case_id))
        return kit.redirect(f"/cases/{case_id}", session=session)

    @get("/cases/{case_id:str}/banks/{org:str}/accounts/{index:int}")
    async def account_page(
        request: Request[Any, Any, Any], case_id: FromPath[str], org: FromPath[str], index: FromPath[int]
    ) -> Response[str]:
        session, case = await pages.case(request, case_id)
        found = views.find_account(await pages.export(case_id), org, index)
        if found is None:
            raise PageError(404, "not_found")
        bank, account = found
        t = kit.texts[kit.lang(request)]
        q = request.query_params
        text, start, end = (q.get("q") or "").strip(), views.parse_day(q.get("from")), views.parse_day(q.get("to"))
        rows = views.filtered(views.transaction_rows(account), text=text, start=start, end=end)
        shown, page, pageno = views.paged(rows, _int(q.get("page"), 1))
        kept = {k: v for k, v in (("q", text), ("from", q.get("from") or ""), ("to", q.get("to") or "")) if v}
        return kit.render(
            request, "account.html", session=session, case=case, summary=views.account_summary(bank, index, account),
            chart=views.chart(balance_history(account), title=t["chart_title"], labels=t), rows=shown, page=page,
            pages=pageno, total=len(rows), filter={"q": text, "from": q.get("from") or "", "to": q.get("to") or ""},
            pager_href=request.url.path + "?" + urlencode({**kept, "page": ""}),
        )  # fmt: skip

    @get("/cases/{case_id:str}/export/{form:str}")
    async def export(request: Request[Any, Any, Any], case_id: FromPath[str], form: FromPath[str]) -> Response[bytes]:
        await pages.case(request, case_id)
        if form not in FORMATS:
            raise PageError(404, "not_found")
        return kit.attachment(render_export(await pages.export(case_id), form), f"case-{case_id}.{form}", FORMATS[form])

    return [home, case_list, new_case, start_case, case_page, case_events, resume, account_page, export]


def render_export(export: exports.CaseExport, form: str) -> bytes:
    if form == "json":
        return exports.to_json(export)
    out = io.BytesIO()
    if form == "xlsx":
        exports.write_xlsx(export, out)
    else:
        exports.write_pdf(export, out)
    return out.getvalue()


def create_app(
    *,
    database_url: str,
    runtime_factory: RuntimeFactory,
    staff: StaffDirectory,
    heirs: HeirRegistry | None = None,
    secret: str | None = None,
    secure: bool = False,
    clock: Clock = utc_now,
    innsyn_url: str | None = None,
) -> Litestar:
    """The agency's pages over its case store and the services' runtimes (see the module)."""
    from opendsop.consumer.web.heirs import heir_routes

    store = CaseStore.from_url(database_url)
    kit = WebKit(
        title=TITLE, templates=PAGES, texts=TEXTS, persons=True, staff=staff,
        secret=secret or secrets.token_urlsafe(32), secure=secure, clock=clock, client_id="agency-ui", home=HOME,
        nav=[(HOME, "start", "staff"), ("/cases", "cases", "staff"), ("/verge", "verge_nav", "staff"),
             ("/dodsbo", "dodsbo_nav", "person")],
    )  # fmt: skip
    pages = AgencyPages(store, Jobs(runtime_factory), kit, Choices(store.engine), heirs or HeirRegistry(), innsyn_url)

    async def startup() -> None:
        await store.create_schema()
        await pages.choices.create_schema()

    async def shutdown() -> None:
        await pages.jobs.close()
        await store.close()

    handlers = [*case_routes(pages), *verge_routes(pages), *heir_routes(pages)]
    app = Litestar(
        route_handlers=[kit.router(handlers)],
        on_startup=[startup],
        on_shutdown=[shutdown],
        openapi_config=None,
        logging_config=None,  # Litestar's default would replace the project's JSON logging for every party
    )
    app.state["agency_pages"] = pages
    return observe(app, "agency-ui", title="Saksbehandling / case handling")


__all__ = ["FORMATS", "AgencyPages", "create_app", "render_export"]
