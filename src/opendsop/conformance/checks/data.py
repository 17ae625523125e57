# SPDX-License-Identifier: Apache-2.0
"""Checks of what leaves the bank: the service's delivery table field by field (DSOP “Data model”), paging
and ``next`` links across more than 1,000 transactions (DSOP “eOppslag”), ``partial``/``complete``,
the owner filter, shielded persons and masked card numbers.
"""

from __future__ import annotations

from typing import Any

from opendsop.conformance.checks._common import DATA_MODEL, EOPPSLAG, VALIDATION, expect, solution
from opendsop.conformance.context import Context
from opendsop.conformance.model import Check, Failed, Severity, Skipped
from opendsop.conformance.world import CARD_NUMBER, PAGED_TRANSACTIONS
from opendsop.standard.delivery import DEFAULT_POLICY, FIELDS
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services import OwnerRule, PeriodRule, get_profile

# Leaves the kit's world holds no value for in the subject's answer: only their absence is checked.
NOT_HELD = frozenset(
    {
        "responseDetails.message",  # a complete answer needs no explanation
        "accounts.primaryOwner.endDate",  # the owners still own their accounts
        "account.primaryOwner.endDate",
        "account.endDate",  # the accounts are open
        "links.rel",  # an account list fits one page (the transactions' links are checked by paging)
        "links.href",
    }
)


def present(body: Any, path: str) -> bool:
    """Whether the dotted wire path (arrays implied) occurs anywhere in ``body`` with a value."""
    head, _, rest = path.partition(".")
    if isinstance(body, list):
        return any(present(item, path) for item in body)
    if not isinstance(body, dict) or body.get(head) is None:
        return False
    return True if not rest else present(body[head], rest)


def delivery_checks(service: str) -> list[Check]:
    profile = get_profile(service)
    checks = []
    for endpoint, paths in FIELDS.items():
        if not profile.allows(endpoint):
            continue
        for path in paths:
            category = profile.delivery.category(endpoint, path)
            if category is None:
                continue
            delivered = category.delivered(DEFAULT_POLICY)
            if delivered and (path in NOT_HELD or endpoint is Endpoint.TRANSACTIONS and path.startswith("links.")):
                continue
            checks.append(_field_check(service, endpoint, path, category.value, delivered))
    return checks


def _field_check(service: str, endpoint: Endpoint, path: str, category: str, delivered: bool) -> Check:
    async def run(ctx: Context) -> None:
        body = await ctx.body(service, endpoint)
        found = present(body, path)
        if delivered and not found:
            raise Failed(f"{path} ({category}) is missing, though the test data holds it")
        if not delivered and found:
            raise Failed(f"{path} ({category}) was delivered, but {service} must not receive it")

    verb = "delivers" if delivered else "withholds"
    return Check(
        f"{service}.delivery.{endpoint.operation_id}.{path}",
        "delivery.delivered" if delivered else "delivery.withheld",
        f"{endpoint.operation_id} {verb} {path} ({category})",
        f"{DATA_MODEL}, {solution(get_profile(service))}",
        run,
        Severity.MUST,
        service,
    )


def data_checks(service: str) -> list[Check]:
    profile = get_profile(service)
    s = service
    checks = delivery_checks(service)
    if profile.allows(Endpoint.TRANSACTIONS) and profile.period_rule is PeriodRule.TEN_YEARS:
        checks.append(
            Check(
                f"{s}.paging.next",
                "paging.next",
                f"{PAGED_TRANSACTIONS} transactions over next links, each once",
                EOPPSLAG,
                _paging(s),
                Severity.MUST,
                s,
            )
        )
    if profile.allows(Endpoint.CARDS):
        checks.append(
            Check(
                f"{s}.cards.masked",
                "cards.masked",
                "card numbers show at most the first 6 and last 4 digits",
                DATA_MODEL,
                _masked(s),
                Severity.MUST,
                s,
            )
        )
    if profile.period_rule is PeriodRule.TEN_YEARS and profile.reference is None:
        checks.append(
            Check(
                f"{s}.shielded.empty",
                "facts.shielded",
                "a shielded person's account list is empty and complete",
                VALIDATION,
                _shielded(s),
                Severity.MUST,
                s,
            )
        )
    if profile.flag_other_rights:
        checks.append(
            Check(
                f"{s}.partial.other-rights",
                "partial.other_rights",
                "owned accounts only, marked partial when the party has rights on others'",
                solution(profile),
                _partial(s, "partial"),
                Severity.MUST,
                s,
            )
        )
    elif profile.period_rule is PeriodRule.TEN_YEARS:
        checks.append(
            Check(
                f"{s}.complete",
                "partial.complete",
                "an answer with everything is marked complete",
                EOPPSLAG,
                _partial(s, "complete"),
                Severity.MUST,
                s,
            )
        )
    if profile.notes and any("disabled" in note for note in profile.notes):
        checks.append(
            Check(
                f"{s}.accounts.blocked",
                "konkurs.blocked",
                "the bankrupt party's accounts are listed as blocked (status disabled)",
                solution(profile),
                _blocked(s),
                Severity.SHOULD,
                s,
            )
        )
    checks.append(
        Check(
            f"{s}.owner.primary-only",
            "owner.only_primary",
            "OnlyPrimaryOwner=true lists owned accounts only",
            solution(profile),
            _owned_only(s),
            Severity.MUST,
            s,
        )
    )
    if profile.owner_rule is OwnerRule.EITHER:
        checks.append(
            Check(
                f"{s}.owner.all-roles",
                "owner.all_roles",
                "OnlyPrimaryOwner=false lists accounts with rights of disposal too",
                solution(profile),
                _all_roles(s),
                Severity.MUST,
                s,
            )
        )
    return checks


def _blocked(service: str) -> Any:
    async def run(ctx: Context) -> None:
        listed = (await ctx.body(service, Endpoint.ACCOUNTS)).get("accounts") or []
        open_ones = [item for item in listed if isinstance(item, dict) and item.get("status") != "disabled"]
        if not listed:
            raise Failed("no account is listed for the bankrupt party")
        if open_ones:
            raise Failed(f"{len(open_ones)} account(s) of the bankrupt party are not blocked (status disabled)")

    return run


def _paging(service: str) -> Any:
    async def run(ctx: Context) -> None:
        body = await ctx.body(service, Endpoint.TRANSACTIONS)
        ids = [item.get("transactionIdentifier") for item in body["transactions"] if isinstance(item, dict)]
        if len(ids) != len(set(ids)):
            raise Failed(f"{len(ids) - len(set(ids))} transactions came twice across the pages")
        if len(ids) < PAGED_TRANSACTIONS:
            raise Failed(
                f"{len(ids)} of {PAGED_TRANSACTIONS} transactions arrived over {body.get('pages', 1)} page(s) "
                "and their next links"
            )
        first = body.get("first_page", len(ids))
        if body.get("pages", 1) > 1 and first < 1000:
            raise Failed(f"the first page held {first} transactions: a page must hold at least 1,000")

    return run


def _cards(body: Any, key: str) -> list[str]:
    found: list[str] = []
    if isinstance(body, dict):
        for name, value in body.items():
            if name == key and isinstance(value, str):
                found.append(value)
            else:
                found += _cards(value, key)
    elif isinstance(body, list):
        for item in body:
            found += _cards(item, key)
    return found


def _masked(service: str) -> Any:
    async def run(ctx: Context) -> None:
        numbers = _cards(await ctx.body(service, Endpoint.CARDS), "cardIdentifier")
        if not numbers:
            raise Failed("the cards answer holds no cardIdentifier")
        for number in numbers:
            digits = sum(char.isdigit() for char in number)
            if number.replace(" ", "") == CARD_NUMBER or digits > 10:
                raise Failed(f"a card number shows {digits} digits: expected at most the first 6 and last 4")

    return run


def _shielded(service: str) -> Any:
    async def run(ctx: Context) -> None:
        answer = await ctx.accounts(service, party=ctx.world.parties["skjermet"])
        expect(answer, 200)
        body = answer.object()
        if body.get("accounts"):
            raise Failed(f"{len(body['accounts'])} account(s) listed for a person with a shielded address")
        status = (body.get("responseDetails") or {}).get("status")
        if status != "complete":
            raise Failed(f"responseDetails.status is {status!r}, expected 'complete'")

    return run


def _status(body: dict[str, Any]) -> Any:
    details = body.get("responseDetails")
    return details.get("status") if isinstance(details, dict) else None


def _partial(service: str, expected: str) -> Any:
    async def run(ctx: Context) -> None:
        status = _status(await ctx.body(service, Endpoint.ACCOUNTS))
        if status != expected:
            raise Failed(f"responseDetails.status is {status!r}, expected {expected!r}")

    return run


def _listed(body: dict[str, Any]) -> set[Any]:
    return {item.get("accountIdentifier") for item in body.get("accounts") or () if isinstance(item, dict)}


def _owned_only(service: str) -> Any:
    async def run(ctx: Context) -> None:
        listed = _listed(await ctx.body(service, Endpoint.ACCOUNTS))
        other = ctx.world.numbers["other"]
        if other in listed:
            raise Failed("an account the party only has a right of disposal over is listed with OnlyPrimaryOwner=true")
        if ctx.subject(service).account not in listed:
            raise Failed("the party's own account is not listed")

    return run


def _all_roles(service: str) -> Any:
    async def run(ctx: Context) -> None:
        if ctx.subject(service).party != ctx.world.anne:
            raise Skipped("the subject holds no rights on others' accounts")
        answer = await ctx.accounts(service, params={"OnlyPrimaryOwner": "false"}, case=ctx.case(service, "all-roles"))
        expect(answer, 200)
        if ctx.world.numbers["other"] not in _listed(answer.object()):
            raise Failed("an account the party has a right of disposal over is missing with OnlyPrimaryOwner=false")

    return run


__all__ = ["NOT_HELD", "data_checks", "delivery_checks", "present"]
