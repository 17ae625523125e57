"""The SBL "Done when" story told with real calls: consent, approval, pull, revocation, refusal.

Every party runs in this process (``ecosystem.inprocess_consent``); the tour drives them exactly as a bank and a
person would (DSOP SBL “Samtykkeløsningen” consent flow, DSOP SBL “Om tjenesten” SBL, DSOP SBL “Samtykkeløsningen”; DSOP
“Altinn 3.0” tokens):

1. the bank asks for an SBL consent (Altinn 3 ``consentrequests``, resource ``ske-sbl-inntekt``,
   ``fraOgMed``/``tilOgMed`` and ``inntektsaar`` in ``metaData``);
2. the person follows ``viewUri``, logs in (synthetic ID-porten, Tenor numbers only), reads the
   mandated text with the bank's name and presses «Jeg samtykker»;
3. the bank gets a token carrying the consent (``authorization_details``) and pulls the income per
   month (A-ordningen, rettighetspakke ``sbl``) and the summarised tax base; the summary is the
   bank's own (``loan.summarise``);
4. the person revokes the consent on «Mine samtykker»;
5. the bank's next pull with the token it still holds is refused by the source itself — ``IM-010``
   (inntekt) and ``SSG-010`` (skattegrunnlag), DSOP SBL “Om tjenesten” "Error codes" — and a new token is refused by the
   token service.

What is printed comes from the answers (the page's HTML, the token's claims, the sources' bodies),
not from the tour's own knowledge, so the story fails loudly when a party misbehaves.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from decimal import Decimal

import httpx
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from opendsop.ecosystem.inprocess_consent import BANK, BANK_NAME, NOW, REDIRECT, PageError, parties
from opendsop.samtykke import loan
from opendsop.samtykke.client import SamtykkeError, SourceRefused, TokenRefused, parse_redirect
from opendsop.trust.jwt import unverified_claims

_TAGS = re.compile(r"<[^>]+>")
# What the person sees on the approval page (consent/pages/request.html).
_HEADING = r"<h1>(.*?)</h1>"
_CONSENT_TEXT = r'<p class="consent-text">(.*?)</p>'
_PERIOD = r"<p>(Periode:.*?)</p>"
_YEAR = r"<p>(Inntektsår:.*?)</p>"
_ACCEPT = r'value="accept">(.*?)</button>'


def _seen(page: httpx.Response, pattern: str) -> str:
    """The visible text of the first element matching ``pattern`` (a regex with one group) on the page."""
    match = re.search(pattern, page.text, re.S)
    if not match:
        raise PageError(f"the consent page {page.request.url.path} does not show {pattern!r}")
    return " ".join(html.unescape(_TAGS.sub("", match.group(1))).split())


def _kr(amount: Decimal) -> str:
    return f"{amount:,.0f}".replace(",", " ") + " kr"


def _short(consent_id: str) -> str:
    """Consent ids abbreviated after their first mention, to keep lines short."""
    return consent_id[:8] + "…"


def _refusal(exc: SourceRefused) -> str:
    """The source's own message (``SourceRefused.message`` prefixes who refused and the code)."""
    prefix = f"{exc.source} refused the request ({exc.status} {exc.code}): "
    return exc.message.removeprefix(prefix)


async def consent_tour(console: Console, *, now: datetime = NOW) -> None:
    """Print the SBL consent story, step by step, with every party in-process (clock starts at ``now``)."""
    async with parties(now=now) as world:
        bank, fnr = world.bank, next(iter(world.world.persons))

        def step(title: str) -> None:
            console.print(Text(title, style="bold"))

        def say(markup: str) -> None:
            console.print(Padding(Text.from_markup(markup), (0, 0, 0, 3), expand=False))

        step(f"1. {BANK_NAME} ({BANK}) asks {fnr} (synthetic) for an SBL consent")
        consent = await loan.request_loan_consent(bank, fnr, redirect_url=REDIRECT)
        stored = await bank.consent(consent.id)
        say(f"consent id {consent.id} · status {escape(str(stored['status']))}")
        say(
            f"resource {loan.RESOURCE} · fraOgMed {consent.fra_og_med} · tilOgMed {consent.til_og_med} · "
            f"inntektsaar {consent.inntektsaar} · validTo {escape(str(stored['validTo']))}"
        )

        person = world.person(fnr)
        page = await person.open(consent.view_uri)
        if page.status_code != 200:
            raise PageError(f"the consent request page answered {page.status_code}")
        login = "logs in (ID-porten, synthetic)" if person.logged_in else "is logged in"
        step(f"2. The person opens viewUri, {login} and approves")
        say(f"[italic]{escape(_seen(page, _HEADING))}[/]")
        say(f"«{escape(_seen(page, _CONSENT_TEXT))}»")
        say(f"{escape(_seen(page, _PERIOD))} · {escape(_seen(page, _YEAR))}")
        button = _seen(page, _ACCEPT)
        back = parse_redirect(await person.answer(consent.view_uri, "accept"))
        say(
            f"«{escape(button)}» → back to the bank: consentId={_short(back.consent_id)} "
            f"status=[green]{escape(back.status)}[/]"
        )

        step("3. The bank gets a token carrying the consent and pulls income and tax base")
        source = bank.endpoints.require("skatteetaten")
        token = await bank.access_token([loan.SCOPE_INNTEKT, loan.SCOPE_SKATTEGRUNNLAG], source.aud, consent.ref)
        claims = unverified_claims(token)
        details = (claims.get("authorization_details") or [{}])[0]
        say(
            f"token: «{escape(str(claims.get('scope')))}» + {escape(str(details.get('type')))} "
            f"{_short(str(details.get('id')))}"
        )
        summary = await loan.loan_summary(bank, consent)
        console.print(Padding(_summary_table(summary), (0, 0, 0, 3), expand=False))

        world.clock.advance(seconds=20)
        mine = await person.my_consents()
        step(f"4. The person revokes the consent on «{_seen(mine, _HEADING)}»")
        await person.revoke(consent.id)
        row = rf'<tr id="consent-{re.escape(consent.id)}">.*?<td class="status">(.*?)</td>'
        say(f"status now: [red]{escape(_seen(await person.my_consents(), row))}[/]")

        step("5. The bank pulls again with the token it still holds — refused by the source")
        tax_only = loan.LoanConsent(consent.id, fnr, consent.role, "", "", consent.inntektsaar)
        for what, attempt in (("inntekt", consent), ("skattegrunnlag", tax_only)):
            try:
                await loan.fetch_loan_data(bank, attempt)
            except SourceRefused as refused:
                message = _refusal(refused).replace(consent.id, _short(consent.id))
                say(f"{what}: [red]{refused.status} {escape(refused.code)}[/] {escape(message)}")
            else:
                raise SamtykkeError(f"Skatteetaten delivered {what} after the consent was revoked")
        bank.forget_tokens(consent.id)
        try:
            await loan.fetch_loan_data(bank, consent)
        except TokenRefused as refused:
            message = refused.description.replace(consent.id, _short(consent.id))
            say(f"a new token: [red]{refused.status} {escape(refused.error)}[/] {escape(message)}")
        else:
            raise SamtykkeError("the token service issued a token for a revoked consent")


def _summary_table(summary: loan.CreditSummary) -> Table:
    income, tax = summary.income, summary.tax
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    months = f"{len(income.months)} ({summary.period[0]} – {summary.period[1]})"
    if income.missing_months:
        months += f", missing {', '.join(income.missing_months)}"
    table.add_row("months with income", months)
    table.add_row("median per month", f"{_kr(income.median)} (yearly 12 × median: {_kr(income.yearly)})")
    if tax is not None:
        table.add_row(f"skattegrunnlag {tax.inntektsaar}", f"alminnelig inntekt {_kr(tax.alminnelig_inntekt)}")
        table.add_row("", f"bruttoformue {_kr(tax.formue)} · samletGjeld {_kr(tax.gjeld)}")
    table.add_row("flags", ", ".join(f.code for f in summary.flags) or "none")
    return table


__all__ = ["consent_tour"]
