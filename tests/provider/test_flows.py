"""Each DSOP service's valid flow against the seeded bank: Accounts → details → transactions (paged)
→ cards/roles where the service may call them (DSOP “Architecture document” steps 6–7, the DSOP services'
“Løsningsbeskrivelse” pages)."""

from __future__ import annotations

import pytest

from tests.provider import bank as seed
from tests.provider.harness import Bank, default_period

pytestmark = pytest.mark.anyio


async def _all_transactions(bank: Bank, consumer: seed.Consumer, reference: str) -> list[dict[str, object]]:
    """Follow the ``next`` links (DSOP “eOppslag”: relative to the API base ``/v2``, as a consumer appends them) to the
    end."""
    path: str | None = f"/v2/accounts/{reference}/transactions"
    collected: list[dict[str, object]] = []
    pages = 0
    params: dict[str, str] | None = default_period(consumer)
    while path is not None:
        response = await bank.client.get(path, params=params, headers=bank.headers(consumer))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["responseDetails"]["status"] == "complete"
        collected += body["transactions"]
        links = {link["rel"]: link["href"] for link in body.get("links", [])}
        href, params = links.get("next"), None
        path = None
        if href is not None:
            assert href.startswith("/accounts/") and "://" not in href  # relative to the base, like the Bits example
            path = "/v2" + href
        pages += 1
        assert pages < 10
    return collected


@pytest.mark.parametrize("consumer", [seed.SKATT, seed.NAV, seed.POLITI], ids=lambda c: c.service)
async def test_anne_flow(bank: Bank, consumer: seed.Consumer) -> None:
    response = await bank.accounts(consumer, seed.ANNE)
    assert response.status_code == 200, response.text
    listed = {account["accountIdentifier"]: account for account in response.json()["accounts"]}
    assert set(listed) == {seed.NUMBERS[seed.SALARY], seed.NUMBERS[seed.SAVINGS]}
    reference = listed[seed.NUMBERS[seed.SALARY]]["accountReference"]
    assert reference != seed.NUMBERS[seed.SALARY]

    details = await bank.get(consumer, f"/v2/accounts/{reference}")
    assert details.status_code == 200, details.text
    assert details.json()["account"]["accountIdentifier"] == seed.NUMBERS[seed.SALARY]

    transactions = await _all_transactions(bank, consumer, reference)
    identifiers = [item["transactionIdentifier"] for item in transactions]
    assert sorted(identifiers) == sorted(f"s-{index}" for index in range(seed.SALARY_TRANSACTIONS))
    assert len(set(identifiers)) == len(identifiers)  # no page repeats a transaction

    cards = await bank.get(consumer, f"/v2/accounts/{reference}/cards")
    roles = await bank.get(consumer, f"/v2/accounts/{reference}/roles")
    if consumer is seed.POLITI:  # the order allows neither (cards=false, roles=false) → 403 ACC-011
        assert (cards.status_code, cards.json()["code"]) == (403, "ACC-011")
        assert (roles.status_code, roles.json()["code"]) == (403, "ACC-011")
        return
    assert cards.status_code == 200, cards.text
    [card] = cards.json()["paymentCards"]
    assert card["cardIdentifier"].startswith("492500") and card["cardIdentifier"].endswith("5678")
    assert "X" in card["cardIdentifier"]  # PCI DSS masking (DSOP “Data model”)
    assert roles.status_code == 200, roles.text
    holders = {role["identifier"]["value"] for role in roles.json()["roles"]}
    assert holders == {seed.ANNE, seed.BERIT}


async def test_politi_order_allowing_cards_and_roles(bank: Bank) -> None:
    order = bank.order(cards=True, roles=True)
    reference = await bank.reference(seed.POLITI, seed.ANNE, seed.NUMBERS[seed.SALARY], AdditionalReferenceID=order)
    for sub in ("cards", "roles"):
        response = await bank.get(seed.POLITI, f"/v2/accounts/{reference}/{sub}", AdditionalReferenceID=order)
        assert response.status_code == 200, response.text


async def test_konkurs_flow(bank: Bank) -> None:
    response = await bank.accounts(seed.KONKURS, seed.FIRMA)
    assert response.status_code == 200, response.text
    [account] = response.json()["accounts"]
    assert account["status"] == "disabled"  # blocked after the aapning notice (DSOP Konkurs “Løsningsbeskrivelse”)
    reference = account["accountReference"]
    assert (await bank.get(seed.KONKURS, f"/v2/accounts/{reference}")).status_code == 200
    transactions = await _all_transactions(bank, seed.KONKURS, reference)
    assert [item["transactionIdentifier"] for item in transactions] == [f"{seed.BUSINESS}-1"]
    for sub in ("cards", "roles"):  # not in Konkurs' allow-list → 400 ACC-001
        refused = await bank.get(seed.KONKURS, f"/v2/accounts/{reference}/{sub}")
        assert (refused.status_code, refused.json()["code"]) == (400, "ACC-001")


async def test_oed_flow(bank: Bank) -> None:
    reference = await bank.reference(seed.OED, seed.DAG, seed.NUMBERS[seed.ESTATE])
    assert (await bank.get(seed.OED, f"/v2/accounts/{reference}")).status_code == 200
    transactions = await _all_transactions(bank, seed.OED, reference)
    assert {item["transactionIdentifier"] for item in transactions} == {"e-0", "e-1"}
    for sub in ("cards", "roles"):
        refused = await bank.get(seed.OED, f"/v2/accounts/{reference}/{sub}")
        assert (refused.status_code, refused.json()["code"]) == (400, "ACC-001")


async def test_verge_flow_lists_only_accounts_the_guardian_can_use(bank: Bank) -> None:
    response = await bank.accounts(seed.VERGE, seed.WARD)
    assert response.status_code == 200, response.text
    [account] = response.json()["accounts"]
    assert account["accountIdentifier"] == seed.NUMBERS[seed.WARD_MAIN]
    reference = account["accountReference"]
    assert (await bank.get(seed.VERGE, f"/v2/accounts/{reference}")).status_code == 200
    transactions = await _all_transactions(bank, seed.VERGE, reference)
    assert [item["transactionIdentifier"] for item in transactions] == [f"{seed.WARD_MAIN}-1"]
    roles = await bank.get(seed.VERGE, f"/v2/accounts/{reference}/roles")
    assert roles.status_code == 200, roles.text
    cards = await bank.get(seed.VERGE, f"/v2/accounts/{reference}/cards")
    assert (cards.status_code, cards.json()["code"]) == (400, "ACC-001")


async def test_shielded_person_gets_an_empty_complete_list(bank: Bank) -> None:
    response = await bank.accounts(seed.SKATT, seed.SKJERMET)
    assert response.status_code == 200, response.text
    assert response.json() == {"responseDetails": {"status": "complete"}, "accounts": []}


async def test_unknown_party_gets_an_empty_list(bank: Bank) -> None:
    response = await bank.accounts(seed.SKATT, seed.STRANGER)
    assert response.status_code == 200
    assert response.json()["accounts"] == []
