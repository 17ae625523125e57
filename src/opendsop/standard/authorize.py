"""``authorize(request, facts, today) -> Decision``: every inbound rule of both DSOP APIs, in one pure
function (DSOP “Recommendations regarding validation”; the DSOP services' “Løsningsbeskrivelse” pages; DSOP Politi
“Utleveringspålegg”).

The order follows the standard's validation list: legal basis for *this* consumer (which also
tells us the service), endpoint allow-list, formats, RequesterID, AdditionalReferenceIDType/ID,
period, then the service-specific facts (death, bankruptcy, guardianship, extradition order).
The first failure wins and becomes a ``Denied`` value with the catalogue code:

=====================  =====================  ======================================
failure                Control API (step 2)   Customer Relations Overview (step 1)
=====================  =====================  ======================================
malformed / missing    400 ACC-001            403 ERR-001
PartyID / CustomerID   400 ACC-001            400 ERR-002
period / date          400 ACC-001            400 ERR-003
AccountID              —                      400 ERR-004
not authorised         403 ACC-011            403 ERR-001
endpoint not allowed   400 ACC-001 (profile)  403 ERR-001
=====================  =====================  ======================================

Step 1 is answered by the relations hub, which holds no register facts: fact-dependent windows
(death, ruling date) fall back to the generic 10 years there, and guardianships and extradition
orders are checked by the banks in step 2.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from enum import Enum

from opendsop.standard import extradition
from opendsop.standard import mandate as mandates
from opendsop.standard.decision import Allowed, Decision, Denied
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.errors import DsopError, InvalidExtraditionOrder, status_for
from opendsop.standard.identifiers import IdentifierKind, PartyIdentifier, validate_party_id
from opendsop.standard.period import (
    MAX_LOOKBACK_YEARS,
    Period,
    last_calendar_year,
    months_before,
    parse_date,
    years_before,
)
from opendsop.standard.request import REPRESENTASJON_DAGLIGBANK, ControlRequest, Environment, Facts
from opendsop.standard.services import (
    PROFILES,
    OwnerRule,
    PartyKind,
    PeriodRule,
    ReferenceKind,
    ServiceProfile,
)
from opendsop.standard.today import as_today
from opendsop.standard.values import parse_boolean, parse_uuid
from opendsop.standard.versions import RULE_SETS, Presence, RuleSet, rules_for

_ACCOUNT_ID = re.compile(r"[0-9]{11,34}")
_REFERENCE_TYPES = {kind.value: kind for kind in ReferenceKind}
MAX_TEXT_HEADER = 1024


class _Kind(Enum):
    REQUEST = ("ACC-001", "ERR-001")
    PARTY = ("ACC-001", "ERR-002")
    PERIOD = ("ACC-001", "ERR-003")
    ACCOUNT = ("ACC-001", "ERR-004")
    FORBIDDEN = ("ACC-011", "ERR-001")


class _Refusal(Exception):
    def __init__(self, kind: _Kind, message: str, parameter: str | None, code: str | None = None) -> None:
        super().__init__(message)
        self.kind, self.message, self.parameter, self.code = kind, message, parameter, code


def authorize(
    request: ControlRequest,
    facts: Facts,
    today: date,
    *,
    environment: Environment = Environment.PRODUCTION,
    now: datetime | None = None,
    utc_date: date | None = None,
    configured_mandates: Mapping[str, Sequence[str]] | None = None,
) -> Decision:
    """Decide one request by the rules of its API version (``request.api_version``).  ``now`` (when given)
    also re-runs the extradition order's content checks.

    ``configured_mandates`` (service key → texts, pure data the party read from its settings): production
    Legal-Mandate texts for a service whose profile publishes only a test text (FI-Utlegg); see
    :func:`configured_mandate_table` and docs/decisions.md, "FI-Utlegg production Legal-Mandate".

    ``today`` is the Oslo day; ``utc_date`` (when given) is the UTC day, accepted by the "must be today"
    rules while it is still Oslo's yesterday (:mod:`opendsop.standard.today`).
    """
    service: ServiceProfile | None = None
    rules = rules_for(request.api_version)
    try:
        legal_basis, configured_for = _mandate(request, environment, configured_mandates or {})
        service = _service(request, legal_basis, rules)
        if configured_for is not None and service.key != configured_for:
            raise _Refusal(
                _Kind.FORBIDDEN,
                f"Legal-Mandate {legal_basis.text!r} is configured for {PROFILES[configured_for].name}, "
                f"not for {service.name}",
                "Legal-Mandate",
            )
        return _decide(request, facts, today, environment, now, service, legal_basis, rules, utc_date)
    except _Refusal as refusal:
        code = refusal.code or refusal.kind.value[0 if request.endpoint.step == 2 else 1]
        message = refusal.message
        if refusal.parameter and refusal.parameter not in message:
            message = f"{refusal.parameter}: {message}"  # every denial names where to look
        return Denied(
            status=status_for(code),
            code=code,
            message=message,
            parameter=refusal.parameter,
            service=service.key if service else None,
        )


def _decide(
    request: ControlRequest,
    facts: Facts,
    today: date,
    environment: Environment,
    now: datetime | None,
    service: ServiceProfile,
    legal_basis: mandates.Mandate,
    rules: RuleSet,
    utc_date: date | None = None,
) -> Allowed:
    step1 = request.endpoint.step == 1
    account_info_request_id = _uuid(request.account_info_request_id, "AccountInfoRequestID")
    correlation_id = _uuid(request.correlation_id, "CorrelationID")
    if rules.presence("AccountID", request.endpoint) is Presence.NOT_IN_USE and request.account_id is not None:
        raise _Refusal(
            _Kind.REQUEST,
            f"AccountID is not in use in Control API {rules.version.value} (lookup by "
            "account number); identify the party with PartyID",
            "AccountID",
        )
    party = _party(request, service, today, environment)
    if request.endpoint is Endpoint.ACCOUNT_SERVICING_PROVIDER:
        _account_id(request.account_id)
    owner = _only_primary_owner(request, service, rules)
    requester = _requester(request, service, rules) if not step1 else None
    guardian = _additional_reference(request, service, today, environment, rules) if not step1 else None
    period = _utc_grace(service, _period(request, today), today, utc_date)
    party_id = party.value if party else facts.party_id
    period = _window(service, period, facts, today, step1=step1, party_id=party_id, guardian=guardian)
    if service.reference is ReferenceKind.EXTRADITION_ORDER and not step1:
        _check_order(request, facts, legal_basis, period, owner, party_id, now)
    empty = request.endpoint is Endpoint.ACCOUNTS and facts.shielded
    return Allowed(
        service=service.key,
        endpoint=request.endpoint,
        mandate=legal_basis,
        period=period,
        account_info_request_id=account_info_request_id,
        correlation_id=correlation_id,
        party=party,
        only_primary_owner=owner,
        requester_id=requester,
        return_empty=empty,
        note="shielded person (fortrolig/strengt fortrolig adresse): empty list, status complete" if empty else "",
    )


def configured_mandate_table(configured: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """``configured`` checked and in comparable form: only a service whose profile publishes nothing but
    test texts may be given production texts (an operator cannot widen Skatt's basis), and no text may
    be one the standard already publishes.  Raises ``ValueError`` naming the offending entry."""
    table: dict[str, tuple[str, ...]] = {}
    for key, texts in configured.items():
        profile = PROFILES.get(key)
        if profile is None:
            raise ValueError(f"unknown DSOP service {key!r}; known: {', '.join(PROFILES)}")
        if not all(mandates.by_key(name).test_only for name in profile.mandates):
            raise ValueError(
                f"{profile.name} has published Legal-Mandate texts; only test-only services are configured"
            )
        normal = tuple(mandates.comparable(text, encoded=False) for text in texts)
        for text in normal:
            if not text:
                raise ValueError(f"an empty Legal-Mandate text is configured for {key!r}")
            if mandates.match_text(text) is not None:
                raise ValueError(f"Legal-Mandate {text!r} configured for {key!r} is already a published text")
        table[key] = normal
    return table


def configured_mandate(
    header: str | None, configured: Mapping[str, Sequence[str]]
) -> tuple[mandates.Mandate, str] | None:
    """The mandate a configured production text stands for, and the service it was configured for."""
    if header is None or not configured:
        return None
    try:
        text = mandates.comparable(header)
    except DsopError:
        return None
    for key, texts in configured.items():
        if text in (mandates.comparable(each, encoded=False) for each in texts):
            # The service's own (test) mandate key, so resolution by consumer and step is unchanged.
            stand_in = mandates.by_key(PROFILES[key].step2_mandates[0])
            return replace(stand_in, text=text, aliases=(), test_only=False), key
    return None


def _mandate(
    request: ControlRequest, environment: Environment, configured: Mapping[str, Sequence[str]]
) -> tuple[mandates.Mandate, str | None]:
    hit = configured_mandate(request.legal_mandate, configured)
    if hit is not None:
        return hit
    try:
        legal_basis = mandates.parse(request.legal_mandate)
    except DsopError as error:
        kind = _Kind.FORBIDDEN if request.endpoint.step == 1 else _Kind.REQUEST
        raise _Refusal(kind, error.message, "Legal-Mandate") from None
    if legal_basis.test_only and environment is Environment.PRODUCTION:
        raise _Refusal(
            _Kind.REQUEST,
            f"Legal-Mandate {legal_basis.text!r} is a test mandate and is refused in production",
            "Legal-Mandate",
        )
    return legal_basis, None


def _service(request: ControlRequest, legal_basis: mandates.Mandate, rules: RuleSet) -> ServiceProfile:
    service = rules.resolve(request.consumer_org, legal_basis.key)
    if service is None and not rules.knows(legal_basis.key):
        other = next((other for other in RULE_SETS.values() if other.knows(legal_basis.key)), None)
        if other is not None:  # a text of the other API version: not a value of this one
            advice = (
                "it was replaced in v2: send the service's v2 text"
                if other.version.value == "v1"
                else f"send it to /{other.version.value}"
            )
            raise _Refusal(
                _Kind.REQUEST,
                f"Legal-Mandate {legal_basis.text!r} is a legal basis of Control API "
                f"{other.version.value}, not of {rules.version.value}; {advice}",
                "Legal-Mandate",
            )
    if service is None:
        raise _Refusal(
            _Kind.FORBIDDEN,
            f"Legal-Mandate {legal_basis.text!r} is not a legal basis for consumer {request.consumer_org}",
            "Legal-Mandate",
        )
    _step_of_mandate(request, service, legal_basis)
    if not service.allows(request.endpoint):
        endpoint = request.endpoint.operation_id
        if request.endpoint.step == 1:
            raise _Refusal(_Kind.FORBIDDEN, f"{service.name} may not call {endpoint}", None)
        code = service.forbidden_endpoint_code
        raise _Refusal(_Kind.REQUEST, f"{service.name} may not call {endpoint}", None, code=code)
    return service


def _step_of_mandate(request: ControlRequest, service: ServiceProfile, legal_basis: mandates.Mandate) -> None:
    """A text that is the legal basis of the other step only is not authorised here (403 ACC-011 at the
    Control API, 403 ERR-001 at the hub): docs/decisions.md, "Step-1 Legal-Mandate at step 2"."""
    step = request.endpoint.step
    if legal_basis.key in service.mandates_at(step):
        return
    expected = " or ".join(repr(mandates.by_key(key).text) for key in service.mandates_at(step))
    what = "customer relations (step 1)" if step == 2 else "account data (step 2)"
    here = "account data from the Control API" if step == 2 else "customer relations from the relations hub"
    raise _Refusal(
        _Kind.FORBIDDEN,
        f"Legal-Mandate {legal_basis.text!r} is the legal basis of {service.name} "
        f"for {what} only, not for {here}; use {expected}",
        "Legal-Mandate",
    )


def _uuid(value: str | None, parameter: str) -> str:
    _present_but_blank(value, parameter)
    if value is None:
        raise _Refusal(_Kind.REQUEST, f"{parameter} header is required", parameter)
    text = value.strip()
    try:
        return str(parse_uuid(text, parameter=parameter))  # canonical: lower case
    except DsopError:
        raise _Refusal(_Kind.REQUEST, f"{parameter} must be a UUID, got {text[:40]!r}", parameter) from None


def _party(
    request: ControlRequest, service: ServiceProfile, today: date, environment: Environment
) -> PartyIdentifier | None:
    if request.endpoint not in (Endpoint.ACCOUNTS, Endpoint.CUSTOMER_RELATIONSHIPS):
        return None
    parameter = "PartyID" if request.endpoint is Endpoint.ACCOUNTS else "CustomerID"
    if request.party_id is None:
        raise _Refusal(_Kind.PARTY, f"{parameter} header is required", parameter)
    if not request.party_id.strip():
        raise _Refusal(_Kind.PARTY, f"{parameter} header is present but empty", parameter)
    try:
        party = validate_party_id(
            request.party_id.strip(), synthetic_allowed=environment is Environment.TEST, today=today
        )
    except DsopError as error:
        raise _Refusal(_Kind.PARTY, f"{parameter} is not valid: {error.message}", parameter) from None
    if party.kind is IdentifierKind.HNUMMER:
        raise _Refusal(
            _Kind.PARTY,
            f"{parameter} must be a fødselsnummer, D-number or organisasjonsnummer; "
            "an H-number is not a party identifier",
            parameter,
        )
    if service.party_kind is PartyKind.PERSON and not party.is_person:
        raise _Refusal(
            _Kind.PARTY, f"{parameter} must be a person's fødselsnummer or D-number for {service.name}", parameter
        )
    return party


def _account_id(value: str | None) -> None:
    # The hub does not MOD11-check AccountID (DSOP “Endpoint accountServicingProvider V.2.0”), only its form.
    if value is None or not value.strip():
        raise _Refusal(_Kind.ACCOUNT, "AccountID header is required", "AccountID")
    if not _ACCOUNT_ID.fullmatch(value.strip()):
        raise _Refusal(_Kind.ACCOUNT, "AccountID must be an account number of at least 11 digits", "AccountID")


def _only_primary_owner(request: ControlRequest, service: ServiceProfile, rules: RuleSet) -> bool | None:
    if request.endpoint not in (Endpoint.ACCOUNTS, Endpoint.CUSTOMER_RELATIONSHIPS):
        return None
    if rules.presence("OnlyPrimaryOwner", request.endpoint) is Presence.NOT_IN_VERSION:
        # v1 listed every account the party had a role on; a TRUE-only service still sees owned ones only.
        return service.owner_rule is OwnerRule.TRUE_ONLY
    parameter = "OnlyPrimaryOwner" if request.endpoint is Endpoint.ACCOUNTS else "onlyPrimaryOwner"
    raw = request.only_primary_owner
    if raw is not None and not raw.strip():
        raise _Refusal(_Kind.REQUEST, f"{parameter} is present but empty: it must be true or false", parameter)
    if raw is None:
        if request.endpoint is Endpoint.ACCOUNTS:
            raise _Refusal(_Kind.REQUEST, "OnlyPrimaryOwner query parameter is required (true or false)", parameter)
        return None  # optional in step 1 ("temporary; defaults to false")
    try:
        value = parse_boolean(raw, parameter=parameter)  # true/false in any case, nothing around it
    except DsopError:
        raise _Refusal(_Kind.REQUEST, f"{parameter} must be true or false, got {raw[:20]!r}", parameter) from None
    if service.owner_rule is OwnerRule.TRUE_ONLY and not value:
        kind = _Kind.REQUEST if request.endpoint.step == 2 else _Kind.FORBIDDEN
        raise _Refusal(kind, f"{parameter} must be true for {service.name}", parameter)
    return value


def _present_but_blank(value: str | None, parameter: str) -> None:
    """A header sent with an empty or blank value is malformed, never taken for an absent one."""
    if value is not None and not value.strip():
        raise _Refusal(_Kind.REQUEST, f"{parameter} header is present but empty", parameter)


def _requester(request: ControlRequest, service: ServiceProfile, rules: RuleSet) -> str | None:
    if rules.presence("RequesterID", request.endpoint) is Presence.NOT_IN_VERSION:
        return None
    _present_but_blank(request.requester_id, "RequesterID")
    value = (request.requester_id or "").strip()
    if len(value) > MAX_TEXT_HEADER:
        raise _Refusal(_Kind.REQUEST, "RequesterID is too long", "RequesterID")
    if service.requester_id_required and not value:
        raise _Refusal(
            _Kind.REQUEST,
            f"RequesterID header is required for {service.name}: it must identify the case handler",
            "RequesterID",
        )
    return value or None


def _additional_reference(
    request: ControlRequest, service: ServiceProfile, today: date, environment: Environment, rules: RuleSet
) -> str | None:
    """Returns the guardian's number for Verge; the order itself arrives verified in ``Facts``."""
    _present_but_blank(request.additional_reference_id_type, "AdditionalReferenceIDType")
    _present_but_blank(request.additional_reference_id, "AdditionalReferenceID")
    raw_type = (request.additional_reference_id_type or "").strip()
    raw_id = (request.additional_reference_id or "").strip()
    allowed = rules.values("AdditionalReferenceIDType", request.endpoint)
    declared = _REFERENCE_TYPES.get(raw_type) if raw_type in allowed else None
    if raw_type and declared is None:
        superseded = (
            " (pol, the Control API v1 type, is superseded by pol1: a signed extradition order)"
            if raw_type == ReferenceKind.POLICE_REQUESTER.value
            else ""
        )
        raise _Refusal(
            _Kind.REQUEST,
            f"AdditionalReferenceIDType must be {' or '.join(allowed)} in Control API "
            f"{rules.version.value}, got {raw_type[:20]!r}{superseded}",
            "AdditionalReferenceIDType",
        )
    if service.reference is None:
        if declared is not None:
            raise _Refusal(
                _Kind.REQUEST,
                f"AdditionalReferenceIDType {raw_type} does not belong to the mandate of {service.name}",
                "AdditionalReferenceIDType",
            )
        return None
    if declared is not service.reference:
        expected = service.reference.value
        message = (
            f"AdditionalReferenceIDType must be {expected} for {service.name}"
            if declared
            else f"AdditionalReferenceIDType {expected} is required for {service.name}"
        )
        raise _Refusal(_Kind.REQUEST, message, "AdditionalReferenceIDType")
    if not raw_id:
        raise _Refusal(_Kind.REQUEST, f"AdditionalReferenceID is required for {service.name}", "AdditionalReferenceID")
    if service.reference is ReferenceKind.EXTRADITION_ORDER:
        return None
    if service.reference is ReferenceKind.POLICE_REQUESTER:
        _police_requester(raw_id)
        return None
    try:
        guardian = validate_party_id(raw_id, synthetic_allowed=environment is Environment.TEST, today=today)
    except DsopError as error:
        raise _Refusal(
            _Kind.REQUEST,
            f"AdditionalReferenceID must be the guardian's fødselsnummer or D-number: {error.message}",
            "AdditionalReferenceID",
        ) from None
    if guardian.kind not in (IdentifierKind.FODSELSNUMMER, IdentifierKind.DNUMMER):
        raise _Refusal(
            _Kind.REQUEST,
            "AdditionalReferenceID must be the guardian's fødselsnummer or D-number",
            "AdditionalReferenceID",
        )
    return guardian.value


def _police_requester(raw_id: str) -> None:
    """v1 ``pol``: "police district;firstname lastname", formatted text encoded ("Specification of
    eOppslag" v1, "AdditionalReferenceIDType and AdditionalReferenceID")."""
    try:
        text = mandates.comparable(raw_id)
    except DsopError:
        text = ""
    district, separator, name = text.partition(";")
    if not separator or not district.strip() or len(name.split()) < 2 or ";" in name:
        raise _Refusal(
            _Kind.REQUEST,
            "AdditionalReferenceID must be '<police district>;<firstname lastname>' "
            "(percent-encoded) for AdditionalReferenceIDType pol",
            "AdditionalReferenceID",
        )


def _period(request: ControlRequest, today: date) -> Period:
    dates: dict[str, date] = {}
    for parameter, raw in (("fromDate", request.from_date), ("toDate", request.to_date)):
        if raw is not None and not raw.strip():
            raise _Refusal(
                _Kind.PERIOD,
                f"{parameter} is present but empty: it must be a date (YYYY-MM-DD) or left out (today)",
                parameter,
            )
        if raw is None:
            dates[parameter] = today  # Bank_v2.yaml: absent means today
            continue
        try:
            dates[parameter] = parse_date(raw, parameter=parameter)
        except DsopError as error:
            raise _Refusal(_Kind.PERIOD, error.message, parameter) from None
    for parameter in ("fromDate", "toDate"):
        if dates[parameter] > today:
            raise _Refusal(_Kind.PERIOD, f"{parameter} {dates[parameter]} is in the future", parameter)
    if dates["toDate"] < dates["fromDate"]:
        raise _Refusal(_Kind.PERIOD, f"toDate {dates['toDate']} is before fromDate {dates['fromDate']}", "toDate")
    return Period(dates["fromDate"], dates["toDate"])


def _earliest(period: Period, earliest: date, why: str) -> None:
    if period.from_date < earliest:
        raise _Refusal(
            _Kind.PERIOD, f"fromDate {period.from_date} is earlier than {why} allows (earliest {earliest})", "fromDate"
        )


def _to_today(period: Period, today: date, service: ServiceProfile) -> None:
    if period.to_date != today:
        raise _Refusal(_Kind.PERIOD, f"toDate must be today ({today}) for {service.name}", "toDate")


def _window(
    service: ServiceProfile,
    period: Period,
    facts: Facts,
    today: date,
    *,
    step1: bool,
    party_id: str | None,
    guardian: str | None,
) -> Period:
    rule = service.period_rule
    _earliest(period, years_before(today, MAX_LOOKBACK_YEARS), f"the {MAX_LOOKBACK_YEARS}-year limit")
    if rule is PeriodRule.TEN_YEARS:
        return period
    if step1 and rule in (PeriodRule.BEFORE_KJENNELSESDATO, PeriodRule.AROUND_DEATH):
        _to_today(period, today, service)  # the hub has no register facts, but "toDate = today" needs none
        return period
    if rule is PeriodRule.TODAY_ONLY:
        if period.from_date != today or period.to_date != today:
            raise _Refusal(
                _Kind.PERIOD,
                f"fromDate and toDate must both be today ({today}) for {service.name}",
                "fromDate" if period.from_date != today else "toDate",
            )
        return period
    if rule is PeriodRule.LAST_CALENDAR_YEAR:
        return _guardianship_window(service, period, facts, today, step1=step1, party_id=party_id, guardian=guardian)
    if rule is PeriodRule.BEFORE_KJENNELSESDATO:
        if facts.kjennelsesdato is None:
            raise _Refusal(
                _Kind.FORBIDDEN, "No bankruptcy (konkursåpning) with a kjennelsesdato is registered for the party", None
            )
        months = _lookback_months(service)
        _earliest(period, months_before(facts.kjennelsesdato, months), f"{months} months before the kjennelsesdato")
        _to_today(period, today, service)
        return period
    if facts.date_of_death is None:  # PeriodRule.AROUND_DEATH
        raise _Refusal(_Kind.FORBIDDEN, "The party is not registered as dead in Folkeregisteret", None)
    months = _lookback_months(service)
    _earliest(period, months_before(facts.date_of_death, months), f"{months} months before the date of death")
    _to_today(period, today, service)
    return period


def _lookback_months(service: ServiceProfile) -> int:
    if service.lookback_months is None:  # a profile error, not the request's: fail loudly in tests
        raise ValueError(f"{service.name} hangs its period on a register fact but names no lookback_months")
    return service.lookback_months


def _guardianship_window(
    service: ServiceProfile,
    period: Period,
    facts: Facts,
    today: date,
    *,
    step1: bool,
    party_id: str | None,
    guardian: str | None,
) -> Period:
    year = last_calendar_year(today)
    if not year.contains(period):
        parameter = "fromDate" if period.from_date < year.from_date else "toDate"
        raise _Refusal(
            _Kind.PERIOD,
            f"The period must lie inside the last calendar year "
            f"({year.from_date} to {year.to_date}) for {service.name}",
            parameter,
        )
    if step1:
        return period
    matching = [
        g
        for g in facts.guardianships
        if g.ward == party_id
        and g.guardian == guardian
        and REPRESENTASJON_DAGLIGBANK in g.tasks
        and g.covers(period.from_date, period.to_date)
    ]
    if not matching:
        raise _Refusal(
            _Kind.FORBIDDEN,
            "Folkeregisteret shows no guardianship for this ward with this guardian "
            f"holding {REPRESENTASJON_DAGLIGBANK} in the period",
            "AdditionalReferenceID",
        )
    start = max(period.from_date, min(g.valid_from for g in matching))
    ends = [g.valid_to for g in matching]
    end = period.to_date if None in ends else min(period.to_date, max(e for e in ends if e is not None))
    return Period(start, end)


def _utc_grace(service: ServiceProfile, period: Period, today: date, utc_date: date | None) -> Period:
    """A "must be today" date given as the UTC day just after Oslo midnight is read as today."""
    rule = service.period_rule
    if utc_date is None or rule not in (
        PeriodRule.BEFORE_KJENNELSESDATO,
        PeriodRule.AROUND_DEATH,
        PeriodRule.TODAY_ONLY,
    ):
        return period
    start = as_today(period.from_date, today, utc_date) if rule is PeriodRule.TODAY_ONLY else period.from_date
    return Period(start, as_today(period.to_date, today, utc_date))


def _check_order(
    request: ControlRequest,
    facts: Facts,
    legal_basis: mandates.Mandate,
    period: Period,
    owner: bool | None,
    party_id: str | None,
    now: datetime | None,
) -> None:
    order = facts.extradition_order
    if order is None:
        raise _Refusal(
            _Kind.FORBIDDEN, "No verified extradition order accompanies the request", "AdditionalReferenceID"
        )
    if party_id is None:
        raise _Refusal(
            _Kind.FORBIDDEN,
            "The party of the request is unknown, so it cannot be matched with the extradition order",
            "PartyID",
        )
    try:
        if now is not None:
            extradition.check_order(order, now=now)
        extradition.check_request(
            order,
            endpoint=request.endpoint,
            party_id=party_id,
            mandate_key=legal_basis.key,
            from_date=period.from_date,
            to_date=period.to_date,
            only_primary_owner=owner,
        )
    except InvalidExtraditionOrder as error:
        raise _Refusal(_Kind.FORBIDDEN, error.message, error.parameter) from None


__all__ = ["authorize", "configured_mandate", "configured_mandate_table"]
