"""All parties of a consent flow in-process: ``opendsop.ecosystem.inprocess_consent``, re-exported here."""

from __future__ import annotations

from opendsop.ecosystem.inprocess_consent import (
    ADMIN_TOKEN,
    API_KEY,
    AUTHORITY,
    BANK,
    BANK_NAME,
    BANK_SCOPES,
    CONSENT,
    KRAV,
    LANEKASSEN,
    NAV,
    NOW,
    OTHER_BANK,
    OWNERS,
    REDIRECT,
    SEED,
    SKATTEETATEN,
    Clock,
    Parties,
    Person,
    endpoints,
    parties,
)

__all__ = [
    "ADMIN_TOKEN", "API_KEY", "AUTHORITY", "BANK", "BANK_NAME", "BANK_SCOPES", "CONSENT", "KRAV", "LANEKASSEN", "NAV",
    "NOW", "OTHER_BANK", "OWNERS", "REDIRECT", "SEED", "SKATTEETATEN", "Clock", "Parties", "Person", "endpoints",
    "parties",
]  # fmt: skip
