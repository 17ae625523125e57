"""Krav og betalinger source: open claims with totals, windowed claims and payments, KB error codes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from random import Random
from typing import Any

import httpx
import pytest

from opendsop.audit.log import MemoryAuditLog
from opendsop.sources import krav
from opendsop.sources.consent_check import MemoryConsentStatus
from opendsop.sources.data import World
from opendsop.standard.identifiers import generate_orgnr
from tests.sources.helpers import BANK, NOW, OTHER_BANK, TODAY, consent, org_urn, person_urn, tamper

pytestmark = pytest.mark.anyio
AUD = "https://kravogbetalinger.api.skatteetaten.test/"
SCOPE = "skatteetaten:kravogbetalinger"
BASE = "/api/innkreving/kravogbetalinger/v1"


@pytest.fixture
async def setup(world: World, token_issuer: Any, clock: Any) -> Any:
    audit, status = MemoryAuditLog(), MemoryConsentStatus()
    app = krav.create_app(
        world, verifier=token_issuer.verifier(AUD, clock=clock), audit=audit, clock=clock, consent_status=status
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kb") as client:
        yield client, audit, status


def _token(issuer: Any, details: list[dict[str, Any]] | None, *, consumer: str = BANK, scope: str = SCOPE) -> str:
    claims: dict[str, Any] = {"authorization_details": details} if details is not None else {}
    return issuer.mint(consumer, scope, AUD, now=NOW, **claims)


def _kb(status: MemoryConsentStatus, orgnr: str, **kwargs: Any) -> dict[str, Any]:
    detail = consent(
        org_urn(orgnr), "ske-krav-betalinger", valid_for=kwargs.pop("valid_for", timedelta(days=60)), **kwargs
    )
    status.set(detail["id"], "accepted")
    return detail


def _org(world: World) -> str:
    return next(o for o, org in world.organisations.items() if any(k.gjenstaaende > 0 for k in org.krav))


async def test_open_claims_and_totals(setup: Any, world: World, token_issuer: Any) -> None:
    client, audit, status = setup
    orgnr = _org(world)
    org = world.organisations[orgnr]
    response = await client.get(
        f"{BASE}/finans/{orgnr}/aapnekrav",
        headers={"Authorization": f"Bearer {_token(token_issuer, [_kb(status, orgnr)])}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    open_krav = [k for k in org.krav if k.gjenstaaende > 0]
    assert [k["kravidentifikator"] for k in body["aapentKravMedGjenstaaendeBeloep"]] == [k.krav_id for k in open_krav]
    unplaced = sum((p.uplassert for p in org.innbetalinger), start=Decimal(0))
    due = sum((k.gjenstaaende for k in open_krav if k.forfallsdato < TODAY), start=Decimal(0))
    not_due = sum((k.gjenstaaende for k in open_krav if k.forfallsdato >= TODAY), start=Decimal(0))
    interest = sum((k.stipulerte_renter for k in open_krav), start=Decimal(0))
    total = body["totalOversikt"]
    assert Decimal(str(total["sumForfalteKrav"])) == due and Decimal(str(total["sumIkkeForfalteKrav"])) == not_due
    assert Decimal(str(total["sumUplasserteInnbetalinger"])) == unplaced
    assert Decimal(str(total["saldo"])) == due + not_due + interest - unplaced
    groups = body["oversiktPerKravgruppe"]
    assert Decimal(str(sum(g["saldo"] for g in groups))).quantize(Decimal("0.01")) == due + not_due + interest
    assert [row.record.outcome for row in await audit.records()] == ["allowed"]


async def test_claims_and_payments_in_a_window(setup: Any, world: World, token_issuer: Any) -> None:
    client, _, status = setup
    orgnr = next(o for o, org in world.organisations.items() if org.innbetalinger)
    org = world.organisations[orgnr]
    start, end = (TODAY - timedelta(days=364)).isoformat(), TODAY.isoformat()
    auth = {"Authorization": f"Bearer {_token(token_issuer, [_kb(status, orgnr)])}"}
    claims = await client.get(f"{BASE}/finans/{orgnr}/krav?fraOgMed={start}&tilOgMed={end}", headers=auth)
    expected = [k.krav_id for k in org.krav if start <= k.opprettet.isoformat() <= end]
    if expected:
        assert claims.status_code == 200 and claims.json()["periode"] == {"fraOgMed": start, "tilOgMed": end}
        assert [k["kravidentifikator"] for k in claims.json()["krav"]] == expected
    else:
        assert (claims.status_code, claims.json()["kode"]) == (404, "KB-007")
    payments = await client.get(f"{BASE}/finans/{orgnr}/innbetalinger?fraOgMed={start}&tilOgMed={end}", headers=auth)
    want = [p.innbetaling_id for p in org.innbetalinger if start <= p.dato.isoformat() <= end]
    assert want, "the seed should give this organisation a payment in the last year"
    assert [p["innbetalingsidentifikator"] for p in payments.json()["innbetaling"]] == want


def _window(days: int) -> str:
    return f"?fraOgMed={(TODAY - timedelta(days=days)).isoformat()}&tilOgMed={TODAY.isoformat()}"


UNKNOWN_ORG = generate_orgnr(Random(7))
REFUSALS = [
    pytest.param(
        {"consented": NOW - timedelta(days=50), "valid_for": timedelta(days=10)}, {}, "KB-005", 403, id="expired"
    ),
    pytest.param({"state": "revoked"}, {}, "KB-005", 403, id="revoked"),
    pytest.param({"subject": org_urn("310478717")}, {}, "KB-005", 403, id="someone-elses-consent"),
    pytest.param({"subject_person": True}, {}, "KB-005", 403, id="consent-from-a-person-not-the-organisation"),
    pytest.param({"resource": "ske-sbl-inntekt"}, {}, "KB-005", 403, id="another-resource"),
    pytest.param(
        {"metadata": {"fraOgMed": "2026-06-01", "tilOgMed": "2026-12-31"}},
        {"path": "/krav" + _window(300)},
        "KB-005",
        403,
        id="another-period",
    ),
    pytest.param({}, {"consumer": OTHER_BANK}, "KB-005", 403, id="consumer-differs-from-consent-to"),
    pytest.param({"valid_for": timedelta(days=91)}, {}, "KB-005", 403, id="longer-than-90-days"),
    pytest.param({}, {"no_consent": True}, "KB-005", 403, id="no-consent"),
    pytest.param({}, {"tampered": True}, "KB-004", 401, id="tampered-token"),
    pytest.param({}, {"scope": "skatteetaten:inntekt"}, "DAS-008", 403, id="scope-missing"),
    pytest.param({}, {"package": "regnskapssystem"}, "DAS-008", 403, id="rettighetspakke-not-for-banks"),
    pytest.param({}, {"path": "/krav" + _window(400)}, "KB-006", 400, id="window-longer-than-a-year"),
    pytest.param({}, {"path": "/krav?fraOgMed=2026-13-01&tilOgMed=2026-12-01"}, "KB-006", 400, id="bad-date"),
    pytest.param({}, {"path": "/innbetalinger"}, "KB-006", 400, id="window-missing"),
    pytest.param({}, {"org": "123456789"}, "KB-006", 400, id="malformed-orgnr"),
    pytest.param({"subject": org_urn(UNKNOWN_ORG)}, {"org": UNKNOWN_ORG}, "KB-009", 404, id="unknown-organisation"),
    pytest.param({}, {"path": "/utbetalinger"}, "KB-003", 404, id="utbetalinger-not-available"),
]


@pytest.mark.parametrize(("consent_change", "request_change", "code", "status_code"), REFUSALS)
async def test_refusals(
    setup: Any,
    world: World,
    token_issuer: Any,
    consent_change: dict[str, Any],
    request_change: dict[str, Any],
    code: str,
    status_code: int,
) -> None:
    client, audit, status = setup
    assert UNKNOWN_ORG not in world.organisations
    orgnr = _org(world)
    change = dict(consent_change)
    subject = change.pop("subject", org_urn(orgnr))
    if change.pop("subject_person", False):
        subject = person_urn(next(iter(world.persons)))
    resource, state = change.pop("resource", None), change.pop("state", None)
    detail = _kb(status, orgnr, **change)
    detail["from"] = subject
    if resource:
        detail["consentRights"][0]["resource"][0]["value"] = resource
    if state:
        status.set(detail["id"], state)
    token = _token(
        token_issuer,
        None if request_change.get("no_consent") else [detail],
        consumer=request_change.get("consumer", BANK),
        scope=request_change.get("scope", SCOPE),
    )
    token = tamper(token) if request_change.get("tampered") else token
    url = (
        f"{BASE}/{request_change.get('package', 'finans')}/{request_change.get('org', orgnr)}"
        f"{request_change.get('path', '/aapnekrav')}"
    )
    response = await client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.json()["kode"]) == (status_code, code), response.text
    assert response.json()["melding"]
    if code != "KB-003":  # an unknown URL reaches no handler, so there is nothing to audit
        (row,) = await audit.records()
        assert (row.record.outcome, row.record.status) == (code, status_code)


async def test_window_of_exactly_one_year_is_allowed(setup: Any, world: World, token_issuer: Any) -> None:
    client, _, status = setup
    orgnr = next(o for o, org in world.organisations.items() if org.innbetalinger)
    start = date(TODAY.year - 1, TODAY.month, TODAY.day).isoformat()
    response = await client.get(
        f"{BASE}/finans/{orgnr}/innbetalinger?fraOgMed={start}&tilOgMed={TODAY.isoformat()}",
        headers={"Authorization": f"Bearer {_token(token_issuer, [_kb(status, orgnr)])}"},
    )
    assert response.status_code in (200, 404) and response.json().get("kode") != "KB-006"
