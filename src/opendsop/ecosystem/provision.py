# SPDX-License-Identifier: Apache-2.0
"""Everything a topology's parties need besides their data: keys, certificates and registrations.

Derived from the topology, kept under ``<var>/keys`` and created once (a second start reuses them):

* one local test PKI (root → issuing CA, ``keys/pki``): it issues every agency's encryption
  certificate (virksomhetssertifikat, published in CertPub) and the prosecution's order-signing
  certificate; the banks, CertPub and the prosecution trust its root, and the token service also
  knows its issuing CA (an enterprise certificate's ``x5c`` may hold the leaf only);
* per agency (``keys/agency-<orgno>``): the key that signs its JWT grants (``grant.pem``) and the key
  and certificate of its CertPub encryption certificate;
* per bank (``keys/bank-<orgno>``): a grant key (the bank asks the registers for facts with tokens
  from the token service) and the secrets that keep accountReferences and continuation tokens
  stable across restarts;
* the prosecution's signing credential (``prosecution/``) and its API token.

Every file there is the owner's only (0600 in 0700 directories, written atomically: ``opendsop.files``);
looser modes left by an older version are fixed at the next start, with one warning.

``register`` then writes the registrations into the parties' own databases before they start, the
way an operator would through each party's admin API: clients at the token service, the agencies'
certificates in CertPub, every bank's base URL in the API catalogue.  All of it is idempotent.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from opendsop.clock import utc_now
from opendsop.ecosystem import dsve_seed
from opendsop.ecosystem import message_platform as messaging
from opendsop.ecosystem.topology import Topology
from opendsop.files import tighten, write_private
from opendsop.prosecution import keystore
from opendsop.standard import otp, scopes
from opendsop.standard.services.fi_utlegg import AN as FI_UTLEGG_AN_ORG
from opendsop.standard.services.fi_utlegg import IM as FI_UTLEGG_IM_ORG
from opendsop.synth.aordning import INSTITUTIONS
from opendsop.trust.errors import CertificateError
from opendsop.trust.keys import generate_rsa_key, key_from_pem, private_key_pem, public_jwks
from opendsop.trust.pki import CertificateAuthority, Credential, certificate_from_pem, certificate_pem

AGENCY_SCOPES = (
    scopes.ACCOUNT_INFORMATION,
    scopes.CUSTOMER_RELATIONS,
    "folkeregister:read",
    "konkursvarsel:read",
    "enhetsregister:read",
    *messaging.AGENCY_SCOPES,  # digital letters and their answers over the message platform
)
BANK_SCOPES = (
    "folkeregister:read",
    "konkursvarsel:read",
    "enhetsregister:read",
    scopes.CUSTOMER_RELATIONS_WRITE,
    "svv:transportloyvegaranti",  # the bank as guarantor at Statens vegvesen's løyveregister
    *dsve_seed.REGISTER_SCOPES,  # DSVE: grunnbok, e-tinglysing (deletions), Foretaksregisteret (founding)
    *messaging.BANK_SCOPES,  # its inbox and broker files on the message platform
)
FI_UTLEGG_AN_SCOPES = (scopes.CUSTOMER_RELATIONS_FI_UTLEGG_AN, scopes.ACCOUNT_INFORMATION)
PENSION_SCOPES = otp.SCOPES  # Skatteetaten's three OTP APIs and NAV's Aa-registeret OTP API

_log = logging.getLogger("opendsop.ecosystem")


class CorruptedVar(RuntimeError):
    """A file under ``var/keys`` is unreadable; the message says which and how to recover."""


@dataclass(frozen=True, slots=True)
class Paths:
    """Where a topology's derived files live, and each party's database (the topology's choice, else SQLite)."""

    var: Path
    databases: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, topology: Topology) -> Paths:
        return cls(topology.var_dir, topology.databases)

    @property
    def keys(self) -> Path:
        return self.var / "keys"

    @property
    def root_certificate(self) -> Path:
        return self.keys / "pki" / "root.pem"

    @property
    def issuing_certificate(self) -> Path:
        """The local enterprise CA under the root: banks need it to chain agencies' CertPub certificates."""
        return self.keys / "pki" / "issuing.pem"

    @property
    def prosecution(self) -> Path:
        return self.var / "prosecution"

    def agency(self, orgno: str) -> Path:
        return self.keys / f"agency-{orgno}"

    def bank(self, orgno: str) -> Path:
        return self.keys / f"bank-{orgno}"

    def pension(self, orgno: str) -> Path:
        """A pension institution's grant key (Ajourhold av OTP)."""
        return self.keys / f"pension-{orgno}"

    def database(self, name: str) -> str:
        return self.databases.get(name) or f"sqlite+aiosqlite:///{self.var.resolve()}/{name}.db"


@dataclass(frozen=True, slots=True)
class BankSecrets:
    reference_secret: str
    paging_key: str
    grant_key: Path


@dataclass(frozen=True, slots=True)
class Provisioned:
    paths: Paths
    root_pem: Path
    encryption_certificates: dict[str, bytes]  # agency orgno → certificate PEM
    banks: dict[str, BankSecrets]
    prosecution_api_token: str


def _write(path: Path, data: bytes) -> None:
    write_private(path, data)  # 0600 in a 0700 directory, atomically: never a half-written or exposed key


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CorruptedVar(f"{path} cannot be read ({error.strerror}); remove {path.parent} to recreate it") from None


def _pki(paths: Paths, now: datetime) -> CertificateAuthority:
    pki = paths.keys / "pki"
    issuing_cert, issuing_key = paths.issuing_certificate, pki / "issuing-key.pem"
    if issuing_cert.exists() and issuing_key.exists() and paths.root_certificate.exists():
        try:
            return CertificateAuthority(
                certificate=certificate_from_pem(_read(issuing_cert)), private_key=key_from_pem(_read(issuing_key))
            )
        except (ValueError, CertificateError):
            raise CorruptedVar(
                f"{pki} holds a damaged certificate or key; remove {paths.keys} (every key is then "
                "made anew) and start again"
            ) from None
    root = CertificateAuthority.create_root("opendsop local ecosystem root", now=now - timedelta(days=1))
    issuing = root.issue_intermediate("opendsop local enterprise CA", now=now - timedelta(days=1))
    _write(paths.root_certificate, certificate_pem(root.certificate))
    _write(issuing_key, private_key_pem(issuing.private_key))
    _write(issuing_cert, certificate_pem(issuing.certificate))
    return issuing


def _key(path: Path) -> None:
    if not path.exists():
        _write(path, private_key_pem(generate_rsa_key()))


def _encryption(directory: Path, issuing: CertificateAuthority, orgno: str, name: str, now: datetime) -> bytes:
    cert_path, key_path = directory / "encryption-cert.pem", directory / "encryption.pem"
    if not (cert_path.exists() and key_path.exists()):
        credential: Credential = issuing.issue_enterprise(
            orgno, organisation_name=name, now=now - timedelta(days=1), purpose="encryption"
        )
        _write(key_path, private_key_pem(credential.private_key))
        _write(cert_path, b"".join(certificate_pem(cert) for cert in credential.path()))  # leaf + issuing CA
    return _read(cert_path)


def _secrets(path: Path) -> dict[str, str]:
    if path.exists():
        try:
            found = json.loads(_read(path))
            if isinstance(found, dict) and all(isinstance(v, str) for v in found.values()):
                return found
        except ValueError:
            pass
        raise CorruptedVar(f"{path} is damaged; remove it (references and continuation tokens then change)")
    return {}


def _secret(store: dict[str, str], name: str) -> str:
    return store.setdefault(name, secrets.token_urlsafe(32))


def _restrict(paths: Paths) -> None:
    """Keys written by an older version (or copied with a loose umask) are made private again, with one warning."""
    roots = (paths.keys, paths.prosecution, *sorted(paths.var.glob("*.db*")))  # the databases hold keys too
    fixed = [path for root in roots for path in tighten(root)]
    if fixed:
        _log.warning(
            "%d key or secret file(s) under %s were readable by other users; now 0600 in 0700 directories",
            len(fixed),
            paths.var,
        )


def provision(topology: Topology, *, now: datetime | None = None) -> Provisioned:
    """Create what is missing under ``<var>/keys`` and ``<var>/prosecution``; return where everything is."""
    now = now or utc_now()
    paths = Paths.of(topology)
    _restrict(paths)
    issuing = _pki(paths, now)
    certificates = {}
    for agency in topology.agencies:
        directory = paths.agency(agency.orgno)
        _key(directory / "grant.pem")
        certificates[agency.orgno] = _encryption(directory, issuing, agency.orgno, agency.name, now)
    secrets_path = paths.keys / "secrets.json"
    stored = _secrets(secrets_path)
    banks = {}
    for bank in topology.banks:
        _key(paths.bank(bank.orgno) / "grant.pem")
        banks[bank.orgno] = BankSecrets(
            _secret(stored, f"reference:{bank.orgno}"),
            _secret(stored, f"paging:{bank.orgno}"),
            paths.bank(bank.orgno) / "grant.pem",
        )
    for orgno, _ in INSTITUTIONS:
        _key(paths.pension(orgno) / "grant.pem")
    _key(paths.keys / "svv" / "grant.pem")  # Statens vegvesen: the løyveregister's letters on the message platform
    for org in dsve_seed.DSVE_ORGS:
        _key(paths.keys / "dsve" / org.id / "grant.pem")
    api_token = _secret(stored, "prosecution-api")
    _write(secrets_path, json.dumps(stored, indent=1, sort_keys=True).encode())
    if not (paths.prosecution / keystore.KEY_FILE).exists():
        credential = keystore.create_signing_credential(issuing, now=now - timedelta(days=1), environment="test")
        keystore.save(
            paths.prosecution,
            keystore.SigningKey(
                kid=keystore.default_kid(credential),
                credential=credential,
                root=certificate_from_pem(_read(paths.root_certificate)),
            ),
        )
    return Provisioned(paths, paths.root_certificate, certificates, banks, api_token)


async def register(topology: Topology, provisioned: Provisioned, *, now: datetime | None = None) -> None:
    """Client registrations, CertPub entries and catalogue entries, written into the parties' stores."""
    now = now or utc_now()
    await _register_clients(topology, provisioned, now)
    await _publish_certificates(topology, provisioned, now)
    await _catalogue(topology, provisioned)
    await messaging.register_message_platform(topology, provisioned)


async def _register_clients(topology: Topology, provisioned: Provisioned, now: datetime) -> None:
    from opendsop.authority.clients import new_client
    from opendsop.authority.store import AuthorityStore
    from opendsop.serving import create_engine

    paths = provisioned.paths
    Wanted = tuple[str, str, tuple[str, ...], Path]
    wanted: list[Wanted] = [
        (agency.client_id, agency.orgno, _agency_scopes(agency.orgno), paths.agency(agency.orgno) / "grant.pem")
        for agency in topology.agencies
    ]
    wanted += [
        (bank_client_id(bank.orgno), bank.orgno, BANK_SCOPES, provisioned.banks[bank.orgno].grant_key)
        for bank in topology.banks
    ]
    wanted += [
        (pension_client_id(orgno), orgno, PENSION_SCOPES, paths.pension(orgno) / "grant.pem")
        for orgno, _ in INSTITUTIONS
    ]
    wanted.append((f"svv-{messaging.SVV}", messaging.SVV, messaging.AGENCY_SCOPES, paths.keys / "svv" / "grant.pem"))
    wanted += [  # DSVE: the estate agent and Foretaksregisteret's intake
        (dsve_seed.dsve_client_id(org.id), org.id, dsve_seed.DSVE_SCOPES, paths.keys / "dsve" / org.id / "grant.pem")
        for org in dsve_seed.DSVE_ORGS
    ]
    store = AuthorityStore(create_engine(paths.database("authority")))
    try:
        await store.create_schema()
        for client_id, orgno, scopes, key_path in wanted:
            found = await store.get_client(client_id)
            if found is None:
                jwks = public_jwks([key_from_pem(_read(key_path), kid=client_id)])
                await store.add_client(new_client(client_id, orgno, scopes, jwks=jwks), now=int(now.timestamp()))
            elif not set(scopes) <= set(found.scopes):  # a var/ made by an older version: grant what is new
                await store.grant_scopes(client_id, scopes)
        # FI-Utlegg: the alminnelig namsmann (Politiet) delegates its calls to Skatteetaten's Kontoforespørsel
        await store.add_delegation(FI_UTLEGG_AN_ORG, FI_UTLEGG_IM_ORG, FI_UTLEGG_AN_SCOPES, now=int(now.timestamp()))
    finally:
        await store.close()


async def _publish_certificates(topology: Topology, provisioned: Provisioned, now: datetime) -> None:
    from opendsop.certpub.publishing import publishable
    from opendsop.certpub.store import SqlCertificateStore
    from opendsop.contracts.certpub.identifiers import DSOP_PROCESS, ParticipantId, parse_process
    from opendsop.serving import create_engine
    from opendsop.trust.pki import TrustStore

    trust = TrustStore(roots=(certificate_from_pem(_read(provisioned.root_pem)),))
    store = SqlCertificateStore(create_engine(provisioned.paths.database("certpub")))
    try:
        await store.create_schema()
        for agency in topology.agencies:
            record = publishable(
                provisioned.encryption_certificates[agency.orgno],
                participant=ParticipantId(agency.orgno),
                process=parse_process(DSOP_PROCESS),
                now=now,
                trust_store=trust,
            )
            await store.put(record)
    finally:
        await store.close()


async def _catalogue(topology: Topology, provisioned: Provisioned) -> None:
    from opendsop.contracts.catalogue import CatalogueEntry
    from opendsop.relations import Database
    from opendsop.relations.catalogue import CatalogueStore

    database = Database.from_url(provisioned.paths.database("relations"))
    try:
        await database.create_schema()
        catalogue = CatalogueStore(database)
        for bank in topology.banks:
            if not bank.control_api:  # asked by digital letter instead (DSOP “Architecture document”)
                continue
            await catalogue.put(
                CatalogueEntry(
                    org_no=bank.orgno, name=bank.name, url=topology.bank_url(bank), valid_from=date(2020, 1, 1)
                )
            )
    finally:
        await database.close()


def _agency_scopes(orgno: str) -> tuple[str, ...]:
    """Skatteetaten's client also asks FI-Utlegg's step 1 for the alminnelig namsmann (as its supplier)."""
    return AGENCY_SCOPES + ((scopes.CUSTOMER_RELATIONS_FI_UTLEGG_AN,) if orgno == FI_UTLEGG_IM_ORG else ())


def pension_client_id(orgno: str) -> str:
    return f"pension-{orgno}"


def bank_client_id(orgno: str) -> str:
    return f"bank-{orgno}"


__all__ = [
    "AGENCY_SCOPES",
    "BANK_SCOPES",
    "CorruptedVar",
    "Paths",
    "Provisioned",
    "bank_client_id",
    "pension_client_id",
    "provision",
    "register",
]
