"""SQL storage of the authority: client registry, delegations, used ``jti`` values and signing keys.

One dialect-neutral schema (SQLAlchemy 2 Core) for the embedded default ``sqlite+aiosqlite://`` and
for ``postgresql+asyncpg://``; ``create_schema`` runs ``metadata.create_all``.  Times are stored as
integer Unix seconds so both backends compare them the same way.

Replay protection (RFC 7523 §3 item 7, Maskinporten's single-use ``jti``) is one atomic upsert:
the row ``(client_id, jti)`` is inserted, or re-used only if the earlier assertion has expired, so two
concurrent requests carrying the same assertion cannot both succeed.

Signing keys are stored with their private PEM (this is a local stand-in for Maskinporten; a real
deployment would keep them in an HSM or KMS).  The active key is the newest one not yet retired.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

AUTH_PRIVATE_KEY_JWT = "private_key_jwt"
AUTH_ENTERPRISE_CERTIFICATE = "virksomhetssertifikat"
AUTH_METHODS = (AUTH_PRIVATE_KEY_JWT, AUTH_ENTERPRISE_CERTIFICATE)

metadata = MetaData()

clients = Table(
    "authority_clients",
    metadata,
    Column("client_id", String(200), primary_key=True),
    Column("organisation_number", String(9), nullable=False, index=True),
    # "private_key_jwt" (keys in `jwks`) or "virksomhetssertifikat" (x5c validated against the PKI).
    Column("auth_method", String(32), nullable=False),
    Column("jwks", Text, nullable=True),
    Column("created_at", BigInteger, nullable=False),
)

client_scopes = Table(
    "authority_client_scopes",
    metadata,
    Column(
        "client_id",
        String(200),
        ForeignKey("authority_clients.client_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("scope", String(200), primary_key=True),
)

delegations = Table(
    "authority_delegations",
    metadata,
    Column("consumer_org", String(9), primary_key=True),
    Column("supplier_org", String(9), primary_key=True),
    Column("scope", String(200), primary_key=True),
    Column("created_at", BigInteger, nullable=False),
)

used_jtis = Table(
    "authority_used_jtis",
    metadata,
    Column("client_id", String(200), primary_key=True),
    Column("jti", String(255), primary_key=True),
    Column("expires_at", BigInteger, nullable=False),
    Index("ix_authority_used_jtis_expires_at", "expires_at"),
)

signing_keys = Table(
    "authority_signing_keys",
    metadata,
    Column("kid", String(128), primary_key=True),
    Column("private_key_pem", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("retired_at", BigInteger, nullable=True),
)


class StoreError(Exception):
    """A registry operation that cannot be done; the message says why."""


class UnknownClient(StoreError):
    pass


class DuplicateClient(StoreError):
    pass


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """A registered client ("integrasjon"): who it is, what it may ask for, how it proves itself."""

    client_id: str
    organisation_number: str
    auth_method: str
    scopes: frozenset[str] = frozenset()
    jwks: Mapping[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class StoredKey:
    kid: str
    private_key_pem: bytes
    created_at: int
    retired_at: int | None


class AuthorityStore:
    """All SQL of the authority.  Methods take ``now`` as Unix seconds where time matters."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def create_schema(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

    async def close(self) -> None:
        await self.engine.dispose()

    # -- clients -----------------------------------------------------------------------------------

    async def add_client(self, client: ClientRecord, *, now: int) -> None:
        jwks = json.dumps(dict(client.jwks), sort_keys=True) if client.jwks is not None else None
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    insert(clients).values(
                        client_id=client.client_id,
                        organisation_number=client.organisation_number,
                        auth_method=client.auth_method,
                        jwks=jwks,
                        created_at=now,
                    )
                )
                if client.scopes:
                    await conn.execute(
                        insert(client_scopes),
                        [{"client_id": client.client_id, "scope": s} for s in sorted(client.scopes)],
                    )
        except IntegrityError:
            raise DuplicateClient(f"client {client.client_id} is already registered") from None

    async def get_client(self, client_id: str) -> ClientRecord | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(clients).where(clients.c.client_id == client_id))).first()
            if row is None:
                return None
            scopes = (
                await conn.execute(select(client_scopes.c.scope).where(client_scopes.c.client_id == client_id))
            ).scalars()
            return _client(row._mapping, frozenset(scopes))

    async def list_clients(self) -> list[ClientRecord]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(clients).order_by(clients.c.client_id))).all()
            granted: dict[str, set[str]] = {}
            for client_id, scope in await conn.execute(select(client_scopes.c.client_id, client_scopes.c.scope)):
                granted.setdefault(client_id, set()).add(scope)
        return [_client(r._mapping, frozenset(granted.get(r.client_id, ()))) for r in rows]

    async def grant_scopes(self, client_id: str, scopes: Iterable[str]) -> None:
        async with self.engine.begin() as conn:
            exists = (await conn.execute(select(clients.c.client_id).where(clients.c.client_id == client_id))).first()
            if exists is None:
                raise UnknownClient(f"client {client_id} is not registered")
            have = set(
                (await conn.execute(select(client_scopes.c.scope).where(client_scopes.c.client_id == client_id)))
                .scalars()
                .all()
            )
            new = sorted(set(scopes) - have)
            if new:
                await conn.execute(insert(client_scopes), [{"client_id": client_id, "scope": s} for s in new])

    # -- delegations -------------------------------------------------------------------------------

    async def add_delegation(self, consumer_org: str, supplier_org: str, scopes: Iterable[str], *, now: int) -> None:
        async with self.engine.begin() as conn:
            have = set(
                (
                    await conn.execute(
                        select(delegations.c.scope).where(
                            delegations.c.consumer_org == consumer_org, delegations.c.supplier_org == supplier_org
                        )
                    )
                )
                .scalars()
                .all()
            )
            new = sorted(set(scopes) - have)
            if new:
                await conn.execute(
                    insert(delegations),
                    [
                        {"consumer_org": consumer_org, "supplier_org": supplier_org, "scope": s, "created_at": now}
                        for s in new
                    ],
                )

    async def delegated_scopes(self, consumer_org: str, supplier_org: str) -> frozenset[str]:
        async with self.engine.connect() as conn:
            result = await conn.execute(
                select(delegations.c.scope).where(
                    delegations.c.consumer_org == consumer_org, delegations.c.supplier_org == supplier_org
                )
            )
            return frozenset(result.scalars())

    async def list_delegations(self) -> list[tuple[str, str, str]]:
        async with self.engine.connect() as conn:
            result = await conn.execute(
                select(delegations.c.consumer_org, delegations.c.supplier_org, delegations.c.scope).order_by(
                    delegations.c.consumer_org, delegations.c.supplier_org, delegations.c.scope
                )
            )
            return [(r[0], r[1], r[2]) for r in result]

    # -- replay protection -------------------------------------------------------------------------

    async def use_jti(self, client_id: str, jti: str, *, expires_at: int, now: int) -> bool:
        """Record ``jti`` as used until ``expires_at``; False if it is already in use (a replay)."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(used_jtis).values(client_id=client_id, jti=jti, expires_at=expires_at)
        # An expired row may be taken over: its assertion can no longer pass the time checks.
        stmt = stmt.on_conflict_do_update(
            index_elements=[used_jtis.c.client_id, used_jtis.c.jti],
            set_={"expires_at": stmt.excluded.expires_at},
            where=used_jtis.c.expires_at < now,
        )
        async with self.engine.begin() as conn:
            result = await conn.execute(stmt)
        return result.rowcount == 1

    async def purge_jtis(self, *, now: int) -> int:
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(used_jtis).where(used_jtis.c.expires_at < now))
        return result.rowcount

    # -- signing keys ------------------------------------------------------------------------------

    async def signing_keys(self) -> list[StoredKey]:
        """Every stored key, newest first."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(signing_keys).order_by(signing_keys.c.created_at.desc(), signing_keys.c.kid.desc())
            )
            return [StoredKey(r.kid, r.private_key_pem.encode("ascii"), r.created_at, r.retired_at) for r in rows]

    async def active_signing_key(self) -> StoredKey | None:
        """The newest key not retired: the one that signs new tokens."""
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(signing_keys)
                    .where(signing_keys.c.retired_at.is_(None))
                    .order_by(signing_keys.c.created_at.desc(), signing_keys.c.kid.desc())
                    .limit(1)
                )
            ).first()
        return StoredKey(row.kid, row.private_key_pem.encode("ascii"), row.created_at, None) if row else None

    async def add_signing_key(self, kid: str, private_key_pem: bytes, *, now: int, retire_others: bool) -> None:
        """Store a new active key; with ``retire_others`` every older active key is retired at ``now``."""
        async with self.engine.begin() as conn:
            if retire_others:
                await conn.execute(
                    update(signing_keys).where(signing_keys.c.retired_at.is_(None)).values(retired_at=now)
                )
            await conn.execute(
                insert(signing_keys).values(
                    kid=kid, private_key_pem=private_key_pem.decode("ascii"), created_at=now, retired_at=None
                )
            )

    async def drop_signing_keys_retired_before(self, cutoff: int) -> int:
        async with self.engine.begin() as conn:
            result = await conn.execute(
                delete(signing_keys).where(signing_keys.c.retired_at.is_not(None), signing_keys.c.retired_at < cutoff)
            )
        return result.rowcount


def _client(row: Mapping[Any, Any], scopes: frozenset[str]) -> ClientRecord:
    jwks = json.loads(row["jwks"]) if row["jwks"] else None
    return ClientRecord(
        client_id=row["client_id"],
        organisation_number=row["organisation_number"],
        auth_method=row["auth_method"],
        scopes=scopes,
        jwks=jwks,
    )
