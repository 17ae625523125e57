"""Session cookies and CSRF tokens (consent.login): signed, bound to the session, expiring."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opendsop.consent.login import SessionCodec, synthetic_identity
from tests.consent.consent_helpers import PERSON, REAL_PERSON, START

SECRET = "a-secret-of-at-least-16"


def codec(secret: str = SECRET) -> SessionCodec:
    return SessionCodec(secret, lifetime=timedelta(minutes=30))


def test_round_trip_and_expiry() -> None:
    session = codec().new(now=START, pid=PERSON)
    cookie = codec().encode(session)
    assert codec().decode(cookie, now=START + timedelta(minutes=29)) == session
    assert codec().decode(cookie, now=START + timedelta(minutes=30)) is None


@pytest.mark.parametrize("tamper", [
    pytest.param(lambda c: c[:-1] + ("A" if c[-1] != "A" else "B"), id="mac-changed"),
    pytest.param(lambda c: "e30" + c[c.index("."):], id="payload-swapped"),
    pytest.param(lambda c: c.split(".")[0], id="mac-removed"),
    pytest.param(lambda c: "", id="empty"),
    pytest.param(lambda c: "x" * 2000, id="oversized"),
])  # fmt: skip
def test_tampered_cookie_is_no_session(tamper) -> None:  # type: ignore[no-untyped-def]
    cookie = codec().encode(codec().new(now=START, pid=PERSON))
    assert codec().decode(tamper(cookie), now=START) is None


def test_cookie_of_another_secret_is_refused() -> None:
    cookie = codec("another-secret-of-16-chars").encode(codec().new(now=START, pid=PERSON))
    assert codec().decode(cookie, now=START) is None


def test_csrf_token_is_bound_to_the_session() -> None:
    first, second = codec().new(now=START), codec().new(now=START)
    assert codec().check_csrf(first, codec().csrf_token(first))
    assert not codec().check_csrf(first, codec().csrf_token(second))
    assert not codec().check_csrf(first, None)


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        SessionCodec("short", lifetime=timedelta(minutes=1))


def test_only_synthetic_identities_log_in() -> None:
    assert synthetic_identity(f" {PERSON[:6]} {PERSON[6:]} ") == PERSON
    with pytest.raises(ValueError, match="synthetic"):
        synthetic_identity(REAL_PERSON)
