"""The consent service's notice to a data source that a consent has ended (the revocation hook).

The consent service posts ``{"consentId": "<id>", "status": "<status>"}`` to
``<source>/internal/consent-events`` with ``Authorization: Bearer <shared secret>``; the source
drops what it cached for that consent at once (any status but ``accepted`` ends it).  Both sides
build and read the body here so they cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Final

CONSENT_EVENTS_PATH: Final = "/internal/consent-events"
ACCEPTED: Final = "accepted"
MAX_CONSENT_ID: Final = 64


def consent_event(consent_id: str, status: str) -> dict[str, str]:
    """The body the consent service posts."""
    return {"consentId": consent_id, "status": status}


def parse_consent_event(body: Any) -> tuple[str, str] | None:
    """``(consentId, status)`` of a posted body, or ``None`` when it is not a consent event."""
    if not isinstance(body, dict):
        return None
    consent_id, status = body.get("consentId"), body.get("status")
    if not isinstance(consent_id, str) or not 0 < len(consent_id) <= MAX_CONSENT_ID or not isinstance(status, str):
        return None
    return consent_id, status


def ends_consent(status: str) -> bool:
    """Whether a notified status ends the consent (anything but ``accepted``)."""
    return status.lower() != ACCEPTED


__all__ = ["ACCEPTED", "CONSENT_EVENTS_PATH", "consent_event", "ends_consent", "parse_consent_event"]
