"""``dsop registers load`` and ``show``: seeding the registers from files, reading them back."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from opendsop.registers.cli import app
from tests.registers.sample import COMPANY, GUARDIAN, KARI, ORG

DATA = Path(__file__).parent / "data" / "konkursvarsel_test_notices.csv"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"DSOP_REGISTERS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'registers.db'}"}


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_load_csv_files_and_show_a_person(tmp_path: Path, env: dict[str, str]) -> None:
    persons = tmp_path / "persons.csv"
    persons.write_text(
        "identifikasjonsnummer,fornavn,etternavn,adressebeskyttelse,adresselinje,postnummer,poststed\n"
        f"{KARI},Kari,Nordmann,,Storgata 1,0155,OSLO\n"
        f"{GUARDIAN},Verge,Vergesen,fortrolig,,,\n",
        encoding="utf-8",
    )
    vergemaal = tmp_path / "vergemaal.csv"
    vergemaal.write_text(
        "id,vergehaver,verge,tjenesteoppgaver,gyldigFraOgMed\n"
        f"vm-9,{KARI},{GUARDIAN},representasjonDagligbank;kjoepOgSalgAvFastEiendom,2021-01-01\n",
        encoding="utf-8",
    )
    assert run(env, "load", "persons", str(persons))[:2] == (0, "loaded 2 persons\n")
    assert run(env, "load", "vergemaal", str(vergemaal))[0] == 0
    code, out, _ = run(env, "show", "person", KARI)
    assert code == 0
    shown = json.loads(out)
    assert shown["person"]["bostedsadresse"]["poststed"] == "OSLO"
    assert shown["vergemaal"][0]["tjenesteoppgaver"] == ["representasjonDagligbank", "kjoepOgSalgAvFastEiendom"]


def test_load_notices_and_organisations(tmp_path: Path, env: dict[str, str]) -> None:
    assert run(env, "load", "notices", str(DATA))[:2] == (0, "loaded 15 notices\n")
    again = run(env, "load", "test-notices")  # the same history twice is refused, clearly
    assert again[0] == 2 and "conflict" in again[2]
    organisations = tmp_path / "organisations.json"
    organisations.write_bytes(msgspec.json.encode([COMPANY]))
    assert run(env, "load", "organisations", str(organisations))[0] == 0
    code, out, _ = run(env, "show", "org", ORG)
    assert code == 0 and json.loads(out)["organisasjon"]["navn"] == COMPANY.organisasjon.navn


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("show", "person", "12345678901"), 2, "invalid_identifier"),
        (("show", "org", "123"), 2, "invalid_identifier"),
        (("show", "org", "{unknown}"), 1, "no org"),
    ],
    ids=["bad fnr", "bad orgnr", "unknown org"],
)
def test_show_errors_are_one_clear_line(env: dict[str, str], args: tuple[str, ...], code: int, message: str) -> None:
    from tests.registers.sample import orgnr

    args = tuple(a.replace("{unknown}", orgnr()) for a in args)
    result = run(env, *args)
    assert result[0] == code and message in result[2] and "Traceback" not in result[2]


def test_bad_loader_files(tmp_path: Path, env: dict[str, str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    code, _, err = run(env, "load", "persons", str(broken))
    assert code == 2 and "not valid JSON" in err
    csv_orgs = tmp_path / "orgs.csv"
    csv_orgs.write_text("organisasjonsnummer\n", encoding="utf-8")
    assert "JSON only" in run(env, "load", "organisations", str(csv_orgs))[2]
