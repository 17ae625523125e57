"""The project's own bank in-process (httpx.ASGITransport) loaded with the kit's bundle and trusting the
kit's parties, so the kit can be run against it — and against mutants of it — without a socket."""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from opendsop.audit.log import MemoryAuditLog
from opendsop.conformance.context import Context
from opendsop.conformance.trust import SCOPE, KitTrust
from opendsop.conformance.world import World, build_world
from opendsop.contracts.verify import TokenVerifier
from opendsop.provider.app import create_app
from opendsop.provider.imports.run import import_files
from opendsop.provider.ports import MemoryRegisters, ProsecutionOrders, RegisterFacts, StaticCertificates
from opendsop.provider.settings import ProviderSettings
from opendsop.provider.store import MemoryBankStore
from opendsop.provider.wiring import servicer
from opendsop.standard.request import Guardianship

NOW = datetime(2026, 1, 15, 10, tzinfo=UTC)
BANK = "910000001"
BASE = "https://bank.test/v2"
SECRET = "conformance-test-secret-0123456789"


@functools.cache
def kit() -> tuple[World, KitTrust]:
    """The world and trust, made once per process (RSA key generation is the slow part)."""
    return build_world(NOW.date(), BANK), KitTrust.create("https://kit.test/", now=NOW)


@dataclass
class BankOptions:
    audience: str | None = BASE
    scopes: tuple[str, ...] = (SCOPE,)
    leeway_seconds: int = 10
    rate_per_second: float = 50
    certificates: dict[str, Any] | None = None


_STORES: list[MemoryBankStore] = []


async def _store(settings: ProviderSettings) -> MemoryBankStore:
    """The bank's store loaded from the kit's bundle through the import, once per process: every
    mutant reads the same data (references it issues differ per consumer and case anyway)."""
    if not _STORES:
        world, _ = kit()
        store = MemoryBankStore(reference_secret=SECRET.encode(), clock=lambda: NOW, servicer=servicer(settings))
        with tempfile.TemporaryDirectory() as folder:
            await import_files(store, BANK, world.write_bundle(Path(folder)))
        _STORES.append(store)
    return _STORES[0]


def registers(world: World) -> MemoryRegisters:
    facts = world.facts()
    memory = MemoryRegisters(deaths=facts["deaths"], shielded=set(facts["shielded"]), rulings=facts["rulings"])
    memory.add_guardianships(
        tuple(
            Guardianship(ward=g["ward"], guardian=g["guardian"], valid_from=g["from"]) for g in facts["guardianships"]
        )
    )
    return memory


async def open_bank(options: BankOptions | None = None, *, version: str = "v2") -> httpx.AsyncClient:
    from datetime import timedelta

    options = options or BankOptions()
    world, trust = kit()
    settings = ProviderSettings(
        bank_orgno=BANK,
        bank_name="Kontrollbanken",
        base_url=BASE,
        environment="test",
        paging_key=SECRET,
        reference_secret=SECRET,
        rate_per_second=options.rate_per_second,
        rate_burst=200,
    )
    store = await _store(settings)

    async def jwks(_url: str) -> dict[str, Any]:
        return trust.jwks

    tokens = TokenVerifier(
        trust.issuer,
        trust.issuer + "jwks",
        options.audience,
        options.scopes,
        fetch_jwks=jwks,
        clock=lambda: NOW,
        leeway=timedelta(seconds=options.leeway_seconds),
    )
    certificates = options.certificates or {org: cred.certificate for org, cred in trust.encryption.items()}
    app = create_app(
        settings,
        clock=lambda: NOW,
        store=store,
        tokens=tokens,
        facts=RegisterFacts(registers(world)),
        orders=ProsecutionOrders.with_static_jwks(trust.prosecution_jwks, trust.trust_store),
        certificates=StaticCertificates(certificates),
        audit=MemoryAuditLog(),
    )
    base = BASE.removesuffix("/v2") + f"/{version}"  # the token's audience stays the registered (v2) base URL
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base)


def free_ports(count: int = 1) -> int:
    """The first of ``count`` consecutive free loopback ports."""
    import socket

    def free(port: int) -> bool:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return False
        return True

    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = int(probe.getsockname()[1])
        if first + count < 65_000 and all(free(first + i) for i in range(count)):
            return first
    raise RuntimeError("no free loopback ports")


def context(client: httpx.AsyncClient, services: tuple[str, ...], *, version: str = "v2") -> Context:
    world, trust = kit()
    return Context(client, world, trust, BASE, lambda: NOW, services, version=version)
