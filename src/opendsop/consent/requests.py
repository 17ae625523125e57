"""Consent requests shaped like Altinn 3 ``consentrequests``: parsing, the status machine, the wire form.

Source: DSOP “Altinn 3.0” (body: consumer-chosen ``id``, ``from``, ``to``, ``validTo``,
``consentRights[{action, resource, metaData}]``, ``redirectUrl``), DSOP SBL “Samtykkeløsningen” (``handledBy`` supplier,
``redirectUrl`` must be https, ``validTo`` capped per service), and the consent contract.

Status machine (``TRANSITIONS``; anything else is a 409)::

    created ──accept──▶ accepted ──revoke──▶ revoked
       │  └──reject──▶ rejected     │ └──first token (one-time resources)──▶ used
       ├──consumer DELETE──▶ deleted
       └──validTo passes──▶ expired ◀──validTo passes── accepted

``expired`` is also *computed* on read (``status_at``), so a consent is never treated as valid past
``validTo`` even before the sweep has written the event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from opendsop.contracts.consent_resources import RESOURCES, ConsentResource, check_metadata
from opendsop.standard.errors import InvalidIdentifier
from opendsop.standard.identifiers import validate_orgnr, validate_person_number
from opendsop.standard.json_body import load_json
from opendsop.standard.values import parse_timestamp, parse_uuid

PERSON_URN = "urn:altinn:person:identifier-no:"
ORGANISATION_URN = "urn:altinn:organization:identifier-no:"
RESOURCE_TYPE = "urn:altinn:resource"
CONSENT_ACTION = "consent"
MAX_RIGHTS = 10


class Status(StrEnum):
    CREATED = "created"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    REVOKED = "revoked"
    EXPIRED = "expired"
    USED = "used"
    DELETED = "deleted"


# new status -> the statuses it may be reached from
TRANSITIONS: Mapping[Status, frozenset[Status]] = {
    Status.ACCEPTED: frozenset({Status.CREATED}),
    Status.REJECTED: frozenset({Status.CREATED}),
    Status.DELETED: frozenset({Status.CREATED}),
    Status.REVOKED: frozenset({Status.ACCEPTED}),
    Status.USED: frozenset({Status.ACCEPTED}),
    Status.EXPIRED: frozenset({Status.CREATED, Status.ACCEPTED}),
}

# Altinn 3 event type names of the event feed and ``consentRequestEvents``.
EVENT_TYPES: Mapping[Status, str] = {
    Status.CREATED: "Created", Status.ACCEPTED: "Accepted", Status.REJECTED: "Rejected",
    Status.REVOKED: "Revoked", Status.EXPIRED: "Expired", Status.USED: "Used", Status.DELETED: "Deleted",
}  # fmt: skip


class ConsentError(Exception):
    """A refused API call: JSON ``{"code", "message", "parameter"}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.parameter = status, code, message, parameter

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "parameter": self.parameter}


def invalid(message: str, parameter: str | None, code: str = "invalid_request") -> ConsentError:
    return ConsentError(400, code, message, parameter)


@dataclass(frozen=True, slots=True)
class Party:
    """``from`` of a consent: a person (fødselsnummer / D-number) or an organisation."""

    kind: str  # "person" | "organisation"
    number: str

    @property
    def urn(self) -> str:
        return (PERSON_URN if self.kind == "person" else ORGANISATION_URN) + self.number


@dataclass(frozen=True, slots=True)
class ConsentRight:
    resource: str
    metadata: Mapping[str, str] = field(default_factory=dict)

    def wire(self) -> dict[str, Any]:
        return {
            "action": [CONSENT_ACTION],
            "resource": [{"type": RESOURCE_TYPE, "value": self.resource}],
            "metaData": dict(sorted(self.metadata.items())),
        }


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    """What the consumer asked for (immutable; the status lives in ``ConsentRecord``)."""

    id: str
    from_party: Party
    to_org: str
    handled_by: str | None
    valid_to: datetime
    rights: tuple[ConsentRight, ...]
    redirect_url: str

    def content(self) -> dict[str, Any]:
        return {
            "id": self.id, "from": self.from_party.urn, "to": ORGANISATION_URN + self.to_org,
            "handledBy": ORGANISATION_URN + self.handled_by if self.handled_by else None,
            "validTo": rfc3339(self.valid_to), "consentRights": [r.wire() for r in self.rights],
            "redirectUrl": self.redirect_url,
        }  # fmt: skip

    def fingerprint(self) -> str:
        """Same content, same fingerprint: decides whether a repeated ``id`` is a retry or a conflict."""
        return hashlib.sha256(json.dumps(self.content(), sort_keys=True).encode()).hexdigest()

    @property
    def resources(self) -> tuple[ConsentResource, ...]:
        return tuple(RESOURCES[r.resource] for r in self.rights)

    @property
    def one_time(self) -> bool:
        return any(resource.one_time for resource in self.resources)


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    request: ConsentRequest
    status: Status
    created: datetime
    updated: datetime
    consented: datetime | None = None

    @property
    def id(self) -> str:
        return self.request.id

    def status_at(self, now: datetime) -> Status:
        if self.status in (Status.CREATED, Status.ACCEPTED) and now >= self.request.valid_to:
            return Status.EXPIRED
        return self.status

    def wire(self, now: datetime) -> dict[str, Any]:
        body = self.request.content()
        body.update(
            status=self.status_at(now).value,
            created=rfc3339(self.created),
            consented=rfc3339(self.consented) if self.consented else None,
        )
        return body


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_json_body(raw: bytes) -> Any:
    """A request body as JSON, inside the size and nesting limits every party applies (400 otherwise)."""
    try:
        return load_json(raw)
    except ValueError:
        raise ConsentError(400, "invalid_request", "the body is not valid JSON (or nests too deep)", None) from None


def parse_datetime(value: object, parameter: str) -> datetime:
    """An RFC 3339 date-time with offset, in UTC, whole seconds (JWT times are seconds)."""
    if not isinstance(value, str) or len(value) > 40:
        raise invalid(f"{parameter} must be an RFC 3339 date-time string", parameter)
    try:
        moment = parse_timestamp(value, parameter=parameter)  # ASCII digits, years 1900–2100: no overflow
    except ValueError:
        raise invalid(
            f"{parameter} {value!r} is not an RFC 3339 date-time with a time zone (Z or an offset)", parameter
        ) from None
    return moment.replace(microsecond=0)


def parse_party(value: object, parameter: str, *, synthetic_allowed: bool, person_allowed: bool = True) -> Party:
    """A person or organisation urn; the number must pass opendsop.standard.identifiers."""
    if not isinstance(value, str):
        raise invalid(f"{parameter} must be an urn string", parameter, "invalid_identifier")
    try:
        if value.startswith(PERSON_URN) and person_allowed:
            number = value[len(PERSON_URN) :]
            return Party("person", validate_person_number(number, synthetic_allowed=synthetic_allowed).value)
        if value.startswith(ORGANISATION_URN):
            number = value[len(ORGANISATION_URN) :]
            return Party("organisation", validate_orgnr(number, synthetic_allowed=synthetic_allowed))
    except InvalidIdentifier as exc:
        raise invalid(f"{parameter}: {exc.message}", parameter, "invalid_identifier") from None
    expected = f"{PERSON_URN}<fnr> or {ORGANISATION_URN}<orgnr>" if person_allowed else f"{ORGANISATION_URN}<orgnr>"
    raise invalid(f"{parameter} must be {expected}", parameter, "invalid_identifier")


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def parse_redirect_url(value: object, *, loopback_allowed: bool = False) -> str:
    """An absolute https URL; in test mode also ``http://`` on the loopback interface (RFC 8252 §7.3:
    the browser and the consumer's page are on the same machine, as in a local ecosystem)."""
    if not isinstance(value, str) or len(value) > 2000:
        raise invalid("redirectUrl must be a URL string", "redirectUrl", "invalid_redirect_url")
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    loopback = loopback_allowed and parts is not None and parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if parts is None or (parts.scheme != "https" and not loopback) or not parts.hostname or parts.fragment:
        raise invalid(
            "redirectUrl must be an absolute https URL without fragment", "redirectUrl", "invalid_redirect_url"
        )
    return value


def _parse_right(value: object, index: int) -> ConsentRight:
    where = f"consentRights[{index}]"
    if not isinstance(value, dict):
        raise invalid(f"{where} must be an object", where)
    action = value.get("action")
    if action != [CONSENT_ACTION]:
        raise invalid(f'{where}.action must be ["consent"]', f"{where}.action")
    resource = value.get("resource")
    if (
        not isinstance(resource, list)
        or len(resource) != 1
        or not isinstance(resource[0], dict)
        or resource[0].get("type") != RESOURCE_TYPE
        or not isinstance(resource[0].get("value"), str)
    ):
        raise invalid(f'{where}.resource must be [{{"type": "{RESOURCE_TYPE}", "value": <id>}}]', f"{where}.resource")
    resource_id = resource[0]["value"]
    if resource_id not in RESOURCES:
        raise invalid(
            f"{where}: unknown resource {resource_id[:60]!r}; known: {', '.join(RESOURCES)}",
            f"{where}.resource",
            "unknown_resource",
        )
    metadata = value.get("metaData") or {}
    if not isinstance(metadata, dict):
        raise invalid(f"{where}.metaData must be an object", f"{where}.metaData")
    try:
        checked = check_metadata(RESOURCES[resource_id], metadata)
    except ValueError as exc:
        raise invalid(f"{where}: {exc}", f"{where}.metaData", "invalid_metadata") from None
    return ConsentRight(resource_id, checked)


def parse_request(body: object, *, now: datetime, synthetic_allowed: bool) -> ConsentRequest:
    """Validate an Altinn 3 ``consentrequests`` body; ``ConsentError`` (400) names the first fault."""
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object", None)
    raw_id = body.get("id")
    try:
        request_id = str(parse_uuid(raw_id, parameter="id"))
    except ValueError:
        request_id = None
    if request_id is None:
        raise invalid("id must be a UUID chosen by the consumer", "id")
    from_party = parse_party(body.get("from"), "from", synthetic_allowed=synthetic_allowed)
    to_org = parse_party(body.get("to"), "to", synthetic_allowed=synthetic_allowed, person_allowed=False).number
    handled = body.get("handledBy")
    handled_by = (
        None
        if handled is None
        else parse_party(handled, "handledBy", synthetic_allowed=synthetic_allowed, person_allowed=False).number
    )
    rights_raw = body.get("consentRights")
    if not isinstance(rights_raw, list) or not 1 <= len(rights_raw) <= MAX_RIGHTS:
        raise invalid(f"consentRights must be a list of 1 to {MAX_RIGHTS} rights", "consentRights")
    rights = tuple(_parse_right(item, i) for i, item in enumerate(rights_raw))
    if len({r.resource for r in rights}) != len(rights):
        raise invalid("consentRights names a resource twice", "consentRights")
    for right in rights:
        resource = RESOURCES[right.resource]
        if resource.subject != from_party.kind:
            raise invalid(
                f"resource {resource.id} is consented to by a {resource.subject}, but from is a {from_party.kind}",
                "from",
            )
    valid_to = parse_datetime(body.get("validTo"), "validTo")
    if valid_to <= now:
        raise invalid("validTo must be in the future", "validTo", "invalid_valid_to")
    for right in rights:
        resource = RESOURCES[right.resource]
        if valid_to - now > resource.max_validity:
            raise invalid(
                f"validTo is beyond the cap of resource {resource.id}: at most {resource.max_validity.days} days ahead",
                "validTo",
                "invalid_valid_to",
            )
    return ConsentRequest(
        request_id,
        from_party,
        to_org,
        handled_by,
        valid_to,
        rights,
        parse_redirect_url(body.get("redirectUrl"), loopback_allowed=synthetic_allowed),
    )


def check_transition(record: ConsentRecord, new: Status, now: datetime) -> None:
    current = record.status_at(now)
    if current not in TRANSITIONS[new]:
        raise ConsentError(
            409, "invalid_status", f"consent {record.id} is {current.value}; it cannot become {new.value}", "status"
        )


__all__ = [
    "EVENT_TYPES", "ORGANISATION_URN", "PERSON_URN", "TRANSITIONS", "ConsentError", "ConsentRecord",
    "ConsentRequest", "ConsentRight", "Party", "Status", "check_transition", "parse_datetime", "parse_json_body",
    "parse_party",
    "LOOPBACK_HOSTS", "parse_redirect_url", "parse_request", "rfc3339",
]  # fmt: skip
