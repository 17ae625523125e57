"""Consent in the access token: Altinn 3 ``authorization_details`` of type ``urn:altinn:consent``.

DSOP “Altinn 3.0” and the consent contract: a JWT grant may carry
``authorization_details: [{"type": "urn:altinn:consent", "id": <consent id>, "from": <urn>}]``
(RFC 9396 shape).  The token service then looks each consent up in the consent service (the
``ConsentLookup`` port) and issues an access token whose ``authorization_details`` hold the
consent's ``to``, ``consented``, ``validTo`` and ``consentRights`` — only if the consent

=========================================================  ===============  ======================
rule                                                       error            description says
=========================================================  ===============  ======================
authorization_details is a list of 1–10 objects            invalid_request  malformed
``type`` is ``urn:altinn:consent``, ``id`` a UUID,         invalid_request  which member is wrong
``from`` a person/organisation urn
the consent exists                                         invalid_grant    does not exist
``to`` is the token's consumer (the caller, or the         invalid_grant    given to another org
delegating ``consumer_org``)
``from`` equals the consent's ``from``                     invalid_grant    from does not match
its status is ``accepted`` (not created, rejected,         invalid_grant    the status
revoked, expired, used, deleted)
``validTo`` is after now                                   invalid_grant    has expired
the consent service answers                                temporarily_unavailable (503)
=========================================================  ===============  ======================

The rules run in this order, so an organisation that is not the recipient learns nothing about a
consent's status.  ``used``: a consent whose resources are one-time (``oneTime``) is marked ``used`` after its first
token, as Altinn does for one-time consents; a second grant is then refused.  None of the four DSOP
resources is one-time (SBL and K&B re-exchange; Lånekassen/NAV's "exchange once" is a consumer rule).

The HTTP lookup calls the consent service's internal endpoint with a shared admin token (the local
stand-in for mTLS between the two services): ``GET {base}/internal/consents/{id}`` and
``POST {base}/internal/consents/{id}/used``, header ``Authorization: Bearer <admin token>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from opendsop.authority.errors import InvalidGrant, InvalidRequest, OAuthError
from opendsop.standard.values import parse_timestamp, parse_uuid

CONSENT_TYPE = "urn:altinn:consent"
PERSON_URN = "urn:altinn:person:identifier-no:"
ORGANISATION_URN = "urn:altinn:organization:identifier-no:"
ACTOR_AUTHORITY = "iso6523-actorid-upis"
MAX_DETAILS = 10


class ConsentUnavailable(OAuthError):
    """The consent service did not answer; not the client's fault."""

    error = "temporarily_unavailable"
    status = 503


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """What the token service needs to know about one consent."""

    id: str
    from_urn: str
    to_org: str
    status: str  # the effective status (expiry already computed by the consent service)
    consented: datetime | None
    valid_to: datetime
    consent_rights: tuple[Mapping[str, Any], ...]
    one_time: bool = False

    @classmethod
    def from_wire(cls, body: Mapping[str, Any]) -> ConsentRecord:
        """The consent service's internal JSON; ``ValueError`` if it is not one."""
        try:
            to = str(body["to"])
            if not to.startswith(ORGANISATION_URN):
                raise ValueError("to is not an organisation urn")
            consented = body.get("consented")
            return cls(
                id=str(body["id"]), from_urn=str(body["from"]), to_org=to[len(ORGANISATION_URN):],
                status=str(body["status"]),
                consented=_parse_time(consented) if consented else None,
                valid_to=_parse_time(body["validTo"]), consent_rights=tuple(body["consentRights"]),
                one_time=bool(body.get("oneTime", False)),
            )  # fmt: skip
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a consent record: {exc}") from None


def _parse_time(value: object) -> datetime:
    return parse_timestamp(value, parameter="a consent time")  # RFC 3339 with offset, years 1900–2100


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class ConsentLookup(Protocol):
    async def consent(self, consent_id: str) -> ConsentRecord | None: ...

    async def mark_used(self, consent_id: str) -> None: ...


@dataclass
class InMemoryConsentLookup:
    """A twin of the consent service for tests: a dict of records; ``mark_used`` updates it."""

    records: dict[str, ConsentRecord] = field(default_factory=dict)

    def add(self, record: ConsentRecord) -> None:
        self.records[record.id] = record

    async def consent(self, consent_id: str) -> ConsentRecord | None:
        return self.records.get(consent_id)

    async def mark_used(self, consent_id: str) -> None:
        self.records[consent_id] = replace(self.records[consent_id], status="used")


class HttpConsentLookup:
    """The consent service over HTTP (its internal endpoint, admin token)."""

    def __init__(
        self, base_url: str, admin_token: str, *, client: httpx.AsyncClient | None = None, timeout: float = 5.0
    ) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {admin_token}", "Accept": "application/json"}
        self._client = client
        self._timeout = timeout

    async def _request(self, method: str, path: str) -> httpx.Response:
        try:
            if self._client is not None:
                return await self._client.request(method, self._base + path, headers=self._headers)
            async with httpx.AsyncClient(timeout=self._timeout, follow_redirects=False) as client:
                return await client.request(method, self._base + path, headers=self._headers)
        except httpx.HTTPError as exc:
            raise ConsentUnavailable(f"the consent service could not be reached: {type(exc).__name__}") from None

    async def consent(self, consent_id: str) -> ConsentRecord | None:
        response = await self._request("GET", f"/internal/consents/{consent_id}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ConsentUnavailable(f"the consent service answered HTTP {response.status_code}")
        try:
            return ConsentRecord.from_wire(response.json())
        except ValueError as exc:
            raise ConsentUnavailable(f"the consent service sent an unusable answer: {exc}") from None

    async def mark_used(self, consent_id: str) -> None:
        response = await self._request("POST", f"/internal/consents/{consent_id}/used")
        if response.status_code not in (200, 409):  # 409: another token marked it first
            raise ConsentUnavailable(f"the consent service answered HTTP {response.status_code}")


@dataclass(frozen=True, slots=True)
class ConsentDetail:
    """One requested ``urn:altinn:consent`` detail of a grant."""

    id: str
    from_urn: str


def parse_authorization_details(value: object) -> tuple[ConsentDetail, ...]:
    """The consent details of a grant's ``authorization_details`` (absent → none)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_DETAILS:
        raise InvalidRequest(f"authorization_details must be a list of 1 to {MAX_DETAILS} objects")
    details: list[ConsentDetail] = []
    for index, item in enumerate(value):
        where = f"authorization_details[{index}]"
        if not isinstance(item, dict):
            raise InvalidRequest(f"{where} must be an object")
        if item.get("type") != CONSENT_TYPE:
            raise InvalidRequest(f"{where}.type must be {CONSENT_TYPE}, not {str(item.get('type'))[:60]!r}")
        raw_id = item.get("id")
        try:
            consent_id = str(parse_uuid(raw_id, parameter=f"{where}.id"))
        except ValueError:
            consent_id = ""
        if not consent_id:
            raise InvalidRequest(f"{where}.id must be the consent's UUID")
        from_urn = item.get("from")
        if (
            not isinstance(from_urn, str)
            or not from_urn.startswith((PERSON_URN, ORGANISATION_URN))
            or not from_urn.rsplit(":", 1)[1].isascii()
            or not from_urn.rsplit(":", 1)[1].isdigit()
        ):
            raise InvalidRequest(f"{where}.from must be {PERSON_URN}<fnr> or {ORGANISATION_URN}<orgnr>")
        details.append(ConsentDetail(consent_id, from_urn))
    return tuple(details)


def check_consent(detail: ConsentDetail, record: ConsentRecord | None, *, consumer_org: str, now: datetime) -> None:
    """The rules of the module table for one consent."""
    # Who before what: another organisation learns nothing about the consent's status.
    if record is None:
        raise InvalidGrant(f"consent {detail.id} does not exist")
    if record.to_org != consumer_org:
        raise InvalidGrant(f"consent {detail.id} was given to another organisation, not {consumer_org}")
    if record.from_urn != detail.from_urn:
        raise InvalidGrant(f"authorization_details from does not match the party that gave consent {detail.id}")
    if record.status != "accepted":
        raise InvalidGrant(f"consent {detail.id} is {record.status}, not accepted")
    if record.valid_to <= now:
        raise InvalidGrant(f"consent {detail.id} has expired (validTo {_rfc3339(record.valid_to)})")


def token_detail(record: ConsentRecord) -> dict[str, Any]:
    """One ``authorization_details`` entry of the access token (the consent contract's shape)."""
    detail: dict[str, Any] = {
        "type": CONSENT_TYPE, "id": record.id, "from": record.from_urn,
        "to": {"authority": ACTOR_AUTHORITY, "ID": "0192:" + record.to_org},
        "consented": _rfc3339(record.consented) if record.consented else None,
        "validTo": _rfc3339(record.valid_to), "consentRights": [dict(r) for r in record.consent_rights],
    }  # fmt: skip
    return detail


async def consent_details(
    details: tuple[ConsentDetail, ...], lookup: ConsentLookup | None, *, consumer_org: str, now: datetime
) -> tuple[list[dict[str, Any]], list[ConsentRecord]]:
    """Check every requested consent; the token's ``authorization_details`` and the records used."""
    if not details:
        return [], []
    if lookup is None:
        raise InvalidRequest(
            "this authority has no consent service configured; authorization_details of type "
            f"{CONSENT_TYPE} cannot be granted"
        )
    out: list[dict[str, Any]] = []
    records: list[ConsentRecord] = []
    for detail in details:
        record = await lookup.consent(detail.id)
        check_consent(detail, record, consumer_org=consumer_org, now=now)
        assert record is not None
        out.append(token_detail(record))
        records.append(record)
    return out, records


__all__ = [
    "CONSENT_TYPE", "ConsentDetail", "ConsentLookup", "ConsentRecord", "ConsentUnavailable", "HttpConsentLookup",
    "InMemoryConsentLookup", "check_consent", "consent_details", "parse_authorization_details", "token_detail",
]  # fmt: skip
