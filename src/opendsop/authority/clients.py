"""Registration rules for clients, scopes and delegations (the "Samarbeidsportalen" side).

A client ("integrasjon") belongs to one organisation and proves itself in one of two ways
(DSOP SBL “Integrasjon mot Maskinporten”, DSOP “Security design”):

* ``private_key_jwt``: the grant header names the ``kid`` of a key in the client's registered JWKS;
* ``virksomhetssertifikat``: the grant header carries the enterprise certificate in ``x5c`` (with
  its issuing CAs, or the leaf alone when the issuing CA is configured); it must chain to a
  configured PKI root and name the client's organisation number.

Registered JWKS documents hold public keys only, each with a ``kid`` (the grant picks the key by it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from stdnum.no import orgnr

from opendsop.authority.store import AUTH_ENTERPRISE_CERTIFICATE, AUTH_PRIVATE_KEY_JWT, ClientRecord
from opendsop.trust.errors import TrustError
from opendsop.trust.keys import key_set

_SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]{1,200}$")  # RFC 6749 §3.3
_CLIENT_ID = re.compile(r"^[\x21-\x7E]{1,200}$")
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k")


class RegistrationError(ValueError):
    """A client, scope or delegation that cannot be registered; the message names the bad value."""


def organisation_number(value: str) -> str:
    """A 9-digit Norwegian organisation number with a valid MOD11 check digit."""
    compact = value.replace(" ", "")
    if not (compact.isdigit() and len(compact) == 9 and orgnr.is_valid(compact)):
        raise RegistrationError(f"organisation number {value!r} is not a valid 9-digit organisation number")
    return compact


def scopes(values: Iterable[str]) -> frozenset[str]:
    result = frozenset(values)
    for scope in result:
        if not _SCOPE_TOKEN.match(scope):
            raise RegistrationError(f"scope {scope!r} is not a valid scope token (RFC 6749 §3.3)")
    return result


def client_jwks(doc: Any) -> dict[str, Any]:
    """A client's public JWKS: loadable, no private members, every key with a distinct ``kid``."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("keys"), list):
        raise RegistrationError('the JWKS must be a JSON object with a "keys" array')
    kids: set[str] = set()
    for index, key in enumerate(doc["keys"]):
        if not isinstance(key, Mapping):
            raise RegistrationError(f"JWKS keys[{index}] is not an object")
        if any(member in key for member in _PRIVATE_MEMBERS):
            raise RegistrationError(f"JWKS keys[{index}] holds private key material; register public keys only")
        kid = key.get("kid")
        if not isinstance(kid, str) or not kid:
            raise RegistrationError(f"JWKS keys[{index}] has no kid; the grant header names its key by kid")
        if kid in kids:
            raise RegistrationError(f"JWKS kid {kid!r} appears twice")
        kids.add(kid)
    try:
        key_set(doc)
    except TrustError as exc:
        raise RegistrationError(f"the JWKS cannot be used: {exc}") from None
    return {"keys": [dict(k) for k in doc["keys"]]}


def new_client(
    client_id: str,
    organisation: str,
    granted: Iterable[str] = (),
    *,
    jwks: Any = None,
    certificate: bool = False,
) -> ClientRecord:
    """A validated client record: exactly one of ``jwks`` or ``certificate`` must be given."""
    if not _CLIENT_ID.match(client_id):
        raise RegistrationError(f"client_id {client_id!r} must be 1 to 200 visible ASCII characters")
    if (jwks is None) == (not certificate):
        raise RegistrationError("give either a JWKS (private_key_jwt) or certificate mode (virksomhetssertifikat)")
    return ClientRecord(
        client_id=client_id,
        organisation_number=organisation_number(organisation),
        auth_method=AUTH_ENTERPRISE_CERTIFICATE if certificate else AUTH_PRIVATE_KEY_JWT,
        scopes=scopes(granted),
        jwks=client_jwks(jwks) if jwks is not None else None,
    )
