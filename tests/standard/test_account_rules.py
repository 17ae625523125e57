"""The data rules that moved out of the bank's store into ``standard``, one row per documented rule.

Sources are the DSOP documentation's "Common data model" page (account list, balances, card numbers),
the Politi-utlevering and Konkursbehandling / Oppgjør etter dødsfall løsningsbeskrivelser (the
profiles' fields) and Bank_v2.yaml.
"""

from __future__ import annotations

from datetime import date

import pytest

from opendsop.standard.account_rules import (
    BalanceKind,
    RelationRole,
    balance_kind,
    flags_other_rights,
    listing_roles,
    mask_card_number,
)
from opendsop.standard.control.v2 import AccountStatus, AccountType
from opendsop.standard.period import Period
from opendsop.standard.services import PROFILES

TODAY = date(2026, 11, 28)
UNTIL_TODAY = Period(date(2026, 1, 1), TODAY)
HISTORICAL = Period(date(2025, 1, 1), date(2025, 12, 31))

# (id, OnlyPrimaryOwner, role, listed?) — "Common data model", account list.
LISTING = [
    ("owner-only: primary owner listed", True, RelationRole.PRIMARY_OWNER, True),
    ("owner-only: secondary owner not listed", True, RelationRole.SECONDARY_OWNER, False),
    ("owner-only: disponent not listed", True, RelationRole.DISPONENT, False),
    ("all roles: primary owner listed", False, RelationRole.PRIMARY_OWNER, True),
    ("all roles: secondary owner listed", False, RelationRole.SECONDARY_OWNER, True),
    ("all roles: disponent listed", False, RelationRole.DISPONENT, True),
    ("a guarantor never lists the account", False, RelationRole.GUARANTOR, False),
    ("a co-borrower does not see the loan account", False, RelationRole.CO_BORROWER, False),
]


@pytest.mark.parametrize(
    ("only_primary_owner", "role", "listed"), [row[1:] for row in LISTING], ids=[row[0] for row in LISTING]
)
def test_which_roles_list_an_account(only_primary_owner: bool, role: RelationRole, listed: bool) -> None:
    assert (role in listing_roles(only_primary_owner=only_primary_owner)) is listed


# (id, status, type, start, end, period, expected) — "Common data model", balances.
ENABLED, CURRENT = AccountStatus.ENABLED, AccountType.SALARY_ACCOUNT
BALANCES = [
    (
        "open account, period ends today: available now and booked",
        ENABLED,
        CURRENT,
        date(2020, 1, 1),
        None,
        UNTIL_TODAY,
        BalanceKind.TODAY,
    ),
    (
        "open account, historical period: booked at toDate",
        ENABLED,
        CURRENT,
        date(2020, 1, 1),
        None,
        HISTORICAL,
        BalanceKind.HISTORICAL,
    ),
    (
        "deleted account: no balance",
        AccountStatus.DELETED,
        CURRENT,
        date(2020, 1, 1),
        None,
        UNTIL_TODAY,
        BalanceKind.NONE,
    ),
    (
        "accountWithoutBalance: no balance",
        ENABLED,
        AccountType.ACCOUNT_WITHOUT_BALANCE,
        date(2020, 1, 1),
        None,
        UNTIL_TODAY,
        BalanceKind.NONE,
    ),
    (
        "closed inside the period: no balance",
        ENABLED,
        CURRENT,
        date(2020, 1, 1),
        date(2025, 6, 30),
        HISTORICAL,
        BalanceKind.NONE,
    ),
    (
        "closed on toDate: no balance",
        ENABLED,
        CURRENT,
        date(2020, 1, 1),
        date(2025, 12, 31),
        HISTORICAL,
        BalanceKind.NONE,
    ),
    (
        "closed after the period: booked at toDate",
        ENABLED,
        CURRENT,
        date(2020, 1, 1),
        date(2026, 3, 1),
        HISTORICAL,
        BalanceKind.HISTORICAL,
    ),
    ("opened after the period: no balance", ENABLED, CURRENT, date(2026, 2, 1), None, HISTORICAL, BalanceKind.NONE),
]


@pytest.mark.parametrize(
    ("status", "account_type", "start", "end", "period", "expected"),
    [row[1:] for row in BALANCES],
    ids=[row[0] for row in BALANCES],
)
def test_which_balances_an_account_gets(
    status: AccountStatus,
    account_type: AccountType,
    start: date,
    end: date | None,
    period: Period,
    expected: BalanceKind,
) -> None:
    assert (
        balance_kind(
            status=status, account_type=account_type, start_date=start, end_date=end, period=period, today=TODAY
        )
        is expected
    )


# (id, number, shown) — "Common data model", card numbers: at most the first 6 and the last 4 digits.
CARDS = [
    ("16 digits: first 6 and last 4", "4925000012345678", "492500XXXXXX5678"),
    ("spaces are dropped", "4925 0000 1234 5678", "492500XXXXXX5678"),
    ("19 digits", "4925000012345678901", "492500XXXXXXXXX8901"),
    ("shorter than 13: last 4 only", "492500001234", "XXXXXXXX1234"),
    ("4 or fewer: nothing shown", "1234", "XXXX"),
    ("a digit of another script is hidden", "492500001234567٨", "492500XXXXXX567X"),
]


@pytest.mark.parametrize(("number", "shown"), [row[1:] for row in CARDS], ids=[row[0] for row in CARDS])
def test_card_numbers_are_masked(number: str, shown: str) -> None:
    assert mask_card_number(number) == shown


# (profile, lookback_months, flag_other_rights, source)
PROFILE_FIELDS = [
    ("konkurs", 12, False, "Konkursbehandling løsningsbeskrivelse: fromDate ≥ kjennelsesdato − 12 months"),
    ("oed", 3, False, "Oppgjør etter dødsfall løsningsbeskrivelse: fromDate ≥ date of death − 3 months"),
    ("politi", None, True, "Politi-utlevering løsningsbeskrivelse: Alternative 1, flag other rights of disposal"),
    ("skatt", None, False, "Skatt-kontroll løsningsbeskrivelse: 10 years back, no flag"),
    ("nav", None, False, "NAV-kontroll (v1 pages): 10 years back, no flag"),
    ("verge", None, False, "Vergekontroll løsningsbeskrivelse: last calendar year, no flag"),
    ("fi_utlegg", None, False, "FI-Utlegg Saldo løsningsbeskrivelse: today only, no flag"),
    ("fi_utlegg_an", None, False, "FI-Utlegg Saldo løsningsbeskrivelse: the alminnelig namsmann, same rules"),
]


def test_every_profile_has_a_row() -> None:
    assert {row[0] for row in PROFILE_FIELDS} == set(PROFILES)


@pytest.mark.parametrize(("key", "months", "flag", "source"), PROFILE_FIELDS, ids=[row[0] for row in PROFILE_FIELDS])
def test_the_profiles_carry_their_windows_and_flags(key: str, months: int | None, flag: bool, source: str) -> None:
    profile = PROFILES[key]
    assert profile.lookback_months == months, source
    assert flags_other_rights(profile, only_primary_owner=True) is flag, source
    assert flags_other_rights(profile, only_primary_owner=False) is False, "an owner-and-disponent list hides nothing"
