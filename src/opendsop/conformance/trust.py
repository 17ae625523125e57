# SPDX-License-Identifier: Apache-2.0
"""The kit's own trust: a token issuer, a test PKI with every agency's CertPub encryption certificate,
and the prosecution's order-signing key — what the bank under test must be told to trust.

Maskinporten tokens (DSOP “Security design”): RS256 with ``iss``, ``aud`` (the bank's registered base
URL), ``scope`` ``bits:kontoinformasjon``, ``consumer`` (``0192:<orgno>``), ``exp``.  Extradition
orders are PS256 JWS signed by the prosecution's certificate (DSOP Politi “Utleveringspålegg”).
Everything is generated per run (or loaded from the run's directory, so a resumed run keeps the
keys the bank was told about).
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from opendsop.prosecution.keystore import SigningKey, create_signing_credential, default_kid
from opendsop.prosecution.orders import issue_extradition_order, jwks_document, new_order
from opendsop.standard import scopes
from opendsop.standard.period import MAX_LOOKBACK_YEARS, years_before
from opendsop.standard.services import all_profiles
from opendsop.trust.jwe import decrypt_compact
from opendsop.trust.jwt import sign_jwt
from opendsop.trust.keys import generate_rsa_key, public_jwks
from opendsop.trust.pki import CertificateAuthority, Credential, TrustStore, certificate_pem

SCOPE = scopes.ACCOUNT_INFORMATION
TOKEN_KID = "conformance-kit-1"  # noqa: S105 - a key id, not a secret


def consumer_orgs() -> tuple[str, ...]:
    """Every organisation number a DSOP service calls from (the service profiles)."""
    return tuple(sorted({org for profile in all_profiles() for org in profile.consumer_orgs}))


@dataclass
class KitTrust:
    issuer: str
    token_key: Any
    stray_key: Any  # a key the bank must not trust (tokens signed by it are forged)
    root: CertificateAuthority
    issuing: CertificateAuthority
    encryption: dict[str, Credential]  # consumer orgno → its CertPub encryption credential
    prosecution: SigningKey

    @classmethod
    def create(cls, issuer: str, *, now: datetime) -> KitTrust:
        issued = now - timedelta(days=1)
        root = CertificateAuthority.create_root("opendsop conformance kit root", now=issued)
        issuing = root.issue_intermediate("opendsop conformance kit enterprise CA", now=issued)
        encryption = {
            org: issuing.issue_enterprise(org, organisation_name=f"AGENCY {org}", now=issued, purpose="encryption")
            for org in consumer_orgs()
        }
        credential = create_signing_credential(issuing, now=issued, environment="test")
        signing = SigningKey(kid=default_kid(credential), credential=credential, root=root.certificate)
        return cls(
            issuer=issuer,
            token_key=generate_rsa_key(kid=TOKEN_KID),
            stray_key=generate_rsa_key(kid=TOKEN_KID),
            root=root,
            issuing=issuing,
            encryption=encryption,
            prosecution=signing,
        )

    # -- kept across runs (the bank is configured once) ---------------------------------------------

    def save(self, directory: Path) -> None:
        from opendsop.files import write_private
        from opendsop.trust.keys import private_key_pem

        def cred(credential: Credential) -> dict[str, Any]:
            return {
                "key": private_key_pem(credential.private_key).decode(),
                "certificate": certificate_pem(credential.certificate).decode(),
                "chain": [certificate_pem(c).decode() for c in credential.chain],
            }

        document = {
            "issuer": self.issuer,
            "token_key": private_key_pem(self.token_key).decode(),
            "stray_key": private_key_pem(self.stray_key).decode(),
            "root": cred(self.root.credential),
            "issuing": cred(self.issuing.credential),
            "encryption": {org: cred(c) for org, c in self.encryption.items()},
            "prosecution": {"kid": self.prosecution.kid, **cred(self.prosecution.credential)},
        }
        write_private(directory / "trust.json", json.dumps(document).encode())

    @classmethod
    def load(cls, directory: Path) -> KitTrust | None:
        from opendsop.trust.keys import key_from_pem
        from opendsop.trust.pki import certificate_from_pem

        path = directory / "trust.json"
        if not path.is_file():
            return None
        doc = json.loads(path.read_text())

        def cred(item: dict[str, Any]) -> Credential:
            return Credential(
                key_from_pem(item["key"].encode()),
                certificate_from_pem(item["certificate"].encode()),
                tuple(certificate_from_pem(c.encode()) for c in item["chain"]),
            )

        root, issuing = cred(doc["root"]), cred(doc["issuing"])
        prosecution = cred(doc["prosecution"])
        return cls(
            issuer=doc["issuer"],
            token_key=key_from_pem(doc["token_key"].encode(), kid=TOKEN_KID),
            stray_key=key_from_pem(doc["stray_key"].encode(), kid=TOKEN_KID),
            root=CertificateAuthority(root.certificate, root.private_key),
            issuing=CertificateAuthority(issuing.certificate, issuing.private_key, issuing.chain),
            encryption={org: cred(item) for org, item in doc["encryption"].items()},
            prosecution=SigningKey(kid=doc["prosecution"]["kid"], credential=prosecution, root=root.certificate),
        )

    # -- what the bank trusts ----------------------------------------------------------------------

    @property
    def jwks(self) -> dict[str, Any]:
        return public_jwks([self.token_key])

    @property
    def prosecution_jwks(self) -> dict[str, Any]:
        return jwks_document([(self.prosecution.kid, self.prosecution.credential)])

    @property
    def trust_store(self) -> TrustStore:
        return TrustStore(roots=(self.root.certificate,))

    def write_pems(self, directory: Path) -> dict[str, Path]:
        """The root and issuing CA certificates (the bank's CertPub and prosecution trust roots)."""
        directory.mkdir(parents=True, exist_ok=True)
        paths = {"root": directory / "kit-root.pem", "issuing": directory / "kit-issuing.pem"}
        paths["root"].write_bytes(certificate_pem(self.root.certificate))
        paths["issuing"].write_bytes(certificate_pem(self.issuing.certificate))
        return paths

    # -- what the agencies send -----------------------------------------------------------------------

    def mint(
        self,
        consumer_org: str,
        *,
        audience: str,
        now: datetime,
        scope: str = SCOPE,
        lifetime: int = 120,
        key: Any = None,
    ) -> str:
        issued = int(now.timestamp())
        claims = {
            "iss": self.issuer,
            "aud": audience,
            "scope": scope,
            "iat": issued,
            "exp": issued + lifetime,
            "jti": str(uuid.uuid4()),
            "client_id": f"kit-{consumer_org}",
            "token_type": "Bearer",
            "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{consumer_org}"},
        }
        return sign_jwt(claims, key or self.token_key, alg="RS256", header={"kid": TOKEN_KID})

    def unsigned(self, consumer_org: str, *, audience: str, now: datetime) -> str:
        """The same claims with ``alg: none`` and no signature (RFC 7519 §6): never to be accepted."""
        signed = self.mint(consumer_org, audience=audience, now=now)
        claims = signed.split(".")[1]
        header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=").decode()
        return f"{header}.{claims}."

    def order(self, party: str, *, now: datetime, today: date, **fields: Any) -> str:
        """A signed extradition order for ``party``: every endpoint allowed unless ``fields`` say otherwise."""
        claims: dict[str, Any] = {
            "partyID": party,
            "mandate": "straffesak",
            "fromDate": years_before(today, MAX_LOOKBACK_YEARS).isoformat(),
            "toDate": today.isoformat(),
            "onlyPrimaryOwner": True,
            "accountDetails": True,
            "transactions": True,
            "cards": True,
            "roles": True,
            "district": {"districtID": "1", "districtLabel": "Oslo politidistrikt"},
            "approval": {
                "approvedByID": "pa-4711",
                "approvedByName": "Kari Kontroll",
                "approvedByRole": "Politiadvokat",
            },
            "caseID": "9b2e7c1a-4d3f-4e8b-a6c5-1f0d2e3b4a59",
            **fields,
        }
        order = new_order(claims, now=now - timedelta(hours=1), synthetic_allowed=True)
        return issue_extradition_order(order, self.prosecution.credential, kid=self.prosecution.kid)

    def decrypt(self, token: str, consumer_org: str) -> bytes:
        return decrypt_compact(token.strip(), self.encryption[consumer_org].private_key)


__all__ = ["SCOPE", "KitTrust", "consumer_orgs"]
