"""The kit as a bank meets it: its trust parties on loopback (token JWKS, CertPub, prosecution key, the
registers), the project's bank configured from ``bank.env`` alone and served by uvicorn, the test data
imported from the kit's bundle — and every OED check (the registers' death) plus the shared checks
(JWE via CertPub, tokens via the JWKS) passing over real HTTP."""

from __future__ import annotations

import asyncio
import json
import socket
import tempfile
from pathlib import Path

import pytest
import uvicorn

from opendsop.clock import oslo_today, utc_now
from opendsop.conformance.cli import _run
from opendsop.conformance.parties import kit_urls, registers_token
from opendsop.conformance.trust import KitTrust
from opendsop.conformance.world import build_world
from opendsop.provider.app import create_app
from opendsop.provider.imports.run import import_files
from opendsop.provider.settings import ProviderSettings
from opendsop.provider.store import MemoryBankStore
from opendsop.provider.wiring import servicer
from tests.conformance.harness import free_ports

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
BANK = "910000001"


async def test_the_kit_against_the_projects_bank_over_http(tmp_path: Path, reference_dir: Path) -> None:
    kit_port, bank_port = free_ports(3), free_ports(1)
    base = f"http://127.0.0.1:{bank_port}/v2"
    # What `dsop conformance bank` writes into bank.env, made first: the bank starts before the kit's parties.
    trust = KitTrust.create(f"http://127.0.0.1:{kit_port}/", now=utc_now())
    (tmp_path / "kit").mkdir()
    trust.save(tmp_path / "kit")
    pems = trust.write_pems(tmp_path / "kit")
    urls = kit_urls("127.0.0.1", kit_port)
    settings = ProviderSettings(
        bank_orgno=BANK,
        bank_name="Kontrollbanken",
        base_url=base,
        token_issuer=urls.issuer,
        token_jwks_url=urls.jwks,
        certpub_url=urls.certpub,
        certpub_trust_roots=(pems["root"], pems["issuing"]),
        prosecution_jwks_url=urls.prosecution_jwks,
        prosecution_roots=(pems["root"],),
        registers_url=urls.registers,
        registers_token=registers_token(trust, BANK, urls),
        rate_per_second=0,
    )
    store = MemoryBankStore(reference_secret=b"over-http-reference-secret-0123", servicer=servicer(settings))
    with tempfile.TemporaryDirectory() as folder:
        await import_files(store, BANK, build_world(oslo_today(), BANK).write_bundle(Path(folder)))
    sock = socket.socket()
    sock.bind(("127.0.0.1", bank_port))
    server = uvicorn.Server(uvicorn.Config(create_app(settings, store=store), log_config=None, access_log=False))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        code = await _run(base, BANK, ("oed",), tmp_path, False, reference_dir, 10.0, kit_port, 30.0, False)
    finally:
        server.should_exit = True
        await serving
        sock.close()
    report = json.loads((tmp_path / "conformance.json").read_text())
    problems = [f"{c['id']}: {c['outcome']} {c['message']}" for c in report["checks"] if c["outcome"] != "passed"]
    assert problems == [] and code == 0
    assert {"oed.period.death.beyond", "oed.jwe.certpub", "oed.token.unknown-key", "schema.listTransactions"} <= {
        c["id"] for c in report["checks"]
    }
