"""Building a bank's real dependencies from settings (used by ``create_app`` at startup).

Decides which concrete adapters stand behind the ports when nothing is injected: the SQL store
(``provider.store.sql``) and the SQL audit log on the same database, a ``TokenVerifier`` for the
configured issuer with ``aud`` = the registered base URL and scope ``bits:kontoinformasjon``, the
CertPub client, the register clients of ``opendsop.contracts.registers`` (a static bearer token for now; a
Maskinporten token source for the bank is still to come), and the prosecution's JWKS (cached) with
the configured trust roots, and (``KONKURS_POLL``/``KONKURS_FACTS``) the Konkursvarsel feed
client and stored-notice facts.  Everything
opened here is closed on shutdown.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

import httpx
from cryptography import x509

from opendsop.audit.log import AuditLog, SqlAuditLog
from opendsop.availability import Readiness
from opendsop.contracts.registers.clients import Konkursregister
from opendsop.contracts.registers.scopes import SCOPE_FOLKEREGISTER, SCOPE_KONKURS
from opendsop.contracts.verify import TokenVerifier
from opendsop.provider.pipeline import Pipeline
from opendsop.provider.ports import (
    Certificates,
    FactsSource,
    MemoryRegisters,
    OrderVerifier,
    ProsecutionOrders,
    RegisterClients,
    RegisterFacts,
)
from opendsop.provider.settings import SCOPE, ProviderSettings
from opendsop.provider.store.repository import BankStore
from opendsop.standard.control.v2 import FinancialInstitution, Identifier, IdentifierType
from opendsop.trust.pki import TrustStore


def token_verifier(settings: ProviderSettings) -> TokenVerifier:
    return TokenVerifier(settings.token_issuer, settings.jwks_url, settings.audience, (SCOPE,))


def readiness(pipeline: Pipeline) -> Readiness:
    """A bank is ready when its database answers and it holds the token issuer's keys."""
    ready = Readiness()
    engines = {
        id(engine): engine
        for engine in (getattr(pipeline.store, "engine", None), getattr(pipeline.audit, "engine", None))
        if engine is not None
    }
    for index, engine in enumerate(engines.values()):
        ready.add_database(engine, "database" if index == 0 else f"database-{index + 1}")
    keys_ready = getattr(pipeline.tokens, "keys_ready", None)
    if keys_ready is not None:
        ready.add("keys", keys_ready)
    return ready


def servicer(settings: ProviderSettings) -> FinancialInstitution:
    """This bank as ``servicer`` of its accounts."""
    return FinancialInstitution(
        identifier=Identifier(
            country_of_residence="NO", value=settings.bank_orgno, type=IdentifierType.COUNTRY_IDENTIFICATION_CODE
        ),
        name=settings.bank_name,
    )


def reference_secret(settings: ProviderSettings) -> bytes:
    if settings.reference_secret is not None:
        return settings.reference_secret.get_secret_value().encode()
    return secrets.token_bytes(32)  # test only: references then change with every restart


def facts_source(settings: ProviderSettings, resources: Resources) -> FactsSource:
    """Register facts over HTTP when ``REGISTERS_URL`` is set, else an empty twin (fail closed)."""
    if settings.registers_url is None:
        return RegisterFacts(MemoryRegisters())
    from opendsop.contracts.registers.clients import FolkeregisterClient, KonkursClient

    folkeregister = FolkeregisterClient(
        settings.registers_url, registers_token(settings, resources, SCOPE_FOLKEREGISTER)
    )
    konkurs = KonkursClient(settings.registers_url, registers_token(settings, resources, SCOPE_KONKURS))
    resources.closers.extend((folkeregister.aclose, konkurs.aclose))
    return RegisterFacts(RegisterClients(folkeregister, konkurs))


def registers_token(settings: ProviderSettings, resources: Resources, scope: str) -> Any:
    """What the register clients send: tokens from the token service when the bank has a client, else the static one."""
    if settings.client_id is None or settings.grant_key is None:
        return settings.registers_token.get_secret_value() if settings.registers_token else ""
    return resources.token_provider().source(str(settings.registers_url).rstrip("/"), scope)


def konkurs_register(settings: ProviderSettings, resources: Resources) -> Konkursregister | None:
    """The Konkursvarsel feed client (``REGISTERS_URL``), or ``None`` when no registers are configured."""
    if settings.registers_url is None:
        return None
    from opendsop.contracts.registers.clients import KonkursClient

    client = KonkursClient(settings.registers_url, registers_token(settings, resources, SCOPE_KONKURS))
    resources.closers.append(client.aclose)
    return client


def with_stored_notices(settings: ProviderSettings, facts: FactsSource, store: BankStore) -> FactsSource:
    """``KONKURS_FACTS=stored``: answer ``kjennelsesdato`` from the bank's stored notices."""
    from opendsop.provider.feeds import StoredNoticeRegisters

    if settings.konkurs_facts != "stored" or not isinstance(facts, RegisterFacts):
        return facts
    if isinstance(facts.registers, StoredNoticeRegisters):
        return facts
    return RegisterFacts(StoredNoticeRegisters(store, facts.registers))


class Resources:
    """What ``create_app`` opened itself, so that shutdown closes exactly that."""

    def __init__(self, settings: ProviderSettings, *, clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.clock = clock
        self.closers: list[Callable[[], Any]] = []
        self._tokens: Any = None
        self._certpub_trust: tuple[TrustStore, tuple[x509.Certificate, ...]] | None = None

    def token_provider(self) -> Any:
        """One cached token source for the bank's own client (``CLIENT_ID`` + ``GRANT_KEY``)."""
        if self._tokens is None:
            from opendsop.contracts.token_provider import GrantSigner, TokenProvider
            from opendsop.contracts.transport import HttpxTransport, poster
            from opendsop.trust.keys import key_from_pem

            settings = self.settings
            assert settings.client_id is not None and settings.grant_key is not None  # checked by the caller
            http = httpx.AsyncClient(timeout=10.0)
            self.closers.append(http.aclose)
            key = key_from_pem(settings.grant_key.read_bytes(), kid=settings.client_id)
            self._tokens = TokenProvider(
                GrantSigner(settings.client_id, settings.token_issuer, settings.token_endpoint, key),
                poster(HttpxTransport(http)),
                clock=self.clock,
            )
        return self._tokens

    def certpub_trust(self) -> tuple[TrustStore, tuple[x509.Certificate, ...]]:
        """The roots (and intermediates) agencies' encryption certificates must chain to; ``ValueError``
        naming the setting when there are none (the bank then would not know whom it encrypts to)."""
        if self._certpub_trust is None:
            from opendsop.contracts.certpub.client import load_trust

            roots = self.settings.certpub_trust_roots
            if not roots:
                raise ValueError(
                    "DSOP_PROVIDER_CERTPUB_TRUST_ROOTS is not set: give the PEM files of the CAs that "
                    "issue agencies' encryption certificates, so that a certificate CertPub serves is "
                    "checked before the bank encrypts an answer to it"
                )
            try:
                self._certpub_trust = load_trust(roots)
            except OSError as error:
                raise ValueError(
                    f"DSOP_PROVIDER_CERTPUB_TRUST_ROOTS: cannot read {error.filename} ({error.strerror})"
                ) from None
        return self._certpub_trust

    async def open(
        self,
        options: dict[str, Any],
        *,
        store: BankStore | None,
        audit: AuditLog | None,
        certificates: Certificates | None,
        orders: OrderVerifier | None,
    ) -> Pipeline:
        settings = self.settings
        if store is None:
            from opendsop.provider.store.sql import SqlBankStore

            sql = await SqlBankStore.open(
                settings.sql_url,
                reference_secret=reference_secret(settings),
                servicer=servicer(settings),
                clock=self.clock,
            )
            self.closers.append(sql.close)
            store = sql
            if audit is None:
                audit = self._audit_log(sql.engine)
        if audit is None:
            from opendsop.serving import create_engine

            engine = create_engine(settings.sql_url)
            self.closers.append(engine.dispose)
            audit = self._audit_log(engine)
        if isinstance(audit, SqlAuditLog):
            await audit.create_schema()
        if certificates is None:
            from opendsop.contracts.certpub.client import CertPubClient

            trust_store, intermediates = self.certpub_trust()
            client = CertPubClient(
                settings.certpub_url, clock=self.clock, trust_store=trust_store, intermediates=intermediates
            )
            self.closers.append(client.aclose)
            certificates = client
        if orders is None and options.get("orders") is None:
            orders = self._orders()
        options = {**options, "facts": with_stored_notices(settings, options["facts"], store)}
        return Pipeline(
            store=store,
            audit=audit,
            certificates=certificates,
            **{**options, "orders": orders or options.get("orders")},
        )

    def _audit_log(self, engine: Any) -> SqlAuditLog:
        from opendsop.audit.sql import party_log

        settings = self.settings
        log = party_log(
            engine,
            origin=f"bank-{settings.bank_orgno}",
            key_file=settings.audit_key_file,
            witness_url=settings.witness_url,
        )
        self.closers.append(log.close)
        return log

    def _orders(self) -> OrderVerifier | None:
        settings = self.settings
        roots = [
            cert for path in settings.prosecution_roots for cert in x509.load_pem_x509_certificates(path.read_bytes())
        ]
        if not roots:
            return None
        from opendsop.contracts.extradition_order import JwksCache

        http = httpx.AsyncClient(timeout=10.0)
        self.closers.append(http.aclose)
        cache = JwksCache(settings.prosecution_jwks_url, http, clock=self.clock)

        async def document(kid: str | None) -> dict[str, Any]:
            return await cache.document(kid=kid)

        environment: Literal["test", "production"] = settings.environment
        return ProsecutionOrders(document, TrustStore(roots=tuple(roots)), environment)

    async def close(self) -> None:
        while self.closers:
            result = self.closers.pop()()
            if hasattr(result, "__await__"):
                await result


__all__ = [
    "Resources",
    "facts_source",
    "konkurs_register",
    "readiness",
    "reference_secret",
    "servicer",
    "token_verifier",
    "with_stored_notices",
]
