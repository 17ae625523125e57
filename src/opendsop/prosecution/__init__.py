"""Påtalemyndigheten stand-in: signs Politi extradition orders (utleveringspålegg, DSOP Politi “Løsningsbeskrivelse”).

* ``issue_extradition_order(claims, credential, *, kid)`` — the PS256 JWS (orders.py);
* what a bank runs to verify an order lives in ``opendsop.contracts.extradition_order``;
* ``create_app(settings)`` — ``POST /extradition-orders`` and ``GET /.well-known/finans-jwks.json``;
* ``dsop eo issue | serve`` — prosecution/cli.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opendsop import lazy

if TYPE_CHECKING:
    from opendsop.prosecution.app import create_app
    from opendsop.prosecution.orders import (
        COMMON_NAME_PRODUCTION,
        COMMON_NAME_TEST,
        JWKS_PATH,
        ORGANISATIONAL_UNIT,
        issue_extradition_order,
        jwks_document,
        new_order,
    )
    from opendsop.prosecution.settings import ProsecutionSettings

# imported on first use (PEP 562), so that `dsop <command> --help` need not load the party
_WHERE = {
    "create_app": "opendsop.prosecution.app",
    "COMMON_NAME_PRODUCTION": "opendsop.prosecution.orders",
    "COMMON_NAME_TEST": "opendsop.prosecution.orders",
    "JWKS_PATH": "opendsop.prosecution.orders",
    "ORGANISATIONAL_UNIT": "opendsop.prosecution.orders",
    "issue_extradition_order": "opendsop.prosecution.orders",
    "jwks_document": "opendsop.prosecution.orders",
    "new_order": "opendsop.prosecution.orders",
    "ProsecutionSettings": "opendsop.prosecution.settings",
}


__getattr__ = lazy.exports(__name__, _WHERE)


__all__ = [
    "COMMON_NAME_PRODUCTION",
    "COMMON_NAME_TEST",
    "JWKS_PATH",
    "ORGANISATIONAL_UNIT",
    "ProsecutionSettings",
    "create_app",
    "issue_extradition_order",
    "jwks_document",
    "new_order",
]
