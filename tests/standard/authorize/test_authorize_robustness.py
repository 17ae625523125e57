"""Bad input never crashes ``authorize``: any garbage in any header or query value yields a
typed ``Allowed`` or ``Denied``, and every ``Denied`` is a catalogue code with its own status
(common rules: "Bad input never crashes: always a typed error"; DSOP “eOppslag”).
"""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from opendsop.standard.authorize import authorize
from opendsop.standard.decision import Allowed, Denied
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.errors import CATALOGUE
from opendsop.standard.request import Environment
from tests.standard.authorize._authorize_cases import (
    ALLOWED_ENDPOINTS,
    SERVICES,
    TODAY,
    base_environment,
    base_facts,
    base_request,
)

TEXT_FIELDS = (
    "legal_mandate",
    "account_info_request_id",
    "correlation_id",
    "party_id",
    "account_id",
    "account_reference",
    "only_primary_owner",
    "additional_reference_id_type",
    "additional_reference_id",
    "requester_id",
    "from_date",
    "to_date",
)

# Values aimed at the parsers' edges, mixed with arbitrary text (lone surrogates included).
TRICKY = st.sampled_from(
    [
        "",
        " ",
        "%",
        "%C3",
        "%ZZ",
        "%C3%28",
        "%ED%A0%80",
        "<br>",
        "\ud800",
        "\x00",
        "9" * 11,
        "0" * 9,
        "0" * 11,
        "2026-02-29",
        "9999-12-31",
        "0001-01-01",
        "2026-11-28 ",
        "TRUE ",
        "ｔｒｕｅ",
        "pol1 ",
        "١٢٣",
        "x" * 5000,
        "FI-Utlegg-Test",
        "𝟙𝟘𝟘𝟙𝟘𝟘𝟙𝟘𝟘𝟙𝟘",
    ]
)
GARBAGE = st.one_of(
    st.none(),
    TRICKY,
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None), max_size=20),
)
CASES = st.sampled_from([(service, endpoint) for service in SERVICES for endpoint in ALLOWED_ENDPOINTS[service]])


def _assert_typed(decision: object) -> None:
    assert isinstance(decision, Allowed | Denied)
    if isinstance(decision, Denied):
        assert decision.code in CATALOGUE
        assert decision.status == CATALOGUE[decision.code].status
        assert isinstance(decision.message, str) and decision.message


@settings(max_examples=100, deadline=None)
@given(case=CASES, field=st.sampled_from(TEXT_FIELDS), value=GARBAGE, environment=st.sampled_from(Environment))
def test_garbage_in_one_field_of_a_valid_request_never_raises(
    case: tuple[str, Endpoint], field: str, value: str | None, environment: Environment
) -> None:
    service, endpoint = case
    request = dataclasses.replace(base_request(service, endpoint), **{field: value})
    _assert_typed(authorize(request, base_facts(service, endpoint), TODAY, environment=environment))


@settings(max_examples=100, deadline=None)
@given(
    case=CASES,
    endpoint=st.sampled_from(Endpoint),
    consumer=GARBAGE,
    values=st.fixed_dictionaries({name: GARBAGE for name in TEXT_FIELDS}),
)
def test_garbage_in_every_field_never_raises(
    case: tuple[str, Endpoint], endpoint: Endpoint, consumer: str | None, values: dict[str, str | None]
) -> None:
    service, base_endpoint = case
    request = dataclasses.replace(
        base_request(service, base_endpoint), endpoint=endpoint, consumer_org=consumer or "", **values
    )
    facts = base_facts(service, base_endpoint)
    _assert_typed(authorize(request, facts, TODAY, environment=base_environment(service)))
