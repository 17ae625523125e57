"""Pure rules of the store: card masking (DSOP “Data model”), accountReference, period bounds, balance kinds (DSOP
“Endpoint Account details V.2.0”)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opendsop.provider.store import AccountRow, mask_card_number, references
from opendsop.provider.store.rules import BalanceKind, balance_kind, period_bounds
from opendsop.standard.control.v2 import AccountStatus, AccountType
from opendsop.standard.period import Period


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        pytest.param("4925000012345678", "492500XXXXXX5678", id="16-digits-6-plus-4"),
        pytest.param("4925 0000 1234 5678", "492500XXXXXX5678", id="spaces-removed"),
        pytest.param("4925-0000-1234-5678", "492500XXXXXX5678", id="dashes-removed"),
        pytest.param("4925000012345678901", "492500XXXXXXXXX8901", id="19-digits"),
        pytest.param("4925000001234", "492500XXX1234", id="13-digits-shortest-with-head"),
        pytest.param("492500001234", "XXXXXXXX1234", id="12-digits-tail-only"),
        pytest.param("1234", "XXXX", id="4-digits-nothing-shown"),
        pytest.param("", "", id="empty"),
        pytest.param("492500******5678", "492500XXXXXX5678", id="already-masked-stays-masked"),
        pytest.param("ABCDEF1234567890", "XXXXXX******7890".replace("*", "X"), id="non-digits-hidden"),
    ],
)
def test_mask_card_number(number: str, expected: str) -> None:
    assert mask_card_number(number) == expected


@settings(max_examples=150)
@given(st.text(alphabet="0123456789 -", min_size=0, max_size=30))
def test_mask_never_shows_more_than_6_plus_4(number: str) -> None:
    masked = mask_card_number(number)
    digits = [char for char in number if char.isdigit()]
    assert " " not in masked and "-" not in masked and len(masked) == len(digits)
    assert sum(char.isdigit() for char in masked) <= 10
    if len(masked) >= 13:
        assert masked[6:-4] == "X" * (len(masked) - 10)
    elif len(masked) > 4:
        assert masked[:-4] == "X" * (len(masked) - 4)


def _issue(**override: str) -> str:
    fields = {
        "consumer_org": "974761076",
        "account_info_request_id": "7b0b2a7e-8f58-4a61-9a2c-3a54f1c0d001",
        "party_id": "01017012345",
        "account_id": "12000000001",
        **override,
    }
    return references.issue(b"s" * 32, **fields)


def test_reference_shape_and_binding() -> None:
    reference = _issue()
    assert references.plausible(reference) and len(reference) == references.REFERENCE_LENGTH
    assert "12000000001" not in reference
    assert _issue() == reference  # deterministic
    for field in ("consumer_org", "account_info_request_id", "party_id", "account_id"):
        assert _issue(**{field: "other"}) != reference, field
    assert (
        references.issue(
            b"t" * 32,
            consumer_org="974761076",
            account_info_request_id="7b0b2a7e-8f58-4a61-9a2c-3a54f1c0d001",
            party_id="01017012345",
            account_id="12000000001",
        )
        != reference
    )  # another bank secret
    # Field boundaries are length-prefixed: shifting characters between fields changes the MAC.
    assert _issue(consumer_org="97476107", party_id="601017012345") != reference


def test_reference_needs_a_real_secret() -> None:
    with pytest.raises(ValueError, match="at least"):
        references.issue(b"short", consumer_org="a", account_info_request_id="b", party_id="c", account_id="d")
    assert not references.plausible(references.DATA_NOT_DELIVERED)
    assert references.is_data_not_delivered("dataNotDelivered")


def test_period_bounds_are_oslo_days_in_utc() -> None:
    winter = period_bounds(Period(date(2025, 1, 1), date(2025, 1, 1)))
    assert winter == (datetime(2024, 12, 31, 23, tzinfo=UTC), datetime(2025, 1, 1, 23, tzinfo=UTC))
    summer = period_bounds(Period(date(2025, 6, 15), date(2025, 6, 15)))
    assert summer == (datetime(2025, 6, 14, 22, tzinfo=UTC), datetime(2025, 6, 15, 22, tzinfo=UTC))


TODAY = date(2025, 6, 15)


def _account(**extra: object) -> AccountRow:
    base: dict[str, object] = {
        "account_id": "a",
        "account_number": "1",
        "type": AccountType.SALARY_ACCOUNT,
        "currency": "NOK",
        "start_date": date(2020, 1, 1),
        "available_amount": Decimal(1),
    }
    return AccountRow(**{**base, **extra})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("account", "period", "expected"),
    [
        pytest.param(_account(), Period(date(2025, 1, 1), TODAY), BalanceKind.TODAY, id="to-today"),
        pytest.param(_account(), Period(date(2025, 1, 1), date(2025, 12, 31)), BalanceKind.TODAY, id="to-future"),
        pytest.param(_account(), Period(date(2024, 1, 1), date(2024, 12, 31)), BalanceKind.HISTORICAL, id="historical"),
        pytest.param(
            _account(end_date=date(2025, 3, 1)),
            Period(date(2025, 1, 1), TODAY),
            BalanceKind.NONE,
            id="closed-in-period",
        ),
        pytest.param(
            _account(end_date=date(2025, 3, 1)),
            Period(date(2024, 1, 1), date(2024, 12, 31)),
            BalanceKind.HISTORICAL,
            id="closed-after-period",
        ),
        pytest.param(
            _account(status=AccountStatus.DELETED), Period(date(2025, 1, 1), TODAY), BalanceKind.NONE, id="deleted"
        ),
        pytest.param(
            _account(type=AccountType.ACCOUNT_WITHOUT_BALANCE),
            Period(date(2025, 1, 1), TODAY),
            BalanceKind.NONE,
            id="account-without-balance",
        ),
        pytest.param(
            _account(start_date=date(2025, 2, 1)),
            Period(date(2024, 1, 1), date(2024, 12, 31)),
            BalanceKind.NONE,
            id="opened-after-period",
        ),
    ],
)
def test_balance_kind(account: AccountRow, period: Period, expected: BalanceKind) -> None:
    assert balance_kind(account, period, TODAY) is expected
