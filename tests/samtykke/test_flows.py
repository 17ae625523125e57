"""The four consumer flows end to end, every party in-process: SBL guarantor, the student-loan widget,
the insurer's NAV timeline and the business claims overview (DSOP SBL “Om tjenesten”; DSOP Saldo på studielån “Om”; DSOP
SSU pages; DSOP FI Krav og betalinger pages)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from opendsop.samtykke import business, insurance, loan, studielan
from opendsop.samtykke.client import Identity, SamtykkeClient, SourceRefused, parse_redirect
from opendsop.sources.data import Person
from opendsop.trust.jwt import unverified_claims
from tests.samtykke.parties import BANK, BANK_NAME, NOW, REDIRECT, Clock, Parties, endpoints

pytestmark = pytest.mark.anyio


def _person(world: Parties, test: Any) -> tuple[str, Person]:
    return next((fnr, p) for fnr, p in world.world.persons.items() if test(p))


async def test_guarantor_consent_uses_the_guarantor_text_and_gets_a_summary(world: Parties) -> None:
    fnr, _ = _person(world, lambda p: True)
    seen: list[dict[str, Any]] = []
    original = world.bank.request_consent

    async def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs)
        return await original(*args, **kwargs)

    world.bank.request_consent = spy  # type: ignore[method-assign]
    consent = await loan.request_loan_consent(
        world.bank, fnr, redirect_url=REDIRECT, role="guarantor", bank_name=BANK_NAME
    )
    # DSOP SBL “Om tjenesten”: the guarantor's text is the mandated one without "din".
    message = seen[0]["request_message"]["nb"]
    assert "behandle søknaden om finansiering" in message and " din " not in message
    assert loan.consent_text(BANK_NAME) != message
    await world.person(fnr).answer(consent.view_uri, "accept")
    summary = await loan.loan_summary(world.bank, consent)
    assert summary.role == "guarantor"
    assert summary.as_dict()["role"] == "guarantor" and len(summary.income.months) == 12


async def test_consent_for_another_bank_cannot_be_used(world: Parties) -> None:
    fnr, _ = _person(world, lambda p: True)
    consent = await loan.request_loan_consent(world.bank, fnr, redirect_url=REDIRECT)
    await world.person(fnr).answer(consent.view_uri, "accept")
    thief = world.client("923456783", "other-bank")
    from opendsop.samtykke.client import TokenRefused

    with pytest.raises(TokenRefused) as refused:
        await loan.fetch_loan_data(thief, consent)
    assert "another organisation" in refused.value.description


async def test_student_loan_widget_first_login_presents_the_consent_later_logins_do_not(world: Parties) -> None:
    fnr, person = _person(world, lambda p: p.loan)
    created = await studielan.request_studielan_consent(world.bank, fnr, redirect_url=REDIRECT)
    assert parse_redirect(await world.person(fnr).answer(created.view_uri, "accept")).status == "accepted"
    first = await studielan.fetch_widget(world.bank, fnr, present=created.ref)
    assert first is not None
    assert first.total == sum(a.amount for a in person.loan or ())
    assert [p.name for p in first.parts] == [a.name for a in person.loan or ()]
    assert first.logo_required and first.source == "Lånekassen"
    # A later login, after the bank's tokens are gone: an ordinary token, Lånekassen's cache holds the consent.
    world.bank.forget_tokens()
    world.clock.advance(hours=2)
    later = await studielan.fetch_widget(world.bank, fnr)
    assert later is not None and later.total == first.total
    assert len(world.lanekassen_app.state.consent_cache) == 1


async def test_a_withdrawn_student_loan_consent_is_refused_by_lanekassen_at_once(world: Parties) -> None:
    """The person withdraws the consent on "my consents"; the very next call (no time passes) is refused,
    though Lånekassen had cached the consent and the re-check interval has not run out."""
    fnr, _ = _person(world, lambda p: p.loan)
    created = await studielan.request_studielan_consent(world.bank, fnr, redirect_url=REDIRECT)
    person = world.person(fnr)
    await person.answer(created.view_uri, "accept")
    assert await studielan.fetch_widget(world.bank, fnr, present=created.ref) is not None
    world.bank.forget_tokens()
    assert await studielan.fetch_widget(world.bank, fnr) is not None  # served from the cache
    await person.revoke(created.id)
    with pytest.raises(SourceRefused) as refused:
        await studielan.fetch_widget(world.bank, fnr)
    assert refused.value.status == 403
    assert len(world.lanekassen_app.state.consent_cache) == 0


async def test_student_loan_widget_of_a_customer_without_loan_is_none(world: Parties) -> None:
    fnr, _ = _person(world, lambda p: p.loan is None)
    created = await studielan.request_studielan_consent(world.bank, fnr, redirect_url=REDIRECT)
    await world.person(fnr).answer(created.view_uri, "accept")
    assert await studielan.fetch_widget(world.bank, fnr, present=created.ref) is None


async def test_student_loan_without_any_consent_is_refused_403(world: Parties) -> None:
    fnr, _ = _person(world, lambda p: p.loan)
    with pytest.raises(SourceRefused) as refused:
        await studielan.fetch_widget(world.bank, fnr)
    assert refused.value.status == 403


# -- "fetch at login, never stored": the bank side alone, watched by an audit hook ---------------

_WATCH: list[list[str]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _WATCH:
        return
    if event == "open":
        mode, flags = (args[1] if len(args) > 1 else None), (args[2] if len(args) > 2 else 0)
        import os

        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        )
        if writing:
            _WATCH[-1].append(f"open {args[0]!r} {mode!r}")
    elif event in ("sqlite3.connect", "os.rename", "os.remove", "shutil.copyfile", "socket.connect"):
        _WATCH[-1].append(f"{event} {args!r}"[:200])


sys.addaudithook(_audit)


@contextmanager
def watching() -> Iterator[list[str]]:
    seen: list[str] = []
    _WATCH.append(seen)
    try:
        yield seen
    finally:
        _WATCH.pop()


async def test_widget_fetch_writes_nothing(bank_key: Any) -> None:
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.url.path == "/token":
            return httpx.Response(200, json={"access_token": "t0k3n", "token_type": "Bearer", "expires_in": 120})
        return httpx.Response(
            200,
            json={
                "Accounts": [
                    {
                        "Balances": [
                            {
                                "BalanceType": "closingBooked",
                                "BalanceAmount": {"currency": "NOK", "amount": 1234.5},
                                "LastChangeDateTime": "2026-11-01T03:00:00Z",
                            }
                        ],
                        "Name": "Lån",
                        "Bban": "x",
                        "Assert": "",
                    }
                ],
                "TotalAmount": 1234.5,
            },
        )

    clock = Clock()
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        client = SamtykkeClient(Identity(BANK, "bank-client", bank_key), endpoints(), http, clock=clock)
        with watching() as writes:
            widget = await studielan.fetch_widget(client, "27856939893")
    assert writes == []
    assert widget is not None and widget.total == Decimal("1234.50")
    source_call = requests[-1]
    # DSOP Saldo på studielån “Om” headers: raw token without "Bearer", ApiKey, PSU_ID, X-Request-Id; no Consent-ID
    # without a consent.
    assert source_call.headers["authorization"] == "t0k3n"
    assert {"apikey", "psu_id", "x-request-id"} <= set(source_call.headers)
    assert "consent-id" not in source_call.headers


def test_the_watch_sees_a_write(tmp_path: Any) -> None:
    with watching() as writes:
        (tmp_path / "x.txt").write_text("stored")
    assert writes and "x.txt" in writes[0]


# -- insurer ---------------------------------------------------------------------------------------


async def test_insurer_gets_a_dated_timeline_of_nav_decisions(world: Parties) -> None:
    fnr, person = _person(world, lambda p: p.aap_vedtak and p.ufore_vedtak)
    created = await insurance.request_ssu_consent(world.bank, fnr, redirect_url=REDIRECT)
    await world.person(fnr).answer(created.view_uri, "accept")
    timeline = await insurance.nav_timeline(world.bank, fnr, created.ref)
    kinds = {e.kind for e in timeline.events}
    assert {"aap-vedtak", "meldekort", "uforevedtak"} <= kinds
    starts = [e.start for e in timeline.events]
    assert starts == sorted(starts)
    assert len([e for e in timeline.events if e.kind.startswith("aap-vedtak")]) == len(person.aap_vedtak)
    assert len([e for e in timeline.events if e.kind == "meldekort"]) == len(person.meldekort)
    assert timeline.hours_worked == sum((m.timer_arbeidet for m in person.meldekort), Decimal(0))
    grade = [u.uforegrad for u in person.ufore_vedtak if u.virkningsdato <= NOW.date()]
    assert timeline.current_uforegrad == (grade[-1] if grade else None)
    # The token carried the consent (once per consent, DSOP SBL “Samtykkeløsningen”; DSOP “Altinn 3.0”): reused for all
    # three calls.
    tokens = [v for k, v in world.bank._tokens.items() if k[2] == created.id]
    assert len(tokens) == 1
    assert unverified_claims(tokens[0].token)["authorization_details"][0]["id"] == created.id


async def test_insurer_timeline_after_revocation_is_refused(world: Parties) -> None:
    fnr, _ = _person(world, lambda p: p.aap_vedtak)
    created = await insurance.request_ssu_consent(world.bank, fnr, redirect_url=REDIRECT)
    person = world.person(fnr)
    await person.answer(created.view_uri, "accept")
    await insurance.nav_timeline(world.bank, fnr, created.ref)
    await person.revoke(created.id)
    with pytest.raises(SourceRefused) as refused:
        await insurance.nav_timeline(world.bank, fnr, created.ref)
    assert (refused.value.source, refused.value.status) == ("NAV", 403)


# -- business --------------------------------------------------------------------------------------


async def test_business_claims_overview(world: Parties) -> None:
    org = next(iter(world.world.organisations.values()))
    representative = next(iter(world.world.persons))  # parties.py makes the first person everyone's representative
    created = await business.request_krav_consent(world.bank, org.orgnr, redirect_url=REDIRECT)
    await world.person(representative).answer(created.view_uri, "accept")
    overview = await business.claims_overview(world.bank, org.orgnr, created.ref)
    open_krav = [k for k in org.krav if k.gjenstaaende > 0]
    assert {c.krav_id for c in overview.claims} == {k.krav_id for k in open_krav}
    assert overview.consistent
    today = NOW.date()
    overdue = sum((k.gjenstaaende for k in open_krav if k.forfallsdato < today), Decimal(0))
    assert overview.totals.overdue == overdue
    assert all(c.overdue == (c.due is not None and c.due < today) for c in overview.claims)
    assert sum(overview.per_group.values(), Decimal(0)) == sum(
        (k.gjenstaaende + k.stipulerte_renter for k in open_krav), Decimal(0)
    )


async def test_business_consent_past_90_days_is_refused(world: Parties) -> None:
    org = next(iter(world.world.organisations.values()))
    created = await business.request_krav_consent(
        world.bank, org.orgnr, redirect_url=REDIRECT, validity=timedelta(days=30)
    )
    await world.person(next(iter(world.world.persons))).answer(created.view_uri, "accept")
    world.clock.advance(days=31)
    from opendsop.samtykke.client import TokenRefused

    with pytest.raises(TokenRefused):
        await business.claims_overview(world.bank, org.orgnr, created.ref)
