"""The authority's SQL storage, on SQLite and PostgreSQL (the ``database_url`` fixture)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from opendsop.authority.signing import SigningKeys
from opendsop.authority.store import (
    AUTH_ENTERPRISE_CERTIFICATE,
    AUTH_PRIVATE_KEY_JWT,
    AuthorityStore,
    ClientRecord,
    DuplicateClient,
    UnknownClient,
)
from opendsop.serving import create_engine
from opendsop.trust.keys import generate_rsa_key, public_jwks
from tests.authority.authority_helpers import SKATT, START, SUPPLIER

pytestmark = pytest.mark.anyio
NOW = int(START.timestamp())


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[AuthorityStore]:
    store = AuthorityStore(create_engine(database_url))
    await store.create_schema()
    await store.create_schema()  # idempotent: every start runs it
    yield store
    await store.close()


async def test_clients_round_trip_with_scopes_and_keys(store: AuthorityStore) -> None:
    jwks = public_jwks([generate_rsa_key(kid="k1")])
    await store.add_client(
        ClientRecord("skatt-1", SKATT, AUTH_PRIVATE_KEY_JWT, frozenset({"bits:kundeforhold"}), jwks), now=NOW
    )
    await store.add_client(ClientRecord("lev-1", SUPPLIER, AUTH_ENTERPRISE_CERTIFICATE), now=NOW)

    got = await store.get_client("skatt-1")
    assert got is not None
    assert (got.organisation_number, got.auth_method, got.scopes) == (
        SKATT,
        AUTH_PRIVATE_KEY_JWT,
        frozenset({"bits:kundeforhold"}),
    )
    assert got.jwks == jwks
    assert await store.get_client("nobody") is None
    assert [c.client_id for c in await store.list_clients()] == ["lev-1", "skatt-1"]


async def test_a_client_id_is_registered_once(store: AuthorityStore) -> None:
    await store.add_client(ClientRecord("c", SKATT, AUTH_ENTERPRISE_CERTIFICATE), now=NOW)
    with pytest.raises(DuplicateClient, match="client c is already registered"):
        await store.add_client(ClientRecord("c", SUPPLIER, AUTH_ENTERPRISE_CERTIFICATE), now=NOW)


async def test_granting_scopes_adds_to_what_the_client_has(store: AuthorityStore) -> None:
    await store.add_client(ClientRecord("c", SKATT, AUTH_ENTERPRISE_CERTIFICATE, frozenset({"a"})), now=NOW)
    await store.grant_scopes("c", ["a", "b"])
    client = await store.get_client("c")
    assert client is not None and client.scopes == frozenset({"a", "b"})
    with pytest.raises(UnknownClient, match="client ghost is not registered"):
        await store.grant_scopes("ghost", ["a"])


async def test_delegations_are_per_consumer_supplier_pair(store: AuthorityStore) -> None:
    await store.add_delegation(SKATT, SUPPLIER, ["a", "b"], now=NOW)
    await store.add_delegation(SKATT, SUPPLIER, ["b", "c"], now=NOW)  # overlapping re-registration
    assert await store.delegated_scopes(SKATT, SUPPLIER) == frozenset({"a", "b", "c"})
    assert await store.delegated_scopes(SUPPLIER, SKATT) == frozenset()
    assert len(await store.list_delegations()) == 3


async def test_a_jti_is_single_use_until_it_expires(store: AuthorityStore) -> None:
    assert await store.use_jti("c", "j1", expires_at=NOW + 60, now=NOW)
    assert not await store.use_jti("c", "j1", expires_at=NOW + 70, now=NOW + 5)  # replay
    assert await store.use_jti("other-client", "j1", expires_at=NOW + 60, now=NOW)  # jti is per client
    # Once its assertion has expired, the jti may be recorded again (the old grant cannot pass).
    assert await store.use_jti("c", "j1", expires_at=NOW + 200, now=NOW + 61)
    assert not await store.use_jti("c", "j1", expires_at=NOW + 200, now=NOW + 62)
    assert await store.purge_jtis(now=NOW + 100) == 1  # other-client's row; c's now lives to +200


async def test_rotation_keeps_old_keys_published_until_their_tokens_expired(store: AuthorityStore) -> None:
    keys = SigningKeys(store, token_lifetime=timedelta(seconds=120), clock_skew=timedelta(seconds=10))
    await keys.ensure_active(now=START)
    first = await keys.active_kid()
    await keys.ensure_active(now=START)  # a second start does not add a key
    assert await keys.active_kid() == first

    second = await keys.rotate(now=START + timedelta(seconds=30))
    assert second != first and await keys.active_kid() == second
    published = {k["kid"] for k in (await keys.published(now=START + timedelta(seconds=30 + 130)))["keys"]}
    assert published == {first, second}  # a token signed just before rotation may still be valid
    published = {k["kid"] for k in (await keys.published(now=START + timedelta(seconds=30 + 131)))["keys"]}
    assert published == {second}

    await keys.rotate(now=START + timedelta(seconds=30 + 131))  # the next rotation drops the first key
    assert first not in {k.kid for k in await store.signing_keys()}
