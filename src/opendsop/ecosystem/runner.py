# SPDX-License-Identifier: Apache-2.0
"""``start``: every party of a topology served on its loopback port, in one process.

Decisions:

* **one process, one event loop**, one uvicorn server per party, each on a socket bound before
  anything starts: a port clash is found before a single party runs, Ctrl-C stops every server
  through the same loop, and no child process can be orphaned.  Each party is built exactly as its
  own ``dsop <party> serve`` builds it (settings in, app out), so any of them can be run alone
  instead, with the same settings as environment variables;
* the world is generated and loaded into ``var/`` the first time (``load.py``; reused afterwards),
  for the real Oslo date unless the topology pins ``today``: a later start reuses the stored world
  and its date (a pinned date that differs from the stored one is refused, naming both);
  then keys, certificates and registrations are derived (``provision.py``);
* every failure before serving is an :class:`EcosystemError` with one message naming what is
  wrong and how to fix it; whatever was started is stopped again.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
from collections.abc import AsyncIterator, Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import uvicorn

from opendsop.clock import oslo_today
from opendsop.ecosystem import dsve_seed
from opendsop.ecosystem import message_platform as messaging
from opendsop.ecosystem.consent_side import PartyNotBuilt, consent_apps, consent_side, register_consent_side
from opendsop.ecosystem.kfr_section import KfrSection
from opendsop.ecosystem.load import LoadReport, WorldMismatch, load_world, stored_today
from opendsop.ecosystem.message_side import ops_sections
from opendsop.ecosystem.provision import CorruptedVar, Provisioned, bank_client_id, provision, register
from opendsop.ecosystem.topology import Topology, TopologyError
from opendsop.server import Factory
from opendsop.server import config as server_config
from opendsop.server import serve as serve_as_party
from opendsop.synth.world import World, generate


class EcosystemError(RuntimeError):
    """The ecosystem cannot start; the message names the cause and the fix."""


@dataclass
class Running:
    """A started ecosystem: where each party listens, and the agencies' client settings."""

    topology: Topology
    provisioned: Provisioned
    world: World
    load: LoadReport
    urls: dict[str, str] = field(default_factory=dict)  # party → base URL

    def consumer_settings(self, service: str) -> Any:
        from opendsop.ecosystem.agencies import consumer_settings

        return consumer_settings(self.topology, service)


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to the runner (one handler for all parties)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(topology: Topology, only: Collection[str] | None = None) -> dict[str, socket.socket]:
    """A listening socket per party (or per party in ``only``); a port in use is an :class:`EcosystemError`
    (nothing stays bound)."""
    sockets: dict[str, socket.socket] = {}
    try:
        for party, port in topology.listeners():
            if only is not None and party not in only:
                continue
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((topology.host, port))
            except OSError as error:
                sock.close()
                if error.errno == errno.EADDRINUSE:
                    raise EcosystemError(
                        f"port {port} ({party}) is already in use — is another `dsop up` running? "
                        f"Stop it, or give {party} another port in {topology.path}"
                    ) from None
                raise EcosystemError(
                    f"cannot listen on {topology.host}:{port} ({party}): {error.strerror}; "
                    f"fix [network] host or the port in {topology.path}"
                ) from None
            sock.listen(128)
            sock.setblocking(False)
            sockets[party] = sock
    except BaseException:
        for sock in sockets.values():
            sock.close()
        raise
    return sockets


async def check_databases(topology: Topology) -> None:
    """Every PostgreSQL URL in the topology answers (checked before anything is loaded or started)."""
    from sqlalchemy import text

    from opendsop.serving import create_engine

    for bank in topology.banks:
        if bank.database is None or not bank.database.startswith("postgresql"):
            continue
        engine = create_engine(bank.database)
        try:
            async with asyncio.timeout(10):
                async with engine.connect() as conn:
                    await conn.execute(text("select 1"))
        except (OSError, TimeoutError, Exception) as error:  # any driver error: report it, never a trace
            hidden = engine.url.render_as_string(hide_password=True)
            raise EcosystemError(
                f"bank {bank.orgno}: PostgreSQL at {hidden} is unreachable "
                f"({type(error).__name__}: {str(error)[:160]}); start PostgreSQL or fix `database` "
                f"for this bank in {topology.path}"
            ) from None
        finally:
            await engine.dispose()


def world_of(topology: Topology) -> World:
    """The topology's world.  Its "today" is the topology's pinned date, else the date of the world
    already loaded under var/ (a later start reuses it), else the real Oslo date (a first start)."""
    try:
        today = date.fromisoformat(topology.today) if topology.today else None
        return generate(
            topology.preset, seed=topology.seed, today=today or stored_today(topology.var_dir) or oslo_today()
        )
    except ValueError as error:
        raise EcosystemError(f"{topology.path}: [world] {error}") from None


async def prepare(
    topology: Topology, *, on_bank: Callable[[str], None] | None = None
) -> tuple[World, LoadReport, Provisioned]:
    """Generate + load the world (first time only), derive keys and registrations."""
    await check_databases(topology)
    world = world_of(topology)
    world_banks = {bank.orgnr for bank in world.banks}
    unknown = [bank.orgno for bank in topology.banks if bank.orgno not in world_banks]
    if unknown:
        raise EcosystemError(
            f"{topology.path}: bank(s) {', '.join(unknown)} are not banks of the world "
            f"{topology.preset}/{topology.seed}; regenerate with `dsop synth topology`"
        )
    try:
        report = await load_world(
            world,
            var_dir=topology.var_dir,
            bank_urls={bank.orgno: bank.database for bank in topology.banks if bank.database},
            on_bank=on_bank,
            party_urls=topology.databases,
        )
        provisioned = provision(topology)
        await register(topology, provisioned)
        await register_consent_side(topology, consent_side(topology))
    except WorldMismatch as error:
        raise EcosystemError(str(error)) from None
    except CorruptedVar as error:
        raise EcosystemError(str(error)) from None
    except Exception as error:  # a damaged database file under var/: say which directory to remove
        raise EcosystemError(
            f"{topology.var_dir} could not be read ({type(error).__name__}: {str(error)[:200]}); "
            f"remove {topology.var_dir} (keeping {topology.path.name}) and start again"
        ) from None
    return world, report, provisioned


def build_apps(
    topology: Topology,
    provisioned: Provisioned,
    *,
    log_level: str = "WARNING",
    world: World | None = None,
    bank_workers: int = 1,
) -> dict[str, Any]:
    """Every party's app, built from its settings exactly as its own ``serve`` command would (the consent
    side's sources serve ``world``, generated from the topology when not given)."""
    from pydantic import SecretStr

    from opendsop.altinn.app import create_app as altinn_app
    from opendsop.altinn.settings import AltinnSettings
    from opendsop.authority import AuthoritySettings
    from opendsop.authority import create_app as authority_app
    from opendsop.certpub.app import create_app as certpub_app
    from opendsop.certpub.settings import CertPubSettings
    from opendsop.ecosystem.audit_side import audit_apps, audit_settings
    from opendsop.ecosystem.dsve_pages import bank_section
    from opendsop.prosecution.app import create_app as prosecution_app
    from opendsop.prosecution.settings import ProsecutionSettings
    from opendsop.provider.app import create_app as bank_app
    from opendsop.provider.settings import ProviderSettings
    from opendsop.registers.app import create_app as registers_app
    from opendsop.registers.settings import RegistersSettings
    from opendsop.relations.app import create_app as relations_app
    from opendsop.relations.settings import RelationsSettings

    paths = provisioned.paths
    side = consent_side(topology)
    issuer = topology.url("authority") + "/"
    jwks = topology.url("authority") + "/jwks"
    apps: dict[str, Any] = {
        "authority": authority_app(
            AuthoritySettings(
                issuer=issuer,
                database_url=paths.database("authority"),
                pki_roots=(provisioned.root_pem,),
                pki_intermediates=(paths.issuing_certificate,),
                consent_url=topology.url("consent"),
                consent_admin_token=side.admin_token,
            )
        ),
        "certpub": certpub_app(
            CertPubSettings(
                database_url=paths.database("certpub"),
                public_url=topology.url("certpub"),
                trust_roots=(provisioned.root_pem,),
            )
        ),
        "relations": relations_app(
            RelationsSettings(
                database_url=paths.database("relations"),
                issuer=issuer,
                jwks_url=jwks,
                audience=topology.url("relations"),
            )
        ),
        "registers": registers_app(
            RegistersSettings(
                database_url=paths.database("registers"),
                **audit_settings(topology, "registers"),
                public_url=topology.url("registers"),
                issuer=issuer,
                jwks_url=jwks,
                # SVV's answers and notices go out over the message platform (registers.loyve_post)
                altinn_url=topology.url("altinn"),
                svv_client_id=f"svv-{messaging.SVV}",
                svv_key_file=paths.keys / "svv" / "grant.pem",
                brreg_client_id=dsve_seed.dsve_client_id(dsve_seed.BRREG.id),  # founding: the register's intake
                brreg_key_file=paths.keys / "dsve" / dsve_seed.BRREG.id / "grant.pem",
                signing_roots=(provisioned.root_pem,),  # DSVE: signed deeds and confirmations
            )
        ),
        "prosecution": prosecution_app(
            ProsecutionSettings(key_dir=paths.prosecution, api_token=SecretStr(provisioned.prosecution_api_token))
        ),
        "altinn": altinn_app(
            AltinnSettings(
                database_url=paths.database("altinn"),
                **audit_settings(topology, "altinn"),
                public_url=topology.url("altinn"),
                issuer=issuer,
                jwks_url=jwks,
            )
        ),
    }
    apps.update(audit_apps(topology))
    for bank in topology.banks:
        secrets = provisioned.banks[bank.orgno]
        settings = ProviderSettings(
            **audit_settings(topology, f"bank-{bank.orgno}"),
            bank_orgno=bank.orgno,
            bank_name=bank.name,
            base_url=topology.bank_url(bank),
            database_url=topology.bank_database(bank),
            token_issuer=issuer,
            token_jwks_url=jwks,
            certpub_url=topology.url("certpub"),
            certpub_trust_roots=(provisioned.root_pem, provisioned.paths.issuing_certificate),
            prosecution_jwks_url=topology.url("prosecution") + "/.well-known/finans-jwks.json",
            prosecution_roots=(provisioned.root_pem,),
            registers_url=topology.url("registers"),
            client_id=bank_client_id(bank.orgno),
            grant_key=secrets.grant_key,
            reference_secret=SecretStr(secrets.reference_secret),
            paging_key=SecretStr(secrets.paging_key),
            log_level=log_level,
        )
        # several workers: each builds the bank from its settings (server.Factory), in a process of its own
        # the console's letters and guarantees act with the bank's platform credentials, as `dsop bank letters`
        sections = (*ops_sections(topology, bank.orgno), KfrSection(paths.database("relations")))
        dsve = bank_section(bank.orgno)  # the DSVE desk: the desks this process has run (one worker only)
        apps[f"bank {bank.orgno}"] = (
            bank_app(settings, ops_sections=(*sections, dsve)) if bank_workers == 1
            else Factory(bank_app, settings, ops_sections=sections)
        )  # fmt: skip
    world = world or world_of(topology)
    population = world.population() if world.preset.shard_count == 1 else next(world.shards(1))
    apps.update(consent_apps(topology, side, population))
    from opendsop.ecosystem.dsve_pages import megler_ui
    from opendsop.ecosystem.pages import agency_ui

    apps["agency-ui"] = agency_ui(topology, population)  # the case handlers', controllers' and heirs' pages
    if "megler-ui" in topology.ports:
        apps["megler-ui"] = megler_ui(topology, provisioned, world, population)  # the estate agent's sales
    return apps


async def _serve_all(
    apps: dict[str, Any], sockets: dict[str, socket.socket], log_level: str
) -> tuple[list[_Server], list[asyncio.Task[None]]]:
    servers: list[_Server] = []
    tasks: list[asyncio.Task[None]] = []
    for party, app in apps.items():
        server = _Server(
            server_config(
                app,
                log_config=None,
                access_log=False,
                lifespan="on",
                log_level=log_level.lower(),
                timeout_graceful_shutdown=5,
            )
        )
        servers.append(server)
        tasks.append(asyncio.create_task(_serve(server, sockets[party]), name=party))
    pending = dict(zip(apps, zip(servers, tasks, strict=True), strict=True))
    while pending:  # uvicorn offers no "started" event; the loop yields until each server reports it
        for party, (server, task) in list(pending.items()):
            if server.started:
                del pending[party]
            elif task.done():
                await _stop(servers, tasks)
                raise EcosystemError(
                    f"{party} did not start (see the log above); try `dsop up --log-level INFO` for details"
                )
        await asyncio.sleep(0.02)
    return servers, tasks


async def _serve(server: _Server, sock: socket.socket) -> None:
    try:
        await serve_as_party(server, sockets=[sock])  # its log lines name the party
    except SystemExit:  # uvicorn exits the process when an app's startup fails; here only that party ends
        server.should_exit = True


async def _stop(servers: list[_Server], tasks: list[asyncio.Task[None]]) -> None:
    for server in servers:
        server.should_exit = True
    await asyncio.gather(*tasks, return_exceptions=True)


@contextlib.asynccontextmanager
async def start(
    topology: Topology,
    *,
    log_level: str = "WARNING",
    wrap: Callable[[str, Any], Any] | None = None,
    only: Collection[str] | None = None,
    on_bank: Callable[[str], None] | None = None,
    workers: int = 1,
) -> AsyncIterator[Running]:
    """Prepare ``var/``, bind every port, serve every party (or those in ``only``) until the block exits.

    ``wrap(party, app)`` may put an ASGI layer in front of a party (tests inject faults with it);
    ``on_bank(orgno)`` is called as each bank's data is loaded (first start only); ``workers`` > 1
    serves each bank from that many processes sharing its port (as ``dsop provider serve --workers``;
    the other parties stay in this process, and ``wrap`` reaches only them).
    """
    if only is not None:
        known = {party for party, _ in topology.listeners()}
        unknown = sorted(set(only) - known)
        if unknown:
            raise EcosystemError(
                f"no party named {', '.join(map(repr, unknown))} in {topology.path}; the parties "
                f"are: {', '.join(sorted(known))}"
            )
    sockets = bind(topology, only)
    try:
        world, report, provisioned = await prepare(topology, on_bank=on_bank)
        built = build_apps(topology, provisioned, log_level=log_level, world=world, bank_workers=workers)
        apps: dict[str, Any] = {
            party: app for party, app in built.items() if party in sockets and not isinstance(app, Factory)
        }
        factories = {party: app for party, app in built.items() if party in sockets and isinstance(app, Factory)}
        if wrap is not None:
            apps = {party: wrap(party, app) for party, app in apps.items()}
        servers, tasks = await _serve_all(apps, sockets, log_level)
        try:
            processes = await _spawn_workers(topology, factories, sockets, workers, log_level)
        except BaseException:
            await _stop(servers, tasks)
            raise
    except BaseException as error:
        for sock in sockets.values():
            sock.close()
        if isinstance(error, TopologyError | PartyNotBuilt):
            raise EcosystemError(str(error)) from None
        raise
    running = Running(
        topology,
        provisioned,
        world,
        report,
        urls={
            party: url
            for party, url in {
                **{name: topology.url(name) for name in topology.ports},
                **{f"bank {b.orgno}": topology.bank_url(b) for b in topology.banks},
            }.items()
            if party in sockets
        },
    )
    try:
        yield running
    finally:
        await _stop(servers, tasks)
        await asyncio.to_thread(_stop_workers, processes)
        for sock in sockets.values():
            sock.close()


def _bank_worker(factory: Factory, sock: socket.socket, log_level: str) -> None:
    """One worker process of a bank (``start(workers=N)``): the app built here, served on the shared socket."""
    from opendsop.serving import configure_logging

    configure_logging(log_level.upper())
    server = uvicorn.Server(
        server_config(
            factory(),
            log_config=None,
            access_log=False,
            lifespan="on",
            log_level=log_level.lower(),
            timeout_graceful_shutdown=5,
        )
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_as_party(server, sockets=[sock]))


async def _spawn_workers(
    topology: Topology, factories: dict[str, Factory], sockets: dict[str, socket.socket], workers: int, log_level: str
) -> list[Any]:
    """``workers`` processes per party in ``factories``, each serving the party's bound socket; returns once
    each party answers its health check (a worker that ends before is an :class:`EcosystemError`)."""
    import multiprocessing

    import httpx

    if not factories:
        return []
    multiprocessing.allow_connection_pickling()
    spawn = multiprocessing.get_context("spawn")
    processes = []
    for party, factory in factories.items():
        for number in range(workers):
            process = spawn.Process(
                target=_bank_worker,
                args=(factory, sockets[party], log_level),
                name=f"{party} worker {number + 1}",
                daemon=True,
            )
            process.start()
            processes.append(process)
    urls = {f"bank {bank.orgno}": f"http://{topology.host}:{bank.port}/health" for bank in topology.banks}
    pending = {party: urls[party] for party in factories}
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            for _ in range(3000):  # each worker imports and builds its bank: seconds on a loaded machine
                if not pending:
                    return processes
                if any(not process.is_alive() for process in processes):
                    raise EcosystemError(
                        "a bank worker ended while starting (see the log above); "
                        "try `dsop up --log-level INFO --workers 1` for details"
                    )
                for party, url in list(pending.items()):
                    with contextlib.suppress(httpx.HTTPError):
                        if (await client.get(url)).status_code == 200:
                            del pending[party]
                await asyncio.sleep(0.1)
        raise EcosystemError(f"{', '.join(pending)} did not start in time; try `dsop up --workers 1`")
    except BaseException:
        _stop_workers(processes)
        raise


def _stop_workers(processes: list[Any]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes what is in flight, then exits
    for process in processes:
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join()


__all__ = ["EcosystemError", "Running", "bind", "build_apps", "check_databases", "prepare", "start", "world_of"]
