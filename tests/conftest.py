"""Shared fixtures: reference files and databases on both backends."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_ADMIN_URL = os.environ.get("DSOP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _shared_dir(env_var: str, default: Path) -> Path | None:
    path = Path(os.environ.get(env_var, default))
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The published OpenAPI contracts (Bank_v2.yaml, Bank_v1.yaml, KAR.yaml)."""
    path = _shared_dir("DSOP_REFERENCE_DIR", REPO_ROOT.parent / "shared" / "reference" / "openapi")
    if path is None:
        message = "DSOP_REFERENCE_DIR (default ../shared/reference/openapi) is absent"
        if IN_CI:
            pytest.fail(message + " under CI=true")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    """The digests and their data files (shared/spec)."""
    path = _shared_dir("DSOP_SPEC_DIR", REPO_ROOT.parent / "shared" / "spec")
    if path is None:
        message = "DSOP_SPEC_DIR (default ../shared/spec) is absent"
        if IN_CI:
            pytest.fail(message + " under CI=true")
        pytest.skip(message)
    return path


def _run_sync(coroutine_factory: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine to completion from sync code, even inside a running event loop (async fixtures)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(coroutine_factory())).result()


def _postgres_available() -> bool:
    import asyncpg

    async def probe() -> None:
        conn = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
        await conn.close()

    try:
        _run_sync(probe)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    return True


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    if not _postgres_available():
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}"
        if IN_CI:
            pytest.fail(message + " (required under CI=true)")
        pytest.skip(message)
    return POSTGRES_ADMIN_URL


def _admin(url: str, statement: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    _run_sync(run)


@contextmanager
def fresh_database(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database of ``kind`` ("sqlite" or "postgresql") as an async URL; dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    name = f"dsop_test_{uuid.uuid4().hex[:12]}"
    _admin(admin, f'CREATE DATABASE "{name}"')
    try:
        yield admin.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0] + f"/{name}"
    finally:
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database as an async SQLAlchemy URL, on SQLite and on PostgreSQL."""
    with fresh_database(request.param, request, tmp_path) as url:
        yield url


class TokenIssuer:
    """An in-memory Maskinporten stand-in for app tests: mints access tokens and verifiers that trust it.

    Tests of resource servers (relations hub, registers, banks) use it instead of running the
    authority app; the authority's own tests cover the grant side.
    """

    issuer = "https://authority.test/"

    def __init__(self) -> None:
        from opendsop.trust.keys import generate_rsa_key, public_jwks

        self.key = generate_rsa_key(kid="test-issuer-1")
        self.jwks = public_jwks([self.key])

    def mint(
        self,
        consumer_org: str,
        scope: str,
        audience: str | None,
        *,
        lifetime: int = 120,
        now: datetime | None = None,
        supplier_org: str | None = None,
        **claims: object,
    ) -> str:
        import uuid as _uuid
        from datetime import UTC, datetime

        from opendsop.trust.jwt import sign_jwt

        issued = int((now or datetime.now(UTC)).timestamp())
        body: dict[str, object] = {
            "iss": self.issuer,
            "aud": audience,
            "scope": scope,
            "iat": issued,
            "exp": issued + lifetime,
            "jti": str(_uuid.uuid4()),
            "client_id": f"client-{consumer_org}",
            "token_type": "Bearer",
            "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{consumer_org}"},
        }
        if audience is None:  # as Maskinporten issues it when the grant asks for no resource
            del body["aud"]
        if supplier_org:
            body["supplier"] = {"authority": "iso6523-actorid-upis", "ID": f"0192:{supplier_org}"}
        body.update(claims)
        return sign_jwt(body, self.key, alg="RS256", header={"kid": "test-issuer-1"})

    def verifier(self, audience: str | None, required_scopes: tuple[str, ...] = (), **options: object) -> object:
        from opendsop.contracts.verify import TokenVerifier

        async def fetch(_url: str) -> dict[str, object]:
            return self.jwks

        return TokenVerifier(self.issuer, self.issuer + "jwks", audience, required_scopes, fetch_jwks=fetch, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def token_issuer() -> TokenIssuer:
    return TokenIssuer()
