"""The calling side's errors, shared by every party that calls another (an agency, a bank asking the registers).

``ConsumerError`` is the base of everything a caller raises; ``TokenError`` says the token service
did not issue an access token (RFC 6749 §5.2 error body, or no answer).  The agency's bank-call
errors (``opendsop.consumer.errors``) extend ``ConsumerError``.
"""

from __future__ import annotations


class ConsumerError(Exception):
    """Base of every consumer-side failure; ``message`` is a sentence for a case handler."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TokenError(ConsumerError):
    """The token service did not issue an access token (``error`` is the RFC 6749 §5.2 code)."""

    def __init__(
        self, message: str, *, error: str | None = None, status: int | None = None, retryable: bool = False
    ) -> None:
        super().__init__(message)
        self.error = error
        self.status = status
        self.retryable = retryable


__all__ = ["ConsumerError", "TokenError"]
