"""The message platform's errors: one code per rule, answered as RFC 9457 problem details.

Altinn 3 answers errors as problem details; the codes here are ours (``MSG-xxx``) so that a caller
can tell the rules apart without parsing sentences.  The server raises these; the client raises
the same classes from an answer, so both sides share one catalogue::

    MessagingError                          500 MSG-500
    ├── InvalidRequest                      400 MSG-001  a field is missing or malformed
    ├── UnknownResource                     404 MSG-002  no such resource in the registry
    ├── NotAuthorized                       403 MSG-003  the party may not send/receive on the resource
    ├── InvalidToken                        401 MSG-004  no valid bearer token
    ├── InsufficientScope                   403 MSG-005  the token lacks the operation's scope
    ├── NotFound                            404 MSG-006  no such message (or not the caller's)
    ├── WrongStatus                         409 MSG-007  not allowed in the message's current status
    ├── IdempotencyConflict                 409 MSG-008  the key was used for a different request
    ├── TooLarge                            413 MSG-009  an attachment or file over the limit
    ├── Rejected                            422 MSG-010  the virus scan refused the file
    ├── ChecksumMismatch                    400 MSG-011  the bytes do not match the given checksum
    └── Unavailable                         503 MSG-503  the platform cannot answer now (Retry-After)
"""

from __future__ import annotations

from typing import ClassVar

from opendsop.contracts.messaging.models import Problem


class MessagingError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "MSG-500"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def problem(self, instance: str | None = None) -> Problem:
        return Problem(
            type=f"https://opendsop.no/problems/{self.code.lower()}",
            title=self.title,
            status=self.status,
            detail=self.detail,
            code=self.code,
            instance=instance,
        )


class InvalidRequest(MessagingError):
    status, code, title = 400, "MSG-001", "Invalid request"


class UnknownResource(MessagingError):
    status, code, title = 404, "MSG-002", "Unknown resource"


class NotAuthorized(MessagingError):
    status, code, title = 403, "MSG-003", "Not authorised for the resource"


class InvalidToken(MessagingError):
    status, code, title = 401, "MSG-004", "Invalid or missing token"


class InsufficientScope(MessagingError):
    status, code, title = 403, "MSG-005", "Insufficient scope"


class NotFound(MessagingError):
    status, code, title = 404, "MSG-006", "Not found"


class WrongStatus(MessagingError):
    status, code, title = 409, "MSG-007", "Not allowed in this status"


class IdempotencyConflict(MessagingError):
    status, code, title = 409, "MSG-008", "Idempotency key reused"


class TooLarge(MessagingError):
    status, code, title = 413, "MSG-009", "Too large"


class Rejected(MessagingError):
    status, code, title = 422, "MSG-010", "Rejected by the virus scan"


class ChecksumMismatch(MessagingError):
    status, code, title = 400, "MSG-011", "Checksum mismatch"


class Unavailable(MessagingError):
    status, code, title = 503, "MSG-503", "Unavailable"


ERRORS: dict[str, type[MessagingError]] = {
    cls.code: cls
    for cls in (
        MessagingError,
        InvalidRequest,
        UnknownResource,
        NotAuthorized,
        InvalidToken,
        InsufficientScope,
        NotFound,
        WrongStatus,
        IdempotencyConflict,
        TooLarge,
        Rejected,
        ChecksumMismatch,
        Unavailable,
    )
}


def from_problem(status: int, code: str | None, detail: str) -> MessagingError:
    """The error class of an answer's ``code`` (by HTTP status when the code is unknown)."""
    cls = ERRORS.get(code or "")
    if cls is None:
        cls = next((c for c in ERRORS.values() if c.status == status and c is not MessagingError), MessagingError)
        if status >= 500:
            cls = Unavailable
    return cls(detail)


__all__ = [
    "ERRORS",
    "ChecksumMismatch",
    "IdempotencyConflict",
    "InsufficientScope",
    "InvalidRequest",
    "InvalidToken",
    "MessagingError",
    "NotAuthorized",
    "NotFound",
    "Rejected",
    "TooLarge",
    "UnknownResource",
    "Unavailable",
    "WrongStatus",
    "from_problem",
]
