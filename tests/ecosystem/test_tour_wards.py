"""Which guardianships the tour's Vergekontroll controls: only those that existed in the control year."""

from __future__ import annotations

from datetime import date

import pytest

from opendsop.ecosystem.tour import wards_to_control
from opendsop.synth.model import Guardianship

TASK = ("representasjonDagligbank",)


def _guardianship(ward: str, *, since: date, until: date | None = None, tasks: tuple[str, ...] = TASK) -> Guardianship:
    return Guardianship(
        ward_id=ward,
        guardian_id="g" + ward,
        guardian_name="Verge",
        tjenesteoppgaver=tasks,
        valid_from=since,
        valid_to=until,
    )


@pytest.mark.parametrize(
    ("guardianship", "chosen"),
    [
        pytest.param(_guardianship("a", since=date(2020, 1, 1)), True, id="years-old"),
        pytest.param(_guardianship("a", since=date(2025, 12, 31)), True, id="began-on-the-years-last-day"),
        pytest.param(_guardianship("a", since=date(2026, 1, 1)), False, id="began-after-the-year"),
        pytest.param(_guardianship("a", since=date(2020, 1, 1), until=date(2025, 6, 1)), False, id="ended"),
        pytest.param(_guardianship("a", since=date(2020, 1, 1), tasks=("annet",)), False, id="no-banking-task"),
        pytest.param(_guardianship("nobank", since=date(2020, 1, 1)), False, id="ward-without-accounts"),
    ],
)
def test_a_guardianship_is_controlled_only_if_it_existed_in_the_year(guardianship: Guardianship, chosen: bool) -> None:
    owned = {"a": ["an account"]}
    assert (wards_to_control([guardianship], owned, set(), 2025) == [guardianship]) is chosen


def test_shielded_wards_come_last() -> None:
    shielded, plain = _guardianship("a", since=date(2020, 1, 1)), _guardianship("b", since=date(2020, 1, 1))
    owned = {"a": ["x"], "b": ["y"]}
    assert wards_to_control([shielded, plain], owned, {"a"}, 2025) == [plain, shielded]
