# SPDX-License-Identifier: Apache-2.0
"""Errors of the register stand-ins and their clients, and the identifier checks at their edge.

The registers are not on the DSOP Control API, so their errors are not ``ACC-xxx`` codes; every
error is answered as JSON ``{"error": <code>, "message": <sentence>, "parameter": <name>|null}``,
never with a stack trace::

    RegisterError(Exception)                     500 internal_error
    ├── InvalidInput                             400 invalid_request
    │   ├── InvalidIdentifierInput               400 invalid_identifier
    │   └── InvalidCursor                        400 invalid_cursor
    ├── NotFound                                 404 not_found
    ├── Conflict                                 409 conflict (e.g. notices loaded out of order)
    ├── AccessDenied                             401 unauthorized / 403 insufficient_scope
    └── RegisterUnavailable                      503 unavailable (keys or the register unreachable)
"""

from __future__ import annotations

from opendsop.standard.errors import InvalidIdentifier
from opendsop.standard.identifiers import PartyIdentifier, validate_orgnr, validate_party_id, validate_person_number


class RegisterError(Exception):
    """Base of every register error; ``message`` is a sentence saying what is wrong."""

    status = 500
    error = "internal_error"

    def __init__(
        self, message: str, *, parameter: str | None = None, status: int | None = None, error: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter
        if status is not None:
            self.status = status
        if error is not None:
            self.error = error

    def body(self) -> dict[str, str | None]:
        return {"error": self.error, "message": self.message, "parameter": self.parameter}


class InvalidInput(RegisterError):
    status, error = 400, "invalid_request"


class InvalidIdentifierInput(InvalidInput):
    error = "invalid_identifier"


class InvalidCursor(InvalidInput):
    error = "invalid_cursor"


class NotFound(RegisterError):
    status, error = 404, "not_found"


class Conflict(RegisterError):
    status, error = 409, "conflict"


class AccessDenied(RegisterError):
    status, error = 401, "unauthorized"


class RegisterUnavailable(RegisterError):
    status, error = 503, "unavailable"


def person_id(value: str, parameter: str, *, synthetic_allowed: bool = True) -> str:
    """A fødselsnummer or D-number (H-numbers are not in Folkeregisteret), else ``InvalidIdentifierInput``."""
    try:
        party = validate_person_number(value, synthetic_allowed=synthetic_allowed)
    except InvalidIdentifier as exc:
        raise InvalidIdentifierInput(
            f"{parameter} is not a valid fødselsnummer or D-number: {exc.message}", parameter=parameter
        ) from None
    if party.kind.value == "hnummer":
        raise InvalidIdentifierInput(
            f"{parameter} is an H-number, which Folkeregisteret does not hold", parameter=parameter
        )
    return party.value


def org_id(value: str, parameter: str, *, synthetic_allowed: bool = True) -> str:
    """A 9-digit organisasjonsnummer, else ``InvalidIdentifierInput``."""
    try:
        return validate_orgnr(value, synthetic_allowed=synthetic_allowed) if value.isdigit() else _not_digits(value)
    except InvalidIdentifier as exc:
        raise InvalidIdentifierInput(
            f"{parameter} is not a valid organisasjonsnummer: {exc.message}", parameter=parameter
        ) from None


def _not_digits(value: str) -> str:
    raise InvalidIdentifier(f"an organisasjonsnummer has 9 digits only; got {value[:20]!r}")


def party_id(value: str, parameter: str, *, synthetic_allowed: bool = True) -> PartyIdentifier:
    """A debtor: an organisasjonsnummer (9 digits) or a fødselsnummer/D-number (11 digits)."""
    try:
        return validate_party_id(value, synthetic_allowed=synthetic_allowed)
    except InvalidIdentifier as exc:
        raise InvalidIdentifierInput(
            f"{parameter} is not an organisasjonsnummer or fødselsnummer/D-number: {exc.message}", parameter=parameter
        ) from None


__all__ = [
    "AccessDenied",
    "Conflict",
    "InvalidCursor",
    "InvalidIdentifierInput",
    "InvalidInput",
    "NotFound",
    "RegisterError",
    "RegisterUnavailable",
    "org_id",
    "party_id",
    "person_id",
]
