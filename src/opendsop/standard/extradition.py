"""The Politi extradition order (utleveringspålegg): its claims and every documented content check.

Decides whether an order's *content* is acceptable and whether a request stays inside it.
Sources: DSOP Politi “Utleveringspålegg” (payload table, "all fields are mandatory", content checks) and
DSOP Politi “Løsningsbeskrivelse” (content checks 1–6, "checks of the request against the EO").  The
signature, ``kid`` and certificate checks are not here: they belong to ``opendsop.trust``, which
hands the verified claims to :func:`parse_claims`.

Errors:

* claims missing or of the wrong type → :class:`InvalidRequest` (400 ACC-001) for
  ``AdditionalReferenceID``: "the header's content does not match its type"
  (DSOP “Recommendations regarding validation”, validation recommendations);
* a well-formed order that fails a content check, or a request outside its order →
  :class:`InvalidExtraditionOrder` (403 ACC-011), as for an endpoint the order denies
  (the DSOP services' “Løsningsbeskrivelse” pages).

"Today" is ``now.date()`` in ``now``'s own time zone: pass ``now`` in Europe/Oslo for
Norwegian calendar dates.

>>> from datetime import datetime, timezone
>>> order = parse_claims(EXAMPLE_CLAIMS)
>>> check_order(order, now=datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc))
>>> order.reason == REASON_STRAFFESAK
True
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Final

import msgspec

from opendsop.standard import mandate as mandates
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.errors import InvalidExtraditionOrder, InvalidIdentifier, InvalidRequest
from opendsop.standard.identifiers import validate_party_id
from opendsop.standard.period import MAX_LOOKBACK_YEARS, years_before

PARAMETER: Final = "AdditionalReferenceID"
VERSION: Final = "1.0.0"
MAX_VALIDITY: Final = timedelta(days=90)

REASON_STRAFFESAK: Final = (
    "Opplysningene antas å ha betydning som bevis i straffesak der noen med skjellig grunn kan "
    "mistenkes for en straffbar handling."
)
REASON_SAVNET: Final = (
    "Opplysningene antas å ha betydning i en sak hvor noen er meldt savnet, og det er grunn til å "
    "frykte at noe har tilstøtt den savnede."
)
# første punktum ↔ criminal case, andre punktum ↔ missing person (content check 3).
REASON_FOR_MANDATE: Final[dict[str, str]] = {
    mandates.POLITI_STRAFFESAK.key: REASON_STRAFFESAK,
    mandates.POLITI_SAVNET.key: REASON_SAVNET,
}

# msgspec applies patterns with re.search; \Z (not $) so that a trailing newline fails too.
_UUID: Final = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\Z"
_LAST_NUMERIC_DATE: Final = 253402300799  # 9999-12-31T23:59:59Z, the last datetime Python holds

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
Uuid = Annotated[str, msgspec.Meta(pattern=_UUID)]
AwareDateTime = Annotated[datetime, msgspec.Meta(tz=True)]
NumericDate = Annotated[int, msgspec.Meta(ge=0, le=_LAST_NUMERIC_DATE)]


class District(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    rename={
        "district_id": "districtID",
        "district_label": "districtLabel",
    },
):
    """The police district (politidistrikt) that issued the order."""

    district_id: Text
    district_label: Text


class Approval(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    rename={
        "approved_by_id": "approvedByID",
        "approved_by_name": "approvedByName",
        "approved_by_role": "approvedByRole",
        "approval_timestamp": "approvalTimestamp",
    },
):
    """Who in the prosecution authority approved the order, and when (UTC)."""

    approved_by_id: Text
    approved_by_name: Text
    approved_by_role: Text  # e.g. "Politiadvokat"
    approval_timestamp: AwareDateTime


class ExtraditionOrder(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    rename={
        "extradition_order_id": "extraditionOrderID",
        "version": "version",
        "party_id": "partyID",
        "mandate": "mandate",
        "reason": "reason",
        "from_date": "fromDate",
        "to_date": "toDate",
        "only_primary_owner": "onlyPrimaryOwner",
        "account_list": "accountList",
        "account_details": "accountDetails",
        "transactions": "transactions",
        "cards": "cards",
        "roles": "roles",
        "district": "district",
        "approval": "approval",
        "case_id": "caseID",
        "exp": "exp",
    },
):
    """The payload of an utleveringspålegg (DSOP Politi “Utleveringspålegg”); every field is mandatory.

    Unknown claims are ignored (tolerant reader, DSOP “eOppslag”).
    """

    extradition_order_id: Uuid
    version: Text
    party_id: Text
    mandate: Text  # plain text, not percent-encoded
    reason: Text
    from_date: date
    to_date: date
    only_primary_owner: bool
    account_list: bool
    account_details: bool
    transactions: bool
    cards: bool
    roles: bool
    district: District
    approval: Approval
    case_id: Uuid
    exp: NumericDate

    @property
    def expires_at(self) -> datetime:
        """``exp`` as an aware UTC datetime."""
        return datetime.fromtimestamp(self.exp, tz=UTC)

    def permits(self, endpoint: Endpoint) -> bool:
        """The order's flag for a Control API endpoint; step-1 endpoints are not governed by it."""
        flag = _FLAG_FOR_ENDPOINT.get(endpoint)
        if flag is None:
            raise ValueError(f"the extradition order governs Control API endpoints only, not {endpoint}")
        return bool(getattr(self, flag))


# Endpoint → attribute of its permission flag.  Content check 5 of the order's page calls the
# list flag "accounts"; the payload field is accountList (DSOP Politi “Utleveringspålegg”).
_FLAG_FOR_ENDPOINT: Final[dict[Endpoint, str]] = {
    Endpoint.ACCOUNTS: "account_list",
    Endpoint.ACCOUNT_DETAILS: "account_details",
    Endpoint.TRANSACTIONS: "transactions",
    Endpoint.CARDS: "cards",
    Endpoint.ROLES: "roles",
}

EXAMPLE_CLAIMS: Final[Mapping[str, object]] = {
    "extraditionOrderID": "3f0c2f9e-8a51-4f5e-9d43-0b7a2d1e6c11",
    "version": VERSION,
    "partyID": "01017012345",
    "mandate": mandates.POLITI_STRAFFESAK.text,
    "reason": REASON_STRAFFESAK,
    "fromDate": "2020-01-01",
    "toDate": "2025-02-28",
    "onlyPrimaryOwner": False,
    "accountList": True,
    "accountDetails": True,
    "transactions": True,
    "cards": False,
    "roles": False,
    "district": {"districtID": "1", "districtLabel": "Oslo politidistrikt"},
    "approval": {
        "approvedByID": "pa-4711",
        "approvedByName": "Kari Nordmann",
        "approvedByRole": "Politiadvokat",
        "approvalTimestamp": "2025-02-28T09:00:00Z",
    },
    "caseID": "9b2e7c1a-4d3f-4e8b-a6c5-1f0d2e3b4a59",
    "exp": 1748422800,  # 2025-05-28T09:00:00Z: 89 days after approval
}
"""A valid order's claims (fictitious values), for docs and tests."""


def parse_claims(claims: Mapping[str, object] | bytes) -> ExtraditionOrder:
    """The order in verified JWT claims (a decoded mapping, or the JSON payload bytes).

    A missing claim or one of the wrong type raises :class:`InvalidRequest` (ACC-001) for
    ``AdditionalReferenceID``, naming the claim.
    """
    try:
        if isinstance(claims, bytes | bytearray | memoryview):
            return msgspec.json.decode(claims, type=ExtraditionOrder)
        if not isinstance(claims, Mapping):
            raise msgspec.ValidationError(f"Expected `object`, got `{type(claims).__name__}`")
        return msgspec.convert(dict(claims), ExtraditionOrder)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        detail = str(exc).replace(f"`str` matching regex {_UUID!r}", "a UUID string")
        raise InvalidRequest(
            f"{PARAMETER}: the extradition order's claims do not match its format: {detail}",
            parameter=PARAMETER,
        ) from None


def earliest_from_date(today: date) -> date:
    """The oldest ``fromDate`` allowed: today's day and month, ``MAX_LOOKBACK_YEARS`` earlier."""
    return years_before(today, MAX_LOOKBACK_YEARS)


def _fail(message: str, parameter: str = PARAMETER) -> InvalidExtraditionOrder:
    return InvalidExtraditionOrder(message, parameter=parameter)


def order_mandate(order: ExtraditionOrder) -> mandates.Mandate:
    """The Politi mandate the order's ``mandate`` text names (content check 1)."""
    found = mandates.match_text(order.mandate)
    if found is None or found.key not in REASON_FOR_MANDATE:
        raise _fail(
            "Extradition order: 'mandate' must be "
            f"{mandates.POLITI_STRAFFESAK.text!r} or {mandates.POLITI_SAVNET.text!r}, "
            f"not {_shorten(order.mandate)}"
        )
    return found


def check_order(order: ExtraditionOrder, *, now: datetime, leeway: timedelta = timedelta(0)) -> None:
    """Every documented content check of the order (DSOP Politi “Løsningsbeskrivelse”, checks 1–6).

    ``now`` must be timezone-aware.  ``leeway`` (default none) widens only the
    ``approvalTimestamp ≤ now ≤ exp`` window, for clock skew between police and bank.
    Raises :class:`InvalidExtraditionOrder` (403 ACC-011) naming the failed check.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    if order.version != VERSION:
        raise _fail(f"Extradition order: 'version' must be {VERSION!r}, not {_shorten(order.version)}")
    found = order_mandate(order)  # check 1
    reason = mandates.normalise(order.reason)
    if reason not in (REASON_STRAFFESAK, REASON_SAVNET):  # check 2
        raise _fail("Extradition order: 'reason' is not one of the two predefined sentences (straffesak or savnet)")
    if reason != REASON_FOR_MANDATE[found.key]:  # check 3
        raise _fail(
            f"Extradition order: 'reason' does not match 'mandate' ({found.text!r} requires the "
            f"{'straffesak' if found is mandates.POLITI_STRAFFESAK else 'savnet'} sentence)"
        )
    earliest = earliest_from_date(now.date())
    if order.from_date < earliest:  # check 4
        raise _fail(
            f"Extradition order: 'fromDate' {order.from_date.isoformat()} is more than "
            f"{MAX_LOOKBACK_YEARS} years back (earliest allowed {earliest.isoformat()})"
        )
    if order.from_date > order.to_date:
        raise _fail(
            f"Extradition order: 'fromDate' {order.from_date.isoformat()} is after 'toDate' {order.to_date.isoformat()}"
        )
    if not order.account_list:  # check 5 ("accounts" on the page; the field is accountList)
        raise _fail("Extradition order: 'accountList' must be true")
    approved, expires = order.approval.approval_timestamp, order.expires_at
    if expires - approved > MAX_VALIDITY:  # check 6, first half
        raise _fail(
            f"Extradition order: 'exp' is more than {MAX_VALIDITY.days} days after "
            f"'approval.approvalTimestamp' ({(expires - approved)} between them)"
        )
    if now + leeway < approved:  # check 6, second half
        raise _fail(f"Extradition order: 'approval.approvalTimestamp' {approved.isoformat()} is in the future")
    if now - leeway > expires:
        raise _fail(f"Extradition order: expired at {expires.isoformat()} ('exp')")


def check_issuable(order: ExtraditionOrder, *, now: datetime, synthetic_allowed: bool = False) -> None:
    """What the prosecution checks before it signs: every content check a bank applies, plus the
    values a bank will compare exactly, read as strictly as a bank reads its own headers.

    * :func:`check_order` (content checks 1–6) at ``now``;
    * ``partyID`` is a valid fødselsnummer, D-number or organisasjonsnummer (``validate_party_id``,
      ASCII digits, check digits): a bank compares it with the ``PartyID`` header it has validated,
      so a full-width or malformed number gives an order no request can ever match;
    * ``toDate`` is no later than the day the order expires (``exp``): a bank refuses request dates in
      the future, so a later end (``9999-12-31``) could never be asked for — it only misstates the order.

    Raises :class:`InvalidExtraditionOrder` naming the field.
    """
    check_order(order, now=now)
    try:
        validate_party_id(order.party_id, synthetic_allowed=synthetic_allowed)
    except InvalidIdentifier as exc:
        raise _fail(
            f"Extradition order: 'partyID' is not a valid person or organisation number: {exc.message}", "partyID"
        ) from None
    last_day = order.expires_at.astimezone(now.tzinfo).date()
    if order.to_date > last_day:
        raise _fail(
            f"Extradition order: 'toDate' {order.to_date.isoformat()} is after the day the order expires "
            f"({last_day.isoformat()})",
            "toDate",
        )


def check_request(
    order: ExtraditionOrder,
    *,
    endpoint: Endpoint,
    party_id: str | None,
    mandate_key: str,
    from_date: date,
    to_date: date,
    only_primary_owner: bool | None,
) -> None:
    """The request against its order (DSOP Politi “Løsningsbeskrivelse”, "checks of the request against the EO").

    * the endpoint's flag in the order is exactly ``true`` (``Endpoint.ACCOUNTS`` ↔
      ``accountList``; the order's page calls that flag "accounts", see DSOP Politi “Utleveringspålegg”);
    * ``PartyID`` equals ``partyID`` (``party_id=None``: the endpoint has no PartyID header;
      the caller then checks that the ``accountReference`` belongs to the order's party);
    * the ``Legal-Mandate`` (its :attr:`Mandate.key`) is the mandate the order names;
    * the period ``fromDate..toDate`` equals or lies inside the order's;
    * ``OnlyPrimaryOwner``: an order with ``true`` accepts only ``true``; with ``false``, any
      value.  Checked only when the request carries the flag (``None`` = not sent, i.e. not
      Accounts).

    Not checked: the order's ``caseID`` against ``AccountInfoRequestID``.  The 48 test cases
    mention a case number, but the recommended checks do not list it (DSOP Politi
    “Løsningsbeskrivelse” and “Utleveringspålegg”).  ``fromDate ≤ toDate`` of the request itself is a generic ACC-001
    rule, not this.

    Each violation raises :class:`InvalidExtraditionOrder` (403 ACC-011) naming the parameter.
    """
    if not order.permits(endpoint):
        raise _fail(
            f"The extradition order does not permit the {endpoint.value} endpoint "
            f"(its '{endpoint.value}' flag is false)",
            endpoint.value,
        )
    if party_id is not None and party_id != order.party_id:
        raise _fail("PartyID is not the extradition order's partyID", "PartyID")
    if mandate_key != order_mandate(order).key:
        raise _fail("Legal-Mandate is not the mandate of the extradition order", mandates.HEADER)
    if not order.from_date <= from_date <= order.to_date:
        raise _fail(
            f"fromDate {from_date.isoformat()} is outside the extradition order's period "
            f"{order.from_date.isoformat()}..{order.to_date.isoformat()}",
            "fromDate",
        )
    if not order.from_date <= to_date <= order.to_date:
        raise _fail(
            f"toDate {to_date.isoformat()} is outside the extradition order's period "
            f"{order.from_date.isoformat()}..{order.to_date.isoformat()}",
            "toDate",
        )
    if only_primary_owner is not None and order.only_primary_owner and not only_primary_owner:
        raise _fail(
            "OnlyPrimaryOwner must be true: the extradition order has onlyPrimaryOwner=true",
            "OnlyPrimaryOwner",
        )


def _shorten(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


__all__ = [
    "EXAMPLE_CLAIMS",
    "MAX_LOOKBACK_YEARS",
    "MAX_VALIDITY",
    "REASON_FOR_MANDATE",
    "REASON_SAVNET",
    "REASON_STRAFFESAK",
    "VERSION",
    "Approval",
    "District",
    "ExtraditionOrder",
    "check_issuable",
    "check_order",
    "check_request",
    "earliest_from_date",
    "order_mandate",
    "parse_claims",
    "years_before",
]
