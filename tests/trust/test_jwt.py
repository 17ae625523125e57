"""JWT signing and verification (opendsop.trust.jwt): round trips, attacks, time claims."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc.jwk import ECKey, OctKey, RSAKey

from opendsop.trust.errors import InvalidToken, TrustError
from opendsop.trust.jwt import (
    SIGNING_ALGORITHMS,
    check_time_claims,
    sign_jwt,
    unverified_claims,
    unverified_header,
    verify_jwt,
)
from opendsop.trust.keys import key_set, public_jwk, public_jwks, public_key_pem

from .conftest import NOW

T = int(NOW.timestamp())
CLAIMS = {
    "iss": "https://test.maskinporten.no/",
    "aud": "https://bank.example/",
    "scope": "bits:kontoinformasjon",
    "iat": T,
    "exp": T + 120,
    "consumer": {"authority": "iso6523-actorid-upis", "ID": "0192:974761076"},
}


def b64(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def compact(header: dict[str, Any] | str | bytes, payload: dict[str, Any] | str, signature: bytes = b"") -> str:
    h = header if isinstance(header, (str, bytes)) else json.dumps(header)
    p = payload if isinstance(payload, str) else json.dumps(payload)
    return f"{b64(h)}.{b64(p)}.{b64(signature)}"


def hs256(header: dict[str, Any], payload: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{b64(json.dumps(header))}.{b64(json.dumps(payload))}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


# -- round trips -------------------------------------------------------------------


@pytest.mark.parametrize("alg", SIGNING_ALGORITHMS)
def test_every_signing_algorithm_round_trips(alg: str, rsa_key: RSAKey, ec_key: ECKey) -> None:
    key = ec_key if alg.startswith("ES") else rsa_key
    token = sign_jwt(CLAIMS, key, alg=alg)
    header, claims = verify_jwt(token, key_set(public_jwks([rsa_key, ec_key])), algorithms=[alg])
    assert header == {"alg": alg, "typ": "JWT", "kid": key.kid}
    assert claims == CLAIMS
    assert unverified_header(token) == header and unverified_claims(token) == CLAIMS


def test_es256_signature_is_raw_64_bytes(ec_key: ECKey) -> None:
    """RFC 7518 §3.4: R || S, 32 bytes each, not DER."""
    token = sign_jwt(CLAIMS, ec_key, alg="ES256")
    assert len(unb64(token.split(".")[2])) == 64


def test_header_override_can_replace_kid_with_x5c(rsa_key: RSAKey, pki: Any) -> None:
    """Maskinporten grants carry the certificate in x5c instead of a kid (DSOP “Security design”)."""
    token = sign_jwt(CLAIMS, pki.signing.private_key, alg="RS256", header={"kid": None, "x5c": pki.signing.x5c()[:1]})
    header = unverified_header(token)
    assert "kid" not in header and header["x5c"] == pki.signing.x5c()[:1]
    assert verify_jwt(token, pki.signing.certificate, algorithms=["RS256"])[1] == CLAIMS


def test_header_cannot_override_alg(rsa_key: RSAKey) -> None:
    token = sign_jwt(CLAIMS, rsa_key, alg="RS256", header={"alg": "none"})
    assert unverified_header(token)["alg"] == "RS256"


def test_callable_key_source_receives_the_header(rsa_key: RSAKey) -> None:
    seen: list[dict[str, Any]] = []

    def lookup(header: dict[str, Any]) -> Any:
        seen.append(header)
        return public_jwk(rsa_key)

    verify_jwt(sign_jwt(CLAIMS, rsa_key, alg="PS256"), lookup, algorithms=["PS256"])
    assert seen == [{"alg": "PS256", "typ": "JWT", "kid": "rsa-1"}]


def test_callable_key_source_returning_none_means_unknown_kid(rsa_key: RSAKey) -> None:
    with pytest.raises(InvalidToken) as info:
        verify_jwt(sign_jwt(CLAIMS, rsa_key, alg="RS256"), lambda header: None, algorithms=["RS256"])
    assert info.value.reason == "unknown_kid"


@pytest.mark.parametrize(
    ("alg", "key", "reason"),
    [
        pytest.param("HS256", "rsa", "unsupported_alg", id="hs256"),
        pytest.param("none", "rsa", "unsupported_alg", id="none"),
        pytest.param("ES256", "rsa", "key_mismatch", id="es256-with-rsa"),
        pytest.param("RS256", "ec", "key_mismatch", id="rs256-with-ec"),
        pytest.param("RS256", "public", "not_private", id="public-key"),
    ],
)
def test_signing_refuses_bad_combinations(alg: str, key: str, reason: str, rsa_key: RSAKey, ec_key: ECKey) -> None:
    chosen = {"rsa": rsa_key, "ec": ec_key, "public": RSAKey.import_key(rsa_key.public_key)}[key]
    with pytest.raises(TrustError) as info:
        sign_jwt(CLAIMS, chosen, alg=alg)
    assert info.value.reason == reason


def test_unserialisable_claims_are_a_typed_error(rsa_key: RSAKey) -> None:
    with pytest.raises(TrustError) as info:
        sign_jwt({"when": NOW}, rsa_key, alg="RS256")
    assert info.value.reason == "invalid_claims"


# -- attacks -----------------------------------------------------------------------

Attack = Callable[[RSAKey, RSAKey, ECKey], tuple[str, list[str]]]


def _tamper_payload(key: RSAKey) -> str:
    h, _, s = sign_jwt(CLAIMS, key, alg="RS256").split(".")
    return f"{h}.{b64(json.dumps({**CLAIMS, 'scope': 'bits:kundeforhold'}))}.{s}"


def _tamper_signature(key: RSAKey) -> str:
    h, p, s = sign_jwt(CLAIMS, key, alg="RS256").split(".")
    sig = bytearray(unb64(s))
    sig[10] ^= 0x01
    return f"{h}.{p}.{b64(bytes(sig))}"


def _signed_by_impostor(impostor: RSAKey) -> str:
    """Right kid, wrong key: the kid names rsa-1 but another key signed."""
    return sign_jwt(CLAIMS, impostor, alg="RS256", header={"kid": "rsa-1"})


def _non_canonical_signature(token: str) -> str:
    """Same signature bytes, spelled with non-zero unused bits in the last base64url character."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    h, p, s = token.split(".")
    assert len(s) % 4 == 2  # 256-byte RSA signature: the last character carries 4 unused bits
    return f"{h}.{p}.{s[:-1]}{alphabet[alphabet.index(s[-1]) | 1]}"


def _shorten_signature(token: str) -> str:
    h, p, s = token.split(".")
    return f"{h}.{p}.{b64(unb64(s)[:-3])}"


def _relabel(token: str, alg: str) -> str:
    """Same payload and signature, header claiming another algorithm."""
    _, p, s = token.split(".")
    return f"{b64(json.dumps({'alg': alg, 'typ': 'JWT', 'kid': 'rsa-1'}))}.{p}.{s}"


ATTACKS: list[Any] = [
    # malformed
    pytest.param(lambda k, o, e: ("a.b", ["RS256"]), "malformed", id="two-segments"),
    pytest.param(lambda k, o, e: ("a.b.c.d", ["RS256"]), "malformed", id="four-segments"),
    pytest.param(lambda k, o, e: ("", ["RS256"]), "malformed", id="empty"),
    pytest.param(
        lambda k, o, e: ("@@@." + sign_jwt(CLAIMS, k, alg="RS256").split(".", 1)[1], ["RS256"]),
        "malformed",
        id="header-bad-base64",
    ),
    pytest.param(
        lambda k, o, e: (sign_jwt(CLAIMS, k, alg="RS256").replace(".", ".*", 1), ["RS256"]),
        "malformed",
        id="payload-bad-base64",
    ),
    pytest.param(
        lambda k, o, e: (sign_jwt(CLAIMS, k, alg="RS256") + "=", ["RS256"]), "malformed", id="signature-padded"
    ),
    pytest.param(
        lambda k, o, e: ("A." + sign_jwt(CLAIMS, k, alg="RS256").split(".", 1)[1], ["RS256"]),
        "malformed",
        id="header-impossible-length",
    ),
    pytest.param(
        lambda k, o, e: (_non_canonical_signature(sign_jwt(CLAIMS, k, alg="RS256")), ["RS256"]),
        "malformed",
        id="signature-non-canonical-base64",
    ),
    pytest.param(lambda k, o, e: (compact("not json", CLAIMS), ["RS256"]), "malformed", id="header-not-json"),
    pytest.param(lambda k, o, e: (compact("[1,2]", CLAIMS), ["RS256"]), "malformed", id="header-json-array"),
    pytest.param(lambda k, o, e: (compact({"typ": "JWT"}, CLAIMS), ["RS256"]), "malformed", id="header-without-alg"),
    pytest.param(lambda k, o, e: (compact({"alg": 256}, CLAIMS), ["RS256"]), "malformed", id="header-alg-not-string"),
    pytest.param(
        lambda k, o, e: (compact('{"alg":"RS256","alg":"none"}', CLAIMS), ["RS256"]),
        "malformed",
        id="header-duplicate-member",
    ),
    pytest.param(
        lambda k, o, e: (compact(b'{"alg":"\xff"}', CLAIMS), ["RS256"]), "malformed", id="header-not-utf8-json"
    ),
    pytest.param(lambda k, o, e: (compact({"alg": "RS256"}, '{"exp": NaN}'), ["RS256"]), "malformed", id="payload-nan"),
    pytest.param(lambda k, o, e: (compact({"alg": "RS256"}, "[]"), ["RS256"]), "malformed", id="payload-not-object"),
    pytest.param(
        lambda k, o, e: (compact({"alg": "RS256", "crit": ["b64"], "b64": False}, CLAIMS), ["RS256"]),
        "malformed",
        id="crit-header",
    ),
    # alg none and allow-list
    pytest.param(lambda k, o, e: (compact({"alg": "none"}, CLAIMS), ["RS256"]), "disallowed_alg", id="alg-none"),
    pytest.param(
        lambda k, o, e: (compact({"alg": "none"}, CLAIMS), ["RS256", "none"]),
        "disallowed_alg",
        id="alg-none-even-if-listed",
    ),
    pytest.param(lambda k, o, e: (compact({"alg": "None"}, CLAIMS), ["RS256"]), "disallowed_alg", id="alg-None-case"),
    pytest.param(
        lambda k, o, e: (sign_jwt(CLAIMS, k, alg="RS256"), ["PS256", "ES256"]),
        "disallowed_alg",
        id="alg-not-in-allow-list",
    ),
    pytest.param(
        lambda k, o, e: (sign_jwt(CLAIMS, k, alg="RS512"), ["RS256"]), "disallowed_alg", id="rs512-when-rs256-only"
    ),
    # key confusion: the RSA public key (PEM or JWK) used as an HMAC secret
    pytest.param(
        lambda k, o, e: (hs256({"alg": "HS256", "kid": "rsa-1"}, CLAIMS, public_key_pem(k)), ["RS256"]),
        "disallowed_alg",
        id="hs256-pem-secret",
    ),
    pytest.param(
        lambda k, o, e: (
            hs256({"alg": "HS256", "kid": "rsa-1"}, CLAIMS, json.dumps(public_jwk(k)).encode()),
            ["RS256"],
        ),
        "disallowed_alg",
        id="hs256-jwk-secret",
    ),
    pytest.param(
        lambda k, o, e: (hs256({"alg": "HS256", "kid": "rsa-1"}, CLAIMS, public_key_pem(k)), ["RS256", "HS256"]),
        "key_mismatch",
        id="hs256-pem-secret-hs-listed",
    ),
    # key selection
    pytest.param(
        lambda k, o, e: (sign_jwt(CLAIMS, o, alg="RS256", header={"kid": "nobody"}), ["RS256"]),
        "unknown_kid",
        id="unknown-kid",
    ),
    pytest.param(
        lambda k, o, e: (sign_jwt(CLAIMS, o, alg="RS256", header={"kid": None}), ["RS256"]),
        "unknown_kid",
        id="no-kid-several-keys",
    ),
    pytest.param(
        lambda k, o, e: (sign_jwt(CLAIMS, e, alg="ES256", header={"kid": "rsa-1"}), ["ES256"]),
        "key_mismatch",
        id="es256-kid-of-rsa-key",
    ),
    # tampering
    pytest.param(lambda k, o, e: (_tamper_payload(k), ["RS256"]), "bad_signature", id="tampered-payload"),
    pytest.param(lambda k, o, e: (_tamper_signature(k), ["RS256"]), "bad_signature", id="tampered-signature"),
    pytest.param(lambda k, o, e: (_signed_by_impostor(o), ["RS256"]), "bad_signature", id="signed-by-other-key"),
    pytest.param(
        lambda k, o, e: (sign_jwt(CLAIMS, k, alg="RS256").rsplit(".", 1)[0] + ".", ["RS256"]),
        "bad_signature",
        id="signature-stripped",
    ),
    pytest.param(
        lambda k, o, e: (_shorten_signature(sign_jwt(CLAIMS, e, alg="ES256")), ["ES256"]),
        "bad_signature",
        id="es256-short-signature",
    ),
    pytest.param(
        lambda k, o, e: (_relabel(sign_jwt(CLAIMS, k, alg="PS256"), "RS256"), ["RS256", "PS256"]),
        "bad_signature",
        id="ps256-relabelled-rs256",
    ),
]


@pytest.mark.parametrize(("attack", "reason"), ATTACKS)
def test_attacks_are_rejected_with_a_reason(
    attack: Attack, reason: str, rsa_key: RSAKey, other_rsa_key: RSAKey, ec_key: ECKey
) -> None:
    token, algorithms = attack(rsa_key, other_rsa_key, ec_key)
    keys = key_set(public_jwks([rsa_key, ec_key]))
    with pytest.raises(InvalidToken) as info:
        verify_jwt(token, keys, algorithms=algorithms)
    assert info.value.reason == reason
    assert str(info.value)  # a readable sentence


@pytest.mark.parametrize("token", [None, 12, b"\xff.\xff.\xff"], ids=["none", "int", "non-ascii-bytes"])
def test_non_string_tokens_are_malformed(token: Any, rsa_key: RSAKey) -> None:
    with pytest.raises(InvalidToken) as info:
        verify_jwt(token, rsa_key, algorithms=["RS256"])
    assert info.value.reason == "malformed"


def test_hmac_needs_an_explicit_listing_and_a_symmetric_key() -> None:
    secret = OctKey.import_key(b"s" * 32)
    token = hs256({"alg": "HS256"}, CLAIMS, b"s" * 32)
    assert verify_jwt(token, secret, algorithms=["HS256"])[1] == CLAIMS
    with pytest.raises(InvalidToken) as info:
        verify_jwt(token, secret, algorithms=["RS256"])
    assert info.value.reason == "disallowed_alg"
    with pytest.raises(InvalidToken) as info:
        verify_jwt(hs256({"alg": "HS256"}, CLAIMS, b"t" * 32), secret, algorithms=["HS256"])
    assert info.value.reason == "bad_signature"


def test_key_restricted_to_other_alg_or_use_is_refused(rsa_key: RSAKey) -> None:
    token = sign_jwt(CLAIMS, rsa_key, alg="RS256")
    for extra in ({"alg": "PS256"}, {"use": "enc"}):
        jwk = {**public_jwk(rsa_key), **extra}
        with pytest.raises(InvalidToken) as info:
            verify_jwt(token, jwk, algorithms=["RS256"])
        assert info.value.reason == "key_mismatch"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b64(b) + "." + b64(b[::-1]) + "." + b64(b)))
def test_garbage_never_crashes(token: str) -> None:
    key = OctKey.import_key(b"k" * 32)
    with pytest.raises(InvalidToken):
        verify_jwt(token, key, algorithms=["HS256"])


@settings(max_examples=120, deadline=None)
@given(position=st.integers(min_value=0), replacement=st.sampled_from("AQgw_-.Z9="))
def test_every_single_character_mutation_is_rejected(position: int, replacement: str) -> None:
    key = _MUTATION_KEY
    token = _MUTATION_TOKEN
    i = position % len(token)
    mutated = token[:i] + replacement + token[i + 1 :]
    if mutated == token:
        return
    with pytest.raises(InvalidToken):
        verify_jwt(mutated, key, algorithms=["ES256"])


def _mutation_fixture() -> tuple[ECKey, str]:
    from opendsop.trust.keys import generate_ec_key

    key = generate_ec_key()
    return key, sign_jwt(CLAIMS, key, alg="ES256")


_MUTATION_KEY, _MUTATION_TOKEN = _mutation_fixture()


# -- time claims -------------------------------------------------------------------

S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("claims", "options", "reason"),
    [
        pytest.param({"iat": T - 60, "exp": T - 11}, {}, "expired", id="expired-beyond-leeway"),
        pytest.param({"iat": T - 60, "exp": T}, {"leeway": 0 * S}, "expired", id="exp-equals-now-no-leeway"),
        pytest.param({"iat": T + 11, "exp": T + 100}, {}, "iat_in_future", id="iat-in-future"),
        pytest.param({"iat": T, "exp": T + 100, "nbf": T + 30}, {}, "not_yet_valid", id="nbf-in-future"),
        pytest.param(
            {"iat": T, "exp": T + 121}, {"max_lifetime": 120 * S}, "lifetime_too_long", id="lifetime-over-max"
        ),
        pytest.param(
            {"exp": T + 3600},
            {"max_lifetime": 120 * S, "require_iat": False},
            "lifetime_too_long",
            id="lifetime-over-max-no-iat",
        ),
        pytest.param({"iat": T}, {}, "missing_exp", id="missing-exp"),
        pytest.param({"exp": T + 60}, {}, "missing_iat", id="missing-iat"),
        pytest.param({"iat": T, "exp": str(T + 60)}, {}, "invalid_exp", id="exp-string"),
        pytest.param({"iat": T, "exp": True}, {}, "invalid_exp", id="exp-bool"),
        pytest.param({"iat": T, "exp": float("nan")}, {}, "invalid_exp", id="exp-nan"),
        pytest.param({"iat": T, "exp": 10**400}, {}, "invalid_exp", id="exp-huge"),
        pytest.param({"iat": [T], "exp": T + 60}, {}, "invalid_iat", id="iat-list"),
    ],
)
def test_time_claim_failures(claims: dict[str, Any], options: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidToken) as info:
        check_time_claims(claims, now=NOW, **options)
    assert info.value.reason == reason


@pytest.mark.parametrize(
    ("claims", "options"),
    [
        pytest.param({"iat": T - 60, "exp": T - 9}, {}, id="expired-within-leeway"),
        pytest.param({"iat": T + 9, "exp": T + 100}, {}, id="iat-skew-within-leeway"),
        pytest.param({"iat": T, "exp": T + 120}, {"max_lifetime": 120 * S}, id="lifetime-exactly-max"),
        pytest.param({"exp": T + 60}, {"require_iat": False}, id="iat-optional"),
        pytest.param({"iat": T, "exp": T + 0.5, "nbf": T - 1.5}, {"leeway": 0 * S}, id="fractional-dates"),
    ],
)
def test_time_claims_accepted(claims: dict[str, Any], options: dict[str, Any]) -> None:
    check_time_claims(claims, now=NOW, **options)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone"):
        check_time_claims({"iat": T, "exp": T + 1}, now=datetime(2026, 1, 1))


def test_verify_with_now_checks_time_issuer_and_audience(rsa_key: RSAKey) -> None:
    token = sign_jwt(CLAIMS, rsa_key, alg="RS256")
    ok = {"algorithms": ["RS256"], "issuer": CLAIMS["iss"], "audience": CLAIMS["aud"], "max_lifetime": 120 * S}
    assert verify_jwt(token, rsa_key, now=NOW, **ok)[1] == CLAIMS
    for overrides, reason in (
        ({"now": NOW + 200 * S}, "expired"),
        ({"max_lifetime": 60 * S}, "lifetime_too_long"),
        ({"issuer": "https://maskinporten.no/"}, "wrong_issuer"),
        ({"audience": "https://other-bank.example/"}, "wrong_audience"),
    ):
        with pytest.raises(InvalidToken) as info:
            verify_jwt(token, rsa_key, **{"now": NOW, **ok, **overrides})
        assert info.value.reason == reason


def test_audience_may_be_an_array(rsa_key: RSAKey) -> None:
    token = sign_jwt({**CLAIMS, "aud": ["x", CLAIMS["aud"]]}, rsa_key, alg="RS256")
    verify_jwt(token, rsa_key, algorithms=["RS256"], audience=CLAIMS["aud"])
