# SPDX-License-Identifier: Apache-2.0
"""DSVE's ``Transport`` over the message platform's broker (Altinn 3 Broker shaped; ``contracts.messaging``).

One ``MessagingClient`` per organisation that sends or fetches (each holds that organisation's tokens).
A shipment is one file transfer on the resource (``kv_dsve``): the ZIP as the file, the manifest as the
transfer's property list, the sender's reference as ``sendersFileTransferReference`` and, so a retry
after a crash publishes nothing twice, as the idempotency key.  Fetching reads the transfer's details
(sender, properties) and downloads the ZIP; confirming is the broker's ``confirmdownload``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from opendsop.contracts.dsve.transport import Delivery
from opendsop.contracts.messaging import MessagingClient, names
from opendsop.contracts.messaging.models import FileTransferInitialize
from opendsop.standard.dsve.catalogue import RESOURCE_PROD


class BrokerTransport:
    def __init__(self, clients: Mapping[str, MessagingClient], *, resource: str = RESOURCE_PROD) -> None:
        self._clients = dict(clients)
        self.resource = resource

    def on(self, resource: str) -> BrokerTransport:
        """The same organisations' clients on another broker resource."""
        return BrokerTransport(self._clients, resource=resource)

    def _client(self, orgnr: str) -> MessagingClient:
        client = self._clients.get(orgnr)
        if client is None:
            raise LookupError(f"no platform client for {orgnr}: it cannot send or fetch here")
        return client

    async def send(
        self, sender: str, recipient: str, properties: Mapping[str, str], payload: bytes, *, reference: str
    ) -> str:
        request = FileTransferInitialize(
            file_name=f"{properties.get('messageType', 'dsve')}.zip",
            resource_id=self.resource,
            recipients=[names.ISO6523_ORG + recipient],
            senders_file_transfer_reference=reference[:200],
            property_list=dict(properties),
            checksum=hashlib.sha256(payload).hexdigest(),
            idempotent_key=f"{sender}:{reference}"[:200],
        )
        overview = await self._client(sender).send_file(request, payload)
        return overview.file_transfer_id

    async def available(self, recipient: str) -> list[str]:
        return await self._client(recipient).available_file_transfers(self.resource)

    async def fetch(self, transfer_id: str, recipient: str) -> Delivery:
        client = self._client(recipient)
        details = await client.file_transfer_details(transfer_id)
        payload = await client.download_file_transfer(transfer_id)
        return Delivery(
            transfer_id,
            names.bare_party(details.sender),
            recipient,
            dict(details.property_list),
            payload,
            details.senders_file_transfer_reference,
        )

    async def confirm(self, transfer_id: str, recipient: str) -> None:
        await self._client(recipient).confirm_download(transfer_id)


__all__ = ["BrokerTransport"]
