"""An insurer verifies the police's confirmation of a filed report (bekreftelse på anmeldelse).

No public specification exists (docs/decisions.md, "Fraud cooperation and report confirmation"); the
confirmation is signed like an utleveringspålegg (DSOP Politi “Løsningsbeskrivelse”): a compact PS256 JWS
whose header ``kid`` names a JWK with an ``x5c`` chain to a pre-installed root, the signer being
Politiet (org.nr 915429785) with ``CN=Bekreftelse på anmeldelse`` (``… TEST`` in test).  Then the
content: ``standard.fraud.parse_confirmation`` and ``check_confirmation`` (person, expiry, insurer).

Every failure of the signature, chain or signer is FRD-005 (forged); the content checks keep their codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, Literal

from opendsop.contracts.extradition_order import _chain, _pick_jwk
from opendsop.standard import fraud
from opendsop.standard.errors import DsopError
from opendsop.trust.errors import CertificateError, TrustError
from opendsop.trust.jwt import unverified_header, verify_jwt
from opendsop.trust.keys import key_from_certificate
from opendsop.trust.pki import TrustStore

ALGORITHM: Final = "PS256"
POLITIET_ORGNO: Final = "915429785"
ORGANISATIONAL_UNIT: Final = "Politiet"
COMMON_NAME: Final[dict[str, str]] = {
    "production": "Bekreftelse på anmeldelse",
    "test": "Bekreftelse på anmeldelse TEST",
}
JWKS_PATH: Final = "/.well-known/report-confirmation-jwks.json"


def _forged(detail: str) -> fraud.FraudError:
    return fraud.FraudError("FRD-005", f"the report confirmation is not validly signed by the police: {detail}")


def verify_report_confirmation(
    jws: str,
    trust_store: TrustStore,
    *,
    jwks: Mapping[str, Any],
    person: str,
    now: datetime,
    insurer: str | None = None,
    consent_insurer: str | None = None,
    environment: Literal["test", "production"] = "test",
) -> fraud.ReportConfirmation:
    """The verified confirmation in ``jws`` for ``person`` (module docstring); ``FraudError`` otherwise."""
    try:
        header = unverified_header(jws)
    except (TrustError, TypeError, ValueError) as exc:
        raise _forged(f"not a compact JWS ({exc})") from None
    if header.get("alg") != ALGORITHM or header.get("typ") != fraud.CONFIRMATION_TYP:
        raise _forged(f"the header must carry alg {ALGORITHM} and typ {fraud.CONFIRMATION_TYP}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _forged('the header has no "kid"')
    try:
        chain = _chain(_pick_jwk(jwks, kid))
    except DsopError as exc:
        raise _forged(exc.message.partition(": ")[2] or exc.message) from None
    try:
        leaf = trust_store.validate(
            chain,
            now=now,
            purpose="signing",
            organisation_number=POLITIET_ORGNO,
            organisational_unit=ORGANISATIONAL_UNIT,
            common_name=COMMON_NAME[environment],
        )
        _, claims = verify_jwt(jws, key_from_certificate(leaf, kid=kid), algorithms=(ALGORITHM,))
    except (CertificateError, TrustError) as exc:
        raise _forged(str(exc)) from None
    confirmation = fraud.parse_confirmation(claims)
    return fraud.check_confirmation(
        confirmation, person=person, now=now, insurer=insurer, consent_insurer=consent_insurer
    )


__all__ = [
    "ALGORITHM",
    "COMMON_NAME",
    "JWKS_PATH",
    "ORGANISATIONAL_UNIT",
    "POLITIET_ORGNO",
    "verify_report_confirmation",
]
