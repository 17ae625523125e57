"""The rules of the JWT-bearer grant (RFC 7523) as Maskinporten applies them, without I/O.

Sources: DSOP SBL “Integrasjon mot Maskinporten” and DSOP “Security design” (Maskinporten, 120 s lifetimes, ``x5c``
header for enterprise certificates, ``resource`` for audience-restricted tokens, ``consumer_org`` for
supplier delegation).  Each check raises the RFC 6749 §5.2 error defined in ``authority.errors``:

=====================================================  ==================
rule                                                   error
=====================================================  ==================
form is ``application/x-www-form-urlencoded``, each    invalid_request
parameter at most once, ``grant_type`` and
``assertion`` present
``grant_type`` is the JWT-bearer URN                   unsupported_grant_type
header ``alg`` is RS256, RS384 or RS512                invalid_grant
``iss`` (the client id), ``jti``, ``iat``, ``exp``     invalid_grant
present and well typed
``aud`` is the issuer (a string, or a list with it)    invalid_grant
``iat`` within ± clock skew of now                     invalid_grant
``exp`` not passed (beyond the skew)                   invalid_grant
``exp − iat`` ≤ the maximum grant lifetime (120 s)     invalid_grant
``resource``: an absolute URI or a list of them        invalid_grant
``consumer_org``: a valid organisation number          invalid_grant
``scope``: present, RFC 6749 §3.3 tokens               invalid_scope
every scope granted to the client                      invalid_scope
with ``consumer_org``: every scope delegated by it     invalid_scope
to the caller's organisation
=====================================================  ==================

Access tokens carry ``aud`` only when the grant asked for a ``resource``; without one the token is
not audience-restricted and a DSOP bank (which must check ``aud``) will refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from stdnum.no import orgnr

from opendsop.authority.errors import InvalidGrant, InvalidRequest, InvalidScope, UnsupportedGrantType
from opendsop.trust.errors import InvalidToken
from opendsop.trust.jwt import check_time_claims

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GRANT_ALGORITHMS: tuple[str, ...] = ("RS256", "RS384", "RS512")
ACTOR_AUTHORITY = "iso6523-actorid-upis"
ORGNO_PREFIX = "0192:"  # ISO 6523 ICD of the Norwegian Enhetsregisteret

_SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]+$")  # RFC 6749 §3.3 scope-token
_MAX_FORM_FIELDS = 32
_MAX_RESOURCES = 10


@dataclass(frozen=True, slots=True)
class GrantRules:
    """The numbers of the grant rules, taken from the settings."""

    issuer: str
    max_lifetime: timedelta = timedelta(seconds=120)
    clock_skew: timedelta = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class AssertionHeader:
    alg: str
    kid: str | None
    x5c: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Grant:
    """A JWT grant whose claims passed every rule (the signature is checked elsewhere)."""

    client_id: str
    jti: str
    issued_at: int
    expires_at: int
    scopes: tuple[str, ...]
    resources: tuple[str, ...]
    consumer_org: str | None


def parse_token_form(body: bytes, content_type: str | None) -> str:
    """The ``assertion`` of a token request body (RFC 6749 §4.5, RFC 7523 §2.1)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        raise InvalidRequest("the token request must be sent as application/x-www-form-urlencoded")
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, strict_parsing=True, max_num_fields=_MAX_FORM_FIELDS
        )
    except (UnicodeDecodeError, ValueError):
        raise InvalidRequest("the token request body is not a valid form") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:  # RFC 6749 §3.2: parameters MUST NOT be included more than once
            raise InvalidRequest(f"parameter {name} is repeated")
        form[name] = value
    grant_type = form.get("grant_type")
    if not grant_type:
        raise InvalidRequest("parameter grant_type is missing")
    if grant_type != JWT_BEARER:
        raise UnsupportedGrantType(f"grant_type {grant_type!r} is not supported; use {JWT_BEARER}")
    assertion = form.get("assertion")
    if not assertion:
        raise InvalidRequest("parameter assertion is missing")
    return assertion


def check_header(header: Mapping[str, Any]) -> AssertionHeader:
    """The algorithm and key reference of the assertion header."""
    alg = header.get("alg")
    if alg not in GRANT_ALGORITHMS:
        raise InvalidGrant(f"assertion alg {alg!r} is not allowed; use one of {', '.join(GRANT_ALGORITHMS)}")
    kid = header.get("kid")
    if kid is not None and (not isinstance(kid, str) or not kid):
        raise InvalidGrant("assertion header kid must be a non-empty string")
    x5c = header.get("x5c")
    if x5c is not None:
        if not isinstance(x5c, list) or not x5c or not all(isinstance(c, str) and c for c in x5c):
            raise InvalidGrant("assertion header x5c must be a non-empty list of base64 certificates")
        return AssertionHeader(alg, kid, tuple(x5c))
    return AssertionHeader(alg, kid, None)


def client_id_of(claims: Mapping[str, Any]) -> str:
    """The claimed client (``iss``), read before the signature is checked so the key can be found."""
    iss = claims.get("iss")
    if not isinstance(iss, str) or not iss:
        raise InvalidGrant("assertion claim iss (the client_id) is missing")
    return iss


def check_claims(claims: Mapping[str, Any], *, rules: GrantRules, now: datetime) -> Grant:
    """Apply the claim rules of the table above to a signature-checked assertion."""
    client_id = client_id_of(claims)
    _check_audience(claims.get("aud"), rules.issuer)
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 255:
        raise InvalidGrant("assertion claim jti is missing (it must be a unique string of at most 255 characters)")
    issued_at, expires_at = _check_times(claims, rules=rules, now=now)
    return Grant(
        client_id=client_id,
        jti=jti,
        issued_at=issued_at,
        expires_at=expires_at,
        scopes=parse_scope(claims.get("scope")),
        resources=_parse_resources(claims.get("resource")),
        consumer_org=_parse_consumer_org(claims.get("consumer_org")),
    )


def check_scopes_granted(requested: Sequence[str], *, client_id: str, granted: Collection[str]) -> None:
    for scope in requested:
        if scope not in granted:
            raise InvalidScope(f"scope {scope} is not granted to client {client_id}")


def check_delegation(
    requested: Sequence[str], *, consumer_org: str, supplier_org: str, delegated: Collection[str]
) -> None:
    for scope in requested:
        if scope not in delegated:
            raise InvalidScope(
                f"organisation {consumer_org} has not delegated scope {scope} to organisation {supplier_org}"
            )


def parse_scope(value: object) -> tuple[str, ...]:
    """Space-separated scope tokens, duplicates removed, order kept."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidScope("assertion claim scope is missing")
    scopes: dict[str, None] = {}
    for token in value.split():
        if not _SCOPE_TOKEN.match(token):
            raise InvalidScope(f"scope {token!r} is not a valid scope token")
        scopes[token] = None
    return tuple(scopes)


def actor(organisation_number: str) -> dict[str, str]:
    """The ``consumer`` / ``supplier`` claim shape of Maskinporten tokens."""
    return {"authority": ACTOR_AUTHORITY, "ID": ORGNO_PREFIX + organisation_number}


def access_token_claims(
    grant: Grant,
    *,
    issuer: str,
    client_organisation: str,
    client_amr: str,
    now: datetime,
    lifetime: timedelta,
    jti: str,
    delegation_source: str,
) -> dict[str, Any]:
    """The claims of the access token issued for ``grant`` (DSOP SBL “Integrasjon mot Maskinporten”)."""
    issued_at = int(now.timestamp())
    claims: dict[str, Any] = {"iss": issuer}
    if grant.resources:
        claims["aud"] = grant.resources[0] if len(grant.resources) == 1 else list(grant.resources)
    claims["scope"] = " ".join(grant.scopes)
    if grant.consumer_org is not None and grant.consumer_org != client_organisation:
        claims["consumer"] = actor(grant.consumer_org)
        claims["supplier"] = actor(client_organisation)
        claims["delegation_source"] = delegation_source
    else:
        claims["consumer"] = actor(client_organisation)
    claims.update(
        client_id=grant.client_id,
        client_amr=client_amr,
        token_type="Bearer",  # noqa: S106 - the OAuth token type, not a secret
        iat=issued_at,
        exp=issued_at + int(lifetime.total_seconds()),
        jti=jti,
    )
    return claims


def _check_audience(aud: object, issuer: str) -> None:
    if aud == issuer or (isinstance(aud, list) and issuer in aud):
        return
    raise InvalidGrant(f"assertion aud must be the issuer {issuer}, not {aud!r}")


# Sentences for the reasons of trust.jwt.check_time_claims, worded for a grant.
_TIME_REASONS = {
    "expired": "assertion has expired",
    "iat_in_future": "assertion iat is in the future (ahead of the authority's clock by more than the allowed skew)",
    "not_yet_valid": "assertion is not valid yet (nbf is in the future)",
    "missing_exp": "assertion claim exp is missing",
    "missing_iat": "assertion claim iat is missing",
    "invalid_exp": "assertion claim exp is not a NumericDate",
    "invalid_iat": "assertion claim iat is not a NumericDate",
    "invalid_nbf": "assertion claim nbf is not a NumericDate",
}


def _check_times(claims: Mapping[str, Any], *, rules: GrantRules, now: datetime) -> tuple[int, int]:
    try:
        check_time_claims(claims, now=now, leeway=rules.clock_skew, max_lifetime=rules.max_lifetime)
    except InvalidToken as exc:
        if exc.reason == "lifetime_too_long":
            raise InvalidGrant(
                f"assertion lifetime exp - iat is {claims['exp'] - claims['iat']:g} s; at most "
                f"{rules.max_lifetime.total_seconds():g} s is allowed"
            ) from None
        raise InvalidGrant(_TIME_REASONS.get(exc.reason, f"assertion {exc.message}")) from None
    issued_at, expires_at = int(claims["iat"]), int(claims["exp"])
    # Maskinporten's extra rule: a grant is made for one request, so iat must also be recent.
    skew = rules.clock_skew.total_seconds()
    if issued_at < now.timestamp() - skew:
        raise InvalidGrant(f"assertion iat is more than {skew:g} s old; make a fresh assertion for each request")
    return issued_at, expires_at


def _parse_resources(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or len(items) > _MAX_RESOURCES:
        raise InvalidGrant(f"assertion resource must be a URI or a list of 1 to {_MAX_RESOURCES} URIs")
    resources: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str) or not _is_absolute_uri(item):
            raise InvalidGrant(f"assertion resource {item!r} is not an absolute URI without fragment")
        resources[item] = None
    return tuple(resources)


def _is_absolute_uri(value: str) -> bool:
    # RFC 8707 §2: an absolute URI that MUST NOT include a fragment.
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return bool(parts.scheme) and bool(parts.netloc) and not parts.fragment and "#" not in value


def _parse_consumer_org(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not orgnr.is_valid(value) or not value.isdigit():
        raise InvalidGrant(f"assertion consumer_org {value!r} is not a valid 9-digit organisation number")
    return value
