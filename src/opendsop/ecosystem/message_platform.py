# SPDX-License-Identifier: Apache-2.0
"""The message platform in the local ecosystem: its resources, role assignments and client scopes.

Written into the platform's database at provisioning (idempotent), the way a service owner registers
its resources in Altinn's resource registry:

* ``dsop-digital-letter`` (correspondence): every agency of the topology sends digital letters, any
  organisation receives them and answers by reply (DSOP “Architecture document”, the digital letter);
* ``svv-transportloyvegaranti`` (correspondence and broker): Statens vegvesen and the holders of role
  A0294 *Transportløyvegaranti* send and receive — every bank holds the role for itself (its system
  user), so a guarantor's inbox gets SVV's answers;
* ``svv-loyve-varsel`` (correspondence): SVV's notices of revocation to carriers (any organisation);
* ``kv_dsve`` (broker): Kartverket's DSVE resource (TT02: ``kv_dsve_test``), any bank or estate agent
  to any other — AKELDO's per-message-type lists refine it at the parties.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opendsop.contracts.messaging import names
from opendsop.ecosystem.topology import Topology

if TYPE_CHECKING:  # provision imports this module for the scopes
    from opendsop.ecosystem.provision import Provisioned

DIGITAL_LETTER = "dsop-digital-letter"
TRANSPORT_GUARANTEE = "svv-transportloyvegaranti"
LICENCE_NOTICE = "svv-loyve-varsel"
DSVE = "kv_dsve"
SVV = "971032081"  # Statens vegvesen, Nasjonal transportløyveseksjon
KARTVERKET = "971040238"
DIGDIR = "991825827"

AGENCY_SCOPES = (names.CORRESPONDENCE_WRITE, names.CORRESPONDENCE_READ, names.EVENTS)
BANK_SCOPES = (
    names.CORRESPONDENCE_WRITE,
    names.CORRESPONDENCE_READ,
    names.BROKER_WRITE,
    names.BROKER_READ,
    names.EVENTS,
)


def resources(topology: Topology) -> list[object]:
    from opendsop.contracts.messaging.models import Resource
    from opendsop.provider.fraud import recall_resource

    return [
        Resource(
            identifier=DIGITAL_LETTER,
            owner=DIGDIR,
            title="Digitalt brev (DSOP)",
            kinds=["correspondence"],
            senders=[agency.orgno for agency in topology.agencies],
            recipients=["*"],
        ),
        Resource(
            identifier=TRANSPORT_GUARANTEE,
            owner=SVV,
            title="Transportløyvegaranti",
            senders=[SVV],
            recipients=[SVV],
            sender_roles=[names.TRANSPORT_GUARANTEE_ROLE],
            recipient_roles=[names.TRANSPORT_GUARANTEE_ROLE],
        ),
        Resource(
            identifier=LICENCE_NOTICE,
            owner=SVV,
            title="Varsel om tilbakekall av løyve",
            kinds=["correspondence"],
            senders=[SVV],
            recipients=["*"],
        ),
        Resource(  # ours: the bank's share-capital confirmation to Foretaksregisteret (docs/decisions.md, DSVE)
            identifier="brg_aksjeinnskudd",
            owner="974760673",
            title="Bekreftelse på innbetalt aksjekapital",
            kinds=["broker"],
            senders=[*(bank.orgno for bank in topology.banks), "974760673"],  # the register answers the bank
            recipients=[*(bank.orgno for bank in topology.banks), "974760673"],
        ),
        recall_resource((bank.orgno for bank in topology.banks), owner=DIGDIR),  # fraud recalls between banks
        Resource(
            identifier=DSVE,
            owner=KARTVERKET,
            title="Digital samhandling ved eiendomshandel (DSVE)",
            kinds=["broker"],
            senders=["*"],
            recipients=["*"],
        ),
    ]


async def register_message_platform(topology: Topology, provisioned: Provisioned) -> None:
    """The ecosystem's resources and role assignments in the platform's database."""
    from opendsop.altinn.store import MessageStore
    from opendsop.contracts.messaging.models import Resource, RoleAssignment

    store = MessageStore.from_url(provisioned.paths.database("altinn"))
    try:
        await store.migrate()
        for resource in resources(topology):
            assert isinstance(resource, Resource)
            await store.put_resource(resource)
        for bank in topology.banks:
            await store.assign_role(
                RoleAssignment(holder=bank.orgno, party=bank.orgno, role=names.TRANSPORT_GUARANTEE_ROLE)
            )
    finally:
        await store.close()


@contextlib.asynccontextmanager
async def platform_client(topology: Topology, client_id: str, key_path: Path) -> AsyncIterator[Any]:
    """A ``MessagingClient`` to the topology's platform as one registered client (an agency's
    ``agency-<orgno>`` with its ``grant.pem``, a bank's ``bank-<orgno>``), tokens from its token service."""
    import httpx

    from opendsop.contracts.messaging import MessagingClient
    from opendsop.contracts.token_provider import GrantSigner, TokenProvider
    from opendsop.contracts.transport import HttpxTransport, poster
    from opendsop.trust.keys import key_from_pem

    authority, platform = topology.url("authority"), topology.url("altinn")
    key = key_from_pem(key_path.read_bytes(), kid=client_id)
    async with httpx.AsyncClient(timeout=30) as http:
        tokens = TokenProvider(
            GrantSigner(client_id, authority + "/", authority + "/token", key), poster(HttpxTransport(http))
        )
        async with MessagingClient(platform, lambda scope: tokens.get(platform, scope)) as client:
            yield client


__all__ = [
    "AGENCY_SCOPES",
    "BANK_SCOPES",
    "DIGITAL_LETTER",
    "DSVE",
    "LICENCE_NOTICE",
    "TRANSPORT_GUARANTEE",
    "platform_client",
    "register_message_platform",
    "resources",
]
