"""The two sources behind the Customer Relations Overview and what one relation is
(DSOP “Architecture document”; DSOP Kundeforholdsregister “Om”; DSOP “Endpoint customerRelationships V.2.0”).

* **KAR** knows *account-level* relations reported by NICS banks: the customer is the owner,
  a secondary owner (medkontohaver) or a disponent of an account, from a start date to an
  optional end date, and the account may or may not be reachable (creditable) through NICS.
* **KFR** knows *customer-level* ``DSOPBANK`` relations reported by institutions outside NICS:
  no account, so no ownership can be derived from it.

Both are reached through :class:`RelationSource`, so the hub can be tested against the
in-memory twin and a source that times out can be simulated.  A source that cannot answer
raises :class:`SourceUnavailable` (or ``TimeoutError``); the hub turns that into 504.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from opendsop.standard.period import Period
from opendsop.standard.relations_merge import Relation, Role


@dataclass(frozen=True, slots=True)
class Servicer:
    """The institution servicing an account (accountServicingProvider)."""

    org_no: str
    bank_name: str


class SourceUnavailable(Exception):
    """A register did not answer (or answered with garbage); the hub answers 504."""

    def __init__(self, source: str, message: str = "") -> None:
        super().__init__(message or f"No response from data source ({source})")
        self.source = source


class RelationSource(Protocol):
    """A register the hub reads: KAR or KFR."""

    name: str

    async def relations(self, customer_id: str, period: Period) -> Sequence[Relation]:
        """Every relation of the customer whose ``[start, end]`` overlaps ``period``."""
        ...


class AccountRegister(Protocol):
    """KAR's account lookup (accountServicingProvider)."""

    async def servicer(self, account_no: str) -> Servicer | None: ...


class MemoryRelationSource:
    """The in-memory twin of a SQL source, for unit tests; ``fail`` simulates an outage."""

    def __init__(
        self, name: str, rows: Iterable[tuple[str, Relation]] = (), *, fail: BaseException | None = None
    ) -> None:
        self.name = name
        self.fail = fail
        self._rows: list[tuple[str, Relation]] = list(rows)

    def add(self, customer_id: str, relation: Relation) -> None:
        self._rows.append((customer_id, relation))

    async def relations(self, customer_id: str, period: Period) -> Sequence[Relation]:
        if self.fail is not None:
            raise self.fail
        return [rel for who, rel in self._rows if who == customer_id and rel.overlaps(period)]

    async def servicer(self, account_no: str) -> Servicer | None:
        if self.fail is not None:
            raise self.fail
        for _, rel in self._rows:
            if rel.account_no == account_no:
                return Servicer(rel.org_no, rel.bank_name)
        return None


__all__ = [
    "AccountRegister",
    "MemoryRelationSource",
    "Relation",
    "RelationSource",
    "Role",
    "Servicer",
    "SourceUnavailable",
]
