"""The hub's "toDate must be today" rule (Konkurs, OED) around Oslo midnight: "today" is the Oslo day, and a
UTC host's date is accepted while it is still Oslo's yesterday (docs/decisions.md, "A UTC host's date counts
as today after Oslo midnight")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from opendsop.standard.mandate import KONKURS, OED
from tests.relations.conftest import BRREG
from tests.relations.test_lookup_app import PATH, _expect_error, _sources, rel_headers

pytestmark = pytest.mark.anyio
DIGDIR = "974720760"

# (hub clock, toDate sent, status): winter is UTC+1, summer UTC+2
ROWS = [
    pytest.param(datetime(2026, 1, 14, 22, 59, tzinfo=UTC), date(2026, 1, 14), 200, id="winter-2259Z-oslo-date"),
    pytest.param(datetime(2026, 1, 14, 22, 59, tzinfo=UTC), date(2026, 1, 15), 400, id="winter-2259Z-utc-tomorrow"),
    pytest.param(datetime(2026, 1, 14, 23, 30, tzinfo=UTC), date(2026, 1, 15), 200, id="winter-2330Z-oslo-date"),
    pytest.param(datetime(2026, 1, 14, 23, 30, tzinfo=UTC), date(2026, 1, 14), 200, id="winter-2330Z-utc-date"),
    pytest.param(datetime(2026, 1, 15, 0, 30, tzinfo=UTC), date(2026, 1, 14), 400, id="winter-0030Z-stale-date"),
    pytest.param(datetime(2026, 6, 14, 22, 30, tzinfo=UTC), date(2026, 6, 14), 200, id="summer-2230Z-utc-date"),
    pytest.param(datetime(2026, 6, 15, 0, 30, tzinfo=UTC), date(2026, 6, 14), 400, id="summer-0030Z-stale-date"),
    pytest.param(datetime(2025, 12, 31, 23, 30, tzinfo=UTC), date(2025, 12, 31), 200, id="new-year-2330Z-utc-date"),
    pytest.param(datetime(2026, 1, 1, 0, 30, tzinfo=UTC), date(2025, 12, 31), 400, id="new-year-0030Z-stale-date"),
]


@pytest.mark.parametrize(("org", "mandate"), [(BRREG, KONKURS.encoded), (DIGDIR, OED.encoded)], ids=["konkurs", "oed"])
@pytest.mark.parametrize(("now", "to_date", "status"), ROWS)
async def test_to_date_must_be_the_oslo_day_or_the_utc_date_just_after_midnight(
    make_app: Callable[..., Litestar],
    sqlite_url: str,
    token: Callable[[str, str], str],
    org: str,
    mandate: str,
    now: datetime,
    to_date: date,
    status: int,
) -> None:
    kar, kfr = _sources()
    app = make_app(sqlite_url, kar=kar, accounts=kar, kfr_source=kfr, clock=lambda: now)
    async with AsyncTestClient(app) as hub:
        response = await hub.get(
            PATH,
            params={"fromDate": "2025-06-01", "toDate": to_date.isoformat(), "onlyPrimaryOwner": "true"},
            headers=rel_headers(token(org, "bits:kundeforhold"), mandate=mandate),
        )
    if status == 200:
        assert response.status_code == 200, response.text
    else:
        _expect_error(response, 400, "ERR-003", "toDate")
