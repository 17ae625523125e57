"""What a consent-based data source decides about the consent inside an access token.

Consent contract (briefs/consent_contract.md; DSOP SBL “Samtykkeløsningen”; DSOP “Altinn 3.0”): the Altinn 3
consent travels in the Maskinporten-like access token as ``authorization_details`` entries of type
``urn:altinn:consent``::

    {"type": "urn:altinn:consent", "id": "<uuid>", "from": "urn:altinn:person:identifier-no:<fnr>",
     "to": {"authority": "iso6523-actorid-upis", "ID": "0192:<orgnr>"},
     "consented": "<RFC 3339>", "validTo": "<RFC 3339>",
     "consentRights": [{"action": ["consent"], "resource": [{"type": "urn:altinn:resource", "value": "<id>"}],
                        "metaData": {...}}]}

After the token itself is verified (signature, iss, aud, scope: ``opendsop.contracts.verify``),
``check_consent`` decides, in this order, and raises ``ConsentRefused`` with a ``reason`` on the
first failure:

1. a detail of type ``urn:altinn:consent`` is present and well formed (``MISSING`` / ``MALFORMED``);
2. one of them names the resource this source serves (``WRONG_RESOURCE``);
3. its ``to`` equals the token's ``consumer`` — the org that calls is the org that holds the
   consent (DSOP SBL “Integrasjon mot Maskinporten” "consumer minus 0192: equals CoveredBy", DSOP SBL
   “Samtykkeløsningen”; DSOP “Altinn 3.0” "or `to` in Altinn 3") (``WRONG_RECIPIENT``);
4. ``validTo`` is in the future and ``consented`` is not (``EXPIRED`` / ``NOT_YET_VALID``);
5. ``validTo − consented`` is within the resource's cap: Skatteetaten rejects longer consents
   even if they are used within the cap (DSOP SBL “Om tjenesten”) (``TOO_LONG``);
6. ``from`` is the person or organisation the request is about — else it is someone else's
   consent (``WRONG_SUBJECT``);
7. the request's parameters lie inside the consent's ``metaData``: a period (``fraOgMed`` /
   ``tilOgMed``) inside the consented one, an ``inntektsaar`` equal to the consented one, any other
   consented key equal (``OUTSIDE_CONSENT``).

Revocation is not visible in the token; a source may ask the consent service through the
``ConsentStatus`` port (``ensure_active``) — ``REVOKED`` unless the status is ``accepted``.
Each source maps every refusal to its own documented code (IM-010 / SSG-010 / KB-005 /
Lånekassen 403 / NAV 403).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol
from urllib.parse import quote

from opendsop.contracts.verify import Principal
from opendsop.standard.values import parse_date, parse_month

CONSENT_TYPE = "urn:altinn:consent"
RESOURCE_TYPE = "urn:altinn:resource"
PERSON_URN = "urn:altinn:person:identifier-no:"
ORGANISATION_URN = "urn:altinn:organization:identifier-no:"
ACTOR_AUTHORITY = "iso6523-actorid-upis"
ORGNO_PREFIX = "0192:"
ACCEPTED = "accepted"


class RefusalReason(StrEnum):
    MISSING = "missing"
    MALFORMED = "malformed"
    WRONG_RESOURCE = "wrong_resource"
    WRONG_RECIPIENT = "wrong_recipient"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    TOO_LONG = "too_long"
    WRONG_SUBJECT = "wrong_subject"
    OUTSIDE_CONSENT = "outside_consent"
    REVOKED = "revoked"


class ConsentRefused(Exception):
    """The consent does not allow this request; ``parameter`` names the offending value if any."""

    def __init__(self, reason: RefusalReason, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.parameter = parameter


@dataclass(frozen=True, slots=True)
class ConsentRight:
    resources: tuple[str, ...]
    metadata: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class ConsentGrant:
    """One parsed ``authorization_details`` entry of type ``urn:altinn:consent``."""

    id: str
    from_urn: str
    to_org: str
    consented: datetime
    valid_to: datetime
    rights: tuple[ConsentRight, ...]

    @property
    def subject(self) -> str:
        """The fnr / orgnr the consent is about (``from`` without its urn prefix)."""
        for prefix in (PERSON_URN, ORGANISATION_URN):
            if self.from_urn.startswith(prefix):
                return self.from_urn[len(prefix) :]
        return self.from_urn

    @property
    def subject_is_person(self) -> bool:
        return self.from_urn.startswith(PERSON_URN)

    def right_for(self, resource: str) -> ConsentRight | None:
        return next((right for right in self.rights if resource in right.resources), None)


def _refuse_malformed(what: str) -> ConsentRefused:
    return ConsentRefused(
        RefusalReason.MALFORMED,
        f"the consent in authorization_details is malformed: {what}",
        parameter="authorization_details",
    )


def _datetime(value: object, name: str) -> datetime:
    if not isinstance(value, str):
        raise _refuse_malformed(f"{name} must be an RFC 3339 date-time")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise _refuse_malformed(f"{name} {value[:40]!r} is not an RFC 3339 date-time") from None
    if parsed.tzinfo is None:
        raise _refuse_malformed(f"{name} {value[:40]!r} has no time zone offset")
    return parsed


def _recipient(value: object) -> str:
    if not isinstance(value, Mapping) or value.get("authority") != ACTOR_AUTHORITY:
        raise _refuse_malformed(f'to must be {{"authority": "{ACTOR_AUTHORITY}", "ID": "0192:<orgnr>"}}')
    identifier = value.get("ID")
    if not isinstance(identifier, str) or not identifier.startswith(ORGNO_PREFIX):
        raise _refuse_malformed("to.ID must be 0192:<orgnr>")
    return identifier[len(ORGNO_PREFIX) :]


def _right(value: object) -> ConsentRight:
    if not isinstance(value, Mapping):
        raise _refuse_malformed("each consentRights entry must be an object")
    resources = value.get("resource")
    if not isinstance(resources, Sequence) or isinstance(resources, str):
        raise _refuse_malformed("consentRights[].resource must be a list")
    ids = []
    for item in resources:
        if not isinstance(item, Mapping) or item.get("type") != RESOURCE_TYPE or not isinstance(item.get("value"), str):
            raise _refuse_malformed(
                f'consentRights[].resource entries must be {{"type": "{RESOURCE_TYPE}", "value": ...}}'
            )
        ids.append(item["value"])
    metadata = value.get("metaData") or {}
    if not isinstance(metadata, Mapping):
        raise _refuse_malformed("consentRights[].metaData must be an object")
    return ConsentRight(tuple(ids), MappingProxyType({str(k): str(v) for k, v in metadata.items()}))


def parse_grant(detail: Mapping[str, Any]) -> ConsentGrant:
    """One ``authorization_details`` entry of type ``urn:altinn:consent`` → ``ConsentGrant``."""
    consent_id, from_urn = detail.get("id"), detail.get("from")
    if not isinstance(consent_id, str) or not consent_id:
        raise _refuse_malformed("id is missing")
    if not isinstance(from_urn, str) or not from_urn.startswith((PERSON_URN, ORGANISATION_URN)):
        raise _refuse_malformed(f"from must start with {PERSON_URN} or {ORGANISATION_URN}")
    rights = detail.get("consentRights")
    if not isinstance(rights, Sequence) or isinstance(rights, str) or not rights:
        raise _refuse_malformed("consentRights must be a non-empty list")
    return ConsentGrant(
        id=consent_id,
        from_urn=from_urn,
        to_org=_recipient(detail.get("to")),
        consented=_datetime(detail.get("consented"), "consented"),
        valid_to=_datetime(detail.get("validTo"), "validTo"),
        rights=tuple(_right(right) for right in rights),
    )


def consent_details(claims: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The ``urn:altinn:consent`` entries of a token's ``authorization_details`` (possibly none)."""
    details = claims.get("authorization_details")
    if details is None:
        return []
    if isinstance(details, Mapping):
        details = [details]
    if not isinstance(details, Sequence) or isinstance(details, str):
        raise _refuse_malformed("authorization_details must be a list")
    return [d for d in details if isinstance(d, Mapping) and d.get("type") == CONSENT_TYPE]


def has_consent(principal: Principal) -> bool:
    try:
        return bool(consent_details(principal.claims))
    except ConsentRefused:
        return True  # present but malformed: let check_consent say so


def _days(value: str, name: str) -> tuple[date, date]:
    """The first and last day a month (``YYYY-MM``) or a date (``YYYY-MM-DD``) covers; ``ValueError`` if neither."""
    if len(value) == len("YYYY-MM"):
        month = parse_month(value, parameter=name)
        return month.first_day, month.last_day
    day = parse_date(value, parameter=name)
    return day, day


def _inside_period(right: ConsentRight, parameters: Mapping[str, str]) -> None:
    start, end = right.metadata.get("fraOgMed"), right.metadata.get("tilOgMed")
    asked_start = parameters.get("fraOgMed")
    asked_end = parameters.get("tilOgMed") or asked_start
    # Compared as calendar days, never as text: '２０２５-06' sorts after every ASCII month.
    try:
        consented_first = _days(start, "fraOgMed")[0] if start is not None else None
        consented_last = _days(end, "tilOgMed")[1] if end is not None else None
    except ValueError:
        raise _refuse_malformed("metaData fraOgMed/tilOgMed must be months YYYY-MM or dates YYYY-MM-DD") from None
    try:
        asked_first = _days(asked_start, "fraOgMed")[0] if asked_start is not None else None
        asked_last = _days(asked_end, "tilOgMed")[1] if asked_end is not None else None
    except ValueError as exc:
        raise ConsentRefused(
            RefusalReason.OUTSIDE_CONSENT, f"the asked period is not a period: {exc}", parameter="fraOgMed"
        ) from None
    if consented_first is not None and asked_first is not None and asked_first < consented_first:
        raise ConsentRefused(
            RefusalReason.OUTSIDE_CONSENT,
            f"fraOgMed {asked_start} is before the consented period, which starts {start}",
            parameter="fraOgMed",
        )
    if consented_last is not None and asked_last is not None and asked_last > consented_last:
        raise ConsentRefused(
            RefusalReason.OUTSIDE_CONSENT,
            f"tilOgMed {asked_end} is after the consented period, which ends {end}",
            parameter="tilOgMed" if parameters.get("tilOgMed") else "fraOgMed",
        )


def _inside_metadata(right: ConsentRight, parameters: Mapping[str, str]) -> None:
    _inside_period(right, parameters)
    for key, asked in parameters.items():
        if key in ("fraOgMed", "tilOgMed") or asked is None:
            continue
        consented = right.metadata.get(key)
        if consented is not None and consented != asked:
            raise ConsentRefused(
                RefusalReason.OUTSIDE_CONSENT, f"{key} {asked} is not the consented {key} {consented}", parameter=key
            )


def _check_one(
    grant: ConsentGrant,
    principal: Principal,
    *,
    resource: str,
    now: datetime,
    subject: str | None,
    parameters: Mapping[str, str],
    max_validity: timedelta | None,
) -> ConsentGrant:
    right = grant.right_for(resource)
    if right is None:
        raise ConsentRefused(
            RefusalReason.WRONG_RESOURCE,
            f"consent {grant.id} does not cover the resource {resource}",
            parameter="authorization_details",
        )
    if grant.to_org != principal.consumer_org:
        raise ConsentRefused(
            RefusalReason.WRONG_RECIPIENT,
            f"consent {grant.id} was given to organisation {grant.to_org}, "
            f"but the token's consumer is {principal.consumer_org}",
            parameter="authorization_details",
        )
    if grant.valid_to <= now:
        raise ConsentRefused(
            RefusalReason.EXPIRED,
            f"consent {grant.id} expired at {grant.valid_to.isoformat()}",
            parameter="authorization_details",
        )
    if grant.consented > now:
        raise ConsentRefused(
            RefusalReason.NOT_YET_VALID,
            f"consent {grant.id} is dated {grant.consented.isoformat()}, in the future",
            parameter="authorization_details",
        )
    if max_validity is not None and grant.valid_to - grant.consented > max_validity:
        raise ConsentRefused(
            RefusalReason.TOO_LONG,
            f"consent {grant.id} runs longer than the {max_validity.days} days allowed for {resource}",
            parameter="authorization_details",
        )
    if subject is not None and grant.subject != subject:
        raise ConsentRefused(
            RefusalReason.WRONG_SUBJECT,
            f"consent {grant.id} was given by someone other than the party asked about",
            parameter="authorization_details",
        )
    _inside_metadata(right, parameters)
    return grant


def check_consent(
    principal: Principal,
    *,
    resource: str,
    now: datetime,
    parameters: Mapping[str, str] | None = None,
    subject: str | None = None,
    max_validity: timedelta | None = None,
) -> ConsentGrant:
    """The consent in ``principal``'s token that allows this request, or ``ConsentRefused``."""
    details = consent_details(principal.claims)
    if not details:
        raise ConsentRefused(
            RefusalReason.MISSING,
            f"the access token carries no consent (authorization_details of type {CONSENT_TYPE})",
            parameter="authorization_details",
        )
    grants = [parse_grant(detail) for detail in details]
    return check_grant_set(
        grants, principal, resource=resource, now=now, parameters=parameters, subject=subject, max_validity=max_validity
    )


def check_grant_set(
    grants: Sequence[ConsentGrant],
    principal: Principal,
    *,
    resource: str,
    now: datetime,
    parameters: Mapping[str, str] | None = None,
    subject: str | None = None,
    max_validity: timedelta | None = None,
) -> ConsentGrant:
    """``check_consent`` over already parsed grants (a source's cache); the first that passes wins."""
    first: ConsentRefused | None = None
    # Try the grants naming this resource first so the refusal reported is the most telling one.
    for grant in sorted(grants, key=lambda g: g.right_for(resource) is None):
        try:
            return _check_one(
                grant,
                principal,
                resource=resource,
                now=now,
                subject=subject,
                parameters=parameters or {},
                max_validity=max_validity,
            )
        except ConsentRefused as refused:
            first = first or refused
    assert first is not None
    raise first


class ConsentStatus(Protocol):
    """Port to the consent service: the current status of a consent request."""

    async def status(self, consent_id: str) -> str: ...


async def ensure_active(grant: ConsentGrant, port: ConsentStatus) -> None:
    """``REVOKED`` unless the consent service still says ``accepted`` (revocation, DSOP SBL “Samtykkeløsningen”)."""
    status = (await port.status(grant.id)).lower()
    if status != ACCEPTED:
        raise ConsentRefused(
            RefusalReason.REVOKED,
            f"consent {grant.id} is no longer valid: its status is {status}",
            parameter="authorization_details",
        )


class MemoryConsentStatus:
    """In-memory twin of the consent service's status lookup; counts the lookups it answers."""

    def __init__(self, statuses: Mapping[str, str] | None = None) -> None:
        self._statuses = dict(statuses or {})
        self.lookups = 0

    def set(self, consent_id: str, status: str) -> None:
        self._statuses[consent_id] = status

    async def status(self, consent_id: str) -> str:
        self.lookups += 1
        return self._statuses.get(consent_id, "deleted")


BearerSource = Callable[[], Awaitable[str]]


class HttpConsentStatus:
    """The consent service over HTTP: ``GET {base_url}/consentrequests/{id}`` → ``{"status": ...}``.

    Against ``opendsop.consent`` the base URL is ``<consent service>/accessmanagement/api/v1/enterprise``
    and the caller needs an access token with ``altinn:consentrequests.read`` issued to the data
    source's own organisation (the resource's ``owner_org``): ``bearer`` is that token, or an async
    callable that returns a fresh one (tokens live 120 s).  A 404 reads as ``deleted``.
    """

    def __init__(
        self, base_url: str, *, bearer: str | BearerSource | None = None, timeout: float = 5.0, transport: Any = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._bearer = bearer
        self._timeout = timeout
        self._transport = transport  # an httpx transport, for in-process tests

    async def _authorization(self) -> str | None:
        if self._bearer is None:
            return None
        token = self._bearer if isinstance(self._bearer, str) else await self._bearer()
        return f"Bearer {token}"

    async def status(self, consent_id: str) -> str:
        import httpx

        headers = {"Accept": "application/json"}
        authorization = await self._authorization()
        if authorization:
            headers["Authorization"] = authorization
        async with httpx.AsyncClient(
            timeout=self._timeout, follow_redirects=False, transport=self._transport
        ) as client:
            response = await client.get(
                f"{self.base_url}/consentrequests/{quote(consent_id, safe='')}", headers=headers
            )
        if response.status_code == 404:
            return "deleted"
        response.raise_for_status()
        status = response.json().get("status")
        return status if isinstance(status, str) else "unknown"


__all__ = [
    "ConsentGrant",
    "ConsentRefused",
    "ConsentRight",
    "ConsentStatus",
    "HttpConsentStatus",
    "MemoryConsentStatus",
    "RefusalReason",
    "check_consent",
    "check_grant_set",
    "consent_details",
    "ensure_active",
    "has_consent",
    "parse_grant",
]
