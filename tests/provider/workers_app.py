"""A bank served by ``opendsop.server.run(..., workers=N)`` for the kill test (tests/provider/test_workers.py).

Run as ``python -c "from tests.provider.workers_app import main; main()" DATABASE PORT MATERIAL WORKERS``:
the bank of ``dsop provider serve --workers N`` on a SQL store and audit log shared by its workers, with
tokens checked against the test's JWKS (``MATERIAL``) instead of an authority's, plaintext answers (test).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ISSUER = "https://workers-issuer.test/"
BANK_ORGNO = "910000001"
SKATT_ORG = "974761076"
SECRET = "workers-test-secret-0123456789abcdef"


def build(settings: Any, material_file: str) -> Any:
    from opendsop.contracts.verify import TokenVerifier
    from opendsop.provider.app import create_app
    from opendsop.provider.ports import MemoryRegisters, RegisterFacts, StaticCertificates
    from opendsop.provider.settings import SCOPE

    jwks = json.loads(Path(material_file).read_text())

    async def fetch(_url: str) -> dict[str, Any]:
        return dict(jwks)

    tokens = TokenVerifier(ISSUER, ISSUER + "jwks", settings.audience, (SCOPE,), fetch_jwks=fetch)
    return create_app(
        settings, tokens=tokens, facts=RegisterFacts(MemoryRegisters()), certificates=StaticCertificates({})
    )


def main() -> None:
    from opendsop.provider.settings import ProviderSettings
    from opendsop.server import Factory, run
    from opendsop.serving import configure_logging

    database_url, port, material_file, workers = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    settings = ProviderSettings(
        bank_orgno=BANK_ORGNO,
        base_url=f"http://127.0.0.1:{port}/v2",
        database_url=database_url,
        rate_per_second=0,
        paging_key=SECRET,
        reference_secret=SECRET,
        token_issuer=ISSUER,
        workers=workers,
    )
    configure_logging("WARNING")
    run(Factory(build, settings, material_file), host="127.0.0.1", port=port, workers=workers)
