"""The client against the real bank and the real token service, in-process (DSOP “Architecture document”; DSOP “Security
design”)."""

from __future__ import annotations

import uuid

import pytest

from opendsop.consumer.errors import BankDenied, Unauthorized
from opendsop.standard.control import v2
from opendsop.standard.endpoints import Endpoint
from tests.consumer.agency import Ecosystem, skatt_case
from tests.provider import bank as seed

pytestmark = pytest.mark.anyio


async def test_accounts_details_and_paged_transactions_decrypted_from_jwe(ecosystem: Ecosystem) -> None:
    client = ecosystem.client()
    case = skatt_case()
    accounts = await client.accounts(ecosystem.bank, case)
    assert accounts.status == "complete"
    numbers = {account.account_identifier: account for account in accounts.value}
    assert set(numbers) == {seed.NUMBERS[seed.SALARY], seed.NUMBERS[seed.SAVINGS]}
    assert all(isinstance(account, v2.Account) for account in accounts.value)
    salary = numbers[seed.NUMBERS[seed.SALARY]]

    details = await client.account_details(ecosystem.bank, case, salary.account_reference)
    assert isinstance(details.value, v2.AccountDetail)
    assert details.value.account_identifier == seed.NUMBERS[seed.SALARY]

    transactions = await client.transactions(ecosystem.bank, case, salary.account_reference)
    # page size 3 at the bank, 7 transactions: three pages, every transaction once
    assert transactions.pages == 3
    assert sorted(t.transaction_identifier for t in transactions.value) == sorted(
        f"s-{index}" for index in range(seed.SALARY_TRANSACTIONS)
    )
    # one token for the bank's audience served all five requests
    assert client.tokens.requests == 1


async def test_every_request_carries_the_case_headers_and_a_fresh_correlation_id(ecosystem: Ecosystem) -> None:
    client = ecosystem.client()
    case = skatt_case()
    accounts = await client.accounts(ecosystem.bank, case)
    await client.transactions(ecosystem.bank, case, accounts.value[0].account_reference)
    records = [row.record for row in await ecosystem.audit.records()]
    assert len(records) >= 2 and all(record.status == 200 for record in records)
    assert {record.account_info_request_id for record in records} == {case.account_info_request_id}
    assert {record.requester_id for record in records} == {"saksbehandler-17"}
    assert all(record.legal_mandate == seed.SKATT.mandate.encoded for record in records)
    correlation_ids = [record.correlation_id for record in records]
    assert len(set(correlation_ids)) == len(correlation_ids)
    assert all(uuid.UUID(value) for value in correlation_ids)


async def test_a_refused_request_is_a_typed_denial_with_the_bank_code(ecosystem: Ecosystem) -> None:
    client = ecosystem.client()
    case = skatt_case()
    with pytest.raises(BankDenied) as raised:
        await client.fetch(ecosystem.bank, case, Endpoint.ACCOUNT_DETAILS, "no-such-reference")
    assert raised.value.status == 404 and raised.value.code in ("ACC-002", "ACC-003")
    assert raised.value.bank == seed.BANK_ORGNO


async def test_a_token_for_another_audience_is_refreshed_once_then_denied(ecosystem: Ecosystem) -> None:
    client = ecosystem.client()
    # poison the cache: a valid token of the authority, but for another bank
    wrong = await client.tokens.get("https://other-bank.test/v2", "bits:kontoinformasjon")
    client.tokens._tokens[(ecosystem.bank.base_url, "bits:kontoinformasjon")] = client.tokens._tokens[
        ("https://other-bank.test/v2", "bits:kontoinformasjon")
    ].__class__(wrong, ecosystem.bank.base_url, "bits:kontoinformasjon", ecosystem.clock().replace(year=2027))
    accounts = await client.accounts(ecosystem.bank, skatt_case())
    assert accounts.status == "complete"  # the 401 led to one fresh token, and the retry passed
    assert client.tokens.requests == 2
    assert [row.record.status for row in await ecosystem.audit.records()] == [401, 200]


async def test_persistent_401_ends_as_unauthorized(ecosystem: Ecosystem) -> None:
    from opendsop.consumer.protocol import HttpRequest, HttpResponse

    client = ecosystem.client()

    async def bad_post(request: HttpRequest, body: bytes) -> HttpResponse:
        return HttpResponse(200, {}, b'{"access_token": "not-a-jwt", "expires_in": 120}')

    client.tokens._post = bad_post
    with pytest.raises(Unauthorized) as raised:
        await client.accounts(ecosystem.bank, skatt_case())
    assert raised.value.code == "ACC-010"
    assert client.tokens.requests == 2  # the first token and exactly one refresh


async def test_a_case_against_the_real_bank_end_to_end_with_the_service_plan(
    ecosystem: Ecosystem, tmp_path: object
) -> None:
    from datetime import timedelta

    from opendsop.consumer.cases import CaseStore
    from opendsop.consumer.fanout import FanOut, Outcome, Plan
    from opendsop.standard.services import SKATT

    store = CaseStore.from_url(f"sqlite+aiosqlite:///{tmp_path}/cases.db")
    await store.create_schema()
    case = skatt_case()
    await store.open_case(
        case_number="SKATT-1", service="skatt", parameters=case, now=ecosystem.clock(), retention=timedelta(days=365)
    )
    (result,) = await FanOut(ecosystem.client(), recorder=store).run(case, [ecosystem.bank], Plan.for_service(SKATT))
    assert result.outcome is Outcome.OK, result.reason
    salary = next(a for a in result.accounts if a.account_identifier == seed.NUMBERS[seed.SALARY])
    assert set(salary.answers) == {Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS, Endpoint.CARDS, Endpoint.ROLES}
    assert len(salary.answers[Endpoint.TRANSACTIONS].value) == seed.SALARY_TRANSACTIONS
    assert len(salary.answers[Endpoint.CARDS].value) == 1
    (stored,) = await store.results(case.account_info_request_id)
    assert stored.outcome is Outcome.OK
    assert {a.account_identifier for a in stored.accounts} == {a.account_identifier for a in result.accounts}
    await store.close()
