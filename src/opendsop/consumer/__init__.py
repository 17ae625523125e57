"""The agency side of DSOP: Control API client, fan-out to many banks, and the case store.

``protocol`` holds the rules without I/O (request builder, response interpreter, call flow);
``client.DsopClient`` drives them over a ``transport``; ``fanout.FanOut`` runs one case across
banks; ``cases.CaseStore`` records it and lets it resume (DSOP “Architecture document”; DSOP “eOppslag”; DSOP “Security
design”; the DSOP services' “Løsningsbeskrivelse” pages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opendsop import lazy

if TYPE_CHECKING:
    from opendsop.consumer.cases import Case, CaseConflict, CaseStore
    from opendsop.consumer.client import CatalogueDirectory, DsopClient, Fetched, StaticDirectory, jwe_decryptor
    from opendsop.consumer.errors import (
        BankDenied,
        BankError,
        BankTimeout,
        BankUnavailable,
        CircuitOpen,
        ConsumerError,
        ProtocolViolation,
        RateLimited,
        TokenError,
        Unauthorized,
    )
    from opendsop.consumer.fanout import BankResult, FanOut, Merger, Outcome, Plan
    from opendsop.consumer.protocol import BankEndpoint, CaseParameters
    from opendsop.consumer.resilience import Breakers, CircuitBreaker, RetryPolicy
    from opendsop.contracts.token_provider import GrantSigner, TokenProvider
    from opendsop.contracts.transport import AiohttpTransport, HttpxTransport

# imported on first use (PEP 562), so that `dsop <command> --help` need not load the party
_WHERE = {
    "Case": "opendsop.consumer.cases",
    "CaseConflict": "opendsop.consumer.cases",
    "CaseStore": "opendsop.consumer.cases",
    "CatalogueDirectory": "opendsop.consumer.client",
    "DsopClient": "opendsop.consumer.client",
    "Fetched": "opendsop.consumer.client",
    "StaticDirectory": "opendsop.consumer.client",
    "jwe_decryptor": "opendsop.consumer.client",
    "BankDenied": "opendsop.consumer.errors",
    "BankError": "opendsop.consumer.errors",
    "BankTimeout": "opendsop.consumer.errors",
    "BankUnavailable": "opendsop.consumer.errors",
    "CircuitOpen": "opendsop.consumer.errors",
    "ConsumerError": "opendsop.consumer.errors",
    "ProtocolViolation": "opendsop.consumer.errors",
    "RateLimited": "opendsop.consumer.errors",
    "TokenError": "opendsop.consumer.errors",
    "Unauthorized": "opendsop.consumer.errors",
    "BankResult": "opendsop.consumer.fanout",
    "FanOut": "opendsop.consumer.fanout",
    "Merger": "opendsop.consumer.fanout",
    "Outcome": "opendsop.consumer.fanout",
    "Plan": "opendsop.consumer.fanout",
    "BankEndpoint": "opendsop.consumer.protocol",
    "CaseParameters": "opendsop.consumer.protocol",
    "Breakers": "opendsop.consumer.resilience",
    "CircuitBreaker": "opendsop.consumer.resilience",
    "RetryPolicy": "opendsop.consumer.resilience",
    "GrantSigner": "opendsop.contracts.token_provider",
    "TokenProvider": "opendsop.contracts.token_provider",
    "AiohttpTransport": "opendsop.contracts.transport",
    "HttpxTransport": "opendsop.contracts.transport",
}


__getattr__ = lazy.exports(__name__, _WHERE)


__all__ = [
    "AiohttpTransport",
    "BankDenied",
    "BankEndpoint",
    "BankError",
    "BankResult",
    "BankTimeout",
    "BankUnavailable",
    "Breakers",
    "Case",
    "CaseConflict",
    "CaseParameters",
    "CaseStore",
    "CatalogueDirectory",
    "CircuitBreaker",
    "CircuitOpen",
    "ConsumerError",
    "DsopClient",
    "FanOut",
    "Fetched",
    "GrantSigner",
    "HttpxTransport",
    "Merger",
    "Outcome",
    "Plan",
    "ProtocolViolation",
    "RateLimited",
    "RetryPolicy",
    "StaticDirectory",
    "TokenError",
    "TokenProvider",
    "Unauthorized",
    "jwe_decryptor",
]
