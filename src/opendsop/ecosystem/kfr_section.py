# SPDX-License-Identifier: Apache-2.0
"""The bank console's read-only KFR section (``/ops/kfr``): what the bank has registered at the relations hub.

The bank's own store keeps no KFR view, and the hub's KFR API (DSOP Kundeforholdsregister “Om”) answers
per customer or per batch id, not with a list; so the local ecosystem, which runs both, shows the hub's
own record of this bank: its open relations per relationship type and its batches (status, counts, the
hub's message).  No customer ids are shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Request, Response, get

from opendsop.web import ROLE_OPERATIONS

PAGES = Path(__file__).parent / "ops_pages"
TEXTS = {
    "nb": {
        "kfr": "KFR", "kfr_title": "Kundeforholdsregisteret (KFR)", "kfr_open": "Åpne kundeforhold per type",
        "kfr_batches": "Innsendte batcher", "rel_type": "Type", "batch": "Batch", "kfr_total": "Linjer",
        "kfr_added": "Lagt til", "kfr_unchanged": "Uendret", "kfr_created": "Mottatt", "kfr_finished": "Ferdig",
        "kfr_message": "Melding", "kfr_status": "Status", "kfr_readonly": "Slik relasjonsnavet kjenner banken "
        "(kun lesing).",
    },
    "en": {
        "kfr": "KFR", "kfr_title": "Customer relations register (KFR)", "kfr_open": "Open relations by type",
        "kfr_batches": "Batches submitted", "rel_type": "Type", "batch": "Batch", "kfr_total": "Lines",
        "kfr_added": "Added", "kfr_unchanged": "Unchanged", "kfr_created": "Received", "kfr_finished": "Finished",
        "kfr_message": "Message", "kfr_status": "Status", "kfr_readonly": "As the relations hub knows the bank "
        "(read-only).",
    },
}  # fmt: skip


@dataclass
class KfrSection:
    """``/ops/kfr`` of the bank ``orgno``, read from the hub's database at ``database_url``."""

    database_url: str

    def __call__(self, console: Any) -> None:
        from opendsop.relations.kfr import KfrStore
        from opendsop.relations.store import Database

        kit = console.kit

        @get("/kfr")
        async def kfr(request: Request[Any, Any, Any]) -> Response[str]:
            session = kit.require(request, kind="staff", role=ROLE_OPERATIONS)
            db = Database.from_url(self.database_url)
            try:
                store = KfrStore(db)
                counts = await store.open_by_type(console.bank_orgno)
                batches = await store.batches_of(console.bank_orgno)
            finally:
                await db.close()
            return kit.render(request, "ops_kfr.html", session=session, counts=counts, batches=batches)

        console.add_section("/kfr", TEXTS, "kfr", [kfr], templates=PAGES)


__all__ = ["KfrSection"]
