# SPDX-License-Identifier: Apache-2.0
"""Typed clients a bank uses to read the registers: one Protocol per register, an httpx client each.

The bank provider depends on the Protocols only (``Folkeregister``, ``Konkursregister``,
``Enhetsregister``); in production it gets the httpx clients (``FolkeregisterClient``,
``KonkursClient``, ``EnhetsregisterClient``), in unit tests the in-memory twins of
``opendsop.registers.memory``.  One contract suite (tests/registers/test_contract.py) runs against both.

Conventions: an unknown person, notice or organisation is ``None`` (404), never an exception;
bad input raises the register's typed error (errors.py) with its message; 401/403 raise
``AccessDenied``; a register that does not answer raises ``RegisterUnavailable``.  The bearer
token is a string or an async callable returning a fresh one (a Maskinporten token is short-lived).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from opendsop.contracts.registers.errors import (
    AccessDenied,
    Conflict,
    InvalidCursor,
    InvalidIdentifierInput,
    InvalidInput,
    NotFound,
    RegisterError,
    RegisterUnavailable,
)
from opendsop.contracts.registers.models import (
    Endringsside,
    Hendelsesside,
    Konkursvarsel,
    KonkursvarselOppsummering,
    Konkursvarselside,
    Organisasjon,
    Person,
    Roller,
    SignaturSporsmal,
    SignaturSvar,
    Vergemaal,
)
from opendsop.tracing import propagate

T = TypeVar("T")
TokenSource = str | Callable[[], Awaitable[str]]
_ERRORS: dict[str, type[RegisterError]] = {
    "invalid_identifier": InvalidIdentifierInput,
    "invalid_cursor": InvalidCursor,
    "invalid_request": InvalidInput,
    "not_found": NotFound,
    "conflict": Conflict,
    "unauthorized": AccessDenied,
    "insufficient_scope": AccessDenied,
}


@dataclass(frozen=True, slots=True)
class NoticePage:
    """A page of the Konkursvarsel feed; pass ``cursor`` to ``notices_since`` to read on."""

    notices: tuple[KonkursvarselOppsummering, ...]
    cursor: datetime | None
    more: bool


class Folkeregister(Protocol):
    async def person(self, fnr: str) -> Person | None: ...
    async def guardianships(self, ward: str) -> list[Vergemaal]: ...
    async def events_since(self, cursor: int = 0, limit: int | None = None) -> Hendelsesside: ...


class Konkursregister(Protocol):
    async def notices_since(self, cursor: datetime | None, limit: int | None = None) -> NoticePage: ...
    async def notice(self, uuid: str) -> Konkursvarsel | None: ...
    async def notices_for(self, debitor: str) -> list[Konkursvarsel]: ...


class Enhetsregister(Protocol):
    async def organisation(self, orgnr: str) -> Organisasjon | None: ...
    async def roles(self, orgnr: str) -> Roller | None: ...
    async def signature_right(
        self, orgnr: str, person: str, together_with: Sequence[str] = ()
    ) -> SignaturSvar | None: ...
    async def changes_since(self, cursor: int = 0, limit: int | None = None) -> Endringsside: ...


def page_of(side: Konkursvarselside, cursor: datetime | None) -> NoticePage:
    last = side.konkursvarsler[-1].registreringstidspunkt if side.konkursvarsler else cursor
    return NoticePage(notices=side.konkursvarsler, cursor=last, more=side.flere)


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise InvalidCursor("the cursor must be a timezone-aware datetime", parameter="registreringstidspunkt")
    return moment.isoformat().replace("+00:00", "Z")


class _HttpRegister:
    """Shared plumbing: base URL, bearer token, error mapping."""

    def __init__(
        self,
        base_url: str,
        token: TokenSource,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._token = token
        self._http = propagate(
            httpx.AsyncClient(
                base_url=base_url.rstrip("/"),
                transport=transport,
                timeout=httpx.Timeout(timeout),
                follow_redirects=False,
            )
        )

    async def __aenter__(self: T) -> T:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _headers(self) -> dict[str, str]:
        token = self._token if isinstance(self._token, str) else await self._token()
        return {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    async def _call(
        self,
        method: str,
        path: str,
        kind: type[T],
        *,
        params: dict[str, Any] | None = None,
        body: bytes | None = None,
        missing_ok: bool = False,
    ) -> T | None:
        headers = await self._headers()
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = await self._http.request(method, path, params=params, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise RegisterUnavailable(
                f"the register at {self._http.base_url} did not answer ({type(exc).__name__})"
            ) from None
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise self._error(response)
        try:
            return msgspec.json.decode(response.content, type=kind)
        except msgspec.DecodeError as exc:
            raise RegisterUnavailable(f"the register answered {path} with an unreadable body: {exc}") from None

    @staticmethod
    def _error(response: httpx.Response) -> RegisterError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        code = str(body.get("error") or "")
        message = str(body.get("message") or f"the register answered HTTP {response.status_code}")
        parameter = body.get("parameter") if isinstance(body.get("parameter"), str) else None
        cls = _ERRORS.get(code, RegisterUnavailable if response.status_code >= 500 else InvalidInput)
        return cls(message, parameter=parameter, status=response.status_code, error=code or None)


class FolkeregisterClient(_HttpRegister):
    """Folkeregister over HTTP (scope ``folkeregister:read``)."""

    async def person(self, fnr: str) -> Person | None:
        return await self._call(
            "GET", f"/folkeregisteret/api/v1/personer/{quote(fnr, safe='')}", Person, missing_ok=True
        )

    async def guardianships(self, ward: str) -> list[Vergemaal]:
        path = f"/folkeregisteret/api/v1/personer/{quote(ward, safe='')}/vergemaal"
        found = await self._call("GET", path, list[Vergemaal], missing_ok=True)
        return found or []

    async def events_since(self, cursor: int = 0, limit: int | None = None) -> Hendelsesside:
        params: dict[str, Any] = {"etter": cursor} | ({"antall": limit} if limit else {})
        page = await self._call("GET", "/folkeregisteret/api/v1/hendelser", Hendelsesside, params=params)
        assert page is not None
        return page


class KonkursClient(_HttpRegister):
    """Konkursvarsel over HTTP (scope ``konkursvarsel:read``; DSOP Konkurs “Løsningsbeskrivelse”)."""

    PATH = "/konkursvarsel/api/konkursvarsler"

    async def notices_since(self, cursor: datetime | None, limit: int | None = None) -> NoticePage:
        path = self.PATH if cursor is None else f"{self.PATH}/oppdatert/{_timestamp(cursor)}"
        side = await self._call("GET", path, Konkursvarselside, params={"antall": limit} if limit else None)
        assert side is not None
        return page_of(side, cursor)

    async def notice(self, uuid: str) -> Konkursvarsel | None:
        return await self._call("GET", f"{self.PATH}/{quote(uuid, safe='')}", Konkursvarsel, missing_ok=True)

    async def notices_for(self, debitor: str) -> list[Konkursvarsel]:
        side = await self._call("GET", self.PATH, Konkursvarselside, params={"debitor": debitor})
        assert side is not None
        found = [await self.notice(summary.uuid) for summary in side.konkursvarsler]
        return [notice for notice in found if notice is not None]


class EnhetsregisterClient(_HttpRegister):
    """Enhetsregister over HTTP (scope ``enhetsregister:read``)."""

    async def organisation(self, orgnr: str) -> Organisasjon | None:
        path = f"/enhetsregisteret/api/enheter/{quote(orgnr, safe='')}"
        return await self._call("GET", path, Organisasjon, missing_ok=True)

    async def roles(self, orgnr: str) -> Roller | None:
        path = f"/enhetsregisteret/api/enheter/{quote(orgnr, safe='')}/roller"
        return await self._call("GET", path, Roller, missing_ok=True)

    async def signature_right(self, orgnr: str, person: str, together_with: Sequence[str] = ()) -> SignaturSvar | None:
        body = msgspec.json.encode(
            SignaturSporsmal(organisasjonsnummer=orgnr, person=person, sammenMed=tuple(together_with))
        )
        return await self._call("POST", "/enhetsregisteret/api/signaturrett", SignaturSvar, body=body, missing_ok=True)

    async def changes_since(self, cursor: int = 0, limit: int | None = None) -> Endringsside:
        params: dict[str, Any] = {"etter": cursor} | ({"antall": limit} if limit else {})
        page = await self._call("GET", "/enhetsregisteret/api/oppdateringer/enheter", Endringsside, params=params)
        assert page is not None
        return page


__all__ = [
    "Enhetsregister",
    "EnhetsregisterClient",
    "Folkeregister",
    "FolkeregisterClient",
    "Konkursregister",
    "KonkursClient",
    "NoticePage",
    "TokenSource",
    "page_of",
]
