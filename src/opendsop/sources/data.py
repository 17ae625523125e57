"""The data behind the consent-based data sources: the synthetic world's (``opendsop.synth.consent_sources``).

The sources serve what the synthetic Norway generates for its own persons and companies
(``for_population``), so a consent story in ``dsop up`` asks about the same people the banks and
registers know.  This module names that shape for the sources (``World`` is the data of one world)
and keeps ``generate_world``, the small stand-alone sample their unit tests use.
"""

from __future__ import annotations

from opendsop.synth.consent_model import (
    INCOME_CODES,
    LOAN_ACCOUNTS,
    TAX_BASE_FIELDS,
    AapVedtak,
    Income,
    Innbetaling,
    Krav,
    LoanAccount,
    Meldekort,
    MonthlyReport,
    Organisation,
    Person,
    TaxBase,
    TaxBaseItem,
    UforeVedtak,
)
from opendsop.synth.consent_model import SourceData as World
from opendsop.synth.consent_sources import for_population, generate_world, settled_year

__all__ = [
    "INCOME_CODES", "LOAN_ACCOUNTS", "TAX_BASE_FIELDS", "AapVedtak", "Income", "Innbetaling", "Krav", "LoanAccount",
    "Meldekort", "MonthlyReport", "Organisation", "Person", "TaxBase", "TaxBaseItem", "UforeVedtak", "World",
    "for_population", "generate_world", "settled_year",
]  # fmt: skip
