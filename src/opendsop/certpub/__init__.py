"""CertPub stand-in: where participants publish their DSOP encryption certificates (DSOP “Security design”).

* ``create_app(settings)`` — the locator (``/lookup/v2/…``) and publisher (``/api/v1/…``) in one app;
* ``CertPubClient`` — what a bank uses to find, check and cache an agency's certificate;
* ``dsop certpub serve | publish | show`` — certpub/cli.py.
"""

from __future__ import annotations

from opendsop.certpub.app import create_app
from opendsop.certpub.client import CertPubClient
from opendsop.certpub.errors import CertificateRejected, CertPubError, CertPubUnavailable, ParticipantNotFound
from opendsop.certpub.identifiers import DSOP_PROCESS, MalformedIdentifier, parse_participant, parse_process
from opendsop.certpub.settings import CertPubSettings

__all__ = [
    "DSOP_PROCESS",
    "CertPubClient",
    "CertPubError",
    "CertPubSettings",
    "CertPubUnavailable",
    "CertificateRejected",
    "MalformedIdentifier",
    "ParticipantNotFound",
    "create_app",
    "parse_participant",
    "parse_process",
]
