"""What every route of the consent service shares: store, clock, token verifier, sessions, templates.

Also the two authorisation rules of the API (DSOP SBL “Samtykkeløsningen”; DSOP “Altinn 3.0”):

* a consumer's Maskinporten-like token must carry the route's scope
  (``altinn:consentrequests.write`` to create or delete, ``…read`` to read, ``altinn:consenttokens``
  for Altinn 2 token exchange);
* the token's ``consumer`` must be the request's ``to`` (it may be delegated to a supplier), or the
  ``handledBy`` supplier itself (with its own token or as the ``supplier`` of a delegated one) — and
  only while ``to`` has a registered delegation to that supplier (``registry``);
* a new request's ``redirectUrl`` must lie under a URL registered by ``to`` or that supplier;
* reading a request (status, events) is also allowed to the data source that owns one of its
  resources (``ConsentResource.owner_org``), so a revocation-sensitive source can re-check the status
  (consent contract: ``GET /consentrequests/{id}``).  Decision: the same read scope, no new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from opendsop.consent.login import SessionCodec, SessionStore
from opendsop.consent.notify import RevocationHooks
from opendsop.consent.parties import OrganisationNames, Representatives
from opendsop.consent.registry import Registry
from opendsop.consent.requests import ConsentError, ConsentRecord, ConsentRequest, Status, check_transition
from opendsop.consent.settings import ConsentSettings
from opendsop.consent.store import ConsentStore
from opendsop.contracts.verify import InsufficientScope, Principal, TokenVerifier
from opendsop.trust.errors import InvalidToken

SCOPE_WRITE = "altinn:consentrequests.write"
SCOPE_READ = "altinn:consentrequests.read"
SCOPE_TOKENS = "altinn:consenttokens"
API_BASE = "/accessmanagement/api/v1/enterprise/consentrequests"
TEMPLATES = Path(__file__).parent / "pages"


def templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )


@dataclass
class Context:
    settings: ConsentSettings
    store: ConsentStore
    registry: Registry
    verifier: TokenVerifier
    clock: Callable[[], datetime]
    names: OrganisationNames
    representatives: Representatives
    sessions: SessionCodec
    session_store: SessionStore
    pages: jinja2.Environment = field(default_factory=templates)
    altinn2_key: Any = None  # set at startup (altinn2.ensure_key)
    hooks: RevocationHooks | None = None  # the data sources told at once when a consent ends

    def now(self) -> datetime:
        return self.clock()

    async def principal(self, authorization: str | None, scope: str) -> Principal:
        """The caller of a consumer route; 401 / 403 as JSON errors."""
        try:
            principal = await self.verifier.verify_authorization(authorization)
        except InsufficientScope as exc:
            raise ConsentError(403, "insufficient_scope", exc.message, "Authorization") from None
        except InvalidToken as exc:
            raise ConsentError(401, "unauthorized", exc.message, "Authorization") from None
        if scope not in principal.scopes:
            raise ConsentError(403, "insufficient_scope", f"the token lacks the scope {scope}", "Authorization")
        return principal


async def may_act(ctx: Context, principal: Principal, request: ConsentRequest) -> bool:
    """The caller is ``to``, or the ``handledBy`` supplier that ``to`` has delegated to (checked now, so
    withdrawing the delegation stops the supplier at once)."""
    if principal.consumer_org == request.to_org:
        return True
    if request.handled_by is None or request.handled_by not in (principal.consumer_org, principal.supplier_org):
        return False
    return await ctx.registry.is_delegated(request.to_org, request.handled_by)


async def may_read(ctx: Context, principal: Principal, request: ConsentRequest) -> bool:
    if principal.consumer_org in {r.owner_org for r in request.resources}:
        return True
    return await may_act(ctx, principal, request)


async def require_actor(ctx: Context, principal: Principal, request: ConsentRequest) -> None:
    if not await may_act(ctx, principal, request):
        raise ConsentError(
            403,
            "forbidden",
            f"organisation {principal.consumer_org} is neither the recipient (to) "
            f"nor a delegated handledBy supplier of consent request {request.id}",
            "Authorization",
        )


async def admit_new(ctx: Context, principal: Principal, request: ConsentRequest) -> None:
    """What a new request must show beyond its shape: ``handledBy`` delegated by ``to``, a caller allowed
    to act, and a ``redirectUrl`` registered by ``to`` or by that supplier."""
    if (
        request.handled_by is not None
        and request.handled_by != request.to_org
        and not await ctx.registry.is_delegated(request.to_org, request.handled_by)
    ):
        raise ConsentError(
            403,
            "not_delegated",
            f"organisation {request.to_org} has not delegated consent requests to {request.handled_by} (handledBy)",
            "handledBy",
        )
    await require_actor(ctx, principal, request)
    owners = (request.to_org,) if request.handled_by is None else (request.to_org, request.handled_by)
    if not await ctx.registry.redirect_allowed(request.redirect_url, owners):
        raise ConsentError(
            400,
            "invalid_redirect_url",
            "redirectUrl is not under a redirect URL registered for "
            f"organisation {' or '.join(owners)} (the operator registers them with "
            "`dsop consent redirect add`)",
            "redirectUrl",
        )


async def change_status(ctx: Context, record: ConsentRecord, new: Status) -> None:
    """Apply a transition or answer 409 with the status that prevented it; an ending one is posted to the
    data sources' revocation hooks before this returns."""
    now = ctx.now()
    check_transition(record, new, now)
    if not await ctx.store.transition(record.id, new, now=now):
        current = await ctx.store.get(record.id)
        status = current.status_at(now).value if current else "gone"
        raise ConsentError(409, "invalid_status", f"consent {record.id} changed meanwhile; it is {status}", "status")
    if ctx.hooks is not None:
        await ctx.hooks.notify(record, new)


__all__ = [
    "API_BASE", "SCOPE_READ", "SCOPE_TOKENS", "SCOPE_WRITE", "Context", "admit_new", "change_status", "may_act",
    "may_read", "require_actor",
]  # fmt: skip
