"""What the consent service knows about its client organisations: supplier delegations and redirect URLs.

* **Delegations** (``consent_delegations``): organisation ``to`` lets ``supplier`` send and follow
  consent requests in its name (``handledBy``).  Altinn 2 samtykkeløsning: the bank's
  hovedadministrator delegates "Tilgang til å administrere samtykkeforespørsler og samtykketokens"
  to the supplier; a ``handledBy`` without such a delegation is refused, so nobody can send a request
  that the person sees as coming from a bank that never asked.
* **Redirect URLs** (``consent_redirects``): the https origins and path prefixes an organisation has
  registered for ``redirectUrl``.  A request may only send the person back to its ``to``
  organisation or to the delegated ``handledBy`` supplier, so an accepted consent id never lands on
  a site the consumer does not own.

Both are administered with ``dsop consent delegation …`` / ``dsop consent redirect …``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import SplitResult, urlsplit

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from opendsop.consent.requests import LOOPBACK_HOSTS
from opendsop.consent.store import consent_delegations, consent_redirects


def _plain(value: str) -> bool:
    # No whitespace, controls or backslashes: browsers rewrite those, so what we check is not where they go.
    return value.isprintable() and not any(c.isspace() or c == "\\" for c in value)


def _split(value: str) -> SplitResult | None:
    if not _plain(value) or len(value) > 2000:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    loopback = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if (parts.scheme != "https" and not loopback) or not parts.hostname or "@" in parts.netloc or parts.fragment:
        return None
    return parts


def _origin(parts: SplitResult) -> str:
    default = 443 if parts.scheme == "https" else 80
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    host = f"[{parts.hostname}]" if parts.hostname and ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}{port}"


def _dot_segment(path: str) -> bool:
    return any(
        segment in (".", "..") or segment.lower() in ("%2e", "%2e%2e", ".%2e", "%2e.") for segment in path.split("/")
    )


def redirect_prefix(value: str, *, loopback_allowed: bool = False) -> str:
    """The canonical form of a registration: ``https://host[:port]/path/`` (ValueError if unusable).

    ``loopback_allowed`` (test mode only): also ``http://127.0.0.1:port/path/`` and the like, a local
    consumer's page on the person's own machine (RFC 8252 §7.3)."""
    parts = _split(value.strip())
    if parts is None or parts.query or _dot_segment(parts.path) or (parts.scheme != "https" and not loopback_allowed):
        raise ValueError(
            "a redirect registration must be an https URL (origin or origin + path) without "
            "user info, query or fragment"
        )
    path = parts.path or "/"
    if not path.endswith("/"):
        path += "/"
    return _origin(parts) + path


def redirect_matches(url: str, prefix: str) -> bool:
    """Whether ``url`` lies under the registered ``prefix`` (same origin, path inside the prefix)."""
    parts = _split(url)
    if parts is None or _dot_segment(parts.path):
        return False
    candidate = _origin(parts) + (parts.path or "/")
    return candidate.startswith(prefix) or candidate + "/" == prefix


@dataclass(frozen=True, slots=True)
class Delegation:
    to_org: str
    supplier_org: str
    created: datetime


class Registry:
    """Delegations and redirect registrations on the consent service's database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add_delegation(self, to_org: str, supplier_org: str, *, now: datetime) -> bool:
        """Register that ``to_org`` delegates consent handling to ``supplier_org``; False if already there."""
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    insert(consent_delegations).values(
                        to_org=to_org, supplier_org=supplier_org, created=int(now.timestamp())
                    )
                )
        except IntegrityError:
            return False
        return True

    async def remove_delegation(self, to_org: str, supplier_org: str) -> bool:
        async with self.engine.begin() as conn:
            result = await conn.execute(
                delete(consent_delegations).where(
                    consent_delegations.c.to_org == to_org, consent_delegations.c.supplier_org == supplier_org
                )
            )
        return bool(result.rowcount)

    async def is_delegated(self, to_org: str, supplier_org: str) -> bool:
        async with self.engine.connect() as conn:
            found = (
                await conn.execute(
                    select(consent_delegations.c.created).where(
                        consent_delegations.c.to_org == to_org, consent_delegations.c.supplier_org == supplier_org
                    )
                )
            ).first()
        return found is not None

    async def delegations(self) -> list[Delegation]:
        query = select(consent_delegations).order_by(consent_delegations.c.to_org, consent_delegations.c.supplier_org)
        async with self.engine.connect() as conn:
            return [
                Delegation(row.to_org, row.supplier_org, datetime.fromtimestamp(row.created, UTC))
                for row in await conn.execute(query)
            ]

    async def add_redirect(self, org: str, url: str, *, now: datetime, loopback_allowed: bool = False) -> str:
        """Register a redirect origin/prefix for ``org``; the canonical prefix stored (ValueError if unusable)."""
        prefix = redirect_prefix(url, loopback_allowed=loopback_allowed)
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    insert(consent_redirects).values(org=org, prefix=prefix, created=int(now.timestamp()))
                )
        except IntegrityError:
            pass
        return prefix

    async def remove_redirect(self, org: str, url: str) -> bool:
        prefix = redirect_prefix(url, loopback_allowed=True)  # whatever was registered may be removed
        async with self.engine.begin() as conn:
            result = await conn.execute(
                delete(consent_redirects).where(consent_redirects.c.org == org, consent_redirects.c.prefix == prefix)
            )
        return bool(result.rowcount)

    async def redirects(self, org: str | None = None) -> list[tuple[str, str]]:
        """``(org, prefix)`` pairs, of one organisation or all."""
        query = select(consent_redirects.c.org, consent_redirects.c.prefix).order_by(
            consent_redirects.c.org, consent_redirects.c.prefix
        )
        if org is not None:
            query = query.where(consent_redirects.c.org == org)
        async with self.engine.connect() as conn:
            return [(row.org, row.prefix) for row in await conn.execute(query)]

    async def redirect_allowed(self, url: str, orgs: tuple[str, ...]) -> bool:
        query = select(consent_redirects.c.prefix).where(consent_redirects.c.org.in_(orgs))
        async with self.engine.connect() as conn:
            prefixes = list((await conn.execute(query)).scalars())
        return any(redirect_matches(url, prefix) for prefix in prefixes)


__all__ = ["Delegation", "Registry", "redirect_matches", "redirect_prefix"]
