"""Keyset continuation tokens and relative next links (DSOP “eOppslag”)."""

from __future__ import annotations

import base64
import string
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opendsop.standard import paging
from opendsop.standard.errors import InvalidContinuationToken, InvalidRequest
from opendsop.standard.paging import (
    CONTINUATION_PARAM,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MAX_TOKEN_LENGTH,
    api_relative_path,
    clamp_page_size,
    decode_continuation,
    encode_continuation,
    next_link,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
BINDING = "acc-ref-1|2024-01-01|2024-12-31|d4a820ca-ddde-11ed-b5ea-0242ac120002"
POSITION = ("2024-03-05T10:00:00+00:00", 123456)
TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_"

positions = st.lists(st.one_of(st.text(max_size=12), st.integers(min_value=-(2**63), max_value=2**63)), max_size=4).map(
    tuple
)


def assert_rejected(token: str, *, key: bytes = KEY, binding: str = BINDING) -> None:
    with pytest.raises(InvalidContinuationToken) as caught:
        decode_continuation(key, token, binding=binding)
    error = caught.value
    assert isinstance(error, InvalidRequest)
    assert error.parameter == CONTINUATION_PARAM == "continuationToken"
    assert error.code == "ACC-001"
    assert error.status == 400


@settings(max_examples=200)
@given(position=positions, binding=st.text(max_size=60))
def test_round_trip(position: tuple[str | int, ...], binding: str) -> None:
    token = encode_continuation(KEY, position, binding=binding)
    assert set(token) <= set(TOKEN_ALPHABET)
    assert "=" not in token
    assert decode_continuation(KEY, token, binding=binding) == position


def test_token_is_opaque() -> None:
    token = encode_continuation(KEY, ("secret-account-12345678903",), binding=BINDING)
    assert "12345678903" not in token
    assert "secret" not in token


def test_every_single_character_change_is_rejected() -> None:
    token = encode_continuation(KEY, POSITION, binding=BINDING)
    for index, original in enumerate(token):
        for replacement in TOKEN_ALPHABET:
            if replacement != original:
                assert_rejected(token[:index] + replacement + token[index + 1 :])


def test_every_single_byte_change_of_the_decoded_token_is_rejected() -> None:
    token = encode_continuation(KEY, POSITION, binding=BINDING)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for index in range(len(raw)):
        for delta in (1, 0x80):
            changed = bytearray(raw)
            changed[index] ^= delta
            assert_rejected(base64.urlsafe_b64encode(bytes(changed)).rstrip(b"=").decode())


def test_truncation_and_extension_are_rejected() -> None:
    token = encode_continuation(KEY, POSITION, binding=BINDING)
    for cut in range(len(token)):
        assert_rejected(token[:cut])
    assert_rejected(token + "A")
    assert_rejected(token + "AAAA")


@pytest.mark.parametrize(
    ("key", "binding"),
    [
        pytest.param(OTHER_KEY, BINDING, id="other-key"),
        pytest.param(KEY, BINDING.replace("acc-ref-1", "acc-ref-2"), id="other-account"),
        pytest.param(KEY, BINDING.replace("2024-12-31", "2024-06-30"), id="other-period"),
        pytest.param(KEY, BINDING.replace("d4a820ca", "e4a820ca"), id="other-case"),
        pytest.param(KEY, "", id="empty-binding"),
    ],
)
def test_token_only_continues_its_own_request(key: bytes, binding: str) -> None:
    token = encode_continuation(KEY, POSITION, binding=BINDING)
    assert_rejected(token, key=key, binding=binding)


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("", id="empty"),
        pytest.param("not a token", id="space"),
        pytest.param("abc=", id="padding"),
        pytest.param("a", id="impossible-length"),
        pytest.param("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", id="zeros"),
        pytest.param("ü" * 10, id="non-ascii"),
        pytest.param("A" * (MAX_TOKEN_LENGTH + 1), id="over-long"),
    ],
)
def test_garbage_is_rejected(token: str) -> None:
    assert_rejected(token)


@pytest.mark.parametrize("payload", [b"not json", b'{"a":1}', b"[true]", b"[1.5]", b"[null]", b"\xff"], ids=repr)
def test_correctly_signed_but_malformed_payload_is_rejected(payload: bytes) -> None:
    # Defence in depth: only our own key can produce these, but they must still fail cleanly.
    raw = b"\x01" + payload + paging._tag(KEY, BINDING, payload)
    assert_rejected(base64.urlsafe_b64encode(raw).rstrip(b"=").decode())


@settings(max_examples=200)
@given(st.text(max_size=600))
def test_arbitrary_text_never_crashes(token: str) -> None:
    assert_rejected(token)


def test_over_long_position_cannot_be_encoded() -> None:
    with pytest.raises(ValueError, match="too large"):
        encode_continuation(KEY, ("x" * MAX_TOKEN_LENGTH,), binding=BINDING)


@pytest.mark.parametrize("item", [True, 1.5, None, b"x"], ids=["bool", "float", "none", "bytes"])
def test_position_items_are_str_or_int(item: object) -> None:
    with pytest.raises(TypeError):
        encode_continuation(KEY, ("a", item), binding=BINDING)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", [b"", b"short"], ids=["empty", "short"])
def test_short_keys_are_refused(key: bytes) -> None:
    with pytest.raises(ValueError, match="at least"):
        encode_continuation(key, POSITION, binding=BINDING)
    with pytest.raises(ValueError, match="at least"):
        decode_continuation(key, "AAAA", binding=BINDING)


# --- next links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_path", "relative"),
    [
        ("/v2/accounts/r1/transactions", "/accounts/r1/transactions"),  # Bank_v2.yaml server .../v2
        ("/v1/accounts/r1/transactions", "/accounts/r1/transactions"),  # Bank_v1.yaml server .../v1
        ("/v1/accounts", "/accounts"),
        ("/accounts/r1", "/accounts/r1"),  # already relative
        ("/v2x/accounts", "/v2x/accounts"),  # not a version segment
    ],
)
def test_request_paths_are_made_relative_to_the_api_base(request_path: str, relative: str) -> None:
    assert api_relative_path(request_path) == relative


def test_next_link_is_relative_to_the_api_base_and_parses_back() -> None:
    # DSOP "Specification of eOppslag", Example linking: /accounts/58758848484/transactions?fromDate=...
    token = encode_continuation(KEY, POSITION, binding=BINDING)
    query = {"fromDate": "2024-01-01", "toDate": "2024-12-31", CONTINUATION_PARAM: "stale"}
    href = next_link(api_relative_path("/v2/accounts/ref 1/transactions"), query, token)
    parts = urlsplit(href)
    assert parts.scheme == "" and parts.netloc == ""
    assert href.startswith("/accounts/")
    assert unquote(parts.path) == "/accounts/ref 1/transactions"
    assert " " not in href
    assert parse_qsl(parts.query, strict_parsing=True) == [
        ("fromDate", "2024-01-01"),
        ("toDate", "2024-12-31"),
        (CONTINUATION_PARAM, token),
    ]
    followed = dict(parse_qsl(parts.query))[CONTINUATION_PARAM]
    assert decode_continuation(KEY, followed, binding=BINDING) == POSITION


@settings(max_examples=100)
@given(
    segment=st.text(min_size=1, max_size=20),
    query=st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=20), max_size=4),
)
def test_next_link_quotes_anything(segment: str, query: dict[str, str]) -> None:
    href = next_link("/v2/accounts/" + segment, query, "tok")
    parts = urlsplit(href)
    assert parts.scheme == "" and parts.netloc == "" and parts.fragment == ""
    assert unquote(parts.path) == "/v2/accounts/" + segment
    expected = [(k, v) for k, v in query.items() if k != CONTINUATION_PARAM] + [(CONTINUATION_PARAM, "tok")]
    assert parse_qsl(parts.query, keep_blank_values=True) == expected


@pytest.mark.parametrize("path", ["//evil.example/x", "https://evil.example/x", "relative/x", ""])
def test_next_link_refuses_non_local_paths(path: str) -> None:
    with pytest.raises(ValueError):
        next_link(path, {}, "tok")


def test_page_sizes() -> None:
    assert DEFAULT_PAGE_SIZE >= 1000  # "at least 1000 items per page" for transactions
    assert clamp_page_size(None) == DEFAULT_PAGE_SIZE
    assert clamp_page_size(0) == 1
    assert clamp_page_size(10**9) == MAX_PAGE_SIZE
    assert clamp_page_size(2500) == 2500
