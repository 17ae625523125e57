"""Keyset paging: the opaque, tamper-evident continuation token and the relative ``next`` link.

Decides how a large Accounts or Transactions result is split into pages and how the consumer
asks for the next one.  Sources: DSOP “eOppslag” (paging
through the top-level ``links`` array, ``rel="next"`` only when a further page exists, hrefs
are **relative URLs**, pages should be large: "at least 1000 items per page" for
transactions).  Keyset paging (measured ~50× faster than OFFSET deep into
an account), hence an opaque continuation token holding the last row's sort key).

The standard names no page parameter (DSOP “eOppslag”; Bank_v2.yaml declares
none), so the query parameter ``continuationToken`` is **our choice**.  A consumer never builds
it: it follows the ``next`` href verbatim.

Token layout (URL-safe base64, no padding)::

    version (1 byte) ‖ payload (compact UTF-8 JSON array of the keyset position) ‖ tag (16 bytes)
    tag = HMAC-SHA256(key, domain ‖ version ‖ len(binding) ‖ binding ‖ payload)[:16]

The ``binding`` (e.g. accountReference, period and AccountInfoRequestID of the request being
continued) is not in the token, only in the tag, so a token replayed against another account,
period or case fails verification.

# NOTE: compatibility — bump ``_VERSION`` when the layout or the meaning of a position changes;
# old tokens then fail as invalid, which only restarts a consumer's paging.

>>> key = bytes(32)
>>> token = encode_continuation(key, ("2024-01-31", 981), binding="ref|2024-01-01|2024-12-31|case")
>>> decode_continuation(key, token, binding="ref|2024-01-01|2024-12-31|case")
('2024-01-31', 981)

A ``next`` href is relative to the API base URL (``https://hostname.no/v2`` in Bank_v2.yaml's
``servers``), as in the DSOP documentation's "Specification of eOppslag", "Example linking":
``/accounts/58758848484/transactions?fromDate=2024-01-01&toDate=2024-01-18``.  Consumers append
it to the base they called (Altinn's plugin-banking does exactly that), so an href that repeats
``/v2`` would send them to ``/v2/v2/...``.

>>> next_link(api_relative_path("/v2/accounts/r1/transactions"), {"fromDate": "2024-01-01"}, "abc")
'/accounts/r1/transactions?fromDate=2024-01-01&continuationToken=abc'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Final
from urllib.parse import quote

from opendsop.standard.errors import InvalidContinuationToken

CONTINUATION_PARAM: Final = "continuationToken"
DEFAULT_PAGE_SIZE: Final = 1000  # "at least 1000 items per page" is desirable for transactions
MAX_PAGE_SIZE: Final = 10_000
MAX_TOKEN_LENGTH: Final = 512
MIN_KEY_LENGTH: Final = 16

_VERSION: Final = b"\x01"
_DOMAIN: Final = b"opendsop/continuation\x00"
_TAG_LENGTH: Final = 16
_TOKEN_ALPHABET: Final = re.compile(r"[A-Za-z0-9_-]+")
# RFC 3986 pchar minus the unreserved set (which quote() never escapes): kept literal in paths.
_PATH_SAFE: Final = "/!$&'()*+,;=:@"

Position = tuple[str | int, ...]


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes | bytearray) or len(key) < MIN_KEY_LENGTH:
        raise ValueError(f"the paging key must be at least {MIN_KEY_LENGTH} bytes")


def _tag(key: bytes, binding: str, payload: bytes) -> bytes:
    bound = binding.encode("utf-8", "surrogatepass")
    message = b"".join((_DOMAIN, _VERSION, len(bound).to_bytes(4, "big"), bound, payload))
    return hmac.new(key, message, hashlib.sha256).digest()[:_TAG_LENGTH]


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def encode_continuation(key: bytes, position: tuple[str | int, ...], *, binding: str) -> str:
    """The token that continues after ``position`` (the last row's sort key) for ``binding``.

    Raises ``TypeError`` for a position item that is not ``str`` or ``int`` (``bool`` is not an
    ``int`` here), and ``ValueError`` for a short key or a token longer than the decoder accepts.
    """
    _check_key(key)
    for item in position:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise TypeError(f"a keyset position holds str or int values, not {type(item).__name__}")
    payload = json.dumps(list(position), ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    token = _b64encode(_VERSION + payload + _tag(key, binding, payload))
    if len(token) > MAX_TOKEN_LENGTH:
        raise ValueError(f"the keyset position is too large for a {MAX_TOKEN_LENGTH}-character token")
    return token


def decode_continuation(key: bytes, token: str, *, binding: str) -> tuple[str | int, ...]:
    """The keyset position a token carries, if it was issued with this key for this binding.

    Anything else — a tampered, truncated, over-long or non-canonical token, another key,
    another binding, garbage — raises :class:`InvalidContinuationToken` for ``continuationToken``.
    """
    _check_key(key)
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not _TOKEN_ALPHABET.fullmatch(token):
        raise _invalid()
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise _invalid() from None
    # Two strings can decode to the same bytes (unused low bits of the last character); only
    # the canonical one was issued, so any other spelling counts as tampering.
    if _b64encode(raw) != token or len(raw) <= 1 + _TAG_LENGTH or raw[:1] != _VERSION:
        raise _invalid()
    payload, tag = raw[1:-_TAG_LENGTH], raw[-_TAG_LENGTH:]
    if not hmac.compare_digest(tag, _tag(key, binding, payload)):
        raise _invalid()
    try:
        position = json.loads(payload.decode("utf-8", "surrogatepass"))
    except (UnicodeDecodeError, ValueError):
        raise _invalid() from None
    if not isinstance(position, list) or not all(
        isinstance(item, str | int) and not isinstance(item, bool) for item in position
    ):
        raise _invalid()
    return tuple(position)


def _invalid() -> InvalidContinuationToken:
    return InvalidContinuationToken(
        f"{CONTINUATION_PARAM} is invalid or belongs to another request; "
        "follow the 'next' link of the previous page unchanged, or start again without it",
        parameter=CONTINUATION_PARAM,
    )


API_VERSION_PREFIXES: Final = ("/v2", "/v1")  # the servers of Bank_v2.yaml and Bank_v1.yaml end so


def api_relative_path(path: str) -> str:
    """A request path under the API base: ``/v2/accounts/r1`` → ``/accounts/r1`` (also for ``/v1``)."""
    for prefix in API_VERSION_PREFIXES:
        if path.startswith(prefix + "/"):
            return path[len(prefix) :]
    return path


def next_link(path: str, query: Mapping[str, str], token: str) -> str:
    """The relative href of the next page: ``path`` plus ``query`` (in its order) plus the token.

    ``path`` is the decoded path of the current request relative to the API base
    (``/accounts/...``, see :func:`api_relative_path`); it is percent-quoted here.  Any
    ``continuationToken`` already in ``query`` is replaced.  A path starting with ``//`` would be
    a network-path reference (another host), so it is refused.
    """
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"next_link needs an absolute path on this host, not {path!r}")
    pairs = [(name, value) for name, value in query.items() if name != CONTINUATION_PARAM]
    pairs.append((CONTINUATION_PARAM, token))
    query_string = "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in pairs)
    return f"{quote(path, safe=_PATH_SAFE)}?{query_string}"


def clamp_page_size(requested: int | None) -> int:
    """A page size between 1 and :data:`MAX_PAGE_SIZE`; ``None`` gives the default."""
    if requested is None:
        return DEFAULT_PAGE_SIZE
    return max(1, min(MAX_PAGE_SIZE, requested))


__all__ = [
    "API_VERSION_PREFIXES",
    "CONTINUATION_PARAM",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "MAX_TOKEN_LENGTH",
    "MIN_KEY_LENGTH",
    "Position",
    "api_relative_path",
    "clamp_page_size",
    "decode_continuation",
    "encode_continuation",
    "next_link",
]
