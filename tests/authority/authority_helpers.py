"""Helpers shared by the authority tests: constants, a hand-moved clock, a test PKI, grant builders."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from opendsop.trust.jwt import sign_jwt
from opendsop.trust.pki import CertificateAuthority, Credential

START = datetime(2026, 5, 4, 12, 0, 0, tzinfo=UTC)
ISSUER = "http://authority.test/"
BANK = "https://api.bank.test/dsop/v2"
# Organisation numbers with valid MOD11 check digits (Skatteetaten, Politiet, Brreg, a bank).
SKATT = "974761076"
POLITI = "915429785"
BRREG = "974760673"
SUPPLIER = "889640782"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass(frozen=True)
class Pki:
    root: CertificateAuthority
    other_root: CertificateAuthority  # a PKI the authority does not trust

    def enterprise(self, orgno: str, *, trusted: bool = True) -> Credential:
        """An enterprise certificate for ``orgno`` (cached: RSA key generation is slow)."""
        cache_key = (orgno, trusted)
        if cache_key not in _CREDENTIALS:
            ca = self.root if trusted else self.other_root
            _CREDENTIALS[cache_key] = ca.issue_enterprise(
                orgno, organisation_name=f"Org {orgno}", now=START - timedelta(days=1)
            )
        return _CREDENTIALS[cache_key]


_CREDENTIALS: dict[tuple[str, bool], Credential] = {}


def make_pki() -> Pki:
    earlier = START - timedelta(days=30)
    return Pki(
        root=CertificateAuthority.create_root("Test Root CA", now=earlier),
        other_root=CertificateAuthority.create_root("Rogue Root CA", now=earlier),
    )


def grant_claims(client_id: str, now: datetime, **overrides: Any) -> dict[str, Any]:
    """A grant that satisfies every rule; a test overrides one claim (None removes it)."""
    iat = int(now.timestamp())
    claims: dict[str, Any] = {
        "aud": ISSUER,
        "iss": client_id,
        "iat": iat,
        "exp": iat + 60,
        "jti": str(uuid.uuid4()),
        "scope": "bits:kontoinformasjon",
        "resource": [BANK],
    }
    for name, value in overrides.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def sign_grant(claims: Mapping[str, Any], key: Any, *, alg: str = "RS256", x5c: list[str] | None = None) -> str:
    header: dict[str, Any] = {"kid": None, "x5c": x5c} if x5c is not None else {}
    return sign_jwt(claims, key, alg=alg, header=header)


# -- the registry every endpoint test starts from, made with the CLI ---------------------------------

KID_CLIENT = "skatt-kid"  # Skatteetaten, private_key_jwt
CERT_CLIENT = "skatt-cert"  # Skatteetaten, virksomhetssertifikat
SUPPLIER_CLIENT = "supplier-kid"  # a supplier (leverandør) acting for Skatteetaten
KONTO = "bits:kontoinformasjon"
KUNDEFORHOLD = "bits:kundeforhold"


def register_with_cli(database_url: str, client_key: Any, jwks_file: Any) -> None:
    """Register the test clients, scopes and a delegation through `dsop authority …`."""
    import json

    from typer.testing import CliRunner

    from opendsop.authority.cli import app
    from opendsop.trust.keys import public_jwks

    jwks_file.write_text(json.dumps(public_jwks([client_key])))
    runner = CliRunner()
    commands = [
        ["client", "add", KID_CLIENT, "--org", SKATT, "--scope", KONTO, "--jwks", str(jwks_file)],
        ["scope", "grant", KID_CLIENT, KUNDEFORHOLD],
        ["client", "add", CERT_CLIENT, "--org", SKATT, "--scope", KONTO, "--certificate"],
        ["client", "add", SUPPLIER_CLIENT, "--org", SUPPLIER, "--scope", KONTO, "--scope", KUNDEFORHOLD,
         "--jwks", str(jwks_file)],
        ["delegation", "add", "--consumer", SKATT, "--supplier", SUPPLIER, "--scope", KONTO],
    ]  # fmt: skip
    for command in commands:
        result = runner.invoke(app, ["--database-url", database_url, *command])
        assert result.exit_code == 0, result.output
