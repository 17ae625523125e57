"""The service matrix rendered from the profiles themselves (``dsop rules``, docs/services.md).

Because the rules are data (``standard.services``), the documentation is generated from them and
cannot drift: tests/test_rules_table.py fails when docs/services.md differs from this rendering.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table

from opendsop.standard import CONTROL_ENDPOINTS, Endpoint, all_profiles
from opendsop.standard.mandate import BY_KEY
from opendsop.standard.period import MAX_LOOKBACK_YEARS
from opendsop.standard.services import OwnerRule, PeriodRule, ServiceProfile
from opendsop.standard.services.control_v1 import V1_PROFILES

PERIODS = {
    PeriodRule.TEN_YEARS: f"≤ {MAX_LOOKBACK_YEARS} years back → ≤ today",
    PeriodRule.BEFORE_KJENNELSESDATO: "≥ kjennelsesdato − {months} months → today",
    PeriodRule.AROUND_DEATH: "≥ date of death − {months} months → today",
    PeriodRule.LAST_CALENDAR_YEAR: "last calendar year, inside the guardianship",
    PeriodRule.TODAY_ONLY: "today only",
}
OWNERS = {OwnerRule.EITHER: "true or false", OwnerRule.TRUE_ONLY: "true only", OwnerRule.PER_ORDER: "per the order"}
COLUMNS = (
    "Service",
    "Consumer (org no.)",
    "Legal-Mandate step 1 (relations hub)",
    "Legal-Mandate step 2 (Control API)",
    "Step 2 endpoints",
    "OnlyPrimaryOwner",
    "AdditionalReferenceIDType",
    "RequesterID",
    "Period",
)


def rows() -> list[tuple[str, ...]]:
    table: list[tuple[str, ...]] = []
    for profile in all_profiles():
        endpoints = ", ".join(endpoint.operation_id for endpoint in CONTROL_ENDPOINTS if profile.allows(endpoint))
        step1 = "+ accountServicingProvider" if profile.allows(Endpoint.ACCOUNT_SERVICING_PROVIDER) else ""
        name = profile.name + (" (provisional)" if profile.provisional else "")
        table.append(
            (
                name,
                f"{profile.consumer} ({', '.join(sorted(profile.consumer_orgs))})",
                _texts(profile.step1_mandates),
                _texts(profile.step2_mandates),
                f"{endpoints} {step1}".strip(),
                OWNERS[profile.owner_rule],
                profile.reference.value if profile.reference else "—",
                "required" if profile.requester_id_required else "—",
                _period(profile),
            )
        )
    return table


def _period(profile: ServiceProfile) -> str:
    return PERIODS[profile.period_rule].format(months=profile.lookback_months)


def _texts(keys: tuple[str, ...]) -> str:
    """Each mandate's text, its other published spellings in parentheses."""
    cells = []
    for key in keys:
        mandate = BY_KEY[key]
        spellings = f" (also spelled {'; '.join(mandate.aliases)})" if mandate.aliases else ""
        cells.append(mandate.text + spellings)
    return "; ".join(cells)


V1_COLUMNS = (
    "Service",
    "Consumer (org no.)",
    "Legal-Mandate",
    "Endpoints",
    "OnlyPrimaryOwner (not in v1)",
    "AdditionalReferenceIDType",
    "Period",
    "Source",
)


def v1_rows() -> list[tuple[str, ...]]:
    """The Control API v1 services, served at /v1 while the bank's phase-out window is open."""
    table: list[tuple[str, ...]] = []
    for profile in V1_PROFILES:
        endpoints = ", ".join(endpoint.operation_id for endpoint in CONTROL_ENDPOINTS if profile.allows(endpoint))
        table.append(
            (
                profile.name,
                f"{profile.consumer} ({', '.join(sorted(profile.consumer_orgs))})",
                _texts(profile.step2_mandates),
                endpoints,
                "taken as true" if profile.owner_rule is OwnerRule.TRUE_ONLY else "taken as false",
                profile.reference.value if profile.reference else "—",
                _period(profile),
                profile.source,
            )
        )
    return table


def _table(columns: tuple[str, ...], body: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return lines + ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in body]


MATRIX_WIDTH = 180  # below this a nine-column matrix wraps every cell into a column of single words


def rich_table(width: int) -> RenderableType:
    """``dsop rules`` on a terminal ``width`` columns wide: the matrix where it fits, else one card per
    service (field, value) that reads at any width."""
    if width >= MATRIX_WIDTH:
        table = Table(title="DSOP services")
        for column in COLUMNS:
            table.add_column(column, overflow="fold")
        for row in rows():
            table.add_row(*row)
        return table
    cards: list[RenderableType] = []
    for row in rows():
        card = Table(title=row[0], title_justify="left", show_header=False, width=width, expand=True)
        card.add_column("", style="bold", no_wrap=True)
        card.add_column("", overflow="fold", ratio=1)
        for name, value in zip(COLUMNS[1:], row[1:], strict=True):
            card.add_row(name, value)
        cards.append(card)
    return Group(*cards)


def markdown() -> str:
    lines = [
        "# DSOP services as opendsop enforces them",
        "",
        "Generated from `opendsop.standard.services` by `dsop rules --markdown`; do not edit by hand.",
        "",
        *_table(COLUMNS, rows()),
        "",
        "## Control API v1 (`/v1`, while the bank's phase-out window is open)",
        "",
        "Judged by v1's rules: no RequesterID, no OnlyPrimaryOwner; v2's texts are refused at `/v1` and these "
        "at `/v2`.",
        "",
        *_table(V1_COLUMNS, v1_rows()),
    ]
    return "\n".join(lines) + "\n"


__all__ = ["COLUMNS", "MATRIX_WIDTH", "V1_COLUMNS", "markdown", "rich_table", "rows", "v1_rows"]
