"""Ports to the registers the consent pages need: official names, and who may act for an organisation.

DSOP SBL “Samtykkeløsningen”: Altinn shows the consumer's official Enhetsregisteret name in the consent
text.  The local stand-in answers from a settings mapping (``ORGANISATION_NAMES``); a later adapter
asks the Enhetsregister.  An organisation's consent (FI-K&B, DSOP FI Krav og betalinger pages) is given by a person who
may
represent it; the stand-in answers from ``REPRESENTATIVES`` (later: Enhetsregister roles such as
daglig leder or innehaver).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol


class OrganisationNames(Protocol):
    async def name(self, orgnr: str) -> str | None: ...


class Representatives(Protocol):
    async def may_represent(self, person: str, orgnr: str) -> bool: ...


class MappingNames:
    def __init__(self, names: Mapping[str, str]) -> None:
        self._names = dict(names)

    async def name(self, orgnr: str) -> str | None:
        return self._names.get(orgnr)


class MappingRepresentatives:
    def __init__(self, representatives: Mapping[str, Sequence[str]]) -> None:
        self._map = {org: frozenset(persons) for org, persons in representatives.items()}

    async def may_represent(self, person: str, orgnr: str) -> bool:
        return person in self._map.get(orgnr, frozenset())


async def display_name(names: OrganisationNames, orgnr: str) -> str:
    """The official name, or the formatted number when the register does not know it."""
    name = await names.name(orgnr)
    return name or f"organisasjonsnummer {orgnr[:3]} {orgnr[3:6]} {orgnr[6:]}"


__all__ = ["MappingNames", "MappingRepresentatives", "OrganisationNames", "Representatives", "display_name"]
