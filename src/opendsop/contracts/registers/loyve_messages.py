# SPDX-License-Identifier: Apache-2.0
"""Transport guarantee cases and Statens vegvesen's letters as correspondences on the message platform.

What the guarantor and the løyveregister share: the resources (``svv-transportloyvegaranti`` for cases
and answers, ``svv-loyve-varsel`` for SVV's notices of revocation to carriers), the case attachment and
the case number a filing gets (derived from its correspondence id, so the guarantor can find its answer
and a case read twice is decided once).
"""

from __future__ import annotations

import uuid
from typing import Final

import msgspec

from opendsop.contracts.messaging.client import FileUpload
from opendsop.contracts.messaging.models import Correspondence, CorrespondenceContent, InitializeCorrespondences
from opendsop.contracts.messaging.names import org_urn
from opendsop.standard.services.transport_guarantee import SVV_ORGNR, Soknad

RESOURCE: Final = "svv-transportloyvegaranti"  # guarantors ↔ SVV (Altinn role A0294)
NOTICE_RESOURCE: Final = "svv-loyve-varsel"  # SVV → a carrier: the notice of revocation (any organisation receives)
CASE_FILE: Final = "sak.json"  # a case filed over the platform (standard.services.transport_guarantee.Soknad)
KEYS: Final = uuid.UUID("0b6c1a2e-8f53-4c1e-9d0a-5e2f7c3b9a41")  # namespace of derived ids


def case_number(correspondence_id: str) -> str:
    """The saksnummer of a case filed as correspondence ``correspondence_id`` (the guarantor can compute it)."""
    return str(uuid.uuid5(KEYS, "sak:" + correspondence_id))


def filing(case: Soknad) -> tuple[InitializeCorrespondences, FileUpload]:
    """The correspondence a guarantor sends to file ``case`` over the platform."""
    request = InitializeCorrespondences(
        correspondence=Correspondence(
            resource_id=RESOURCE,
            senders_reference=f"{case.soknadtype.value}-{case.transportorOrgnummer}",
            content=CorrespondenceContent(
                message_title=f"Transportløyvegaranti: {case.soknadtype.value} for {case.transportorOrgnummer}",
                message_body=f"Sak om transportløyvegaranti ({case.soknadtype.value}); skjemaet ligger ved.",
            ),
            property_list={"soknadtype": case.soknadtype.value},
        ),
        recipients=[org_urn(SVV_ORGNR)],
    )
    return request, FileUpload(CASE_FILE, msgspec.json.encode(case), "application/json")


__all__ = ["CASE_FILE", "KEYS", "NOTICE_RESOURCE", "RESOURCE", "case_number", "filing"]
