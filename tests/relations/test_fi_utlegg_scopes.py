"""FI-Utlegg's step 1 scopes at the relations hub (DSOP FI-Utlegg "Løsningsbeskrivelse saldo"): the innkrevings-
myndighet asks with ``bits:kundeforhold``, the alminnelig namsmann with ``bits:kundeforhold.fi.utlegg.an``; the
consumer is validated, not the supplier."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from opendsop.standard.mandate import FI_UTLEGG_TEST, SKATT
from tests.relations.conftest import POLITI, TODAY
from tests.relations.conftest import SKATT as SKATT_ORG
from tests.relations.test_lookup_app import PATH, hub, rel_headers  # noqa: F401 - the fixture

pytestmark = pytest.mark.anyio
TODAY_ONLY = {"fromDate": TODAY.isoformat(), "toDate": TODAY.isoformat(), "onlyPrimaryOwner": "true"}
AN_SCOPE, IM_SCOPE = "bits:kundeforhold.fi.utlegg.an", "bits:kundeforhold"

ROWS = [
    pytest.param(SKATT_ORG, IM_SCOPE, FI_UTLEGG_TEST.encoded, 200, id="FI-Utlegg IM with bits:kundeforhold"),
    pytest.param(POLITI, AN_SCOPE, FI_UTLEGG_TEST.encoded, 200, id="FI-Utlegg AN with its own scope"),
    pytest.param(POLITI, IM_SCOPE, FI_UTLEGG_TEST.encoded, 403, id="FI-Utlegg AN without its own scope"),
    pytest.param(SKATT_ORG, AN_SCOPE, SKATT.encoded, 403, id="the AN scope is for FI-Utlegg only"),
]


@pytest.mark.parametrize(("consumer", "scope", "mandate", "status"), ROWS)
async def test_step_1_scope(
    hub: AsyncTestClient[Litestar],  # noqa: F811 - the fixture
    token: Callable[..., str],
    consumer: str,
    scope: str,
    mandate: str,
    status: int,
) -> None:
    params = TODAY_ONLY if mandate == FI_UTLEGG_TEST.encoded else {}
    response = await hub.get(PATH, params=params, headers=rel_headers(token(consumer, scope), mandate=mandate))
    assert response.status_code == status, response.text
