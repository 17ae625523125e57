"""The pure parts of the consumer flows: income months, the credit summary and its flags, the NAV timeline,
the claims overview, the redirect and the guarantor text (DSOP SBL “Om tjenesten”; DSOP SSU pages; DSOP FI Krav og
betalinger pages; DSOP “Altinn 3.0”)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from opendsop.samtykke.business import overview_from
from opendsop.samtykke.client import SamtykkeError, parse_redirect
from opendsop.samtykke.insurance import build_timeline
from opendsop.samtykke.loan import (
    LoanConsent,
    LoanData,
    consent_text,
    income_months,
    summarise,
    summarise_income,
    summarise_tax,
)

A, B = "910000001", "920000002"


@pytest.mark.parametrize(("today", "months", "expected"), [
    pytest.param(date(2026, 11, 28), 12, ("2025-11", "2026-10"), id="after-the-10th-last-month-is-complete"),
    pytest.param(date(2026, 11, 9), 12, ("2025-10", "2026-09"), id="before-the-10th-last-month-is-not"),
    pytest.param(date(2026, 11, 10), 1, ("2026-10", "2026-10"), id="on-the-10th"),
    pytest.param(date(2026, 1, 5), 3, ("2025-09", "2025-11"), id="across-new-year"),
    pytest.param(date(2026, 2, 15), 2, ("2025-12", "2026-01"), id="january-complete-in-february"),
])  # fmt: skip
def test_income_months_are_the_complete_ones(today: date, months: int, expected: tuple[str, str]) -> None:
    assert income_months(today, months) == expected


@pytest.mark.parametrize("months", [0, 37])
def test_income_months_out_of_range(months: int) -> None:
    with pytest.raises(SamtykkeError):
        income_months(date(2026, 11, 28), months)


def _income(amounts: Sequence[int | None], employers: list[str] | None = None, start: int = 1) -> dict[str, Any]:
    """An ``oppgaveInntektsmottaker`` body for 2025-01.. with one fastloenn per month (None: no report)."""
    reports = []
    for index, amount in enumerate(amounts):
        if amount is None:
            continue
        employer = (employers or [A] * len(amounts))[index]
        reports.append(
            {
                "opplysningspliktigId": employer,
                "virksomhetId": employer,
                "kalendermaaned": f"2025-{start + index:02d}",
                "inntekt": [
                    {"fordel": "kontantytelse", "beloep": float(amount), "loennsinntekt": {"beskrivelse": "fastloenn"}}
                ],
            }
        )
    return {"oppgaveInntektsmottaker": reports}


def _tax(**items: int) -> dict[str, Any]:
    kategori = {
        "bruttoformue": "formue",
        "innskudd": "formue",
        "samletGjeld": "formuesfradrag",
        "gjeldFraInkassoselskap": "formuesfradrag",
        "minstefradragIInntekt": "inntektsfradrag",
    }
    return {
        "inntektsaar": "2025",
        "skatteoppgjoersdato": "2026-06-20",
        "grunnlag": [
            {"tekniskNavn": name, "beloep": float(value), "kategori": kategori.get(name, "inntekt")}
            for name, value in items.items()
        ],
    }


def _flags(income: dict[str, Any], tax: dict[str, Any] | None = None) -> set[str]:
    consent = LoanConsent("c", "fnr", "applicant", "2025-01", "2025-12", "2025")
    return {flag.code for flag in summarise(LoanData(consent, income, tax)).flags}


STEADY: list[int | None] = [40_000] * 12


@pytest.mark.parametrize(("income", "tax", "flags"), [
    pytest.param(_income(STEADY), _tax(bruttoformue=500_000, samletGjeld=2_000_000), set(), id="steady-no-flags"),
    pytest.param(_income([40_000] * 9 + [20_000] * 3), None, {"INCOME_DROP"}, id="drop-below-80-percent"),
    pytest.param(_income([40_000] * 9 + [33_000] * 3), None, set(), id="dip-above-80-percent"),
    pytest.param(_income(STEADY[:5] + [None, None] + STEADY[7:]), None, {"MISSING_MONTHS"}, id="missing-months"),
    pytest.param(_income(STEADY, [A] * 6 + [B] * 6), None, {"EMPLOYER_CHANGE"}, id="employer-change"),
    pytest.param(_income([]), None, {"NO_INCOME", "MISSING_MONTHS"}, id="no-income"),
    pytest.param(_income(STEADY), _tax(gjeldFraInkassoselskap=12_000), {"DEBT_COLLECTION"}, id="debt-collection"),
    pytest.param(_income(STEADY), _tax(samletGjeld=2_400_001), {"DEBT_OVER_5X_INCOME"}, id="debt-over-5x"),
    pytest.param(_income(STEADY), _tax(samletGjeld=2_400_000), set(), id="debt-exactly-5x"),
])  # fmt: skip
def test_credit_flags(income: dict[str, Any], tax: dict[str, Any] | None, flags: set[str]) -> None:
    assert _flags(income, tax) == flags


def test_income_summary_median_trend_and_employers() -> None:
    amounts = [30_000, 30_000, 30_000, 31_000, 32_000, 33_000, 34_000, 35_000, 36_000, 36_000, 36_000, 36_000]
    summary = summarise_income(_income(amounts, [A] * 4 + [B] * 8), "2025-01", "2025-12")
    assert summary.median == Decimal("33500.00")  # (33 000 + 34 000) / 2
    assert summary.mean_last_3 == Decimal("36000.00")
    assert summary.trend == Decimal("0.2000")  # 30 000 → 36 000
    assert summary.yearly == Decimal("402000.00")
    assert [(e.orgnr, e.months) for e in summary.employers] == [(B, 8), (A, 4)]
    assert summary.missing_months == ()


def test_tax_summary_derives_alminnelig_inntekt_unless_given() -> None:
    derived = summarise_tax(
        _tax(
            loennsinntekt=500_000,
            renteinntekt=10_000,
            minstefradragIInntekt=100_000,
            bruttoformue=800_000,
            innskudd=50_000,
            samletGjeld=300_000,
        )
    )
    assert derived is not None
    assert derived.alminnelig_inntekt == Decimal("410000.00")
    assert (derived.formue, derived.gjeld, derived.netto_formue) == (
        Decimal("800000.00"),
        Decimal("300000.00"),
        Decimal("500000.00"),
    )
    given = summarise_tax(_tax(alminneligInntektFoerSaerfradrag=123_456, loennsinntekt=500_000))
    assert given is not None and given.alminnelig_inntekt == Decimal("123456.00")
    without = summarise_tax(_tax(innskudd=70_000, gjeldFraInkassoselskap=5_000))
    assert without is not None and (without.formue, without.gjeld) == (Decimal("70000.00"), Decimal("5000.00"))
    assert summarise_tax(None) is None


def test_guarantor_text_is_the_mandated_text_without_din() -> None:
    applicant, guarantor = consent_text("Testbanken ASA"), consent_text("Testbanken ASA", "guarantor")
    assert applicant.endswith("Banken får opplysningene for å behandle søknaden din om finansiering.")
    assert guarantor == applicant.replace("søknaden din om", "søknaden om")


@pytest.mark.parametrize(("url", "expected"), [
    pytest.param("https://bank.test/cb?consentId=abc&status=accepted", ("abc", "accepted"), id="accepted"),
    pytest.param("https://bank.test/cb?case=7&consentId=abc&status=rejected", ("abc", "rejected"), id="own-query"),
])  # fmt: skip
def test_parse_redirect(url: str, expected: tuple[str, str]) -> None:
    back = parse_redirect(url)
    assert (back.consent_id, back.status) == expected


@pytest.mark.parametrize("url", ["https://bank.test/cb", "https://bank.test/cb?consentId=a&consentId=b&status=x"])
def test_parse_redirect_refuses_incomplete(url: str) -> None:
    with pytest.raises(SamtykkeError):
        parse_redirect(url)


def test_timeline_merges_marks_invalidated_and_orders() -> None:
    vedtak = {"vedtaksliste": [
        {"vedtakId": "V1", "vedtakstype": "O", "status": "AVSLU", "fraDato": "2025-01-06", "tilDato": "2026-01-05"},
        {"vedtakId": "V3", "vedtakstype": "G", "status": "AVSLU", "fraDato": "2025-04-16", "tilDato": "2025-04-15"},
    ]}  # fmt: skip
    meldekort = {"meldekortliste": [
        {"meldekortId": "M2", "fraDato": "2025-01-20", "tilDato": "2025-02-02", "timerArbeidet": 7.5},
        {"meldekortId": "M1", "fraDato": "2025-01-06", "tilDato": "2025-01-19", "timerArbeidet": 0},
    ]}  # fmt: skip
    ufore = {
        "vedtak": [{"vedtakId": "U1", "virkningsdato": "2025-01-06", "uforegrad": 60, "uforetidspunkt": "2024-01-06"}]
    }
    events = build_timeline(vedtak, meldekort, ufore)
    assert [(e.reference, e.kind) for e in events] == [
        ("U1", "uforevedtak"),
        ("V1", "aap-vedtak"),
        ("M1", "meldekort"),
        ("M2", "meldekort"),
        ("V3", "aap-vedtak-annullert"),
    ]
    invalidated = events[-1]
    assert invalidated.end is None and "annullert" in invalidated.text
    assert events[1].end == date(2026, 1, 5)


def _krav(krav_id: str, due: str, remaining: float, interest: float, group: str = "Skatt") -> dict[str, Any]:
    return {
        "kravidentifikator": krav_id,
        "kravbeskrivelse": "Restskatt",
        "kravtype": "RESTSKATT",
        "kravgruppe": group,
        "opprinneligBeloep": remaining,
        "gjenstaaendeBeloep": remaining,
        "stipulerteRenter": interest,
        "kravforfall": [{"forfallsdato": due}],
    }


def test_claims_overview_of_the_documented_example() -> None:
    # DSOP FI Krav og betalinger pages's example: an overdue claim of 1000 with 20 in interest gives saldo 1020.
    body = {
        "partIdentifikator": "310000001",
        "aapentKravMedGjenstaaendeBeloep": [_krav("k1", "2026-10-01", 1000, 20)],
        "innbetalingMedUplassertBeloep": [],
        "totalOversikt": {
            "sumStipulerteRenter": 20,
            "sumForfalteKrav": 1000,
            "sumIkkeForfalteKrav": 0,
            "sumUplasserteInnbetalinger": 0,
            "saldo": 1020,
        },
    }
    overview = overview_from(body, consent_id="c", today=date(2026, 11, 28))
    assert overview.consistent
    assert overview.totals.balance == Decimal("1020.00")
    assert [c.overdue for c in overview.claims] == [True]
    assert overview.per_group == {"Skatt": Decimal("1020.00")}


def test_claims_overview_flags_totals_that_do_not_add_up() -> None:
    body = {
        "partIdentifikator": "310000001",
        "aapentKravMedGjenstaaendeBeloep": [_krav("k1", "2026-12-01", 500, 0, "Merverdiavgift")],
        "innbetalingMedUplassertBeloep": [],
        "totalOversikt": {
            "sumStipulerteRenter": 0,
            "sumForfalteKrav": 0,
            "sumIkkeForfalteKrav": 400,
            "sumUplasserteInnbetalinger": 0,
            "saldo": 400,
        },
    }
    overview = overview_from(body, consent_id="c", today=date(2026, 11, 28))
    assert not overview.consistent
    assert [c.overdue for c in overview.claims] == [False]
