# SPDX-License-Identifier: Apache-2.0
"""What a check is, what one exchange with the bank was, and what a run found.

A check names the rule it tests (``rule``: the id mutants and reports group by), its public source
(a DSOP documentation page or a contract operation) and a severity.  It passes, fails (the bank broke
the rule: the exact request and response are kept, personal data masked), errs (the bank could not be
asked: no answer, a timeout, a body the kit cannot read) or is skipped (the kit lacks what it needs).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opendsop.conformance.context import Context


class Severity(StrEnum):
    MUST = "must"  # the standard or the contract requires it
    SHOULD = "should"  # recommended (DSOP “Recommendations regarding validation”) or the project's reading


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


class Failed(Exception):  # noqa: N818  (a verdict, not a fault of the kit)
    """The bank's answer breaks the check's rule."""


class Skipped(Exception):  # noqa: N818
    """The check cannot run here (what is missing is the message)."""


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    rule: str
    title: str
    source: str
    run: Callable[[Context], Awaitable[None]] = field(repr=False, compare=False)
    severity: Severity = Severity.MUST
    service: str | None = None
    timeout: float | None = None  # seconds, when the run's default is too short (a burst, a long walk)


@dataclass(slots=True)
class Exchange:
    """One request and its answer as the report shows them (masked, bodies cut at 4 KB)."""

    method: str
    url: str
    request_headers: dict[str, str]
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "request": {"method": self.method, "url": mask(self.url), "headers": mask_headers(self.request_headers)},
            "response": None
            if self.status is None
            else {"status": self.status, "headers": dict(self.response_headers), "body": mask(self.body[:4096])},
            "error": self.error,
        }


@dataclass(slots=True)
class Result:
    id: str
    rule: str
    title: str
    source: str
    severity: str
    service: str | None
    outcome: Outcome
    message: str = ""
    seconds: float = 0.0
    exchanges: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "title": self.title,
            "source": self.source,
            "severity": self.severity,
            "service": self.service,
            "outcome": self.outcome.value,
            "message": self.message,
            "seconds": round(self.seconds, 4),
            "exchanges": self.exchanges,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        return cls(
            id=str(data["id"]),
            rule=str(data["rule"]),
            title=str(data.get("title", "")),
            source=str(data.get("source", "")),
            severity=str(data.get("severity", "must")),
            service=data.get("service"),
            outcome=Outcome(data["outcome"]),
            message=str(data.get("message", "")),
            seconds=float(data.get("seconds", 0.0)),
            exchanges=list(data.get("exchanges") or []),
        )


# Fødselsnummer, D-number (11 digits) anywhere in a URL, header or body: kept are the last two digits.
_PERSON = re.compile(r"(?<![0-9])[0-9]{9}([0-9]{2})(?![0-9])")
_JWS = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_.-]{16,}")
_SECRET_HEADERS = frozenset({"authorization"})


def mask(text: str) -> str:
    """Personal identifiers and signed tokens out of a text (reports may be shared)."""
    text = _JWS.sub(lambda m: m.group(0)[:12] + "…(token)", text)
    return _PERSON.sub(lambda m: "*********" + m.group(1), text)


def mask_headers(headers: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for name, value in headers.items():
        if name.lower() in _SECRET_HEADERS:
            scheme, _, _ = value.partition(" ")
            out[name] = f"{scheme} …(token)" if scheme else "…(token)"
        else:
            out[name] = mask(value)
    return out


__all__ = ["Check", "Exchange", "Failed", "Outcome", "Result", "Severity", "Skipped", "mask", "mask_headers"]
