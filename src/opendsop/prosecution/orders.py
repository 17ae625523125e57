"""Påtalemyndigheten's side of the utleveringspålegg: fill in, sign and publish the keys.

Spec: DSOP Politi “Løsningsbeskrivelse” and DSOP Politi “Utleveringspålegg”.  The order is a JWS with header
``{"alg": "PS256", "typ": "JWT", "kid": <certificate id>}`` over the payload of
``standard.extradition.ExtraditionOrder``.  Decisions:

* The service fills ``extraditionOrderID`` (a uuid4 unless the caller reuses the party's id —
  it is "stable per PartyID"), ``version`` "1.0.0", ``approval.approvalTimestamp`` (the clock,
  whole seconds, UTC ``Z``) and ``exp`` = approval + validity, validity at most 90 days.
  A request that sets ``version``, ``approvalTimestamp`` or ``exp`` itself is refused rather than
  silently overridden.  ``reason`` defaults to the predefined sentence of the mandate and
  ``accountList`` to ``true`` (it is "always true").
* An order is signed only if it passes every content check a bank will apply, with its party and
  dates read as strictly as a bank reads a request (``check_issuable`` at the approval time), so the
  stand-in never issues an order banks must refuse or can never match.
* The JWKS is published like politiet.no's ``finans-jwks.json``: one JWK per signing key with
  ``kid``, ``use: sig``, ``alg: PS256`` and ``x5c`` = leaf, then intermediates, **root excluded** —
  the root is the verifier's pre-installed trust anchor (RFC 7517 §4.7 allows leaving it out;
  verify.py also accepts a JWKS that includes it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import msgspec

from opendsop.clock import in_oslo
from opendsop.contracts.extradition_order import (
    ALGORITHM,
    COMMON_NAME,
    COMMON_NAME_PRODUCTION,
    COMMON_NAME_TEST,
    ORGANISATIONAL_UNIT,
)
from opendsop.standard import extradition as eo
from opendsop.standard import mandate as mandates
from opendsop.standard.errors import InvalidRequest
from opendsop.trust.jwt import sign_jwt
from opendsop.trust.keys import key_from_certificate, public_jwk
from opendsop.trust.pki import Credential

JWKS_PATH: Final = "/.well-known/finans-jwks.json"

# Set by the service only (see the module docstring).
_SERVICE_FIELDS: Final = ("version", "exp")
_MANDATE_BY_NAME: Final[dict[str, mandates.Mandate]] = {
    "straffesak": mandates.POLITI_STRAFFESAK,
    "savnet": mandates.POLITI_SAVNET,
}


def mandate_named(name: str) -> mandates.Mandate:
    """``straffesak`` or ``savnet`` (or the full §210 (3) text) → the Politi mandate."""
    found = _MANDATE_BY_NAME.get(name.strip().lower()) or mandates.match_text(name)
    if found is None or found.key not in eo.REASON_FOR_MANDATE:
        raise InvalidRequest(
            f"mandate must be 'straffesak', 'savnet' or one of the two Straffeprosessloven §210 (3) texts, "
            f"not {name!r}",
            parameter="mandate",
        )
    return found


def new_order(
    fields: Mapping[str, Any],
    *,
    now: datetime,
    validity: timedelta = eo.MAX_VALIDITY,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
    synthetic_allowed: bool = False,
) -> eo.ExtraditionOrder:
    """An order from the caller's fields plus the ones the service fills (module docstring).

    Raises ``InvalidRequest`` for a missing/ill-typed field or a field only the service sets,
    ``InvalidExtraditionOrder`` if the finished order fails a content check.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if not timedelta(seconds=1) <= validity <= eo.MAX_VALIDITY:
        raise InvalidRequest(
            f"validity must be between 1 second and {eo.MAX_VALIDITY.days} days", parameter="validityDays"
        )
    if not isinstance(fields, Mapping):
        raise InvalidRequest("the order must be a JSON object", parameter="body")
    claims = dict(fields)
    approval = claims.get("approval")
    for name in _SERVICE_FIELDS:
        if name in claims:
            raise InvalidRequest(f"'{name}' is set by the prosecution service, leave it out", parameter=name)
    if isinstance(approval, Mapping) and "approvalTimestamp" in approval:
        raise InvalidRequest(
            "'approval.approvalTimestamp' is set by the prosecution service, leave it out",
            parameter="approval.approvalTimestamp",
        )
    approved = now.astimezone(UTC).replace(microsecond=0)
    claims["version"] = eo.VERSION
    claims.setdefault("extraditionOrderID", str(new_id()))
    claims.setdefault("accountList", True)
    if isinstance(claims.get("mandate"), str):
        # "straffesak"/"savnet" are accepted as shorthands; the order carries the canonical text.
        named = mandate_named(claims["mandate"])
        claims["mandate"] = named.text
        claims.setdefault("reason", eo.REASON_FOR_MANDATE[named.key])
    if isinstance(approval, Mapping):
        claims["approval"] = {**approval, "approvalTimestamp": approved.isoformat()}
    claims["exp"] = int((approved + validity).timestamp())
    order = eo.parse_claims(claims)
    eo.check_issuable(order, now=in_oslo(approved), synthetic_allowed=synthetic_allowed)  # "today" is the Oslo day
    return order


def order_claims(order: eo.ExtraditionOrder) -> dict[str, Any]:
    """The JSON payload of an order: wire names, ISO dates, ``approvalTimestamp`` as ``…Z``."""
    claims: dict[str, Any] = msgspec.to_builtins(order)
    return claims


def issue_extradition_order(
    claims: eo.ExtraditionOrder | Mapping[str, Any], credential: Credential, *, kid: str
) -> str:
    """Sign an order as a compact PS256 JWS with header ``{"alg": "PS256", "typ": "JWT", "kid"}``.

    A mapping is parsed first (``standard.extradition.parse_claims``), so only a well-formed
    order is signed.  The credential's subject is not checked here: verify.py does that.
    """
    order = claims if isinstance(claims, eo.ExtraditionOrder) else eo.parse_claims(claims)
    return sign_jwt(order_claims(order), credential.private_key, alg=ALGORITHM, header={"typ": "JWT", "kid": kid})


def signing_jwk(credential: Credential, *, kid: str) -> dict[str, Any]:
    """The public JWK of a signing credential with its ``x5c`` chain (root excluded)."""
    jwk = public_jwk(key_from_certificate(credential.certificate, kid=kid))
    jwk.update({"kid": kid, "use": "sig", "alg": ALGORITHM, "x5c": credential.x5c()})
    return jwk


def jwks_document(keys: Iterable[tuple[str, Credential]]) -> dict[str, list[dict[str, Any]]]:
    """``{"keys": [...]}`` for ``GET /.well-known/finans-jwks.json``; ``keys`` are (kid, credential)."""
    return {"keys": [signing_jwk(credential, kid=kid) for kid, credential in keys]}


__all__ = [
    "ALGORITHM",
    "COMMON_NAME",
    "COMMON_NAME_PRODUCTION",
    "COMMON_NAME_TEST",
    "JWKS_PATH",
    "ORGANISATIONAL_UNIT",
    "issue_extradition_order",
    "jwks_document",
    "mandate_named",
    "new_order",
    "order_claims",
    "signing_jwk",
]
