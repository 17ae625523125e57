"""opendsop.authority: a Maskinporten-like token service (verifying its tokens: ``opendsop.contracts.verify``).

* ``create_app(settings)`` — the ASGI app (``POST /token``, metadata, ``/jwks``), see ``app``;
* ``AuthoritySettings`` — its configuration (env prefix ``DSOP_AUTHORITY_``);
* ``cli.app`` — the ``dsop authority`` commands.

Specification: DSOP “Security design”, DSOP SBL “Integrasjon mot Maskinporten”, DSOP “FAQ”.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opendsop.authority.app import create_app
    from opendsop.authority.settings import AuthoritySettings

# imported on first use (PEP 562), so that `dsop <command> --help` need not load the party
_WHERE = {
    "create_app": "opendsop.authority.app",
    "AuthoritySettings": "opendsop.authority.settings",
}


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "AuthoritySettings",
    "create_app",
]
