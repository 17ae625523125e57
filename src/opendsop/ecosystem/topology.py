# SPDX-License-Identifier: Apache-2.0
"""The topology of a local ecosystem: which parties run, on which loopback ports, over which world.

A topology is a small TOML file (``var/ecosystem.toml`` by default) written by
``dsop synth topology`` and read by ``dsop up``; a person may edit it (ports, a bank's database URL).
Everything else a party needs — keys, certificates, client registrations, CertPub and catalogue
entries — is derived from it by ``provision.py``, so the file names only what a person would choose::

    [world]
    preset = "demo"
    seed = 0

    [network]
    host = "127.0.0.1"

    [authority]
    port = 8040
    # database = "postgresql+asyncpg://…"   (any party's; default: SQLite under the var directory)
    # certpub, relations, registers, prosecution alike

    [consent]
    port = 8060
    # the consent sources (skatteetaten, lanekassen, nav, krav) and the consumers' callback pages
    # (callbacks) alike; a topology written before them gets their default ports

    [[bank]]
    orgno = "984851006"
    name = "DNB Bank ASA"
    port = 8101
    # database = "postgresql+asyncpg://…"   (default: SQLite under the var directory)

    [[agency]]
    orgno = "974760673"
    name = "Konkursforvaltning (Brønnøysundregistrene)"
    services = ["konkurs"]

Every mistake is a :class:`TopologyError` whose message names the file, the entry and the fix.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opendsop.standard.services import PROFILES, services_for_consumer

DEFAULT_TOPOLOGY = Path("var/ecosystem.toml")
SERVICES = ("authority", "certpub", "relations", "registers", "prosecution")
# The consent side: the consent service, its four data sources and the consumers' callback pages (the
# local bank's and insurer's pages the person is sent back to).  Optional in the file: an older topology
# gets these default ports.
CONSENT_SERVICES = ("consent", "skatteetaten", "lanekassen", "nav", "krav", "callbacks")
# Shared platforms started with everything else (the message platform); optional in the file like the
# consent side: an older topology gets the default port.
PLATFORM_SERVICES = ("altinn", "witness", "innsyn")
# The actors' pages served by apps of their own (the agencies' case handling, Vergekontroll and the heirs'
# Digitalt dødsbo); optional in the file like the consent side.
UI_SERVICES = ("agency-ui", "megler-ui")
OPTIONAL_SERVICES = (*CONSENT_SERVICES, *PLATFORM_SERVICES, *UI_SERVICES)
DEFAULT_PORTS = {
    "agency-ui": 8085,
    "megler-ui": 8086,
    "certpub": 8010,
    "relations": 8020,
    "registers": 8030,
    "authority": 8040,
    "prosecution": 8050,
    "consent": 8060,
    "skatteetaten": 8071,
    "lanekassen": 8072,
    "nav": 8073,
    "krav": 8074,
    "callbacks": 8090,
    "altinn": 8080,
    "witness": 8055,
    "innsyn": 8056,
}
FIRST_BANK_PORT = 8101
# The agencies of the standard (their organisation numbers are the profiles' consumer_orgs).
AGENCIES: tuple[tuple[str, str], ...] = (
    ("974760673", "Konkursforvaltning (Brønnøysundregistrene)"),
    ("991825827", "Digitalt dødsbo (Digdir)"),
    ("986186999", "Statsforvalteren / SRF vergemål"),
    ("915429785", "Politiet"),
    ("974761076", "Skatteetaten"),
    ("889640782", "NAV"),
)


class TopologyError(ValueError):
    """A topology that cannot be started; the message says what is wrong and how to fix it."""


@dataclass(frozen=True, slots=True)
class Bank:
    orgno: str
    name: str
    port: int
    database: str | None = None  # None: SQLite under the var directory
    control_api: bool = True  # False: left out of the API catalogue (agencies send it digital letters)


@dataclass(frozen=True, slots=True)
class Agency:
    orgno: str
    name: str
    services: tuple[str, ...]

    @property
    def client_id(self) -> str:
        return f"agency-{self.orgno}"


@dataclass(frozen=True, slots=True)
class Topology:
    path: Path
    preset: str
    seed: int
    host: str
    ports: dict[str, int]  # party name (SERVICES) → port
    banks: tuple[Bank, ...]
    agencies: tuple[Agency, ...]
    today: str | None = None  # the world's reference date (None: the stored world's, else the real Oslo date)
    extra: dict[str, Any] = field(default_factory=dict)
    databases: dict[str, str] = field(default_factory=dict)  # party → its database URL (else SQLite under var)

    @property
    def var_dir(self) -> Path:
        return self.path.parent

    def url(self, party: str) -> str:
        return f"http://{self.host}:{self.ports[party]}"

    def bank_url(self, bank: Bank) -> str:
        """The bank's registered base URL (the tokens' ``aud``, the catalogue's entry)."""
        return f"http://{self.host}:{bank.port}/v2"

    def bank_database(self, bank: Bank) -> str:
        return bank.database or f"sqlite+aiosqlite:///{self.var_dir.resolve()}/bank-{bank.orgno}.db"

    def agency_for(self, service: str) -> Agency:
        for agency in self.agencies:
            if service in agency.services:
                return agency
        raise TopologyError(
            f"{self.path}: no [[agency]] runs the service {service!r}; add one whose organisation "
            f"may (see `dsop rules`)"
        )

    def listeners(self) -> list[tuple[str, int]]:
        """Every (party, port) that must be free to start."""
        return [(name, self.ports[name]) for name in (*SERVICES, *OPTIONAL_SERVICES)] + [
            (f"bank {b.orgno}", b.port) for b in self.banks
        ]


def _fail(path: Path, message: str) -> TopologyError:
    return TopologyError(f"{path}: {message}")


def _port(path: Path, where: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 65_535:
        raise _fail(path, f"{where}: port must be a number 1–65535, got {value!r}")
    return value


def _orgno(path: Path, where: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) != 9 or not value.isdigit():
        raise _fail(path, f"{where}: orgno must be 9 digits in quotes, got {value!r}")
    return value


def _bank(path: Path, index: int, entry: Any) -> Bank:
    where = f"[[bank]] #{index + 1}"
    if not isinstance(entry, dict):
        raise _fail(path, f"{where} must be a table")
    unknown = set(entry) - {"orgno", "name", "port", "database", "control_api"}
    if unknown:
        raise _fail(path, f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("orgno", "name", "port"):
        if key not in entry:
            raise _fail(path, f"{where} lacks {key!r}")
    database = entry.get("database")
    if database is not None and not (isinstance(database, str) and "://" in database):
        raise _fail(path, f"{where}: database must be a SQLAlchemy URL such as postgresql+asyncpg://…")
    control_api = entry.get("control_api", True)
    if not isinstance(control_api, bool):
        raise _fail(path, f"{where}: control_api must be true or false, got {control_api!r}")
    orgno, port = _orgno(path, where, entry["orgno"]), _port(path, where, entry["port"])
    return Bank(orgno, str(entry["name"]), port, database, control_api)


def _agency(path: Path, index: int, entry: Any) -> Agency:
    where = f"[[agency]] #{index + 1}"
    if not isinstance(entry, dict) or "orgno" not in entry:
        raise _fail(path, f"{where} must be a table with orgno, name and services")
    orgno = _orgno(path, where, entry["orgno"])
    allowed = {profile.key for profile in services_for_consumer(orgno)}
    services = entry.get("services") or sorted(allowed)
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        raise _fail(path, f"{where}: services must be a list of service names")
    for service in services:
        if service not in PROFILES:
            raise _fail(path, f"{where}: unknown service {service!r} (one of {', '.join(sorted(PROFILES))})")
        if service not in allowed:
            raise _fail(
                path,
                f"{where}: organisation {orgno} has no legal basis for {service!r} "
                f"(it may run: {', '.join(sorted(allowed)) or 'none'})",
            )
    return Agency(orgno, str(entry.get("name", orgno)), tuple(services))


def parse(path: Path, data: dict[str, Any]) -> Topology:
    """Validate the TOML document ``data`` read from ``path``."""
    world = data.get("world", {})
    if not isinstance(world, dict) or not isinstance(world.get("preset", "demo"), str):
        raise _fail(path, '[world] must give preset = "tiny"|"demo"|"large" and seed = <number>')
    seed = world.get("seed", 0)
    if not isinstance(seed, int):
        raise _fail(path, f"[world] seed must be a number, got {seed!r}")
    missing = [name for name in SERVICES if name not in data]
    if missing:
        raise _fail(
            path,
            f"missing part(s): {', '.join(f'[{name}]' for name in missing)}; every ecosystem needs "
            f"{', '.join(SERVICES)} (regenerate with `dsop synth topology`)",
        )
    ports = {name: _port(path, f"[{name}]", (data[name] or {}).get("port")) for name in SERVICES}
    for name in OPTIONAL_SERVICES:  # absent from an older topology: the default port
        entry = data.get(name, {"port": DEFAULT_PORTS[name]})
        ports[name] = _port(path, f"[{name}]", entry.get("port") if isinstance(entry, dict) else entry)
    databases = {}
    for name in (*SERVICES, *OPTIONAL_SERVICES):
        entry = data.get(name)
        database = entry.get("database") if isinstance(entry, dict) else None
        if database is None:
            continue
        if not (isinstance(database, str) and "://" in database):
            raise _fail(path, f"[{name}]: database must be a SQLAlchemy URL such as postgresql+asyncpg://…")
        databases[name] = database
    banks = tuple(_bank(path, i, entry) for i, entry in enumerate(data.get("bank", [])))
    agencies = tuple(_agency(path, i, entry) for i, entry in enumerate(data.get("agency", [])))
    if not banks:
        raise _fail(path, "no [[bank]]: an ecosystem needs at least one bank")
    if not agencies:
        raise _fail(path, "no [[agency]]: an ecosystem needs at least one agency")
    topology = Topology(
        path=path,
        preset=str(world.get("preset", "demo")),
        seed=seed,
        host=str(data.get("network", {}).get("host", "127.0.0.1")),
        ports=ports,
        banks=banks,
        agencies=agencies,
        today=world.get("today"),
        databases=databases,
    )
    _check_unique(topology)
    return topology


def _check_unique(topology: Topology) -> None:
    seen: dict[int, str] = {}
    for party, port in topology.listeners():
        if port in seen:
            raise _fail(
                topology.path,
                f"port clash: {party} and {seen[port]} both use port {port}; give each its own "
                f"(a consent-side party missing from the file, such as [callbacks], has its default port)",
            )
        seen[port] = party
    orgnos = [bank.orgno for bank in topology.banks]
    duplicates = sorted({orgno for orgno in orgnos if orgnos.count(orgno) > 1})
    if duplicates:
        raise _fail(topology.path, f"bank(s) {', '.join(duplicates)} listed twice")


def read(path: Path = DEFAULT_TOPOLOGY) -> Topology:
    if not path.exists():
        raise TopologyError(
            f"{path} does not exist: create it with `dsop synth topology --out {path}` "
            "(or run `dsop up`, which creates the default one)"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise TopologyError(f"{path} is not valid TOML ({error}); fix it or remove it to regenerate") from None
    return parse(path, data)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(topology: Topology) -> str:
    """The TOML text of ``topology`` (what ``read`` gives back)."""
    lines = [
        "# opendsop local ecosystem: written by `dsop synth topology`, started by `dsop up`.",
        "# Keys, certificates, client registrations, CertPub and catalogue entries are derived from it.",
        "",
        "[world]",
        f"preset = {_quote(topology.preset)}",
        f"seed = {topology.seed}",
    ]
    if topology.today:
        lines.append(f"today = {_quote(topology.today)}")
    lines += ["", "[network]", f"host = {_quote(topology.host)}"]
    for name in (*SERVICES, *OPTIONAL_SERVICES):
        lines += ["", f"[{name}]", f"port = {topology.ports[name]}"]
        if name in topology.databases:
            lines.append(f"database = {_quote(topology.databases[name])}")
    for bank in topology.banks:
        lines += ["", "[[bank]]", f"orgno = {_quote(bank.orgno)}", f"name = {_quote(bank.name)}", f"port = {bank.port}"]
        if bank.database:
            lines.append(f"database = {_quote(bank.database)}")
        if not bank.control_api:
            lines.append("control_api = false")
    for agency in topology.agencies:
        services = ", ".join(_quote(s) for s in agency.services)
        lines += [
            "",
            "[[agency]]",
            f"orgno = {_quote(agency.orgno)}",
            f"name = {_quote(agency.name)}",
            f"services = [{services}]",
        ]
    return "\n".join(lines) + "\n"


def for_world(
    path: Path,
    *,
    preset: str,
    seed: int,
    banks: list[tuple[str, str]] | list[tuple[str, str, bool]],
    host: str = "127.0.0.1",
    first_bank_port: int = FIRST_BANK_PORT,
    ports: dict[str, int] | None = None,
    today: str | None = None,
) -> Topology:
    """The default topology over a generated world's banks (``(orgno, name[, control_api])``): every agency of the
    standard."""
    agencies = tuple(
        Agency(orgno, name, tuple(sorted(p.key for p in services_for_consumer(orgno)))) for orgno, name in AGENCIES
    )
    return Topology(
        path=path,
        preset=preset,
        seed=seed,
        host=host,
        ports={**DEFAULT_PORTS, **(ports or {})},
        banks=tuple(
            Bank(str(row[0]), str(row[1]), first_bank_port + i, control_api=bool(row[2]) if len(row) > 2 else True)
            for i, row in enumerate(banks)
        ),
        agencies=agencies,
        today=today,
    )


__all__ = [
    "AGENCIES",
    "CONSENT_SERVICES",
    "OPTIONAL_SERVICES",
    "PLATFORM_SERVICES",
    "UI_SERVICES",
    "DEFAULT_PORTS",
    "DEFAULT_TOPOLOGY",
    "SERVICES",
    "Agency",
    "Bank",
    "Topology",
    "TopologyError",
    "for_world",
    "parse",
    "read",
    "render",
]
