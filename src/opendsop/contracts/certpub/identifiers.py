"""Participant and process identifiers of the CertPub (BCP/BCL) interface.

CertPub reuses PEPPOL identifiers written ``qualifier::value`` (DSOP “Security design”; CertPub
Publisher 1.0 "Definitions"):

* participant ``iso6523-actorid-upis::0192:<orgno>`` — ISO 6523 ICD 0192 is the Norwegian
  Enhetsregisteret, so the value is a nine-digit organisation number with its MOD11 check digit;
* process ``bdx-procid-dsop::urn:fdc:bits.no:2018:dsop:account:1.0`` for DSOP.

The DSOP docs print one participant as ``"0192: 991825827"``; a stray space after ``0192:`` (or
inside the number, as in "991 825 827") is removed rather than refused, because that is how people
copy the id.  Anything else that is not a Norwegian participant is malformed.

>>> parse_participant("iso6523-actorid-upis::0192: 991825827").orgno
'991825827'
>>> str(parse_process(DSOP_PROCESS))
'bdx-procid-dsop::urn:fdc:bits.no:2018:dsop:account:1.0'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from stdnum.exceptions import ValidationError
from stdnum.no import orgnr as _orgnr

PARTICIPANT_SCHEME: Final = "iso6523-actorid-upis"
NORWEGIAN_ICD: Final = "0192"
DSOP_PROCESS_SCHEME: Final = "bdx-procid-dsop"
DSOP_PROCESS_VALUE: Final = "urn:fdc:bits.no:2018:dsop:account:1.0"
DSOP_PROCESS: Final = f"{DSOP_PROCESS_SCHEME}::{DSOP_PROCESS_VALUE}"

# A qualifier is a short token; the value of a process id is a URN-ish string without whitespace.
_QUALIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_PROCESS_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9:._/-]{0,255}")


class MalformedIdentifier(ValueError):
    """A participant or process identifier that does not follow the CertPub syntax (HTTP 400)."""

    def __init__(self, message: str, *, parameter: str) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter


@dataclass(frozen=True, slots=True)
class ParticipantId:
    """A Norwegian participant: ``iso6523-actorid-upis::0192:<orgno>``."""

    orgno: str

    @property
    def value(self) -> str:
        return f"{NORWEGIAN_ICD}:{self.orgno}"

    def __str__(self) -> str:
        return f"{PARTICIPANT_SCHEME}::{self.value}"


@dataclass(frozen=True, slots=True)
class ProcessId:
    """A process identifier ``<scheme>::<value>``."""

    scheme: str
    value: str

    def __str__(self) -> str:
        return f"{self.scheme}::{self.value}"


def normalise_orgno(raw: str, *, parameter: str = "orgno") -> str:
    """A nine-digit organisation number with a valid MOD11 check digit, spaces removed."""
    compact = re.sub(r"\s+", "", raw)
    if not compact.isascii() or not compact.isdigit() or len(compact) != 9:
        raise MalformedIdentifier(
            f"{parameter} must be a nine-digit Norwegian organisation number, got {raw!r}",
            parameter=parameter,
        )
    try:
        _orgnr.validate(compact)
    except ValidationError as exc:
        raise MalformedIdentifier(
            f"{parameter} {compact} is not a valid organisation number (check digit does not match)",
            parameter=parameter,
        ) from exc
    return compact


def parse_participant(raw: str) -> ParticipantId:
    """Parse ``iso6523-actorid-upis::0192:<orgno>``; also accepts the bare ``0192:<orgno>``."""
    text = raw.strip()
    scheme, sep, value = text.partition("::")
    if not sep:
        scheme, value = PARTICIPANT_SCHEME, text
    if scheme.strip().lower() != PARTICIPANT_SCHEME:
        raise MalformedIdentifier(
            f"participant scheme must be {PARTICIPANT_SCHEME!r}, got {scheme!r}", parameter="participant"
        )
    icd, sep, number = value.partition(":")
    if not sep or icd.strip() != NORWEGIAN_ICD:
        raise MalformedIdentifier(
            f"participant must be '{PARTICIPANT_SCHEME}::{NORWEGIAN_ICD}:<orgno>' (ICD 0192, "
            f"Norwegian organisation number), got {raw!r}",
            parameter="participant",
        )
    return ParticipantId(normalise_orgno(number, parameter="participant"))


def parse_process(raw: str) -> ProcessId:
    """Parse ``<scheme>::<value>`` such as the DSOP process id."""
    scheme, sep, value = raw.strip().partition("::")
    if not sep or not _QUALIFIER.fullmatch(scheme) or not _PROCESS_VALUE.fullmatch(value):
        raise MalformedIdentifier(f"process must look like '{DSOP_PROCESS}', got {raw!r}", parameter="process")
    return ProcessId(scheme, value)


__all__ = [
    "DSOP_PROCESS",
    "MalformedIdentifier",
    "ParticipantId",
    "ProcessId",
    "normalise_orgno",
    "parse_participant",
    "parse_process",
]
