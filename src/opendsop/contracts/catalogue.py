"""The API catalogue ("Felles API-katalog"): each institution's Control API base URL per environment.

DSOP “Architecture document” step 4: consumers resolve a bank's base URL in the catalogue and
cache it (it rarely changes); an institution registers **one endpoint per environment** (test,
production).  The list has the shape of the Altinn "BITS kontrollinformasjon" dataset
(``[{"orgNo", "name", "url", "version", "env"}]``, docs.data.altinn.no/tjenester/bitskontrollinformasjon)
plus ``validFrom``/``validTo`` so a URL change can be announced ahead of time.  One row per
(institution, environment, major version); registering again replaces it (the relations hub's
``CatalogueStore`` keeps them).

``CatalogueClient`` fetches the list over HTTP and caches it for ``ttl``; if a refresh fails the
stale list is used (a consumer must not stop because the catalogue blinked).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from opendsop.clock import oslo_today
from opendsop.clock import utc_now as _utcnow
from opendsop.standard.values import parse_date

ENVIRONMENTS = ("test", "production")
_ORG = re.compile(r"[0-9]{9}")
_VERSION = re.compile(r"v[0-9]{1,3}")


class InvalidEntry(ValueError):
    """A catalogue entry that cannot be registered; the message names the field."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogueEntry:
    org_no: str
    name: str
    url: str
    version: str = "v2"
    env: str = "test"
    valid_from: date
    valid_to: date | None = None

    def __post_init__(self) -> None:
        if not _ORG.fullmatch(self.org_no):
            raise InvalidEntry(f"orgNo must be 9 digits, got {self.org_no[:20]!r}")
        if not self.name.strip():
            raise InvalidEntry("name must not be empty")
        if not self.url.startswith(("https://", "http://")):
            raise InvalidEntry(f"url must be an http(s) URL, got {self.url[:80]!r}")
        if not _VERSION.fullmatch(self.version):
            raise InvalidEntry(f"version must look like 'v2', got {self.version[:10]!r}")
        if self.env not in ENVIRONMENTS:
            raise InvalidEntry(f"env must be one of {', '.join(ENVIRONMENTS)}, got {self.env[:20]!r}")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise InvalidEntry(f"validTo {self.valid_to} is before validFrom {self.valid_from}")

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def as_dict(self) -> dict[str, Any]:
        return {
            "orgNo": self.org_no,
            "name": self.name,
            "url": self.url,
            "version": self.version,
            "env": self.env,
            "validFrom": self.valid_from.isoformat(),
            "validTo": self.valid_to.isoformat() if self.valid_to else None,
        }

    @classmethod
    def from_dict(cls, data: Any) -> CatalogueEntry:
        if not isinstance(data, dict):
            raise InvalidEntry("a catalogue entry must be a JSON object")
        try:
            valid_to = data.get("validTo")
            return cls(
                org_no=str(data["orgNo"]),
                name=str(data["name"]),
                url=str(data["url"]),
                version=str(data.get("version", "v2")),
                env=str(data.get("env", "test")),
                valid_from=parse_date(data["validFrom"], parameter="validFrom"),
                valid_to=parse_date(valid_to, parameter="validTo") if valid_to else None,
            )
        except KeyError as missing:
            raise InvalidEntry(f"{missing.args[0]} is required") from None
        except ValueError as error:
            if isinstance(error, InvalidEntry):
                raise
            raise InvalidEntry(f"validFrom/validTo must be dates YYYY-MM-DD: {error}") from None


class CatalogueUnavailable(Exception):
    """The catalogue could not be fetched and nothing is cached."""


class CatalogueClient:
    """A consumer's cached view of the catalogue of one environment.

    ``http`` is any ``httpx.AsyncClient`` (inject one with a ``MockTransport`` in tests); ``clock``
    returns an aware ``datetime``.
    """

    def __init__(
        self,
        base_url: str,
        *,
        environment: str = "test",
        ttl: timedelta = timedelta(hours=1),
        clock: Callable[[], datetime] | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/catalogue/kontrollinformasjon"
        self._env = environment
        self._ttl = ttl
        self._clock = clock or _utcnow
        self._http = http
        self._owns_http = http is None
        self._entries: list[CatalogueEntry] | None = None
        self._fetched_at: datetime | None = None

    async def __aenter__(self) -> CatalogueClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http and self._http is not None:
            await self._http.aclose()

    async def entries(self) -> list[CatalogueEntry]:
        now = self._clock()
        if self._entries is not None and self._fetched_at is not None and now < self._fetched_at + self._ttl:
            return self._entries
        try:
            if self._http is None:
                self._http = httpx.AsyncClient(timeout=httpx.Timeout(5.0))
            response = await self._http.get(self._url, params={"environment": self._env})
            response.raise_for_status()
            document = response.json()
            if not isinstance(document, list):
                raise ValueError("the catalogue is not a JSON list")
            fresh = [CatalogueEntry.from_dict(item) for item in document]
        except (httpx.HTTPError, ValueError) as error:
            if self._entries is not None:
                return self._entries  # stale beats nothing; retried after the next call
            raise CatalogueUnavailable(f"the API catalogue at {self._url} could not be read: {error}") from None
        self._entries, self._fetched_at = fresh, now
        return fresh

    async def base_url(self, org_no: str, *, version: str = "v2", on: date | None = None) -> str | None:
        """The institution's Control API base URL valid on ``on`` (default: the clock's day)."""
        day = on or oslo_today(self._clock)
        for entry in await self.entries():
            if entry.org_no == org_no and entry.version == version and entry.env == self._env and entry.valid_on(day):
                return entry.url
        return None


__all__ = ["ENVIRONMENTS", "CatalogueClient", "CatalogueEntry", "CatalogueUnavailable", "InvalidEntry"]
