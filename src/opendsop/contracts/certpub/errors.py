"""Errors of the CertPub stand-in and its client.

CertPub is not part of the DSOP Control API, so these are not ``ACC-xxx`` codes; the directory
answers errors as ``{"error": <machine code>, "message": <sentence>}`` (documented in app.py)::

    CertPubError(Exception)
    ├── ParticipantNotFound          404: nothing published for the participant / process
    ├── CertificateRejected          400: a published certificate fails the encryption-certificate checks
    └── CertPubUnavailable           the directory did not answer, or answered something unreadable
"""

from __future__ import annotations


class CertPubError(Exception):
    """Base of every CertPub error; ``str(e)`` is a sentence that says what is wrong."""

    error = "certpub_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ParticipantNotFound(CertPubError):
    error = "not_found"


class CertificateRejected(CertPubError):
    error = "certificate_rejected"


class CertPubUnavailable(CertPubError):
    error = "unavailable"


__all__ = ["CertPubError", "CertPubUnavailable", "CertificateRejected", "ParticipantNotFound"]
