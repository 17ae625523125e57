# SPDX-License-Identifier: Apache-2.0
"""The grunnbok stand-in's public page (``/grunnboken/?enhet=…``): a unit's title holders and mortgages.

As Kartverket's public lookup shows them: holders by name only (never a fødselsnummer), mortgages in
priority order with their document number, registration date, amount and lender, and deleted ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get
from litestar.params import FromQuery

from opendsop.web import WebKit

PAGES = Path(__file__).parent
TEXTS: Mapping[str, Mapping[str, str]] = {
    "nb": {
        "grunnboken": "Grunnboken", "intro": "Slå opp en registerenhet i grunnboken (testmiljø, syntetiske data).",
        "enhet": "Registerenhet", "enhet_hint": "Kommune-gnr-bnr-fnr-snr, for eksempel 0301-208-12-0-0",
        "show": "Vis", "hjemmel": "Hjemmel", "hjemmelshaver": "Hjemmelshaver", "heftelser": "Pantedokumenter",
        "prioritet": "Prioritet", "dokument": "Dokument", "registrert": "Tinglyst", "beloep": "Beløp (kr)",
        "rettighetshaver": "Rettighetshaver", "slettet": "Slettede pantedokumenter",
        "unknown": "Registerenheten finnes ikke i grunnboken", "gnr": "gnr", "bnr": "bnr",
    },
    "en": {
        "grunnboken": "The land register", "intro": "Look up a unit in the land register (test environment, "
        "synthetic data).", "enhet": "Unit", "enhet_hint": "Municipality-gnr-bnr-fnr-snr, e.g. 0301-208-12-0-0",
        "show": "Show", "hjemmel": "Title", "hjemmelshaver": "Title holder", "heftelser": "Mortgages",
        "prioritet": "Priority", "dokument": "Document", "registrert": "Registered", "beloep": "Amount (NOK)",
        "rettighetshaver": "Right holder", "slettet": "Deleted mortgages",
        "unknown": "No such unit in the land register", "gnr": "gnr", "bnr": "bnr",
    },
}  # fmt: skip


def grunnbok_pages() -> Router:
    kit = WebKit(
        title={"nb": "Grunnboken (stand-in)", "en": "The land register (stand-in)"},
        templates=PAGES,
        texts=TEXTS,
        prefix="/grunnboken",
    )

    @get("/", name="grunnboken")
    async def page(request: Request[Any, Any, Any], enhet: FromQuery[str | None] = None) -> Response[str]:
        key = (enhet or "").strip()[:80]
        unit = await request.app.state.grunnbok.unit(key) if key else None
        if key and unit is None:
            lang = kit.lang(request)
            return kit.render(
                request, "grunnbok.html", status=404, enhet=key, unit=None, errors={"enhet": TEXTS[lang]["unknown"]}
            )
        if unit is None:
            return kit.render(request, "grunnbok.html", enhet="", unit=None, errors={})
        place = (
            f"{unit.kommunenavn} ({unit.kommunenummer}) gnr {unit.gaardsnummer} bnr {unit.bruksnummer}"
            if unit.type == "matrikkel"
            else f"{unit.borettslagnavn} andel {unit.andelsnummer}"
        )
        return kit.render(
            request,
            "grunnbok.html",
            enhet=key,
            unit=unit,
            errors={},
            place=place,
            holders=[(h.navn,) for h in unit.hjemmelshavere],
            mortgages=[
                (h.prioritet, f"{h.dokumentnummer}/{h.dokumentaar}-{h.embetenummer}/{h.rettsstiftelsesnummer}",
                 h.registreringstidspunkt.date(), h.beloep, h.panthaver.navn)
                for h in unit.heftelser
            ],
            deleted=[(f"{h.dokumentnummer}/{h.dokumentaar}-{h.embetenummer}", h.panthaver.navn) for h in unit.slettede],
        )  # fmt: skip

    return kit.router([page], login=False)


__all__ = ["grunnbok_pages"]
