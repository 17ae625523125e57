"""Skatteetaten SBL source: consented income and tax base, the no-consent lookup, and every refusal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from opendsop.audit.log import MemoryAuditLog
from opendsop.sources import skatteetaten
from opendsop.sources.consent_check import MemoryConsentStatus
from opendsop.sources.data import INCOME_CODES, TAX_BASE_FIELDS, World
from opendsop.standard.identifiers import generate_fodselsnummer
from tests.sources.helpers import BANK, NOW, OTHER_BANK, consent, month, person_urn, tamper

pytestmark = pytest.mark.anyio
AUD = "https://api.skatteetaten.test/"
INNTEKT = "skatteetaten:inntekt"
SSG = "skatteetaten:summertskattegrunnlag"


@dataclass
class Harness:
    client: httpx.AsyncClient
    audit: MemoryAuditLog
    status: MemoryConsentStatus
    issuer: Any

    def token(self, scope: str, details: list[dict[str, Any]] | None = None, consumer: str = BANK) -> str:
        claims: dict[str, Any] = {"authorization_details": details} if details is not None else {}
        return self.issuer.mint(consumer, scope, AUD, now=NOW, **claims)


@pytest.fixture
async def harness(world: World, token_issuer: Any, clock: Any) -> Any:
    audit, status = MemoryAuditLog(), MemoryConsentStatus()
    app = skatteetaten.create_app(
        world, verifier=token_issuer.verifier(AUD, clock=clock), audit=audit, clock=clock, consent_status=status
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ske") as client:
        yield Harness(client, audit, status, token_issuer)


def _person(world: World) -> str:
    return next(iter(world.persons))


def _accepted(h: Harness, detail: dict[str, Any]) -> dict[str, Any]:
    h.status.set(detail["id"], "accepted")
    return detail


def _inntekt_url(fnr: str, start: str, end: str, package: str = "sbl") -> str:
    return f"/api/innrapportert/inntektsmottaker/{package}/{fnr}/oppgave/inntekt?fraOgMed={start}&tilOgMed={end}"


def _ssg_url(fnr: str, year: int, package: str = "sbl") -> str:
    return f"/api/formueinntekt/spesifisertsummertskattegrunnlag/oppgjoer/{package}/{year}/{fnr}"


async def test_latest_settlement_needs_a_token_but_no_consent(harness: Harness, world: World) -> None:
    fnr = _person(world)
    url = f"/sistetilgjengeligeskatteoppgjoer/v1/{fnr}"
    ok = await harness.client.get(url, headers={"Authorization": f"Bearer {harness.token(SSG)}"})
    assert ok.status_code == 200
    assert ok.json() == {
        "personidentifikator": fnr,
        "ressursId": "skattegrunnlag",
        "sisteTilgjengeligePeriode": str(world.persons[fnr].latest_tax_year),
    }
    missing = await harness.client.get(url)
    assert (missing.status_code, missing.json()["kode"]) == (401, "TD-002")
    forged = await harness.client.get(url, headers={"Authorization": f"Bearer {tamper(harness.token(SSG))}"})
    assert (forged.status_code, forged.json()["kode"]) == (401, "TD-002")
    wrong_scope = await harness.client.get(url, headers={"Authorization": f"Bearer {harness.token(INNTEKT)}"})
    assert (wrong_scope.status_code, wrong_scope.json()["kode"]) == (403, "DAS-008")
    outcomes = [row.record.outcome for row in await harness.audit.records()]
    assert outcomes == ["allowed", "TD-002", "TD-002", "DAS-008"]


async def test_latest_settlement_input_errors(harness: Harness, world: World) -> None:
    auth = {"Authorization": f"Bearer {harness.token(SSG)}"}
    bad = await harness.client.get("/sistetilgjengeligeskatteoppgjoer/v1/12345", headers=auth)
    assert (bad.status_code, bad.json()["kode"]) == (400, "TD-003")
    stranger = generate_fodselsnummer(Random(1), date(1977, 5, 5))
    assert stranger not in world.persons
    unknown = await harness.client.get(f"/sistetilgjengeligeskatteoppgjoer/v1/{stranger}", headers=auth)
    assert (unknown.status_code, unknown.json()["kode"]) == (404, "TD-004")


async def test_consented_income_is_filtered_to_sbl(harness: Harness, world: World) -> None:
    fnr = _person(world)
    start, end = month(NOW.date() - timedelta(days=120)), month(NOW.date() - timedelta(days=40))
    detail = _accepted(
        harness, consent(person_urn(fnr), "ske-sbl-inntekt", metadata={"fraOgMed": start, "tilOgMed": end})
    )
    response = await harness.client.get(
        _inntekt_url(fnr, start, end), headers={"Authorization": f"Bearer {harness.token(INNTEKT, [detail])}"}
    )
    assert response.status_code == 200, response.text
    reports = response.json()["oppgaveInntektsmottaker"]
    expected = [r for r in world.persons[fnr].income if start <= r.kalendermaaned <= end]
    assert [r["kalendermaaned"] for r in reports] == [r.kalendermaaned for r in expected]
    for got, want in zip(reports, expected, strict=True):
        assert got["inntektsmottaker"]["personidentifikator"] == fnr
        sbl = [i for i in want.incomes if "sbl" in INCOME_CODES[i.beskrivelse][2]]
        assert [item[i.kind]["beskrivelse"] for item, i in zip(got["inntekt"], sbl, strict=True)] == [
            i.beskrivelse for i in sbl
        ]
    codes = {
        value["beskrivelse"]
        for r in reports
        for item in r["inntekt"]
        for value in item.values()
        if isinstance(value, dict)
    }
    assert "elektroniskKommunikasjon" not in codes and "trekkILoennForFerie" not in codes
    (record,) = [row.record for row in await harness.audit.records()]
    assert (record.outcome, record.consumer_org, record.party_id, record.records) == (
        "allowed",
        BANK,
        fnr,
        len(reports),
    )


async def test_consented_tax_base_latest_year_filtered_to_sbl(harness: Harness, world: World) -> None:
    fnr = _person(world)
    year = world.persons[fnr].latest_tax_year
    detail = _accepted(harness, consent(person_urn(fnr), "ske-sbl-inntekt", metadata={"inntektsaar": str(year)}))
    response = await harness.client.get(
        _ssg_url(fnr, year), headers={"Authorization": f"Bearer {harness.token(SSG, [detail])}"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    base = world.persons[fnr].tax_base(year)
    assert base is not None
    assert body["inntektsaar"] == str(year) and body["stadie"] == "oppgjoer"
    assert [g["tekniskNavn"] for g in body["grunnlag"]] == [
        i.teknisk_navn for i in base.items if "sbl" in TAX_BASE_FIELDS[i.teknisk_navn][1]
    ]
    assert all("sbl" in TAX_BASE_FIELDS[g["tekniskNavn"]][1] for g in body["grunnlag"])


Make = Callable[[Harness, str, int], tuple[str, str]]  # → (url, token)


def _income_case(**overrides: Any) -> Make:
    """An income request whose consent is changed by ``overrides``; `consumer`/`scope`/`raw` change the token."""

    def make(h: Harness, fnr: str, latest: int) -> tuple[str, str]:
        start, end = month(NOW.date() - timedelta(days=100)), month(NOW.date() - timedelta(days=40))
        subject = overrides.get("subject")
        details_kwargs = {k: v for k, v in overrides.items() if k in {"to", "consented", "valid_for", "metadata"}}
        details_kwargs.setdefault("metadata", {"fraOgMed": start, "tilOgMed": end})
        detail = consent(
            person_urn(subject(h) if subject else fnr), overrides.get("resource", "ske-sbl-inntekt"), **details_kwargs
        )
        h.status.set(detail["id"], overrides.get("status", "accepted"))
        ask_start = overrides.get("ask_start", start)
        token = h.token(
            overrides.get("scope", INNTEKT),
            None if overrides.get("no_consent") else [detail],
            consumer=overrides.get("consumer", BANK),
        )
        if overrides.get("tampered"):
            token = tamper(token)
        return _inntekt_url(fnr, ask_start, end, overrides.get("package", "sbl")), token

    return make


def _ssg_case(*, consented: int, asked: int) -> Make:
    """A tax-base request: consent for year latest + ``consented``, asking for latest + ``asked``."""

    def make(h: Harness, fnr: str, latest: int) -> tuple[str, str]:
        detail = consent(person_urn(fnr), "ske-sbl-inntekt", metadata={"inntektsaar": str(latest + consented)})
        h.status.set(detail["id"], "accepted")
        return _ssg_url(fnr, latest + asked), h.token(SSG, [detail])

    return make


REFUSALS = [
    pytest.param(
        _income_case(valid_for=timedelta(hours=1), consented=NOW - timedelta(hours=2)),
        403,
        "IM-010",
        id="expired-consent",
    ),
    pytest.param(_income_case(status="revoked"), 403, "IM-010", id="revoked-consent"),
    pytest.param(_income_case(subject=lambda h: "01018012345"), 403, "IM-010", id="someone-elses-consent"),
    pytest.param(_income_case(resource="lanekassen-saldo"), 403, "IM-010", id="consent-for-another-resource"),
    pytest.param(
        _income_case(ask_start=month(NOW.date() - timedelta(days=400))), 403, "IM-010", id="consent-for-another-period"
    ),
    pytest.param(_income_case(consumer=OTHER_BANK), 403, "IM-010", id="consumer-differs-from-consent-to"),
    pytest.param(_income_case(valid_for=timedelta(days=11)), 403, "IM-010", id="consent-longer-than-10-days"),
    pytest.param(_income_case(no_consent=True), 403, "IM-010", id="no-consent"),
    pytest.param(_income_case(tampered=True), 401, "IM-004", id="tampered-token"),
    pytest.param(_income_case(scope=SSG), 403, "IM-005", id="scope-missing"),
    pytest.param(_income_case(package="otp"), 403, "IM-005", id="rettighetspakke-otp"),
    pytest.param(_ssg_case(consented=-1, asked=-1), 400, "SSG-006", id="income-year-not-latest"),
    pytest.param(_ssg_case(consented=0, asked=-1), 403, "SSG-010", id="year-outside-consent"),
]


@pytest.mark.parametrize(("make", "status", "code"), REFUSALS)
async def test_refusals_have_documented_codes_and_are_audited(
    harness: Harness, world: World, make: Make, status: int, code: str
) -> None:
    fnr = next(f for f, p in world.persons.items() if p.tax_base(p.latest_tax_year - 1) is not None)
    latest = world.persons[fnr].latest_tax_year
    url, token = make(harness, fnr, latest)
    response = await harness.client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == status, response.text
    body = response.json()
    assert body["kode"] == code and body["melding"] and body["korrelasjonsid"]
    (record,) = [row.record for row in await harness.audit.records()]
    assert (record.outcome, record.status, record.party_id) == (code, status, fnr)
    assert record.message


# -- hostile months and years: a clean IM-006/SSG-006, never more months than consented ----------

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _income_url(fnr: str, start: str, end: str) -> str:
    return (
        f"/api/innrapportert/inntektsmottaker/sbl/{fnr}/oppgave/inntekt?fraOgMed={quote(start)}&tilOgMed={quote(end)}"
    )


def _income_fnr(world: World) -> str:
    return next(fnr for fnr, person in world.persons.items() if len(person.income) > 3)


@pytest.mark.parametrize(
    "shape", ["newline-after-fraOgMed", "full-width-fraOgMed", "full-width-tilOgMed", "year-9999", "month-13"]
)
async def test_a_month_not_in_plain_ascii_is_im_006(harness: Harness, world: World, shape: str) -> None:
    fnr = _income_fnr(world)
    start, end = month(NOW.date() - timedelta(days=100)), month(NOW.date() - timedelta(days=40))
    detail = consent(person_urn(fnr), "ske-sbl-inntekt", metadata={"fraOgMed": start, "tilOgMed": end})
    harness.status.set(detail["id"], "accepted")
    asked = {
        "newline-after-fraOgMed": (start + "\n", end),
        "full-width-fraOgMed": (start.translate(FULL_WIDTH), end),
        "full-width-tilOgMed": (start, end.translate(FULL_WIDTH)),
        "year-9999": ("9999-01", "9999-02"),
        "month-13": (start[:5] + "13", end),
    }[shape]
    response = await harness.client.get(
        _income_url(fnr, *asked), headers={"Authorization": f"Bearer {harness.token(INNTEKT, [detail])}"}
    )
    assert (response.status_code, response.json()["kode"]) == (400, "IM-006"), response.text


async def test_a_consent_with_a_full_width_tilogmed_does_not_widen_the_period(harness: Harness, world: World) -> None:
    fnr = _income_fnr(world)
    start = month(NOW.date() - timedelta(days=700))
    end = month(NOW.date() - timedelta(days=550))
    # A consent approved before months were parsed strictly: tilOgMed in full-width digits.
    detail = consent(
        person_urn(fnr), "ske-sbl-inntekt", metadata={"fraOgMed": start, "tilOgMed": end.translate(FULL_WIDTH)}
    )
    harness.status.set(detail["id"], "accepted")
    asked_end = month(NOW.date() - timedelta(days=40))
    response = await harness.client.get(
        _income_url(fnr, start, asked_end), headers={"Authorization": f"Bearer {harness.token(INNTEKT, [detail])}"}
    )
    assert (response.status_code, response.json()["kode"]) == (403, "IM-010"), response.text


@pytest.mark.parametrize("year", ["２０２５", "2025\n", " 2025", "0001"])
async def test_an_income_year_not_in_plain_ascii_is_ssg_006(harness: Harness, world: World, year: str) -> None:
    fnr = next(iter(world.persons))
    detail = consent(person_urn(fnr), "ske-sbl-inntekt", metadata={"inntektsaar": "2025"})
    harness.status.set(detail["id"], "accepted")
    url = _ssg_url(fnr, 2025).replace("/2025/", f"/{quote(year)}/")
    response = await harness.client.get(url, headers={"Authorization": f"Bearer {harness.token(SSG, [detail])}"})
    assert (response.status_code, response.json()["kode"]) == (400, "SSG-006"), response.text
