"""filter_response: what leaves the bank for each service (DSOP “Data model”)."""

from __future__ import annotations

from datetime import date
from random import Random
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opendsop.standard import wire
from opendsop.standard.delivery import FIELDS, TECHNICAL, DeliveryPolicy
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.examples import account_details, accounts_page, transactions_page
from opendsop.standard.filtering import filter_response, strip_plan
from opendsop.standard.services import all_profiles, get_profile

TODAY = date(2026, 11, 28)
SERVICES = [profile.key for profile in all_profiles()]


def leaf_paths(value: Any, prefix: str = "") -> set[str]:
    """Every present leaf of a JSON document, as a wire path without array markers."""
    if isinstance(value, dict):
        paths: set[str] = set()
        for key, inner in value.items():
            paths |= leaf_paths(inner, f"{prefix}.{key}" if prefix else key)
        return paths
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return set().union(*(leaf_paths(item, prefix) for item in value))
    return {prefix}


def as_json(payload: Any) -> Any:
    return msgspec.json.decode(wire.encode(payload))


def page(endpoint: Endpoint) -> Any:
    rng = Random(7)
    if endpoint is Endpoint.ACCOUNTS:
        return accounts_page(rng, TODAY)
    if endpoint is Endpoint.ACCOUNT_DETAILS:
        return account_details(rng, TODAY)
    return transactions_page(rng, TODAY, count=60, next_href="/v2/accounts/r/transactions?continuationToken=x")


OED_WITHHELD_BY_DEFAULT = {
    "transactions.counterParties.accountIdentifier",
    "transactions.counterParties.postalAddress.postCode",
    "transactions.counterParties.postalAddress.type",
    "transactions.counterParties.postalAddress.streetName",
    "transactions.counterParties.postalAddress.buildingNumber",
    "transactions.counterParties.postalAddress.townName",
    "transactions.counterParties.postalAddress.country",
    "transactions.currencyExchange.originalAmount",
    "transactions.currencyExchange.sourceCurrency",
    "transactions.currencyExchange.targetCurrency",
    "transactions.currencyExchange.unitCurrency",
    "transactions.currencyExchange.exchangeRate",
}


def test_oed_transactions_lose_exactly_the_kan_filtreres_bort_fields() -> None:
    payload = page(Endpoint.TRANSACTIONS)
    before = leaf_paths(as_json(payload))
    after = leaf_paths(as_json(filter_response("oed", Endpoint.TRANSACTIONS, payload)))
    assert before - after == OED_WITHHELD_BY_DEFAULT & before
    assert OED_WITHHELD_BY_DEFAULT & before, "the example page must exercise the KF fields"
    assert "transactions.counterParties.identifier.value" in after  # TO stays


def test_oed_kan_filtreres_bort_is_delivered_when_the_policy_says_so() -> None:
    payload = page(Endpoint.TRANSACTIONS)
    policy = DeliveryPolicy(deliver_kf=True)
    assert filter_response("oed", Endpoint.TRANSACTIONS, payload, policy=policy) is payload


@pytest.mark.parametrize("service", ["skatt", "politi", "nav", "verge", "konkurs"])
def test_services_that_receive_every_transaction_field_get_the_page_untouched(service: str) -> None:
    payload = page(Endpoint.TRANSACTIONS)
    assert filter_response(service, Endpoint.TRANSACTIONS, payload) is payload


def test_konkurs_til_vurdering_withheld_leaves_only_the_technical_fields() -> None:
    payload = page(Endpoint.TRANSACTIONS)
    filtered = filter_response("konkurs", Endpoint.TRANSACTIONS, payload, policy=DeliveryPolicy(deliver_tv=False))
    remaining = leaf_paths(as_json(filtered))
    assert remaining <= TECHNICAL | {"responseDetails.message"}
    assert "transactions.transactionIdentifier" in remaining


@pytest.mark.parametrize("service", SERVICES)
def test_the_account_list_never_carries_the_account_name(service: str) -> None:
    filtered = as_json(filter_response(service, Endpoint.ACCOUNTS, page(Endpoint.ACCOUNTS)))
    assert filtered["accounts"] and all("name" not in account for account in filtered["accounts"])
    assert all("name" in account["primaryOwner"] for account in filtered["accounts"])  # the owner's name is SU


@pytest.mark.parametrize(
    ("service", "servicer_name", "account_name"),
    [
        ("skatt", False, True),  # servicer.name UI, account.name SU
        ("politi", False, True),
        ("oed", True, False),  # servicer.name SU, account.name UI
        ("verge", True, False),
        ("konkurs", False, True),  # servicer.name UI, account.name TV (delivered by default)
        ("fi_utlegg", True, False),
    ],
)
def test_account_details_names_per_service(service: str, servicer_name: bool, account_name: bool) -> None:
    account = as_json(filter_response(service, Endpoint.ACCOUNT_DETAILS, page(Endpoint.ACCOUNT_DETAILS)))["account"]
    assert ("name" in account["servicer"]) is servicer_name
    assert ("name" in account) is account_name
    assert account["servicer"]["identifier"]["value"]  # TO


def test_filtering_never_mutates_the_input_and_in_place_gives_the_same_result() -> None:
    payload = page(Endpoint.TRANSACTIONS)
    original = wire.encode(payload)
    copied = wire.encode(filter_response("oed", Endpoint.TRANSACTIONS, payload))
    assert wire.encode(payload) == original
    same = filter_response("oed", Endpoint.TRANSACTIONS, payload, in_place=True)
    assert same is payload and wire.encode(payload) == copied


def test_json_documents_are_filtered_like_typed_bodies() -> None:
    payload = page(Endpoint.TRANSACTIONS)
    document = as_json(payload)
    expected = wire.encode(filter_response("oed", Endpoint.TRANSACTIONS, payload))
    assert msgspec.json.encode(filter_response("oed", Endpoint.TRANSACTIONS, document)) == expected
    assert document == as_json(payload)  # the dict was not touched


def test_a_fully_withheld_object_disappears_with_its_parent() -> None:
    plan = strip_plan("oed", Endpoint.TRANSACTIONS)
    assert plan == {
        "transactions": {"counterParties": {"accountIdentifier": None, "postalAddress": None}, "currencyExchange": None}
    }


def test_an_endpoint_the_service_may_not_call_has_no_filter() -> None:
    with pytest.raises(ValueError, match="may not call"):
        filter_response("konkurs", Endpoint.CARDS, {"paymentCards": []})


# A JSON document of one endpoint, with an arbitrary subset of its documented leaves present.
def documents(endpoint: Endpoint) -> st.SearchStrategy[dict[str, Any]]:
    def build(chosen: list[str]) -> dict[str, Any]:
        root: dict[str, Any] = {}
        for path in chosen:
            top, *rest = path.split(".")
            node = root
            if top in ("accounts", "transactions", "paymentCards", "roles", "links"):
                node = root.setdefault(top, [{}])[0]
            else:
                node = root.setdefault(top, {})
            for name in rest[:-1]:
                node = node.setdefault(name, {})
            if rest:
                node[rest[-1]] = "x"
        return root

    return st.lists(st.sampled_from(FIELDS[endpoint]), unique=True).map(build)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_filtering_never_adds_a_field_and_keeps_every_technical_one(data: st.DataObject) -> None:
    service = data.draw(st.sampled_from(SERVICES))
    profile = get_profile(service)
    endpoint = data.draw(st.sampled_from(sorted(set(FIELDS) & profile.endpoints)))
    policy = DeliveryPolicy(deliver_kf=data.draw(st.booleans()), deliver_tv=data.draw(st.booleans()))
    document = data.draw(documents(endpoint))
    before = leaf_paths(document)
    after = leaf_paths(filter_response(service, endpoint, document, policy=policy))
    withheld = profile.delivery.withheld(endpoint, policy)
    assert after <= before
    assert after.isdisjoint(withheld)
    assert (before & TECHNICAL) <= after
