"""Typed errors of ``opendsop.trust`` (DSOP “Security design”).

Every failure in the crypto layer surfaces as one of four classes, so callers
(token validation, CertPub, prosecution EO checks) can map them to HTTP answers
without catching library-specific exceptions. ``.reason`` is a short, stable,
machine-ish tag (``"expired"``, ``"unknown_kid"``) for logs and tests;
``str(error)`` is a clear sentence for humans.
"""

from __future__ import annotations

__all__ = ["CertificateError", "DecryptionError", "InvalidToken", "TrustError"]


class TrustError(Exception):
    """Base class: a token, certificate or encrypted message was not trusted."""

    default_reason = "untrusted"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reason={self.reason!r}, message={self.message!r})"


class InvalidToken(TrustError):
    """A JWT/JWS is malformed, badly signed, uses a disallowed alg or fails a claim check."""

    default_reason = "invalid_token"


class CertificateError(TrustError):
    """A certificate chain does not validate, has expired, or names the wrong subject."""

    default_reason = "invalid_certificate"


class DecryptionError(TrustError):
    """A JWE is malformed, tampered with, meant for another recipient or uses an unsupported alg/enc."""

    default_reason = "decryption_failed"
