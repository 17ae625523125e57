"""JSON on the wire: the base Struct of every DSOP body and the one encoder/decoder pair.

Decides how a DSOP body becomes bytes and back (DSOP “eOppslag”; DSOP “Data model”):

* every body is a ``msgspec.Struct`` derived from :class:`WireStruct`: keyword-only, frozen,
  camelCase wire names, and a field left at its default (``None``) is *omitted*;
* unknown fields are ignored on decode: consumers must be tolerant readers (DSOP “eOppslag”), so
  ``forbid_unknown_fields`` is never set;
* amounts are :class:`decimal.Decimal` and are written as JSON *numbers*, never strings or
  floats (DSOP “Data model”: "JSON ``number``, ``minimum: 0``");
* a body that does not match its model raises :class:`~opendsop.standard.errors.InvalidRequest`
  whose message and ``parameter`` name the JSON path (``$.transactions[3].amount``).

msgspec checks ``Meta`` constraints only when decoding, and cannot put ``ge=0`` on a ``Decimal``,
so the amount and time-zone rules also run in ``__post_init__`` (on construction *and* decode)
through :func:`check_amount` and :func:`check_aware`.

>>> encode(decimal.Decimal("1250.50"))
b'1250.50'
>>> decode(b'"12.5"', decimal.Decimal)
Decimal('12.5')
"""

from __future__ import annotations

import datetime
import decimal
import re
from typing import Any, Final, TypeVar

import msgspec

from opendsop.standard.errors import InvalidRequest

T = TypeVar("T")

# The contract's `Amount` is `type: number, minimum: 0`.  msgspec keeps the minimum as schema
# metadata only (it cannot constrain a Decimal), so the contract-parity test reads it from here.
AMOUNT_MINIMUM: Final = 0


class WireStruct(
    msgspec.Struct,
    kw_only=True,
    frozen=True,
    omit_defaults=True,
    rename="camel",
):
    """Base of every DSOP body.

    Frozen because a response is a value: the filtering rules build a new body with
    ``msgspec.structs.replace`` rather than editing one in place.  msgspec applies ``kw_only``
    only to the fields a class itself declares, so every subclass restates ``kw_only=True``;
    it lets a required field follow an optional one in contract order.  Subclasses restate
    ``frozen=True`` too: msgspec inherits it, but type checkers read it per class.
    """


def check_amount(value: decimal.Decimal | None, wire_name: str) -> None:
    """Raise ``ValueError`` unless an amount is absent or a finite number ≥ 0 (DSOP “Data model”).

    Called from ``__post_init__``; msgspec turns the ``ValueError`` into a ``ValidationError``
    with the JSON path when decoding.  NaN and infinities are refused because they cannot be
    written as JSON numbers.
    """
    if value is None:
        return
    if not isinstance(value, decimal.Decimal):
        # Constructing with an int is convenient and encodes identically; anything else is a bug.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"`{wire_name}` must be a decimal number, got {type(value).__name__}")
        value = decimal.Decimal(value)
    if not value.is_finite():
        raise ValueError(f"`{wire_name}` must be a finite number, got {value}")
    if value < AMOUNT_MINIMUM:
        raise ValueError(
            f"`{wire_name}` must be >= 0 (amounts are positive; the sign is in creditDebitIndicator), got {value}"
        )


def check_aware(value: datetime.datetime | None, wire_name: str) -> None:
    """Raise ``ValueError`` when a date-time has no UTC offset (RFC 3339 ``date-time``, DSOP “Data model”)."""
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"`{wire_name}` must carry a time zone (Z or ±hh:mm), got {value}")


# One encoder for every body: it is stateless between calls and thread-safe, and building one
# per response would cost more than encoding a small body.
_ENCODER: Final = msgspec.json.Encoder(decimal_format="number")
_DECODERS: dict[Any, msgspec.json.Decoder[Any]] = {}

# msgspec appends " - at `$.path`" to its messages; split it off to name the path up front.
_AT_PATH: Final = re.compile(r"^(?P<detail>.*?) - at `(?P<path>\$[^`]*)`$", re.DOTALL)


def encode(obj: Any) -> bytes:
    """Serialise a body (or any msgspec-supported value) to compact JSON bytes."""
    return _ENCODER.encode(obj)


def _decoder(type_: Any) -> msgspec.json.Decoder[Any]:
    try:
        return _DECODERS[type_]
    except KeyError:
        decoder = msgspec.json.Decoder(type_)
        _DECODERS[type_] = decoder
        return decoder
    except TypeError:  # an unhashable type expression: rare, so no caching
        return msgspec.json.Decoder(type_)


def _invalid(error: msgspec.DecodeError, what: str, code: str | None) -> InvalidRequest:
    text = str(error)
    if not isinstance(error, msgspec.ValidationError):
        return InvalidRequest(f"{what} is not valid JSON: {text}", parameter="$", code=code)
    match = _AT_PATH.match(text)
    path, detail = (match["path"], match["detail"]) if match else ("$", text)
    return InvalidRequest(f"{what} is invalid at `{path}`: {detail}", parameter=path, code=code)


def decode(data: bytes | str, type_: type[T], *, what: str = "The JSON body", code: str | None = None) -> T:
    """Parse JSON into ``type_``; a malformed or non-conforming body raises ``InvalidRequest``.

    ``parameter`` of the error is the JSON path of the offending value (``$`` for the whole
    document); ``code`` overrides ``ACC-001`` where the caller answers from another catalogue
    (``ERR-xxx``, ``KFR-xxx``).  Unknown fields are ignored.
    """
    try:
        result: T = _decoder(type_).decode(data)
    except msgspec.DecodeError as error:
        raise _invalid(error, what, code) from error
    return result


def convert(value: Any, type_: type[T], *, what: str = "The value", code: str | None = None, strict: bool = True) -> T:
    """Build ``type_`` from Python builtins (a dict from a form, a row), same errors as ``decode``."""
    try:
        result: T = msgspec.convert(value, type_, strict=strict)
    except msgspec.ValidationError as error:
        raise _invalid(error, what, code) from error
    return result


def validated(obj: T) -> T:
    """Check every contract constraint of a *constructed* body by a round trip through JSON.

    msgspec validates lengths, patterns and enums only when decoding; a producer that builds a
    body in code can call this (in tests, or before signing) to prove it would be accepted.
    """
    return decode(encode(obj), type(obj), what=f"The {type(obj).__name__} body")


__all__ = [
    "AMOUNT_MINIMUM",
    "WireStruct",
    "check_amount",
    "check_aware",
    "convert",
    "decode",
    "encode",
    "validated",
]
