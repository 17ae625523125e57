# SPDX-License-Identifier: Apache-2.0
"""HTTP routes of the løyveregister and Finanstilsynet's concession register (contracts.registers.loyve).

The guarantor is the organisation in the token (scope ``svv:transportloyvegaranti``): SVV receives
no personal data about the caseworker (vegvesen.no “selvbetjening for garantister”).  A case is
always answered 200 with the app model's ``Status``; only a body that is no case is a 400.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath, FromQuery

from opendsop.clock import oslo_today
from opendsop.contracts.registers.errors import InvalidInput, NotFound, org_id
from opendsop.contracts.registers.loyve import (
    FINANSTILSYNET,
    LOYVEREGISTER,
    SCOPE_LOYVEGARANTI,
    GarantiInformasjon,
    Konsesjon,
    Melding,
    Sak,
    Svar,
)
from opendsop.registers.api import _registers, authorise, parse_after
from opendsop.registers.loyveregister import LoyveStore
from opendsop.standard.json_body import check_json_limits
from opendsop.standard.services.transport_guarantee import Garanti, Soknad

MAX_BODY_BYTES = 64 * 1024


def _store(request: Request[Any, Any, Any]) -> LoyveStore:
    store: LoyveStore = request.app.state.loyve
    return store


def _org(request: Request[Any, Any, Any], value: str, parameter: str) -> str:
    return org_id(value, parameter, synthetic_allowed=_registers(request).synthetic_allowed)


@get(LOYVEREGISTER + "/transportorer/{orgnr:str}")
async def transportor(request: Request[Any, Any, Any], orgnr: FromPath[str]) -> GarantiInformasjon:
    principal = await authorise(request, SCOPE_LOYVEGARANTI)
    found = await _store(request).overview(_org(request, orgnr, "orgnr"), principal.consumer_org)
    if found is None:
        raise NotFound(f"no carrier {orgnr} in the løyveregister", parameter="orgnr")
    return found


@post(LOYVEREGISTER + "/saker", status_code=200)
async def sak(request: Request[Any, Any, Any]) -> Svar:
    principal = await authorise(request, SCOPE_LOYVEGARANTI)
    try:
        body = check_json_limits(await request.body(), max_bytes=MAX_BODY_BYTES)
        case = msgspec.json.decode(body, type=Soknad)
    except ValueError as exc:  # over the limits, or msgspec's DecodeError/ValidationError
        raise InvalidInput(
            f"the body must be a case {{transportorOrgnummer, soknadtype, <sub-form>}}: {exc}", parameter="body"
        ) from None
    _org(request, case.transportorOrgnummer, "transportorOrgnummer")
    clock = _registers(request).clock
    answer = await _store(request).submit(principal.consumer_org, case, today=oslo_today(clock), now=clock())
    post = getattr(request.app.state, "loyve_post", None)
    if post is not None:  # SVV's answer to the guarantor's inbox, its notice to the carrier's (loyve_post.py)
        from opendsop.registers.loyve_post import deliver_quietly

        await deliver_quietly(post)
    return answer


@get(LOYVEREGISTER + "/saker")
async def saker(request: Request[Any, Any, Any]) -> list[Sak]:
    principal = await authorise(request, SCOPE_LOYVEGARANTI)
    return await _store(request).cases_by(principal.consumer_org)


@get(LOYVEREGISTER + "/garantier")
async def garantier(request: Request[Any, Any, Any], transportor: FromQuery[str | None] = None) -> list[Garanti]:
    principal = await authorise(request, SCOPE_LOYVEGARANTI)
    carrier = _org(request, transportor, "transportor") if transportor else None
    return await _store(request).guarantees_by(principal.consumer_org, carrier)


@get(LOYVEREGISTER + "/meldinger")
async def meldinger(request: Request[Any, Any, Any], etter: FromQuery[str | None] = None) -> list[Melding]:
    principal = await authorise(request, SCOPE_LOYVEGARANTI)
    return await _store(request).letters_to(principal.consumer_org, parse_after(etter, "etter"))


@get(FINANSTILSYNET + "/konsesjoner/{orgnr:str}")
async def konsesjon(request: Request[Any, Any, Any], orgnr: FromPath[str]) -> Konsesjon:
    """Public, like Finanstilsynet's virksomhetsregister: no token."""
    found = await _store(request).concession(_org(request, orgnr, "orgnr"))
    if found is None:
        raise NotFound(f"organisation {orgnr} holds no concession in Finanstilsynet's register", parameter="orgnr")
    return found


LOYVE_ROUTES = [transportor, sak, saker, garantier, meldinger, konsesjon]

__all__ = ["LOYVE_ROUTES"]
