"""opendsop.authority: a Maskinporten-like token service (verifying its tokens: ``opendsop.contracts.verify``).

* ``create_app(settings)`` — the ASGI app (``POST /token``, metadata, ``/jwks``), see ``app``;
* ``AuthoritySettings`` — its configuration (env prefix ``DSOP_AUTHORITY_``);
* ``cli.app`` — the ``dsop authority`` commands.

Specification: DSOP “Security design”, DSOP SBL “Integrasjon mot Maskinporten”, DSOP “FAQ”.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opendsop import lazy

if TYPE_CHECKING:
    from opendsop.authority.app import create_app
    from opendsop.authority.settings import AuthoritySettings

# imported on first use (PEP 562), so that `dsop <command> --help` need not load the party
_WHERE = {
    "create_app": "opendsop.authority.app",
    "AuthoritySettings": "opendsop.authority.settings",
}


__getattr__ = lazy.exports(__name__, _WHERE)


__all__ = [
    "AuthoritySettings",
    "create_app",
]
