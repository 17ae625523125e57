"""Hostile values at the consent service: each answered with a clean 400, never a 500 or a wider consent.

Regressions of an outside probe: a full-width month widened a consent's period, a deeply nested body
crashed the JSON decoder, ``Metadata: 5`` raised ``TypeError`` in the Altinn 2 façade, and an extreme ``validTo``
overflowed.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.consent.consent_helpers import API, READ, WRITE, Consumer, request_body, right
from tests.consent.test_altinn2 import a2_body

pytestmark = pytest.mark.anyio

FULL_WIDTH_2025 = "\uff12\uff10\uff12\uff15"  # '２０２５'


@pytest.mark.parametrize(
    "metadata",
    [
        pytest.param({"fraOgMed": "2025-01", "tilOgMed": f"{FULL_WIDTH_2025}-06"}, id="full-width-tilOgMed"),
        pytest.param({"fraOgMed": f"{FULL_WIDTH_2025}-01"}, id="full-width-fraOgMed"),
        pytest.param({"fraOgMed": "2025-01\n"}, id="trailing-newline"),
        pytest.param({"fraOgMed": "\u0662\u0660\u0662\u0665-01"}, id="arabic-indic-digits"),
        pytest.param({"fraOgMed": "9999-01"}, id="year-9999"),
        pytest.param({"inntektsaar": FULL_WIDTH_2025}, id="full-width-year"),
    ],
)
async def test_a_month_or_year_not_in_ascii_digits_is_refused_before_anyone_approves_it(
    consumer: Consumer, metadata: dict[str, str]
) -> None:
    response = await consumer.create(request_body(consentRights=[right("ske-sbl-inntekt", **metadata)]))
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_metadata"
    assert response.json()["parameter"] == "consentRights[0].metaData"


@pytest.mark.parametrize(
    "valid_to",
    [
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        f"{FULL_WIDTH_2025}-06-01T00:00:00Z",
        "2026-05-10T12:00:00Z\n",
    ],
)
async def test_an_extreme_or_foreign_valid_to_is_a_400(consumer: Consumer, valid_to: str) -> None:
    response = await consumer.create(request_body(validTo=valid_to))
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == "validTo"


@pytest.mark.parametrize("path", [API + "/", "/api/ConsentRequest"])
async def test_a_deeply_nested_body_is_a_400(consumer: Consumer, path: str) -> None:
    response = await consumer.http.post(path, content=b"[" * 60_000, headers=consumer.headers(WRITE))
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_request"


@pytest.mark.parametrize("metadata", [5, "ab", ["Navn"], True])
async def test_altinn2_metadata_that_is_not_an_object_is_a_400(consumer: Consumer, metadata: Any) -> None:
    resources = [{"serviceCode": "4628", "serviceEditionCode": "210607", "Metadata": metadata}]
    response = await consumer.http.post(
        "/api/ConsentRequest", json=a2_body(requestResources=resources), headers=consumer.headers(WRITE)
    )
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == "requestResources[0].Metadata"


@pytest.mark.parametrize("value", ["\u00b2", "\uff11", "-1", "1e3", " 1"])
async def test_event_feed_cursor_in_foreign_digits_is_a_400(consumer: Consumer, value: str) -> None:
    response = await consumer.http.get(API + "/events", params={"after": value}, headers=consumer.headers(READ))
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == "after"


@pytest.mark.parametrize("code", ["中文", "\u0663\u0664", "ab\u3000cd", ""])
async def test_altinn2_ui_link_with_a_non_ascii_code_is_a_400(consumer: Consumer, code: str) -> None:
    response = await consumer.http.get("/ui/AccessConsent/request", params={"id": code})
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == "id"
