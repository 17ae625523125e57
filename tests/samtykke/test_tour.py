"""The demo's SBL consent tour: approve, pull, revoke, refused — told from real answers.

Expectations come from the synthetic world the parties serve and from DSOP SBL “Om tjenesten” (the
mandated consent text, 12 complete months, the latest tax year, IM-010/SSG-010 after revocation).
"""

from __future__ import annotations

import statistics
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from opendsop.ecosystem.inprocess_consent import BANK_NAME, NOW, SEED
from opendsop.ecosystem.sbl_tour import consent_tour
from opendsop.samtykke import loan
from opendsop.sources.data import Person, generate_world

pytestmark = pytest.mark.anyio


def _applicant() -> Person:
    world = generate_world(SEED, today=NOW.date(), persons=8, organisations=3)
    return next(iter(world.persons.values()))


def _kroner(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal(1)):,}".replace(",", " ") + " kr"


async def _told(width: int = 400) -> str:
    console = Console(record=True, width=width, color_system=None)
    await consent_tour(console)
    return console.export_text()


async def test_the_story_approves_pulls_and_is_refused_after_revocation() -> None:
    person = _applicant()
    story = await _told()
    # Step 1: the request names the resource, the 12 complete months before 28.11.2026 and the latest tax year.
    assert "ske-sbl-inntekt" in story and person.fnr in story
    assert "fraOgMed 2025-11 · tilOgMed 2026-10" in story
    assert f"inntektsaar {person.latest_tax_year}" in story
    # Step 2: the person sees the mandated text with the bank's name, and approves.
    assert loan.consent_text(BANK_NAME) in story
    approved = story.index("status=accepted")
    # Step 3: the figures are those the world holds for the person (rettighetspakke sbl).
    totals: dict[str, Decimal] = {}
    for report in person.income:
        if "2025-11" <= report.kalendermaaned <= "2026-10":
            amount = sum((i.beloep for i in report.incomes if "sbl" in i.packages), Decimal(0))
            totals[report.kalendermaaned] = totals.get(report.kalendermaaned, Decimal(0)) + amount
    median = statistics.median(totals.values())
    pulled = story.index(f"median per month     {_kroner(median)}")
    assert f"months with income   {len(totals)} (2025-11 – 2026-10)" in story
    tax = next(t for t in person.tax_bases if t.inntektsaar == person.latest_tax_year)
    items = {i.teknisk_navn: i.beloep for i in tax.items}
    assert f"skattegrunnlag {person.latest_tax_year}" in story
    assert f"bruttoformue {_kroner(items['bruttoformue'])}" in story
    assert f"samletGjeld {_kroner(items['samletGjeld'])}" in story
    assert "flags" in story
    # Steps 4–5: revoked on "my consents", then the sources refuse with their documented codes.
    revoked = story.index("trukket tilbake")
    income_refused, tax_refused = story.index("403 IM-010"), story.index("403 SSG-010")
    assert approved < pulled < revoked < income_refused < tax_refused
    assert "invalid_grant" in story[tax_refused:]


async def test_the_story_is_compact_on_an_80_column_terminal() -> None:
    story = await _told(width=80)
    assert len(story.splitlines()) <= 40


async def test_the_tour_leaves_no_files_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    await _told()
    assert list(tmp_path.iterdir()) == []
