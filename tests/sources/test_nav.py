"""NAV SSU source: consented AAP decisions, meldekort and uføretrygd, and the refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from opendsop.audit.log import MemoryAuditLog
from opendsop.sources import nav
from opendsop.sources.consent_check import MemoryConsentStatus
from opendsop.sources.data import World
from tests.sources.helpers import BANK, NOW, OTHER_BANK, consent, person_urn, tamper

pytestmark = pytest.mark.anyio
AUD = "https://api.nav.test/"
AAP, UFORE = "nav:arbeid/v1/aap", "nav:helse/v1/uforeopplysninger"


@pytest.fixture
async def setup(world: World, token_issuer: Any, clock: Any) -> Any:
    audit, status = MemoryAuditLog(), MemoryConsentStatus()
    app = nav.create_app(
        world, verifier=token_issuer.verifier(AUD, clock=clock), audit=audit, clock=clock, consent_status=status
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://nav") as client:
        yield client, audit, status


def _token(issuer: Any, scope: str, details: list[dict[str, Any]] | None, consumer: str = BANK) -> str:
    claims: dict[str, Any] = {"authorization_details": details} if details is not None else {}
    return issuer.mint(consumer, scope, AUD, now=NOW, **claims)


def _ssu(status: MemoryConsentStatus, fnr: str, **kwargs: Any) -> dict[str, Any]:
    detail = consent(person_urn(fnr), "nav-ssu", valid_for=kwargs.pop("valid_for", timedelta(days=1000)), **kwargs)
    status.set(detail["id"], "accepted")
    return detail


def _insured(world: World) -> str:
    return next(f for f, p in world.persons.items() if p.aap_vedtak and p.meldekort and p.ufore_vedtak)


async def test_consented_aap_decisions_meldekort_and_ufore(setup: Any, world: World, token_issuer: Any) -> None:
    client, audit, status = setup
    fnr = _insured(world)
    person = world.persons[fnr]
    detail = _ssu(status, fnr)
    headers = {"Nav-Personident": fnr, "Nav-Call-Id": "5d1f0c3e-8a0b-4c4e-9a57-1e0f2b3c4d5e"}
    vedtak = await client.get(
        "/arbeid/v1/aap/vedtak", headers={**headers, "Authorization": f"Bearer {_token(token_issuer, AAP, [detail])}"}
    )
    assert vedtak.status_code == 200, vedtak.text
    listed = vedtak.json()["vedtaksliste"]
    assert sorted(v["vedtakId"] for v in listed) == sorted(v.vedtak_id for v in person.aap_vedtak)
    assert [v["fraDato"] for v in listed] == sorted(v["fraDato"] for v in listed)  # chronological by from-date
    assert vedtak.headers["Nav-Call-Id"] == headers["Nav-Call-Id"]
    cards = await client.get(
        "/arbeid/v1/aap/meldekort",
        headers={**headers, "Authorization": f"Bearer {_token(token_issuer, AAP, [detail])}"},
    )
    assert [m["meldekortId"] for m in cards.json()["meldekortliste"]] == [m.meldekort_id for m in person.meldekort]
    assert all((m.til_dato - m.fra_dato).days == 13 and m.fra_dato.weekday() == 0 for m in person.meldekort)
    ufore = await client.get(
        "/helse/v1/uforeopplysninger",
        headers={**headers, "Authorization": f"Bearer {_token(token_issuer, UFORE, [detail])}"},
    )
    assert [u["uforegrad"] for u in ufore.json()["vedtak"]] == [u.uforegrad for u in person.ufore_vedtak]
    assert [row.record.outcome for row in await audit.records()] == ["allowed"] * 3


REFUSALS = [
    pytest.param({"consented": NOW - timedelta(days=5), "valid_for": timedelta(days=1)}, {}, 403, id="expired"),
    pytest.param({"state": "revoked"}, {}, 403, id="revoked"),
    pytest.param({"subject": "01018012345"}, {}, 403, id="someone-elses-consent"),
    pytest.param({"resource": "lanekassen-saldo"}, {}, 403, id="another-resource"),
    pytest.param(
        {"metadata": {"fraOgMed": "2026-01-01", "tilOgMed": "2026-06-30"}},
        {"query": "?fraOgMed=2025-01-01&tilOgMed=2025-12-31"},
        403,
        id="another-period",
    ),
    pytest.param({}, {"consumer": OTHER_BANK}, 403, id="consumer-differs-from-consent-to"),
    pytest.param({"valid_for": timedelta(days=3 * 366 + 2)}, {}, 403, id="longer-than-3-years"),
    pytest.param({}, {"no_consent": True}, 403, id="no-consent"),
    pytest.param({}, {"tampered": True}, 401, id="tampered-token"),
    pytest.param({}, {"scope": UFORE}, 403, id="scope-missing"),
    pytest.param({}, {"person": "123"}, 400, id="malformed-person"),
]


@pytest.mark.parametrize(("consent_change", "request_change", "status_code"), REFUSALS)
async def test_refusals(
    setup: Any,
    world: World,
    token_issuer: Any,
    consent_change: dict[str, Any],
    request_change: dict[str, Any],
    status_code: int,
) -> None:
    client, audit, status = setup
    fnr = _insured(world)
    change = dict(consent_change)
    subject, resource, state = change.pop("subject", fnr), change.pop("resource", "nav-ssu"), change.pop("state", None)
    detail = _ssu(status, subject, **change)
    detail["consentRights"][0]["resource"][0]["value"] = resource
    if state:
        status.set(detail["id"], state)
    token = _token(
        token_issuer,
        request_change.get("scope", AAP),
        None if request_change.get("no_consent") else [detail],
        request_change.get("consumer", BANK),
    )
    token = tamper(token) if request_change.get("tampered") else token
    response = await client.get(
        "/arbeid/v1/aap/vedtak" + request_change.get("query", ""),
        headers={"Authorization": f"Bearer {token}", "Nav-Personident": request_change.get("person", fnr)},
    )
    assert response.status_code == status_code, response.text
    assert response.json()["status"] == status_code and response.json()["melding"]
    (row,) = await audit.records()
    assert (row.record.outcome, row.record.status, row.record.service) == (str(status_code), status_code, "nav-ssu")
