# SPDX-License-Identifier: Apache-2.0
"""Statens vegvesen's letters over the message platform: answers to the guarantor's inbox, notices to the carrier.

The register writes every letter into its outbox in the transaction that decides the case
(``loyveregister.letters``); this module sends the ones not yet sent, in order, as correspondences from
SVV (org.nr 971032081): the answer on resource ``svv-transportloyvegaranti`` "sendes tilbake til
garantistens Altinn innboks" (DSOP Transportløyvegaranti “Om”), the notice of revocation on
``svv-loyve-varsel`` to the carrier (vegvesen.no).  Each carries its letter as JSON; its idempotency
key is derived from the letter's sequence, so a send retried after a lost answer makes no second
correspondence.  A platform that does
not answer leaves the rest for the next run (after the next case).

A guarantor may also file over the platform (``receive``): a correspondence to SVV on
``svv-transportloyvegaranti`` carrying the case as ``sak.json``.  The register polls its inbox, decides
each case under the case number ``case_number(correspondence id)`` (so a case read twice is decided once),
confirms the correspondence and sends the answer like any other.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import BigInteger, Column, String, Table, insert, select

from opendsop.clock import oslo_date, utc_now
from opendsop.contracts.messaging import FileUpload, MessagingClient, MessagingError
from opendsop.contracts.messaging.models import Correspondence, CorrespondenceContent, InitializeCorrespondences
from opendsop.contracts.messaging.names import bare_party, org_urn
from opendsop.contracts.registers.loyve import Melding
from opendsop.contracts.registers.loyve_messages import (
    CASE_FILE,
    KEYS,
    NOTICE_RESOURCE,
    RESOURCE,
    case_number,
    filing,
)
from opendsop.registers.loyveregister import LoyveStore, letters
from opendsop.registers.settings import RegistersSettings
from opendsop.registers.store import RegisterDatabase, decode, metadata
from opendsop.standard.services.transport_guarantee import Soknad

_DONE = {"Confirmed", "Archived", "PurgedByRecipient", "PurgedByAltinn"}

log = logging.getLogger("opendsop.registers")

sent = Table(
    "registers_loyve_sendt",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("correspondence_id", String(100), nullable=False),
)


def correspondence(letter: Melding) -> tuple[InitializeCorrespondences, FileUpload]:
    """The correspondence a letter becomes, and its JSON attachment."""
    if letter.svar is not None:
        answer = letter.svar
        title = f"Transportløyvegaranti: {answer.status.value} ({answer.soknadtype.value})"
        body = (
            f"Statens vegvesen har behandlet saken {answer.saksnummer} ({answer.soknadtype.value}) for transportør "
            f"{answer.transportorOrgnummer}.\n\nStatus: **{answer.status.value}**\n\n{answer.melding}"
        )
        properties = {"saksnummer": answer.saksnummer, "status": answer.status.value}
    else:
        assert letter.tilbakekall is not None
        notice = letter.tilbakekall
        title = f"Varsel om tilbakekall av løyve ({notice.garantiType.value})"
        body = (
            f"Garantien {notice.garantiNummer} for {notice.transportorNavn} ({notice.transportorOrgnummer}) er sagt "
            f"opp. Løyvene av typen {notice.garantiType.value} blir tilbakekalt med mindre ny garanti er stilt "
            f"innen **{notice.frist.isoformat()}**."
        )
        properties = {"saksnummer": notice.saksnummer, "frist": notice.frist.isoformat()}
    request = InitializeCorrespondences(
        correspondence=Correspondence(
            resource_id=RESOURCE if letter.svar is not None else NOTICE_RESOURCE,
            senders_reference=f"{letter.type}-{letter.saksnummer}",
            content=CorrespondenceContent(message_title=title[:255], message_body=body),
            property_list={"type": letter.type, **properties},
        ),
        recipients=[org_urn(letter.mottaker)],
        idempotent_key=str(uuid.uuid5(KEYS, str(letter.id))),
    )
    return request, FileUpload(f"{letter.type}.json", msgspec.json.encode(letter), "application/json")


class SvvPost:
    """Sends the register's unsent letters, one run at a time."""

    def __init__(
        self,
        store: LoyveStore,
        db: RegisterDatabase,
        client: Callable[[], MessagingClient],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store, self._db, self._client, self._clock = store, db, client, clock
        self._lock = asyncio.Lock()

    async def receive(self) -> int:
        """Decide the cases guarantors filed over the platform; how many (their answers are then sent)."""
        count = 0
        async with self._lock, self._client() as client:
            async for item in client.inbox(resource_id=RESOURCE):
                if item.status in _DONE:
                    continue
                attachment = next((a for a in item.attachments if a.file_name == CASE_FILE), None)
                case = None
                if attachment is not None:
                    data = await client.download_attachment(item.correspondence_id, attachment.attachment_id)
                    try:
                        case = msgspec.json.decode(data, type=Soknad)
                    except (msgspec.DecodeError, msgspec.ValidationError) as error:
                        log.warning("a filing on the platform is no case: %s", error)
                if case is not None:
                    now = self._clock()
                    await self._store.submit(
                        bare_party(item.sender),
                        case,
                        today=oslo_date(now),
                        now=now,
                        saksnummer=case_number(item.correspondence_id),
                    )
                    count += 1
                await client.confirm(item.correspondence_id)
        if count:
            await self.deliver()
        return count

    async def unsent(self) -> list[Melding]:
        query = select(letters.c.data).where(letters.c.seq.not_in(select(sent.c.seq))).order_by(letters.c.seq)
        async with self._db.engine.connect() as conn:
            return [decode(row, Melding) for row in (await conn.execute(query)).scalars()]

    async def deliver(self) -> int:
        """Send what is unsent, in order; how many were sent (stops quietly at a platform that fails)."""
        count = 0
        async with self._lock, self._client() as client:
            for letter in await self.unsent():
                request, attachment = correspondence(letter)
                try:
                    made = await client.send(request, [attachment])
                except MessagingError as error:
                    log.warning("letter %d not sent to the message platform yet: %s", letter.id, error)
                    break
                async with self._db.engine.begin() as conn:
                    await conn.execute(
                        insert(sent).values(seq=letter.id, correspondence_id=made.correspondences[0].correspondence_id)
                    )
                count += 1
        return count


def post_office(
    settings: RegistersSettings, stores: Any, clock: Callable[[], datetime] | None = None
) -> tuple[SvvPost, Callable[[], Awaitable[None]]]:
    """The app's ``SvvPost`` as Statens vegvesen's client at the token service, and how to close it."""
    import httpx

    from opendsop.contracts.token_provider import GrantSigner, TokenProvider
    from opendsop.contracts.transport import HttpxTransport, poster
    from opendsop.trust.keys import key_from_pem

    assert settings.altinn_url and settings.svv_client_id and settings.svv_key_file
    url = settings.altinn_url
    http = httpx.AsyncClient(timeout=10)
    key = key_from_pem(settings.svv_key_file.read_bytes(), kid=settings.svv_client_id)
    issuer = settings.issuer.rstrip("/")
    tokens = TokenProvider(
        GrantSigner(settings.svv_client_id, issuer + "/", issuer + "/token", key), poster(HttpxTransport(http))
    )

    async def token(scope: str) -> str:
        return await tokens.get(url, scope)

    return SvvPost(stores.loyve, stores.db, lambda: MessagingClient(url, token), clock or utc_now), http.aclose


async def poll(post: SvvPost, interval: float) -> None:
    """The register's inbox, read every ``interval`` seconds until cancelled (cases filed over the platform)."""
    failing = False
    while True:
        try:
            await post.receive()
            if failing:
                log.info("the register reads its inbox on the message platform again")
            failing = False
        except Exception as error:  # the platform down or restarting: try again next round, saying so once
            if not failing:
                log.warning("the register cannot read its inbox on the message platform (%s)", type(error).__name__)
            failing = True
        await asyncio.sleep(interval)


async def deliver_quietly(post: SvvPost | None) -> None:
    """Send what is unsent after a case; a failure is logged, the letters wait for the next run."""
    if post is None:
        return
    try:
        await post.deliver()
    except Exception as error:  # the case is decided and stored: its letters must not fail the answer
        log.warning("the register's letters wait for the message platform (%s)", type(error).__name__)


__all__ = [
    "CASE_FILE",
    "NOTICE_RESOURCE",
    "RESOURCE",
    "SvvPost",
    "case_number",
    "correspondence",
    "deliver_quietly",
    "filing",
    "poll",
    "post_office",
    "sent",
]
