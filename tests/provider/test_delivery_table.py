"""Every row of the field-delivery tables, over HTTP: each service's answer carries the fields its
column delivers (TO, SU, TV under the default policy) and never those it withholds (UI, KF).

The rows are the profiles' delivery tables (``standard.delivery``), which tests/standard/test_delivery.py
checks cell by cell against the service documents; here the bank answers for a seeded bank that holds
every field (account nicknames, full transactions, cards, ended roles).  Fields the bank holds no
value for in that answer are listed in ``NOT_HELD`` with the reason, and only their absence is asserted
where the service must not receive them.  The last tests show the v1-only holder addresses
(Bank_v1.yaml ``AccountRole.postalAddress`` / ``electronicAddresses``): at /v1, never at /v2.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from opendsop.provider.store import ElectronicAddressRow, MemoryBankStore, RelationRole, RelationRow, TransactionRow
from opendsop.standard.control.v1 import ElectronicAddressType
from opendsop.standard.control.v2 import (
    AccountPermissionType,
    AddressType,
    BankTransactionCode,
    CounterParty,
    CounterPartyType,
    CreditOrDebit,
    CurrencyExchange,
    DomainType,
    FamilyType,
    Identifier,
    IdentifierType,
    PostalAddress,
    SubFamilyType,
    Transaction,
    TransactionReference,
    TransactionReferenceType,
    TransactionStatus,
)
from opendsop.standard.delivery import DEFAULT_POLICY, FIELDS
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services import get_profile
from tests.provider import bank as seed
from tests.provider.harness import Bank, Pki, open_bank

pytestmark = pytest.mark.anyio

# (service's consumer, party, the account whose answers are checked)
SUBJECTS = {
    "skatt": (seed.SKATT, seed.ANNE, seed.SALARY),
    "politi": (seed.POLITI, seed.ANNE, seed.SALARY),
    "oed": (seed.OED, seed.DAG, seed.ESTATE),
    "verge": (seed.VERGE, seed.WARD, seed.WARD_MAIN),
    "konkurs": (seed.KONKURS, seed.FIRMA, seed.BUSINESS),
}
NOT_HELD = {
    **{
        (endpoint, "responseDetails.message"): "every answer here is complete: a message explains only a partial one"
        for endpoint in FIELDS
    },
    (Endpoint.ACCOUNTS, "accounts.primaryOwner.endDate"): "the owners still own their accounts",
    (Endpoint.ACCOUNT_DETAILS, "account.primaryOwner.endDate"): "the owners still own their accounts",
    (Endpoint.ACCOUNT_DETAILS, "account.endDate"): "the accounts are open",
    (Endpoint.ACCOUNTS, "links.rel"): "the bank answers an account list in one page",
    (Endpoint.ACCOUNTS, "links.href"): "the bank answers an account list in one page",
}
ADDRESS = PostalAddress(
    type=AddressType.RESIDENTIAL,
    street_name="Kirkegata",
    building_number="7",
    post_code="0153",
    town_name="Oslo",
    country="NO",
)
PHONE = ElectronicAddressRow(type=ElectronicAddressType.PHONE_NUMBER, value="+4791234567")
EMAIL = ElectronicAddressRow(type=ElectronicAddressType.EMAIL_ADDRESS, value="anne.nordmann@eksempel.example")
FORMER = "01017012345"  # a disponent whose right ended in 2025 (roles[].endDate)


def full_transaction(identifier: str, booked: datetime) -> Transaction:
    """A transaction with every v2 field set (Bank_v2.yaml ``Transaction``)."""
    return Transaction(
        transaction_identifier=identifier,
        references=(TransactionReference(value="E2E-77", type=TransactionReferenceType.END_TO_END_IDENTIFICATION),),
        credit_debit_indicator=CreditOrDebit.DEBIT,
        reversal_indicator=False,
        status=TransactionStatus.BOOKED,
        transaction_code=BankTransactionCode(
            domain=DomainType.PAYMENTS,
            family=FamilyType.CUSTOMER_CARD_TRANSACTIONS,
            sub_family=SubFamilyType.POINT_OF_SALE_POS_PAYMENT,
            free_text="Visa Varekjøp",
        ),
        booking_date=booked,
        value_date=booked,
        registered=booked,
        counter_parties=(
            CounterParty(
                account_identifier="98760000001",
                name="Butikken AS",
                type=CounterPartyType.CREDITOR,
                identifier=Identifier(
                    country_of_residence="NO", value="910000003", type=IdentifierType.COUNTRY_IDENTIFICATION_CODE
                ),
                postal_address=PostalAddress(
                    post_code="0150",
                    type=AddressType.BUSINESS,
                    street_name="Storgata",
                    building_number="1",
                    town_name="Oslo",
                    country="NO",
                    address_lines=("Storgata 1", "0150 Oslo"),
                ),
            ),
        ),
        additional_info="Visa varekjøp Butikken AS",
        currency_exchange=CurrencyExchange(
            original_amount=Decimal("10.50"),
            source_currency="EUR",
            target_currency="NOK",
            unit_currency="EUR",
            exchange_rate=Decimal("11.5"),
        ),
        merchant="Butikken AS Storgata",
        payment_card=seed.card(),
        amount=Decimal("120.75"),
        currency="NOK",
    )


async def full_store() -> MemoryBankStore:
    """The provider tests' bank, plus what it lacked for a complete answer."""
    store = MemoryBankStore(reference_secret=seed.REFERENCE_SECRET, servicer=seed.SERVICER, clock=lambda: seed.NOW)
    parties = [replace(row, postal_address=ADDRESS, electronic_addresses=(PHONE, EMAIL)) for row in seed.parties()]
    parties.append(replace(parties[0], party_id=FORMER, name="Frida Tidligere"))
    accounts = [
        replace(row, name=f"Konto {row.account_id[4:]}", credit_line_amount=Decimal("5000"), credit_line_currency="NOK")
        for row in seed.accounts()
    ]
    relations = [
        *seed.relations(),
        *(
            RelationRow(
                account_id=account,
                party_id=FORMER,
                role=RelationRole.DISPONENT,
                start_date=date(2020, 1, 1),
                end_date=date(2025, 10, 1),
                permission=AccountPermissionType.RIGHT_TO_SEE_ONLY,
            )
            for account in SUBJECT_ACCOUNTS
        ),
    ]
    transactions = [
        *seed.transactions(),
        *(
            TransactionRow(
                account_id=account,
                transaction=full_transaction(f"{account}-full-{index}", datetime(2025, 10, 20 + index, 9, tzinfo=UTC)),
            )
            for account in SUBJECT_ACCOUNTS
            for index in range(3)
        ),
    ]
    cards = [
        *seed.cards(),
        *(
            replace(seed.cards()[0], account_id=account, card_id=f"c-{account}")
            for account in SUBJECT_ACCOUNTS
            if account != seed.SALARY
        ),
    ]
    await store.load(
        parties=parties,
        accounts=accounts,
        relations=relations,
        balances=seed.balances(),
        cards=cards,
        transactions=transactions,
    )
    return store


SUBJECT_ACCOUNTS = sorted({account for _, _, account in SUBJECTS.values()})
SUFFIXES = {
    Endpoint.ACCOUNT_DETAILS: "",
    Endpoint.TRANSACTIONS: "/transactions",
    Endpoint.CARDS: "/cards",
    Endpoint.ROLES: "/roles",
}


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


class Answers:
    """Every service's answers for its subject, fetched once per service: endpoint → JSON body."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self.bodies: dict[str, dict[Endpoint, Any]] = {}

    async def of(self, service: str) -> dict[Endpoint, Any]:
        if service not in self.bodies:
            self.bodies[service] = await self._fetch(service)
        return self.bodies[service]

    async def _fetch(self, service: str) -> dict[Endpoint, Any]:
        bank = self.bank
        consumer, party, account = SUBJECTS[service]
        extra = {}
        if service == "politi":  # an order granting every endpoint
            extra["AdditionalReferenceID"] = bank.order(party=party, cards=True, roles=True)
        listed = await bank.accounts(consumer, party, **extra)
        assert listed.status_code == 200, listed.text
        bodies = {Endpoint.ACCOUNTS: listed.json()}
        reference = next(
            item["accountReference"]
            for item in listed.json()["accounts"]
            if item["accountIdentifier"] == seed.NUMBERS[account]
        )
        for endpoint, suffix in SUFFIXES.items():
            if get_profile(service).allows(endpoint):
                answer = await bank.get(consumer, f"/v2/accounts/{reference}{suffix}", **extra)
                assert answer.status_code == 200, answer.text
                bodies[endpoint] = body = answer.json()
                while endpoint is Endpoint.TRANSACTIONS and (following := _next(answer.json())):
                    answer = await bank.client.get("/v2" + following, headers=bank.headers(consumer, **extra))
                    assert answer.status_code == 200, answer.text
                    body["transactions"] += answer.json()["transactions"]
        return bodies


@pytest.fixture(scope="module")
async def answers(token_issuer: Any) -> AsyncIterator[Answers]:
    from tests.provider.harness import build_pki

    bank: Bank = await open_bank(build_pki(), token_issuer, store=await full_store())
    async with bank.client:
        yield Answers(bank)


def _next(body: dict[str, Any]) -> str | None:
    return next((link["href"] for link in body.get("links") or () if link["rel"] == "next"), None)


def _present(body: Any, path: str) -> bool:
    """Whether the dotted wire path (arrays implied) occurs anywhere in ``body``."""
    head, _, rest = path.partition(".")
    if isinstance(body, list):
        return any(_present(item, path) for item in body)
    if not isinstance(body, dict) or body.get(head) is None:
        return False
    return True if not rest else _present(body[head], rest)


ROWS = [
    (service, endpoint, path)
    for service in SUBJECTS
    for endpoint, paths in FIELDS.items()
    if get_profile(service).allows(endpoint)
    for path in paths
]


@pytest.mark.parametrize(
    ("service", "endpoint", "path"),
    ROWS,
    ids=[f"{service}:{endpoint.value}:{path}" for service, endpoint, path in ROWS],
)
async def test_delivery_table_row(answers: Answers, service: str, endpoint: Endpoint, path: str) -> None:
    category = get_profile(service).delivery.category(endpoint, path)
    assert category is not None, f"{path} has no category for {service}"
    present = _present((await answers.of(service))[endpoint], path)
    if not category.delivered(DEFAULT_POLICY):
        assert not present, f"{service} receives {path} ({category.value})"
    elif (endpoint, path) not in NOT_HELD:
        assert present, f"{service} misses {path} ({category.value}), which the bank holds"


async def test_account_name_only_in_the_details(answers: Answers) -> None:
    """Bank_v2.yaml: ``accounts[].name`` is never delivered; ``account.name`` is SU for Skatt and Politi."""
    skatt = await answers.of("skatt")
    assert all("name" not in item for item in skatt[Endpoint.ACCOUNTS]["accounts"])
    assert skatt[Endpoint.ACCOUNT_DETAILS]["account"]["name"] == "Konto salary"
    assert "name" not in (await answers.of("oed"))[Endpoint.ACCOUNT_DETAILS]["account"]  # UI for OED


@pytest.mark.parametrize("service", list(SUBJECTS))
async def test_v2_never_carries_holder_addresses(answers: Answers, service: str) -> None:
    """Bank_v2.yaml's ``AccountRole`` has no postal or electronic address (removed since v1)."""
    for endpoint, body in (await answers.of(service)).items():
        for path in (
            "accounts.primaryOwner.postalAddress",
            "account.primaryOwner.postalAddress",
            "roles.postalAddress",
            "roles.electronicAddresses",
            "accounts.primaryOwner.electronicAddresses",
        ):
            assert not _present(body, path), f"{endpoint.value} carries {path}"


async def test_v1_delivers_the_holders_addresses(pki: Pki, token_issuer: Any) -> None:
    """Bank_v1.yaml ``AccountRole``: ``postalAddress`` and ``electronicAddresses`` of primaryOwner and roles."""
    from tests.provider.test_v1 import v1_accounts, v1_get

    bank = await open_bank(pki, token_issuer, store=await full_store())
    async with bank.client:
        listed = await v1_accounts(bank, seed.NAV, seed.ANNE)
        assert listed.status_code == 200, listed.text
        salary = next(
            item for item in listed.json()["accounts"] if item["accountIdentifier"] == seed.NUMBERS[seed.SALARY]
        )
        owner = salary["primaryOwner"]
        assert owner["postalAddress"] == {
            "type": "residential",
            "streetName": "Kirkegata",
            "buildingNumber": "7",
            "postCode": "0153",
            "townName": "Oslo",
            "country": "NO",
        }
        assert owner["electronicAddresses"] == [
            {"type": "phoneNumber", "value": "+4791234567"},
            {"type": "emailAddress", "value": "anne.nordmann@eksempel.example"},
        ]
        roles = await v1_get(bank, seed.NAV, f"/v1/accounts/{salary['accountReference']}/roles")
        assert roles.status_code == 200, roles.text
        assert all(role["postalAddress"]["townName"] == "Oslo" for role in roles.json()["roles"])
        details = await v1_get(bank, seed.NAV, f"/v1/accounts/{salary['accountReference']}")
        assert details.json()["account"]["primaryOwner"]["electronicAddresses"][0]["type"] == "phoneNumber"
