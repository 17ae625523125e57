"""What leaves the bank on a 200: filtered per service, encrypted for the consumer (DSOP “Security design”; DSOP “Data
model”; DSOP “eOppslag”)."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest

from opendsop.standard.delivery import DEFAULT_POLICY
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.identifiers import generate_fodselsnummer
from opendsop.standard.services import get_profile
from opendsop.trust.errors import DecryptionError
from tests.provider import bank as seed
from tests.provider.harness import Bank, Pki, open_bank

pytestmark = pytest.mark.anyio


def _present(body: Any, path: str) -> bool:
    """Whether the dotted wire path (arrays implied) occurs anywhere in ``body``."""
    head, _, rest = path.partition(".")
    if isinstance(body, list):
        return any(_present(item, path) for item in body)
    if not isinstance(body, dict) or head not in body:
        return False
    return True if not rest else _present(body[head], rest)


async def _bodies(bank: Bank, consumer: seed.Consumer, party: str, account: str) -> dict[Endpoint, Any]:
    """Every endpoint the service may call, for one account of ``party`` (plaintext, test mode)."""
    response = await bank.accounts(consumer, party)
    assert response.status_code == 200, response.text
    bodies = {Endpoint.ACCOUNTS: response.json()}
    reference = next(
        item["accountReference"]
        for item in response.json()["accounts"]
        if item["accountIdentifier"] == seed.NUMBERS[account]
    )
    profile = get_profile(consumer.service)
    suffixes = {
        Endpoint.ACCOUNT_DETAILS: "",
        Endpoint.TRANSACTIONS: "/transactions",
        Endpoint.CARDS: "/cards",
        Endpoint.ROLES: "/roles",
    }
    for endpoint, suffix in suffixes.items():
        if profile.allows(endpoint):
            answer = await bank.get(consumer, f"/v2/accounts/{reference}{suffix}")
            assert answer.status_code == 200, answer.text
            bodies[endpoint] = answer.json()
    return bodies


@pytest.mark.parametrize(
    ("consumer", "party", "account"),
    [
        (seed.SKATT, seed.DAG, seed.ESTATE),
        (seed.NAV, seed.DAG, seed.ESTATE),
        (seed.OED, seed.DAG, seed.ESTATE),
        (seed.KONKURS, seed.FIRMA, seed.BUSINESS),
        (seed.VERGE, seed.WARD, seed.WARD_MAIN),
    ],
    ids=lambda value: getattr(value, "service", None) or str(value),
)
async def test_withheld_fields_never_appear(bank: Bank, consumer: seed.Consumer, party: str, account: str) -> None:
    profile = get_profile(consumer.service)
    for endpoint, body in (await _bodies(bank, consumer, party, account)).items():
        for path in profile.delivery.withheld(endpoint, DEFAULT_POLICY):
            assert not _present(body, path), f"{consumer.service} {endpoint.operation_id} leaks {path}"


async def test_filtering_is_per_service(bank: Bank) -> None:
    """The same account: Skatt receives what OED may not (KF) and the other way round (servicer.name)."""
    skatt = await _bodies(bank, seed.SKATT, seed.DAG, seed.ESTATE)
    oed = await _bodies(bank, seed.OED, seed.DAG, seed.ESTATE)
    for path in (
        "transactions.counterParties.accountIdentifier",
        "transactions.counterParties.postalAddress",
        "transactions.currencyExchange",
    ):
        assert _present(skatt[Endpoint.TRANSACTIONS], path)
        assert not _present(oed[Endpoint.TRANSACTIONS], path)
    assert not _present(skatt[Endpoint.ACCOUNT_DETAILS], "account.servicer.name")  # UI for Skatt
    assert _present(oed[Endpoint.ACCOUNT_DETAILS], "account.servicer.name")  # SU for OED
    assert _present(skatt[Endpoint.ACCOUNT_DETAILS], "account.servicer.identifier.value")  # TO for both


async def test_filtering_does_not_change_the_store(bank: Bank) -> None:
    """Filtering a shared object in place would leak OED's cut into Skatt's next answer."""
    await _bodies(bank, seed.OED, seed.DAG, seed.ESTATE)
    skatt = await _bodies(bank, seed.SKATT, seed.DAG, seed.ESTATE)
    assert _present(skatt[Endpoint.TRANSACTIONS], "transactions.currencyExchange")


async def test_default_answer_is_jwe_for_the_consumer(bank: Bank) -> None:
    response = await bank.accounts(seed.SKATT, seed.ANNE, accept=None)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jose"
    assert response.text.count(".") == 4  # compact serialization
    body = bank.decrypt(response, bank.pki.encryption[seed.SKATT.orgno])
    assert {item["accountIdentifier"] for item in body["accounts"]} == {
        seed.NUMBERS[seed.SALARY],
        seed.NUMBERS[seed.SAVINGS],
    }
    for other in (bank.pki.encryption[seed.NAV.orgno], bank.pki.stranger):
        with pytest.raises(DecryptionError):
            bank.decrypt(response, other)


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/jose", "application/jose"),
        ("*/*", "application/jose"),
        ("application/json", "application/json"),
        ("application/json, application/jose", "application/jose"),
        ("application/jose;q=0.5, application/json", "application/json"),
    ],
)
async def test_accept_in_test_mode(bank: Bank, accept: str, media_type: str) -> None:
    response = await bank.accounts(seed.NAV, seed.ANNE, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


async def test_production_never_answers_plaintext(pki: Pki, token_issuer: Any) -> None:
    production = await open_bank(pki, token_issuer, environment="production")
    real_looking = generate_fodselsnummer(random.Random(7), date(1975, 4, 4), synthetic=False)
    async with production.client:
        refused = await production.accounts(seed.SKATT, real_looking, accept="application/json")
        assert (refused.status_code, refused.json()["code"]) == (406, "ACC-013")
        assert refused.headers["content-type"].startswith("application/json")
        served = await production.accounts(seed.SKATT, real_looking, accept="application/json, application/jose")
        assert served.status_code == 200, served.text
        assert served.headers["content-type"] == "application/jose"
        assert production.decrypt(served, pki.encryption[seed.SKATT.orgno])["accounts"] == []


async def test_consumer_without_certificate_gets_503_acc_100(bank: Bank) -> None:
    pipeline = bank.app.state["provider"]
    del pipeline.certificates.by_orgno[seed.NAV.orgno]
    response = await bank.accounts(seed.NAV, seed.ANNE, accept=None)
    assert (response.status_code, response.json()["code"]) == (503, "ACC-100")
    assert response.headers["retry-after"].isdigit()
    assert response.headers["content-type"].startswith("application/json")
