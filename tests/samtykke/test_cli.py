"""``dsop samtykke …`` against configured URLs; the services are answered by an in-memory transport."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from typer.testing import CliRunner

from opendsop.samtykke import cli
from opendsop.trust.jwt import unverified_claims
from opendsop.trust.keys import private_key_pem

FNR = "27856939893"
ORGNR = "310000001"
CONSENT_ID = "6d1f5a3e-52c4-4a57-9d2b-0f1f3f6a9b10"

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def env(tmp_path: Path, bank_key: Any) -> dict[str, str]:
    key_file = tmp_path / "bank.pem"
    key_file.write_bytes(private_key_pem(bank_key))
    return {
        "DSOP_SAMTYKKE_ORG": "984851006", "DSOP_SAMTYKKE_CLIENT_ID": "bank-client",
        "DSOP_SAMTYKKE_KEY_FILE": str(key_file), "DSOP_SAMTYKKE_KID": "bank-key-1",
        "DSOP_SAMTYKKE_AUTHORITY_URL": "http://authority.test/", "DSOP_SAMTYKKE_CONSENT_URL": "https://consent.test",
        "DSOP_SAMTYKKE_SKATTEETATEN_URL": "https://ske.test", "DSOP_SAMTYKKE_KRAV_URL": "https://krav.test",
        "DSOP_SAMTYKKE_LANEKASSEN_URL": "https://lanekassen.test", "COLUMNS": "200",
    }  # fmt: skip


def _serve(monkeypatch: pytest.MonkeyPatch, routes: dict[str, Handler]) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/token":
            return httpx.Response(200, json={"access_token": "token-" + str(len(seen)), "expires_in": 120})
        for prefix, handler in routes.items():
            if request.url.path.startswith(prefix):
                return handler(request)
        return httpx.Response(404, json={"code": "not_found", "message": request.url.path})

    monkeypatch.setattr(cli, "make_http", lambda: httpx.AsyncClient(transport=httpx.MockTransport(answer)))
    return seen


def _grants(seen: list[httpx.Request]) -> list[dict[str, Any]]:
    return [unverified_claims(parse_qs(r.content.decode())["assertion"][0]) for r in seen if r.url.path == "/token"]


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(cli.app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for command in ("loan", "studielan", "insurance", "business"):
        assert command in result.output


def test_loan_request_asks_for_the_latest_year_and_prints_the_url(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    def created(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        return httpx.Response(
            201, json=body | {"status": "created", "viewUri": f"https://consent.test/request/{body['id']}"}
        )

    seen = _serve(monkeypatch, {
        "/sistetilgjengeligeskatteoppgjoer/": lambda r: httpx.Response(200, json={"sisteTilgjengeligePeriode": "2025"}),
        "/accessmanagement/": created})  # fmt: skip
    result = CliRunner().invoke(cli.app, ["loan", "request", FNR, "--months", "6"], env=env)
    assert result.exit_code == 0, result.output
    posted = json.loads(next(r for r in seen if r.method == "POST" and "consentrequests" in r.url.path).content)
    assert posted["from"] == f"urn:altinn:person:identifier-no:{FNR}"
    assert posted["consentRights"][0]["metaData"]["inntektsaar"] == "2025"
    assert f"https://consent.test/request/{posted['id']}" in result.output
    # Neither token carried a consent: the lookup needs none and the request creates it.
    assert all("authorization_details" not in grant for grant in _grants(seen))


def test_business_claims_prints_totals_as_json(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    body = {
        "partIdentifikator": ORGNR,
        "aapentKravMedGjenstaaendeBeloep": [],
        "innbetalingMedUplassertBeloep": [],
        "totalOversikt": {
            "sumStipulerteRenter": 0,
            "sumForfalteKrav": 0,
            "sumIkkeForfalteKrav": 0,
            "sumUplasserteInnbetalinger": 0,
            "saldo": 0,
        },
    }
    seen = _serve(monkeypatch, {"/api/innkreving/": lambda r: httpx.Response(200, json=body)})
    result = CliRunner().invoke(cli.app, ["business", "claims", ORGNR, "--consent-id", CONSENT_ID, "--json"], env=env)
    assert result.exit_code == 0, result.output
    # --json is for pipes: stdout holds the document alone (a log line on stderr must not break it)
    assert json.loads(result.stdout)["totals"]["balance"] == "0.00"
    (grant,) = _grants(seen)
    assert grant["authorization_details"] == [
        {"type": "urn:altinn:consent", "id": CONSENT_ID, "from": f"urn:altinn:organization:identifier-no:{ORGNR}"}
    ]
    assert grant["scope"] == "skatteetaten:kravogbetalinger"


def test_a_refusal_prints_the_sources_code_and_exits_1(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    _serve(
        monkeypatch,
        {
            "/api/innkreving/": lambda r: httpx.Response(
                403, json={"kode": "KB-005", "melding": "consent revoked", "korrelasjonsid": "x"}
            )
        },
    )
    result = CliRunner().invoke(cli.app, ["business", "claims", ORGNR, "--consent-id", CONSENT_ID], env=env)
    assert result.exit_code == 1
    assert "KB-005" in result.output and "consent revoked" in result.output


def test_studielan_shows_the_balance(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    accounts = {
        "Accounts": [{"Balances": [{"BalanceAmount": {"currency": "NOK", "amount": 250000.0}}], "Name": "Lån"}],
        "TotalAmount": 250000.0,
    }
    _serve(monkeypatch, {"/saldo/v1/Accounts": lambda r: httpx.Response(200, json=accounts)})
    result = CliRunner().invoke(cli.app, ["studielan", FNR], env=env)
    assert result.exit_code == 0, result.output
    assert "250000.00" in result.output and "Lånekassen" in result.output


def test_missing_identity_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    _serve(monkeypatch, {})
    env = {k: v for k, v in env.items() if k != "DSOP_SAMTYKKE_KEY_FILE"}
    monkeypatch.delenv("DSOP_SAMTYKKE_KEY_FILE", raising=False)
    result = CliRunner().invoke(cli.app, ["studielan", FNR], env=env)
    assert result.exit_code == 1
    assert "DSOP_SAMTYKKE_KEY_FILE" in result.output


def test_unconfigured_source_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    _serve(monkeypatch, {})
    result = CliRunner().invoke(cli.app, ["insurance", "timeline", FNR, "--consent-id", CONSENT_ID], env=env)
    assert result.exit_code == 1
    assert "no URL is configured for the data source nav" in result.output


def test_an_unreadable_answer_is_an_error_not_a_crash(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    body = {
        "partIdentifikator": ORGNR,
        "totalOversikt": {},
        "aapentKravMedGjenstaaendeBeloep": [{"kravidentifikator": "k", "kravforfall": [{"forfallsdato": "31.12"}]}],
    }
    _serve(monkeypatch, {"/api/innkreving/": lambda r: httpx.Response(200, json=body)})
    result = CliRunner().invoke(cli.app, ["business", "claims", ORGNR, "--consent-id", CONSENT_ID], env=env)
    assert result.exit_code == 1
    assert "unreadable" in result.output and "could not be read" in result.output
