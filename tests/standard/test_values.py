"""The strict value parsers: what each accepts, and a clean ``InvalidRequest`` for everything else.

Property tests feed every parser other scripts' digits, whitespace, control characters and extreme
values; the only acceptable failure is ``InvalidRequest`` naming the parameter (never
``ValueError`` from ``int()``, ``OverflowError`` from a time zone or ``TypeError``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opendsop.standard.errors import InvalidRequest
from opendsop.standard.json_body import check_json_limits, load_json
from opendsop.standard.values import (
    Month,
    is_clean_text,
    parse_amount,
    parse_boolean,
    parse_date,
    parse_month,
    parse_timestamp,
    parse_uuid,
    parse_whole_number,
    parse_year,
)

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

# Every non-ASCII character Unicode calls a decimal digit (full-width, Arabic-Indic, Devanagari, …).
FOREIGN_DIGITS = [chr(point) for point in range(0x80, 0x30000) if unicodedata.decimal(chr(point), None) is not None]
SURROUNDINGS = [" ", "\t", "\n", "\r", "\x00", "\x1f", "\x7f", "\x85", "\u00a0", "\u2028", "\u3000", "\ufeff"]


def _month(text: str) -> Any:
    return parse_month(text, parameter="p")


PARSERS: dict[str, tuple[Callable[[str], Any], str, Any]] = {
    # kind: (parser, a valid spelling, what it means)
    "date": (lambda text: parse_date(text, parameter="p"), "2025-06-30", date(2025, 6, 30)),
    "month": (_month, "2025-06", Month(2025, 6)),
    "year": (lambda text: parse_year(text, parameter="p"), "2025", 2025),
    "timestamp": (
        lambda text: parse_timestamp(text, parameter="p"),
        "2025-06-30T12:00:00+02:00",
        datetime(2025, 6, 30, 10, tzinfo=UTC),
    ),
    "whole number": (lambda text: parse_whole_number(text, parameter="p", maximum=1000), "250", 250),
    "amount": (lambda text: parse_amount(text, parameter="p"), "-1234.50", Decimal("-1234.50")),
    "uuid": (
        lambda text: parse_uuid(text, parameter="p"),
        "3f0c2f9e-8a51-4f5e-9d43-0b7a2d1e6c11",
        UUID("3f0c2f9e-8a51-4f5e-9d43-0b7a2d1e6c11"),
    ),
    "boolean": (lambda text: parse_boolean(text, parameter="p"), "true", True),
}


def _rejected(parser: Callable[[str], Any], value: Any) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        parser(value)
    assert caught.value.parameter == "p"
    return caught.value


@pytest.mark.parametrize("kind", PARSERS)
def test_each_parser_reads_its_valid_spelling(kind: str) -> None:
    parser, text, meaning = PARSERS[kind]
    assert parser(text) == meaning


@pytest.mark.parametrize("kind", [kind for kind, (_, text, _) in PARSERS.items() if any(c.isdigit() for c in text)])
@given(data=st.data())
@SETTINGS
def test_a_foreign_digit_anywhere_is_rejected(kind: str, data: st.DataObject) -> None:
    parser, text, _ = PARSERS[kind]
    positions = [index for index, char in enumerate(text) if char in "0123456789"]
    position = data.draw(st.sampled_from(positions))
    foreign = data.draw(st.sampled_from([c for c in FOREIGN_DIGITS if unicodedata.decimal(c) == int(text[position])]))
    _rejected(parser, text[:position] + foreign + text[position + 1 :])


@pytest.mark.parametrize("kind", PARSERS)
@given(
    before=st.lists(st.sampled_from(SURROUNDINGS), max_size=2),
    after=st.lists(st.sampled_from(SURROUNDINGS), max_size=2),
)
@SETTINGS
def test_surrounding_whitespace_or_control_characters_are_rejected(
    kind: str, before: list[str], after: list[str]
) -> None:
    parser, text, _ = PARSERS[kind]
    if before or after:
        _rejected(parser, "".join(before) + text + "".join(after))


@pytest.mark.parametrize("kind", PARSERS)
@given(value=st.one_of(st.text(max_size=60), st.text(alphabet="0123456789-:.TZ+ ", max_size=40)))
@SETTINGS
def test_any_text_is_either_read_or_cleanly_rejected(kind: str, value: str) -> None:
    parser, _, _ = PARSERS[kind]
    try:
        parser(value)
    except InvalidRequest as error:
        assert error.parameter == "p"


@pytest.mark.parametrize("kind", PARSERS)
@pytest.mark.parametrize("value", [None, 2025, 20.25, True, ["2025"], {"p": 1}, b"2025"])
def test_a_value_that_is_not_text_is_rejected(kind: str, value: Any) -> None:
    _rejected(PARSERS[kind][0], value)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("date", "0001-01-01"),
        ("date", "9999-12-31"),
        ("date", "1899-12-31"),
        ("date", "2101-01-01"),
        ("date", "2025-02-29"),
        ("date", "2025-13-01"),
        ("date", "+2025-01-01"),
        ("date", "20250101"),
        ("month", "9999-12"),
        ("month", "0000-01"),
        ("month", "2025-00"),
        ("month", "2025-13"),
        ("month", "2025-1"),
        ("month", "2025-01\n"),
        ("year", "1899"),
        ("year", "2101"),
        ("year", "99999"),
        ("year", "-2025"),
        ("timestamp", "0001-01-01T00:00:00+01:00"),
        ("timestamp", "9999-12-31T23:59:59-01:00"),
        ("timestamp", "2025-06-30T12:00:00"),
        ("timestamp", "2025-06-30T24:00:00Z"),
        ("timestamp", "2025-06-30T12:00:00+24:00"),
        ("timestamp", "2025-06-30T12:00:00+01:60"),
        ("timestamp", "2025-06-30"),
        ("timestamp", "2025-06-30 12:00:00Z"),
        ("whole number", "1001"),
        ("whole number", "-1"),
        ("whole number", "007"),
        ("whole number", "9" * 5000),
        ("whole number", "1_0"),
        ("whole number", "+5"),
        ("whole number", "²"),
        ("amount", "1e3"),
        ("amount", "NaN"),
        ("amount", "Infinity"),
        ("amount", "1.234"),
        ("amount", "1" * 16),
        ("amount", "1,50"),
        ("amount", "--1"),
        ("amount", ".5"),
        ("uuid", "{3f0c2f9e-8a51-4f5e-9d43-0b7a2d1e6c11}"),
        ("uuid", "urn:uuid:3f0c2f9e-8a51-4f5e-9d43-0b7a2d1e6c11"),
        ("uuid", "3f0c2f9e8a514f5e9d430b7a2d1e6c11"),
        ("uuid", "3f0c2f9e-8a51-4f5e-9d43-0b7a2d1e6c1g"),
        ("boolean", "1"),
        ("boolean", "yes"),
        ("boolean", "TRUE "),
        ("boolean", "tr\u0130e"),
        ("boolean", ""),
    ],
)
def test_extreme_and_malformed_values_are_rejected(kind: str, value: str) -> None:
    _rejected(PARSERS[kind][0], value)


@given(year=st.integers(1900, 2100), month=st.integers(1, 12))
@SETTINGS
def test_months_compare_as_the_calendar_does(year: int, month: int) -> None:
    parsed = parse_month(f"{year:04d}-{month:02d}", parameter="p")
    assert str(parsed) == f"{year:04d}-{month:02d}"
    assert parsed.first_day == date(year, month, 1) and parsed.last_day.month == month
    assert (parsed.last_day.toordinal() + 1) == date(year + month // 12, month % 12 + 1, 1).toordinal()


@given(moment=st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2100, 12, 30), timezones=st.just(UTC)))
@SETTINGS
def test_timestamps_round_trip(moment: datetime) -> None:
    assert parse_timestamp(moment.isoformat(), parameter="p") == moment


def test_booleans_take_any_letter_case() -> None:
    assert [parse_boolean(text, parameter="p") for text in ("TRUE", "False", "true", "FALSE")] == [
        True,
        False,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("Kari", True),
        (" Kari", False),
        ("Kari\n", False),
        ("Ka\x00ri", False),
        ("Kari\u3000", False),
        ("Ka\x85ri", False),
        ("Kåri", True),
    ],
)
def test_clean_text_has_no_surrounding_space_or_control_character(text: str, clean: bool) -> None:
    assert is_clean_text(text) is clean


# -- JSON bodies --------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"[" * 60_000, b'{"a":' * 60_000, b"[" * 33 + b"]" * 33])
def test_a_deeply_nested_body_is_refused_before_the_decoder_recurses(body: bytes) -> None:
    with pytest.raises(InvalidRequest, match="nests deeper") as caught:
        load_json(body)
    assert caught.value.parameter == "body"


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    body = b'{"text": "' + b"[{" * 100 + b'\\"]"}'
    assert load_json(body) == {"text": "[{" * 100 + '"]'}


@pytest.mark.parametrize("body", [b"", b"{", b"NaN", b"[Infinity]", b"\xff", b'{"a": 1e999999}x'])
def test_malformed_json_is_an_invalid_request(body: bytes) -> None:
    with pytest.raises(InvalidRequest, match="not valid JSON"):
        load_json(body)


def test_a_body_over_the_size_limit_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="larger than 10 bytes"):
        check_json_limits(b"[1,2,3,4,5,6]", max_bytes=10)


@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=20,
    )
)
@SETTINGS
def test_ordinary_json_passes_unchanged(value: Any) -> None:
    import json

    assert load_json(json.dumps(value)) == value
