"""Ajourhold av OTP: the period rules (Skatteetaten "Forutsetninger for bruk") and error tables ("Feilkoder")."""

from __future__ import annotations

from datetime import date

import pytest

from opendsop.standard import otp
from opendsop.standard.otp import Agreement, Fault
from opendsop.standard.values import Month

INST, OTHER, EMPLOYER = "910001000", "910002007", "974942003"


def m(text: str) -> Month:
    return Month(int(text[:4]), int(text[5:]))


def reported(first: str, last: str, provider: str = INST) -> dict[Month, str]:
    return dict.fromkeys(otp.months(m(first), m(last)), provider)


def agreed(agreements: list[Agreement], employer_reports: dict[Month, str]) -> frozenset[Month]:
    return otp.avtaleforhold(agreements, employer_reports, institution=INST, employer=EMPLOYER)


AVTALEFORHOLD_RULES = [
    pytest.param(  # Forutsetninger: only where both report
        [Agreement(INST, EMPLOYER, "A", m("2024-01"), m("2024-12"))],
        reported("2024-06", "2025-06"),
        ("2024-06", "2024-12"),
        id="Forutsetninger: avtaleforhold: the months both the employer and the institution report",
    ),
    pytest.param(
        [],
        reported("2024-01", "2024-12"),
        None,
        id="Forutsetninger: no data before both sides reported: the employer alone is no avtaleforhold",
    ),
    pytest.param(
        [Agreement(INST, EMPLOYER, "A", m("2024-01"))],
        {},
        None,
        id="Forutsetninger: no data before both sides reported: the institution alone is no avtaleforhold",
    ),
    pytest.param(
        [Agreement(INST, EMPLOYER, "A", m("2024-01"))],
        reported("2024-01", "2024-06", provider=OTHER),
        None,
        id="Forutsetninger: the a-melding must name this institution",
    ),
    pytest.param(
        [Agreement(INST, EMPLOYER, "A", m("2020-01"))],
        reported("2020-06", "2021-02"),
        ("2021-01", "2021-02"),
        id="Forutsetninger: the earliest avtaleforhold month is 01-2021",
    ),
    pytest.param(
        [Agreement(INST, EMPLOYER, "A", m("2025-01"))],
        reported("2025-01", "2026-11"),
        ("2025-01", "2026-11"),
        id="Forutsetninger: an agreement without tilOgMed is active",
    ),
]


@pytest.mark.parametrize(("agreements", "employer_reports", "expected"), AVTALEFORHOLD_RULES)
def test_avtaleforhold(
    agreements: list[Agreement], employer_reports: dict[Month, str], expected: tuple[str, str] | None
) -> None:
    months = agreed(agreements, employer_reports)
    assert months == (frozenset(otp.months(m(expected[0]), m(expected[1]))) if expected else frozenset())


VIRKNING_RULES = [
    pytest.param(
        ["2024-06"],
        ("2023-03", "2024-07"),
        id="Forutsetninger: virkningsperiode: 15 months before and 1 after each avtaleforhold month",
    ),
    pytest.param(
        ["2021-01"], ("2020-01", "2021-02"), id="Forutsetninger: the earliest virkningsperiode month is 01-2020"
    ),
    pytest.param(
        ["2022-01", "2025-01"],
        None,
        id="Forutsetninger: several avtaleforhold: the union of their virkningsperioder",
    ),
]


@pytest.mark.parametrize(("agreed_months", "expected"), VIRKNING_RULES)
def test_virkningsperiode(agreed_months: list[str], expected: tuple[str, str] | None) -> None:
    window = otp.virkningsperiode(m(x) for x in agreed_months)
    if expected is None:  # the union: both windows, nothing between them
        assert m("2020-10") in window and m("2022-02") in window
        assert m("2023-10") in window and m("2025-02") in window
        assert m("2022-03") not in window and m("2023-09") not in window
    else:
        assert window == frozenset(otp.months(m(expected[0]), m(expected[1])))


def test_virkningsperiode_may_be_used_after_the_agreement_ended() -> None:
    """Forutsetninger: data may be fetched at any time after the agreement ends, within these months."""
    ended = agreed([Agreement(INST, EMPLOYER, "A", m("2022-01"), m("2022-06"))], reported("2021-01", "2026-11"))
    assert otp.outside(m("2021-01"), m("2022-07"), otp.virkningsperiode(ended)) == ()


@pytest.mark.parametrize(
    ("today", "complete"),
    [
        pytest.param(
            date(2026, 12, 9), "2026-10", id="Forutsetninger: before the 10th the previous month is not complete"
        ),
        pytest.param(date(2026, 12, 10), "2026-11", id="Forutsetninger: from the 10th the previous month is complete"),
        pytest.param(date(2026, 1, 3), "2025-11", id="Forutsetninger: across a year end"),
    ],
)
def test_a_month_is_complete_around_the_10th(today: date, complete: str) -> None:
    assert otp.last_complete_month(today) == m(complete)


ERRORS = [
    # (table, fault, code, HTTP status) — Feilkoder
    *(
        pytest.param(otp.INNTEKT_ERRORS, fault, code, status, id=f"Feilkoder: Inntekt {code} {status}")
        for fault, code, status in [
            (Fault.UNEXPECTED, "IM-001", 500),
            (Fault.BACKEND, "IM-002", 500),
            (Fault.UNKNOWN_URL, "IM-003", 404),
            (Fault.AUTHENTICATION, "IM-004", 401),
            (Fault.AUTHORISATION, "IM-005", 403),
            (Fault.INPUT, "IM-006", 400),
            (Fault.UNKNOWN_PERSON, "IM-007", 404),
            (Fault.NO_DATA, "IM-008", 404),
            (Fault.FORMAT, "IM-009", 406),
            (Fault.CONSENT, "IM-010", 403),
        ]
    ),
    *(
        pytest.param(
            otp.INNTEKTSMOTTAKERE_ERRORS, fault, code, status, id=f"Feilkoder: Inntektsmottakere {code} {status}"
        )
        for fault, code, status in [
            (Fault.UNEXPECTED, "IM-001", 500),
            (Fault.BACKEND, "IM-002", 500),
            (Fault.UNKNOWN_URL, "IM-003", 404),
            (Fault.AUTHENTICATION, "IM-004", 401),
            (Fault.AUTHORISATION, "IM-005", 403),
            (Fault.INPUT, "IM-006", 400),
            (Fault.NO_DATA, "IM-007", 404),
            (Fault.FORMAT, "IM-008", 406),
        ]
    ),
    *(
        pytest.param(
            otp.TJENESTEPENSJONSAVTALE_ERRORS, fault, code, status, id=f"Feilkoder: Tjenestepensjonsavtale {code}"
        )
        for fault, code, status in [
            (Fault.UNEXPECTED, "OTP-001", 500),
            (Fault.BACKEND, "OTP-002", 500),
            (Fault.UNKNOWN_URL, "OTP-003", 404),
            (Fault.AUTHENTICATION, "OTP-004", 401),
            (Fault.AUTHORISATION, "OTP-005", 403),
            (Fault.INPUT, "OTP-006", 400),
            (Fault.NO_DATA, "OTP-007", 404),
            (Fault.FORMAT, "OTP-008", 406),
        ]
    ),
]


@pytest.mark.parametrize(("table", "fault", "code", "status"), ERRORS)
def test_error_tables(table: dict[Fault, tuple[str, int]], fault: Fault, code: str, status: int) -> None:
    assert table[fault] == (code, status)
