"""docs/services.md is generated from the service profiles and must not drift from them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from opendsop import rules_table
from opendsop.cli import app

DOC = Path(__file__).resolve().parent.parent / "docs" / "services.md"


def test_the_committed_service_matrix_matches_the_profiles() -> None:
    regenerate = "regenerate it: dsop rules --markdown > docs/services.md"
    assert DOC.read_text(encoding="utf-8") == rules_table.markdown(), regenerate


def test_dsop_rules_prints_every_service() -> None:
    result = CliRunner().invoke(app, ["rules", "--markdown"])
    assert result.exit_code == 0
    for name in (
        "Skatt-kontroll",
        "Politi-utlevering",
        "NAV-kontroll",
        "Konkursbehandling",
        "Oppgjør etter dødsfall",
        "Vergekontroll",
        "FI-Utlegg Saldo",
    ):
        assert name in result.output
