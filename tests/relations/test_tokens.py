"""The hub's own token rules around the shared verifier: the header form and the ``aud`` rule."""

from __future__ import annotations

from typing import Any

import pytest

from opendsop.contracts.verify import Principal
from opendsop.relations.tokens import HubVerifier
from opendsop.trust.errors import InvalidToken

pytestmark = pytest.mark.anyio
HUB = "https://kar.test/"


class _Recording:
    def __init__(self, claims: dict[str, Any]) -> None:
        self.claims = claims
        self.seen: list[str | None] = []

    async def verify_authorization(self, authorization: str | None) -> Principal:
        self.seen.append(authorization)
        return Principal(
            consumer_org="974761076", supplier_org=None, scopes=frozenset({"s"}), client_id=None, claims=self.claims
        )


@pytest.mark.parametrize("authorization", ["Bearer abc", "bearer abc", "abc"])
async def test_a_bearer_or_bare_token_reaches_the_verifier_as_bearer(authorization: str) -> None:
    inner = _Recording({})
    await HubVerifier(inner, audience=HUB).verify_authorization(authorization)
    assert inner.seen == ["Bearer abc"]


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Basic abc"])
async def test_no_token_or_another_scheme_is_refused(authorization: str | None) -> None:
    inner = _Recording({})
    with pytest.raises(InvalidToken):
        await HubVerifier(inner, audience=HUB).verify_authorization(authorization)
    assert inner.seen == []


@pytest.mark.parametrize(
    ("claims", "accepted"),
    [
        ({}, True),
        ({"aud": HUB}, True),
        ({"aud": ["x", HUB]}, True),
        ({"aud": "https://bank.test/"}, False),
        ({"aud": ["x"]}, False),
    ],
)
async def test_aud_if_present_must_name_the_hub(claims: dict[str, Any], accepted: bool) -> None:
    verifier = HubVerifier(_Recording(claims), audience=HUB)
    if accepted:
        assert (await verifier.verify_authorization("Bearer t")).consumer_org == "974761076"
    else:
        with pytest.raises(InvalidToken):
            await verifier.verify_authorization("Bearer t")
