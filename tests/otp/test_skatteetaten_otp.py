"""Skatteetaten's OTP APIs over HTTP: each access rule ("Forutsetninger for bruk") and error code ("Feilkoder")."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from random import Random
from typing import Any

import httpx
import pytest

from opendsop.audit.log import MemoryAuditLog
from opendsop.sources import skatteetaten
from opendsop.sources.data import generate_world
from opendsop.standard import otp
from opendsop.standard.values import Month
from opendsop.synth.aordning import AOrdning, _income, make_employer

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # last complete month: 2026-10
TODAY = NOW.date()
AUD = "https://api.skatteetaten.test/"
INST, STRANGER, EMPLOYER, UNKNOWN_EMPLOYER = "910001000", "910002007", "974942003", "923609016"
AVTALE = "/api/tjenestepensjonsavtale/v1/otp/avtaleforhold"


def _fnrs() -> tuple[str, ...]:
    from opendsop.standard.identifiers import generate_fodselsnummer

    rng = Random(5)
    return tuple(generate_fodselsnummer(rng, date(1980 + n, 1 + n, 10)) for n in range(4))


FNRS = _fnrs()
SHIELDED = FNRS[3]


def aordning() -> AOrdning:
    employer = make_employer(7, TODAY, EMPLOYER, "TEST AS", FNRS)
    # every employee employed since 2023 with no end, so each month has all four
    employments = tuple(
        dataclasses.replace(e, start=date(2023, 1, 1), end=None, sluttaarsak=None) for e in employer.employments
    )
    employer = dataclasses.replace(
        employer,
        providers=dict.fromkeys(otp.months(Month(2024, 1), Month(2026, 10)), INST),
        employments=employments,
        income={e.person: _income(Random(n), e, Month(2026, 10)) for n, e in enumerate(employments)},
    )
    return AOrdning(7, TODAY, {EMPLOYER: employer}, dict.fromkeys(FNRS, (EMPLOYER,)), frozenset({SHIELDED}))


@pytest.fixture
async def client(token_issuer: Any) -> Any:
    def clock() -> datetime:
        return NOW

    app = skatteetaten.create_app(
        generate_world(1, today=TODAY, persons=2, organisations=1),
        verifier=token_issuer.verifier(AUD, clock=clock),
        audit=MemoryAuditLog(),
        clock=clock,
        aordning=aordning(),
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ske") as http:

        def token(scope: str, org: str = INST) -> dict[str, str]:
            return {"Authorization": "Bearer " + token_issuer.mint(org, scope, AUD, now=NOW)}

        http.token = token  # type: ignore[attr-defined]
        yield http


def avtale(first: str = "2025-01", last: str | None = None, employer: str = EMPLOYER) -> dict[str, Any]:
    body: dict[str, Any] = {
        "avtalereferanse": "A-1",
        "fraOgMed": first,
        "opplysningspliktig": {"norskIdentifikator": employer},
    }
    if last:
        body["tilOgMed"] = last
    return body


async def register(http: Any, **kwargs: Any) -> httpx.Response:
    return await http.post(AVTALE, json=avtale(**kwargs), headers=http.token(otp.SCOPE_TJENESTEPENSJONSAVTALE))


def mottakere(first: str, last: str, employer: str = EMPLOYER) -> str:
    return f"/api/inntektsmottakere/v1/otp/{employer}?fraOgMed={first}&tilOgMed={last}"


def inntekt(fnr: str, first: str, last: str) -> str:
    return f"/api/innrapportert/inntektsmottaker/otp/{fnr}/oppgave/inntekt?fraOgMed={first}&tilOgMed={last}"


# (registered agreement (fraOgMed, tilOgMed) or None, scope, url, extra headers, expected code)
REFUSALS = [
    pytest.param(None, otp.SCOPE_INNTEKTSMOTTAKERE, mottakere("2025-01", "2025-02"), {}, "IM-005",
                 id="Forutsetninger: no data before both sides reported (Inntektsmottakere IM-005)"),
    pytest.param(("2025-01", None), otp.SCOPE_INNTEKTSMOTTAKERE, mottakere("2024-12", "2025-01"), {}, "IM-005",
                 id="Forutsetninger: Inntektsmottakere outside the avtaleforhold (IM-005)"),
    pytest.param(("2025-01", None), otp.SCOPE_INNTEKTSMOTTAKERE, mottakere("2025-01", "2025-01", UNKNOWN_EMPLOYER),
                 {}, "IM-007", id="Feilkoder: Inntektsmottakere unknown employer (IM-007 404)"),
    pytest.param(("2025-01", None), otp.SCOPE_INNTEKTSMOTTAKERE, mottakere("2025-1", "2025-02"), {}, "IM-006",
                 id="Feilkoder: Inntektsmottakere malformed month (IM-006 400)"),
    pytest.param(("2025-01", None), otp.SCOPE_INNTEKTSMOTTAKERE, mottakere("2025-01", "2025-01"),
                 {"Accept": "text/csv"}, "IM-008", id="Feilkoder: Inntektsmottakere format (IM-008 406)"),
    pytest.param(("2025-01", None), otp.SCOPE_INNTEKT, mottakere("2025-01", "2025-01"), {}, "IM-005",
                 id="Feilkoder: Inntektsmottakere without its scope (IM-005 403)"),
    pytest.param(None, otp.SCOPE_INNTEKT, inntekt(FNRS[0], "2025-01", "2025-02"), {}, "IM-005",
                 id="Forutsetninger: Inntekt before both sides reported (IM-005)"),
    pytest.param(("2025-01", None), otp.SCOPE_INNTEKT, inntekt(FNRS[0], "2023-08", "2023-10"), {}, "IM-005",
                 id="Forutsetninger: Inntekt outside the virkningsperiode: more than 15 months before (IM-005)"),
    pytest.param(("2024-01", "2024-06"), otp.SCOPE_INNTEKT, inntekt(FNRS[0], "2024-08", "2024-08"), {}, "IM-005",
                 id="Forutsetninger: Inntekt outside the virkningsperiode: more than 1 month after (IM-005)"),
    pytest.param(("2025-01", None), otp.SCOPE_INNTEKT, inntekt(SHIELDED, "2025-01", "2025-01"), {}, "IM-007",
                 id="Forutsetninger: shielded person: Inntekt answers as for an unknown person (IM-007)"),
    pytest.param(("2025-01", None), otp.SCOPE_INNTEKT, inntekt("01010112345", "2025-01", "2025-01"), {}, "IM-006",
                 id="Feilkoder: Inntekt invalid personidentifikator (IM-006 400)"),
    pytest.param(("2025-01", None), otp.SCOPE_INNTEKT, inntekt(FNRS[0], "2025-13", "2025-13"), {}, "IM-006",
                 id="Feilkoder: Inntekt malformed month (IM-006 400)"),
    pytest.param(("2025-01", None), otp.SCOPE_INNTEKT, inntekt(FNRS[0], "2026-11", "2026-11"), {}, "IM-008",
                 id="Forutsetninger: Inntekt a month not complete before the 10th of the next (IM-008 404)"),
    pytest.param(("2025-01", None), otp.SCOPE_INNTEKT, inntekt(FNRS[0], "2025-01", "2025-01"),
                 {"Accept": "application/xml;q=1"}, "IM-009", id="Feilkoder: Inntekt format (IM-009 406)"),
    pytest.param(("2025-01", None), otp.SCOPE_INNTEKT, "/api/innrapportert/otp/nothing-here", {}, "IM-003",
                 id="Feilkoder: Inntekt unknown URL (IM-003 404)"),
]  # fmt: skip


@pytest.mark.parametrize(("agreement", "scope", "url", "headers", "code"), REFUSALS)
async def test_refusals(client: Any, agreement: Any, scope: str, url: str, headers: dict[str, str], code: str) -> None:
    if agreement:
        assert (await register(client, first=agreement[0], last=agreement[1])).status_code == 200
    response = await client.get(url, headers={**client.token(scope), **headers})
    table = otp.INNTEKTSMOTTAKERE_ERRORS if "/inntektsmottakere/" in url else otp.INNTEKT_ERRORS
    assert response.json()["kode"] == code, response.text
    assert response.status_code == dict(table.values())[code]


AVTALE_REFUSALS = [
    pytest.param({"json": avtale(first="2025-00")}, otp.SCOPE_TJENESTEPENSJONSAVTALE, "OTP-006",
                 id="Feilkoder: Tjenestepensjonsavtale malformed month (OTP-006 400)"),
    pytest.param({"json": avtale(first="2025-05", last="2025-01")}, otp.SCOPE_TJENESTEPENSJONSAVTALE, "OTP-006",
                 id="Feilkoder: Tjenestepensjonsavtale tilOgMed before fraOgMed (OTP-006 400)"),
    pytest.param({"json": avtale(employer=UNKNOWN_EMPLOYER)}, otp.SCOPE_TJENESTEPENSJONSAVTALE, "OTP-007",
                 id="Feilkoder: Tjenestepensjonsavtale unknown employer (OTP-007 404)"),
    pytest.param({"json": avtale()}, otp.SCOPE_INNTEKT, "OTP-005",
                 id="Feilkoder: Tjenestepensjonsavtale without its scope (OTP-005 403)"),
    pytest.param({"json": avtale(), "headers": {"Accept": "text/html"}}, otp.SCOPE_TJENESTEPENSJONSAVTALE, "OTP-008",
                 id="Feilkoder: Tjenestepensjonsavtale format (OTP-008 406)"),
    pytest.param({"content": b"[1]"}, otp.SCOPE_TJENESTEPENSJONSAVTALE, "OTP-006",
                 id="Feilkoder: Tjenestepensjonsavtale a body that is no object (OTP-006 400)"),
]  # fmt: skip


@pytest.mark.parametrize(("request_options", "scope", "code"), AVTALE_REFUSALS)
async def test_register_refusals(client: Any, request_options: dict[str, Any], scope: str, code: str) -> None:
    headers = {**client.token(scope), **request_options.pop("headers", {})}
    response = await client.post(AVTALE, headers=headers, **request_options)
    assert response.json()["kode"] == code, response.text
    assert response.status_code == dict(otp.TJENESTEPENSJONSAVTALE_ERRORS.values())[code]


async def test_no_token_and_unknown_url(client: Any) -> None:
    """Feilkoder: OTP-004 401 without a token; OTP-003 404 for an unknown URL under the API."""
    assert (await client.post(AVTALE, json=avtale())).json()["kode"] == "OTP-004"
    response = await client.get(AVTALE + "/nothing", headers=client.token(otp.SCOPE_TJENESTEPENSJONSAVTALE))
    assert (response.status_code, response.json()["kode"]) == (404, "OTP-003")


async def test_register_change_delete_and_the_two_validity_checks(client: Any) -> None:
    scope = client.token(otp.SCOPE_TJENESTEPENSJONSAVTALE)
    first = await register(client, first="2026-01")
    assert first.status_code == 200 and first.headers["X-Avtaleforhold"] == "registrert"
    changed = await register(client, first="2025-06")
    assert changed.headers["X-Avtaleforhold"] == "endret" and changed.json()["fraOgMed"] == "2025-06"
    query = f"?opplysningspliktig={EMPLOYER}&pensjonsinnretning={INST}&fraOgMed=2025-04&tilOgMed=2025-07"
    validity = (await client.get(AVTALE + "/gyldighet" + query, headers=scope)).json()
    assert validity == {"gyldig": False, "maanederUtenGyldigAvtaleforhold": {"maaned": ["2025-04", "2025-05"]}}
    window = (await client.get(AVTALE + "/virkningsperiode/gyldighet" + query, headers=scope)).json()
    assert window == {"gyldig": True, "maanederUtenforGyldigVirkningsperiode": {"maaned": []}}
    other = query.replace(INST, STRANGER)
    assert (await client.get(AVTALE + "/gyldighet" + other, headers=scope)).json()["kode"] == "OTP-005"
    body = {"avtalereferanse": "A-1", "opplysningspliktig": {"norskIdentifikator": EMPLOYER}}
    assert (await client.request("DELETE", AVTALE, json=body, headers=scope)).status_code == 200
    again = await client.request("DELETE", AVTALE, json=body, headers=scope)
    assert (again.status_code, again.json()["kode"]) == (404, "OTP-007")


async def test_employees_leave_shielded_persons_out_and_say_so(client: Any) -> None:
    """Forutsetninger: inntektsmottakere inside the avtaleforhold; shielded persons left out, ``skjermet`` true."""
    await register(client, first="2025-01")
    body = (await client.get(mottakere("2025-01", "2025-03"), headers=client.token(otp.SCOPE_INNTEKTSMOTTAKERE))).json()
    listed = {p["personidentifikator"] for p in body["inntektsmottaker"]}
    assert listed == set(FNRS) - {SHIELDED} and body["skjermet"] is True
    assert body["opplysningspliktig"] == {"norskIdentifikator": EMPLOYER}


async def test_another_institution_sees_nothing(client: Any) -> None:
    """Forutsetninger: the avtaleforhold is the calling institution's own."""
    await register(client, first="2025-01")
    response = await client.get(
        mottakere("2025-01", "2025-01"), headers=client.token(otp.SCOPE_INNTEKTSMOTTAKERE, STRANGER)
    )
    assert response.json()["kode"] == "IM-005"


async def test_income_inside_the_virkningsperiode_with_otp_codes_only(client: Any) -> None:
    """Forutsetninger: 15 months before the first avtaleforhold month is served; only codes of the ``otp`` column."""
    await register(client, first="2025-01")
    response = await client.get(inntekt(FNRS[0], "2023-10", "2026-11"), headers=client.token(otp.SCOPE_INNTEKT))
    assert response.status_code == 200, response.text
    months = [r["kalendermaaned"] for r in response.json()["oppgaveInntektsmottaker"]]
    assert months[0] == "2023-10" and months[-1] == "2026-10"  # 2026-11 is not complete yet
    from opendsop.sources.data import INCOME_CODES

    codes = {
        next(v["beskrivelse"] for v in item.values() if isinstance(v, dict))
        for r in response.json()["oppgaveInntektsmottaker"]
        for item in r["inntekt"]
    }
    assert codes and all("otp" in INCOME_CODES[c][2] for c in codes)
