"""CertPub stand-in: where participants publish their DSOP encryption certificates (DSOP “Security design”).

* ``create_app(settings)`` — the locator (``/lookup/v2/…``) and publisher (``/api/v1/…``) in one app;
* what a bank uses to find, check and cache an agency's certificate: ``opendsop.contracts.certpub``;
* ``dsop certpub serve | publish | show`` — certpub/cli.py.
"""

from __future__ import annotations

from opendsop.certpub.app import create_app
from opendsop.certpub.settings import CertPubSettings

__all__ = ["CertPubSettings", "create_app"]
