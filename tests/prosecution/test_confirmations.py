"""The police intake stand-in confirms a filed fraud report; an insurer verifies the confirmation
(docs/decisions.md, "Fraud cooperation and report confirmation")."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from opendsop.contracts.extradition_order import fetch_jwks
from opendsop.contracts.report_confirmation import JWKS_PATH, verify_report_confirmation
from opendsop.prosecution import confirmations
from opendsop.prosecution.app import create_app
from opendsop.prosecution.keystore import ROOT_FILE, SigningKey
from opendsop.prosecution.orders import jwks_document
from opendsop.prosecution.settings import ProsecutionSettings
from opendsop.standard import fraud
from opendsop.trust.jwt import unverified_claims
from opendsop.trust.pki import TrustStore, certificate_from_pem

from .conftest import APPROVED, FIELDS, NOW

pytestmark = pytest.mark.anyio
BASE = "http://prosecution.test"
REPORTER = FIELDS["partyID"]
OTHER = "01017012345"
INSURER, OTHER_INSURER = "910000010", "910000011"
REPORT: dict[str, Any] = {
    "reportId": "report-0001",
    "reporter": REPORTER,
    "fraudType": "investment",
    "filed": "2026-01-14",
    "bank": "910000001",
    "transactions": [{"transactionId": "tx-1", "amount": "25000.00", "toAccount": "15031234567"}],
    "recalls": [{"transactionId": "tx-1", "outcome": "frozen", "frozenAmount": "12000.00"}],
}


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prosecution")


@pytest.fixture
async def intake(test_key: SigningKey, key_dir: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(ProsecutionSettings(key_dir=key_dir), clock=lambda: APPROVED, key=test_key)
    async with AsyncTestClient(app, base_url=BASE) as client:
        yield client


@pytest.fixture
def insurer_trust(key_dir: Path) -> TrustStore:
    root = certificate_from_pem((key_dir / confirmations.SUBDIRECTORY / ROOT_FILE).read_bytes())
    return TrustStore(roots=(root,))


async def _confirmed(intake: AsyncTestClient[Litestar]) -> tuple[str, dict[str, Any]]:
    response = await intake.post("/fraud-reports", json=REPORT)
    assert response.status_code == 201, response.text
    jwks = await fetch_jwks(f"{BASE}{JWKS_PATH}", intake)
    return response.json()["confirmation"], jwks


async def test_a_filed_report_gets_a_case_number_and_a_confirmation_the_insurer_verifies(
    intake: AsyncTestClient[Litestar], insurer_trust: TrustStore
) -> None:
    response = await intake.post("/fraud-reports", json=REPORT)
    again = await intake.post("/fraud-reports", json=REPORT)
    assert response.json()["caseNumber"] == again.json()["caseNumber"]  # a report sent twice: one case
    assert response.json()["caseNumber"].startswith("26")
    token, jwks = await _confirmed(intake)
    confirmation = verify_report_confirmation(
        token, insurer_trust, jwks=jwks, person=REPORTER, now=NOW, insurer=INSURER, consent_insurer=INSURER
    )
    assert confirmation.case_number == response.json()["caseNumber"]
    assert confirmation.offence_category == fraud.OFFENCE_CATEGORY[fraud.FraudType.INVESTMENT]


def _other_key(key_dir: Path) -> SigningKey:
    return confirmations.load_or_create_key(key_dir, now=APPROVED, environment="test")


VERIFY_REFUSALS: list[tuple[str, str, Callable[[str, dict[str, Any], TrustStore, Path], object]]] = [
    (
        "confirmation for another person",
        "FRD-004",
        lambda t, j, s, _: verify_report_confirmation(t, s, jwks=j, person=OTHER, now=NOW),
    ),
    (
        "expired confirmation",
        "FRD-006",
        lambda t, j, s, _: verify_report_confirmation(t, s, jwks=j, person=REPORTER, now=NOW + timedelta(days=400)),
    ),
    (
        "consent for another insurer",
        "FRD-007",
        lambda t, j, s, _: verify_report_confirmation(
            t, s, jwks=j, person=REPORTER, now=NOW, insurer=INSURER, consent_insurer=OTHER_INSURER
        ),
    ),
    (
        "forged: payload altered",
        "FRD-005",
        lambda t, j, s, _: verify_report_confirmation(
            t.split(".")[0] + "." + t.split(".")[1][:-4] + "AAAA." + t.split(".")[2],
            s,
            jwks=j,
            person=REPORTER,
            now=NOW,
        ),
    ),
    (
        "forged: signed by a key under another root",
        "FRD-005",
        lambda t, j, s, d: verify_report_confirmation(
            confirmations.issue_confirmation(fraud.parse_confirmation(unverified_claims(t)), _other_key(d)),
            s,
            jwks={"keys": [*j["keys"], *jwks_document([(_other_key(d).kid, _other_key(d).credential)])["keys"]]},
            person=REPORTER,
            now=NOW,
        ),
    ),
    (
        "forged: not a JWS",
        "FRD-005",
        lambda _, j, s, __: verify_report_confirmation("x", s, jwks=j, person=REPORTER, now=NOW),
    ),
]


@pytest.mark.parametrize(("rule", "code", "call"), VERIFY_REFUSALS, ids=[row[0] for row in VERIFY_REFUSALS])
async def test_the_insurer_refuses(
    rule: str,
    code: str,
    call: Callable[[str, dict[str, Any], TrustStore, Path], object],
    intake: AsyncTestClient[Litestar],
    insurer_trust: TrustStore,
    tmp_path: Path,
) -> None:
    token, jwks = await _confirmed(intake)
    with pytest.raises(fraud.FraudError) as caught:
        call(token, jwks, insurer_trust, tmp_path)
    assert caught.value.code == code, rule


async def test_an_extradition_order_is_no_confirmation(
    intake: AsyncTestClient[Litestar], insurer_trust: TrustStore
) -> None:
    order = await intake.post("/extradition-orders", json=FIELDS)
    _, jwks = await _confirmed(intake)
    with pytest.raises(fraud.FraudError) as caught:
        verify_report_confirmation(order.text, insurer_trust, jwks=jwks, person=REPORTER, now=NOW)
    assert caught.value.code == "FRD-005"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({**REPORT, "fraudType": "lottery"}, 400, "FRD-008"),
        ({**REPORT, "narrative": "…"}, 400, "FRD-008"),
        ({**REPORT, "reporter": "12345678901"}, 400, "FRD-008"),
    ],
)
async def test_a_malformed_report_is_refused(
    intake: AsyncTestClient[Litestar], body: dict[str, Any], status: int, code: str
) -> None:
    response = await intake.post("/fraud-reports", json=body)
    assert (response.status_code, response.json()["error"]) == (status, code)


def test_without_a_legal_basis_nothing_is_confirmed(test_key: SigningKey) -> None:
    with pytest.raises(fraud.FraudError) as caught:
        confirmations.intake(REPORT, test_key, now=APPROVED, legal_basis={}, synthetic_allowed=True)
    assert caught.value.code == "FRD-010"
    production = ProsecutionSettings(environment="production", api_token="t")  # type: ignore[arg-type]
    assert production.fraud_legal_bases() == {"confirmation": None}
