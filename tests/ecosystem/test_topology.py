"""The topology file: what ``dsop up`` reads, and one clear message for every mistake in it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from opendsop.ecosystem.topology import CONSENT_SERVICES, DEFAULT_PORTS, TopologyError, for_world, parse, read, render

BANKS = [("984851006", "DNB Bank ASA"), ("920058817", "Nordea Bank Abp, Filial i Norge")]


def valid(path: Path) -> str:
    return render(for_world(path, preset="tiny", seed=3, banks=BANKS))


def test_render_and_read_give_the_same_topology(tmp_path: Path) -> None:
    path = tmp_path / "ecosystem.toml"
    written = for_world(path, preset="tiny", seed=3, banks=BANKS)
    path.write_text(render(written), encoding="utf-8")
    found = read(path)
    assert found == written
    assert found.bank_url(found.banks[0]) == "http://127.0.0.1:8101/v2"
    assert found.bank_database(found.banks[1]).endswith(f"{tmp_path}/bank-920058817.db")
    assert found.agency_for("konkurs").orgno == "974760673"
    assert found.agency_for("verge").orgno == "986186999"
    assert {name for name, _ in found.listeners()} >= set(DEFAULT_PORTS)


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# one row per rule: (what is changed, the phrase the message must contain)
BAD = [
    pytest.param(
        lambda t: _edit(t, "[authority]\nport = 8040\n", ""), "missing part(s): [authority]", id="missing-party"
    ),
    pytest.param(lambda t: _edit(t, "port = 8102", "port = 8101"), "port clash", id="bank-port-clash"),
    pytest.param(lambda t: _edit(t, "port = 8101", "port = 8040"), "port clash", id="bank-takes-a-service-port"),
    pytest.param(lambda t: _edit(t, "port = 8010", "port = 70000"), "port must be a number", id="port-range"),
    pytest.param(lambda t: _edit(t, 'orgno = "984851006"', 'orgno = "98485"'), "9 digits", id="short-orgno"),
    pytest.param(lambda t: _edit(t, 'orgno = "920058817"', 'orgno = "984851006"'), "listed twice", id="bank-twice"),
    pytest.param(
        lambda t: _edit(t, 'services = ["konkurs"]', 'services = ["kredittkort"]'),
        "unknown service",
        id="unknown-service",
    ),
    pytest.param(
        lambda t: _edit(t, 'services = ["konkurs"]', 'services = ["politi"]'),
        "no legal basis",
        id="service-without-legal-basis",
    ),
    pytest.param(lambda t: t[: t.index("[[bank]]")] + t[t.index("[[agency]]") :], "at least one bank", id="no-bank"),
    pytest.param(lambda t: t[: t.index("[[agency]]")], "at least one agency", id="no-agency"),
    pytest.param(
        lambda t: _edit(t, "port = 8101", 'port = 8101\nspeed = "fast"'), "unknown key(s) speed", id="unknown-key"
    ),
    pytest.param(
        lambda t: _edit(t, "port = 8101", 'port = 8101\ndatabase = "somewhere"'),
        "SQLAlchemy URL",
        id="database-not-a-url",
    ),
    pytest.param(lambda t: t + "[[bank\n", "is not valid TOML", id="not-toml"),
    pytest.param(lambda t: _edit(t, "seed = 3", 'seed = "three"'), "seed must be a number", id="seed-text"),
    pytest.param(
        lambda t: _edit(t, "[consent]\nport = 8060", "[consent]\nport = 8040"),
        "port clash",
        id="consent-takes-a-service-port",
    ),
    pytest.param(
        lambda t: _edit(t, "[krav]\nport = 8074", "[krav]\nport = 0"),
        "[krav]: port must be a number",
        id="source-port-range",
    ),
    pytest.param(
        lambda t: _edit(_edit(t, "[callbacks]\nport = 8090\n", ""), "port = 8102", "port = 8090"),
        "port clash: bank 920058817 and callbacks",
        id="default-port-clash",
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_a_bad_topology_is_refused_with_one_clear_message(tmp_path: Path, change, message: str) -> None:
    path = tmp_path / "ecosystem.toml"
    path.write_text(change(valid(path)), encoding="utf-8")
    with pytest.raises(TopologyError) as raised:
        read(path)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)


def test_a_topology_written_before_the_consent_side_gets_its_default_ports(tmp_path: Path) -> None:
    path = tmp_path / "ecosystem.toml"
    text = valid(path)
    for name in CONSENT_SERVICES:
        text = _edit(text, f"[{name}]\nport = {DEFAULT_PORTS[name]}\n", "")
    path.write_text(text, encoding="utf-8")
    found = read(path)
    assert {name: found.ports[name] for name in CONSENT_SERVICES} == {
        name: DEFAULT_PORTS[name] for name in CONSENT_SERVICES
    }
    assert found.url("consent") == "http://127.0.0.1:8060" and found.url("callbacks") == "http://127.0.0.1:8090"
    assert {name for name, _ in found.listeners()} >= set(CONSENT_SERVICES)


def test_a_missing_file_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(TopologyError, match="dsop synth topology"):
        read(tmp_path / "nowhere.toml")


def test_an_agency_without_a_service_runs_all_it_may(tmp_path: Path) -> None:
    text = _edit(valid(tmp_path / "t.toml"), 'services = ["fi_utlegg", "skatt"]\n', "")
    topology = parse(tmp_path / "t.toml", tomllib.loads(text))
    assert topology.agency_for("skatt").services == ("fi_utlegg", "skatt")


def test_a_service_no_agency_runs_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    text = valid(path)
    text = (
        text[: text.index("[[agency]]")] + '[[agency]]\norgno = "974760673"\nname = "Brreg"\nservices = ["konkurs"]\n'
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TopologyError, match="no \\[\\[agency\\]\\] runs the service 'oed'"):
        read(path).agency_for("oed")


def test_a_bank_without_a_control_api_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "ecosystem.toml"
    written = for_world(path, preset="tiny", seed=3, banks=[(*BANKS[0], True), (*BANKS[1], False)])
    path.write_text(render(written), encoding="utf-8")
    assert "control_api = false" in path.read_text(encoding="utf-8")
    assert [bank.control_api for bank in read(path).banks] == [True, False]


def test_any_party_may_name_its_database_and_the_paths_follow(tmp_path: Path) -> None:
    from opendsop.ecosystem.provision import Paths

    path = tmp_path / "ecosystem.toml"
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/relations"
    path.write_text(_edit(valid(path), "[relations]\nport = 8020\n", f'[relations]\nport = 8020\ndatabase = "{url}"\n'))
    found = read(path)
    assert found.databases == {"relations": url}
    assert read_back(found, path) == found  # rendered again, it keeps the choice
    assert Paths.of(found).database("relations") == url
    assert Paths.of(found).database("registers").endswith(f"{tmp_path}/registers.db")  # the rest stay on SQLite
    path.write_text(
        _edit(valid(path), "[relations]\nport = 8020\n", '[relations]\nport = 8020\ndatabase = "relations.db"\n')
    )
    with pytest.raises(TopologyError, match=r"\[relations\]: database must be a SQLAlchemy URL"):
        read(path)


def read_back(topology: object, path: Path) -> object:
    path.write_text(render(topology), encoding="utf-8")  # type: ignore[arg-type]
    return read(path)


def test_the_alminnelig_namsmann_may_start_fi_utlegg_an_on_the_agency_pages(tmp_path: Path) -> None:
    from opendsop.ecosystem.pages import staff_directory
    from opendsop.web import service_role

    directory = staff_directory(for_world(tmp_path / "t.toml", preset="tiny", seed=3, banks=BANKS))
    politiet = directory.get("etterforsker")
    assert politiet is not None and service_role("fi_utlegg_an") in politiet.roles
