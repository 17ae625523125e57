"""The police intake stand-in: take a fraud report, answer with a case number and a signed confirmation.

No public specification exists (docs/decisions.md, "Fraud cooperation and report confirmation").  The
report is a structured document (reporter, fraud type, transactions, receiving accounts, the banks'
recall outcomes — ``check_report``); the answer is an 8-digit case number and a confirmation JWS
signed like an utleveringspålegg but by its own certificate (``contracts.report_confirmation``): a
confirmation must never pass as an order, nor an order as a confirmation.

The key lives in ``<key_dir>/confirmation`` in the layout of keystore.py; in test it is created on
first use under its own local root (``root.pem`` there is what an insurer installs).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from opendsop.contracts.report_confirmation import ALGORITHM, COMMON_NAME, ORGANISATIONAL_UNIT, POLITIET_ORGNO
from opendsop.prosecution.keystore import POLITIET_NAME, SigningKey, default_kid, load, save
from opendsop.prosecution.settings import Environment
from opendsop.standard import fraud
from opendsop.standard.identifiers import validate_person_number
from opendsop.trust.jwt import sign_jwt
from opendsop.trust.pki import CertificateAuthority, subject_value

SUBDIRECTORY: Final = "confirmation"
DEFAULT_VALIDITY: Final = timedelta(days=365)
_REPORT_FIELDS: Final = frozenset({"reportId", "reporter", "fraudType", "filed", "bank", "transactions", "recalls"})


def load_or_create_key(key_dir: Path, *, now: datetime, environment: Environment) -> SigningKey:
    """The confirmation key under ``key_dir/confirmation``; in test created on first use."""
    directory = key_dir / SUBDIRECTORY
    if (directory / "signing-key.pem").exists():
        key = load(directory)
    elif environment == "production":
        raise FileNotFoundError(f"no report-confirmation credential in {directory} (production keys are installed)")
    else:
        root = CertificateAuthority.create_root("opendsop local test root (report confirmations)", now=now)
        issuing = root.issue_intermediate("opendsop local test enterprise CA", now=now)
        credential = issuing.issue_enterprise(
            POLITIET_ORGNO,
            organisation_name=POLITIET_NAME,
            organisational_unit=ORGANISATIONAL_UNIT,
            common_name=COMMON_NAME[environment],
            now=now,
            purpose="signing",
        )
        key = SigningKey(kid=default_kid(credential), credential=credential, root=root.certificate)
        save(directory, key)
    if subject_value(key.credential.certificate, "CN") != COMMON_NAME[environment]:
        raise ValueError(f"the report-confirmation certificate must have CN={COMMON_NAME[environment]!r}")
    return key


def case_number(report_id: str, filed: date) -> str:
    """8 digits: the filing year's last two digits, then 6 derived from the report id.

    Derived rather than counted so that a report sent twice gets the same number without a store; a real
    intake assigns numbers from its case system.
    """
    digest = int.from_bytes(hashlib.sha256(report_id.encode()).digest()[:8], "big")
    return f"{filed.year % 100:02d}{digest % 1_000_000:06d}"


def check_report(report: Mapping[str, Any], *, synthetic_allowed: bool) -> tuple[str, str, fraud.FraudType, date]:
    """(report id, reporter, fraud type, filed date) of a well-formed report; FRD-008 otherwise."""
    if not isinstance(report, Mapping):
        raise fraud.FraudError("FRD-008", "the report must be a JSON object")
    extra = set(report) - _REPORT_FIELDS
    missing = {"reportId", "reporter", "fraudType", "filed"} - set(report)
    if extra or missing:
        raise fraud.FraudError("FRD-008", f"report fields missing {sorted(missing)} or unknown {sorted(extra)}")
    report_id = report["reportId"]
    if not isinstance(report_id, str) or not 8 <= len(report_id) <= 64:
        raise fraud.FraudError("FRD-008", "reportId must be a string of 8 to 64 characters")
    kind = fraud.fraud_type(str(report["fraudType"]))
    try:
        filed = date.fromisoformat(str(report["filed"]))
    except ValueError:
        raise fraud.FraudError("FRD-008", "filed must be a date YYYY-MM-DD") from None
    try:
        reporter = validate_person_number(str(report["reporter"]), synthetic_allowed=synthetic_allowed).value
    except ValueError as exc:
        raise fraud.FraudError("FRD-008", f"the reporter is not a valid fødselsnummer or d-nummer: {exc}") from None
    return report_id, reporter, kind, filed


def issue_confirmation(confirmation: fraud.ReportConfirmation, key: SigningKey, *, jti: str | None = None) -> str:
    """The compact PS256 JWS of a confirmation, header ``{alg, typ, kid}``."""
    claims = fraud.confirmation_claims(confirmation, jti=jti or str(uuid.uuid4()))
    return sign_jwt(
        claims, key.credential.private_key, alg=ALGORITHM, header={"typ": fraud.CONFIRMATION_TYP, "kid": key.kid}
    )


def intake(
    report: Mapping[str, Any],
    key: SigningKey,
    *,
    now: datetime,
    legal_basis: Mapping[str, str | None],
    synthetic_allowed: bool,
    validity: timedelta = DEFAULT_VALIDITY,
) -> dict[str, Any]:
    """``{"caseNumber", "confirmation", "claims"}`` for a report (FRD-010 without a legal basis)."""
    fraud.require_legal_basis(fraud.Flow.CONFIRMATION, legal_basis)
    report_id, reporter, kind, filed = check_report(report, synthetic_allowed=synthetic_allowed)
    confirmation = fraud.new_confirmation(
        case_number=case_number(report_id, filed),
        filed=filed,
        reporter=reporter,
        offence_category=fraud.OFFENCE_CATEGORY[kind],
        now=now,
        validity=validity,
        synthetic_allowed=synthetic_allowed,
    )
    jws = issue_confirmation(confirmation, key)
    return {
        "caseNumber": confirmation.case_number,
        "confirmation": jws,
        "offenceCategory": confirmation.offence_category,
    }


__all__ = ["case_number", "check_report", "intake", "issue_confirmation", "load_or_create_key"]
