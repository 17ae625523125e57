# SPDX-License-Identifier: Apache-2.0
"""The bank's identity at the token service and the HTTP clients a back-office command uses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from opendsop.backoffice.settings import BackofficeError, BackofficeSettings
from opendsop.contracts.registers.loyve import SCOPE_LOYVEGARANTI, LoyveregisterClient
from opendsop.contracts.token_provider import GrantSigner, TokenProvider
from opendsop.contracts.transport import HttpxTransport, poster
from opendsop.trust.keys import key_from_pem

if TYPE_CHECKING:
    from opendsop.contracts.messaging import MessagingClient


@dataclass
class Session:
    settings: BackofficeSettings
    http: httpx.AsyncClient
    tokens: TokenProvider

    def platform(self) -> MessagingClient:
        """The message platform as the bank (each call asks for its operation's scope)."""
        from opendsop.contracts.messaging import MessagingClient

        url = self.settings.altinn_url

        async def token(scope: str) -> str:
            return await self.tokens.get(url, scope)

        return MessagingClient(url, token)

    def loyveregister(self) -> LoyveregisterClient:
        url = self.settings.registers_url
        return LoyveregisterClient(url, self.tokens.source(url, SCOPE_LOYVEGARANTI))


@asynccontextmanager
async def open_session(settings: BackofficeSettings) -> AsyncIterator[Session]:
    settings = settings.check()
    assert settings.key_file is not None
    try:
        key = key_from_pem(settings.key_file.read_bytes(), kid=settings.client_id)
    except OSError as error:
        raise BackofficeError(f"the key file {settings.key_file} cannot be read: {error.strerror}") from None
    authority = settings.authority_url.rstrip("/")
    async with httpx.AsyncClient(timeout=10) as http:
        tokens = TokenProvider(
            GrantSigner(settings.client_id, authority + "/", authority + "/token", key),
            poster(HttpxTransport(http)),
        )
        yield Session(settings, http, tokens)


__all__ = ["Session", "open_session"]
