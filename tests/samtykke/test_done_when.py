"""The issue's "Done when": a synthetic person approves an SBL consent on the approval page, the bank pulls
income and tax base, the person revokes it from "my consents", and the next pull is refused with the
source's documented code (IM-010 / SSG-010; DSOP SBL “Om tjenesten” "Error codes").  Also: a rejected
consent gives no token, and an expired consent (injected clock) is refused.
"""

from __future__ import annotations

import pytest

from opendsop.samtykke import loan
from opendsop.samtykke.client import ConsentNotAccepted, SourceRefused, TokenRefused, parse_redirect
from tests.samtykke.parties import BANK_NAME, REDIRECT, Parties

pytestmark = pytest.mark.anyio


def _applicant(world: Parties) -> str:
    return next(iter(world.world.persons))


async def test_approve_pull_revoke_and_the_next_pull_is_refused(world: Parties) -> None:
    fnr = _applicant(world)
    person = world.world.persons[fnr]
    consent = await loan.request_loan_consent(world.bank, fnr, redirect_url=REDIRECT)
    # The consent covers the latest available year and the last 12 complete months (DSOP SBL “Om tjenesten”).
    assert consent.inntektsaar == str(person.latest_tax_year)
    assert (consent.fra_og_med, consent.til_og_med) == ("2025-11", "2026-10")
    # validTo: the FAQ's 9 days 22 h 59 min, under Skatteetaten's 10-day cap.
    assert (await world.bank.consent(consent.id))["validTo"] == "2026-12-08T10:59:00Z"

    browser = world.person(fnr)
    page = await browser.open(consent.view_uri)
    assert loan.consent_text(BANK_NAME) in page.text  # the mandated text, with the bank's name
    back = parse_redirect(await browser.answer(consent.view_uri, "accept"))
    assert (back.consent_id, back.status) == (consent.id, "accepted")

    summary = await loan.loan_summary(world.bank, consent)
    assert summary.fnr == fnr and summary.consent_id == consent.id
    months = [m.month for m in summary.income.months]
    assert months[0] == "2025-11" and months[-1] == "2026-10" and len(months) == 12
    expected_october = sum(
        i.beloep for r in person.income if r.kalendermaaned == "2026-10" for i in r.incomes if "sbl" in i.packages
    )
    assert summary.income.months[-1].total == expected_october
    assert summary.tax is not None and summary.tax.inntektsaar == person.latest_tax_year

    world.clock.advance(seconds=20)
    await browser.revoke(consent.id)

    # The bank still holds a live access token (120 s): the source re-checks and refuses.
    with pytest.raises(SourceRefused) as income_refused:
        await loan.fetch_loan_data(world.bank, consent)
    assert (income_refused.value.status, income_refused.value.code) == (403, "IM-010")
    tax_only = loan.LoanConsent(consent.id, fnr, "applicant", "", "", consent.inntektsaar)
    with pytest.raises(SourceRefused) as tax_refused:
        await loan.fetch_loan_data(world.bank, tax_only)
    assert (tax_refused.value.status, tax_refused.value.code) == (403, "SSG-010")
    # A new token is refused by the token service as well.
    world.bank.forget_tokens(consent.id)
    with pytest.raises(TokenRefused) as token_refused:
        await loan.fetch_loan_data(world.bank, consent)
    assert token_refused.value.error == "invalid_grant" and "revoked" in token_refused.value.description
    with pytest.raises(ConsentNotAccepted):
        await world.bank.accepted(consent.id)


async def test_rejected_consent_gives_no_token(world: Parties) -> None:
    fnr = _applicant(world)
    consent = await loan.request_loan_consent(world.bank, fnr, redirect_url=REDIRECT)
    back = parse_redirect(await world.person(fnr).answer(consent.view_uri, "reject"))
    assert back.status == "rejected"
    with pytest.raises(TokenRefused) as refused:
        await loan.fetch_loan_data(world.bank, consent)
    assert refused.value.error == "invalid_grant" and "rejected" in refused.value.description


async def test_expired_consent_is_refused(world: Parties) -> None:
    fnr = _applicant(world)
    consent = await loan.request_loan_consent(world.bank, fnr, redirect_url=REDIRECT)
    await world.person(fnr).answer(consent.view_uri, "accept")
    await loan.fetch_loan_data(world.bank, consent)
    world.clock.advance(days=10)  # past validTo (9 d 22 h 59 min)
    with pytest.raises(TokenRefused) as refused:
        await loan.fetch_loan_data(world.bank, consent)
    assert "expired" in refused.value.description


async def test_a_token_held_past_validto_is_refused_by_the_source(world: Parties) -> None:
    fnr = _applicant(world)
    consent = await loan.request_loan_consent(world.bank, fnr, redirect_url=REDIRECT)
    await world.person(fnr).answer(consent.view_uri, "accept")
    world.clock.advance(days=9, hours=22, minutes=58, seconds=55)  # 5 s before validTo
    await loan.fetch_loan_data(world.bank, consent)  # caches a token that carries the consent
    world.clock.advance(seconds=10)  # the consent ran out; the token (120 s) still lives
    with pytest.raises(SourceRefused) as refused:
        await loan.fetch_loan_data(world.bank, consent)
    assert refused.value.code == "IM-010"
