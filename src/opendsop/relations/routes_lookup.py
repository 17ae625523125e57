"""``customerRelationships`` and ``accountServicingProvider``: step 1 of every case
(DSOP “Architecture document”; DSOP “Endpoint customerRelationships V.2.0”; DSOP “Endpoint accountServicingProvider
V.2.0”; KAR.yaml).

Validation is the rules core's (``standard.authorize`` with the step-1 endpoints: Legal-Mandate
and AccountInfoRequestID required and checked against the services allowed step 1, Politi alone
on accountServicingProvider, periods up to 10 years back).  Its ``Denied`` becomes the KAR error
body.  ``onlyPrimaryOwner`` is read from the query *and* from a header (DSOP “Endpoint customerRelationships V.2.0”:
the v2 docs do not say where it goes); if both are sent they must agree.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from litestar import Request, Response, get

from opendsop.availability import RETRY_AFTER
from opendsop.clock import in_oslo, oslo_date, utc_date
from opendsop.relations.app import Hub, authenticate, hub
from opendsop.relations.errors import JSON, HubError
from opendsop.relations.sources import SourceUnavailable
from opendsop.serving import redact
from opendsop.standard import Allowed, ControlRequest, Endpoint, authorize, scopes
from opendsop.standard.relations import AccountServicingProvider
from opendsop.standard.relations_merge import merge
from opendsop.standard.request import NO_FACTS
from opendsop.standard.services.fi_utlegg import relations_scope
from opendsop.standard.wire import encode

log = logging.getLogger("opendsop.relations.lookup")
T = TypeVar("T")

SCOPE_RELATIONS = scopes.CUSTOMER_RELATIONS
STEP1_SCOPES = (scopes.CUSTOMER_RELATIONS, scopes.CUSTOMER_RELATIONS_FI_UTLEGG_AN)
SCOPE_ACCOUNT = scopes.ACCOUNT_SERVICING_PROVIDER
_OWNER = "onlyprimaryowner"


def _query(request: Request[Any, Any, Any]) -> dict[str, str]:
    query = {name: value for name, value in request.query_params.items()}
    from_header = next((v for k, v in request.headers.items() if k.lower() == _OWNER), None)
    in_query = next((k for k in query if k.lower() == _OWNER), None)
    if from_header is not None:
        if in_query is not None and query[in_query].strip().lower() != from_header.strip().lower():
            raise HubError(
                403,
                "ERR-001",
                "onlyPrimaryOwner is sent both as a query parameter and as a header, with different values",
            )
        query.setdefault("onlyPrimaryOwner", from_header)
    elif in_query is not None:
        query["onlyPrimaryOwner"] = query[in_query]
    return query


def _decide(
    service: Hub, endpoint: Endpoint, consumer_org: str, request: Request[Any, Any, Any], query: dict[str, str]
) -> Allowed:
    control = ControlRequest.from_http(endpoint, consumer_org, dict(request.headers.items()), query)
    now = service.now()
    decision = authorize(
        control,
        NO_FACTS,
        oslo_date(now),
        environment=service.environment,
        now=in_oslo(now),
        utc_date=utc_date(now),
        configured_mandates=service.configured_mandates,
    )  # a UTC host's date counts as today after Oslo midnight
    if not isinstance(decision, Allowed):
        log.info("%s denied for %s: %s %s", endpoint.value, consumer_org, decision.code, redact(decision.message))
        raise HubError(decision.status, decision.code, decision.message)
    return decision


async def _ask(service: Hub, source_name: str, call: Awaitable[T]) -> T:
    try:
        return await asyncio.wait_for(call, timeout=service.source_timeout)
    except (SourceUnavailable, TimeoutError, OSError) as error:
        log.error("source %s did not answer: %s", source_name, type(error).__name__)
        raise HubError(504, "ERR-504", f"({source_name})", headers=RETRY_AFTER) from None


@get("/customers/customerRelationships")
async def customer_relationships(request: Request[Any, Any, Any]) -> Response[bytes]:
    service = hub(request)
    principal = await authenticate(
        request, STEP1_SCOPES, unauthenticated=HubError(401, "ERR-001"), forbidden=HubError(403, "ERR-001")
    )
    decision = _decide(service, Endpoint.CUSTOMER_RELATIONSHIPS, principal.consumer_org, request, _query(request))
    needed = relations_scope(decision.service, principal.consumer_org)  # FI-Utlegg's AN has its own scope
    if needed not in principal.scopes:
        raise HubError(403, "ERR-001", f"the token lacks the scope {needed} this service's step 1 needs")
    assert decision.party is not None  # authorize requires CustomerID on this endpoint
    customer, period = decision.party.value, decision.period
    if service.combined is not None:
        kar, kfr = await _ask(service, "KAR/KFR", service.combined.both(customer, period))
    else:
        kar, kfr = await asyncio.gather(
            _ask(service, "KAR", service.kar.relations(customer, period)),
            _ask(service, "KFR", service.kfr_source.relations(customer, period)),
        )
    body = merge(kar, kfr, period, service.today(), only_primary_owner=decision.only_primary_owner)
    log.info(
        "customerRelationships for %s: %d institution(s), case %s",
        principal.consumer_org,
        len(body.banks),
        decision.account_info_request_id,
    )
    return Response(encode(body), media_type=JSON)


@get("/customers/accountServicingProvider")
async def account_servicing_provider(request: Request[Any, Any, Any]) -> Response[bytes]:
    service = hub(request)
    principal = await authenticate(
        request,
        SCOPE_ACCOUNT,
        unauthenticated=HubError(401, "", "Unauthorized. Access token is missing or invalid", unauthorized_401=True),
        forbidden=HubError(403, "ERR-001"),
    )
    _decide(service, Endpoint.ACCOUNT_SERVICING_PROVIDER, principal.consumer_org, request, {})
    account = (request.headers.get("AccountID") or "").strip()
    servicer = await _ask(service, "KAR", service.accounts.servicer(account))
    if servicer is None:
        # The contract declares no 404; an account KAR does not know is an invalid account number here.
        raise HubError(400, "ERR-004", "AccountID: no institution in KAR services this account number")
    body = AccountServicingProvider(organization_id=servicer.org_no, bank_name=servicer.bank_name)
    return Response(encode(body), media_type=JSON)


ROUTES = [customer_relationships, account_servicing_provider]

__all__ = ["ROUTES", "SCOPE_ACCOUNT", "SCOPE_RELATIONS"]
