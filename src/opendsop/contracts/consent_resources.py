"""The consent resources: which data a consent may cover, for how long, and the text the person reads.

One frozen ``ConsentResource`` value per Altinn 3 resource, in one table (``RESOURCES``), so the consent
service (caps, metaData checks, the approval page) and the data sources (which resource they serve)
read the same rules.  Sources: DSOP SBL “Om tjenesten” (SBL, ≤ 10 days, mandated consent text),
DSOP Saldo på studielån “Om” (Saldo studielån, ≤ 1 year), DSOP SSU pages (SSU, ≤ 3 years), DSOP FI Krav og betalinger
pages (FI-K&B, ≤ 90 days, business),
DSOP “Altinn 3.0” (Altinn 3 ``consentRights``), DSOP SBL “Samtykkeløsningen”; DSOP “Altinn 3.0” (the side-by-side table)
and the consent contract.

Decisions (the sources do not say):

* resource ids are the contract's short ids (``ske-sbl-inntekt`` …), not Altinn's real ones;
* the Lånekassen, NAV and K&B texts are summaries of what the sources say the consent covers; only
  the SBL text is the mandated wording;
* ``one_time`` is False for all four: SBL and K&B re-exchange freely, Lånekassen and NAV ask the
  consumer to exchange once, a rule for the consumer, not a reason to refuse the second token.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType
from typing import Literal

from opendsop.standard.values import parse_month, parse_year

Subject = Literal["person", "organisation"]


@dataclass(frozen=True, slots=True)
class ConsentResource:
    """One consent resource (Altinn 3 ``urn:altinn:resource``) and its rules."""

    id: str
    owner: str  # the data source that serves it
    owner_org: str  # its organisation number: a source may read the status of consents for its resources
    title: str
    title_en: str
    max_validity: timedelta
    consent_text: str  # bokmål; "{bank}" is replaced by the consumer's official name
    consent_text_en: str
    allowed_metadata: frozenset[str] = frozenset()
    subject: Subject = "person"  # who can give the consent: a person, or an organisation's representative
    altinn2_service: str = ""  # "<serviceCode>_<serviceEditionCode>" of the Altinn 2 compatibility mode
    one_time: bool = False  # Altinn: a one-time consent becomes ``used`` at its first token

    def text(self, bank: str, *, lang: str = "nb") -> str:
        return (self.consent_text_en if lang == "en" else self.consent_text).replace("{bank}", bank)


RESOURCES: Mapping[str, ConsentResource] = MappingProxyType(
    {
        "ske-sbl-inntekt": ConsentResource(
            id="ske-sbl-inntekt",
            owner="Skatteetaten",
            owner_org="974761076",
            title="Inntekt og skattegrunnlag til lånesøknad",
            title_en="Income and tax base for a loan application",
            max_validity=timedelta(days=10),
            consent_text="Ved å samtykke, gir du Skatteetaten rett til å utlevere opplysninger om deg direkte til "
            "{bank}. Banken får opplysningene for å behandle søknaden din om finansiering.",
            consent_text_en="By consenting, you allow the Norwegian Tax Administration to disclose information "
            "about you directly to {bank}. The bank receives the information to process your "
            "application for financing.",
            allowed_metadata=frozenset({"fraOgMed", "tilOgMed", "inntektsaar"}),
            altinn2_service="4628_210607",
        ),
        "lanekassen-saldo": ConsentResource(
            id="lanekassen-saldo",
            owner="Lånekassen",
            owner_org="960885406",
            title="Saldo på studielån",
            title_en="Student loan balance",
            max_validity=timedelta(days=365),
            consent_text="Ved å samtykke, gir du Lånekassen rett til å utlevere samlet utestående studielån med "
            "renter, gebyrer og omkostninger direkte til {bank}. Banken kan bare bruke opplysningene "
            "til å vise deg lånet i nettbanken eller appen, henter dem ved hver innlogging og sletter "
            "dem når du logger ut. Du kan trekke samtykket tilbake når som helst.",
            consent_text_en="By consenting, you allow Lånekassen to disclose your total outstanding student loan "
            "with interest, fees and costs directly to {bank}. The bank may only use it to show "
            "you the loan in its online or mobile bank, fetches it at each login and deletes it "
            "when you log out. You can withdraw the consent at any time.",
            altinn2_service="5498_1",
        ),
        "nav-ssu": ConsentResource(
            id="nav-ssu",
            owner="NAV",
            owner_org="889640782",
            title="Syke- og uføreopplysninger",
            title_en="Sickness and disability information",
            max_validity=timedelta(days=3 * 365),
            consent_text="Ved å samtykke, gir du NAV rett til å utlevere vedtak om arbeidsavklaringspenger, "
            "meldekort og vedtak om uføretrygd direkte til {bank}. Selskapet får opplysningene for å "
            "behandle kravet ditt etter forsikringen eller pensjonsordningen. Samtykket varer i "
            "opptil tre år, og du kan trekke det tilbake når som helst.",
            consent_text_en="By consenting, you allow NAV to disclose decisions on work assessment allowance, "
            "employment status forms and decisions on disability benefit directly to {bank}. "
            "The company receives the information to process your claim under the insurance or "
            "pension scheme. The consent lasts up to three years and can be withdrawn at any time.",
            altinn2_service="5252_2",
        ),
        "ske-krav-betalinger": ConsentResource(
            id="ske-krav-betalinger",
            owner="Skatteetaten",
            owner_org="974761076",
            title="Krav og betalinger for virksomheten",
            title_en="Claims and payments of the business",
            max_validity=timedelta(days=90),
            consent_text="Ved å samtykke, gir du Skatteetaten rett til å utlevere opplysninger om virksomhetens "
            "krav, innbetalinger og utbetalinger direkte til {bank}. Banken får opplysningene for å "
            "vise virksomheten en oversikt i nettbanken.",
            consent_text_en="By consenting, you allow the Norwegian Tax Administration to disclose the business's "
            "claims, payments and disbursements directly to {bank}. The bank receives the "
            "information to show the business an overview in its online bank.",
            subject="organisation",
            altinn2_service="5928_202301",
        ),
    }
)

ALTINN2_SERVICES: Mapping[str, str] = MappingProxyType(
    {resource.altinn2_service: resource.id for resource in RESOURCES.values() if resource.altinn2_service}
)


def check_metadata(resource: ConsentResource, metadata: Mapping[str, object]) -> dict[str, str]:
    """The ``metaData`` of one consent right, checked against its resource; ``ValueError`` says why not.

    SBL needs a month range (``fraOgMed`` with optional ``tilOgMed``, ``YYYY-MM``) and/or an income
    year (``inntektsaar``, ``YYYY``), since Skatteetaten answers only inside them.
    """
    unknown = sorted(set(metadata) - resource.allowed_metadata)
    if unknown:
        allowed = ", ".join(sorted(resource.allowed_metadata)) or "none"
        raise ValueError(f"metaData key {unknown[0]!r} is not allowed for resource {resource.id} (allowed: {allowed})")
    values: dict[str, str] = {}
    for key, value in metadata.items():
        if not isinstance(value, str):
            raise ValueError(f"metaData {key} must be a string")
        values[key] = value
    # Strict ASCII months and years (standard.values), compared as months, never as text: a
    # full-width '２０２５-06' passed '\d' and sorted after every month, widening the consent.
    months = {
        key: parse_month(values[key], parameter=f"metaData {key}") for key in ("fraOgMed", "tilOgMed") if key in values
    }
    if "inntektsaar" in values:
        parse_year(values["inntektsaar"], parameter="metaData inntektsaar")
    if "tilOgMed" in months and "fraOgMed" not in months:
        raise ValueError("metaData tilOgMed needs fraOgMed")
    if "fraOgMed" in months and months.get("tilOgMed", months["fraOgMed"]) < months["fraOgMed"]:
        raise ValueError("metaData tilOgMed is before fraOgMed")
    if resource.id == "ske-sbl-inntekt" and not ({"fraOgMed", "inntektsaar"} & set(values)):
        raise ValueError(f"resource {resource.id} needs metaData fraOgMed (YYYY-MM) and/or inntektsaar (YYYY)")
    return values


__all__ = ["ALTINN2_SERVICES", "RESOURCES", "ConsentResource", "Subject", "check_metadata"]
