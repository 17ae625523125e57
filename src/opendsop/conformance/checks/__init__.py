# SPDX-License-Identifier: Apache-2.0
"""Every check of a run, derived from the service profiles the project's own bank enforces."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from opendsop.conformance.checks.authorize import authorize_checks
from opendsop.conformance.checks.data import data_checks
from opendsop.conformance.checks.protocol import protocol_checks, rate_check
from opendsop.conformance.model import Check
from opendsop.conformance.schema import schema_checks

BANK_SERVICES = ("skatt", "politi", "nav", "konkurs", "oed", "verge")
V1_SERVICES = ("skatt", "politi", "nav", "konkurs")  # the services Control API v1 knew (control_v1)


def derive(
    services: Sequence[str] = BANK_SERVICES, *, version: str = "v2", contract: Path | None = None, rate: bool = True
) -> list[Check]:
    """The run's checks in order: per service its rules and data, then the shared protocol checks,
    the contract's schemas (over every body seen) and last the rate limit (it exhausts a consumer's quota)."""
    checks: list[Check] = []
    for service in services:
        checks += authorize_checks(service, version)
        if version == "v2":  # the delivery table and paging are checked on v2's body shapes
            checks += data_checks(service)
    checks += protocol_checks(services[0])
    checks += schema_checks(version, contract)
    if rate:
        checks.append(rate_check(services[0]))
    ids = [check.id for check in checks]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:  # a profile change that made two checks one id would hide one in the reports
        raise AssertionError(f"duplicate check ids: {sorted(duplicates)}")
    return checks


__all__ = ["BANK_SERVICES", "V1_SERVICES", "derive"]
