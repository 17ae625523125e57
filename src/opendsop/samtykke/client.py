"""The consumer's side of consent (DSOP SBL “Samtykkeløsningen”; DSOP “Altinn 3.0”): ask for a consent, get tokens, call
sources.

What a bank's or insurer's engineer calls:

* ``SamtykkeClient.request_consent`` — ``POST …/enterprise/consentrequests/`` (Altinn 3 body with a
  consumer-chosen ``id``) using a Maskinporten-like token with ``altinn:consentrequests.write``;
  answers the ``viewUri`` the person is redirected to;
* ``parse_redirect`` — read ``consentId`` and ``status`` from the redirect back to the bank;
* ``SamtykkeClient.access_token`` — the JWT grant (RFC 7523, signed with the bank's key, ``kid`` in
  the header), with ``authorization_details: [{type: "urn:altinn:consent", id, from}]`` when a
  consent is named; the token is reused until shortly before it expires (SBL: re-exchange as
  needed; Lånekassen/NAV: "exchange once");
* ``SamtykkeClient.get_json`` — a GET to a data source that turns its documented error body into a
  ``SourceRefused`` carrying the source's code (IM-010, SSG-010, KB-005, Lånekassen/NAV HTTP status).

Every HTTP call goes through one injected ``httpx.AsyncClient``, so tests mount the consent service,
the token service and the sources in-process (``httpx.AsyncClient(mounts=…)``).  The client keeps no
personal data: its only state is the token cache, keyed by scopes, audience and consent id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx

from opendsop.clock import utc_now as _utcnow
from opendsop.trust.jwt import sign_jwt

CONSENT_TYPE = "urn:altinn:consent"
RESOURCE_TYPE = "urn:altinn:resource"
PERSON_URN = "urn:altinn:person:identifier-no:"
ORGANISATION_URN = "urn:altinn:organization:identifier-no:"
CONSENT_API = "/accessmanagement/api/v1/enterprise/consentrequests"
SCOPE_WRITE = "altinn:consentrequests.write"
SCOPE_READ = "altinn:consentrequests.read"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GRANT_LIFETIME = 60  # seconds; Maskinporten allows at most 120


class SamtykkeError(Exception):
    """Base of the consumer library's errors; ``message`` says what went wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TokenRefused(SamtykkeError):
    """The token service refused the grant (RFC 6749 §5.2 ``error``), e.g. a revoked consent."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"the token service refused the grant: {error}: {description}")
        self.status, self.error, self.description = status, error, description


class ConsentApiError(SamtykkeError):
    """The consent service refused a call (``{"code", "message", "parameter"}``)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"the consent service answered {status} {code}: {message}")
        self.status, self.code = status, code


class ConsentNotAccepted(SamtykkeError):
    """The person has not (or no longer) accepted the consent."""

    def __init__(self, consent_id: str, status: str) -> None:
        super().__init__(f"consent {consent_id} is {status}, not accepted")
        self.consent_id, self.status = consent_id, status


class SourceRefused(SamtykkeError):
    """A data source refused the call; ``code`` is its documented code (``IM-010``, ``KB-005``, ``403``…)."""

    def __init__(self, source: str, status: int, code: str, message: str) -> None:
        super().__init__(f"{source} refused the request ({status} {code}): {message}")
        self.source, self.status, self.code = source, status, code


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the consumer is to the token service: its organisation, client id and signing key (with ``kid``)."""

    org: str
    client_id: str
    key: Any


@dataclass(frozen=True, slots=True)
class Service:
    """A remote service: its base URL and the ``aud`` its tokens must carry (default: the base URL)."""

    url: str
    audience: str | None = None

    @property
    def aud(self) -> str:
        return self.audience or self.url

    def at(self, path: str) -> str:
        return self.url.rstrip("/") + path


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where the parties live.  ``authority`` is the issuer URL (grant ``aud``; ``token`` below it)."""

    authority: str
    consent: Service
    skatteetaten: Service | None = None
    lanekassen: Service | None = None
    nav: Service | None = None
    krav: Service | None = None
    lanekassen_api_key: str = ""

    def require(self, name: str) -> Service:
        service = getattr(self, name)
        if service is None:
            raise SamtykkeError(f"no URL is configured for the data source {name}")
        assert isinstance(service, Service)
        return service


@dataclass(frozen=True, slots=True)
class ConsentRef:
    """A consent the consumer holds: its id and the party (urn) that gave it."""

    id: str
    from_urn: str


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    """A created consent request: where to send the person, and what was asked."""

    id: str
    from_urn: str
    status: str
    valid_to: str
    view_uri: str
    rights: tuple[Mapping[str, Any], ...]

    @property
    def ref(self) -> ConsentRef:
        return ConsentRef(self.id, self.from_urn)


@dataclass(frozen=True, slots=True)
class Redirect:
    """What the consent service appends to ``redirectUrl`` after the person answered."""

    consent_id: str
    status: str


def right(resource: str, **metadata: str) -> dict[str, Any]:
    """One Altinn 3 ``consentRights`` entry."""
    return {"action": ["consent"], "resource": [{"type": RESOURCE_TYPE, "value": resource}], "metaData": metadata}


def person_urn(fnr: str) -> str:
    return PERSON_URN + fnr


def organisation_urn(orgnr: str) -> str:
    return ORGANISATION_URN + orgnr


def parse_redirect(url: str) -> Redirect:
    """``consentId`` and ``status`` from the URL the person's browser came back to; ``SamtykkeError`` if absent."""
    query = parse_qs(urlsplit(url).query)
    consent_ids, statuses = query.get("consentId", []), query.get("status", [])
    if len(consent_ids) != 1 or len(statuses) != 1:
        raise SamtykkeError("the redirect carries no single consentId and status")
    return Redirect(consent_ids[0], statuses[0])


@contextmanager
def readable(source: str) -> Iterator[None]:
    """Turn a source answer our parsers cannot read (missing member, bad date or amount) into ``SourceRefused``."""
    try:
        yield
    except SamtykkeError:
        raise
    except (KeyError, ValueError, TypeError, ArithmeticError, AttributeError) as exc:
        raise SourceRefused(
            source, 200, "unreadable", f"the answer could not be read: {type(exc).__name__}: {str(exc)[:120]}"
        ) from None


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _error_of(response: httpx.Response) -> tuple[str, str]:
    """(code, message) from the error bodies of the services and sources we call."""
    try:
        body = response.json()
    except ValueError:
        return str(response.status_code), response.text[:200]
    if not isinstance(body, dict):
        return str(response.status_code), str(body)[:200]
    if "kode" in body:  # Skatteetaten (IM-, SSG-, TD-, KB-, DAS-)
        return str(body["kode"]), str(body.get("melding", ""))
    if "error" in body:  # RFC 6749 §5.2
        return str(body["error"]), str(body.get("error_description", ""))
    if "code" in body:  # the consent service
        return str(body["code"]), str(body.get("message", ""))
    message = body.get("melding") or body.get("message") or ""  # NAV, Lånekassen: status only
    return str(response.status_code), str(message)


@dataclass(slots=True)
class _Cached:
    token: str
    expires: datetime


@dataclass
class SamtykkeClient:
    """A consumer (bank, insurer) talking to the consent service, the token service and the data sources."""

    identity: Identity
    endpoints: Endpoints
    http: httpx.AsyncClient
    clock: Callable[[], datetime] = _utcnow
    token_margin: timedelta = timedelta(seconds=10)
    _tokens: dict[tuple[str, str, str], _Cached] = field(default_factory=dict, repr=False)

    # -- tokens ---------------------------------------------------------------------------------

    def grant(self, scopes: Sequence[str], audience: str, consent: ConsentRef | None = None) -> str:
        """The signed JWT grant (RFC 7523) the token service expects."""
        iat = int(self.clock().timestamp())
        claims: dict[str, Any] = {
            "aud": self.endpoints.authority, "iss": self.identity.client_id, "iat": iat, "exp": iat + GRANT_LIFETIME,
            "jti": str(uuid.uuid4()), "scope": " ".join(scopes), "resource": audience,
        }  # fmt: skip
        if consent is not None:
            claims["authorization_details"] = [{"type": CONSENT_TYPE, "id": consent.id, "from": consent.from_urn}]
        key = self.identity.key
        return sign_jwt(claims, key, alg="RS256", header={"kid": key.kid})

    async def access_token(
        self, scopes: Sequence[str], audience: str, consent: ConsentRef | None = None, *, fresh: bool = False
    ) -> str:
        """A token for ``scopes`` at ``audience`` (with the consent inside, if named); cached until near expiry."""
        cache_key = (" ".join(sorted(scopes)), audience, consent.id if consent else "")
        now = self.clock()
        cached = self._tokens.get(cache_key)
        if cached is not None and not fresh and cached.expires - self.token_margin > now:
            return cached.token
        body = urlencode({"grant_type": JWT_BEARER, "assertion": self.grant(scopes, audience, consent)})
        response = await self.http.post(
            self.endpoints.authority.rstrip("/") + "/token",
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if response.status_code != 200:
            self._tokens.pop(cache_key, None)
            error, description = _error_of(response)
            raise TokenRefused(response.status_code, error, description)
        answer = response.json()
        token = str(answer["access_token"])
        self._tokens[cache_key] = _Cached(token, now + timedelta(seconds=int(answer.get("expires_in", 120))))
        return token

    def forget_tokens(self, consent_id: str | None = None) -> None:
        """Drop cached tokens (all, or those carrying ``consent_id``)."""
        for cache_key in [k for k in self._tokens if consent_id is None or k[2] == consent_id]:
            del self._tokens[cache_key]

    # -- the consent service ----------------------------------------------------------------------

    async def _consent_call(self, method: str, path: str, scope: str, json: Any = None) -> dict[str, Any]:
        service = self.endpoints.consent
        token = await self.access_token([scope], service.aud)
        response = await self.http.request(
            method, service.at(CONSENT_API + path), json=json, headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code not in (200, 201):
            code, message = _error_of(response)
            raise ConsentApiError(response.status_code, code, message)
        answer = response.json()
        assert isinstance(answer, dict)
        return answer

    async def request_consent(
        self,
        subject_urn: str,
        rights: Sequence[Mapping[str, Any]],
        *,
        valid_to: datetime,
        redirect_url: str,
        consent_id: str | None = None,
        request_message: Mapping[str, str] | None = None,
        handled_by: str | None = None,
    ) -> ConsentRequest:
        """Create an Altinn 3 consent request; send the person to ``view_uri`` of the answer."""
        body: dict[str, Any] = {
            "id": consent_id or str(uuid.uuid4()), "from": subject_urn, "to": organisation_urn(self.identity.org),
            "validTo": _rfc3339(valid_to), "consentRights": [dict(r) for r in rights], "redirectUrl": redirect_url,
        }  # fmt: skip
        if request_message:
            body["requestMessage"] = dict(request_message)
        if handled_by:
            body["handledBy"] = organisation_urn(handled_by)
        answer = await self._consent_call("POST", "/", SCOPE_WRITE, json=body)
        return ConsentRequest(
            id=str(answer["id"]),
            from_urn=str(answer["from"]),
            status=str(answer["status"]),
            valid_to=str(answer["validTo"]),
            view_uri=str(answer.get("viewUri", "")),
            rights=tuple(answer.get("consentRights", body["consentRights"])),
        )

    async def consent(self, consent_id: str) -> dict[str, Any]:
        """The consent request as the consent service shows it (status, ``consentRights``, events)."""
        return await self._consent_call("GET", "/" + quote(consent_id, safe=""), SCOPE_READ)

    async def accepted(self, consent_id: str) -> ConsentRef:
        """The consent, if it is accepted now; else ``ConsentNotAccepted`` with its status."""
        answer = await self.consent(consent_id)
        if answer.get("status") != "accepted":
            raise ConsentNotAccepted(consent_id, str(answer.get("status")))
        return ConsentRef(str(answer["id"]), str(answer["from"]))

    # -- data sources -----------------------------------------------------------------------------

    async def get_json(
        self, source: str, url: str, *, headers: Mapping[str, str], params: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """GET a data source; its error body becomes ``SourceRefused`` with the documented code."""
        response = await self.http.get(url, headers=dict(headers), params=dict(params or {}))
        if response.status_code != 200:
            code, message = _error_of(response)
            raise SourceRefused(source, response.status_code, code, message)
        answer = response.json()
        if not isinstance(answer, dict):
            raise SourceRefused(source, 200, "unreadable", "the answer is not a JSON object")
        return answer


__all__ = [
    "CONSENT_TYPE", "ConsentApiError", "ConsentNotAccepted", "ConsentRef", "ConsentRequest", "Endpoints", "Identity",
    "Redirect", "SamtykkeClient", "SamtykkeError", "Service", "SourceRefused", "TokenRefused", "organisation_urn",
    "parse_redirect", "person_urn", "readable", "right",
]  # fmt: skip
