"""check_consent: one row per rule of the consent contract, plus the status port and its HTTP adapter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from opendsop.contracts.verify import Principal
from opendsop.sources.consent_check import (
    ConsentRefused,
    HttpConsentStatus,
    MemoryConsentStatus,
    RefusalReason,
    check_consent,
    ensure_active,
    parse_grant,
)
from tests.sources.helpers import BANK, NOW, OTHER_BANK, consent, person_urn

FNR = "15908695124"
RESOURCE = "ske-sbl-inntekt"
PERIOD = {"fraOgMed": "2026-01", "tilOgMed": "2026-06"}


def principal(*details: dict[str, Any], consumer: str = BANK) -> Principal:
    claims: dict[str, Any] = {"authorization_details": list(details)} if details else {}
    return Principal(consumer_org=consumer, supplier_org=None, scopes=frozenset({"s"}), client_id="c", claims=claims)


def _detail(**change: Any) -> dict[str, Any]:
    detail = consent(person_urn(FNR), RESOURCE, metadata=change.pop("metadata", PERIOD), **change)
    return detail


def _broken(key: str, value: Any) -> dict[str, Any]:
    detail = _detail()
    detail[key] = value
    return detail


CASES = [
    pytest.param(principal(), {}, RefusalReason.MISSING, id="no-authorization-details"),
    pytest.param(principal(_broken("to", {"ID": "0192:1"})), {}, RefusalReason.MALFORMED, id="to-without-authority"),
    pytest.param(principal(_broken("validTo", "next week")), {}, RefusalReason.MALFORMED, id="validTo-not-rfc3339"),
    pytest.param(
        principal(_broken("validTo", "2026-12-01T00:00:00")), {}, RefusalReason.MALFORMED, id="validTo-without-offset"
    ),
    pytest.param(principal(_broken("from", "fnr:1")), {}, RefusalReason.MALFORMED, id="from-not-an-urn"),
    pytest.param(principal(_broken("consentRights", [])), {}, RefusalReason.MALFORMED, id="no-rights"),
    pytest.param(principal(consent(person_urn(FNR), "nav-ssu")), {}, RefusalReason.WRONG_RESOURCE, id="other-resource"),
    pytest.param(principal(_detail(), consumer=OTHER_BANK), {}, RefusalReason.WRONG_RECIPIENT, id="consumer-is-not-to"),
    pytest.param(
        principal(_detail(consented=NOW - timedelta(days=3), valid_for=timedelta(days=3))),
        {},
        RefusalReason.EXPIRED,
        id="validTo-now-is-expired",
    ),
    pytest.param(
        principal(_detail(consented=NOW + timedelta(hours=1))),
        {},
        RefusalReason.NOT_YET_VALID,
        id="consented-in-the-future",
    ),
    pytest.param(
        principal(_detail(valid_for=timedelta(days=10, seconds=1))), {}, RefusalReason.TOO_LONG, id="longer-than-cap"
    ),
    pytest.param(
        principal(consent(person_urn("01018012345"), RESOURCE, metadata=PERIOD)),
        {},
        RefusalReason.WRONG_SUBJECT,
        id="someone-elses",
    ),
    pytest.param(
        principal(_detail()),
        {"fraOgMed": "2025-12", "tilOgMed": "2026-03"},
        RefusalReason.OUTSIDE_CONSENT,
        id="starts-before-consented-period",
    ),
    pytest.param(
        principal(_detail()),
        {"fraOgMed": "2026-02", "tilOgMed": "2026-07"},
        RefusalReason.OUTSIDE_CONSENT,
        id="ends-after-consented-period",
    ),
    pytest.param(
        principal(_detail(metadata={"inntektsaar": "2025"})),
        {"inntektsaar": "2024"},
        RefusalReason.OUTSIDE_CONSENT,
        id="other-income-year",
    ),
]


@pytest.mark.parametrize(("who", "parameters", "reason"), CASES)
def test_refusals(who: Principal, parameters: dict[str, str], reason: RefusalReason) -> None:
    with pytest.raises(ConsentRefused) as refused:
        check_consent(
            who, resource=RESOURCE, now=NOW, parameters=parameters, subject=FNR, max_validity=timedelta(days=10)
        )
    assert refused.value.reason is reason
    assert refused.value.message and FNR not in refused.value.message


@pytest.mark.parametrize(
    "parameters",
    [
        pytest.param({"fraOgMed": "2026-01", "tilOgMed": "2026-06"}, id="whole-period"),
        pytest.param({"fraOgMed": "2026-03"}, id="one-month-inside"),
        pytest.param({"fraOgMed": "2026-02-01", "tilOgMed": "2026-06-30"}, id="dates-inside-months"),
    ],
)
def test_allowed(parameters: dict[str, str]) -> None:
    detail = _detail(valid_for=timedelta(days=10))
    grant = check_consent(
        principal(detail),
        resource=RESOURCE,
        now=NOW,
        parameters=parameters,
        subject=FNR,
        max_validity=timedelta(days=10),
    )
    assert grant.id == detail["id"] and grant.subject == FNR and grant.to_org == BANK


def test_the_grant_for_the_served_resource_is_chosen_among_several() -> None:
    other, wanted = consent(person_urn(FNR), "nav-ssu"), _detail()
    grant = check_consent(principal(other, wanted), resource=RESOURCE, now=NOW, subject=FNR)
    assert grant.id == wanted["id"]


def test_parse_grant_reads_the_contract_fields() -> None:
    detail = _detail()
    grant = parse_grant(detail)
    assert (grant.from_urn, grant.to_org, grant.subject_is_person) == (person_urn(FNR), BANK, True)
    right = grant.right_for(RESOURCE)
    assert right is not None and dict(right.metadata) == PERIOD


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("state", "allowed"), [("accepted", True), ("revoked", False), ("expired", False), ("deleted", False)]
)
async def test_ensure_active_with_the_memory_twin(state: str, allowed: bool) -> None:
    grant = parse_grant(_detail())
    port = MemoryConsentStatus({grant.id: state})
    if allowed:
        await ensure_active(grant, port)
    else:
        with pytest.raises(ConsentRefused) as refused:
            await ensure_active(grant, port)
        assert refused.value.reason is RefusalReason.REVOKED and state in refused.value.message
    assert port.lookups == 1


@pytest.mark.anyio
async def test_http_status_adapter_reads_the_consent_service() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        assert request.headers["Authorization"] == "Bearer source-token"
        if request.url.path.endswith("/gone"):
            return httpx.Response(404)
        return httpx.Response(200, json={"id": "c1", "status": "revoked"})

    async def token() -> str:
        return "source-token"

    port = HttpConsentStatus("http://consent.test/", bearer=token, transport=httpx.MockTransport(answer))
    assert await port.status("c1") == "revoked"
    assert await port.status("gone") == "deleted"
    assert seen == ["/consentrequests/c1", "/consentrequests/gone"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# A full-width month sorted after every ASCII month when compared as text.
@pytest.mark.parametrize(
    ("consented", "asked", "reason"),
    [
        pytest.param(
            {"fraOgMed": "2025-01", "tilOgMed": "２０２５-06"},
            {"fraOgMed": "2025-01", "tilOgMed": "2026-11"},
            RefusalReason.MALFORMED,
            id="full-width-consented-end",
        ),
        pytest.param(
            {"fraOgMed": "2025-01", "tilOgMed": "2025-06"},
            {"fraOgMed": "2025-01", "tilOgMed": "２０２５-06"},
            RefusalReason.OUTSIDE_CONSENT,
            id="full-width-asked-end",
        ),
        pytest.param(
            {"fraOgMed": "2025-01", "tilOgMed": "2025-06"},
            {"fraOgMed": "2025-01", "tilOgMed": "2025-07-01"},
            RefusalReason.OUTSIDE_CONSENT,
            id="a-date-after-the-last-consented-month",
        ),
    ],
)
def test_consented_periods_are_compared_as_calendar_days(
    consented: dict[str, str], asked: dict[str, str], reason: RefusalReason
) -> None:
    detail = consent(person_urn(FNR), RESOURCE, metadata=consented, valid_for=timedelta(days=5))
    with pytest.raises(ConsentRefused) as refused:
        check_consent(
            principal(detail),
            resource=RESOURCE,
            now=NOW,
            parameters=asked,
            subject=FNR,
            max_validity=timedelta(days=10),
        )
    assert refused.value.reason is reason
