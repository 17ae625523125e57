"""Step 1 through ``HttpRelations`` against the real relations hub in-process (DSOP “Architecture document”; DSOP
“Endpoint customerRelationships V.2.0”; the DSOP services' “Løsningsbeskrivelse” pages)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from opendsop.consumer.protocol import CaseParameters
from opendsop.consumer.workflows import HttpRelations, RelationsError
from opendsop.relations.app import create_app
from opendsop.relations.settings import RelationsSettings
from opendsop.relations.sources import MemoryRelationSource, Relation, Role
from opendsop.standard import mandate
from tests.provider import bank as seed

pytestmark = pytest.mark.anyio
AUDIENCE = "https://hub.test"
NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
ACCOUNT = "12345678903"
BANK_A, BANK_B = "910000001", "910000002"
SKATT, POLITI, SRF = "974761076", "915429785", "986186999"


@pytest.fixture
async def hub(token_issuer: Any, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    kar = MemoryRelationSource(
        "KAR",
        [
            (
                party,
                Relation(
                    org_no=BANK_A,
                    bank_name="Bank A",
                    role=Role.OWNER,
                    start=date(2018, 1, 1),
                    account_no=ACCOUNT,
                    nics_reachable=True,
                ),
            )
            for party in (seed.ANNE, seed.WARD)
        ],
    )
    kfr = MemoryRelationSource(
        "KFR", [(seed.ANNE, Relation(org_no=BANK_B, bank_name="Bank B", role=Role.CUSTOMER, start=date(2019, 1, 1)))]
    )
    app = create_app(
        RelationsSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", audience=AUDIENCE),
        clock=lambda: NOW,
        verifier=token_issuer.verifier(AUDIENCE),
        kar=kar,
        accounts=kar,
        kfr_source=kfr,
    )
    async with AsyncTestClient(app) as client:
        yield client


def relations(hub: AsyncTestClient[Any], token_issuer: Any, org: str) -> HttpRelations:
    async def token(scope: str) -> str:
        minted: str = token_issuer.mint(org, scope, AUDIENCE)
        return minted

    return HttpRelations(str(hub.base_url), hub, token)


def case(key: str, party: str, **extra: Any) -> CaseParameters:
    return CaseParameters(
        account_info_request_id="d4a820ca-ddde-11ed-b5ea-0242ac120002",
        mandate=mandate.BY_KEY[key],
        party_id=party,
        only_primary_owner=True,
        **extra,
    )


async def test_customer_relationships_from_kar_and_kfr(hub: AsyncTestClient[Any], token_issuer: Any) -> None:
    found = await relations(hub, token_issuer, SKATT).customer_relationships(
        case("skatt", seed.ANNE, from_date=date(2025, 1, 1), to_date=NOW.date(), requester_id="sb-17")
    )
    assert {str(bank.organization_id) for bank in found} == {BANK_A, BANK_B}


async def test_verge_step_1_carries_its_own_mandate_string(hub: AsyncTestClient[Any], token_issuer: Any) -> None:
    found = await relations(hub, token_issuer, SRF).customer_relationships(
        case(
            "verge",
            seed.WARD,
            from_date=date(2025, 1, 1),
            to_date=date(2025, 12, 31),
            reference_type="srf",
            reference_id=seed.GUARDIAN,
        )
    )
    assert [str(bank.organization_id) for bank in found] == [BANK_A]


async def test_politi_finds_the_servicer_of_an_account(hub: AsyncTestClient[Any], token_issuer: Any) -> None:
    provider = await relations(hub, token_issuer, POLITI).account_servicing_provider(
        ACCOUNT, case("politi_straffesak", seed.ANNE)
    )
    assert str(provider.organization_id) == BANK_A


async def test_a_refusal_of_the_hub_is_a_typed_error(hub: AsyncTestClient[Any], token_issuer: Any) -> None:
    with pytest.raises(RelationsError) as raised:  # only Politi may call accountServicingProvider
        await relations(hub, token_issuer, SKATT).account_servicing_provider(ACCOUNT, case("skatt", seed.ANNE))
    assert raised.value.status in (400, 403) and raised.value.code.startswith("ERR-")
