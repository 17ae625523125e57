"""The tiny ecosystem served for real on loopback: the tour end to end, ``dsop case`` from a second
terminal, a killed case resumed to the same result, and Ctrl-C stopping every party (issues 6 and 7)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from opendsop.consumer.fanout import Outcome
from opendsop.ecosystem.consent_tour import run_consent_story
from opendsop.ecosystem.inprocess_consent import Person
from opendsop.ecosystem.runner import Running, bind
from opendsop.ecosystem.topology import Topology
from opendsop.ecosystem.tour import TourReport, run_tour
from opendsop.standard.endpoints import Endpoint
from opendsop.synth import generate
from opendsop.synth.consent_sources import for_population
from tests.ecosystem.harness import DSOP, Background, Gate, dsop, dsop_background, tiny_topology

pytestmark = pytest.mark.timeout(600)
POPULATION = generate("tiny").population()
DEBTOR = next(
    b
    for b in POPULATION.bankruptcies
    if b.notice_type == "aapning" and any(a.owner_id == b.debtor_id for a in POPULATION.accounts)
)
DEBTOR_BANK = next(a.bank_orgnr for a in POPULATION.accounts if a.owner_id == DEBTOR.debtor_id)


@pytest.fixture(scope="module")
def gate() -> Gate:
    return Gate()


@pytest.fixture(scope="module")
def ecosystem(tmp_path_factory: pytest.TempPathFactory, gate: Gate) -> Iterator[Running]:
    topology = tiny_topology(tmp_path_factory.mktemp("ecosystem"))

    def wrap(party: str, app: Any) -> Any:
        return gate.wrap(app) if party == f"bank {DEBTOR_BANK}" else app

    with Background(topology, wrap) as running:
        yield running


@pytest.fixture(scope="module")
def tour(ecosystem: Running) -> tuple[TourReport, str]:
    out = StringIO()
    report = asyncio.run(run_tour(ecosystem, Console(file=out, width=200)))
    return report, out.getvalue()


def test_the_tour_tells_every_story(tour: tuple[TourReport, str]) -> None:
    report, printed = tour
    assert report.failures == []
    for heading in (
        "1. Konkurs",
        "2. Oppgjør etter dødsfall",
        "3. Vergekontroll",
        "4. Politi",
        "5. Signaturrett",
        "6. Samtykke",
        "7. Samtykke",
        "8. Samtykke",
        "9. Samtykke",
    ):
        assert heading in printed


def test_innsyn_shows_who_looked_a_person_up_the_police_only_after_the_lift_and_every_log_verifies(
    tour: tuple[TourReport, str],
) -> None:
    report, printed = tour
    seen = report.messages["innsyn"]
    assert seen["police_before"] == 0 and seen["police_after"] >= 1 and seen["proven"]
    assert seen["verified"] and all(line.startswith("OK ") for line in seen["verified"]), seen["verified"]
    assert any(" altinn:" in line for line in seen["verified"]), seen["verified"]  # the platform's letters too
    assert "Innsyn: who looked me up" in printed


def test_the_otp_and_fi_utlegg_stories(tour: tuple[TourReport, str]) -> None:
    """A pension institution's months for one employer; one debtor's balances asked by IM and by AN, over HTTP."""
    report, printed = tour
    otp = report.messages["otp"]
    assert otp.months and any(month.members and month.base > 0 for month in otp.months)
    balances = report.messages["fi-utlegg"]
    assert set(balances) == {"im", "an"} and balances["im"] and balances["im"] == balances["an"]
    assert "Ajourhold av OTP" in printed and "Balances per bank (AN)" in printed


# consent story → the outcome its consumer's callback page shows (fetched over HTTP after the approval)
CALLBACK_PAGES = {
    "lan": re.compile(r"Samtykke gitt — søknad \d+ mottatt"),
    "studielan": re.compile(r"Samtykke gitt — saldo på studielån vises i nettbanken"),
    "forsikring": re.compile(r"Samtykke gitt — skadesak \d+ mottatt"),
    "krav": re.compile(r"Samtykke gitt — krav og betalinger for \d{9} vises i bedriftsnettbanken"),
}


def test_the_consent_stories_end_on_the_consumers_callback_page_with_the_data_delivered(
    tour: tuple[TourReport, str],
) -> None:
    report, printed = tour
    assert set(report.consent) == set(CALLBACK_PAGES)
    for story, page in CALLBACK_PAGES.items():
        outcome = report.consent[story]
        assert outcome.callback is not None and page.fullmatch(outcome.callback), (story, outcome)
        assert outcome.refused is None and outcome.delivered, (story, outcome)
        assert outcome.callback in " ".join(printed.split())
    assert report.consent["lan"].delivered["months"] > 0
    assert report.consent["lan"].after_revocation == "IM-010"  # the withdrawn consent is refused by the source
    assert report.consent["studielan"].delivered["total"] == report.consent["studielan"].delivered["again"]
    assert report.consent["krav"].delivered["consistent"] is True


def test_a_consent_story_about_someone_without_data_gets_the_sources_documented_error(ecosystem: Running) -> None:
    data = for_population(POPULATION)
    jobless = next(fnr for fnr, person in data.persons.items() if not person.income)
    no_loan = next(fnr for fnr, person in data.persons.items() if person.loan is None)
    out = StringIO()
    console = Console(file=out, width=200)
    lan = asyncio.run(run_consent_story(ecosystem, POPULATION, console, "lan", subject=jobless))
    assert lan.callback is not None and lan.refused == "IM-008" and not lan.delivered  # no income reported
    saldo = asyncio.run(run_consent_story(ecosystem, POPULATION, console, "studielan", subject=no_loan))
    assert saldo.refused == "404" and not saldo.delivered  # not a Lånekassen customer
    assert "IM-008" in out.getvalue() and "Traceback" not in out.getvalue()


def test_a_callback_page_refuses_what_no_consumer_serves(ecosystem: Running) -> None:
    callbacks = ecosystem.urls["callbacks"]
    bank = ecosystem.topology.banks[0].orgno
    assert httpx.get(f"{callbacks}/{bank}/samtykke/lan?ref=7&consentId=x&status=rejected").status_code == 200
    assert httpx.get(f"{callbacks}/{bank}/samtykke/lan?ref=7").status_code == 400
    assert httpx.get(f"{callbacks}/{bank}/samtykke/ukjent?status=accepted").status_code == 404
    assert httpx.get(f"{callbacks}/123456785/samtykke/lan?status=accepted").status_code == 404


def test_the_trustee_sees_the_debtors_blocked_accounts_and_a_year_of_transactions(tour: tuple[TourReport, str]) -> None:
    report, _ = tour
    assert report.konkurs and all(result.outcome is Outcome.OK for result in report.konkurs)
    accounts = [account for result in report.konkurs for account in result.accounts]
    assert accounts
    owned = {a.kontonr for a in POPULATION.accounts if a.owner_id == DEBTOR.debtor_id}
    assert {account.account_identifier for account in accounts} <= owned
    assert all(str(account.account.status.value) == "disabled" for account in accounts)
    earliest = DEBTOR.kjennelsesdato.replace(year=DEBTOR.kjennelsesdato.year - 1)
    for account in accounts:
        details = account.answers[Endpoint.ACCOUNT_DETAILS].value
        assert details.balances, "a balance per account"
        for transaction in account.answers[Endpoint.TRANSACTIONS].value:
            assert transaction.booking_date is None or transaction.booking_date.date() >= earliest
    assert sum(len(a.answers[Endpoint.TRANSACTIONS].value) for a in accounts) > 0
    xlsx, pdf = report.konkurs_exports
    assert xlsx.read_bytes()[:2] == b"PK" and pdf.read_bytes()[:5] == b"%PDF-"


def test_the_heirs_see_the_estate_and_the_police_are_refused_cards(tour: tuple[TourReport, str]) -> None:
    report, _ = tour
    assert any(result.accounts for result in report.oed)
    assert any(result.accounts for result in report.politi)
    assert report.politi_cards_refusal is not None and "ACC-011" in report.politi_cards_refusal
    assert all(Endpoint.CARDS not in account.answers for result in report.politi for account in result.accounts)
    assert report.verge, "the guardianship control ran"


def test_only_a_signature_holder_may_sign(tour: tuple[TourReport, str]) -> None:
    report, _ = tour
    (holder, holder_allowed, _), (stranger, stranger_allowed, reason), *joint = report.signature
    assert not stranger_allowed and "no role" in reason
    if joint:  # the holders together always satisfy the rule
        assert joint[0][1], joint


def _export(topology: Topology, case_id: str) -> dict[str, Any]:
    done = dsop(topology, "case", "export", case_id, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def _answers(export: dict[str, Any]) -> dict[str, Any]:
    """Account number → (status, transaction ids): what must not change between two runs of a case."""
    found = {}
    for bank in export["banks"]:
        for account in bank["accounts"]:
            transactions = account["answers"].get("transactions", {}).get("value") or []
            found[account["account"]["accountIdentifier"]] = (
                account["account"].get("status"),
                sorted(t.get("transactionIdentifier", "") for t in transactions),
                len(transactions),
            )
    return found


def _case_ids(topology: Topology) -> set[str]:
    with sqlite3.connect(topology.var_dir / "cases.db") as db:
        return {row[0] for row in db.execute("select id from consumer_case")}


def test_a_second_terminal_runs_a_case_and_a_killed_run_resumes_to_the_same_result(
    ecosystem: Running, gate: Gate, tmp_path: Path
) -> None:
    topology = ecosystem.topology
    before = _case_ids(topology) if (topology.var_dir / "cases.db").exists() else set()
    done = dsop(topology, "case", "konkurs", "--debtor", DEBTOR.debtor_id)
    assert done.returncode == 0, done.stdout + done.stderr
    owned = sorted(a.kontonr for a in POPULATION.accounts if a.owner_id == DEBTOR.debtor_id)
    for line in (line for line in done.stdout.splitlines() if any(number in line for number in owned)):
        assert "disabled" in line, line  # every account listed, each blocked by the bankruptcy
    assert all(number in done.stdout for number in owned), done.stdout
    (reference_id,) = _case_ids(topology) - before
    reference = _answers(_export(topology, reference_id))
    assert reference and all(status == "disabled" for status, _, _ in reference.values())
    for form in ("xlsx", "pdf"):
        exported = dsop(topology, "case", "export", reference_id, "--format", form, "--out", str(tmp_path / form))
        assert exported.returncode == 0 and (tmp_path / form).stat().st_size > 0, exported.stdout

    # the same case again, killed while the bank is answering its transactions
    gate.hit.clear()
    gate.release.clear()
    gate.armed = True
    running = dsop_background(topology, "case", "konkurs", "--debtor", DEBTOR.debtor_id)
    try:
        assert gate.hit.wait(120), "the case never reached the bank's transactions"
        running.kill()
        running.communicate(timeout=30)  # reaps it and closes its pipe
    finally:
        gate.armed = False
        gate.release.set()
    (killed_id,) = _case_ids(topology) - before - {reference_id}
    resumed = dsop(topology, "case", "resume", killed_id)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert _answers(_export(topology, killed_id)) == reference


def test_ctrl_c_stops_every_party_and_frees_every_port(tmp_path: Path) -> None:
    topology = tiny_topology(tmp_path)
    process = subprocess.Popen(
        [DSOP, "up", "--topology", str(topology.path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    lines = []
    try:
        assert process.stdout is not None
        for line in process.stdout:  # blocks until the runner prints; no sleeps
            lines.append(line)
            if "Every party is running" in line:
                break
        else:
            pytest.fail("dsop up ended before serving:\n" + "".join(lines))
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert children == [], "dsop up serves every party in its own process"
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, "".join(lines) + rest
    assert "stopping every party" in rest
    for sock in bind(topology).values():  # every port is free again
        sock.close()


def test_dsop_samtykke_in_a_second_terminal_acts_as_the_local_bank(ecosystem: Running) -> None:
    topology = ecosystem.topology
    data = for_population(POPULATION)
    fnr = next(f for f, p in data.persons.items() if p.income and p.tax_base(p.latest_tax_year))
    asked = dsop(topology, "samtykke", "loan", "request", fnr)
    assert asked.returncode == 0, asked.stdout + asked.stderr
    consent_id = re.search(r"consent id: (\S+)", asked.stdout).group(1)  # type: ignore[union-attr]
    view_uri = re.search(r"send the person to: (\S+)", asked.stdout).group(1)  # type: ignore[union-attr]
    assert view_uri.startswith(ecosystem.urls["consent"])

    async def approve() -> str:
        person = Person(fnr, httpx.AsyncClient(base_url=ecosystem.urls["consent"]))
        try:
            back = await person.answer(view_uri, "accept")
        finally:
            await person.browser.aclose()
        async with httpx.AsyncClient() as browser:
            return (await browser.get(back)).text

    assert "Samtykke gitt" in asyncio.run(approve())  # the bank's callback page on loopback
    fetched = dsop(topology, "samtykke", "loan", "fetch", consent_id, "--json")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    assert json.loads(fetched.stdout)["consentId"] == consent_id


def test_the_dsop_stories_fit_an_80_column_terminal(ecosystem: Running) -> None:
    """At 80 columns no account number, org number or balance is cut to "…": secondary columns go first."""
    out = StringIO()
    report = asyncio.run(
        run_tour(
            ecosystem, Console(file=out, width=80, color_system=None), ("konkurs", "oed", "politi", "signaturrett")
        )
    )
    text = out.getvalue()
    assert not report.failures, report.failures
    assert all(len(line) <= 80 for line in text.splitlines())
    assert not [line for line in text.splitlines() if "…" in line and re.search(r"\d", line)]
    numbers = [
        account.account_identifier
        for results in (report.konkurs, report.oed, report.politi)
        for result in results
        for account in result.accounts
    ]
    assert numbers and all(number in text for number in numbers)
    assert re.search(r"-?\d{1,3}( \d{3})*,\d{2} NOK", text)  # balances in Norwegian format, whole


def test_the_dsve_stories_sell_a_house_and_found_a_company(tour: tuple[TourReport, str]) -> None:
    report, printed = tour
    sale, founding = report.messages["eiendom"], report.messages["selskap"]
    assert sale.transfers[0] == "IntensjonFraBank" and sale.transfers[-1] == "Innfrielsessaldosvar"
    assert sale.before.hjemmelshavere != sale.after.hjemmelshavere  # the buyer holds title
    assert [h.prioritet for h in sale.after.heftelser] == [1] and len(sale.after.slettede) == 1
    assert founding.state.status == "registrert" and founding.account_released
    assert "Enhetsregisteret: " in printed and founding.state.organisasjonsnummer in printed


def test_the_guarantee_story_runs_new_replaced_terminated(tour: tuple[TourReport, str]) -> None:
    report, printed = tour
    seen = report.messages["garanti"]
    assert seen["answers"] == ["REJECTED_BELOP_FOR_LAVT", "OK", "OK", "OK"]
    assert seen["inbox"][-4:] == seen["answers"]  # SVV's answers reach the guarantor's inbox
    assert len(seen["revocations"]) == 1 and "Varsel om tilbakekall" in printed  # its notice: the carrier's inbox


def test_the_fraud_story_freezes_money_at_the_receiving_bank_and_the_insurer_verifies_the_report(
    tour: tuple[TourReport, str],
) -> None:
    report, printed = tour
    seen = report.messages["svindel"]
    [line] = seen["recalls"]
    assert (line.state.value, line.outcome.value, str(line.frozen_amount)) == ("answered", "frozen", "12000.00")
    assert seen["confirmation"].case_number in printed and "verified the signed confirmation" in printed


def test_dsop_fraud_in_a_second_terminal_shows_the_case_and_refuses_a_second_recall(
    ecosystem: Running, tour: tuple[TourReport, str]
) -> None:
    seen = tour[0].messages["svindel"]
    shown = dsop(ecosystem.topology, "fraud", "show", seen["case"], "--bank", seen["bank"])
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == ["svindel-1", seen["receiving"], "answered", "frozen", "12000.00"]
    again = dsop(
        ecosystem.topology,
        *("fraud", "recall", "ANOTHER", "--bank", seen["bank"], "--receiving-bank", seen["receiving"]),
        *("--transaction", f"svindel-1:{seen['to_account']}:25000.00"),
    )
    assert again.returncode == 2 and "[FRD-002]" in again.stderr, again.stderr


def test_the_letter_story_asks_the_bank_without_api_and_attaches_its_xlsx(tour: tuple[TourReport, str]) -> None:
    report, printed = tour
    seen = report.messages["brev"]
    assert seen["status"] == ["answered-by-letter"] and seen["file"].endswith(".xlsx")
    assert "Digital letters" in printed


def test_dsop_bank_letters_in_a_second_terminal_is_the_bank_without_api(
    ecosystem: Running, tour: tuple[TourReport, str], tmp_path: Path
) -> None:
    report, _ = tour
    listed = dsop(ecosystem.topology, "bank", "letters", "list")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert report.case_ids["brev"] in listed.stdout  # the tour's letter, in the bank's inbox
    letter_id = next(
        line.split("│")[1].strip() for line in listed.stdout.splitlines() if report.case_ids["brev"] in line
    )
    text = tmp_path / "svar.txt"
    text.write_text("hei", encoding="utf-8")
    refused = dsop(ecosystem.topology, "bank", "letters", "answer", letter_id, str(text))
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1 and ".xlsx" in refused.stderr
    case_letters = dsop(ecosystem.topology, "case", "letters", report.case_ids["brev"])  # the agency's side
    assert case_letters.returncode == 0 and "answered-by-letter" in case_letters.stdout, case_letters.stderr


def test_dsop_guarantee_in_a_second_terminal_acts_as_the_local_bank(ecosystem: Running) -> None:
    from opendsop.synth import transport

    carrier = transport.carriers(POPULATION.companies)[0]
    low = dsop(ecosystem.topology, "guarantee", "new", carrier.orgnr, "--amount", "1000")
    assert low.returncode == 1 and "REJECTED_BELOP_FOR_LAVT" in low.stdout
    history = dsop(ecosystem.topology, "guarantee", "cases")
    assert history.returncode == 0 and "REJECTED_BELOP_FOR_LAVT" in history.stdout, history.stderr
    bad = dsop(ecosystem.topology, "guarantee", "new", "123", "--amount", "1000")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "organisasjonsnummer" in bad.stderr


def test_the_message_platform_carries_an_agencys_letter_to_a_banks_inbox(ecosystem: Running) -> None:
    from opendsop.contracts.messaging import names
    from opendsop.contracts.messaging.models import Correspondence, CorrespondenceContent, InitializeCorrespondences
    from opendsop.ecosystem.message_platform import DIGITAL_LETTER, platform_client
    from opendsop.ecosystem.provision import bank_client_id

    topology, paths = ecosystem.topology, ecosystem.provisioned.paths
    agency, bank = topology.agencies[0], topology.banks[0]

    async def round_trip() -> tuple[list[str], list[str]]:
        async with platform_client(topology, agency.client_id, paths.agency(agency.orgno) / "grant.pem") as sender:
            sent = await sender.send(
                InitializeCorrespondences(
                    correspondence=Correspondence(
                        resource_id=DIGITAL_LETTER,
                        senders_reference="tour",
                        content=CorrespondenceContent(message_title="Forespørsel", message_body="Hei"),
                    ),
                    recipients=[names.org_urn(bank.orgno)],
                )
            )
        async with platform_client(topology, bank_client_id(bank.orgno), paths.bank(bank.orgno) / "grant.pem") as box:
            inbox = await box.search(resource_id=DIGITAL_LETTER)
        return [c.correspondence_id for c in sent.correspondences], inbox.ids

    sent, inbox = asyncio.run(round_trip())
    assert set(sent) <= set(inbox)
    assert httpx.get(topology.url("altinn") + "/health").status_code == 200


def _staff_page(http: httpx.Client, base: str, prefix: str, username: str, target: str) -> httpx.Response:
    page = http.get(f"{base}{prefix}/login", params={"next": target})
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    data = {"csrf": found.group(1), "username": username, "next": target}
    answer = http.post(f"{base}{prefix}/oidc/authorize", data=data)
    assert answer.status_code == 303, answer.text
    return http.get(base + answer.headers["location"], follow_redirects=True)


def test_the_dsve_actors_pages_show_the_tours_sale_and_founding(
    ecosystem: Running, tour: tuple[TourReport, str]
) -> None:
    report, _ = tour
    sale = report.messages["eiendom"]
    with httpx.Client(timeout=30) as http:
        agent = _staff_page(http, ecosystem.topology.url("megler-ui"), "/megler", "megler", "/megler/")
        assert agent.status_code == 200 and "RutetSuksessfullt" in agent.text and "Sletting" in agent.text
        assert sale.after.registerenhet().key in agent.text
        offered = re.search(r'<option value="([^"]+)"', agent.text)  # a house the world seeded, not yet sold
        token = re.search(r'name="csrf" value="([^"]+)"', agent.text)
        assert offered and token and offered.group(1) != sale.after.enhet
        started = http.post(ecosystem.topology.url("megler-ui") + "/megler/sales", data={"csrf": token.group(1),
                            "enhet": offered.group(1)}, timeout=120)  # fmt: skip
        assert started.status_code == 303  # the same story as `dsop dsve sale`, for the unit chosen
        listed = http.get(ecosystem.topology.url("megler-ui") + "/megler/").text
        assert listed.count("<section>") == 2 and offered.group(1) not in listed  # sold: no longer offered
    founder = ecosystem.topology.banks[0]  # the founding story's bank
    with httpx.Client(timeout=30) as http:
        desk = _staff_page(http, f"http://{ecosystem.topology.host}:{founder.port}", "/ops", "drift", "/ops/dsve")
    assert desk.status_code == 200 and "Aksjekapitalkontoer" in desk.text and "frigitt" in desk.text
