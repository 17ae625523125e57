"""What can go wrong when an agency calls a bank, as one typed tree (DSOP “eOppslag”; DSOP “Security design”).

The bank's ``{code, message}`` body and HTTP status are kept on the exception, and the class says
what the caller should do about it::

    ConsumerError                         anything the consumer side raises
    ├── TokenError                        the token service refused the grant (OAuth2 error body)
    └── BankError                         one bank call failed: .bank .status .code .message
        ├── BankDenied                    400/403/404/405/406 — the request must change; never retried
        │   └── Unauthorized              401 ACC-010 — the token is refreshed once, then denied
        ├── RateLimited                   429 ACC-022 — retried after ``retry_after`` seconds
        ├── BankUnavailable               5xx (ACC-100/ACC-500) or no connection — retried
        │   ├── BankTimeout               no complete answer within the per-call timeout — retried
        │   └── CircuitOpen               the bank failed too often lately; not called at all
        └── ProtocolViolation             a 200 that is not a DSOP answer: garbage, a JWE for
                                          someone else, a body that does not match the model

``retryable`` is the one flag the retry loop reads; ``outcome`` is the bank's end state in a
fan-out (``denied``, ``error`` or ``timeout``).
"""

from __future__ import annotations

from opendsop.contracts.errors import ConsumerError, TokenError


class BankError(ConsumerError):
    """A bank answered with an error, or not at all."""

    retryable = False
    outcome = "error"

    def __init__(
        self,
        message: str,
        *,
        bank: str | None = None,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.bank = bank
        self.status = status
        self.code = code
        self.retry_after = retry_after

    def __str__(self) -> str:
        where = f"bank {self.bank}: " if self.bank else ""
        what = " ".join(part for part in (str(self.status) if self.status else "", self.code or "") if part)
        return f"{where}{what + ' ' if what else ''}{self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(bank={self.bank!r}, status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r})"
        )


class BankDenied(BankError):
    """The bank refused the request as it stands (4xx); asking again unchanged cannot help."""

    outcome = "denied"


class Unauthorized(BankDenied):
    """401 ACC-010: the access token was refused (expired, wrong audience, revoked key)."""


class RateLimited(BankError):
    """429 ACC-022: too many requests; ``retry_after`` is the bank's Retry-After in seconds."""

    retryable = True


class BankUnavailable(BankError):
    """5xx or a broken connection: a technical error at the bank, which may pass (DSOP “eOppslag”)."""

    retryable = True


class BankTimeout(BankUnavailable):
    """No complete answer within the per-call timeout (a slow bank, or one that hangs mid-body)."""

    outcome = "timeout"


class CircuitOpen(BankUnavailable):
    """The bank's circuit breaker is open: it failed repeatedly, so it is left alone for a while."""

    retryable = False


class ProtocolViolation(BankError):
    """The bank answered 200 with something that is not a DSOP answer for this agency."""


__all__ = [
    "BankDenied",
    "BankError",
    "BankTimeout",
    "BankUnavailable",
    "CircuitOpen",
    "ConsumerError",
    "ProtocolViolation",
    "RateLimited",
    "TokenError",
    "Unauthorized",
]
