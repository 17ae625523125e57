# SPDX-License-Identifier: Apache-2.0
"""The kit's trust parties on loopback, for a bank under test to be pointed at.

* the kit's **token issuer** and the **prosecution's key** (one small app: ``/jwks`` and
  ``/.well-known/finans-jwks.json``) — the kit mints every token and order itself;
* **CertPub** (the project's own app) with every agency's encryption certificate published;
* the **registers** (the project's own app, a SQLite file in the run's directory) holding the
  world's facts: the death, the shielded person, the guardianship and the Konkursvarsel opening.

Each listens on a fixed port (a bank configured once keeps working on a rerun) bound before serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from opendsop.clock import OSLO, utc_now
from opendsop.conformance.trust import KitTrust
from opendsop.conformance.world import World
from opendsop.trust.pki import certificate_pem

DEFAULT_PORTS = {"kit": 8191, "certpub": 8192, "registers": 8193}


@dataclass(frozen=True)
class KitUrls:
    issuer: str
    jwks: str
    prosecution_jwks: str
    certpub: str
    registers: str


def kit_urls(host: str, base_port: int) -> KitUrls:
    """Where the kit's parties listen: the issuer and prosecution key on ``base_port``, CertPub on the
    next port, the registers on the one after."""
    root = f"http://{host}"
    return KitUrls(
        issuer=f"{root}:{base_port}/",
        jwks=f"{root}:{base_port}/jwks",
        prosecution_jwks=f"{root}:{base_port}/.well-known/finans-jwks.json",
        certpub=f"{root}:{base_port + 1}",
        registers=f"{root}:{base_port + 2}",
    )


def _kit_app(trust: KitTrust) -> Any:
    from litestar import Litestar, get

    @get("/jwks", sync_to_thread=False)
    def jwks() -> dict[str, Any]:
        return trust.jwks

    @get("/.well-known/finans-jwks.json", sync_to_thread=False)
    def prosecution() -> dict[str, Any]:
        return trust.prosecution_jwks

    return Litestar([jwks, prosecution], logging_config=None)  # the project's JSON logging stays in force


async def _certpub_app(trust: KitTrust, url: str, now: datetime) -> Any:
    from opendsop.certpub.app import create_app
    from opendsop.certpub.publishing import publishable
    from opendsop.certpub.settings import CertPubSettings
    from opendsop.certpub.store import MemoryCertificateStore
    from opendsop.contracts.certpub.identifiers import DSOP_PROCESS, ParticipantId, parse_process

    store = MemoryCertificateStore()
    for org, credential in trust.encryption.items():
        bundle = certificate_pem(credential.certificate) + b"".join(certificate_pem(c) for c in credential.chain)
        record = publishable(
            bundle,
            participant=ParticipantId(org),
            process=parse_process(DSOP_PROCESS),
            now=now,
            trust_store=trust.trust_store,
        )
        await store.put(record)
    return create_app(CertPubSettings(public_url=url), store=store, trust_store=trust.trust_store)


async def _registers_app(world: World, trust: KitTrust, urls: KitUrls, database: Path) -> Any:
    from opendsop.contracts.registers.models import (
        Adressebeskyttelse,
        KonkursType,
        Konkursvarsel,
        Navn,
        Person,
        PersonStatus,
        Verge,
        Vergemaal,
    )
    from opendsop.contracts.verify import TokenVerifier
    from opendsop.registers.app import Stores, create_app
    from opendsop.registers.settings import RegistersSettings

    database.unlink(missing_ok=True)  # the world of this run only
    url = f"sqlite+aiosqlite:///{database.resolve()}"
    stores = Stores(url)
    await stores.db.create_schema()
    p = world.parties
    people = []
    for key, party in p.items():
        if key == "firma":
            continue
        dead = key == "dag"
        people.append(
            Person(
                identifikasjonsnummer=party,
                navn=Navn(fornavn=key.capitalize(), etternavn="Kontroll"),
                status=PersonStatus.DOED if dead else PersonStatus.BOSATT,
                doedsdato=world.death if dead else None,
                adressebeskyttelse=Adressebeskyttelse.STRENGT_FORTROLIG
                if key == "skjermet"
                else Adressebeskyttelse.UGRADERT,
            )
        )
    await stores.folkeregister.load_persons(people)
    assert world.guardianship_from is not None and world.ruling is not None
    await stores.folkeregister.load_guardianships(
        [
            Vergemaal(
                id="kit-vergemaal-1",
                vergehaver=p["ward"],
                verge=Verge(identifikasjonsnummer=p["guardian"], navn=Navn(fornavn="Geir", etternavn="Verge")),
                tjenesteoppgaver=("representasjonDagligbank",),
                gyldigFraOgMed=world.guardianship_from,
            )
        ]
    )
    await stores.konkurs.load_notices(
        [
            Konkursvarsel(
                uuid="6f1c3a52-3f0e-4d55-9a7e-5b7c1f0e2d11",
                registreringstidspunkt=datetime.combine(world.ruling, time(9), tzinfo=OSLO),
                type=KonkursType.AAPNING,
                debitor=p["firma"],
                kjennelsesdato=world.ruling,
                debitorNavn="Konkurs Testfirma AS",
            )
        ]
    )
    settings = RegistersSettings(database_url=url, public_url=urls.registers, issuer=urls.issuer, jwks_url=urls.jwks)

    async def jwks(_url: str) -> dict[str, Any]:
        return trust.jwks

    verifier = TokenVerifier(urls.issuer, urls.jwks, urls.registers, (), fetch_jwks=jwks)
    return create_app(settings, verifier=verifier, stores=stores)


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise OSError(
            f"cannot listen on {host}:{port} ({error.strerror}); give the kit other ports (--kit-port)"
        ) from None
    sock.listen(64)
    sock.setblocking(False)
    return sock


@contextlib.asynccontextmanager
async def serve_parties(
    world: World, trust: KitTrust, directory: Path, *, host: str = "127.0.0.1", base_port: int = DEFAULT_PORTS["kit"]
) -> AsyncIterator[KitUrls]:
    import uvicorn

    from opendsop.server import config as server_config

    ports = {"kit": base_port, "certpub": base_port + 1, "registers": base_port + 2}
    sockets = {name: _bind(host, port) for name, port in ports.items()}
    urls = kit_urls(host, base_port)
    now = utc_now()
    apps = {
        "kit": _kit_app(trust),
        "certpub": await _certpub_app(trust, urls.certpub, now),
        "registers": await _registers_app(world, trust, urls, directory / "registers.db"),
    }
    servers = [
        uvicorn.Server(server_config(app, access_log=False, lifespan="on", log_level="warning"))
        for app in apps.values()
    ]
    tasks = [
        asyncio.create_task(server.serve(sockets=[sockets[name]])) for server, name in zip(servers, apps, strict=True)
    ]
    try:
        while not all(server.started for server in servers):
            if any(task.done() for task in tasks):
                raise RuntimeError("a kit party did not start")
            await asyncio.sleep(0.02)
        yield urls
    finally:
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        for sock in sockets.values():
            sock.close()


def bank_settings(urls: KitUrls, pems: dict[str, Path], *, registers_token: str) -> dict[str, str]:
    """What the bank under test must trust, as the project's bank reads it (``DSOP_PROVIDER_*``)."""
    roots = f'["{pems["root"]}","{pems["issuing"]}"]'
    return {
        "DSOP_PROVIDER_TOKEN_ISSUER": urls.issuer,
        "DSOP_PROVIDER_TOKEN_JWKS_URL": urls.jwks,
        "DSOP_PROVIDER_CERTPUB_URL": urls.certpub,
        "DSOP_PROVIDER_CERTPUB_TRUST_ROOTS": roots,
        "DSOP_PROVIDER_PROSECUTION_JWKS_URL": urls.prosecution_jwks,
        "DSOP_PROVIDER_PROSECUTION_ROOTS": f'["{pems["root"]}"]',
        "DSOP_PROVIDER_REGISTERS_URL": urls.registers,
        "DSOP_PROVIDER_REGISTERS_TOKEN": registers_token,
    }


def registers_token(trust: KitTrust, bank: str, urls: KitUrls) -> str:
    return trust.mint(
        bank,
        audience=urls.registers,
        now=utc_now(),
        scope="folkeregister:read konkursvarsel:read enhetsregister:read",
        lifetime=int(timedelta(days=7).total_seconds()),
    )


__all__ = ["DEFAULT_PORTS", "KitUrls", "bank_settings", "kit_urls", "registers_token", "serve_parties"]
