"""Every actor's story in a real browser (Chromium) against a tiny ecosystem on free loopback ports.

One ecosystem and one browser for the module: the case handler (Konkurs), the police investigator,
the guardianship controller, the heir (Digitalt dødsbo) and their denial paths; an axe-core check on
every page visited.
"""

from __future__ import annotations

import io
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from opendsop.ecosystem.pages import heir_registry
from opendsop.ecosystem.runner import Running
from opendsop.ecosystem.screenshots import person_login, staff_login, take, wait_for_case, wait_until_gone
from tests.browser import assert_accessible, chromium, need_chromium, page
from tests.ecosystem.harness import Background, tiny_topology

__all__ = ["chromium", "page"]


@pytest.fixture(scope="module")
def ecosystem(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    need_chromium()  # no browser: skip before starting anything
    with Background(tiny_topology(tmp_path_factory.mktemp("ecosystem"))) as running:
        yield running


@pytest.fixture(scope="module")
def agency(ecosystem: Running) -> str:
    return ecosystem.topology.url("agency-ui")


@pytest.fixture(scope="module")
def konkurs_case(ecosystem: Running, agency: str) -> tuple[str, str]:
    """A Konkurs case run through the agency pages over plain HTTP: ``(debtor, case URL)`` once it has ended
    (the stories that read what it left need not depend on the browser story that also runs one)."""
    import re

    population = ecosystem.world.population()
    owners = {a.owner_id for a in population.accounts}
    debtor = next(b for b in population.bankruptcies if b.notice_type == "aapning" and b.debtor_id in owners).debtor_id
    csrf = re.compile(r'name="csrf" value="([^"]+)"')
    with httpx.Client(base_url=agency, timeout=30) as http:
        page = http.get("/login")
        code = http.post("/oidc/authorize", data={"csrf": csrf.findall(page.text)[-1], "username": "bobestyrer"})
        http.get(code.headers["location"])
        form = http.get("/cases/new/konkurs")
        started = http.post("/cases/new/konkurs", data={"csrf": csrf.findall(form.text)[-1], "debtor": debtor})
        assert started.status_code == 303, started.text
        url = started.headers["location"]
        events = http.get(url + "/events")  # the stream ends with "done" when every bank has answered
        assert "event: done" in events.text
    return debtor, url


def audit_records(ecosystem: Running, bank: Any) -> list[Any]:
    """The bank's audit log as stored (read from its database, as `dsop audit show` does)."""
    import asyncio
    import concurrent.futures

    from opendsop.audit.log import SqlAuditLog
    from opendsop.serving import create_engine

    async def read() -> list[Any]:
        engine = create_engine(ecosystem.topology.bank_database(bank))
        try:
            return [row.record for row in await SqlAuditLog(engine).records(limit=100_000)]
        finally:
            await engine.dispose()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # Playwright's loop runs in this thread
        return pool.submit(asyncio.run, read()).result()


def test_a_trustee_starts_a_konkurs_case_follows_it_and_downloads_it(
    ecosystem: Running, agency: str, page: Any
) -> None:
    population = ecosystem.world.population()
    owners = {a.owner_id for a in population.accounts}
    debtor = next(b for b in population.bankruptcies if b.notice_type == "aapning" and b.debtor_id in owners).debtor_id

    staff_login(page, agency, "bobestyrer")
    assert page.locator("h1").inner_text().startswith("Velkommen")
    assert_accessible(page)
    page.get_by_role("link", name="Konkursbehandling (konkurs)").click()
    assert_accessible(page)
    page.get_by_label("Skyldner").fill("123")  # checked before any call
    page.get_by_role("button", name="Start saken").click()
    assert page.locator("#debtor-error").is_visible()
    assert_accessible(page)
    page.get_by_label("Skyldner").fill(debtor)
    page.get_by_label("Saksnummer").fill("KB-2026-1")
    page.get_by_role("button", name="Start saken").click()
    wait_for_case(page)
    assert_accessible(page)
    assert page.locator("#banks .status-ok").count() >= 1
    case_url = page.url

    page.locator("table a[href*='/accounts/']").first.click()
    assert page.locator("svg.chart").count() == 1 or page.locator("#transactions").count() == 1
    assert_accessible(page)

    with page.expect_download() as xlsx:
        page.goto(case_url)
        page.get_by_role("link", name="Excel (XLSX)").click()
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()), read_only=True)
    assert workbook.sheetnames
    with page.expect_download() as pdf:
        page.get_by_role("link", name="PDF").click()
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")
    with page.expect_download() as raw:
        page.get_by_role("link", name="JSON").click()
    assert json.loads(Path(raw.value.path()).read_bytes())

    page.goto(f"{agency}/cases?q=KB-2026")
    assert page.locator("#cases a", has_text="KB-2026-1").count() == 1
    assert_accessible(page)


def test_the_bank_s_operations_team_sees_requests_and_an_audited_click_through(
    ecosystem: Running, konkurs_case: tuple[str, str], page: Any
) -> None:
    debtor, _ = konkurs_case
    owners = {a.owner_id: a.bank_orgnr for a in ecosystem.world.population().accounts}
    bank = next(b for b in ecosystem.topology.banks if b.orgno == owners[debtor])  # asked by the trustee's case
    ops = f"http://{ecosystem.topology.host}:{bank.port}/ops"
    staff_login(page, ops, "drift")
    assert "974760673" in page.locator("main").inner_text()  # the trustee's agency, by consumer
    assert_accessible(page)
    page.get_by_role("link", name="Innkommende forespørsler").first.click()
    assert debtor not in page.locator("main").inner_text()  # no personal data in the list
    assert_accessible(page)
    page.locator("#requests button").first.click()
    assert "revisjonsloggen" in page.get_by_role("status").inner_text()
    assert_accessible(page)
    assert any(r.endpoint == "ops:view" and r.requester_id == "drift" for r in audit_records(ecosystem, bank))
    for path in ("/konkurs", "/limits", "/letters", "/guarantees", "/kfr"):  # the back office over the real platform
        shown = page.goto(ops + path)
        assert shown is not None and shown.status == 200, path
        assert_accessible(page)
    staff_login(page, ops, "brev")
    answer = page.goto(ops + "/requests")
    assert answer is not None and answer.status == 403


def test_a_case_handler_without_the_service_is_refused(agency: str, page: Any) -> None:
    staff_login(page, agency, "uten.tilgang")
    assert "ingen tjenester" in page.locator("main").inner_text()
    answer = page.goto(f"{agency}/cases/new/konkurs")
    assert answer is not None and answer.status == 403
    assert_accessible(page)


def test_a_state_change_without_the_csrf_token_is_refused(agency: str, page: Any) -> None:
    staff_login(page, agency, "bobestyrer")
    answer = page.request.post(f"{agency}/cases/new/konkurs", form={"debtor": "974760673"})
    assert answer.status == 403 and "sikkerhetsnøkkel" in answer.text()


def test_a_lost_session_goes_back_to_the_login(agency: str, page: Any) -> None:
    staff_login(page, agency, "bobestyrer")
    page.context.clear_cookies()
    page.goto(f"{agency}/cases")
    assert "/login" in page.url


def test_the_police_start_a_case_under_an_extradition_order(ecosystem: Running, agency: str, page: Any) -> None:
    from datetime import timedelta

    from opendsop.clock import oslo_today

    population = ecosystem.world.population()
    owned: dict[str, int] = {}
    for account in population.accounts:
        owned[account.owner_id] = owned.get(account.owner_id, 0) + 1
    dead = {d.person_id for d in population.deaths}
    person = next(p.person_id for p in population.persons if owned.get(p.person_id, 0) >= 1 and p.person_id not in dead
                  and p.address_protection is None and p.invalid_reason is None)  # fmt: skip
    today = oslo_today()
    order = httpx.post(
        ecosystem.topology.url("prosecution") + "/extradition-orders",
        json={
            "partyID": person, "mandate": "Straffeprosessloven §210 (3) første punktum",
            "fromDate": (today - timedelta(days=200)).isoformat(), "toDate": today.isoformat(),
            "onlyPrimaryOwner": True, "accountDetails": True, "transactions": True, "cards": False, "roles": False,
            "district": {"districtID": "1", "districtLabel": "Oslo politidistrikt"},
            "approval": {"approvedByID": "pa-1", "approvedByName": "Kari Nordmann", "approvedByRole": "Politiadvokat"},
            "caseID": str(uuid.uuid4()), "validityDays": 30,
        },
        headers={"Authorization": f"Bearer {ecosystem.provisioned.prosecution_api_token}"},
    )  # fmt: skip
    assert order.status_code == 201, order.text
    staff_login(page, agency, "etterforsker", "/cases/new/politi")
    assert_accessible(page)
    page.get_by_label("Part").fill(person)
    page.get_by_label("Utleveringspålegg").fill(order.text.strip())
    page.get_by_role("button", name="Start saken").click()
    wait_for_case(page)
    assert "etterforsker" in page.locator("dl.facts").inner_text()  # the logged-in user is the RequesterID
    assert_accessible(page)


def test_the_controller_runs_vergekontroll_from_a_batch_file(ecosystem: Running, agency: str, page: Any) -> None:
    from opendsop.clock import oslo_today
    from opendsop.ecosystem.tour import wards_to_control

    population = ecosystem.world.population()
    owned: dict[str, list[Any]] = {}
    for account in population.accounts:
        owned.setdefault(account.owner_id, []).append(account)
    year = oslo_today().year - 1
    chosen = wards_to_control(population.guardianships, owned, set(), year)[:1]
    assert chosen
    batch = "ward,guardian\n" + "".join(f"{g.ward_id},{g.guardian_id}\n" for g in chosen)
    staff_login(page, agency, "vergekontroll", "/verge")
    assert_accessible(page)
    page.get_by_label("Kontrollår").fill(str(year))
    page.get_by_label("Batchfil").set_input_files(
        files=[{"name": "batch.csv", "mimeType": "text/csv", "buffer": batch.encode()}]
    )
    page.get_by_role("button", name="Kjør kontrollen").click()
    page.wait_for_url("**/verge/*")
    wait_until_gone(page, ".ward .status-running")  # "henter …" until each ward's case has ended
    assert page.locator("section.ward").count() == 1
    assert (
        page.locator("section.ward").inner_text().count("Flagg") >= 1
        or "Ingen flagg" in page.locator("main").inner_text()
    )
    assert_accessible(page)


def test_an_heir_sees_the_estate_downloads_it_and_records_the_settlement_form(
    ecosystem: Running, agency: str, page: Any
) -> None:
    heirs = heir_registry(ecosystem.world.population()).estates
    heir = next(iter(heirs))
    person_login(page, agency, heir)
    assert_accessible(page)
    page.locator("ul.cards a").first.click()
    page.get_by_role("button", name="Hent oversikt fra bankene").click()
    wait_until_gone(page, "p.status-running")
    assert page.locator("#estate-accounts tbody tr").count() >= 1
    assert_accessible(page)
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Last ned oversikten (PDF)").click()
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")
    page.get_by_label("Privat skifte").check()
    page.get_by_role("button", name="Registrer valget").click()
    assert "Privat skifte" in page.get_by_role("status").inner_text()


def test_a_person_who_is_no_heir_sees_no_estate(ecosystem: Running, agency: str, page: Any) -> None:
    heirs = heir_registry(ecosystem.world.population()).estates
    dead = {d.person_id for d in ecosystem.world.population().deaths}
    stranger = next(p.person_id for p in ecosystem.world.population().persons if p.person_id not in heirs
                    and p.person_id not in dead and p.invalid_reason is None)  # fmt: skip
    person_login(page, agency, stranger)
    assert "ikke registrert som arving" in page.locator("main").inner_text()
    answer = page.goto(f"{agency}/dodsbo/0")
    assert answer is not None and answer.status == 404
    answer = page.goto(f"{agency}/cases")
    assert answer is not None and answer.status == 403  # a person is no case handler


def test_dsop_ui_screenshots_writes_a_png_per_page(ecosystem: Running, tmp_path: Path) -> None:
    import concurrent.futures

    # DSOP_SCREENSHOTS=DIR: every actor into DIR; else the actors that start no new case, to stay quick
    out = Path(os.environ.get("DSOP_SCREENSHOTS") or tmp_path)
    only = None if os.environ.get("DSOP_SCREENSHOTS") else ("police", "bank", "citizen")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # its own Playwright, beside this module's
        written = pool.submit(take, ecosystem.topology, out, only=only).result()
    names = {path.name.split("-")[0] for path in written}
    assert names == set(only or ("agency", "police", "verge", "heir", "bank", "citizen"))
    assert all(path.read_bytes().startswith(b"\x89PNG") for path in written)
