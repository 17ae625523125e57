"""The JWT-bearer grant rules without a server (authority.grants; Maskinporten via DSOP SBL “Integrasjon mot
Maskinporten”)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opendsop.authority.errors import (
    InvalidGrant,
    InvalidRequest,
    InvalidScope,
    OAuthError,
    UnsupportedGrantType,
)
from opendsop.authority.grants import (
    JWT_BEARER,
    Grant,
    GrantRules,
    access_token_claims,
    check_claims,
    check_delegation,
    check_header,
    check_scopes_granted,
    parse_token_form,
)
from tests.authority.authority_helpers import BANK, ISSUER, SKATT, START, SUPPLIER, grant_claims

FORM = "application/x-www-form-urlencoded"
RULES = GrantRules(issuer=ISSUER, max_lifetime=timedelta(seconds=120), clock_skew=timedelta(seconds=10))
NOW = int(START.timestamp())


def test_a_well_formed_form_yields_its_assertion() -> None:
    body = urlencode({"grant_type": JWT_BEARER, "assertion": "a.b.c"}).encode()
    assert parse_token_form(body, FORM + "; charset=UTF-8") == "a.b.c"


@pytest.mark.parametrize(
    ("body", "content_type", "error", "words"),
    [
        pytest.param(b"{}", "application/json", InvalidRequest, "x-www-form-urlencoded", id="json-body"),
        pytest.param(b"grant_type", FORM, InvalidRequest, "not a valid form", id="not-a-form"),
        pytest.param(b"\xff\xfe=1", FORM, InvalidRequest, "not a valid form", id="not-utf8"),
        pytest.param(b"", FORM, InvalidRequest, "grant_type is missing", id="empty"),
        pytest.param(b"assertion=a.b.c", FORM, InvalidRequest, "grant_type is missing", id="no-grant-type"),
        pytest.param(
            urlencode({"grant_type": JWT_BEARER}).encode(),
            FORM,
            InvalidRequest,
            "assertion is missing",
            id="no-assertion",
        ),
        pytest.param(
            urlencode({"grant_type": JWT_BEARER, "assertion": ""}).encode(),
            FORM,
            InvalidRequest,
            "assertion is missing",
            id="empty-assertion",
        ),
        pytest.param(
            urlencode([("grant_type", JWT_BEARER), ("assertion", "x"), ("assertion", "y")]).encode(),
            FORM,
            InvalidRequest,
            "assertion is repeated",
            id="repeated-parameter",
        ),
        pytest.param(
            urlencode({"grant_type": "client_credentials", "assertion": "x"}).encode(),
            FORM,
            UnsupportedGrantType,
            "client_credentials",
            id="other-grant-type",
        ),
    ],
)
def test_malformed_token_requests_are_invalid_request(
    body: bytes, content_type: str, error: type[OAuthError], words: str
) -> None:
    with pytest.raises(error) as caught:
        parse_token_form(body, content_type)
    assert words in str(caught.value)
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("header", "words"),
    [
        pytest.param({"alg": "none"}, "'none' is not allowed", id="alg-none"),
        pytest.param({"alg": "HS256", "kid": "k"}, "'HS256' is not allowed", id="alg-hs256"),
        pytest.param({"alg": "ES256", "kid": "k"}, "'ES256' is not allowed", id="alg-es256-not-maskinporten"),
        pytest.param({"alg": "RS256", "kid": ""}, "kid must be a non-empty string", id="empty-kid"),
        pytest.param({"alg": "RS256", "x5c": "MII..."}, "x5c must be a non-empty list", id="x5c-not-list"),
        pytest.param({"alg": "RS256", "x5c": []}, "x5c must be a non-empty list", id="x5c-empty"),
    ],
)
def test_header_rules(header: dict[str, Any], words: str) -> None:
    with pytest.raises(InvalidGrant) as caught:
        check_header(header)
    assert words in str(caught.value)


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_maskinporten_algorithms_are_accepted(alg: str) -> None:
    assert check_header({"alg": alg, "kid": "k"}).alg == alg


def test_a_valid_grant_is_read_with_its_scopes_resources_and_consumer() -> None:
    claims = grant_claims("client-1", START, scope="a:b  c:d a:b", resource=BANK, consumer_org=SKATT)
    grant = check_claims(claims, rules=RULES, now=START)
    assert grant.client_id == "client-1"
    assert grant.scopes == ("a:b", "c:d")  # duplicates dropped, order kept
    assert grant.resources == (BANK,)
    assert grant.consumer_org == SKATT


# One row per rule of the grant (Maskinporten: aud = issuer, iat within ±10 s, exp - iat <= 120 s,
# single-use jti, space-separated scope, optional resource and consumer_org).
CLAIM_RULES = [
    ("aud-missing", {"aud": None}, InvalidGrant, "aud must be the issuer"),
    ("aud-token-endpoint", {"aud": ISSUER + "token"}, InvalidGrant, "aud must be the issuer"),
    ("aud-other-list", {"aud": ["https://other.test/"]}, InvalidGrant, "aud must be the issuer"),
    ("iss-missing", {"iss": None}, InvalidGrant, "iss (the client_id) is missing"),
    ("jti-missing", {"jti": None}, InvalidGrant, "jti is missing"),
    ("jti-not-string", {"jti": 42}, InvalidGrant, "jti is missing"),
    ("iat-missing", {"iat": None}, InvalidGrant, "iat is missing"),
    ("exp-missing", {"exp": None}, InvalidGrant, "exp is missing"),
    ("iat-not-number", {"iat": "now"}, InvalidGrant, "iat is not a NumericDate"),
    ("exp-boolean", {"exp": True}, InvalidGrant, "exp is not a NumericDate"),
    ("expired", {"iat": NOW - 10, "exp": NOW - 11}, InvalidGrant, "assertion has expired"),
    ("iat-11s-ahead", {"iat": NOW + 11, "exp": NOW + 60}, InvalidGrant, "iat is in the future"),
    ("iat-11s-old", {"iat": NOW - 11, "exp": NOW + 60}, InvalidGrant, "more than 10 s old"),
    ("lifetime-121s", {"iat": NOW, "exp": NOW + 121}, InvalidGrant, "at most 120 s"),
    ("nbf-future", {"nbf": NOW + 30}, InvalidGrant, "not valid yet"),
    ("scope-missing", {"scope": None}, InvalidScope, "scope is missing"),
    ("scope-blank", {"scope": "  "}, InvalidScope, "scope is missing"),
    ("scope-list", {"scope": ["bits:kontoinformasjon"]}, InvalidScope, "scope is missing"),
    ("scope-bad-char", {"scope": 'bits:"x"'}, InvalidScope, "not a valid scope token"),
    ("resource-relative", {"resource": "/dsop"}, InvalidGrant, "not an absolute URI"),
    ("resource-fragment", {"resource": BANK + "#x"}, InvalidGrant, "not an absolute URI"),
    ("resource-empty-list", {"resource": []}, InvalidGrant, "list of 1 to 10 URIs"),
    ("resource-number", {"resource": [7]}, InvalidGrant, "not an absolute URI"),
    ("consumer-org-checksum", {"consumer_org": "974761077"}, InvalidGrant, "not a valid 9-digit"),
    ("consumer-org-with-prefix", {"consumer_org": "0192:" + SKATT}, InvalidGrant, "not a valid 9-digit"),
]


@pytest.mark.parametrize(("overrides", "error", "words"), [pytest.param(*row[1:], id=row[0]) for row in CLAIM_RULES])
def test_claim_rules(overrides: dict[str, Any], error: type[OAuthError], words: str) -> None:
    with pytest.raises(error) as caught:
        check_claims(grant_claims("client-1", START, **overrides), rules=RULES, now=START)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"iat": NOW + 10, "exp": NOW + 70}, id="iat-10s-ahead"),
        pytest.param({"iat": NOW - 10, "exp": NOW + 60}, id="iat-10s-old"),
        pytest.param({"iat": NOW, "exp": NOW + 120}, id="lifetime-exactly-120s"),
        pytest.param({"aud": ["https://x.test/", ISSUER]}, id="aud-list-with-issuer"),
        pytest.param({"resource": None}, id="no-resource"),
        pytest.param({"resource": [BANK, "https://other.bank.test/"]}, id="two-resources"),
    ],
)
def test_claims_at_the_edges_of_the_rules_are_accepted(overrides: dict[str, Any]) -> None:
    check_claims(grant_claims("client-1", START, **overrides), rules=RULES, now=START)


def test_scope_not_granted_names_scope_and_client() -> None:
    with pytest.raises(InvalidScope, match="scope bits:kontoinformasjon is not granted to client X"):
        check_scopes_granted(
            ["bits:kundeforhold", "bits:kontoinformasjon"], client_id="X", granted={"bits:kundeforhold"}
        )


def test_missing_delegation_names_both_organisations() -> None:
    with pytest.raises(InvalidScope, match=f"{SKATT} has not delegated scope b to organisation {SUPPLIER}"):
        check_delegation(["a", "b"], consumer_org=SKATT, supplier_org=SUPPLIER, delegated={"a"})


def _grant(**kw: Any) -> Grant:
    base: dict[str, Any] = dict(
        client_id="c", jti="j", issued_at=NOW, expires_at=NOW + 60, scopes=("s",), resources=(BANK,), consumer_org=None
    )
    return Grant(**{**base, **kw})


def test_access_token_claims_for_own_organisation() -> None:
    claims = access_token_claims(
        _grant(),
        issuer=ISSUER,
        client_organisation=SKATT,
        client_amr="virksomhetssertifikat",
        now=START,
        lifetime=timedelta(seconds=120),
        jti="t1",
        delegation_source=ISSUER,
    )
    assert claims["aud"] == BANK
    assert claims["consumer"] == {"authority": "iso6523-actorid-upis", "ID": f"0192:{SKATT}"}
    assert "supplier" not in claims
    assert claims["exp"] - claims["iat"] == 120
    assert claims["token_type"] == "Bearer"
    assert claims["client_amr"] == "virksomhetssertifikat"


def test_access_token_claims_for_a_delegation() -> None:
    claims = access_token_claims(
        _grant(consumer_org=SKATT, resources=()),
        issuer=ISSUER,
        client_organisation=SUPPLIER,
        client_amr="private_key_jwt",
        now=START,
        lifetime=timedelta(seconds=120),
        jti="t1",
        delegation_source=ISSUER,
    )
    assert claims["consumer"]["ID"] == f"0192:{SKATT}"
    assert claims["supplier"]["ID"] == f"0192:{SUPPLIER}"
    assert claims["delegation_source"] == ISSUER
    assert "aud" not in claims  # no resource asked: the token is not audience-restricted


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
CLAIM_NAMES = st.sampled_from(["aud", "iss", "iat", "exp", "nbf", "jti", "scope", "resource", "consumer_org"])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([FORM, "text/plain", None]))
def test_any_body_yields_an_assertion_or_an_oauth_error(body: bytes, content_type: str | None) -> None:
    try:
        assert isinstance(parse_token_form(body, content_type), str)
    except OAuthError as exc:
        assert exc.status == 400 and str(exc)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(CLAIM_NAMES, JSON_VALUES), st.dictionaries(st.sampled_from(["alg", "kid", "x5c"]), JSON_VALUES))
def test_any_claims_yield_a_grant_or_an_oauth_error(claims: dict[str, Any], header: dict[str, Any]) -> None:
    for check in (lambda: check_claims(claims, rules=RULES, now=START), lambda: check_header(header)):
        try:
            check()
        except OAuthError as exc:
            assert str(exc)
