"""CertPub stand-in: where participants publish their DSOP encryption certificates (DSOP “Security design”).

* ``create_app(settings)`` — the locator (``/lookup/v2/…``) and publisher (``/api/v1/…``) in one app;
* what a bank uses to find, check and cache an agency's certificate: ``opendsop.contracts.certpub``;
* ``dsop certpub serve | publish | show`` — certpub/cli.py.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opendsop.certpub.app import create_app
    from opendsop.certpub.settings import CertPubSettings

# imported on first use (PEP 562), so that `dsop <command> --help` need not load the party
_WHERE = {
    "create_app": "opendsop.certpub.app",
    "CertPubSettings": "opendsop.certpub.settings",
}


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


__all__ = ["CertPubSettings", "create_app"]
