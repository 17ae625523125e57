"""The agency's Control API client: drives ``protocol.call_flow`` over a transport (DSOP “Architecture document”; DSOP
“eOppslag”; DSOP “Security design”).

One ``DsopClient`` serves every bank of every case.  Per HTTP request it:

* takes a slot of the global and the per-bank concurrency limit (the wait is not part of the
  per-call timeout),
* asks the bank's circuit breaker (``CircuitOpen`` when open),
* sends with the per-call timeout (30 s default; whole answer, body included),
* retries 5xx, broken connections and timeouts with jittered exponential backoff and 429
  after ``Retry-After`` — each retry is a new technical request with a new ``CorrelationID``;

per call (all pages of one endpoint) the protocol flow adds the token (cached per audience and
scope), the one token refresh after 401 ACC-010, decryption with the agency's key, typed decoding
and ``next`` links.  The answers are typed: ``Fetched.value`` is a tuple of ``Account``,
``Transaction``, ``PaymentCard`` or ``AccountRole`` models, or one ``AccountDetail`` (v2 models,
or v1 models for a v1 bank).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Collection
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from opendsop.clock import utc_now as _utc_now
from opendsop.consumer.errors import (
    BankError,
    BankTimeout,
    BankUnavailable,
    CircuitOpen,
    RateLimited,
    TokenError,
)
from opendsop.consumer.protocol import (
    JOSE,
    SCOPE,
    BankEndpoint,
    CallOptions,
    CaseParameters,
    Decrypt,
    Flow,
    HttpRequest,
    HttpResponse,
    NeedToken,
    Page,
    call_flow,
    error_for,
    new_correlation_id,
)
from opendsop.consumer.resilience import Breakers, RetryPolicy
from opendsop.contracts.token_provider import TokenProvider
from opendsop.contracts.transport import Transport
from opendsop.standard.control import v1, v2
from opendsop.standard.endpoints import Endpoint
from opendsop.tracing import tracer
from opendsop.trust.errors import TrustError
from opendsop.trust.jwe import DEFAULT_ALG, DEFAULT_ENC, decrypt_compact
from opendsop.trust.keys import as_jwk, key_from_pem, private_key_pem

DEFAULT_TIMEOUT = 30.0

# The typed value of each endpoint's answer (all pages joined), per API version: used to store
# and reload answers (cases.py) without losing their types.
VALUE_TYPES: dict[str, dict[Endpoint, Any]] = {
    "v2": {
        Endpoint.ACCOUNTS: tuple[v2.Account, ...],
        Endpoint.ACCOUNT_DETAILS: v2.AccountDetail | None,
        Endpoint.TRANSACTIONS: tuple[v2.Transaction, ...],
        Endpoint.CARDS: tuple[v2.PaymentCard, ...],
        Endpoint.ROLES: tuple[v2.AccountRole, ...],
    },
    "v1": {
        Endpoint.ACCOUNTS: tuple[v1.Account, ...],
        Endpoint.ACCOUNT_DETAILS: v1.AccountDetail | None,
        Endpoint.TRANSACTIONS: tuple[v1.Transaction, ...],
        Endpoint.CARDS: tuple[v1.PaymentCard, ...],
        Endpoint.ROLES: tuple[v1.AccountRole, ...],
    },
}
_ITEMS = {
    Endpoint.ACCOUNTS: "accounts",
    Endpoint.TRANSACTIONS: "transactions",
    Endpoint.CARDS: "payment_cards",
    Endpoint.ROLES: "roles",
}


@dataclass(frozen=True, slots=True)
class Fetched:
    """One endpoint's answer for one account (or the account list), all pages joined."""

    endpoint: Endpoint
    value: Any
    status: str | None  # "partial" if any page said so
    message: str | None
    pages: int


def join_pages(endpoint: Endpoint, pages: list[Page]) -> Fetched:
    statuses = [page.status for page in pages]
    status = "partial" if "partial" in statuses else (statuses[-1] if statuses else None)
    message = next((page.message for page in pages if page.message), None)
    if endpoint is Endpoint.ACCOUNT_DETAILS:
        value: Any = pages[-1].body.account
    else:
        value = tuple(item for page in pages for item in (getattr(page.body, _ITEMS[endpoint]) or ()))
    return Fetched(endpoint, value, status, message, len(pages))


class JweDecryptor:
    """Decrypts answers with the agency's private key (the one behind its CertPub certificate, DSOP “Security design”).

    Holds the key as PEM, so it can be pickled to worker processes (``DsopClient(crypto=...)``).
    """

    def __init__(
        self,
        private_key: Any,
        *,
        algorithms: Collection[str] = (DEFAULT_ALG,),
        encryptions: Collection[str] = (DEFAULT_ENC, "A128CBC-HS256"),
    ) -> None:
        self._pem = private_key_pem(private_key)
        self._kid = getattr(as_jwk(private_key), "kid", None)
        self.algorithms, self.encryptions = tuple(algorithms), tuple(encryptions)
        self._key: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"pem": self._pem, "kid": self._kid, "algorithms": self.algorithms, "encryptions": self.encryptions}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._pem, self._kid = state["pem"], state["kid"]
        self.algorithms, self.encryptions = state["algorithms"], state["encryptions"]
        self._key = None

    def __call__(self, token: str) -> bytes:
        if self._key is None:
            self._key = _loaded_key(self._pem, self._kid)
        return decrypt_compact(token, self._key, algorithms=self.algorithms, encryptions=self.encryptions)


# An executor unpickles the decryptor for every call; loading an RSA key from PEM (with its checks)
# costs more than the decryption, so each process keeps the keys it has loaded.
_LOADED: dict[tuple[bytes, str | None], Any] = {}


def _loaded_key(pem: bytes, kid: str | None) -> Any:
    key = _LOADED.get((pem, kid))
    if key is None:
        key = _LOADED[(pem, kid)] = key_from_pem(pem, kid=kid)
    return key


def jwe_decryptor(
    private_key: Any,
    *,
    algorithms: Collection[str] = (DEFAULT_ALG,),
    encryptions: Collection[str] = (DEFAULT_ENC, "A128CBC-HS256"),
) -> Decrypt:
    """A ``JweDecryptor`` for ``private_key``."""
    return JweDecryptor(private_key, algorithms=algorithms, encryptions=encryptions)


class BankDirectory(Protocol):
    """Where a bank's Control API is (the API catalogue, DSOP “Architecture document” step 4)."""

    async def endpoint(self, org_no: str) -> BankEndpoint | None: ...


class StaticDirectory:
    def __init__(self, banks: Collection[BankEndpoint]) -> None:
        self._banks = {bank.org_no: bank for bank in banks}

    async def endpoint(self, org_no: str) -> BankEndpoint | None:
        return self._banks.get(org_no)


class CatalogueDirectory:
    """Over ``opendsop.relations.CatalogueClient``: the v2 entry if there is one, else the v1 entry."""

    def __init__(self, catalogue: Any, *, on: Callable[[], date] | None = None) -> None:
        self._catalogue = catalogue
        self._on = on

    async def endpoint(self, org_no: str) -> BankEndpoint | None:
        day = self._on() if self._on else None
        for version in ("v2", "v1"):
            url = await self._catalogue.base_url(org_no, version=version, on=day)
            if url:
                return BankEndpoint(org_no, url, version)
        return None


class DsopClient:
    def __init__(
        self,
        transport: Transport,
        tokens: TokenProvider,
        decrypt: Decrypt,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        breakers: Breakers | None = None,
        global_limit: int = 100,
        per_bank_limit: int = 4,
        plaintext: bool = False,
        rng: random.Random | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], datetime] = _utc_now,
        new_correlation_id: Callable[[], str] = new_correlation_id,
        crypto: Executor | None = None,
    ) -> None:
        self.transport = transport
        self.tokens = tokens
        self.decrypt = decrypt
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.breakers = breakers or Breakers()
        self.rng = rng or random.Random()
        self.sleep = sleep
        self.clock = clock
        self.options = CallOptions(plaintext=plaintext, new_correlation_id=new_correlation_id)
        self._global = asyncio.Semaphore(global_limit)
        self._per_bank_limit = per_bank_limit
        self._per_bank: dict[str, asyncio.Semaphore] = {}
        self.crypto = crypto  # e.g. a ProcessPoolExecutor: JWE decryption off the event loop
        self.sent = 0  # HTTP requests that went out (tests, metrics)

    # -- typed calls ---------------------------------------------------------------------------------

    async def fetch(
        self, bank: BankEndpoint, case: CaseParameters, endpoint: Endpoint, account_reference: str | None = None
    ) -> Fetched:
        flow = call_flow(
            bank,
            case,
            endpoint,
            decrypt=self.decrypt,
            account_reference=account_reference,
            options=self.options,
            clock=self.clock,
        )
        # One trace per call: the token request and every page below it (W3C traceparent to each party).
        with tracer().start_as_current_span(f"dsop {endpoint.value}", attributes={"dsop.bank": bank.org_no}):
            return join_pages(endpoint, await self.drive(bank, flow))

    async def accounts(self, bank: BankEndpoint, case: CaseParameters) -> Fetched:
        return await self.fetch(bank, case, Endpoint.ACCOUNTS)

    async def account_details(self, bank: BankEndpoint, case: CaseParameters, reference: str) -> Fetched:
        return await self.fetch(bank, case, Endpoint.ACCOUNT_DETAILS, reference)

    async def transactions(self, bank: BankEndpoint, case: CaseParameters, reference: str) -> Fetched:
        return await self.fetch(bank, case, Endpoint.TRANSACTIONS, reference)

    async def cards(self, bank: BankEndpoint, case: CaseParameters, reference: str) -> Fetched:
        return await self.fetch(bank, case, Endpoint.CARDS, reference)

    async def roles(self, bank: BankEndpoint, case: CaseParameters, reference: str) -> Fetched:
        return await self.fetch(bank, case, Endpoint.ROLES, reference)

    def prefetch_tokens(self, banks: Collection[BankEndpoint]) -> None:
        """Start the token requests for all ``banks`` at once (a case's plan), so none waits for another's."""
        prefetch = getattr(self.tokens, "prefetch", None)
        if prefetch is not None:
            prefetch([bank.base_url for bank in banks], SCOPE)

    # -- the driver ----------------------------------------------------------------------------------

    async def drive(self, bank: BankEndpoint, flow: Flow) -> list[Page]:
        """Run a protocol flow to its end: tokens from the provider, requests through ``send``."""
        try:
            step = next(flow)
            while True:
                if isinstance(step, NeedToken):
                    value: Any = await self._token(step)
                else:
                    value = await self._decrypted(await self.send(bank, step))
                step = flow.send(value)
        except StopIteration as stop:
            pages: list[Page] = stop.value
            return pages
        finally:
            flow.close()

    async def _token(self, step: NeedToken) -> str:
        """An access token; a token service that is down or busy (5xx, 429, no answer) is retried."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self.tokens.get(step.audience, step.scope, refresh=step.refresh)
            except TokenError as error:
                if not error.retryable or attempt >= self.retry.attempts:
                    raise
            await self.sleep(self.retry.backoff(attempt, self.rng))

    async def _decrypted(self, response: HttpResponse) -> HttpResponse:
        """With a ``crypto`` executor, a JWE answer is decrypted there; the flow then only decodes it."""
        if (
            self.crypto is None
            or response.status != 200
            or response.headers.get("content-type", "").split(";", 1)[0].strip().lower() != JOSE
        ):
            return response
        try:
            token = response.body.decode("ascii").strip()
            plaintext = await asyncio.get_running_loop().run_in_executor(self.crypto, self.decrypt, token)
        except (UnicodeDecodeError, TrustError):
            return response  # the flow decrypts again and reports the failure in its own words
        return HttpResponse(response.status, response.headers, plaintext, decrypted=True)

    def _bank_slot(self, bank: BankEndpoint) -> asyncio.Semaphore:
        slot = self._per_bank.get(bank.org_no)
        if slot is None:
            slot = self._per_bank[bank.org_no] = asyncio.Semaphore(self._per_bank_limit)
        return slot

    async def send(self, bank: BankEndpoint, request: HttpRequest) -> HttpResponse:
        """One technical request with limits, breaker and retries; 4xx and 200 are returned as they are."""
        breaker = self.breakers(bank.org_no)
        attempt = 0
        while True:
            attempt += 1
            # the bank's slot first: a call waiting for its busy bank holds no global slot meanwhile
            async with self._bank_slot(bank), self._global:
                if not breaker.allow():
                    raise CircuitOpen(
                        f"the bank failed {breaker.failures} times in a row; not called for another "
                        f"{breaker.retry_in():.0f} s",
                        bank=bank.org_no,
                    )
                try:
                    self.sent += 1
                    response = await self.transport.send(request, timeout=self.timeout)
                except TimeoutError:
                    error: BankError = BankTimeout(f"no complete answer within {self.timeout:g} s", bank=bank.org_no)
                except ConnectionError as failure:
                    error = BankUnavailable(f"connection failed: {failure}", bank=bank.org_no)
                except BaseException:  # cancelled (a deadline, a crash): neither success nor failure
                    breaker.abandon()
                    raise
                else:
                    if response.status < 500 and response.status != 429:
                        breaker.success()
                        return response
                    error = error_for(bank, response, now=self.clock())
            if isinstance(error, RateLimited):
                breaker.success()  # alive, only busy
            else:
                breaker.failure()
            delay = self.retry.delay(attempt, error, self.rng)
            if delay is None:
                raise error
            await self.sleep(delay)
            request = request.with_headers(CorrelationID=self.options.new_correlation_id())


__all__ = [
    "DEFAULT_TIMEOUT",
    "VALUE_TYPES",
    "BankDirectory",
    "CatalogueDirectory",
    "DsopClient",
    "Fetched",
    "JweDecryptor",
    "StaticDirectory",
    "join_pages",
    "jwe_decryptor",
]
