"""Generated records fit the Control API v2 contract, and the bulk-loading rows match their columns."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
from typer.testing import CliRunner

from opendsop.standard.control.v2 import models as v2
from opendsop.synth import generate
from opendsop.synth.cli import app
from opendsop.synth.export import COLUMNS, STREAMED, static_rows, streamed_rows
from opendsop.synth.presets import Preset
from opendsop.synth.wire import wire_balance, wire_role, wire_transaction
from tests.synth.conftest import Materialised


def _round_trip(value: msgspec.Struct, type_: type) -> None:
    """Decoding applies the contract's lengths, patterns and enums, which construction does not."""
    msgspec.json.decode(msgspec.json.encode(value), type=type_)


def test_every_transaction_role_and_balance_decodes_as_a_v2_object(tiny: Materialised) -> None:
    cards = {card.card_id: card for card in tiny.population.cards}
    for tx in tiny.transactions:
        _round_trip(wire_transaction(tx, cards), v2.Transaction)
    for role in tiny.population.roles:
        _round_trip(wire_role(role), v2.AccountRole)
    for balances in tiny.balances.values():
        for balance in balances:
            _round_trip(wire_balance(balance), v2.Balance)


def test_rows_have_as_many_values_as_columns() -> None:
    population = generate("tiny", seed=4).population()
    for kind, columns in COLUMNS.items():
        if kind in STREAMED:
            continue
        rows = list(static_rows(population, kind))
        assert rows, kind
        assert all(len(row) == len(columns) for row in rows), kind
    seen = set()
    for kind, row in streamed_rows(population):
        assert len(row) == len(COLUMNS[kind])
        seen.add(kind)
    assert seen == set(STREAMED)


def test_rows_of_one_bank_only_hold_its_accounts() -> None:
    population = generate("tiny", seed=4).population()
    bank = population.banks[0].orgnr
    mine = {a.kontonr for a in population.accounts if a.bank_orgnr == bank}
    rows = [row for kind, row in streamed_rows(population, bank_orgnr=bank) if kind == "transactions"]
    assert rows and {row[1] for row in rows} <= mine


def test_shards_are_a_reproducible_slice_with_world_unique_identifiers() -> None:
    preset = Preset(name="sharded", persons=150, banks=5, months=2, shard_size=60)
    world = generate(preset, seed=11)
    shards = list(world.shards())
    assert [len(s.persons) for s in shards] == [60, 60, 30]
    persons = [p.person_id for s in shards for p in s.persons]
    accounts = [a.kontonr for s in shards for a in s.accounts]
    transactions = [t.transaction_id for s in shards for t in s.transactions()]
    assert len(persons) == len(set(persons)) and len(accounts) == len(set(accounts))
    assert len(transactions) == len(set(transactions))
    (first,) = generate(preset, seed=11).shards(limit=1)
    assert [a.kontonr for a in first.accounts] == [a.kontonr for a in shards[0].accounts]


def test_cli_generate_writes_every_kind(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["generate", "--preset", "tiny", "--seed", "1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert {p.stem for p in tmp_path.iterdir()} == set(COLUMNS)
    first = json.loads((tmp_path / "transactions.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert list(first) == list(COLUMNS["transactions"])


def test_cli_rejects_an_unknown_preset(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["generate", "--preset", "huge", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "huge" in result.output


def test_cli_stats_counts_the_preset() -> None:
    result = CliRunner().invoke(app, ["stats", "--preset", "tiny", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "persons" in result.output and "80" in result.output


def test_demo_preset_has_ten_thousand_persons_and_twenty_banks() -> None:
    world = generate("demo", seed=1)
    population = world.population()
    assert len(world.banks) == 20 and len(population.persons) == 10_000
    assert {a.type for a in population.accounts} == {a for a in v2.AccountType}


def test_the_bulk_path_gives_the_same_rows_as_the_model_path(tiny: Materialised) -> None:
    from opendsop.synth.export import transaction_row, transaction_rows

    population = tiny.population
    bulk = list(transaction_rows(population))
    assert bulk == [transaction_row(tx) for tx in tiny.transactions]
    position = COLUMNS["transactions"].index("references_json")
    for row, tx in zip(bulk, tiny.transactions, strict=True):
        assert json.loads(row[position]) == [[ref.type.value, ref.value] for ref in tx.references]
