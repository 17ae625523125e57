"""The message platform: an Altinn-3-shaped correspondence, broker and events service (port 8080).

* ``create_app(settings)`` — the ASGI app (app.py); ``Platform`` — the same services without HTTP;
* what senders and recipients use to talk to it: ``opendsop.contracts.messaging``;
* ``dsop altinn serve | resources | roles`` — altinn/cli.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opendsop import lazy

if TYPE_CHECKING:
    from opendsop.altinn.app import create_app
    from opendsop.altinn.platform import Platform
    from opendsop.altinn.settings import AltinnSettings

# imported on first use (PEP 562), so that `dsop <command> --help` need not load the party
_WHERE = {
    "create_app": "opendsop.altinn.app",
    "Platform": "opendsop.altinn.platform",
    "AltinnSettings": "opendsop.altinn.settings",
}


__getattr__ = lazy.exports(__name__, _WHERE)


__all__ = ["AltinnSettings", "Platform", "create_app"]
