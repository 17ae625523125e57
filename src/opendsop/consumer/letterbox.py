# SPDX-License-Identifier: Apache-2.0
"""The agency's letter box on the message platform (contracts.messaging): digital letters as correspondences.

A letter is a correspondence of resource ``dsop-digital-letter`` to the bank
(``urn:altinn:organization:identifier-no:<orgnr>``), confidential and needing confirmation, with the
request as a JSON attachment and ``propertyList`` as the DSOP mapping proposed for Altinn 3 (Legal-Mandate,
AccountInfoRequestID, CorrelationID, CustomerID).  Its idempotency key is derived from the case and the
bank, so a send retried after a lost answer makes no second letter.  The bank answers with a reply
(the platform's ``{id}/reply``) carrying the file; the agency finds it in its inbox, and confirms it once
attached so it is not picked up again.  A reminder is a new correspondence referring to the first
(``externalReferences``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, time

from opendsop.clock import OSLO
from opendsop.consumer.letters import LetterAnswer
from opendsop.contracts.digital_letter import REQUEST_FILE, REQUEST_TYPE, RESOURCE, LetterRequest, encode_request
from opendsop.contracts.messaging import FileUpload, MessagingClient
from opendsop.contracts.messaging.models import (
    Correspondence,
    CorrespondenceContent,
    ExternalReference,
    InitializeCorrespondences,
)
from opendsop.contracts.messaging.names import CorrespondenceStatus, bare_party, org_urn

_KEYS = uuid.UUID("6d1f4f0e-6c79-4a53-9a8f-4f1b7d7a2e10")  # namespace of the letters' idempotency keys
_DONE = {
    CorrespondenceStatus.CONFIRMED,
    CorrespondenceStatus.ARCHIVED,
    CorrespondenceStatus.PURGED_BY_RECIPIENT,
    CorrespondenceStatus.PURGED_BY_ALTINN,
}


class PlatformLetterBox:
    """``LetterBox`` over a ``MessagingClient`` acting as the agency."""

    def __init__(self, client: MessagingClient) -> None:
        self.client = client

    async def send(self, bank_org: str, request: LetterRequest, *, reminder_of: str | None = None) -> str:
        title = request.title() if reminder_of is None else f"Påminnelse: {request.title()}"
        key = None if reminder_of else str(uuid.uuid5(_KEYS, f"{request.accountInfoRequestId}:{bank_org}"))
        correspondence = Correspondence(
            resource_id=RESOURCE,
            senders_reference=request.accountInfoRequestId,
            content=CorrespondenceContent(
                message_title=title[:255], message_summary=request.summary()[:255], message_body=request.body()
            ),
            due_date_time=datetime.combine(request.dueDate, time(23, 59), OSLO),
            property_list=request.property_list(),
            external_references=[ExternalReference(reference_value=reminder_of)] if reminder_of else [],
            is_confirmation_needed=True,
            is_confidential=True,
        )
        sent = await self.client.send(
            InitializeCorrespondences(
                correspondence=correspondence, recipients=[org_urn(bank_org)], idempotent_key=key
            ),
            [FileUpload(REQUEST_FILE, encode_request(request), REQUEST_TYPE)],
        )
        return sent.correspondences[0].correspondence_id

    async def answers(self) -> Sequence[LetterAnswer]:
        found: list[LetterAnswer] = []
        async for item in self.client.inbox(resource_id=RESOURCE):
            if item.status in _DONE or not item.attachments:
                continue
            request_id = item.property_list.get("AccountInfoRequestID") or item.senders_reference
            attachment = item.attachments[0]
            data = await self.client.download_attachment(item.correspondence_id, attachment.attachment_id)
            found.append(
                LetterAnswer(item.correspondence_id, bare_party(item.sender), request_id, attachment.file_name, data)
            )
        return found

    async def confirm(self, answer: LetterAnswer) -> None:
        await self.client.confirm(answer.reference)


__all__ = ["PlatformLetterBox"]
