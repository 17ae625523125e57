"""The kit proves itself: mutants of the project's own bank, each with one rule switched off or bent,
must each be caught by at least one check of the rule the mutant breaks.

Mutants patch rule functions of the running process (no extra processes), so the whole table runs
in seconds.  The kill rate is printed; every mutant must be killed.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import msgspec
import pytest

from opendsop.conformance import runner
from opendsop.conformance.checks import BANK_SERVICES, derive
from opendsop.conformance.model import Outcome
from opendsop.provider.ports import RegisterFacts
from opendsop.standard.period import Period
from opendsop.standard.services import OwnerRule, ServiceProfile
from tests.conformance.harness import BankOptions, context, kit, open_bank

# The modules themselves (``opendsop.standard`` re-exports functions of the same names).
answers = importlib.import_module("opendsop.provider.answers")
mapping = importlib.import_module("opendsop.provider.store.mapping")
authorize = importlib.import_module("opendsop.standard.authorize")
extradition = importlib.import_module("opendsop.standard.extradition")

filtering = importlib.import_module("opendsop.standard.filtering")

pytestmark = pytest.mark.anyio
Patch = Callable[[pytest.MonkeyPatch], BankOptions | None]


@pytest.fixture(autouse=True)
def _no_mutant_outlives_its_test() -> Any:
    """The field filter caches its plans: one computed under a mutant (a service allowed every endpoint) would
    stay in force for every later test in this process once the patch is undone."""
    yield
    filtering._stripper.cache_clear()
    filtering.strip_plan.cache_clear()


def _requester_skipped(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(authorize, "_requester", lambda request, service, rules: None)


def _owner_rule_skipped(mp: pytest.MonkeyPatch) -> None:
    original = authorize._only_primary_owner

    def lenient(request: Any, service: ServiceProfile, rules: Any) -> Any:
        return original(request, dataclasses.replace(service, owner_rule=OwnerRule.EITHER), rules)

    mp.setattr(authorize, "_only_primary_owner", lenient)


def _ten_years_widened(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(authorize, "MAX_LOOKBACK_YEARS", 11)


def _to_today_skipped(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(authorize, "_to_today", lambda period, today, service: None)


def _lookback_widened(mp: pytest.MonkeyPatch) -> None:
    original = authorize._lookback_months
    mp.setattr(authorize, "_lookback_months", lambda service: original(service) + 1)


def _field_not_filtered(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(answers, "filter_response", lambda service, endpoint, body, **options: body)


def _card_unmasked(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(mapping, "mask_card_number", lambda number: number)


def _paging_broken(mp: pytest.MonkeyPatch) -> None:
    real = answers.Link
    mp.setattr(answers, "Link", lambda rel, href: real(rel="self", href=href))  # the next link is lost


def _endpoint_allow_list_skipped(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(ServiceProfile, "allows", lambda self, endpoint: True)


def _order_content_unchecked(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(extradition, "check_request", lambda order, **request: None)


def _shielding_ignored(mp: pytest.MonkeyPatch) -> None:
    original = RegisterFacts.facts_for

    async def facts_for(self: RegisterFacts, party: Any, **options: Any) -> Any:
        return dataclasses.replace(await original(self, party, **options), shielded=False)

    mp.setattr(RegisterFacts, "facts_for", facts_for)


def _guardianship_ignored(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(
        authorize,
        "_guardianship_window",
        lambda service, period, facts, today, **kw: Period(period.from_date, period.to_date),
    )


def _partial_flag_off(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(answers, "flags_other_rights", lambda profile, **options: False)


def _blocking_lost(mp: pytest.MonkeyPatch) -> None:
    from opendsop.standard.control.v2 import AccountStatus

    original = mapping.account

    def account(*args: Any, **kwargs: Any) -> Any:
        return msgspec.structs.replace(original(*args, **kwargs), status=AccountStatus.ENABLED)

    mp.setattr(mapping, "account", account)


def _case_binding_skipped(mp: pytest.MonkeyPatch) -> None:
    pipeline = importlib.import_module("opendsop.provider.pipeline")
    original = answers.is_uuid
    mp.setattr(pipeline.answers, "is_uuid", lambda value: False if value else original(value))


# (mutant, the rule a check must catch it by, the patch; a patch may return the bank's options instead)
MUTANTS: list[tuple[str, str, Patch]] = [
    ("requester-id-not-required", "authorize.requester_id", _requester_skipped),
    ("owner-true-only-not-enforced", "authorize.only_primary_owner", _owner_rule_skipped),
    ("ten-year-window-widened", "period.ten_years", _ten_years_widened),
    ("to-date-today-not-enforced", "period.to_today", _to_today_skipped),
    ("death-lookback-widened", "period.death", _lookback_widened),
    ("ruling-lookback-widened", "period.kjennelsesdato", _lookback_widened),
    ("field-not-filtered", "delivery.withheld", _field_not_filtered),
    ("card-unmasked", "cards.masked", _card_unmasked),
    ("paging-next-link-lost", "paging.next", _paging_broken),
    ("endpoint-allow-list-skipped", "authorize.endpoint_forbidden", _endpoint_allow_list_skipped),
    ("extradition-order-content-unchecked", "extradition.order", _order_content_unchecked),
    ("shielded-person-listed", "facts.shielded", _shielding_ignored),
    ("guardianship-not-checked", "facts.guardianship", _guardianship_ignored),
    ("partial-not-flagged", "partial.other_rights", _partial_flag_off),
    ("konkurs-accounts-not-blocked", "konkurs.blocked", _blocking_lost),
    ("reference-case-binding-skipped", "http.account_reference", _case_binding_skipped),
    ("token-audience-unchecked", "token.audience", lambda mp: BankOptions(audience=None)),
    ("token-scope-unchecked", "token.scope", lambda mp: BankOptions(scopes=())),
    ("token-expiry-unchecked", "token.expiry", lambda mp: BankOptions(leeway_seconds=86_400)),
    ("rate-limit-off", "ratelimit.retry_after", lambda mp: BankOptions(rate_per_second=0)),
    (
        "jwe-to-the-wrong-certificate",
        "jwe.encrypted",
        lambda mp: BankOptions(
            certificates={org: next(iter(kit()[1].encryption.values())).certificate for org in kit()[1].encryption}
        ),
    ),
]
KILLED: dict[str, bool] = {}


@pytest.mark.parametrize(("mutant", "rule", "patch"), MUTANTS, ids=[m[0] for m in MUTANTS])
async def test_mutant_is_caught_by_its_rule(
    monkeypatch: pytest.MonkeyPatch, mutant: str, rule: str, patch: Patch
) -> None:
    # The schema checks are left out here (they fail nothing a mutant breaks); the rate check only
    # where it is the rule under test (it spends the consumer's quota).  Derived before the mutant is
    # made: the kit reads the same profiles the mutant bends.
    checks = derive(BANK_SERVICES, rate=rule == "ratelimit.retry_after")
    options = patch(monkeypatch)
    async with await open_bank(options) as client:
        results = await runner.run(checks, context(client, BANK_SERVICES), timeout=20)
    caught = sorted({r.rule for r in results if r.outcome is Outcome.FAILED})
    KILLED[mutant] = rule in caught
    assert rule in caught, f"{mutant} was not caught by a {rule} check (failed rules: {caught})"


def test_kill_rate() -> None:
    if len(KILLED) < len(MUTANTS):
        pytest.skip("the mutant table did not run in this session")
    rate = sum(KILLED.values()) / len(MUTANTS)
    print(f"\nmutant kill rate: {sum(KILLED.values())}/{len(MUTANTS)} = {rate:.0%}")
    assert rate == 1.0


def test_the_kit_knows_the_days_it_checks() -> None:
    world, _ = kit()
    assert world.death is not None and world.ruling is not None
    assert world.today - world.death == timedelta(days=40)
