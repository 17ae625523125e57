"""opendsop.trust: keys, JWT, JWE and a small PKI, with no network and no clock (DSOP “Security design”).

Submodules are imported by name (``from opendsop.trust.jwt import verify_jwt``);
this package re-exports only the error types, which every caller needs.
"""

from __future__ import annotations

from opendsop.trust.errors import CertificateError, DecryptionError, InvalidToken, TrustError

__all__ = ["CertificateError", "DecryptionError", "InvalidToken", "TrustError"]
