"""Merge semantics of KAR + KFR into ``banks[]`` (DSOP “Endpoint customerRelationships V.2.0”; DSOP
Kundeforholdsregister “Om”)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from opendsop.standard.period import Period
from opendsop.standard.relations import OwnershipType
from opendsop.standard.relations_merge import Relation, Role, merge
from opendsop.standard.wire import encode
from tests.relations.conftest import BANK_A, BANK_B, TODAY

YEAR_AGO = TODAY - timedelta(days=365)
UNTIL_TODAY = Period(YEAR_AGO, TODAY)


def kar(
    role: Role, *, org: str = BANK_A, start: date = date(2020, 1, 1), end: date | None = None, nics: bool = True
) -> Relation:
    return Relation(
        org_no=org,
        bank_name=f"Bank {org}",
        role=role,
        start=start,
        end=end,
        account_no="12345678903",
        nics_reachable=nics,
    )


def kfr(*, org: str = BANK_B, start: date = date(2020, 1, 1), end: date | None = None) -> Relation:
    return Relation(org_no=org, bank_name=f"Bank {org}", role=Role.CUSTOMER, start=start, end=end)


# (id, kar relations, kfr relations, period, expected activeAccount of BANK_A)
ACTIVE_CASES = [
    ("owner-nics-open-toDate-today", [kar(Role.OWNER)], [], UNTIL_TODAY, True),
    ("secondary-owner-also-owns", [kar(Role.SECONDARY_OWNER)], [], UNTIL_TODAY, True),
    ("disponent-owns-nothing", [kar(Role.DISPONENT)], [], UNTIL_TODAY, False),
    ("not-nics-reachable", [kar(Role.OWNER, nics=False)], [], UNTIL_TODAY, False),
    ("toDate-not-today", [kar(Role.OWNER)], [], Period(YEAR_AGO, TODAY - timedelta(days=1)), False),
    ("account-closed-yesterday", [kar(Role.OWNER, end=TODAY - timedelta(days=1))], [], UNTIL_TODAY, False),
    ("kfr-only-always-false", [], [kfr(org=BANK_A)], UNTIL_TODAY, False),
    ("kar-owner-and-kfr-same-bank", [kar(Role.OWNER)], [kfr(org=BANK_A)], UNTIL_TODAY, True),
]


@pytest.mark.parametrize(
    ("kar_rels", "kfr_rels", "period", "expected"),
    [case[1:] for case in ACTIVE_CASES],
    ids=[case[0] for case in ACTIVE_CASES],
)
def test_active_account(kar_rels: list[Relation], kfr_rels: list[Relation], period: Period, expected: bool) -> None:
    body = merge(kar_rels, kfr_rels, period, TODAY, only_primary_owner=None)
    (bank,) = [b for b in body.banks if b.organization_id == BANK_A]
    assert bank.active_account is expected


# (id, relation start, relation end, period) -> counted?
OVERLAP_CASES = [
    ("inside", date(2021, 1, 1), date(2021, 6, 1), Period(date(2020, 1, 1), date(2022, 1, 1)), True),
    ("ends-on-first-day", date(2019, 1, 1), date(2020, 1, 1), Period(date(2020, 1, 1), date(2022, 1, 1)), True),
    ("starts-on-last-day", date(2022, 1, 1), None, Period(date(2020, 1, 1), date(2022, 1, 1)), True),
    ("ended-before", date(2019, 1, 1), date(2019, 12, 31), Period(date(2020, 1, 1), date(2022, 1, 1)), False),
    ("starts-after", date(2022, 1, 2), None, Period(date(2020, 1, 1), date(2022, 1, 1)), False),
    ("open-ended-covers", date(2010, 1, 1), None, Period(date(2020, 1, 1), date(2022, 1, 1)), True),
]


@pytest.mark.parametrize(
    ("start", "end", "period", "counted"), [c[1:] for c in OVERLAP_CASES], ids=[c[0] for c in OVERLAP_CASES]
)
@pytest.mark.parametrize("source", ["KAR", "KFR"])
def test_period_overlap(source: str, start: date, end: date | None, period: Period, counted: bool) -> None:
    relation = kar(Role.DISPONENT, start=start, end=end) if source == "KAR" else kfr(org=BANK_A, start=start, end=end)
    body = merge(
        [relation] if source == "KAR" else [],
        [relation] if source == "KFR" else [],
        period,
        TODAY,
        only_primary_owner=None,
    )
    assert [b.organization_id for b in body.banks] == ([BANK_A] if counted else [])


OWNERSHIP_CASES = [
    ("owner", [kar(Role.OWNER)], [], OwnershipType.PRIMARY_OWNER),
    ("secondary-owner-is-not-primary", [kar(Role.SECONDARY_OWNER)], [], OwnershipType.NOT_PRIMARY_OWNER),
    ("disponent", [kar(Role.DISPONENT)], [], OwnershipType.NOT_PRIMARY_OWNER),
    ("owner-and-disponent", [kar(Role.DISPONENT), kar(Role.OWNER)], [], OwnershipType.PRIMARY_OWNER),
    ("kfr-only-unknown", [], [kfr(org=BANK_A)], OwnershipType.UNKNOWN),
    ("kar-decides-over-kfr", [kar(Role.DISPONENT)], [kfr(org=BANK_A)], OwnershipType.NOT_PRIMARY_OWNER),
]


@pytest.mark.parametrize(
    ("kar_rels", "kfr_rels", "expected"), [c[1:] for c in OWNERSHIP_CASES], ids=[c[0] for c in OWNERSHIP_CASES]
)
def test_ownership_type_when_only_primary_owner_false(
    kar_rels: list[Relation], kfr_rels: list[Relation], expected: OwnershipType
) -> None:
    (bank,) = merge(kar_rels, kfr_rels, UNTIL_TODAY, TODAY, only_primary_owner=False).banks
    assert bank.ownership_type is expected


def test_ownership_type_absent_when_only_primary_owner_not_sent() -> None:
    body = merge([kar(Role.OWNER)], [kfr()], UNTIL_TODAY, TODAY, only_primary_owner=None)
    assert [b.ownership_type for b in body.banks] == [None, None]
    assert b"ownershipType" not in encode(body)


def test_only_primary_owner_true_drops_institutions_without_ownership() -> None:
    disponent_only = kar(Role.DISPONENT, org="911111111")
    body = merge([kar(Role.OWNER), disponent_only], [kfr()], UNTIL_TODAY, TODAY, only_primary_owner=True)
    kept = {b.organization_id: b.ownership_type for b in body.banks}
    assert kept == {BANK_A: OwnershipType.PRIMARY_OWNER, BANK_B: OwnershipType.UNKNOWN}


def test_one_entry_per_institution_and_deterministic_order() -> None:
    rels = [kar(Role.OWNER, org=BANK_B), kar(Role.DISPONENT, org=BANK_A), kar(Role.OWNER, org=BANK_A)]
    body = merge(rels, [kfr(org=BANK_A)], UNTIL_TODAY, TODAY, only_primary_owner=None)
    assert [b.organization_id for b in body.banks] == sorted([BANK_A, BANK_B], key=lambda o: f"Bank {o}")
    assert merge(list(reversed(rels)), [kfr(org=BANK_A)], UNTIL_TODAY, TODAY, only_primary_owner=None) == body


def test_no_relations_gives_empty_list() -> None:
    assert merge([], [], UNTIL_TODAY, TODAY, only_primary_owner=True).banks == ()
