"""Several token-service workers: a grant spent at one is refused at another (the used-jti set in Redis),
and a Redis that does not answer refuses grants rather than risk a replay (RFC 7523 §3 item 7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from opendsop.authority import AuthoritySettings, create_app
from opendsop.authority.grants import JWT_BEARER
from tests.authority.authority_helpers import ISSUER, KID_CLIENT, Clock, grant_claims, register_with_cli, sign_grant
from tests.redis_support import DEAD_REDIS_URL, redis_url

pytestmark = pytest.mark.anyio


async def _token(app: Any, assertion: str) -> httpx.Response:
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=ISSUER.rstrip("/")) as http:
            return await http.post(
                "/token",
                content=urlencode({"grant_type": JWT_BEARER, "assertion": assertion}),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )


@pytest.fixture
def databases(tmp_path: Path, client_key: Any) -> list[str]:
    """Two registries (the CLI runs its own event loop, so this fixture is sync)."""
    urls = [f"sqlite+aiosqlite:///{tmp_path / name}.db" for name in ("one", "two")]
    for number, url in enumerate(urls):
        register_with_cli(url, client_key, tmp_path / f"jwks-{number}.json")
    return urls


def _worker(database_url: str, clock: Clock, redis: str) -> Any:
    """A worker with a database of its own: only the shared Redis can tell it a jti was spent elsewhere."""
    return create_app(AuthoritySettings(issuer=ISSUER, database_url=database_url, redis_url=redis), clock=clock)


async def test_a_grant_used_at_one_worker_is_refused_at_another(
    databases: list[str], client_key: Any, clock: Clock
) -> None:
    url = redis_url()
    first, second = (_worker(database, clock, url) for database in databases)
    grant = sign_grant(grant_claims(KID_CLIENT, clock()), client_key)
    assert (await _token(first, grant)).status_code == 200
    replay = await _token(second, grant)
    assert replay.status_code == 400
    body = replay.json()
    assert body["error"] == "invalid_grant" and "jti has already been used" in body["error_description"]


async def test_redis_down_refuses_grants_instead_of_risking_a_replay(
    databases: list[str], client_key: Any, clock: Clock
) -> None:
    app = _worker(databases[0], clock, DEAD_REDIS_URL)
    response = await _token(app, sign_grant(grant_claims(KID_CLIENT, clock()), client_key))
    assert response.status_code == 503 and response.json()["error"] == "temporarily_unavailable"
    assert "retry-after" in response.headers
