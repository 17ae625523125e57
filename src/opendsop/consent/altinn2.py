"""Altinn 2 compatibility façade: consumers migrate to Altinn 3 at their own pace (DSOP SBL “Samtykkeløsningen”).

Routes (``ApiKey`` header checked when ``ALTINN2_API_KEYS`` is set; bearer token as in ``context``)::

    POST /api/ConsentRequest                 scope altinn:consentrequests.write → 201 {AuthorizationCode, …}
    GET  /ui/AccessConsent/request?id=<code> → 303 to the approval page /request/<code>
    GET  /api/authorization/token?authcode=  scope altinn:consenttokens → the consent JWT (text/plain)
    GET  /api/authorization/jwks             the public key that signs consent JWTs (for data sources)

A request is stored as the same consent record as an Altinn 3 one: the ``AuthorizationCode`` *is*
the consent id, ``coveredBy`` → ``to``, ``offeredBy`` → ``from`` (a 9-digit number is an
organisation), ``requestResources[serviceCode, serviceEditionCode]`` → the resource whose
``altinn2_service`` matches, ``Metadata`` (minus the mandatory ``Navn``) → ``metaData``.
``requiredDelegator`` must equal ``offeredBy`` when that is a person; ``requestMessage`` must be
present and empty.

The consent JWT: ``iss`` (``altinn.no``), ``Services`` (``"<code>_<edition>"`` plus
``"<code>_<edition>_<key>=<value>"`` per parameter), ``AuthorizationCode``, ``OfferedBy``,
``RequiredDelegator``, ``CoveredBy``, ``HandledBy`` (if any), ``DelegatedDate`` and ``ValidToDate``
(epoch seconds), ``nbf``/``iat``/``exp`` with ``exp − iat`` = 30 s.  The same code may be
re-exchanged while the consent is accepted and unexpired.
"""

from __future__ import annotations

import hmac
import logging
import uuid
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post

from opendsop.consent.context import SCOPE_TOKENS, SCOPE_WRITE, Context, admit_new, require_actor
from opendsop.consent.requests import (
    ORGANISATION_URN,
    PERSON_URN,
    ConsentError,
    ConsentRecord,
    Status,
    invalid,
    parse_json_body,
    parse_request,
    rfc3339,
)
from opendsop.contracts.consent_resources import ALTINN2_SERVICES, RESOURCES
from opendsop.trust.jwt import sign_jwt
from opendsop.trust.keys import generate_rsa_key, key_from_pem, private_key_pem, public_jwks

log = logging.getLogger("opendsop.consent")
KEY_NAME = "altinn2"


async def ensure_key(ctx: Context) -> None:
    """Load (or create once) the key that signs Altinn 2 consent tokens."""
    if ctx.altinn2_key is not None:
        return
    pem = await ctx.store.key(KEY_NAME)
    if pem is None:
        pem = await ctx.store.put_key_if_absent(KEY_NAME, private_key_pem(generate_rsa_key()), now=ctx.now())
    ctx.altinn2_key = key_from_pem(pem)  # kid: the RFC 7638 thumbprint


def _check_api_key(ctx: Context, request: Request[Any, Any, Any]) -> None:
    keys = ctx.settings.altinn2_api_keys
    given = request.headers.get("apikey", "")
    if keys and not any(hmac.compare_digest(given.encode(), k.encode()) for k in keys):
        raise ConsentError(401, "invalid_api_key", "the ApiKey header is missing or not a key issued to you", "ApiKey")


def _party_urn(number: object, parameter: str) -> str:
    if not isinstance(number, str):
        raise invalid(f"{parameter} must be a string", parameter, "invalid_identifier")
    return (ORGANISATION_URN if len(number) == 9 else PERSON_URN) + number


def translate(body: object) -> dict[str, Any]:
    """An Altinn 2 ConsentRequest body as the equivalent Altinn 3 body (still to be validated)."""
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object", None)
    offered = body.get("offeredBy")
    # A person consents for themself (requiredDelegator = offeredBy, spec DSOP SBL “Samtykkeløsningen”); for an
    # organisation
    # the representatives port decides who may sign, so requiredDelegator is not compared.
    if isinstance(offered, str) and len(offered) == 11 and body.get("requiredDelegator") != offered:
        raise invalid("requiredDelegator must equal offeredBy", "requiredDelegator")
    if body.get("requestMessage") != {}:
        raise invalid("requestMessage must be present and empty ({})", "requestMessage")
    resources = body.get("requestResources")
    if not isinstance(resources, list) or not resources:
        raise invalid("requestResources must be a non-empty list", "requestResources")
    rights = []
    for index, item in enumerate(resources):
        where = f"requestResources[{index}]"
        if not isinstance(item, dict):
            raise invalid(f"{where} must be an object", where)
        service = f"{item.get('serviceCode')}_{item.get('serviceEditionCode')}"
        if service not in ALTINN2_SERVICES:
            raise invalid(
                f"{where}: unknown service {service[:40]}; known: {', '.join(ALTINN2_SERVICES)}",
                where,
                "unknown_resource",
            )
        metadata = item.get("Metadata") or item.get("metadata") or {}
        if not isinstance(metadata, dict):  # dict(5) would raise TypeError, dict("ab") ValueError
            raise invalid(f"{where}.Metadata must be an object", f"{where}.Metadata")
        metadata = dict(metadata)
        if not isinstance(metadata.pop("Navn", None), str):
            raise invalid(f"{where}.Metadata.Navn (the consumer's name) is mandatory", f"{where}.Metadata")
        rights.append(
            {
                "action": ["consent"],
                "metaData": metadata,
                "resource": [{"type": "urn:altinn:resource", "value": ALTINN2_SERVICES[service]}],
            }
        )
    covered = body.get("coveredBy")
    handled = body.get("handledBy")
    return {
        "id": str(uuid.uuid4()), "from": _party_urn(offered, "offeredBy"), "to": _party_urn(covered, "coveredBy"),
        "handledBy": None if handled is None else _party_urn(handled, "handledBy"),
        "validTo": body.get("validTo"), "consentRights": rights, "redirectUrl": body.get("redirectUrl"),
    }  # fmt: skip


def services(record: ConsentRecord) -> list[str]:
    codes: list[str] = []
    for right in record.request.rights:
        code = RESOURCES[right.resource].altinn2_service
        codes.append(code)
        codes.extend(f"{code}_{key}={value}" for key, value in sorted(right.metadata.items()))
    return codes


def consent_claims(record: ConsentRecord, *, issuer: str, now: datetime, lifetime: int) -> dict[str, Any]:
    issued = int(now.timestamp())
    request = record.request
    assert record.consented is not None
    claims: dict[str, Any] = {
        "iss": issuer, "Services": services(record), "AuthorizationCode": record.id,
        "OfferedBy": request.from_party.number, "RequiredDelegator": request.from_party.number,
        "CoveredBy": request.to_org, "DelegatedDate": int(record.consented.timestamp()),
        "ValidToDate": int(request.valid_to.timestamp()), "nbf": issued, "iat": issued, "exp": issued + lifetime,
    }  # fmt: skip
    if request.handled_by:
        claims["HandledBy"] = request.handled_by
    return claims


def routes(ctx: Context) -> list[Any]:
    @post("/api/ConsentRequest", status_code=201)
    async def create(request: Request[Any, Any, Any]) -> dict[str, Any]:
        _check_api_key(ctx, request)
        principal = await ctx.principal(request.headers.get("authorization"), SCOPE_WRITE)
        body = parse_json_body(await request.body())
        consent = parse_request(translate(body), now=ctx.now(), synthetic_allowed=ctx.settings.test_mode)
        await admit_new(ctx, principal, consent)
        record, _ = await ctx.store.create(consent, now=ctx.now())
        log.info("Altinn 2 consent request %s created for %s", record.id, consent.to_org)
        return {
            "AuthorizationCode": record.id, "RequestStatus": "Unopened", "CoveredBy": consent.to_org,
            "OfferedBy": consent.from_party.number, "RequiredDelegator": consent.from_party.number,
            "HandledBy": consent.handled_by, "ValidTo": rfc3339(consent.valid_to),
            "RedirectUrl": consent.redirect_url, "RequestResources": body.get("requestResources"),
        }  # fmt: skip

    @get("/ui/AccessConsent/request", status_code=303)
    async def ui(request: Request[Any, Any, Any]) -> Response[str]:
        code = request.query_params.get("id", "")
        # ASCII only: str.isalnum accepts any script, and a '中' in the Location header raised UnicodeEncodeError.
        if not code.isascii() or not code.replace("-", "").isalnum():
            raise ConsentError(400, "invalid_request", "id must be the AuthorizationCode", "id")
        return Response("", status_code=303, headers={"Location": f"/request/{code[:40]}"})

    @get("/api/authorization/token", media_type="text/plain")
    async def token(request: Request[Any, Any, Any]) -> Response[str]:
        _check_api_key(ctx, request)
        authcode = request.query_params.get("authcode", "")
        principal = await ctx.principal(request.headers.get("authorization"), SCOPE_TOKENS)
        record = await ctx.store.get(authcode) if authcode else None
        if record is None:
            raise ConsentError(404, "not_found", "no consent request has this authorization code", "authcode")
        await require_actor(ctx, principal, record.request)
        now = ctx.now()
        status = record.status_at(now)
        if status is not Status.ACCEPTED:
            raise ConsentError(403, "consent_not_valid", f"the consent is {status.value}, not accepted", "authcode")
        claims = consent_claims(
            record, issuer=ctx.settings.altinn2_issuer, now=now, lifetime=ctx.settings.altinn2_token_seconds
        )
        jwt = sign_jwt(claims, ctx.altinn2_key, alg="RS256", header={"kid": ctx.altinn2_key.kid})
        return Response(jwt, media_type="text/plain", headers={"Cache-Control": "no-store"})

    @get("/api/authorization/jwks")
    async def jwks() -> dict[str, Any]:
        document = public_jwks([ctx.altinn2_key])
        for jwk in document["keys"]:
            jwk.update(use="sig", alg="RS256")
        return document

    return [create, ui, token, jwks]


__all__ = ["consent_claims", "ensure_key", "routes", "services", "translate"]
