"""CertPub stand-in: where participants publish their DSOP encryption certificates (DSOP “Security design”).

* ``create_app(settings)`` — the locator (``/lookup/v2/…``) and publisher (``/api/v1/…``) in one app;
* what a bank uses to find, check and cache an agency's certificate: ``opendsop.contracts.certpub``;
* ``dsop certpub serve | publish | show`` — certpub/cli.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opendsop import lazy

if TYPE_CHECKING:
    from opendsop.certpub.app import create_app
    from opendsop.certpub.settings import CertPubSettings

# imported on first use (PEP 562), so that `dsop <command> --help` need not load the party
_WHERE = {
    "create_app": "opendsop.certpub.app",
    "CertPubSettings": "opendsop.certpub.settings",
}


__getattr__ = lazy.exports(__name__, _WHERE)


__all__ = ["CertPubSettings", "create_app"]
