"""``dsop up`` before anything serves: a port in use, an unreachable PostgreSQL, a damaged ``var/``."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from opendsop.ecosystem.provision import CorruptedVar, provision
from opendsop.ecosystem.runner import EcosystemError, bind, check_databases, prepare, start, world_of
from opendsop.ecosystem.topology import Bank
from tests.ecosystem.harness import tiny_topology


def test_a_port_in_use_names_the_party_and_binds_nothing(tmp_path: Path) -> None:
    topology = tiny_topology(tmp_path)
    taken = socket.socket()
    taken.bind(("127.0.0.1", topology.ports["registers"]))
    taken.listen()
    try:
        with pytest.raises(EcosystemError) as raised:
            bind(topology)
    finally:
        taken.close()
    message = str(raised.value)
    assert f"port {topology.ports['registers']} (registers) is already in use" in message
    assert str(topology.path) in message
    # every socket bound before the clash was closed again: the whole topology binds now
    for sock in bind(topology).values():
        sock.close()


def test_an_unreachable_postgresql_is_named_with_its_fix(tmp_path: Path) -> None:
    topology = tiny_topology(tmp_path)
    first = topology.banks[0]
    broken = dataclasses.replace(
        topology,
        banks=(
            Bank(first.orgno, first.name, first.port, "postgresql+asyncpg://postgres:secret@127.0.0.1:9/bank"),
            *topology.banks[1:],
        ),
    )
    with pytest.raises(EcosystemError) as raised:
        asyncio.run(check_databases(broken))
    message = str(raised.value)
    assert (
        f"bank {first.orgno}: PostgreSQL at postgresql+asyncpg://postgres:***@127.0.0.1:9/bank is unreachable"
        in message
    )
    assert "secret" not in message
    assert "fix `database`" in message


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        pytest.param({"world.json": "{not json"}, "is not a world manifest", id="manifest-garbage"),
        pytest.param(
            {"world.json": json.dumps({"preset": "demo", "seed": 9, "today": "2026-06-15"})},
            "already holds another world",
            id="another-world",
        ),
        pytest.param({"bank-984851006.db": "half"}, "did not finish", id="interrupted-load"),
    ],
)
def test_a_damaged_var_is_refused_with_how_to_recover(tmp_path: Path, damage: dict[str, str], message: str) -> None:
    topology = tiny_topology(tmp_path)
    for name, text in damage.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(EcosystemError) as raised:
        asyncio.run(prepare(topology))
    assert message in str(raised.value)
    assert "remove" in str(raised.value)


@pytest.mark.parametrize("damaged", ["keys/secrets.json", "keys/pki/issuing.pem"])
def test_damaged_keys_are_named(tmp_path: Path, damaged: str) -> None:
    topology = tiny_topology(tmp_path)
    provision(topology)
    (tmp_path / damaged).write_text("garbage", encoding="utf-8")
    with pytest.raises(CorruptedVar, match="remove"):
        provision(topology)


def test_provisioning_twice_keeps_every_key(tmp_path: Path) -> None:
    topology = tiny_topology(tmp_path)
    first = provision(topology)
    files = {path: path.read_bytes() for path in (tmp_path / "keys").rglob("*") if path.is_file()}
    second = provision(topology)
    assert second.banks == first.banks
    assert {path: path.read_bytes() for path in files} == files


def test_only_an_unknown_party_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    topology = tiny_topology(tmp_path)

    async def main() -> None:
        async with start(topology, only=["bank 123456789"]):
            pytest.fail("started an unknown party")

    with pytest.raises(EcosystemError) as raised:
        asyncio.run(main())
    assert "no party named 'bank 123456789'" in str(raised.value)
    assert f"bank {topology.banks[0].orgno}" in str(raised.value)
    assert not (tmp_path / "world.json").exists(), "nothing was loaded"


def test_a_bank_on_its_own_database_is_loaded_there(tmp_path: Path, database_url: str) -> None:
    """A topology may put a bank on PostgreSQL (or any URL): the world is loaded into that database."""
    from sqlalchemy import text

    from opendsop.serving import create_engine
    from opendsop.synth import generate

    topology = tiny_topology(tmp_path / "var")
    first = topology.banks[0]
    moved = dataclasses.replace(
        topology, banks=(Bank(first.orgno, first.name, first.port, database_url), *topology.banks[1:])
    )
    asyncio.run(prepare(moved))

    async def count() -> int:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                return (await conn.execute(text("select count(*) from bank_account"))).scalar_one()
        finally:
            await engine.dispose()

    world = generate("tiny", today=world_of(moved).today)  # the date the world was loaded for
    expected = sum(1 for a in world.population().accounts if a.bank_orgnr == first.orgno)
    assert expected > 0 and asyncio.run(count()) == expected
    if "sqlite" not in database_url:
        assert not (tmp_path / "var" / f"bank-{first.orgno}.db").exists()


@pytest.mark.parametrize("party", ["consent", "lanekassen"])
def test_a_consent_side_party_that_fails_to_start_stops_everything_naming_it(tmp_path: Path, party: str) -> None:
    topology = tiny_topology(tmp_path)

    def failing(name: str, app: Any) -> Any:
        if name != party:
            return app

        async def refuse(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "lifespan":
                await receive()
                await send({"type": "lifespan.startup.failed", "message": "no database"})
                return
            await app(scope, receive, send)

        return refuse

    async def main() -> None:
        async with start(topology, wrap=failing):
            pytest.fail(f"started although {party} failed")

    with pytest.raises(EcosystemError) as raised:
        asyncio.run(main())
    assert str(raised.value).startswith(f"{party} did not start") and "\n" not in str(raised.value)
    for sock in bind(topology).values():  # every party was stopped again: every port is free
        sock.close()


def test_the_consent_side_keeps_its_keys_and_secrets_and_names_a_damaged_file(tmp_path: Path) -> None:
    from opendsop.ecosystem.consent_side import consent_side

    topology = tiny_topology(tmp_path)
    first = consent_side(topology)
    files = {path: path.read_bytes() for path in (tmp_path / "keys" / "consent").iterdir()}
    assert consent_side(topology) == first
    assert {path: path.read_bytes() for path in files} == files
    assert all(path.stat().st_mode & 0o077 == 0 for path in files), "the owner's only"
    (tmp_path / "keys" / "consent" / "secrets.json").write_text("[1]", encoding="utf-8")
    with pytest.raises(CorruptedVar, match="remove it"):
        consent_side(topology)
