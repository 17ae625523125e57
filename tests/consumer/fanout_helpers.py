"""Building a fan-out against the fake banks: keys, client with injectable sleep/clock/randomness."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from opendsop.consumer.client import DsopClient, jwe_decryptor
from opendsop.consumer.protocol import BankEndpoint
from opendsop.consumer.resilience import Breakers, RetryPolicy
from opendsop.contracts.token_provider import GrantSigner, TokenProvider
from opendsop.contracts.transport import AiohttpTransport, poster
from opendsop.trust.keys import generate_rsa_key
from tests.consumer.fakebank import BANK_ORG_BASE, FakeWorld


@functools.cache
def keys() -> tuple[Any, Any, Any]:
    """(agency encryption key, a stranger's encryption key, the agency's grant key)."""
    return generate_rsa_key(kid="agency-enc"), generate_rsa_key(kid="stranger-enc"), generate_rsa_key(kid="grant")


@dataclass
class Sleeps:
    """An injected sleep: records what the client asked for and returns at once."""

    asked: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        import asyncio

        self.asked.append(seconds)
        await asyncio.sleep(0)


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def endpoints(world: FakeWorld) -> list[BankEndpoint]:
    return [
        BankEndpoint(str(BANK_ORG_BASE + index), world.url(name), behaviour.version, name)
        for index, (name, behaviour) in enumerate(world.banks.items())
    ]


def make_client(
    world: FakeWorld,
    session: aiohttp.ClientSession,
    *,
    sleeps: Sleeps | None = None,
    breakers: Breakers | None = None,
    timeout: float = 0.5,
    attempts: int = 3,
    plaintext: bool = False,
    seed: int = 7,
    **options: Any,
) -> DsopClient:
    agency, _stranger, grant = keys()
    transport = AiohttpTransport(session)
    signer = GrantSigner("agency", "http://authority.test/", world.base + "/token", grant)
    return DsopClient(
        transport,
        TokenProvider(signer, poster(transport)),
        jwe_decryptor(agency),
        timeout=timeout,
        retry=RetryPolicy(attempts=attempts, base=0.05, cap=1.0),
        breakers=breakers,
        rng=random.Random(seed),
        sleep=sleeps or Sleeps(),
        plaintext=plaintext,
        **options,
    )
