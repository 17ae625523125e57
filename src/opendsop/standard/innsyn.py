"""Who may see which disclosure about them, and when ("innsyn"): visibility rules as data, per service.

Each audit record of a disclosure is shown to the person it is about by the rule of its service:

* ``consent`` — shown at once: the person gave the consent (NAV's sporingslogg shows only these;
  Altinn shows them under "Se avtalelogg").
* ``legal_basis`` — shown on request, as GDPR art. 15 gives a right of access to disclosures made
  under a legal basis (bankruptcy, estates, guardianship, tax and NAV control, enforcement).
* ``embargo`` — a police request (straffeprosessloven § 210, utleveringspålegg) or another covert
  request: hidden from the person until the embargo is lifted (a later lift message, e.g. when the
  prosecution's order allows notice) or its date has passed; the bank that answered still sees it.
  With no date the embargo lasts until lifted.

An embargoed entry must not leak: it is removed *before* counting and paging, so neither the number of
entries, the pages nor the time an answer takes depend on it.  ``docs/decisions.md`` ("Verifiable audit
and innsyn") records the source or decision behind each row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType


class Visibility(StrEnum):
    CONSENT = "consent"
    LEGAL_BASIS = "legal_basis"
    EMBARGO = "embargo"


@dataclass(frozen=True, slots=True)
class Rule:
    visibility: Visibility
    basis: str  # the legal basis or consent a person is shown
    source: str  # where the rule comes from (a public source or a decision)


RULES: MappingProxyType[str, Rule] = MappingProxyType(
    {
        # the Control API's services (standard.services)
        "konkurs": Rule(Visibility.LEGAL_BASIS, "Konkursloven § 101 (bobehandling)", "GDPR art. 15"),
        "oed": Rule(Visibility.LEGAL_BASIS, "Arveloven / skifteloven (dødsbo)", "GDPR art. 15"),
        "verge": Rule(Visibility.LEGAL_BASIS, "Vergemålsloven (kontroll av vergeregnskap)", "GDPR art. 15"),
        "skatt": Rule(Visibility.LEGAL_BASIS, "Skatteforvaltningsloven § 10-2 (kontroll)", "GDPR art. 15"),
        "nav": Rule(Visibility.LEGAL_BASIS, "Folketrygdloven § 21-4 (kontroll)", "GDPR art. 15"),
        "fi-utlegg": Rule(Visibility.LEGAL_BASIS, "Tvangsfullbyrdelsesloven (utlegg)", "GDPR art. 15"),
        "politi": Rule(
            Visibility.EMBARGO,
            "Straffeprosessloven § 210 (utleveringspålegg)",
            "decision: deferred notice until the prosecution lifts it (§ 210 c as described)",
        ),
        "folkeregister": Rule(Visibility.LEGAL_BASIS, "Folkeregisterloven § 10-2 (utlevering)", "GDPR art. 15"),
        # the consent-based sources (opendsop.sources)
        "skatteetaten-sbl": Rule(Visibility.CONSENT, "Samtykke (lånesøknad)", "Altinn avtalelogg"),
        "lanekassen-saldo": Rule(Visibility.CONSENT, "Samtykke (saldo på studielån)", "Altinn avtalelogg"),
        "nav-ssu": Rule(Visibility.CONSENT, "Samtykke (syke- og uføreopplysninger)", "NAV sporingslogg"),
        "ske-krav-betalinger": Rule(Visibility.CONSENT, "Samtykke (krav og betalinger)", "Altinn avtalelogg"),
    }
)
DEFAULT = Rule(Visibility.LEGAL_BASIS, "Lovhjemmel", "GDPR art. 15")


def rule_for(service: str | None) -> Rule:
    return RULES.get(service or "", DEFAULT)


def visible(
    service: str | None,
    *,
    consent_id: str | None,
    embargo_until: date | None,
    lifted: bool,
    today: date,
) -> bool:
    """Whether the person may see this disclosure today."""
    if rule_for(service).visibility is Visibility.EMBARGO or embargo_until is not None:
        return lifted or (embargo_until is not None and today >= embargo_until)
    return True  # consent: at once; legal basis: on the person's request, which innsyn is


__all__ = ["DEFAULT", "RULES", "Rule", "Visibility", "rule_for", "visible"]
