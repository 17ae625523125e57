# SPDX-License-Identifier: Apache-2.0
"""The consumers' callback pages: where the consent service sends the person back (``redirectUrl``).

A bank's or insurer's own site would receive ``?consentId=…&status=…`` after the person answered
(Altinn 3 consent: the redirect back to the consumer), pick up the case it belongs to and tell the
person what happens next.  In a local ecosystem one tiny app plays every consumer's site, on loopback::

    GET /{orgno}/samtykke/{case}?ref=<the consumer's own reference>&consentId=<id>&status=<status>

``case`` is one of ``CASES`` (``lan``: loan application, ``studielan``: the net bank's student-loan
widget, ``forsikring``: an insurance claim, ``krav``: the business's tax claims, ``samtykke``: a request
made by hand with ``dsop samtykke``).  The page says the
outcome in the consumer's words, e.g. «Samtykke gitt — søknad 1001 mottatt».  An unknown consumer or
case is 404, a missing or unknown status 400: a plain page, never a stack trace.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from litestar import Litestar, MediaType, Request, Response, get
from litestar.params import FromPath

from opendsop.serving import observe

# case → (what was accepted, what was refused): {ref} is the consumer's reference.
CASES: dict[str, tuple[str, str]] = {
    "lan": (
        "Samtykke gitt — søknad {ref} mottatt",
        "Samtykke ikke gitt — søknad {ref} kan ikke behandles uten inntektsopplysninger",
    ),
    "studielan": (
        "Samtykke gitt — saldo på studielån vises i nettbanken",
        "Samtykke ikke gitt — saldo på studielån vises ikke",
    ),
    "forsikring": (
        "Samtykke gitt — skadesak {ref} mottatt",
        "Samtykke ikke gitt — skadesak {ref} behandles uten opplysninger fra NAV",
    ),
    "krav": (
        "Samtykke gitt — krav og betalinger for {ref} vises i bedriftsnettbanken",
        "Samtykke ikke gitt — krav og betalinger for {ref} vises ikke",
    ),
    # a request made by hand (``dsop samtykke …`` against the local ecosystem)
    "samtykke": ("Samtykke gitt", "Samtykke ikke gitt"),
}
_PAGE = """<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>{consumer}</title></head>
<body><header>{consumer}</header><main><h1 class="outcome">{outcome}</h1>
<p class="consent">Samtykke-id: {consent_id}</p></main></body></html>
"""


def _page(consumer: str, outcome: str, consent_id: str, status: int) -> Response[str]:
    body = _PAGE.format(
        consumer=html.escape(consumer), outcome=html.escape(outcome), consent_id=html.escape(consent_id)
    )
    return Response(body, status_code=status, media_type=MediaType.HTML)


def create_app(consumers: Mapping[str, str]) -> Litestar:
    """The callback pages of ``consumers`` (orgno → name)."""

    @get("/{orgno:str}/samtykke/{case:str}", media_type=MediaType.HTML, sync_to_thread=False)
    def callback(request: Request[Any, Any, Any], orgno: FromPath[str], case: FromPath[str]) -> Response[str]:
        consumer = consumers.get(orgno)
        if consumer is None or case not in CASES:
            return _page("opendsop", "Ukjent side", "", 404)
        query = request.query_params
        ref, consent_id, status = query.get("ref", ""), query.get("consentId", ""), query.get("status", "")
        accepted, refused = CASES[case]
        if status == "accepted":
            return _page(consumer, accepted.format(ref=ref), consent_id, 200)
        if status in ("rejected", "deleted"):
            return _page(consumer, refused.format(ref=ref), consent_id, 200)
        return _page(consumer, "Svaret fra samtykkeløsningen mangler status", consent_id, 400)

    return observe(
        Litestar(route_handlers=[callback], openapi_config=None, logging_config=None),
        "callbacks",
        title="Agencies' consent callback pages / virksomhetenes samtykke-sider",
    )


__all__ = ["CASES", "create_app"]
