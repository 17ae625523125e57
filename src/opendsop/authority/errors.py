"""OAuth 2.0 token-endpoint errors (RFC 6749 §5.2) raised by the grant rules and mapped once by the app.

Which code for which failure (our decision; RFC 7523 §3.1 leaves the split open and the brief asks
for ``invalid_client`` on authentication failures)::

    OAuthError                     error code               HTTP
    ├── InvalidRequest             invalid_request          400  body not a form, parameter missing/repeated
    ├── UnsupportedGrantType       unsupported_grant_type   400  grant_type is not the JWT-bearer URN
    ├── InvalidGrant               invalid_grant            400  assertion malformed, alg not allowed, aud,
    │                                                            iat/exp, jti missing or replayed, bad claims
    ├── InvalidClient              invalid_client           401  iss unknown, no key for kid, certificate not
    │                                                            from the PKI or for another organisation,
    │                                                            signature does not verify
    ├── InvalidScope               invalid_scope            400  scope missing, malformed, not granted, or the
    │                                                            consumer has not delegated it to the caller
    └── TemporarilyUnavailable     temporarily_unavailable  503  the service's database cannot answer now
                                                                 (+ Retry-After; docs/decisions.md "Outages")

``str(error)`` is the ``error_description``: one clear sentence, never a stack trace.
"""

from __future__ import annotations

from typing import ClassVar


class OAuthError(Exception):
    """A refused token request; ``error`` is the RFC 6749 code, ``status`` the HTTP status."""

    error: ClassVar[str] = "invalid_request"
    status: ClassVar[int] = 400

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


class InvalidRequest(OAuthError):
    error = "invalid_request"


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"


class InvalidGrant(OAuthError):
    error = "invalid_grant"


class InvalidClient(OAuthError):
    error = "invalid_client"
    status = 401


class InvalidScope(OAuthError):
    error = "invalid_scope"


class TemporarilyUnavailable(OAuthError):
    """RFC 6749 §4.1.2.1's ``temporarily_unavailable``, used at the token endpoint the same way."""

    error = "temporarily_unavailable"
    status = 503
