"""opendsop.authority: a Maskinporten-like token service and the resource-server verifier.

* ``create_app(settings)`` — the ASGI app (``POST /token``, metadata, ``/jwks``), see ``app``;
* ``AuthoritySettings`` — its configuration (env prefix ``DSOP_AUTHORITY_``);
* ``TokenVerifier`` / ``Principal`` — what a bank uses to check a bearer token, see ``verify``;
* ``cli.app`` — the ``dsop authority`` commands.

Specification: DSOP “Security design”, DSOP SBL “Integrasjon mot Maskinporten”, DSOP “FAQ”.
"""

from __future__ import annotations

from opendsop.authority.app import create_app
from opendsop.authority.settings import AuthoritySettings
from opendsop.authority.verify import InsufficientScope, JwksUnavailable, Principal, TokenVerifier

__all__ = [
    "AuthoritySettings",
    "InsufficientScope",
    "JwksUnavailable",
    "Principal",
    "TokenVerifier",
    "create_app",
]
