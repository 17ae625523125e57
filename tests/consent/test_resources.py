"""The consent resources table against DSOP SBL “Om tjenesten”; DSOP SBL “Samtykkeløsningen”; DSOP “Altinn 3.0” (caps,
subjects, codes, texts)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opendsop.contracts.consent_resources import ALTINN2_SERVICES, RESOURCES, check_metadata

# One row per service of the DSOP SBL “Samtykkeløsningen”; DSOP “Altinn 3.0” table: resource, max validity, consent
# giver, Altinn 2 service code.
SPEC = [
    pytest.param("ske-sbl-inntekt", timedelta(days=10), "person", "4628_210607", id="SBL-10-days"),
    pytest.param("lanekassen-saldo", timedelta(days=365), "person", "5498_1", id="Saldo-1-year"),
    pytest.param("nav-ssu", timedelta(days=3 * 365), "person", "5252_2", id="SSU-3-years"),
    pytest.param("ske-krav-betalinger", timedelta(days=90), "organisation", "5928_202301", id="KB-90-days-business"),
]


@pytest.mark.parametrize(("resource", "cap", "subject", "service"), SPEC)
def test_resource_rules_follow_the_spec(resource: str, cap: timedelta, subject: str, service: str) -> None:
    entry = RESOURCES[resource]
    assert entry.max_validity == cap
    assert entry.subject == subject
    assert ALTINN2_SERVICES[service] == resource
    assert "{bank}" in entry.consent_text and "{bank}" in entry.consent_text_en
    assert "Testbank" in entry.text("Testbank") and "{bank}" not in entry.text("Testbank", lang="en")


def test_sbl_text_is_the_mandated_wording() -> None:
    assert RESOURCES["ske-sbl-inntekt"].text("Banken AS") == (
        "Ved å samtykke, gir du Skatteetaten rett til å utlevere opplysninger om deg direkte til Banken AS. "
        "Banken får opplysningene for å behandle søknaden din om finansiering."
    )


@pytest.mark.parametrize(("metadata", "ok"), [
    pytest.param({"inntektsaar": "2024"}, True, id="year"),
    pytest.param({"fraOgMed": "2024-01", "tilOgMed": "2024-12"}, True, id="month-range"),
    pytest.param({"fraOgMed": "2024-03"}, True, id="single-month"),
    pytest.param({"fraOgMed": "2024-01", "inntektsaar": "2023"}, True, id="both"),
    pytest.param({}, False, id="neither"),
    pytest.param({"tilOgMed": "2024-12"}, False, id="end-without-start"),
    pytest.param({"fraOgMed": "2024-1"}, False, id="month-one-digit"),
    pytest.param({"inntektsaar": 2024}, False, id="year-not-a-string"),
    pytest.param({"inntektsaar": "2024", "skjult": "x"}, False, id="unknown-key"),
])  # fmt: skip
def test_sbl_metadata(metadata: dict[str, object], ok: bool) -> None:
    resource = RESOURCES["ske-sbl-inntekt"]
    if ok:
        assert check_metadata(resource, metadata) == metadata
    else:
        with pytest.raises(ValueError):
            check_metadata(resource, metadata)


def test_resources_without_parameters_take_no_metadata() -> None:
    with pytest.raises(ValueError, match="not allowed"):
        check_metadata(RESOURCES["lanekassen-saldo"], {"inntektsaar": "2024"})
    assert check_metadata(RESOURCES["nav-ssu"], {}) == {}
