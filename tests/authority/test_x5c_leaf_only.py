"""A grant whose ``x5c`` holds the leaf certificate only (what the Altinn Maskinporten client sends).

Maskinporten knows the issuing CAs of the enterprise-certificate vendors, so it chains a lone leaf
itself; the authority does so with its configured intermediates (``DSOP_AUTHORITY_PKI_INTERMEDIATES``)
and still refuses what it would refuse in a full chain.  One row per rule.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from opendsop.authority import AuthoritySettings, create_app
from opendsop.authority.app import load_pki_intermediates
from opendsop.authority.clients import new_client
from opendsop.authority.grants import JWT_BEARER
from opendsop.authority.store import AuthorityStore
from opendsop.serving import create_engine
from opendsop.trust.jwt import unverified_claims
from opendsop.trust.pki import CertificateAuthority, Credential, certificate_pem
from tests.authority.authority_helpers import ISSUER, KONTO, POLITI, SKATT, START, Clock, grant_claims, sign_grant

pytestmark = pytest.mark.anyio
CLIENT = "skatt-leaf-only"


@dataclass(frozen=True)
class Vendor:
    """A certificate vendor: its root and the issuing CA below it."""

    root: CertificateAuthority
    issuing: CertificateAuthority


@functools.cache
def vendor(name: str) -> Vendor:
    root = CertificateAuthority.create_root(f"{name} Root CA", now=START - timedelta(days=60))
    return Vendor(root, root.issue_intermediate(f"{name} Class 3 CA", now=START - timedelta(days=60)))


@functools.cache
def certificate(vendor_name: str, orgno: str = SKATT, *, expired: bool = False) -> Credential:
    """Valid for a year from yesterday, or (``expired``) for 30 days that ended yesterday."""
    issued, days = (START - timedelta(days=31), 30) if expired else (START - timedelta(days=1), 365)
    return vendor(vendor_name).issuing.issue_enterprise(orgno, organisation_name=f"Org {orgno}", now=issued, days=days)


def leaf_only(credential: Credential) -> list[str]:
    return credential.x5c()[:1]


Row = tuple[Callable[[], list[str]], Callable[[], Credential], bool, int, str]
ROWS: dict[str, Row] = {
    # id: (x5c, signing credential, authority knows the issuing CA, status, what the answer says)
    "full chain": (lambda: certificate("Known").x5c(), lambda: certificate("Known"), False, 200, ""),
    "leaf only, issuing CA known": (
        lambda: leaf_only(certificate("Known")),
        lambda: certificate("Known"),
        True,
        200,
        "",
    ),
    "leaf only, issuing CA not configured": (
        lambda: leaf_only(certificate("Known")),
        lambda: certificate("Known"),
        False,
        401,
        "not issued by a trusted root",
    ),
    "leaf only, unknown vendor": (
        lambda: leaf_only(certificate("Unknown")),
        lambda: certificate("Unknown"),
        True,
        401,
        "not issued by a trusted root",
    ),
    "leaf only, expired": (
        lambda: leaf_only(certificate("Known", expired=True)),
        lambda: certificate("Known", expired=True),
        True,
        401,
        "has expired",
    ),
    "leaf only, another organisation's certificate": (
        lambda: leaf_only(certificate("Known", POLITI)),
        lambda: certificate("Known", POLITI),
        True,
        401,
        f"belongs to organisation {POLITI}, expected {SKATT}",
    ),
    "leaf only, signed with another key": (
        lambda: leaf_only(certificate("Known")),
        lambda: certificate("Unknown"),
        True,
        401,
        "signature",
    ),
}


async def _token_response(tmp_path: Path, x5c: list[str], signer: Credential, knows_issuing_ca: bool) -> httpx.Response:
    known = vendor("Known")
    roots, intermediates = tmp_path / "roots.pem", tmp_path / "intermediates.pem"
    roots.write_bytes(certificate_pem(known.root.certificate))
    intermediates.write_bytes(certificate_pem(known.issuing.certificate))
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'authority.db'}"
    store = AuthorityStore(create_engine(database_url))
    await store.create_schema()
    await store.add_client(new_client(CLIENT, SKATT, [KONTO], certificate=True), now=int(START.timestamp()))
    await store.close()
    settings = AuthoritySettings(
        issuer=ISSUER,
        database_url=database_url,
        pki_roots=(roots,),
        pki_intermediates=(intermediates,) if knows_issuing_ca else (),
    )
    clock = Clock()
    app = create_app(settings, clock=clock)
    async with app.lifespan():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ISSUER.rstrip("/")) as http:
            assertion = sign_grant(grant_claims(CLIENT, clock()), signer.private_key, x5c=x5c)
            return await http.post(
                "/token",
                content=urlencode({"grant_type": JWT_BEARER, "assertion": assertion}),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
async def test_leaf_only_x5c(tmp_path: Path, row: Row) -> None:
    x5c, signer, knows_issuing_ca, status, says = row
    response = await _token_response(tmp_path, x5c(), signer(), knows_issuing_ca)
    assert response.status_code == status, response.text
    if status != 200:
        assert response.json()["error"] == "invalid_client"
        assert says in response.json()["error_description"]
    else:
        claims: dict[str, Any] = unverified_claims(response.json()["access_token"])
        assert claims["client_amr"] == "virksomhetssertifikat"
        assert claims["consumer"]["ID"] == f"0192:{SKATT}"


def test_intermediates_are_read_from_the_configured_pem_files(tmp_path: Path) -> None:
    bundle = tmp_path / "issuing.pem"
    bundle.write_bytes(
        certificate_pem(vendor("Known").issuing.certificate) + certificate_pem(vendor("Unknown").issuing.certificate)
    )
    settings = AuthoritySettings(pki_intermediates=(bundle,))
    assert load_pki_intermediates(settings) == [
        vendor("Known").issuing.certificate,
        vendor("Unknown").issuing.certificate,
    ]
