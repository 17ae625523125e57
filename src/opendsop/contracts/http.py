"""One HTTP request and one whole answer, as values: what a transport sends and returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str]

    def with_headers(self, **headers: str) -> HttpRequest:
        """A copy with some headers replaced."""
        return replace(self, headers={**self.headers, **headers})


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    decrypted: bool = False  # a JWE answer whose body the driver already decrypted (off the event loop)


__all__ = ["HttpRequest", "HttpResponse"]
