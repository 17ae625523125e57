"""SBL, the consent-based loan application from the bank's side (DSOP SBL “Om tjenesten”; DSOP SBL “Samtykkeløsningen”;
DSOP “Altinn 3.0”).

Flow (DSOP SBL “Om tjenesten” "Flow"):

1. ``latest_tax_year`` — *Siste tilgjengelige skatteoppgjør* (token with
   ``skatteetaten:summertskattegrunnlag``, no consent): with consent only that year may be fetched;
2. ``request_loan_consent`` — one consent request for resource ``ske-sbl-inntekt`` whose ``metaData``
   names the income months (``fraOgMed``/``tilOgMed``) and the income year (``inntektsaar``), valid
   9 days 22 h 59 min (the FAQ's advice under the 10-day cap); the person is sent to ``view_uri``;
3. after the redirect: ``fetch_loan_data`` — one token carrying the consent for both scopes
   (``skatteetaten:inntekt skatteetaten:summertskattegrunnlag``), reused while it lives (DSOP SBL “Samtykkeløsningen”;
   DSOP “Altinn 3.0”:
   re-exchange as needed), then the income per month and the summarised tax base;
4. ``summarise`` — the structured summary for credit assessment (pure; no I/O).

Guarantor (kausjonist, allowed since 07.12.2020): the same resource; DSOP SBL “Om tjenesten” says the mandated text
has a variant without "din" for guarantors.  ``consent_text(bank, role)`` gives either text and the
guarantor's request carries it as Altinn 3 ``requestMessage``.

Decisions in the summary (the spec leaves credit policy to the bank; these are defaults a bank tunes):

* month total = sum of the ``beloep`` of every income the source delivered for the month (the
  source already filtered to rettighetspakke ``sbl``); a month with no report counts as missing;
* trend = (mean of the last 3 months − mean of the first 3) / mean of the first 3;
* ``alminnelig_inntekt`` = the ``alminneligInntekt…`` item when present, else income-category sum
  minus income-deduction sum; ``formue`` = ``bruttoformue`` else formue-category sum; ``gjeld`` =
  ``samletGjeld`` else formuesfradrag-category sum (the ``tekniskNavn`` set changes yearly, DSOP SBL “Om tjenesten”,
  so nothing else is hard-coded);
* flags: ``INCOME_DROP`` (mean of the last 3 months below 80 % of the median), ``MISSING_MONTHS``,
  ``EMPLOYER_CHANGE`` (the last month's employers differ from the first's), ``NO_INCOME``,
  ``DEBT_COLLECTION`` (``gjeldFraInkassoselskap`` > 0), ``DEBT_OVER_5X_INCOME`` (gjeld above five
  times the yearly income, the utlånsforskrift's debt-to-income ceiling).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import quote

from opendsop.clock import oslo_date
from opendsop.contracts.consent_resources import RESOURCES
from opendsop.samtykke.client import (
    ConsentRef,
    ConsentRequest,
    SamtykkeClient,
    SamtykkeError,
    person_urn,
    readable,
    right,
)

Role = Literal["applicant", "guarantor"]
RESOURCE = "ske-sbl-inntekt"
SCOPE_INNTEKT = "skatteetaten:inntekt"
SCOPE_SKATTEGRUNNLAG = "skatteetaten:summertskattegrunnlag"
PACKAGE = "sbl"
# DSOP SBL “Om tjenesten” FAQ: stay clear of the 10-day cap across DST
VALIDITY = timedelta(days=9, hours=22, minutes=59)
DROP_RATIO = Decimal("0.8")
DEBT_MULTIPLE = 5


def consent_text(bank: str, role: Role = "applicant") -> str:
    """The mandated SBL text with the bank's name; the guarantor variant has no "din" (DSOP SBL “Om tjenesten”)."""
    text = RESOURCES[RESOURCE].text(bank)
    return text.replace("søknaden din om", "søknaden om") if role == "guarantor" else text


def income_months(today: date, months: int) -> tuple[str, str]:
    """The last ``months`` complete months: a month is complete from the 10th of the next (DSOP SBL “Om tjenesten”)."""
    if not 1 <= months <= 36:
        raise SamtykkeError("months must be between 1 and 36")
    year, month = today.year, today.month - (1 if today.day >= 10 else 2)
    while month < 1:
        year, month = year - 1, month + 12
    last = f"{year:04d}-{month:02d}"
    month -= months - 1
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}", last


@dataclass(frozen=True, slots=True)
class LoanConsent:
    """An SBL consent the bank asked for: who, in which role, and what it covers."""

    id: str
    fnr: str
    role: Role
    fra_og_med: str
    til_og_med: str
    inntektsaar: str
    view_uri: str = ""

    @property
    def ref(self) -> ConsentRef:
        return ConsentRef(self.id, person_urn(self.fnr))


async def latest_tax_year(client: SamtykkeClient, fnr: str) -> int:
    """``sisteTilgjengeligePeriode`` for the person: the only income year SBL consent can fetch."""
    source = client.endpoints.require("skatteetaten")
    token = await client.access_token([SCOPE_SKATTEGRUNNLAG], source.aud)
    answer = await client.get_json(
        "Skatteetaten",
        source.at(f"/sistetilgjengeligeskatteoppgjoer/v1/{quote(fnr)}"),
        headers={"Authorization": f"Bearer {token}"},
    )
    return int(answer["sisteTilgjengeligePeriode"])


async def request_loan_consent(
    client: SamtykkeClient,
    fnr: str,
    *,
    redirect_url: str,
    role: Role = "applicant",
    months: int = 12,
    bank_name: str | None = None,
) -> LoanConsent:
    """Steps 2–3: learn the latest tax year, then ask the person (applicant or guarantor) for consent."""
    now = client.clock()
    year = str(await latest_tax_year(client, fnr))
    start, end = income_months(oslo_date(now), months)
    message = None
    if role == "guarantor":
        message = {"nb": consent_text(bank_name or client.identity.org, "guarantor")}
    request: ConsentRequest = await client.request_consent(
        person_urn(fnr),
        [right(RESOURCE, fraOgMed=start, tilOgMed=end, inntektsaar=year)],
        valid_to=now + VALIDITY,
        redirect_url=redirect_url,
        request_message=message,
    )
    return LoanConsent(request.id, fnr, role, start, end, year, request.view_uri)


async def loan_consent(client: SamtykkeClient, consent_id: str, role: Role = "applicant") -> LoanConsent:
    """An existing SBL consent, read back from the consent service (the CLI's ``loan fetch``)."""
    answer = await client.consent(consent_id)
    from_urn = str(answer.get("from", ""))
    metadata: Mapping[str, str] = {}
    for item in answer.get("consentRights", []):
        if any(r.get("value") == RESOURCE for r in item.get("resource", [])):
            metadata = item.get("metaData", {})
    if not from_urn.startswith("urn:altinn:person:identifier-no:") or not metadata:
        raise SamtykkeError(f"consent {consent_id} is not an SBL consent from a person")
    return LoanConsent(
        consent_id,
        from_urn.rsplit(":", 1)[1],
        role,
        metadata.get("fraOgMed", ""),
        metadata.get("tilOgMed", metadata.get("fraOgMed", "")),
        metadata.get("inntektsaar", ""),
    )


@dataclass(frozen=True, slots=True)
class LoanData:
    """What Skatteetaten answered, as delivered (kept only as long as the caller keeps it)."""

    consent: LoanConsent
    income: Mapping[str, Any] | None
    tax_base: Mapping[str, Any] | None


async def fetch_loan_data(client: SamtykkeClient, consent: LoanConsent) -> LoanData:
    """Step 7: income per month and the summarised tax base, with one consent token for both scopes."""
    source = client.endpoints.require("skatteetaten")
    token = await client.access_token([SCOPE_INNTEKT, SCOPE_SKATTEGRUNNLAG], source.aud, consent.ref)
    headers = {"Authorization": f"Bearer {token}"}
    fnr = quote(consent.fnr)
    income = tax_base = None
    if consent.fra_og_med:
        income = await client.get_json(
            "Skatteetaten",
            source.at(f"/api/innrapportert/inntektsmottaker/{PACKAGE}/{fnr}/oppgave/inntekt"),
            headers=headers,
            params={"fraOgMed": consent.fra_og_med, "tilOgMed": consent.til_og_med},
        )
    if consent.inntektsaar:
        tax_base = await client.get_json(
            "Skatteetaten",
            source.at(
                f"/api/formueinntekt/spesifisertsummertskattegrunnlag/oppgjoer/{PACKAGE}/"
                f"{quote(consent.inntektsaar)}/{fnr}"
            ),
            headers=headers,
        )
    return LoanData(consent, income, tax_base)


# -- the summary (pure) ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthIncome:
    month: str  # YYYY-MM
    total: Decimal
    employers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Employer:
    orgnr: str
    months: int
    total: Decimal


@dataclass(frozen=True, slots=True)
class IncomeSummary:
    months: tuple[MonthIncome, ...]
    missing_months: tuple[str, ...]
    median: Decimal
    mean_last_3: Decimal
    trend: Decimal | None  # relative change, first 3 months → last 3 months
    yearly: Decimal  # 12 × median
    employers: tuple[Employer, ...]


@dataclass(frozen=True, slots=True)
class TaxSummary:
    inntektsaar: int
    skatteoppgjoersdato: str | None
    alminnelig_inntekt: Decimal
    formue: Decimal
    gjeld: Decimal
    netto_formue: Decimal
    per_kategori: Mapping[str, Decimal]
    items: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class CreditSummary:
    """The structured summary a credit officer (or a scoring model) reads."""

    fnr: str
    role: Role
    consent_id: str
    period: tuple[str, str]
    income: IncomeSummary
    tax: TaxSummary | None
    flags: tuple[Flag, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (amounts as strings, as msgspec writes ``Decimal``)."""

        def money(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        income = self.income
        tax = self.tax
        return {
            "fnr": self.fnr, "role": self.role, "consentId": self.consent_id,
            "period": {"fraOgMed": self.period[0], "tilOgMed": self.period[1]},
            "income": {
                "months": [{"month": m.month, "total": money(m.total), "employers": list(m.employers)}
                           for m in income.months],
                "missingMonths": list(income.missing_months), "median": money(income.median),
                "meanLast3": money(income.mean_last_3), "trend": money(income.trend), "yearly": money(income.yearly),
                "employers": [{"orgnr": e.orgnr, "months": e.months, "total": money(e.total)}
                              for e in income.employers],
            },
            "tax": None if tax is None else {
                "inntektsaar": tax.inntektsaar, "skatteoppgjoersdato": tax.skatteoppgjoersdato,
                "alminneligInntekt": money(tax.alminnelig_inntekt), "formue": money(tax.formue),
                "gjeld": money(tax.gjeld), "nettoFormue": money(tax.netto_formue),
                "perKategori": {k: money(v) for k, v in tax.per_kategori.items()},
            },
            "flags": [{"code": f.code, "message": f.message} for f in self.flags],
        }  # fmt: skip


def _amount(value: object) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except ArithmeticError:
        raise SamtykkeError(f"the source sent an amount that is not a number: {str(value)[:20]!r}") from None


def _month_range(start: str, end: str) -> list[str]:
    year, month = int(start[:4]), int(start[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _mean(values: Sequence[Decimal]) -> Decimal:
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01")) if values else Decimal(0)


def summarise_income(body: Mapping[str, Any] | None, start: str, end: str) -> IncomeSummary:
    totals: dict[str, Decimal] = {}
    employers_of: dict[str, set[str]] = {}
    for report in (body or {}).get("oppgaveInntektsmottaker", []):
        month = str(report.get("kalendermaaned", ""))
        employer = str(report.get("opplysningspliktigId", ""))
        amount = sum((_amount(i.get("beloep", 0)) for i in report.get("inntekt", [])), Decimal(0))
        totals[month] = totals.get(month, Decimal(0)) + amount
        employers_of.setdefault(month, set()).add(employer)
    expected = _month_range(start, end) if start and end else sorted(totals)
    months = tuple(MonthIncome(m, totals[m], tuple(sorted(employers_of[m]))) for m in sorted(totals))
    values = [m.total for m in months]
    median = Decimal(statistics.median(values)).quantize(Decimal("0.01")) if values else Decimal(0)
    first, last = _mean(values[:3]), _mean(values[-3:])
    trend = ((last - first) / first).quantize(Decimal("0.0001")) if first else None
    per_employer: dict[str, tuple[int, Decimal]] = {}
    for report in (body or {}).get("oppgaveInntektsmottaker", []):
        orgnr = str(report.get("opplysningspliktigId", ""))
        count, total = per_employer.get(orgnr, (0, Decimal(0)))
        per_employer[orgnr] = (
            count + 1,
            total + sum((_amount(i.get("beloep", 0)) for i in report.get("inntekt", [])), Decimal(0)),
        )
    employers = tuple(sorted((Employer(o, c, t) for o, (c, t) in per_employer.items()), key=lambda e: -e.total))
    return IncomeSummary(
        months, tuple(m for m in expected if m not in totals), median, last, trend, median * 12, employers
    )


def summarise_tax(body: Mapping[str, Any] | None) -> TaxSummary | None:
    if not body:
        return None
    items: dict[str, Decimal] = {}
    per_kategori: dict[str, Decimal] = {}
    for item in body.get("grunnlag", []):
        amount = _amount(item.get("beloep", 0))
        items[str(item.get("tekniskNavn"))] = amount
        kategori = str(item.get("kategori", ""))
        per_kategori[kategori] = per_kategori.get(kategori, Decimal(0)) + amount
    alminnelig = next((v for k, v in items.items() if k.startswith("alminneligInntekt")), None)
    if alminnelig is None:
        alminnelig = per_kategori.get("inntekt", Decimal(0)) - per_kategori.get("inntektsfradrag", Decimal(0))
    formue = items.get("bruttoformue", per_kategori.get("formue", Decimal(0)))
    gjeld = items.get("samletGjeld", per_kategori.get("formuesfradrag", Decimal(0)))
    return TaxSummary(
        int(body.get("inntektsaar", 0)),
        body.get("skatteoppgjoersdato"),
        alminnelig,
        formue,
        gjeld,
        formue - gjeld,
        dict(sorted(per_kategori.items())),
        items,
    )


def credit_flags(income: IncomeSummary, tax: TaxSummary | None) -> tuple[Flag, ...]:
    flags: list[Flag] = []
    if not income.months:
        flags.append(Flag("NO_INCOME", "no income is reported for the consented months"))
    elif income.median and income.mean_last_3 < income.median * DROP_RATIO:
        flags.append(
            Flag(
                "INCOME_DROP",
                f"the last 3 months average {income.mean_last_3}, below 80 % of the median {income.median}",
            )
        )
    if income.missing_months:
        flags.append(Flag("MISSING_MONTHS", f"no income reported for {', '.join(income.missing_months)}"))
    if len(income.months) >= 2 and income.months[0].employers != income.months[-1].employers:
        flags.append(
            Flag(
                "EMPLOYER_CHANGE",
                f"employers changed from {', '.join(income.months[0].employers)} to "
                f"{', '.join(income.months[-1].employers)}",
            )
        )
    if tax is not None:
        if tax.items.get("gjeldFraInkassoselskap", Decimal(0)) > 0:
            flags.append(
                Flag("DEBT_COLLECTION", f"debt to debt-collection agencies: {tax.items['gjeldFraInkassoselskap']}")
            )
        yearly = max(income.yearly, tax.alminnelig_inntekt)
        if yearly > 0 and tax.gjeld > yearly * DEBT_MULTIPLE:
            flags.append(
                Flag("DEBT_OVER_5X_INCOME", f"debt {tax.gjeld} is above {DEBT_MULTIPLE} × yearly income {yearly}")
            )
    return tuple(flags)


def summarise(data: LoanData) -> CreditSummary:
    """The credit-assessment summary of what Skatteetaten delivered."""
    consent = data.consent
    income = summarise_income(data.income, consent.fra_og_med, consent.til_og_med)
    tax = summarise_tax(data.tax_base)
    return CreditSummary(
        consent.fnr,
        consent.role,
        consent.id,
        (consent.fra_og_med, consent.til_og_med),
        income,
        tax,
        credit_flags(income, tax),
    )


async def loan_summary(client: SamtykkeClient, consent: LoanConsent) -> CreditSummary:
    """Fetch and summarise in one call."""
    data = await fetch_loan_data(client, consent)
    with readable("Skatteetaten"):
        return summarise(data)


__all__ = [
    "RESOURCE", "VALIDITY", "CreditSummary", "Employer", "Flag", "IncomeSummary", "LoanConsent", "LoanData",
    "MonthIncome", "Role", "TaxSummary", "consent_text", "credit_flags", "fetch_loan_data", "income_months",
    "latest_tax_year", "loan_consent", "loan_summary", "request_loan_consent", "summarise", "summarise_income",
    "summarise_tax",
]  # fmt: skip
