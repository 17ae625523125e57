"""Seeded runs are identical byte for byte; another seed gives another world."""

from __future__ import annotations

from pathlib import Path

from opendsop.synth import generate
from opendsop.synth.export import write_jsonl


def _files(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_the_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    write_jsonl(generate("tiny", seed=42).population(), tmp_path / "first")
    write_jsonl(generate("tiny", seed=42).population(), tmp_path / "second")
    first, second = _files(tmp_path / "first"), _files(tmp_path / "second")
    assert first.keys() == second.keys() and "transactions.jsonl" in first
    for name in first:
        assert first[name] == second[name], f"{name} differs between two runs with the same seed"


def test_a_population_streams_the_same_transactions_twice() -> None:
    population = generate("tiny", seed=3).population()
    assert list(population.transactions()) == list(population.transactions())


def test_another_seed_gives_other_people_and_transactions() -> None:
    one, two = generate("tiny", seed=1).population(), generate("tiny", seed=2).population()
    assert [p.person_id for p in one.persons] != [p.person_id for p in two.persons]
    assert [a.kontonr for a in one.accounts] != [a.kontonr for a in two.accounts]
    first = [(t.kontonr, t.amount) for t in one.transactions()][:500]
    second = [(t.kontonr, t.amount) for t in two.transactions()][:500]
    assert first != second


def test_today_is_a_parameter_not_the_clock() -> None:
    from datetime import date

    population = generate("tiny", seed=1, today=date(2024, 3, 1)).population()
    assert population.today == date(2024, 3, 1)
    assert max(t.registered.date() for t in population.transactions()) <= date(2024, 3, 1)
    assert population.window.start == date(2023, 9, 1)  # the preset's six months of history
