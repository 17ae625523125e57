"""A bank verifies an utleveringspålegg: six signature steps in order, then the content checks.

Rules: DSOP Politi “Løsningsbeskrivelse” ("Signature verification" 1–6, "Content checks") and
DSOP Politi “Utleveringspålegg”.  Every refusal is 403 ACC-011 for AdditionalReferenceID, except a value
that is not a JWS at all (400 ACC-001).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization

from opendsop.contracts.extradition_order import JwksCache, JwksUnavailable, fetch_jwks, verify_extradition_order
from opendsop.prosecution.keystore import SigningKey, default_kid
from opendsop.prosecution.orders import (
    COMMON_NAME_PRODUCTION,
    COMMON_NAME_TEST,
    issue_extradition_order,
    jwks_document,
    new_order,
    order_claims,
)
from opendsop.standard.errors import InvalidExtraditionOrder, InvalidRequest
from opendsop.standard.extradition import ExtraditionOrder
from opendsop.trust.jwt import sign_jwt
from opendsop.trust.pki import CertificateAuthority, Credential, TrustStore

from .conftest import APPROVED, FIELDS, ISSUED, NOW, ORDER_ID, politi_credential

PARAMETER = "AdditionalReferenceID"


def make_order(**changes: Any) -> ExtraditionOrder:
    return new_order({**FIELDS, **changes}, now=APPROVED, new_id=lambda: ORDER_ID)


def signed(key: SigningKey, order: ExtraditionOrder | None = None) -> str:
    return issue_extradition_order(order or make_order(), key.credential, kid=key.kid)


def jwks(*keys: SigningKey) -> dict[str, Any]:
    return jwks_document([(key.kid, key.credential) for key in keys])


def key_of(credential: Credential) -> SigningKey:
    return SigningKey(kid=default_kid(credential), credential=credential)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def with_payload(jws: str, change: Callable[[dict[str, Any]], None]) -> str:
    header, payload, signature = jws.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(claims)
    return f"{header}.{b64(json.dumps(claims).encode())}.{signature}"


def refused(step: int | str, call: Callable[[], object]) -> InvalidExtraditionOrder:
    with pytest.raises(InvalidExtraditionOrder) as caught:
        call()
    error = caught.value
    assert (error.code, error.status, error.parameter) == ("ACC-011", 403, PARAMETER)
    if isinstance(step, int):
        assert f"step {step}" in error.message, error.message
    else:
        assert step in error.message, error.message
    return error


def test_an_order_issued_by_the_service_verifies(test_key: SigningKey, trust_store: TrustStore) -> None:
    order = make_order()
    found = verify_extradition_order(signed(test_key, order), trust_store, now=NOW, jwks=jwks(test_key))
    assert found == order
    assert found.extradition_order_id == str(ORDER_ID)


def test_the_right_key_is_picked_among_several(
    test_key: SigningKey, issuing_ca: CertificateAuthority, trust_store: TrustStore
) -> None:
    other = key_of(politi_credential(issuing_ca, common_name=COMMON_NAME_TEST))
    document = jwks(other, test_key)
    assert verify_extradition_order(signed(test_key), trust_store, now=NOW, jwks=document) == make_order()


def test_a_jwks_whose_x5c_includes_the_root_is_accepted(
    test_key: SigningKey, root_ca: CertificateAuthority, trust_store: TrustStore
) -> None:
    document = jwks(test_key)
    root_der = root_ca.certificate.public_bytes(serialization.Encoding.DER)
    document["keys"][0]["x5c"].append(base64.b64encode(root_der).decode())
    assert verify_extradition_order(signed(test_key), trust_store, now=NOW, jwks=document) == make_order()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda c: c.update(partyID="02027012345"), id="other-party"),
        pytest.param(lambda c: c.update(cards=True), id="endpoint-flag-widened"),
        pytest.param(lambda c: c.update(toDate="2026-12-31"), id="period-widened"),
        pytest.param(lambda c: c.update(exp=c["exp"] + 1), id="exp-moved"),
    ],
)
def test_a_tampered_payload_fails_the_signature_step(
    test_key: SigningKey, trust_store: TrustStore, change: Callable[[dict[str, Any]], None]
) -> None:
    tampered = with_payload(signed(test_key), change)
    refused(6, lambda: verify_extradition_order(tampered, trust_store, now=NOW, jwks=jwks(test_key)))


@pytest.mark.parametrize(
    ("common_name", "unit"),
    [
        pytest.param("Godkjenning av utleveringspålegg TEST2", "Påtalemyndigheten", id="cn-different"),
        pytest.param(COMMON_NAME_PRODUCTION, "Påtalemyndigheten", id="production-cn-in-test"),
        pytest.param(COMMON_NAME_TEST, "Politiet", id="ou-different"),
        pytest.param(COMMON_NAME_TEST, None, id="ou-missing"),
    ],
)
def test_a_certificate_with_the_wrong_subject_fails_step_5(
    issuing_ca: CertificateAuthority, trust_store: TrustStore, common_name: str, unit: str | None
) -> None:
    key = key_of(politi_credential(issuing_ca, common_name=common_name, organisational_unit=unit))
    refused(5, lambda: verify_extradition_order(signed(key), trust_store, now=NOW, jwks=jwks(key)))


def test_production_requires_the_production_cn(
    test_key: SigningKey, production_key: SigningKey, trust_store: TrustStore
) -> None:
    error = refused(
        5,
        lambda: verify_extradition_order(
            signed(test_key), trust_store, now=NOW, jwks=jwks(test_key), environment="production"
        ),
    )
    assert COMMON_NAME_PRODUCTION in error.message
    found = verify_extradition_order(
        signed(production_key), trust_store, now=NOW, jwks=jwks(production_key), environment="production"
    )
    assert found == make_order()


def test_a_chain_to_another_root_fails_step_4(test_key: SigningKey, trust_store: TrustStore) -> None:
    stranger = CertificateAuthority.create_root("another root", now=ISSUED)
    foreign = key_of(
        politi_credential(stranger.issue_intermediate("other CA", now=ISSUED), common_name=COMMON_NAME_TEST)
    )
    refused(4, lambda: verify_extradition_order(signed(foreign), trust_store, now=NOW, jwks=jwks(foreign)))
    # …and our own order against a trust store holding only the stranger root.
    refused(
        4,
        lambda: verify_extradition_order(
            signed(test_key), TrustStore(roots=(stranger.certificate,)), now=NOW, jwks=jwks(test_key)
        ),
    )


def test_an_x5c_without_its_intermediate_fails_step_4(test_key: SigningKey, trust_store: TrustStore) -> None:
    document = jwks(test_key)
    document["keys"][0]["x5c"] = document["keys"][0]["x5c"][:1]
    refused(4, lambda: verify_extradition_order(signed(test_key), trust_store, now=NOW, jwks=document))


def test_an_encryption_certificate_cannot_sign_orders(
    issuing_ca: CertificateAuthority, trust_store: TrustStore
) -> None:
    key = key_of(politi_credential(issuing_ca, common_name=COMMON_NAME_TEST, purpose="encryption"))
    refused(4, lambda: verify_extradition_order(signed(key), trust_store, now=NOW, jwks=jwks(key)))


def test_a_kid_not_in_the_jwks_fails_step_2(
    test_key: SigningKey, issuing_ca: CertificateAuthority, trust_store: TrustStore
) -> None:
    other = key_of(politi_credential(issuing_ca, common_name=COMMON_NAME_TEST))
    refused(2, lambda: verify_extradition_order(signed(test_key), trust_store, now=NOW, jwks=jwks(other)))


def test_a_header_without_kid_fails_step_2(test_key: SigningKey, trust_store: TrustStore) -> None:
    token = sign_jwt(order_claims(make_order()), test_key.credential.private_key, alg="PS256", header={"kid": None})
    refused(2, lambda: verify_extradition_order(token, trust_store, now=NOW, jwks=jwks(test_key)))


@pytest.mark.parametrize(
    "document",
    [
        pytest.param({}, id="no-keys"),
        pytest.param({"keys": "x"}, id="keys-not-a-list"),
    ],
)
def test_a_jwks_without_keys_fails_step_1(
    test_key: SigningKey, trust_store: TrustStore, document: dict[str, Any]
) -> None:
    refused(1, lambda: verify_extradition_order(signed(test_key), trust_store, now=NOW, jwks=document))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda k: k.pop("x5c"), id="no-x5c"),
        pytest.param(lambda k: k.update(x5c=["not base64!"]), id="garbage-x5c"),
        pytest.param(lambda k: k.update(x5c=[]), id="empty-x5c"),
        pytest.param(lambda k: k.update(n=k["n"][:-4] + "AAAA"), id="jwk-key-is-not-the-certificate-key"),
    ],
)
def test_an_unusable_x5c_fails_step_3(
    test_key: SigningKey, trust_store: TrustStore, change: Callable[[dict[str, Any]], None]
) -> None:
    document = jwks(test_key)
    change(document["keys"][0])
    refused(3, lambda: verify_extradition_order(signed(test_key), trust_store, now=NOW, jwks=document))


@pytest.mark.parametrize("alg", ["RS256", "PS384", "ES256", "HS256", "none"])
def test_only_ps256_is_accepted(test_key: SigningKey, trust_store: TrustStore, alg: str) -> None:
    if alg in ("RS256", "PS384"):
        token = sign_jwt(
            order_claims(make_order()), test_key.credential.private_key, alg="RS256", header={"kid": test_key.kid}
        )
        if alg == "PS384":
            header = {"alg": "PS384", "typ": "JWT", "kid": test_key.kid}
            token = b64(json.dumps(header).encode()) + token[token.index(".") :]
    else:
        header = {"alg": alg, "typ": "JWT", "kid": test_key.kid}
        token = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(order_claims(make_order())).encode())}."
    error = refused(6, lambda: verify_extradition_order(token, trust_store, now=NOW, jwks=jwks(test_key)))
    assert "PS256" in error.message


def test_steps_run_in_the_documented_order(
    issuing_ca: CertificateAuthority, trust_store: TrustStore, test_key: SigningKey
) -> None:
    # Wrong subject *and* a tampered payload: step 5 is reported, not step 6.
    wrong = key_of(politi_credential(issuing_ca, common_name="Someone else"))
    tampered = with_payload(signed(wrong), lambda c: c.update(cards=True))
    refused(5, lambda: verify_extradition_order(tampered, trust_store, now=NOW, jwks=jwks(wrong)))
    # Unknown kid *and* a foreign root: step 2 comes first.
    refused(2, lambda: verify_extradition_order(signed(test_key), TrustStore(roots=()), now=NOW, jwks={"keys": []}))


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("", id="empty"),
        pytest.param("not-a-jws", id="one-segment"),
        pytest.param("a.b", id="two-segments"),
        pytest.param("a.b.c", id="not-base64-json"),
        pytest.param(b64(b'{"alg":"PS256"}') + ".bm90IGpzb24.", id="payload-not-json"),
    ],
)
def test_a_value_that_is_not_a_jws_is_an_invalid_request(
    test_key: SigningKey, trust_store: TrustStore, value: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        verify_extradition_order(value, trust_store, now=NOW, jwks=jwks(test_key))
    assert (caught.value.code, caught.value.status, caught.value.parameter) == ("ACC-001", 400, PARAMETER)


# --- content checks after a valid signature (DSOP Politi “Løsningsbeskrivelse” content check 6 and the claims)
# ---------


def test_an_expired_order_is_refused(test_key: SigningKey, trust_store: TrustStore) -> None:
    order = make_order()
    late = order.expires_at + timedelta(seconds=1)
    # Still inside the certificates' validity, so only the content check can refuse it.
    assert late < test_key.credential.certificate.not_valid_after_utc
    refused(
        "expired", lambda: verify_extradition_order(signed(test_key, order), trust_store, now=late, jwks=jwks(test_key))
    )


def test_leeway_tolerates_a_little_clock_skew_only(test_key: SigningKey, trust_store: TrustStore) -> None:
    order = make_order()
    skewed = order.expires_at + timedelta(seconds=20)
    found = verify_extradition_order(
        signed(test_key, order), trust_store, now=skewed, jwks=jwks(test_key), leeway=timedelta(seconds=30)
    )
    assert found == order
    refused(
        "expired",
        lambda: verify_extradition_order(
            signed(test_key, order), trust_store, now=skewed, jwks=jwks(test_key), leeway=timedelta(seconds=10)
        ),
    )


def test_an_order_valid_for_more_than_90_days_is_refused(test_key: SigningKey, trust_store: TrustStore) -> None:
    claims = order_claims(make_order())
    claims["exp"] = int((APPROVED + timedelta(days=90, seconds=1)).timestamp())
    token = sign_jwt(claims, test_key.credential.private_key, alg="PS256", header={"kid": test_key.kid})
    refused("90 days", lambda: verify_extradition_order(token, trust_store, now=NOW, jwks=jwks(test_key)))


def test_an_order_approved_in_the_future_is_refused(test_key: SigningKey, trust_store: TrustStore) -> None:
    refused(
        "future",
        lambda: verify_extradition_order(
            signed(test_key), trust_store, now=APPROVED - timedelta(minutes=5), jwks=jwks(test_key)
        ),
    )


def test_an_order_with_a_claim_missing_is_an_invalid_request(test_key: SigningKey, trust_store: TrustStore) -> None:
    claims = order_claims(make_order())
    del claims["caseID"]
    token = sign_jwt(claims, test_key.credential.private_key, alg="PS256", header={"kid": test_key.kid})
    with pytest.raises(InvalidRequest, match="caseID"):
        verify_extradition_order(token, trust_store, now=NOW, jwks=jwks(test_key))


def test_a_reason_not_matching_the_mandate_is_refused(test_key: SigningKey, trust_store: TrustStore) -> None:
    claims = order_claims(make_order())
    claims["mandate"] = "Straffeprosessloven §210 (3) andre punktum"
    token = sign_jwt(claims, test_key.credential.private_key, alg="PS256", header={"kid": test_key.kid})
    refused("reason", lambda: verify_extradition_order(token, trust_store, now=NOW, jwks=jwks(test_key)))


def test_bad_arguments_are_programming_errors(test_key: SigningKey, trust_store: TrustStore) -> None:
    with pytest.raises(ValueError, match="environment"):
        verify_extradition_order(signed(test_key), trust_store, now=NOW, jwks=jwks(test_key), environment="staging")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timezone"):
        verify_extradition_order(signed(test_key), trust_store, now=NOW.replace(tzinfo=None), jwks=jwks(test_key))


# --- fetching the JWKS -----------------------------------------------------------------------------------

JWKS_URL = "https://politi.example/.well-known/finans-jwks.json"


@pytest.mark.anyio
@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(httpx.Response(503), id="http-error"),
        pytest.param(httpx.Response(200, text="nope"), id="not-json"),
        pytest.param(httpx.Response(200, json={"k": []}), id="no-keys"),
        pytest.param(httpx.Response(200, json={"keys": ["x" * 300_000]}), id="too-large"),
    ],
)
async def test_fetch_jwks_failures_are_acc_100(answer: httpx.Response) -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda request: answer)) as http:
        with pytest.raises(JwksUnavailable) as caught:
            await fetch_jwks(JWKS_URL, http)
    assert (caught.value.code, caught.value.status) == ("ACC-100", 503)


@pytest.mark.anyio
async def test_fetch_jwks_network_failure_is_acc_100() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        with pytest.raises(JwksUnavailable, match="did not answer"):
            await fetch_jwks(JWKS_URL, http)


class _Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> Any:
        return self.now


@pytest.mark.anyio
async def test_the_jwks_cache_refetches_on_ttl_and_on_an_unknown_kid(
    test_key: SigningKey, issuing_ca: CertificateAuthority, trust_store: TrustStore
) -> None:
    rotated = key_of(politi_credential(issuing_ca, common_name=COMMON_NAME_TEST))
    served = {"document": jwks(test_key)}
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200, json=served["document"])

    clock = _Clock()
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        cache = JwksCache(JWKS_URL, http, ttl=timedelta(hours=1), min_refresh=timedelta(minutes=1), clock=clock)
        assert await cache.verify(signed(test_key), trust_store, now=NOW) == make_order()
        assert await cache.verify(signed(test_key), trust_store, now=NOW) == make_order()
        assert len(calls) == 1
        # The police rotate keys: the new kid is unknown to the cached set.
        served["document"] = jwks(test_key, rotated)
        with pytest.raises(InvalidExtraditionOrder, match="step 2"):
            await cache.verify(signed(rotated), trust_store, now=NOW)  # within min_refresh: no refetch
        assert len(calls) == 1
        clock.now += timedelta(minutes=2)
        assert await cache.verify(signed(rotated), trust_store, now=NOW) == make_order()
        assert len(calls) == 2
        clock.now += timedelta(hours=1)
        await cache.document()
        assert len(calls) == 3
