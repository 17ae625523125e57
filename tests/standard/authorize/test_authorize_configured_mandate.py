"""FI-Utlegg's production Legal-Mandate as configuration (docs/decisions.md, "FI-Utlegg production
Legal-Mandate"): the standard publishes only "FI-Utlegg-Test", which production refuses; an operator's
configured text is accepted in production, and only for the service it was configured for."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from opendsop.standard.authorize import authorize, configured_mandate_table
from opendsop.standard.decision import Allowed, Denied
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.mandate import encode_uri_component
from opendsop.standard.request import Environment
from opendsop.standard.services.fi_utlegg import AN
from tests.standard.authorize._authorize_cases import NOW, TODAY, base_facts, base_request

PRODUCTION_TEXT = "Tvangsfullbyrdelsesloven § 7-9, jf. FI-Utlegg (configured)"
CONFIGURED = {"fi_utlegg": (PRODUCTION_TEXT,)}
A, CR = Endpoint.ACCOUNTS, Endpoint.CUSTOMER_RELATIONSHIPS
TEST, PROD = Environment.TEST, Environment.PRODUCTION

# (id, endpoint, environment, mandate text, consumer (None: IM), configured, expected code or None for allowed)
ROWS: list[tuple[str, Endpoint, Environment, str, str | None, dict[str, Any], str | None]] = [
    ("test-text-allowed-in-test", A, TEST, "FI-Utlegg-Test", None, {}, None),
    ("test-text-refused-in-production-unconfigured", A, PROD, "FI-Utlegg-Test", None, {}, "ACC-001"),
    ("test-text-still-refused-in-production-when-configured", A, PROD, "FI-Utlegg-Test", None, CONFIGURED, "ACC-001"),
    ("production-text-unconfigured-is-unknown", A, PROD, PRODUCTION_TEXT, None, {}, "ACC-001"),
    ("configured-text-allowed-in-production", A, PROD, PRODUCTION_TEXT, None, CONFIGURED, None),
    ("configured-text-allowed-at-step-1", CR, PROD, PRODUCTION_TEXT, None, CONFIGURED, None),
    ("configured-text-for-another-service-refused", A, PROD, PRODUCTION_TEXT, AN, CONFIGURED, "ACC-011"),
    ("configured-text-for-another-service-refused-at-step-1", CR, PROD, PRODUCTION_TEXT, AN, CONFIGURED, "ERR-001"),
]


@pytest.mark.parametrize(
    ("endpoint", "environment", "text", "consumer", "configured", "code"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_fi_utlegg_production_mandate_is_configuration(
    endpoint: Endpoint,
    environment: Environment,
    text: str,
    consumer: str | None,
    configured: dict[str, Any],
    code: str | None,
) -> None:
    request = dataclasses.replace(base_request("fi_utlegg", endpoint), legal_mandate=encode_uri_component(text))
    if consumer is not None:
        request = dataclasses.replace(request, consumer_org=consumer)
    decision = authorize(
        request,
        base_facts("fi_utlegg", endpoint),
        TODAY,
        environment=environment,
        now=NOW,
        configured_mandates=configured,
    )
    if code is None:
        assert isinstance(decision, Allowed), decision
        assert decision.service == "fi_utlegg"
    else:
        assert isinstance(decision, Denied)
        assert decision.code == code
        assert decision.parameter == "Legal-Mandate"


# (id, configuration, message fragment) — what an operator may not configure
BAD_CONFIGURATION = [
    ("unknown-service", {"fi_utleg": ("x",)}, "unknown DSOP service"),
    ("service-with-published-text", {"skatt": ("x",)}, "published Legal-Mandate"),
    ("empty-text", {"fi_utlegg": (" ",)}, "empty"),
    ("already-published-text", {"fi_utlegg": ("FI-Utlegg-Test",)}, "already a published"),
]


@pytest.mark.parametrize(
    ("configured", "fragment"), [row[1:] for row in BAD_CONFIGURATION], ids=[r[0] for r in BAD_CONFIGURATION]
)
def test_bad_configuration_is_refused(configured: dict[str, tuple[str, ...]], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        configured_mandate_table(configured)
