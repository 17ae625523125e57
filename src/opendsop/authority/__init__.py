"""opendsop.authority: a Maskinporten-like token service (verifying its tokens: ``opendsop.contracts.verify``).

* ``create_app(settings)`` — the ASGI app (``POST /token``, metadata, ``/jwks``), see ``app``;
* ``AuthoritySettings`` — its configuration (env prefix ``DSOP_AUTHORITY_``);
* ``cli.app`` — the ``dsop authority`` commands.

Specification: DSOP “Security design”, DSOP SBL “Integrasjon mot Maskinporten”, DSOP “FAQ”.
"""

from __future__ import annotations

from opendsop.authority.app import create_app
from opendsop.authority.settings import AuthoritySettings

__all__ = [
    "AuthoritySettings",
    "create_app",
]
