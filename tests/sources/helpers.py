"""Shared test helpers for the data sources: consent details shaped as the consent contract says."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
BANK = "910000001"  # the consumer organisation (any 9 digits: the verifier checks the shape only)
OTHER_BANK = "920000002"
SEED = 4242


def person_urn(fnr: str) -> str:
    return f"urn:altinn:person:identifier-no:{fnr}"


def org_urn(orgnr: str) -> str:
    return f"urn:altinn:organization:identifier-no:{orgnr}"


def consent(
    subject_urn: str,
    resource: str,
    *,
    to: str = BANK,
    consented: datetime | None = None,
    valid_for: timedelta = timedelta(days=5),
    metadata: dict[str, str] | None = None,
    consent_id: str | None = None,
) -> dict[str, Any]:
    """One ``authorization_details`` entry of type ``urn:altinn:consent`` (consent contract)."""
    given = consented or NOW - timedelta(hours=1)
    right: dict[str, Any] = {"action": ["consent"], "resource": [{"type": "urn:altinn:resource", "value": resource}]}
    if metadata is not None:
        right["metaData"] = metadata
    return {
        "type": "urn:altinn:consent",
        "id": consent_id or str(uuid.uuid4()),
        "from": subject_urn,
        "to": {"authority": "iso6523-actorid-upis", "ID": f"0192:{to}"},
        "consented": given.isoformat().replace("+00:00", "Z"),
        "validTo": (given + valid_for).isoformat().replace("+00:00", "Z"),
        "consentRights": [right],
    }


def month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def tamper(token: str) -> str:
    """Change one character of the payload so the signature no longer matches."""
    header, payload, signature = token.split(".")
    middle = len(payload) // 2
    flipped = "A" if payload[middle] != "A" else "B"
    return ".".join((header, payload[:middle] + flipped + payload[middle + 1 :], signature))
