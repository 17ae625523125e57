"""NAV's Aa-registeret OTP API (GraphQL): the OTP view, the agreement rule ("Forutsetninger for bruk"), refusals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from opendsop.audit.log import MemoryAuditLog
from opendsop.sources import nav
from opendsop.sources.data import generate_world
from opendsop.sources.otp_agreements import MemoryAgreements
from opendsop.standard import otp
from opendsop.standard.otp import Agreement
from opendsop.standard.values import Month
from tests.otp.test_skatteetaten_otp import (
    EMPLOYER,
    FNRS,
    INST,
    NOW,
    SHIELDED,
    STRANGER,
    TODAY,
    UNKNOWN_EMPLOYER,
    aordning,
)

pytestmark = pytest.mark.anyio
AUD = "https://api.nav.test/"
FIELDS = """id type { kode } arbeidstaker { ident }
  ansettelsesperiode { startdato sluttdato sluttaarsak { kode beskrivelse } }
  ansettelsesdetaljer { type ansettelsesform { kode } arbeidstidsordning { kode } antallTimerPrUke
                        avtaltStillingsprosent rapporteringsmaaneder { fra til } }
  permisjoner { id type { kode } startdato sluttdato prosent } permitteringer { id prosent }
  timerMedTimeloenn { rapporteringsmaaned antall } idHistorikk { id }"""
QUERY = (
    "query($o: String!, $a: String!, $f: String!, $t: String) {"
    " finnArbeidsforholdPrArbeidstaker(opplysningspliktigId: $o, arbeidstakerId: $a, ansattFraMaaned: $f,"
    " ansattTilMaaned: $t) { %s } }"
)


@pytest.fixture
async def client(token_issuer: Any) -> Any:
    def clock() -> datetime:
        return NOW

    agreements = MemoryAgreements()
    await agreements.put(Agreement(INST, EMPLOYER, "A-1", Month(2025, 1)))
    app = nav.create_app(
        generate_world(1, today=TODAY, persons=2, organisations=1),
        verifier=token_issuer.verifier(AUD, clock=clock),
        audit=MemoryAuditLog(),
        clock=clock,
        aordning=aordning(),
        agreements=agreements,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://nav") as http:

        async def ask(
            variables: dict[str, Any], *, fields: str = FIELDS, org: str = INST, scope: str = otp.SCOPE_AAREG
        ) -> httpx.Response:
            token = token_issuer.mint(org, scope, AUD, now=NOW)
            return await http.post(
                "/aareg/otp/graphql",
                json={"query": QUERY % fields, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )

        yield ask


def variables(person: str = FNRS[0], first: str = "2025-01", last: str | None = "2025-03", employer: str = EMPLOYER):
    return {"o": employer, "a": person, "f": first, "t": last}


async def test_the_otp_view_of_an_employment(client: Any) -> None:
    response = await client(variables())
    assert response.status_code == 200, response.text
    [found] = response.json()["data"]["finnArbeidsforholdPrArbeidstaker"]
    assert found["arbeidstaker"] == {"ident": FNRS[0]}
    assert found["ansettelsesperiode"]["startdato"] == "2023-01-01"
    assert found["ansettelsesdetaljer"][0]["avtaltStillingsprosent"] >= 0


REFUSALS = [
    pytest.param({"fields": "id arbeidssted { orgnr }"}, variables(), 400, "BAD_REQUEST",
                 id="FAQ: a field outside the OTP view is refused"),
    pytest.param({"fields": "id loenn"}, variables(), 400, "BAD_REQUEST",
                 id="FAQ: income is not in the Aa-registeret OTP view"),
    pytest.param({"org": STRANGER}, variables(), 403, "FORBIDDEN",
                 id="Forutsetninger: no data before both sides reported the agreement"),
    pytest.param({}, variables(first="2023-08"), 403, "FORBIDDEN",
                 id="Forutsetninger: months outside the virkningsperiode"),
    pytest.param({}, variables(first="2025-1"), 400, "BAD_REQUEST", id="a malformed month"),
    pytest.param({}, variables(employer=UNKNOWN_EMPLOYER), 404, "NOT_FOUND", id="an unknown employer"),
    pytest.param({}, variables(person=SHIELDED), 404, "NOT_FOUND", id="a shielded person"),
    pytest.param({"scope": otp.SCOPE_INNTEKT}, variables(), 403, "FORBIDDEN",
                 id="the scope nav:aareg/v1/arbeidsforhold/otp is required"),
]  # fmt: skip


@pytest.mark.parametrize(("options", "asked", "status", "code"), REFUSALS)
async def test_refusals(client: Any, options: dict[str, Any], asked: dict[str, Any], status: int, code: str) -> None:
    response = await client(asked, **options)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == code
