# SPDX-License-Identifier: Apache-2.0
"""The consent side of a local ecosystem: the consent service, its four data sources and two consumers.

``dsop up`` runs them next to the DSOP parties, over the same world:

* the **consent service** (Altinn 3-like, with the person's approval pages) at ``[consent]``;
* the **sources** — Skatteetaten (SBL inntekt/skattegrunnlag), Lånekassen (Saldo), NAV (SSU),
  Skatteetaten Krav og betalinger — each at its own port, serving what the synthetic world
  generates for its persons and companies (``opendsop.synth.consent_sources``); each source's
  token audience is its base URL with a trailing slash;
* two **consumers**: the topology's first bank (loan application, student-loan widget, the
  business's tax claims) and an insurer (NAV timeline of a claim).  Their callback pages — where
  the consent service sends the person back — are served on loopback by ``callbacks.py``.

``consent_side(topology)`` creates, once, what they need under ``<var>/keys/consent`` (every file
the owner's only): each consumer's and each source owner's signing key, and the shared secrets
(the token service's lookup token, the revocation-hook token, the consent pages' session secret,
Lånekassen's ``ApiKey``).  ``register_consent_side`` then writes the registrations before the
parties start, as an operator would: the clients and their scopes at the token service, and each
consumer's redirect prefix with the consent service (``dsop consent redirect add``).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opendsop.clock import utc_now
from opendsop.ecosystem.provision import CorruptedVar, Paths
from opendsop.ecosystem.topology import Topology
from opendsop.files import write_private
from opendsop.trust.keys import generate_rsa_key, key_from_pem, private_key_pem, public_jwks

if TYPE_CHECKING:
    from opendsop.synth.world import Population

# Gjensidige Forsikring ASA, the insurer whose claims handler reads NAV's decisions (a real name, as the banks').
INSURER = ("995568217", "Gjensidige Forsikring ASA")
# The data sources' organisations: they read a consent's status with the consent service (the resources'
# owner_org in opendsop.contracts.consent_resources).
OWNERS = {"skatteetaten": "974761076", "lanekassen": "960885406", "nav": "889640782", "krav": "974761076"}
SOURCES = ("skatteetaten", "lanekassen", "nav", "krav")
READ = "altinn:consentrequests.read"
CONSUMER_SCOPES = (
    "altinn:consentrequests.write",
    READ,
    "skatteetaten:inntekt",
    "skatteetaten:summertskattegrunnlag",
    "lanekassen:lan/v1/saldoopplysninger",
    "nav:arbeid/v1/aap",
    "nav:helse/v1/uforeopplysninger",
    "skatteetaten:kravogbetalinger",
)
CONSENT_API = "/accessmanagement/api/v1/enterprise"


@dataclass(frozen=True, slots=True)
class Consumer:
    """A bank or insurer asking persons for consent; its callback pages live under ``callback_prefix``."""

    orgno: str
    name: str
    kind: str  # bank | insurer
    key_path: Path

    @property
    def client_id(self) -> str:
        return f"samtykke-{self.orgno}"


@dataclass(frozen=True, slots=True)
class ConsentSide:
    """What the consent side's parties share: consumers, source owners' keys and the secrets."""

    bank: Consumer
    insurer: Consumer
    owner_keys: dict[str, Path]  # owner orgno → signing key
    admin_token: str
    hook_token: str
    session_secret: str
    lanekassen_api_key: str

    @property
    def consumers(self) -> tuple[Consumer, Consumer]:
        return self.bank, self.insurer

    @staticmethod
    def owner_client_id(orgno: str) -> str:
        return f"kilde-{orgno}"

    def key(self, path: Path, kid: str) -> Any:
        try:
            return key_from_pem(path.read_bytes(), kid=kid)
        except (OSError, ValueError):
            raise CorruptedVar(f"{path} cannot be read as a key; remove {path.parent} to recreate it") from None


def source_url(topology: Topology, source: str) -> str:
    return topology.url(source)


def source_audience(topology: Topology, source: str) -> str:
    """The ``aud`` a source's tokens carry: its base URL with a trailing slash."""
    return topology.url(source) + "/"


def callback_prefix(topology: Topology, consumer: Consumer) -> str:
    """Where ``consumer``'s callback pages live (the redirect prefix it registers with the consent service)."""
    return f"{topology.url('callbacks')}/{consumer.orgno}/"


def _key(path: Path) -> Path:
    if not path.exists():
        write_private(path, private_key_pem(generate_rsa_key()))
    return path


def _secrets(path: Path) -> dict[str, str]:
    stored: dict[str, str] = {}
    if path.exists():
        try:
            found = json.loads(path.read_bytes())
        except (OSError, ValueError):
            found = None
        if not isinstance(found, dict) or not all(isinstance(v, str) for v in found.values()):
            raise CorruptedVar(f"{path} is damaged; remove it (the consent side's sessions and tokens then change)")
        stored = found
    missing = [
        name for name in ("admin-token", "hook-token", "session-secret", "lanekassen-api-key") if name not in stored
    ]
    for name in missing:
        stored[name] = secrets.token_urlsafe(32)
    if missing:
        write_private(path, json.dumps(stored, indent=1, sort_keys=True).encode())
    return stored


def consent_side(topology: Topology) -> ConsentSide:
    """Create what is missing under ``<var>/keys/consent``; return where everything is (idempotent)."""
    directory = Paths.of(topology).keys / "consent"
    bank = topology.banks[0]
    consumers = [
        Consumer(orgno, name, kind, _key(directory / f"samtykke-{orgno}.pem"))
        for orgno, name, kind in ((bank.orgno, bank.name, "bank"), (*INSURER, "insurer"))
    ]
    owners = {orgno: _key(directory / f"kilde-{orgno}.pem") for orgno in sorted(set(OWNERS.values()))}
    stored = _secrets(directory / "secrets.json")
    return ConsentSide(
        consumers[0],
        consumers[1],
        owners,
        stored["admin-token"],
        stored["hook-token"],
        stored["session-secret"],
        stored["lanekassen-api-key"],
    )


async def register_consent_side(topology: Topology, side: ConsentSide, *, now: datetime | None = None) -> None:
    """Clients and scopes at the token service; each consumer's redirect prefix at the consent service."""
    from opendsop.authority.clients import new_client
    from opendsop.authority.store import AuthorityStore
    from opendsop.consent.registry import Registry
    from opendsop.consent.store import ConsentStore
    from opendsop.serving import create_engine

    now = now or utc_now()
    paths = Paths.of(topology)
    wanted: list[tuple[str, str, tuple[str, ...], Path]] = [
        (c.client_id, c.orgno, CONSUMER_SCOPES, c.key_path) for c in side.consumers
    ]
    wanted += [(side.owner_client_id(orgno), orgno, (READ,), path) for orgno, path in side.owner_keys.items()]
    store = AuthorityStore(create_engine(paths.database("authority")))
    try:
        await store.create_schema()
        for client_id, orgno, scopes, key_path in wanted:
            found = await store.get_client(client_id)
            if found is None:
                jwks = public_jwks([side.key(key_path, client_id)])
                await store.add_client(new_client(client_id, orgno, scopes, jwks=jwks), now=int(now.timestamp()))
            elif not set(scopes) <= set(found.scopes):
                await store.grant_scopes(client_id, scopes)
    finally:
        await store.close()
    consent = ConsentStore(create_engine(paths.database("consent")))
    try:
        await consent.create_schema()
        registry = Registry(consent.engine)
        for consumer in side.consumers:
            await registry.add_redirect(
                consumer.orgno, callback_prefix(topology, consumer), now=now, loopback_allowed=True
            )
    finally:
        await consent.close()


def _owner_bearer(topology: Topology, side: ConsentSide, orgno: str) -> tuple[Any, Any]:
    """An async callable giving the source owner's token for consent lookups, and the client to close."""
    import httpx

    from opendsop.samtykke.client import Endpoints, Identity, SamtykkeClient, Service

    http = httpx.AsyncClient(timeout=10)
    client_id = side.owner_client_id(orgno)
    endpoints = Endpoints(authority=topology.url("authority") + "/", consent=Service(topology.url("consent")))
    owner = SamtykkeClient(Identity(orgno, client_id, side.key(side.owner_keys[orgno], client_id)), endpoints, http)

    async def bearer() -> str:
        return await owner.access_token([READ], endpoints.consent.aud)

    return bearer, http


class PartyNotBuilt(RuntimeError):
    """A consent-side party could not be built from its settings; the message names it and the cause."""


def _build(party: str, make: Callable[[], Any]) -> Any:
    try:
        return make()
    except (ValueError, TypeError, OSError, CorruptedVar) as error:  # pydantic's ValidationError is a ValueError
        raise PartyNotBuilt(f"{party} could not be built: {type(error).__name__}: {str(error)[:200]}") from None


def consent_apps(topology: Topology, side: ConsentSide, population: Population) -> dict[str, Any]:
    """The consent service, the four sources and the callback pages, built as their own ``serve`` would."""
    from opendsop.consent import ConsentSettings
    from opendsop.consent import create_app as consent_app
    from opendsop.consent.parties import MappingRepresentatives
    from opendsop.ecosystem.callbacks import create_app as callbacks_app
    from opendsop.synth.consent_sources import for_population

    paths = Paths.of(topology)
    names = {bank.orgno: bank.name for bank in topology.banks} | {c.orgno: c.name for c in side.consumers}
    # Who may answer for a company (FI-K&B): the holders of its roles in the Enhetsregister.
    representatives = {company.orgnr: [role.person_id for role in company.roles] for company in population.companies}
    hooks = {OWNERS["lanekassen"]: topology.url("lanekassen") + "/internal/consent-events"}
    apps: dict[str, Any] = {
        "consent": _build(
            "consent",
            lambda: consent_app(
                ConsentSettings(
                    database_url=paths.database("consent"),
                    public_url=topology.url("consent"),
                    issuer=topology.url("authority") + "/",
                    admin_token=side.admin_token,
                    session_secret=side.session_secret,
                    organisation_names=names,
                    revocation_hooks=hooks,
                    revocation_hook_token=side.hook_token,
                    test_mode=True,
                    innsyn_url=f"http://{topology.host}:8056/innsyn",  # the audit log's innsyn (its reserved port)
                ),
                representatives=MappingRepresentatives(representatives),
            ),
        )
    }
    from opendsop.synth.aordning import for_population as aordning_for

    data, aordning = for_population(population), aordning_for(population)
    for source in SOURCES:
        apps[source] = _build(source, lambda source=source: _source_app(topology, side, source, data, aordning))  # type: ignore[misc]
    apps["callbacks"] = _build("callbacks", lambda: callbacks_app({c.orgno: c.name for c in side.consumers}))
    return apps


def _source_app(topology: Topology, side: ConsentSide, source: str, data: Any, aordning: Any = None) -> Any:
    from opendsop.ecosystem.audit_side import audit_settings
    from opendsop.sources.consent_check import HttpConsentStatus
    from opendsop.sources.service import create_app as source_app
    from opendsop.sources.settings import SourcesSettings

    consent_api = topology.url("consent") + CONSENT_API
    settings = SourcesSettings.model_validate(
        {
            "issuer": topology.url("authority") + "/",
            "consent_service_url": consent_api,
            "database_url": Paths.of(topology).database(f"source-{source}"),
            **audit_settings(topology, f"source-{source}"),
            "otp_database_url": Paths.of(topology).database("source-otp"),  # Skatteetaten's and NAV's
            "lanekassen_api_key": side.lanekassen_api_key,
            "consent_events_token": side.hook_token,
            f"audience_{source}": source_audience(topology, source),
        }
    )
    bearer, http = _owner_bearer(topology, side, OWNERS[source])
    app = source_app(
        source, settings, world=data, aordning=aordning, consent_status=HttpConsentStatus(consent_api, bearer=bearer)
    )
    app.on_shutdown.append(http.aclose)
    return app


def samtykke_settings(topology: Topology) -> Any:
    """``dsop samtykke``'s settings as the local ecosystem's bank (its key, the local URLs and audiences)."""
    from opendsop.samtykke.settings import SamtykkeSettings

    side = consent_side(topology)
    bank = side.bank
    sources: dict[str, Any] = {}
    for source in SOURCES:
        sources[f"{source}_url"] = topology.url(source)
        sources[f"{source}_audience"] = source_audience(topology, source)
    return SamtykkeSettings.model_validate(
        {
            "org": bank.orgno,
            "client_id": bank.client_id,
            "key_file": bank.key_path,
            "kid": bank.client_id,
            "authority_url": topology.url("authority") + "/",
            "consent_url": topology.url("consent"),
            "lanekassen_api_key": side.lanekassen_api_key,
            "bank_name": bank.name,
            "redirect_url": f"{callback_prefix(topology, bank)}samtykke/samtykke",
            **sources,
        }
    )


def local_samtykke_settings() -> Any:
    """The local ecosystem's bank for ``dsop samtykke`` when no consumer is configured by environment, else None."""
    import os

    from opendsop.ecosystem.agencies import topology_path
    from opendsop.ecosystem.topology import TopologyError, read
    from opendsop.samtykke.client import SamtykkeError

    if os.environ.get("DSOP_SAMTYKKE_ORG"):
        return None
    path = topology_path()
    if not path.exists():
        return None
    try:
        return samtykke_settings(read(path))
    except (TopologyError, CorruptedVar) as error:
        raise SamtykkeError(str(error)) from None


__all__ = [
    "CONSENT_API", "CONSUMER_SCOPES", "INSURER", "OWNERS", "READ", "SOURCES", "ConsentSide", "Consumer",
    "PartyNotBuilt", "callback_prefix", "consent_apps", "consent_side", "register_consent_side", "source_audience",
    "local_samtykke_settings", "samtykke_settings", "source_url",
]  # fmt: skip
