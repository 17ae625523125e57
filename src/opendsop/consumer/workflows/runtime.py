"""What a running agency needs to execute workflows, and how it is built from ``ConsumerSettings``.

The CLI receives a ``Runtime`` from a factory (``open_runtime``), so tests hand it in-memory twins
and the real one wires the token service, the API catalogue, the relations hub, the registers and
the case store from settings (the only place that reads the environment).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from pydantic import ValidationError

from opendsop.clock import Clock
from opendsop.clock import utc_now as _utcnow
from opendsop.consumer.cases import CaseStore
from opendsop.consumer.client import CatalogueDirectory, DsopClient, jwe_decryptor
from opendsop.consumer.fanout import FanOut
from opendsop.consumer.letters import Letters
from opendsop.consumer.resilience import RetryPolicy
from opendsop.consumer.settings import ConsumerSettings
from opendsop.consumer.workflows._base import Directory, HttpRelations, RelationsClient, WorkflowRefused
from opendsop.contracts.catalogue import CatalogueClient
from opendsop.contracts.registers.clients import Folkeregister, FolkeregisterClient, KonkursClient, Konkursregister
from opendsop.contracts.registers.scopes import SCOPE_FOLKEREGISTER, SCOPE_KONKURS
from opendsop.contracts.token_provider import GrantSigner, TokenProvider
from opendsop.contracts.transport import HttpxTransport, poster
from opendsop.standard.services import services_for_consumer
from opendsop.tracing import configure_tracing
from opendsop.trust.keys import key_from_pem


@dataclass
class Runtime:
    store: CaseStore
    fanout: FanOut  # records into ``store`` (resumable)
    directory: Directory
    relations: RelationsClient | None = None
    folkeregister: Folkeregister | None = None
    konkurs: Konkursregister | None = None
    clock: Clock = _utcnow
    retention: timedelta = timedelta(days=365)
    production: bool = False  # the agency runs against production (test-only Legal-Mandates are refused)
    letters: Letters | None = None  # digital letters to banks without a Control API (None: only reported)
    mandates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # DSOP_CONSUMER_FI_UTLEGG_MANDATES


@asynccontextmanager
async def open_runtime(service: str | None, settings: ConsumerSettings | None = None) -> AsyncIterator[Runtime]:
    """The real runtime for ``service`` (None: any) of the agency ``settings.orgno``."""
    if settings is None:
        try:
            settings = ConsumerSettings()  # type: ignore[call-arg]  # from DSOP_CONSUMER_* env
        except ValidationError as error:
            problems = "; ".join(
                f"DSOP_CONSUMER_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in error.errors()
            )
            raise WorkflowRefused(
                f"settings: {problems} (configure the agency with DSOP_CONSUMER_* or start a "
                "local ecosystem with `dsop up`)",
                parameter="settings",
            ) from None
    allowed = {profile.key for profile in services_for_consumer(settings.consumer_org)}
    if service is not None and service not in allowed:
        raise WorkflowRefused(
            f"service: organisation {settings.consumer_org} has no legal basis for {service} "
            f"(it may run: {', '.join(sorted(allowed)) or 'none'})",
            parameter="service",
        )
    if settings.grant_key is None or settings.encryption_key is None:
        raise WorkflowRefused(
            "settings: DSOP_CONSUMER_GRANT_KEY and DSOP_CONSUMER_ENCRYPTION_KEY (PEM files) "
            "are needed to get tokens and read the banks' answers",
            parameter="settings",
        )
    grant_key = key_from_pem(settings.grant_key.read_bytes(), kid=settings.client_id)
    decrypt = jwe_decryptor(key_from_pem(settings.encryption_key.read_bytes()))
    configure_tracing()  # DSOP_TRACES: the agency's calls as traces through every party (off by default)
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=settings.timeout))

        tokens = TokenProvider(
            GrantSigner(
                settings.client_id,
                settings.token_issuer,
                settings.token_endpoint,
                grant_key,
                consumer_org=settings.on_behalf_of,  # a supplier asks for its consumer (delegation)
            ),
            poster(HttpxTransport(http), timeout=settings.timeout),
        )
        client = DsopClient(
            HttpxTransport(http),
            tokens,
            decrypt,
            timeout=settings.timeout,
            retry=RetryPolicy(attempts=settings.attempts),
            global_limit=settings.global_limit,
            per_bank_limit=settings.per_bank_limit,
            plaintext=settings.plaintext,
        )
        store = CaseStore.from_url(settings.database_url)
        stack.push_async_callback(store.close)
        await store.create_schema()
        catalogue = await stack.enter_async_context(
            CatalogueClient(settings.catalogue_url, environment=settings.environment, http=http)
        )
        relations = None
        if settings.relations_url:
            hub_url = settings.relations_url

            async def hub_token(scope: str) -> str:
                return await tokens.get(hub_url, scope)

            relations = HttpRelations(hub_url, http, hub_token, consumer_org=settings.consumer_org)
        folkeregister = konkurs = None
        if settings.registers_url:
            registers_url = settings.registers_url

            folkeregister = await stack.enter_async_context(
                FolkeregisterClient(registers_url, tokens.source(registers_url, SCOPE_FOLKEREGISTER))
            )
            konkurs = await stack.enter_async_context(
                KonkursClient(registers_url, tokens.source(registers_url, SCOPE_KONKURS))
            )
        letters = None
        if settings.altinn_url:  # digital letters to the banks without a Control API (consumer.letterbox)
            letters = await stack.enter_async_context(_letters(settings, settings.altinn_url, tokens, store))
        on_answer = await stack.enter_async_context(_audit_log(settings)) if settings.audit_database_url else None
        yield Runtime(
            store,
            FanOut(client, recorder=store, bank_deadline=settings.bank_deadline, on_answer=on_answer),
            CatalogueDirectory(catalogue),
            relations,
            folkeregister,
            konkurs,
            _utcnow,
            timedelta(days=settings.retention_days),
            production=settings.environment == "production",
            letters=letters,
            mandates=settings.fi_utlegg_mandates,
        )


@asynccontextmanager
async def _audit_log(settings: ConsumerSettings) -> AsyncIterator[Any]:
    """The agency's own verifiable log: one record per answer fetched from a bank (``audit``)."""
    from opendsop.audit.log import AuditRecord
    from opendsop.audit.sql import party_log
    from opendsop.serving import create_engine
    from opendsop.standard.services import resolve

    assert settings.audit_database_url is not None
    log = party_log(
        create_engine(settings.audit_database_url),
        origin=f"agency-{settings.orgno}",
        key_file=settings.audit_key_file,
        witness_url=settings.witness_url,
    )
    await log.create_schema()

    async def on_answer(case: Any, bank: Any, answer: Any) -> None:
        profile = resolve(settings.consumer_org, case.mandate.key)
        await log.append(
            AuditRecord(
                recorded_at=_utcnow(),
                account_info_request_id=case.account_info_request_id,
                legal_mandate=case.mandate.key,
                additional_reference_id_type=case.reference_type,
                requester_id=case.requester_id,
                consumer_org=settings.consumer_org,
                supplier_org=bank.org_no,  # the bank that disclosed
                service=profile.key if profile else None,
                endpoint=answer.endpoint.value,
                party_id=case.party_id,
                from_date=case.from_date,
                to_date=case.to_date,
                outcome="allowed",
                status=200,
                message=answer.status,  # "partial" when a bank said so
            )
        )

    try:
        yield on_answer
    finally:
        await log.close()
        await log.engine.dispose()


@asynccontextmanager
async def _letters(
    settings: ConsumerSettings, url: str, tokens: TokenProvider, store: CaseStore
) -> AsyncIterator[Letters]:
    from opendsop.consumer.letterbox import PlatformLetterBox
    from opendsop.consumer.letters import LetterStore
    from opendsop.contracts.messaging import MessagingClient

    async def token(scope: str) -> str:
        return await tokens.get(url, scope)

    async with MessagingClient(url, token) as client:
        yield Letters(
            LetterStore(store.engine),
            PlatformLetterBox(client),
            agency_org=settings.orgno,
            agency_name=settings.name,
            clock=_utcnow,
        )


__all__ = ["Runtime", "open_runtime"]
