"""The Control API v1 (Bank_v1.yaml, "Accounts API" 1.1.1) for consumers still on v1, decided by
the v2 rules (spec/datamodel.md §0.5, §5; spec/protocol.md §2.5).

Routes (server URL ``{base}/v1``): the five GET operations of Bank_v1.yaml under ``/v1/accounts``
and ``/v1/openapi.json``.  A v1 request runs through the very same pipeline as v2 — token, rate
limit, Accept, accountReference, register facts, ``standard.authorize``, store, filter, JWE, audit —
with two differences, both in ``V1Dialect``:

**The request is translated into the v2 request it means** (after the token, before any lookup):

* ``OnlyPrimaryOwner`` does not exist in v1.  It is set to the only value, or the v1 meaning,
  the service's rules allow: ``true`` for the TRUE-only services (Konkurs, OED, Vergekontroll,
  FI-Utlegg), ``false`` — every account the party holds a role on, as v1 listed them — for the
  services that may choose (Skatt, NAV).  An ``OnlyPrimaryOwner`` query sent anyway is ignored.
* ``RequesterID`` does not exist in v1, and v1's ``AdditionalReferenceIDType`` knows only ``pol``.
  A service whose v2 rules need what v1 cannot carry is refused with 400 ACC-001 naming what is
  missing: Skatt-kontroll (``RequesterID``), Politi-utlevering (``RequesterID`` and a signed
  extradition order, ``pol1``), Vergekontroll (``srf`` with the guardian).  A ``RequesterID``
  header sent anyway is ignored, so the outcome never depends on headers outside the contract.
* ``AdditionalReferenceIDType: pol`` (content ``"<police district>;<firstname lastname>"``) is
  superseded by the signed extradition order and refused with 400 ACC-001; any other value is not
  a v1 value (Bank_v1.yaml: ``enum: [pol]``) and is refused likewise.
* ``AccountID`` on listAccounts is "Not in use per now" in Bank_v1.yaml and gone in v2: it is
  refused with 400 ACC-001 rather than guessed into a party (an account has several role holders).
  ``PartyID``, optional in the v1 contract, is therefore required, exactly as in v2.

**The answer is rendered in v1 shape** (``v1_bodies.to_v1``) from the v2 body *after* the service's
filter, and then encrypted like any v2 answer.

The token audience is the bank's registered base URL, the same for both versions.  v1 declares no
406; the bank still answers a production request that accepts only plaintext with 406 ACC-013 (the
contract's ``default`` error response).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any, Final

from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from opendsop.provider.settings import ROUTE_PREFIX
from opendsop.provider.store.records import PartyRow
from opendsop.provider.v1_bodies import holders, to_v1
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.errors import InvalidRequest
from opendsop.standard.request import ControlRequest
from opendsop.standard.services import OwnerRule, ReferenceKind, ServiceProfile

V1_PREFIX: Final = "/v1"
OPENAPI_STATE_KEY: Final = "openapi_v1"
V1_REFERENCE_TYPE: Final = "pol"  # the only AdditionalReferenceIDType of Bank_v1.yaml
_USE_V2: Final = f"use Control API v2 ({ROUTE_PREFIX})"


def _missing_in_v1(service: ServiceProfile) -> list[str]:
    """What the service's v2 rules require that a v1 request cannot carry."""
    missing = []
    if service.requester_id_required:
        missing.append("RequesterID")
    if service.reference is ReferenceKind.EXTRADITION_ORDER or service.owner_rule is OwnerRule.PER_ORDER:
        missing.append("a signed extradition order (AdditionalReferenceIDType pol1)")
    elif service.reference is ReferenceKind.GUARDIAN:
        missing.append("the guardian (AdditionalReferenceIDType srf)")
    return missing


def _reference_type(raw: str | None) -> None:
    value = (raw or "").strip()
    if not value:
        return
    if value == V1_REFERENCE_TYPE:
        raise InvalidRequest(
            "AdditionalReferenceIDType: pol ('<police district>;<firstname lastname>') is superseded by the "
            f"signed extradition order (pol1) and no longer accepted; {_USE_V2}",
            parameter="AdditionalReferenceIDType")
    raise InvalidRequest(
        f"AdditionalReferenceIDType: {value[:20]!r} is not a Control API v1 value (Bank_v1.yaml allows only "
        f"pol); {_USE_V2}", parameter="AdditionalReferenceIDType")


class V1Dialect:
    """``pipeline.Dialect`` for Control API v1."""

    name: str = "v1"

    def translate(self, request: ControlRequest, service: ServiceProfile | None) -> ControlRequest:
        _reference_type(request.additional_reference_id_type)
        if request.endpoint is Endpoint.ACCOUNTS and request.account_id is not None:
            raise InvalidRequest("AccountID: lookup by account number is not in use (Bank_v1.yaml: 'Not in use "
                                 "per now'); identify the party with PartyID", parameter="AccountID")
        owner: str | None = None
        if service is not None:  # None: authorize refuses the Legal-Mandate before anything else
            missing = _missing_in_v1(service)
            if missing:
                raise InvalidRequest(f"Legal-Mandate: {service.name} requires {' and '.join(missing)}, which "
                                     f"Control API v1 cannot carry; {_USE_V2}", parameter="Legal-Mandate")
            if request.endpoint is Endpoint.ACCOUNTS:
                owner = "true" if service.owner_rule is OwnerRule.TRUE_ONLY else "false"
        return replace(request, only_primary_owner=owner, requester_id=None, account_id=None,
                       additional_reference_id_type=None)

    def holders(self, body: Any) -> set[str]:
        return holders(body)

    def render(self, endpoint: Endpoint, body: Any, *, path: str, parties: Mapping[str, PartyRow]) -> Any:
        return to_v1(endpoint, body, path=path, parties=parties)


DIALECT: Final = V1Dialect()

# What app.py's request handler looks like: (request, endpoint, accountReference, dialect) → response.
Serve = Callable[[Request[Any, Any, Any], Endpoint, "str | None", V1Dialect], Awaitable[Response[bytes]]]


def server_url(base_url: str) -> str:
    """The v1 server URL next to the registered v2 base URL (``…/v2`` → ``…/v1``)."""
    base = base_url.rstrip("/")
    if base.endswith(ROUTE_PREFIX):
        base = base[: -len(ROUTE_PREFIX)]
    return base + V1_PREFIX


def route_handlers(serve: Serve) -> list[HTTPRouteHandler]:
    """The v1 routes, answering through ``serve`` (app.py's handler) with the v1 dialect."""

    @get(f"{V1_PREFIX}/accounts", include_in_schema=False, name="v1.listAccounts")
    async def list_accounts(request: Request[Any, Any, Any]) -> Response[bytes]:
        return await serve(request, Endpoint.ACCOUNTS, None, DIALECT)

    @get(f"{V1_PREFIX}/accounts/{{accountReference:str}}", include_in_schema=False, name="v1.showAccountById")
    async def show_account(request: Request[Any, Any, Any], accountReference: FromPath[str]) -> Response[bytes]:  # noqa: N803
        return await serve(request, Endpoint.ACCOUNT_DETAILS, accountReference, DIALECT)

    @get(f"{V1_PREFIX}/accounts/{{accountReference:str}}/transactions", include_in_schema=False,
         name="v1.listTransactions")
    async def list_transactions(request: Request[Any, Any, Any], accountReference: FromPath[str]) -> Response[bytes]:  # noqa: N803
        return await serve(request, Endpoint.TRANSACTIONS, accountReference, DIALECT)

    @get(f"{V1_PREFIX}/accounts/{{accountReference:str}}/cards", include_in_schema=False, name="v1.listCards")
    async def list_cards(request: Request[Any, Any, Any], accountReference: FromPath[str]) -> Response[bytes]:  # noqa: N803
        return await serve(request, Endpoint.CARDS, accountReference, DIALECT)

    @get(f"{V1_PREFIX}/accounts/{{accountReference:str}}/roles", include_in_schema=False, name="v1.listRoles")
    async def list_roles(request: Request[Any, Any, Any], accountReference: FromPath[str]) -> Response[bytes]:  # noqa: N803
        return await serve(request, Endpoint.ROLES, accountReference, DIALECT)

    @get(f"{V1_PREFIX}/openapi.json", include_in_schema=False, name="v1.openapi")
    async def openapi_document(request: Request[Any, Any, Any]) -> Response[Any]:
        document: dict[str, Any] = request.app.state[OPENAPI_STATE_KEY]
        return Response(document, media_type="application/json")

    return [list_accounts, show_account, list_transactions, list_cards, list_roles, openapi_document]


__all__ = ["DIALECT", "OPENAPI_STATE_KEY", "V1_PREFIX", "V1Dialect", "route_handlers", "server_url"]
