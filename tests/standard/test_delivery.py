"""Every cell of the field-delivery tables (DSOP “Data model”) against the service profiles.

The tables are read from the digest itself, so each documented (field, service) pair is one test
row, and a change in either the spec or a profile shows up as a named failure.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from opendsop.standard.delivery import FIELDS, Category, DeliveryPolicy
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services import get_profile

SECTION_ENDPOINTS = {
    "Accounts": Endpoint.ACCOUNTS,
    "Account Details": Endpoint.ACCOUNT_DETAILS,
    "Transactions": Endpoint.TRANSACTIONS,
    "Cards": Endpoint.CARDS,
    "Roles": Endpoint.ROLES,
}
COLUMNS = {"Skatt": "skatt", "Politi": "politi", "OED": "oed", "Verge": "verge", "Konkurs": "konkurs"}
# The service tables' spellings that the wire does not use (DSOP “Endpoint Roles V.2.0”; DSOP “Data model” note).
SPELLING = {"roles.accountRole.": "roles.", "creditDebitIdicator": "creditDebitIndicator"}


def _wire_path(documented: str) -> str:
    for written, wire in SPELLING.items():
        documented = documented.replace(written, wire)
    return documented


def _read_cells(spec_dir: Path) -> list[tuple[Endpoint, str, str, str]]:
    text = (spec_dir / "datamodel.md").read_text(encoding="utf-8")
    section = text.split("### 3.4", 1)[1].split("### 3.5", 1)[0]
    cells: list[tuple[Endpoint, str, str, str]] = []
    for block in re.split(r"^#### ", section, flags=re.MULTILINE)[1:]:
        heading, _, body = block.partition("\n")
        endpoint = SECTION_ENDPOINTS[heading.strip()]
        header: list[str] = []
        for line in body.splitlines():
            if not line.startswith("|") or set(line) <= set("|- "):
                continue
            columns = [cell.strip() for cell in line.strip("|").split("|")]
            if columns[0].startswith("Field"):
                header = columns[1:]
                continue
            path = _wire_path(columns[0].strip("`"))
            for service_column, value in zip(header, columns[1:], strict=True):
                cells.append((endpoint, path, COLUMNS[service_column], value))
    return cells


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "cell" in metafunc.fixturenames:
        spec = Path(os.environ.get("DSOP_SPEC_DIR", Path(__file__).resolve().parents[3] / "shared" / "spec"))
        cells = _read_cells(spec) if spec.is_dir() else []
        metafunc.parametrize(
            "cell", cells or [None], ids=[f"{e.value}:{p}:{s}" for e, p, s, _ in cells] or ["spec-absent"]
        )


def test_documented_cell(cell: tuple[Endpoint, str, str, str] | None, spec_dir: Path) -> None:
    assert cell is not None, f"no DSOP “Data model” cells could be read from {spec_dir}"
    endpoint, path, service, documented = cell
    profile = get_profile(service)
    if documented == "—":
        assert not profile.allows(endpoint), f"{service} must not reach {endpoint.value}"
        return
    assert profile.allows(endpoint)
    assert path in FIELDS[endpoint], f"{path} is documented but missing from FIELDS"
    assert profile.delivery.category(endpoint, path) == Category(documented)


def test_the_tables_cover_every_field(spec_dir: Path) -> None:
    documented = {(endpoint, path) for endpoint, path, _, _ in _read_cells(spec_dir)}
    ours = {(endpoint, path) for endpoint, paths in FIELDS.items() for path in paths}
    assert ours == documented


@pytest.mark.parametrize(
    ("category", "policy", "delivered"),
    [
        (Category.TO, DeliveryPolicy(), True),
        (Category.SU, DeliveryPolicy(), True),
        (Category.UI, DeliveryPolicy(deliver_kf=True, deliver_tv=True), False),
        (Category.KF, DeliveryPolicy(), False),
        (Category.KF, DeliveryPolicy(deliver_kf=True), True),
        (Category.TV, DeliveryPolicy(), True),
        (Category.TV, DeliveryPolicy(deliver_tv=False), False),
    ],
)
def test_policy_decides_only_the_undecided_categories(
    category: Category, policy: DeliveryPolicy, delivered: bool
) -> None:
    assert category.delivered(policy) is delivered


@pytest.mark.parametrize("service", ["skatt", "politi", "nav", "konkurs", "oed", "verge", "fi_utlegg"])
def test_account_name_is_never_delivered_in_the_account_list(service: str) -> None:
    # DSOP “Endpoint Accounts V.2.0”: accounts[].name "Will not be delivered"; every service marks it UI.
    assert get_profile(service).delivery.category(Endpoint.ACCOUNTS, "accounts.name") is Category.UI


def test_nav_and_fi_utlegg_are_marked_provisional() -> None:
    from opendsop.standard.services import nav

    assert get_profile("nav").provisional and get_profile("fi_utlegg").provisional
    assert nav.__doc__ is not None and "PROVISIONAL" in nav.__doc__
