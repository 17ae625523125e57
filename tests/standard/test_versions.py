"""The rows of ``standard.versions`` against the two contracts, and the phase-out window.

Every header and query parameter Bank_v1.yaml / Bank_v2.yaml declares has a row for its version, in the
same place, required exactly when the contract requires it (or stricter, only where
``STRICTER_THAN_CONTRACT`` says so), with the contract's enum; a row marked "not in this version" names
nothing the contract declares.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from opendsop.standard.endpoints import CONTROL_ENDPOINTS
from opendsop.standard.versions import (
    PARAMETER_RULES,
    STRICTER_THAN_CONTRACT,
    ApiVersion,
    Presence,
    rules_for,
    served,
)

CONTRACTS = {ApiVersion.V1: "Bank_v1.yaml", ApiVersion.V2: "Bank_v2.yaml"}
BY_OPERATION = {endpoint.operation_id: endpoint for endpoint in CONTROL_ENDPOINTS}


def _declared(reference_dir: Path, version: ApiVersion) -> list[tuple[Any, dict[str, Any]]]:
    contract = yaml.safe_load((reference_dir / CONTRACTS[version]).read_text(encoding="utf-8"))
    return [
        (BY_OPERATION[operation["get"]["operationId"]], parameter)
        for operation in contract["paths"].values()
        for parameter in operation["get"]["parameters"]
        if parameter["in"] != "path"
    ]


@pytest.mark.parametrize("version", list(ApiVersion))
def test_every_contract_parameter_has_its_row(reference_dir: Path, version: ApiVersion) -> None:
    rules = rules_for(version)
    for endpoint, parameter in _declared(reference_dir, version):
        name = parameter["name"]
        rule = rules.rule(name, endpoint)
        assert rule is not None, f"{version} {endpoint.operation_id}: no row for {name}"
        assert rule.location == parameter["in"], (version, name)
        assert rule.presence is not Presence.NOT_IN_VERSION, (version, name)
        required = parameter.get("required", False)
        if (version, name) not in STRICTER_THAN_CONTRACT:
            assert (rule.presence is Presence.REQUIRED) == required, (version, endpoint.operation_id, name)
        if "enum" in parameter["schema"]:
            assert set(rule.values) == set(parameter["schema"]["enum"]), (version, name)


@pytest.mark.parametrize("version", list(ApiVersion))
def test_no_row_invents_a_parameter(reference_dir: Path, version: ApiVersion) -> None:
    declared = {(endpoint, parameter["name"]) for endpoint, parameter in _declared(reference_dir, version)}
    for rule in PARAMETER_RULES:
        if rule.version is not version:
            continue
        assert rule.source, rule
        for endpoint in rule.endpoints:
            if rule.presence is Presence.NOT_IN_VERSION:
                assert (endpoint, rule.name) not in declared, rule
            else:
                assert (endpoint, rule.name) in declared, rule


@pytest.mark.parametrize(
    ("version", "last_day", "today", "expected"),
    [
        (ApiVersion.V2, None, date(2030, 1, 1), True),
        (ApiVersion.V1, None, date(2026, 1, 1), False),
        (ApiVersion.V1, date(2026, 4, 30), date(2026, 4, 30), True),
        (ApiVersion.V1, date(2026, 4, 30), date(2026, 5, 1), False),
    ],
    ids=["v2-always", "v1-not-configured", "v1-last-day", "v1-day-after"],
)
def test_the_window(version: ApiVersion, last_day: date | None, today: date, expected: bool) -> None:
    assert served(version, v1_served_until=last_day, today=today) is expected
