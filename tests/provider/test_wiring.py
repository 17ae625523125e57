"""The bank as ``dsop provider serve`` builds it: SQL store (migrated at startup) and SQL audit log on
the configured database, opened in the app's lifespan and closed on shutdown (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from opendsop.audit.log import SqlAuditLog
from opendsop.provider.app import create_app
from opendsop.provider.ports import RegisterFacts, StaticCertificates
from tests.provider import bank as seed
from tests.provider.harness import CASE, Pki, registers, settings

pytestmark = pytest.mark.anyio


async def test_sql_store_and_audit_from_settings(pki: Pki, token_issuer: Any, database_url: str) -> None:
    app = create_app(
        settings(database_url=database_url),
        clock=lambda: seed.NOW,
        tokens=token_issuer.verifier(seed.BASE_URL, (seed.SCOPE,), clock=lambda: seed.NOW),
        facts=RegisterFacts(registers()),
        certificates=StaticCertificates({org: cred.certificate for org, cred in pki.encryption.items()}),
    )
    # The lifespan hooks run on this test's event loop (asyncpg pools are bound to their loop).
    [startup], [shutdown] = app.on_startup, app.on_shutdown
    await startup(app)  # type: ignore[call-arg]
    try:
        await _exercise(app, token_issuer)
    finally:
        await shutdown()  # type: ignore[call-arg]


async def _exercise(app: Any, token_issuer: Any) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://bank.test") as client:
        pipeline = app.state["provider"]
        await pipeline.store.load(
            parties=seed.parties(),
            accounts=seed.accounts(),
            relations=seed.relations(),
            balances=seed.balances(),
            cards=seed.cards(),
            transactions=seed.transactions(),
        )
        token = token_issuer.mint(seed.NAV.orgno, seed.SCOPE, seed.BASE_URL, now=seed.NOW)
        headers = {
            "Authorization": f"Bearer {token}",
            "CorrelationID": "14fbc062-aacb-4449-93c1-85c352d387a4",
            "AccountInfoRequestID": CASE,
            "Legal-Mandate": seed.NAV.mandate.encoded,
            "PartyID": seed.ANNE,
            "Accept": "application/json",
        }
        response = await client.get(
            "/v2/accounts", params={"OnlyPrimaryOwner": "true", "fromDate": "2025-01-01"}, headers=headers
        )
        assert response.status_code == 200, response.text
        reference = response.json()["accounts"][0]["accountReference"]
        page = await client.get(
            f"/v2/accounts/{reference}/transactions", params={"fromDate": "2025-01-01"}, headers=headers
        )
        assert page.status_code == 200, page.text
        assert len(page.json()["transactions"]) == 3 and page.json()["links"][0]["rel"] == "next"
        audit = pipeline.audit
        assert isinstance(audit, SqlAuditLog)
        assert [stored.record.outcome for stored in await audit.records()] == ["allowed", "allowed"]
        assert await audit.verify() == 2


async def test_configured_registers_that_do_not_answer_give_500_acc_100(pki: Pki, token_issuer: Any) -> None:
    """REGISTERS_URL wires the HTTP register clients; a register that is down is ACC-100, not a denial."""
    from opendsop.audit.log import MemoryAuditLog
    from tests.provider.harness import seeded_store

    app = create_app(
        settings(registers_url="http://127.0.0.1:9", registers_token="t"),
        clock=lambda: seed.NOW,
        store=await seeded_store(),
        audit=MemoryAuditLog(),
        tokens=token_issuer.verifier(seed.BASE_URL, (seed.SCOPE,), clock=lambda: seed.NOW),
        certificates=StaticCertificates({org: cred.certificate for org, cred in pki.encryption.items()}),
    )
    token = token_issuer.mint(seed.OED.orgno, seed.SCOPE, seed.BASE_URL, now=seed.NOW)
    headers = {
        "Authorization": f"Bearer {token}",
        "CorrelationID": "14fbc062-aacb-4449-93c1-85c352d387a4",
        "AccountInfoRequestID": CASE,
        "Legal-Mandate": seed.OED.mandate.encoded,
        "PartyID": seed.DAG,
        "Accept": "application/json",
    }
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://bank.test") as client:
        response = await client.get(
            "/v2/accounts", params={"OnlyPrimaryOwner": "true", "fromDate": "2025-09-01"}, headers=headers
        )
    assert (response.status_code, response.json()["code"]) == (503, "ACC-100")
    await app.on_shutdown[0]()  # type: ignore[call-arg]
