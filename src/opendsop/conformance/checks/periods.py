# SPDX-License-Identifier: Apache-2.0
"""The period checks of a service, derived from its profile's period rule: the generic format, future and
order rules, the window and both sides of its boundary (10 years; 12 months before the ruling; 3 months
before the death; the last calendar year; today only), toDate = today, and the register fact the window
hangs on (DSOP “Recommendations regarding validation”; the services' “Løsningsbeskrivelse” pages).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from opendsop.conformance.checks._common import VALIDATION, Send, allowed, denial, solution
from opendsop.conformance.context import Answer, Context
from opendsop.conformance.model import Check
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.period import MAX_LOOKBACK_YEARS, last_calendar_year, months_before, years_before
from opendsop.standard.services import PeriodRule, ServiceProfile


def period_checks(profile: ServiceProfile, call: Callable[..., Send]) -> list[Check]:
    s, src = profile.key, solution(profile)
    accounts = Endpoint.ACCOUNTS
    checks: list[Check] = []

    def dates(
        check: str, rule: str, title: str, code: str | None, compute: Callable[[Context], tuple[date, date]]
    ) -> None:
        async def send(ctx: Context) -> Answer:
            from_date, to_date = compute(ctx)
            params = {"fromDate": from_date.isoformat(), "toDate": to_date.isoformat()}
            return await ctx.accounts(s, params=params)

        if code is None:
            checks.append(allowed(f"{s}.{check}", rule, title, src, s, send))
        else:
            checks.append(denial(f"{s}.{check}", rule, title, src, s, code, send))

    checks.append(
        denial(
            f"{s}.period.malformed",
            "period.format",
            "fromDate 2025-13-01",
            VALIDATION,
            s,
            "ACC-001",
            call(s, accounts, fromDate="2025-13-01"),
        )
    )
    sub = lambda ctx: ctx.subject(s)  # noqa: E731
    dates(
        "period.future",
        "period.future",
        "toDate tomorrow",
        "ACC-001",
        lambda c: (sub(c).from_date, c.world.today + timedelta(days=1)),
    )
    dates(
        "period.reversed",
        "period.order",
        "toDate before fromDate",
        "ACC-001",
        lambda c: (sub(c).to_date, sub(c).to_date - timedelta(days=1)),
    )
    rule = profile.period_rule
    if rule is PeriodRule.TEN_YEARS:
        ten = lambda c: years_before(c.world.today, MAX_LOOKBACK_YEARS)  # noqa: E731
        dates(
            "period.ten-years.limit",
            "period.ten_years",
            "fromDate exactly 10 years back",
            None,
            lambda c: (ten(c), c.world.today),
        )
        dates(
            "period.ten-years.beyond",
            "period.ten_years",
            "fromDate 10 years and a day back",
            "ACC-001",
            lambda c: (ten(c) - timedelta(days=1), c.world.today),
        )
    elif rule is PeriodRule.BEFORE_KJENNELSESDATO:
        months = profile.lookback_months or 12
        edge = lambda c: months_before(c.world.ruling, months)  # noqa: E731
        dates(
            "period.ruling.limit",
            "period.kjennelsesdato",
            f"fromDate {months} months before the ruling",
            None,
            lambda c: (edge(c), c.world.today),
        )
        dates(
            "period.ruling.beyond",
            "period.kjennelsesdato",
            f"fromDate a day earlier than {months} months before the ruling",
            "ACC-001",
            lambda c: (edge(c) - timedelta(days=1), c.world.today),
        )
        dates(
            "period.to-today",
            "period.to_today",
            "toDate yesterday",
            "ACC-001",
            lambda c: (edge(c), c.world.today - timedelta(days=1)),
        )
        checks.append(_no_fact(s, "facts.konkurs_ruling", "a party with no bankruptcy registered", src))
    elif rule is PeriodRule.AROUND_DEATH:
        months = profile.lookback_months or 3
        edge = lambda c: months_before(c.world.death, months)  # noqa: E731
        dates(
            "period.death.limit",
            "period.death",
            f"fromDate {months} months before the death",
            None,
            lambda c: (edge(c), c.world.today),
        )
        dates(
            "period.death.beyond",
            "period.death",
            f"fromDate a day earlier than {months} months before the death",
            "ACC-001",
            lambda c: (edge(c) - timedelta(days=1), c.world.today),
        )
        dates(
            "period.to-today",
            "period.to_today",
            "toDate yesterday",
            "ACC-001",
            lambda c: (edge(c), c.world.today - timedelta(days=1)),
        )
        checks.append(_no_fact(s, "facts.death", "a party Folkeregisteret has not registered as dead", src))
    elif rule is PeriodRule.LAST_CALENDAR_YEAR:
        year = lambda c: last_calendar_year(c.world.today)  # noqa: E731
        dates(
            "period.year.inside",
            "period.last_calendar_year",
            "the whole last calendar year",
            None,
            lambda c: (year(c).from_date, year(c).to_date),
        )
        dates(
            "period.year.before",
            "period.last_calendar_year",
            "fromDate the day before last year",
            "ACC-001",
            lambda c: (year(c).from_date - timedelta(days=1), year(c).to_date),
        )
        dates(
            "period.year.after",
            "period.last_calendar_year",
            "toDate in this year",
            "ACC-001",
            lambda c: (year(c).from_date, c.world.today),
        )
    elif rule is PeriodRule.TODAY_ONLY:
        dates(
            "period.today.yesterday",
            "period.today_only",
            "fromDate yesterday",
            "ACC-001",
            lambda c: (c.world.today - timedelta(days=1), c.world.today),
        )
    return checks


def _no_fact(service: str, rule: str, title: str, source: str) -> Check:
    async def send(ctx: Context) -> Answer:
        return await ctx.accounts(service, party=ctx.world.anne)

    return denial(f"{service}.{rule.replace('_', '-')}", rule, title, source, service, "ACC-011", send)


__all__ = ["period_checks"]
