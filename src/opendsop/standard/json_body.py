"""JSON request bodies with a size and a nesting limit, checked before any JSON decoder runs.

``json.loads`` and msgspec decode recursively: a body of a few thousand ``[`` raises
``RecursionError`` from inside the decoder, which no party's "invalid body" handler expects.
Every party therefore reads its JSON bodies through :func:`load_json` (or checks them with
:func:`check_json_limits` before a typed msgspec decode), and a body over either limit is an
ordinary :class:`~opendsop.standard.errors.InvalidRequest` naming ``body``.

No DSOP body nests more than a handful of levels (the extradition order and the consent request
are the deepest, at four), so 32 leaves a wide margin.

>>> load_json(b'{"a": [1, 2]}')
{'a': [1, 2]}
>>> load_json(b"[" * 100 + b"]" * 100)
Traceback (most recent call last):
    ...
opendsop.standard.errors.InvalidRequest: the body nests deeper than 32 levels
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from opendsop.standard.errors import InvalidRequest

MAX_DEPTH: Final = 32
MAX_BYTES: Final = 1024 * 1024

# A JSON string (with its escapes) or one bracket: strings are skipped, brackets counted.
_TOKENS: Final = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPENING: Final = frozenset(b"[{")


def check_json_limits(
    body: bytes | str,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    parameter: str = "body",
    code: str | None = None,
) -> bytes:
    """``body`` as bytes, if it is at most ``max_bytes`` long and nests at most ``max_depth`` levels.

    Only the limits are checked here; whether the body is valid JSON is the decoder's question.
    """
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else bytes(body)
    if len(data) > max_bytes:
        raise InvalidRequest(f"the {parameter} is larger than {max_bytes} bytes", parameter=parameter, code=code)
    if data.count(b"[") + data.count(b"{") <= max_depth:
        return data  # cannot nest deeper than it has brackets
    depth = 0
    for token in _TOKENS.finditer(data):
        char = token.group()[0]
        if char in _OPENING:
            depth += 1
            if depth > max_depth:
                raise InvalidRequest(
                    f"the {parameter} nests deeper than {max_depth} levels", parameter=parameter, code=code
                )
        elif char != 0x22:  # a closing bracket; a string (0x22 is '"') changes nothing
            depth = max(depth - 1, 0)
    return data


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")  # Python's json would read NaN and Infinity


def load_json(
    body: bytes | str,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    parameter: str = "body",
    code: str | None = None,
) -> Any:
    """``json.loads`` inside the limits; malformed JSON (or text that is not UTF-8) is an ``InvalidRequest``."""
    data = check_json_limits(body, max_bytes=max_bytes, max_depth=max_depth, parameter=parameter, code=code)
    try:
        return json.loads(data, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise InvalidRequest(f"the {parameter} is not valid JSON", parameter=parameter, code=code) from None


__all__ = ["MAX_BYTES", "MAX_DEPTH", "check_json_limits", "load_json"]
