"""The bank's ports: what the request pipeline needs from the outside world, one Protocol each,
with an in-memory twin for tests and the demo (STYLE habit 4; ARCHITECTURE "Facts the rules need
... are fetched by the provider from the registers and passed in").

* ``TokenVerifier`` — Maskinporten tokens (``opendsop.contracts.verify.TokenVerifier`` fits).
* ``Registers`` — Folkeregisteret (death, shielding, guardianships) and the Konkursvarsel notices
  (``kjennelsesdato``); ``RegisterClients`` adapts the clients of ``opendsop.registers``,
  ``MemoryRegisters`` is the twin.
* ``FactsSource`` — turns registers into ``standard.Facts`` for one request, asking only what the
  calling service's rules need (the DSOP services' “Løsningsbeskrivelse” pages); ``RegisterFacts`` is the
  implementation.
* ``OrderVerifier`` — the six signature steps and content checks of an utleveringspålegg
  (DSOP Politi “Løsningsbeskrivelse”); ``ProsecutionOrders`` wraps ``contracts.extradition_order``.  The pipeline asks
  it separately from ``FactsSource`` so that a broken order never hides a format error that
  ``authorize`` reports first.
* ``Certificates`` — consumers' encryption certificates (``contracts.certpub.client.CertPubClient`` fits);
  ``StaticCertificates`` is the twin.
* The bank's data is ``provider.store.repository.BankStore``; the audit log is
  ``audit.log.AuditLog``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol

from cryptography import x509

from opendsop.clock import Clock
from opendsop.contracts.registers.clients import Folkeregister, Konkursregister
from opendsop.contracts.registers.errors import InvalidInput
from opendsop.contracts.registers.facts import kjennelsesdato as standing_ruling
from opendsop.contracts.registers.facts import to_guardianship
from opendsop.contracts.registers.models import Person
from opendsop.contracts.verify import Principal
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.extradition import ExtraditionOrder
from opendsop.standard.request import ControlRequest, Facts, Guardianship
from opendsop.standard.services import PeriodRule, ServiceProfile
from opendsop.trust.pki import TrustStore


class TokenVerifier(Protocol):
    async def verify_authorization(self, authorization: str | None) -> Principal:
        """The caller; raises ``InvalidToken`` (401) or its subclass ``InsufficientScope`` (403)."""
        ...


class Registers(Protocol):
    """Register lookups for one party; any failure to answer raises (→ 503 ACC-100)."""

    async def date_of_death(self, party_id: str) -> date | None: ...

    async def is_shielded(self, party_id: str) -> bool: ...

    async def guardianships(self, ward: str) -> tuple[Guardianship, ...]: ...

    async def kjennelsesdato(self, party_id: str) -> date | None: ...


@dataclass
class MemoryRegisters:
    """In-memory Folkeregister and Konkursvarsel notices, keyed by party."""

    deaths: dict[str, date] = field(default_factory=dict)
    shielded: set[str] = field(default_factory=set)
    guardianships_by_ward: dict[str, tuple[Guardianship, ...]] = field(default_factory=dict)
    rulings: dict[str, date] = field(default_factory=dict)  # party → kjennelsesdato of an `aapning`

    async def date_of_death(self, party_id: str) -> date | None:
        return self.deaths.get(party_id)

    async def is_shielded(self, party_id: str) -> bool:
        return party_id in self.shielded

    async def guardianships(self, ward: str) -> tuple[Guardianship, ...]:
        return self.guardianships_by_ward.get(ward, ())

    async def kjennelsesdato(self, party_id: str) -> date | None:
        return self.rulings.get(party_id)

    def add_guardianships(self, items: Iterable[Guardianship]) -> None:
        for item in items:
            self.guardianships_by_ward[item.ward] = (*self.guardianships_by_ward.get(item.ward, ()), item)


@dataclass(frozen=True)
class RegisterClients:
    """``Registers`` over the register clients of ``opendsop.registers`` (HTTP or their memory twins).

    Folkeregisteret is asked only about persons (11 digits); the bankruptcy date is the
    ``kjennelsesdato`` of the opening that stands (``contracts.registers.facts.kjennelsesdato``).
    """

    folkeregister: Folkeregister | None = None
    konkurs: Konkursregister | None = None

    async def _person(self, party_id: str) -> Person | None:
        if self.folkeregister is None or len(party_id) != 11:
            return None
        try:
            return await self.folkeregister.person(party_id)
        except InvalidInput:  # a number the register refuses is a person it does not know
            return None

    async def date_of_death(self, party_id: str) -> date | None:
        person = await self._person(party_id)
        return person.doedsdato if person else None

    async def is_shielded(self, party_id: str) -> bool:
        person = await self._person(party_id)
        return bool(person and person.shielded)

    async def guardianships(self, ward: str) -> tuple[Guardianship, ...]:
        if self.folkeregister is None or len(ward) != 11:
            return ()
        return tuple(to_guardianship(item) for item in await self.folkeregister.guardianships(ward))

    async def kjennelsesdato(self, party_id: str) -> date | None:
        if self.konkurs is None:
            return None
        return standing_ruling(await self.konkurs.notices_for(party_id))


class FactsSource(Protocol):
    async def facts_for(self, party_id: str | None, *, service: ServiceProfile, request: ControlRequest) -> Facts:
        """What the registers say about ``party_id`` that ``service``'s rules need."""
        ...


@dataclass(frozen=True)
class RegisterFacts:
    """``FactsSource`` over ``Registers``: only the lookups the service's rules use.

    Shielding concerns every service but only the account list (DSOP “Recommendations regarding validation”); death only
    OED, the ruling date only Konkurs, guardianships only Vergekontroll.
    """

    registers: Registers

    async def facts_for(self, party_id: str | None, *, service: ServiceProfile, request: ControlRequest) -> Facts:
        if not party_id:
            return Facts()
        rule = service.period_rule
        shielded = await self.registers.is_shielded(party_id) if request.endpoint is Endpoint.ACCOUNTS else False
        death = await self.registers.date_of_death(party_id) if rule is PeriodRule.AROUND_DEATH else None
        ruling = await self.registers.kjennelsesdato(party_id) if rule is PeriodRule.BEFORE_KJENNELSESDATO else None
        guardianships = await self.registers.guardianships(party_id) if rule is PeriodRule.LAST_CALENDAR_YEAR else ()
        return Facts(
            party_id=party_id,
            date_of_death=death,
            shielded=shielded,
            kjennelsesdato=ruling,
            guardianships=guardianships,
        )


class OrderVerifier(Protocol):
    async def verify(self, jws: str, *, now: datetime) -> ExtraditionOrder:
        """The verified order; raises ``InvalidExtraditionOrder`` (403 ACC-011), ``InvalidRequest``
        (400 ACC-001, not a JWS at all) or a ``DsopError`` with code ACC-100 (keys unreachable)."""
        ...


JwksSource = Callable[[str | None], Awaitable[Mapping[str, Any]]]


@dataclass(frozen=True)
class ProsecutionOrders:
    """``OrderVerifier`` over ``contracts.extradition_order.verify_extradition_order``.

    ``jwks`` returns the prosecution's JWKS for a ``kid`` (``JwksCache.document`` in service, a
    constant in tests); ``trust_store`` holds the root of the environment (test or production).
    """

    jwks: JwksSource
    trust_store: TrustStore
    environment: Literal["test", "production"] = "test"

    async def verify(self, jws: str, *, now: datetime) -> ExtraditionOrder:
        from opendsop.contracts.extradition_order import verify_extradition_order

        kid = _kid_of(jws)
        document = await self.jwks(kid)
        return verify_extradition_order(jws, self.trust_store, now=now, jwks=document, environment=self.environment)

    @classmethod
    def with_static_jwks(
        cls, document: Mapping[str, Any], trust_store: TrustStore, environment: Literal["test", "production"] = "test"
    ) -> ProsecutionOrders:
        async def constant(_kid: str | None) -> Mapping[str, Any]:
            return document

        return cls(constant, trust_store, environment)


def _kid_of(jws: str) -> str | None:
    """The JWS header's ``kid`` if readable; a broken JWS is reported by the verifier itself."""
    from opendsop.trust.errors import TrustError
    from opendsop.trust.jwt import unverified_header

    try:
        kid = unverified_header(jws).get("kid")
    except (TrustError, ValueError):
        return None
    return kid if isinstance(kid, str) else None


class Certificates(Protocol):
    async def encryption_certificate(self, orgno: str) -> x509.Certificate:
        """The consumer's checked encryption certificate; raises ``CertPubError`` otherwise."""
        ...


@dataclass
class StaticCertificates:
    """Encryption certificates by organisation number (tests, the demo)."""

    by_orgno: dict[str, x509.Certificate] = field(default_factory=dict)

    async def encryption_certificate(self, orgno: str) -> x509.Certificate:
        from opendsop.contracts.certpub.errors import ParticipantNotFound

        try:
            return self.by_orgno[orgno]
        except KeyError:
            raise ParticipantNotFound(f"no encryption certificate is published for 0192:{orgno}") from None


__all__ = [
    "Certificates",
    "Clock",
    "FactsSource",
    "JwksSource",
    "MemoryRegisters",
    "OrderVerifier",
    "ProsecutionOrders",
    "RegisterClients",
    "RegisterFacts",
    "Registers",
    "StaticCertificates",
    "TokenVerifier",
]
