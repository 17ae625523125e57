"""The agency side of DSOP: Control API client, fan-out to many banks, and the case store.

``protocol`` holds the rules without I/O (request builder, response interpreter, call flow);
``client.DsopClient`` drives them over a ``transport``; ``fanout.FanOut`` runs one case across
banks; ``cases.CaseStore`` records it and lets it resume (DSOP “Architecture document”; DSOP “eOppslag”; DSOP “Security
design”; the DSOP services' “Løsningsbeskrivelse” pages).
"""

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
