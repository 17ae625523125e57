"""Ajourhold av OTP: the avtaleforhold and virkningsperiode rules and the error tables, sans I/O.

Skatteetaten's "Forutsetninger for bruk" of the Tjenestepensjonsavtale API
(api-dokumentasjon ``informasjonsmodeller/tjenestepensjonsavtale/forutsetningerforbruk``):

* no data before **both** the employer (the pension provider named in the a-melding) and the pension
  institution (its avtaleforhold registered through the Tjenestepensjonsavtale API) have reported the
  agreement;
* the **avtaleforhold** is the months both report, from 01-2021; an agreement without ``tilOgMed`` is active;
* the **virkningsperiode** is each avtaleforhold month plus 15 months before and 1 month after, from
  01-2020; over several agreements the union applies; it may be used after the agreement has ended;
* Inntektsmottakere asks inside the avtaleforhold, Inntekt (rettighetspakke ``otp``) inside the
  virkningsperiode;
* a month's income is complete around the 10th of the following month (the a-melding deadline is the 5th).

"Today" is a parameter: the caller reads its clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from opendsop.standard.values import Month

PACKAGE: Final = "otp"
EARLIEST_AVTALEFORHOLD: Final = Month(2021, 1)
EARLIEST_VIRKNINGSPERIODE: Final = Month(2020, 1)
MONTHS_BEFORE: Final = 15
MONTHS_AFTER: Final = 1
COMPLETE_ON_DAY: Final = 10  # a month's income is complete around the 10th of the month after

SCOPE_INNTEKT: Final = "skatteetaten:inntekt"
SCOPE_INNTEKTSMOTTAKERE: Final = "skatteetaten:inntektsmottakere"
SCOPE_TJENESTEPENSJONSAVTALE: Final = "skatteetaten:tjenestepensjonsavtale"
SCOPE_AAREG: Final = "nav:aareg/v1/arbeidsforhold/otp"
SCOPES: Final = (SCOPE_INNTEKT, SCOPE_INNTEKTSMOTTAKERE, SCOPE_TJENESTEPENSJONSAVTALE, SCOPE_AAREG)


def shift(month: Month, count: int) -> Month:
    """``month`` moved ``count`` months (negative: back)."""
    index = month.year * 12 + month.month - 1 + count
    return Month(index // 12, index % 12 + 1)


def month_of(day: date) -> Month:
    return Month(day.year, day.month)


def months(first: Month, last: Month) -> tuple[Month, ...]:
    """Every month from ``first`` to ``last`` inclusive (empty when ``last`` is before ``first``)."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return tuple(shift(first, n) for n in range(max(count, 0)))


def last_complete_month(today: date) -> Month:
    """The newest month whose income is complete on ``today``: the previous month from the 10th, else the one before."""
    return shift(month_of(today), -1 if today.day >= COMPLETE_ON_DAY else -2)


@dataclass(frozen=True, slots=True)
class Agreement:
    """An avtaleforhold as the pension institution registered it (Tjenestepensjonsavtale API)."""

    institution: str  # orgnr of the pension institution
    employer: str  # orgnr of the opplysningspliktig
    reference: str  # avtalereferanse
    first: Month  # fraOgMed
    last: Month | None = None  # tilOgMed; None: active

    def covers(self, month: Month) -> bool:
        return self.first <= month and (self.last is None or month <= self.last)


def avtaleforhold(
    agreements: Iterable[Agreement],
    reported: Mapping[Month, str],
    *,
    institution: str,
    employer: str,
) -> frozenset[Month]:
    """The months where both sides report the agreement between ``institution`` and ``employer``.

    ``reported`` is the employer's a-meldinger: month → the pension provider it named.  An open-ended
    registration is active, so it is bounded only by what the employer reports.
    """
    mine = [a for a in agreements if a.institution == institution and a.employer == employer]
    return frozenset(
        month
        for month, provider in reported.items()
        if provider == institution and month >= EARLIEST_AVTALEFORHOLD and any(a.covers(month) for a in mine)
    )


def virkningsperiode(agreed: Iterable[Month]) -> frozenset[Month]:
    """Each avtaleforhold month with 15 months before and 1 after, as a union; from 01-2020."""
    window: set[Month] = set()
    for month in agreed:
        window.update(m for m in months(shift(month, -MONTHS_BEFORE), shift(month, MONTHS_AFTER)))
    return frozenset(m for m in window if m >= EARLIEST_VIRKNINGSPERIODE)


def outside(first: Month, last: Month, allowed: Collection[Month]) -> tuple[Month, ...]:
    """The months of ``first``‥``last`` not in ``allowed`` (the gyldighet answers' month lists)."""
    return tuple(m for m in months(first, last) if m not in allowed)


# -- the documented error codes (api-dokumentasjon "Feilkoder" of each API) -------------------------


class Fault(StrEnum):
    UNEXPECTED = "unexpected"  # xx-001 500
    BACKEND = "backend"  # xx-002 500
    UNKNOWN_URL = "unknown_url"  # xx-003 404
    AUTHENTICATION = "authentication"  # xx-004 401
    AUTHORISATION = "authorisation"  # xx-005 403: scope, or no avtaleforhold / outside its months
    INPUT = "input"  # xx-006 400: a malformed month, orgnr or body
    UNKNOWN_PERSON = "unknown_person"  # Inntekt IM-007 404
    NO_DATA = "no_data"  # 404: nothing for the search (Inntekt IM-008, Inntektsmottakere IM-007, OTP-007)
    FORMAT = "format"  # 406: only JSON (or XML) is served
    CONSENT = "consent"  # Inntekt IM-010 403 (consent-based packages only)


def _table(rows: dict[Fault, tuple[str, int]]) -> MappingProxyType[Fault, tuple[str, int]]:
    return MappingProxyType(rows)


_COMMON = {
    Fault.UNEXPECTED: ("001", 500),
    Fault.BACKEND: ("002", 500),
    Fault.UNKNOWN_URL: ("003", 404),
    Fault.AUTHENTICATION: ("004", 401),
    Fault.AUTHORISATION: ("005", 403),
    Fault.INPUT: ("006", 400),
}
INNTEKT_ERRORS: Final = _table(
    {
        **{fault: (f"IM-{n}", status) for fault, (n, status) in _COMMON.items()},
        Fault.UNKNOWN_PERSON: ("IM-007", 404),
        Fault.NO_DATA: ("IM-008", 404),
        Fault.FORMAT: ("IM-009", 406),
        Fault.CONSENT: ("IM-010", 403),
    }
)
INNTEKTSMOTTAKERE_ERRORS: Final = _table(
    {
        **{fault: (f"IM-{n}", status) for fault, (n, status) in _COMMON.items()},
        Fault.NO_DATA: ("IM-007", 404),
        Fault.FORMAT: ("IM-008", 406),
    }
)
TJENESTEPENSJONSAVTALE_ERRORS: Final = _table(
    {
        **{fault: (f"OTP-{n}", status) for fault, (n, status) in _COMMON.items()},
        Fault.NO_DATA: ("OTP-007", 404),
        Fault.FORMAT: ("OTP-008", 406),
    }
)


def accepts_json(accept: str | None) -> bool:
    """Whether an ``Accept`` header allows the JSON the stand-in serves (the APIs' xx-008/IM-009: JSON or XML only)."""
    if not accept or not accept.strip():
        return True
    kinds = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return bool(kinds & {"application/json", "application/*", "*/*", "application/problem+json"})


__all__ = [
    "COMPLETE_ON_DAY",
    "EARLIEST_AVTALEFORHOLD",
    "EARLIEST_VIRKNINGSPERIODE",
    "INNTEKTSMOTTAKERE_ERRORS",
    "INNTEKT_ERRORS",
    "MONTHS_AFTER",
    "MONTHS_BEFORE",
    "PACKAGE",
    "SCOPES",
    "SCOPE_AAREG",
    "SCOPE_INNTEKT",
    "SCOPE_INNTEKTSMOTTAKERE",
    "SCOPE_TJENESTEPENSJONSAVTALE",
    "TJENESTEPENSJONSAVTALE_ERRORS",
    "Agreement",
    "Fault",
    "accepts_json",
    "avtaleforhold",
    "last_complete_month",
    "month_of",
    "months",
    "outside",
    "shift",
    "virkningsperiode",
]
