"""Digitalt dødsbo for heirs: the estate's accounts as the OED rules deliver them, the overview, the choice.

The heir logs in with the ID-porten stand-in; the estates listed are those the heir registry names for
that person, addressed by position (``/dodsbo/0``), so a page never carries the deceased's number and a
person who is no heir of an estate has no address for it.  The overview is an OED case (DSOP OED
“Løsningsbeskrivelse”: accounts, balances at the date of death and now, transactions from three months
before the death) run by the Digitalt dødsbo agency when an heir asks for it, recorded like every case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from opendsop.consumer.cases import Case
from opendsop.consumer.web import views
from opendsop.consumer.web.estates import CHOICES, SPOUSE, Estate
from opendsop.consumer.web.forms import planner
from opendsop.web import PageError, WebSession

if TYPE_CHECKING:
    from opendsop.consumer.web.app import AgencyPages


def heir_routes(pages: AgencyPages) -> list[Any]:  # noqa: C901 - one closure per route
    kit = pages.kit

    def estate(request: Request[Any, Any, Any], index: int) -> tuple[WebSession, Estate]:
        session = kit.require(request, kind="person")
        estates = pages.heirs.of(session.subject or "")
        if not 0 <= index < len(estates):
            raise PageError(404, "not_found")
        return session, estates[index]

    async def overview_case(deceased: str) -> Case | None:
        cases = [c for c in await pages.store.list_cases(service="oed") if c.parameters.party_id == deceased]
        return cases[0] if cases else None  # newest first

    @get("/dodsbo")
    async def estates(request: Request[Any, Any, Any]) -> Response[str]:
        session = kit.require(request, kind="person")
        return kit.render(request, "estates.html", session=session, estates=pages.heirs.of(session.subject or ""),
                          innsyn_url=pages.innsyn_url)  # fmt: skip

    @get("/dodsbo/{index:int}")
    async def estate_page(request: Request[Any, Any, Any], index: FromPath[int]) -> Response[str]:
        session, found = estate(request, index)
        case = await overview_case(found.deceased)
        accounts: list[dict[str, Any]] = []
        running = False
        death = None
        if case is not None:
            job = pages.jobs.get(case.id)
            running = job is not None and not job.done
            death = views.parse_day(case.facts.get("date_of_death"))
            export = await pages.export(case.id)
            for bank in export.banks:
                for i, account in enumerate(bank.accounts):
                    summary = views.account_summary(bank, i, account)
                    summary["at_death"] = views.balance_at(account, death) if death else None
                    summary["rows"] = views.transaction_rows(account)[:100]
                    accounts.append(summary)
        choices = await pages.choices.latest(found.deceased)
        return kit.render(
            request, "estate.html", session=session, index=index, estate=found, case=case, accounts=accounts,
            running=running, death=death, choices=choices, mine=choices.get(session.subject or ""),
            options=[c for c in CHOICES if c != "uskifte" or found.relation == SPOUSE], errors={},
        )  # fmt: skip

    @post("/dodsbo/{index:int}/overview", status_code=303)
    async def fetch(request: Request[Any, Any, Any], index: FromPath[int]) -> Response[str]:
        _, found = estate(request, index)
        session, _ = await kit.form(request)
        await pages.jobs.start("oed", planner("oed", {"deceased": found.deceased}, ""), f"dodsbo-{index}")
        return kit.redirect(f"/dodsbo/{index}", session=session)

    @post("/dodsbo/{index:int}/choice", status_code=303)
    async def choose(request: Request[Any, Any, Any], index: FromPath[int]) -> Response[str]:
        _, found = estate(request, index)
        session, data = await kit.form(request)
        choice = str(data.get("choice", ""))
        t = kit.texts[kit.lang(request)]
        error = None
        if choice not in CHOICES:
            error = t["invalid_choice"]
        elif choice == "uskifte" and found.relation != SPOUSE:
            error = t["uskifte_spouse"]
        if error is not None:
            raise PageError(400, "invalid_choice", error)
        await pages.choices.record(found.deceased, session.subject or "", choice, now=kit.now())
        return kit.redirect(f"/dodsbo/{index}?saved=1", session=session)

    @get("/dodsbo/{index:int}/overview.pdf")
    async def overview_pdf(request: Request[Any, Any, Any], index: FromPath[int]) -> Response[bytes]:
        _, found = estate(request, index)
        case = await overview_case(found.deceased)
        if case is None:
            raise PageError(404, "overview_pending")
        from opendsop.consumer.web.app import render_export

        return kit.attachment(
            render_export(await pages.export(case.id), "pdf"), f"dodsbo-{index}.pdf", "application/pdf"
        )

    return [estates, estate_page, fetch, choose, overview_pdf]


__all__ = ["heir_routes"]
