"""The Control API v1 (Bank_v1.yaml, "Accounts API" 1.1.1) for consumers still on v1, during the bank's
phase-out window (``DSOP_PROVIDER_V1_SERVED_UNTIL``; open by default in test, closed in production).

Routes (server URL ``{base}/v1``): the five GET operations of Bank_v1.yaml under ``/v1/accounts``
and ``/v1/openapi.json``.  A v1 request runs through the very same pipeline as v2 — token, rate
limit, Accept, accountReference, register facts, ``standard.authorize``, store, filter, JWE, audit —
but carries ``api_version = v1``, so it is judged by **v1's rules** (``standard.versions`` and
``standard.services.control_v1``): v1's Legal-Mandate texts, no ``RequesterID`` and no
``OnlyPrimaryOwner`` (both ignored when sent), ``AdditionalReferenceIDType: pol`` with
``"<police district>;<firstname lastname>"``, ``AccountID`` refused ("Not in use per now").  v2's
texts are refused at ``/v1`` and v1's at ``/v2``.  Once the window has closed, every v1 request is
answered 410 ACC-014 ("retired, use /v2").

**The answer is rendered in v1 shape** (``v1_bodies.to_v1``) from the v2 body *after* the service's
filter, and then encrypted like any v2 answer.

The token audience is the bank's registered base URL, the same for both versions.  v1 declares no
406; the bank still answers a production request that accepts only plaintext with 406 ACC-013 (the
contract's ``default`` error response).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from opendsop.provider.settings import ROUTE_PREFIX
from opendsop.provider.store.records import PartyRow
from opendsop.provider.v1_bodies import holders, to_v1
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.versions import ApiVersion

V1_PREFIX: Final = "/v1"
OPENAPI_STATE_KEY: Final = "openapi_v1"


class V1Dialect:
    """``pipeline.Dialect`` for Control API v1."""

    version: ApiVersion = ApiVersion.V1

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

    @get(
        f"{V1_PREFIX}/accounts/{{accountReference:str}}/transactions",
        include_in_schema=False,
        name="v1.listTransactions",
    )
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
