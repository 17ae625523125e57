# SPDX-License-Identifier: Apache-2.0
"""Foretaksregisteret's intake on the message platform: share-capital confirmations in, the register's answer out.

A bank sends its signed confirmation (aksjeloven § 2-18 (2)) as a broker file transfer to Brønnøysundregistrene
on ``brg_aksjeinnskudd`` (manifest ``messageType=Aksjeinnskuddsbekreftelse``, ``meldingsreferanse``; docs/decisions.md,
"DSVE and company founding").  The register polls its broker inbox, checks each confirmation against the founding
notice (``ForetakStore.confirm``: registered once however often it is read), answers the sending bank with a
``Registreringsmelding`` transfer (the notice's state as JSON; idempotent by the incoming transfer) and confirms the
download — a crash before the confirmation makes the next poll read it again and answer the same.
"""

from __future__ import annotations

import asyncio
import io
import logging
import zipfile
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import msgspec

from opendsop.clock import oslo_date, utc_now
from opendsop.contracts.messaging import MessagingClient
from opendsop.contracts.messaging.models import FileTransferInitialize
from opendsop.contracts.messaging.names import ISO6523_ORG, bare_party
from opendsop.registers.foretak import ForetakStore

log = logging.getLogger("opendsop.registers")
RESOURCE = "brg_aksjeinnskudd"
CONFIRMATION = "Aksjeinnskuddsbekreftelse"
ANSWER = "Registreringsmelding"
BRREG = "974760673"
MAX_FILE = 2 * 1024 * 1024


def _document(payload: bytes) -> bytes:
    """The signed confirmation in the ZIP (its one ``.sdo`` file); empty when there is none."""
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            for info in archive.infolist()[:10]:
                if info.filename.lower().endswith(".sdo") and info.file_size <= MAX_FILE:
                    return archive.read(info)[:MAX_FILE]
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        pass
    return b""


class BrregIntake:
    def __init__(
        self, foretak: ForetakStore, client: Callable[[], MessagingClient], clock: Callable[[], datetime]
    ) -> None:
        self._foretak, self._client, self._clock = foretak, client, clock

    async def receive(self) -> int:
        """Read, decide and answer every waiting confirmation; returns how many were handled."""
        handled = 0
        async with self._client() as client:
            for transfer_id in await client.available_file_transfers(RESOURCE):
                details = await client.file_transfer_details(transfer_id)
                properties, bank = details.property_list, bare_party(details.sender)
                reference = properties.get("meldingsreferanse", "")[:64]
                now = self._clock()
                state = None
                if properties.get("messageType") == CONFIRMATION and reference:
                    payload = await client.download_file_transfer(transfer_id)
                    state = await self._foretak.confirm(reference, _document(payload), now=now, today=oslo_date(now))
                answer: dict[str, Any] = (
                    msgspec.to_builtins(state)
                    if state is not None
                    else {
                        "referanse": reference,
                        "status": "avvist",
                        "kode": "FR-002",
                        "begrunnelse": "ukjent stiftelse",
                    }
                )
                body = msgspec.json.encode(answer)
                request = FileTransferInitialize(
                    file_name="registreringsmelding.json",
                    resource_id=RESOURCE,
                    recipients=[ISO6523_ORG + bank],
                    senders_file_transfer_reference=f"svar-{transfer_id}",
                    property_list={
                        "messageType": ANSWER,
                        "meldingsreferanse": reference,
                        "status": str(answer["status"]),
                    },
                    idempotent_key=f"svar-{transfer_id}",
                )
                await client.send_file(request, body)
                await client.confirm_download(transfer_id)
                handled += 1
        return handled


def intake(
    settings: Any, stores: Any, clock: Callable[[], datetime] | None = None
) -> tuple[BrregIntake, Callable[[], Awaitable[None]]]:
    """The app's intake as Brønnøysundregistrene's client at the token service, and how to close it."""
    import httpx

    from opendsop.contracts.token_provider import GrantSigner, TokenProvider
    from opendsop.contracts.transport import HttpxTransport, poster
    from opendsop.trust.keys import key_from_pem

    url, client_id = settings.altinn_url, settings.brreg_client_id
    http = httpx.AsyncClient(timeout=10)
    key = key_from_pem(settings.brreg_key_file.read_bytes(), kid=client_id)
    issuer = settings.issuer.rstrip("/")
    tokens = TokenProvider(GrantSigner(client_id, issuer + "/", issuer + "/token", key), poster(HttpxTransport(http)))

    async def token(scope: str) -> str:
        return await tokens.get(url, scope)

    return BrregIntake(stores.foretak, lambda: MessagingClient(url, token), clock or utc_now), http.aclose


async def poll(post: BrregIntake, interval: float) -> None:
    """The intake's inbox, read every ``interval`` seconds until cancelled."""
    failing = False
    while True:
        try:
            await post.receive()
            failing = False
        except Exception as error:  # the platform down or restarting: try again next round, saying so once
            if not failing:
                log.warning(
                    "Foretaksregisteret cannot read its inbox on the message platform (%s)", type(error).__name__
                )
            failing = True
        await asyncio.sleep(interval)


__all__ = ["ANSWER", "BRREG", "CONFIRMATION", "RESOURCE", "BrregIntake", "intake", "poll"]
