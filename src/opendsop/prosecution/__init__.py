"""Påtalemyndigheten stand-in: signs Politi extradition orders (utleveringspålegg, DSOP Politi “Løsningsbeskrivelse”).

* ``issue_extradition_order(claims, credential, *, kid)`` — the PS256 JWS (orders.py);
* ``verify_extradition_order(jws, trust_store, *, now, jwks, environment)`` — what a bank runs
  (verify.py), with ``fetch_jwks`` / ``JwksCache`` for the HTTP side;
* ``create_app(settings)`` — ``POST /extradition-orders`` and ``GET /.well-known/finans-jwks.json``;
* ``dsop eo issue | serve`` — prosecution/cli.py.
"""

from __future__ import annotations

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
from opendsop.prosecution.verify import JwksCache, JwksUnavailable, fetch_jwks, verify_extradition_order

__all__ = [
    "COMMON_NAME_PRODUCTION",
    "COMMON_NAME_TEST",
    "JWKS_PATH",
    "ORGANISATIONAL_UNIT",
    "JwksCache",
    "JwksUnavailable",
    "ProsecutionSettings",
    "create_app",
    "fetch_jwks",
    "issue_extradition_order",
    "jwks_document",
    "new_order",
    "verify_extradition_order",
]
