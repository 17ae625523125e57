"""The DSOP error catalogues and the exception tree of the rules core.

Three catalogues exist on the wire (DSOP “eOppslag”; DSOP Kundeforholdsregister “Om”):

* ``ACC-xxx`` — the Control API (each bank), body ``{"code", "message"}``;
* ``ERR-xxx`` — the Customer Relations Overview, body ``{"errorCode", "errorMessage", "timestamp"}``;
* ``KFR-xxx`` — the KFR write API, same body shape as ``ERR-xxx``.

The HTTP status belongs to the code and is looked up here only, so a service never writes a
status next to a rule.  The exception tree::

    DsopError(ValueError)                     code + status + message (+ offending parameter)
    ├── InvalidIdentifier                     ACC-001 unless the caller maps it (ERR-002, KFR-005)
    │   ├── InvalidFormat
    │   │   └── InvalidLength
    │   ├── InvalidChecksum
    │   ├── InvalidComponent
    │   └── SyntheticNotAllowed
    ├── InvalidRequest                        ACC-001: a header, query or path value is wrong
    │   ├── UnknownMandate
    │   └── InvalidContinuationToken
    ├── InvalidExtraditionOrder               ACC-011: the order itself fails a content check
    └── VersionRetired                        ACC-014: the API version's phase-out window has closed

Denials of a well-formed request are *values* (``standard.decision.Denied``), not exceptions,
so that every denial can be audit-logged with its reason.

Gaps we decided (the v2 "HTTP error codes" PDF is not public):

* ``ACC-002``: the ``accountReference`` is unknown to the bank.
* ``ACC-003``: the ``accountReference`` exists but is not available in this request (it is
  ``dataNotDelivered``, or the account is not linked to the party the case concerns).
* ``ACC-100``: a source the bank depends on (its database, core system, register) did not answer:
  503, so a caller knows to retry (with ``Retry-After``); the contract lists 500 for both
  ACC-100 and ACC-500, and a client that knows no 503 treats it as 500 (RFC 9110 §15).
* ``ACC-500``: any other internal error.
* ``ACC-014`` (410): the API version of the request is retired at this bank (``standard.versions``).

>>> STATUS_FOR_CODE["ACC-011"]
403
>>> InvalidRequest("toDate is before fromDate", parameter="toDate").code
'ACC-001'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """One row of a catalogue: the code, its HTTP status and what it means."""

    code: str
    status: int
    meaning: str


# Control API (Bank_v2.yaml responses; meanings of 002/003 and 100/500 decided above).
ACC_CATALOGUE: Final[tuple[ErrorSpec, ...]] = (
    ErrorSpec("ACC-001", 400, "Invalid request: a parameter is missing, malformed or not allowed"),
    ErrorSpec("ACC-002", 404, "Account reference not found"),
    ErrorSpec("ACC-003", 404, "Account not available for this request"),
    ErrorSpec("ACC-010", 401, "Authentication missing or invalid"),
    ErrorSpec("ACC-011", 403, "Not authorised"),
    ErrorSpec("ACC-012", 405, "Method not allowed: only GET is supported"),
    ErrorSpec("ACC-013", 406, "Not acceptable"),
    # Not in the published list: a `default` response (ACC-0xx) for an API version the bank no longer serves
    # (docs/decisions.md, "Control API v1 after its window").
    ErrorSpec("ACC-014", 410, "API version retired"),
    ErrorSpec("ACC-022", 429, "Too many requests"),
    ErrorSpec("ACC-100", 503, "A source system did not answer; retry later"),
    ErrorSpec("ACC-500", 500, "Internal error"),
)

# Customer Relations Overview (KAR.yaml).
ERR_CATALOGUE: Final[tuple[ErrorSpec, ...]] = (
    ErrorSpec("ERR-001", 403, "Client not authorised"),
    ErrorSpec("ERR-002", 400, "Invalid CustomerID"),
    ErrorSpec("ERR-003", 400, "Invalid period or date format"),
    ErrorSpec("ERR-004", 400, "Invalid account number"),
)

# KFR write side (DSOP Kundeforholdsregister “Om”).  KFR-006 is not documented anywhere.
KFR_CATALOGUE: Final[tuple[ErrorSpec, ...]] = (
    ErrorSpec("KFR-001", 401, "Not authenticated"),
    ErrorSpec("KFR-002", 403, "No access"),
    ErrorSpec("KFR-003", 403, "Client may not manage the given organisation number"),
    ErrorSpec("KFR-004", 400, "Invalid request"),
    ErrorSpec("KFR-005", 400, "Invalid customer identifier"),
    ErrorSpec("KFR-007", 500, "Internal error"),
    ErrorSpec("KFR-008", 404, "Relationship not found"),
    ErrorSpec("KFR-009", 400, "Invalid relationship type"),
    ErrorSpec("KFR-010", 400, "Invalid date format"),
)

CATALOGUE: Final[dict[str, ErrorSpec]] = {spec.code: spec for spec in (*ACC_CATALOGUE, *ERR_CATALOGUE, *KFR_CATALOGUE)}
STATUS_FOR_CODE: Final[dict[str, int]] = {code: spec.status for code, spec in CATALOGUE.items()}


def status_for(code: str) -> int:
    """The HTTP status of a catalogue code; unknown codes are a programming error."""
    return CATALOGUE[code].status


class DsopError(ValueError):
    """Root of every error the rules core raises for broken input.

    ``parameter`` names the header, query or path value at fault, so the message a consumer
    reads always says where to look.
    """

    code: str = "ACC-001"
    default_message: str = "Invalid request"

    def __init__(self, message: str | None = None, *, parameter: str | None = None, code: str | None = None) -> None:
        self.message = message or self.default_message
        self.parameter = parameter
        if code is not None:
            if code not in CATALOGUE:
                raise KeyError(f"unknown error code {code!r}")
            self.code = code
        super().__init__(self.message)

    @property
    def status(self) -> int:
        return status_for(self.code)


class InvalidIdentifier(DsopError):
    default_message = "The identifier is not valid"


class InvalidFormat(InvalidIdentifier):
    default_message = "The identifier has an invalid format"


class InvalidLength(InvalidFormat):
    default_message = "The identifier has an invalid length"


class InvalidChecksum(InvalidIdentifier):
    default_message = "The identifier's check digit does not match"


class InvalidComponent(InvalidIdentifier):
    default_message = "A part of the identifier is not valid"


class SyntheticNotAllowed(InvalidIdentifier):
    default_message = "Synthetic test identifiers are not accepted in production"


class InvalidRequest(DsopError):
    default_message = "Invalid request"


class UnknownMandate(InvalidRequest):
    default_message = "Legal-Mandate is not a known legal basis"


class InvalidContinuationToken(InvalidRequest):
    default_message = "The page token is invalid or has been tampered with"


class InvalidExtraditionOrder(DsopError):
    code = "ACC-011"
    default_message = "The extradition order is not valid"


class VersionRetired(DsopError):
    code = "ACC-014"
    default_message = "This version of the API is retired; use Control API v2 (/v2)"


__all__ = [
    "ACC_CATALOGUE",
    "CATALOGUE",
    "ERR_CATALOGUE",
    "KFR_CATALOGUE",
    "STATUS_FOR_CODE",
    "DsopError",
    "ErrorSpec",
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidContinuationToken",
    "InvalidExtraditionOrder",
    "InvalidFormat",
    "InvalidIdentifier",
    "InvalidLength",
    "InvalidRequest",
    "SyntheticNotAllowed",
    "UnknownMandate",
    "VersionRetired",
    "status_for",
]
