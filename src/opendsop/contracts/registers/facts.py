# SPDX-License-Identifier: Apache-2.0
"""From register data to the facts the rules core decides with (``opendsop.standard.request.Facts``).

* ``to_guardianship`` — a FREG vergemål as ``Guardianship`` (ward, guardian, validity, tasks);
  Vergekontroll (DSOP Vergekontroll “Løsningsbeskrivelse”) then checks ``representasjonDagligbank`` and the period.
* ``kjennelsesdato`` — of the bankruptcy that stands: the latest ``aapning`` not annulled by a
  later ``sletting`` (DSOP Konkurs “Løsningsbeskrivelse”: a ``sletting`` reopens the accounts; an ``oppheving`` leaves
  the
  decision to the bank and an ``avslutning`` is information only, so neither removes the date).
* ``gather_facts`` — date of death, shielding, guardianships and kjennelsesdato for one party,
  read through the client Protocols (HTTP or in-memory twin alike).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from opendsop.contracts.registers.clients import Folkeregister, Konkursregister
from opendsop.contracts.registers.models import KonkursType, Konkursvarsel, Person, Vergemaal
from opendsop.standard.request import Facts, Guardianship


def to_guardianship(item: Vergemaal) -> Guardianship:
    return Guardianship(
        ward=item.vergehaver,
        guardian=item.verge.identifikasjonsnummer,
        valid_from=item.gyldigFraOgMed,
        valid_to=item.gyldigTilOgMed,
        tasks=frozenset(item.tjenesteoppgaver),
    )


def kjennelsesdato(notices: Iterable[Konkursvarsel]) -> date | None:
    """The kjennelsesdato of the opening that stands, or None when no opening stands."""
    standing: Konkursvarsel | None = None
    for notice in sorted(notices, key=lambda n: n.registreringstidspunkt):
        if notice.type is KonkursType.AAPNING:
            standing = notice
        elif notice.type is KonkursType.SLETTING:
            standing = None
    return None if standing is None else standing.kjennelsesdato


def person_facts(
    party: str, person: Person | None, guardianships: Sequence[Vergemaal] = (), notices: Iterable[Konkursvarsel] = ()
) -> Facts:
    """The rules core's ``Facts`` for ``party`` from what the registers hold."""
    return Facts(
        party_id=party,
        date_of_death=None if person is None else person.doedsdato,
        shielded=False if person is None else person.shielded,
        kjennelsesdato=kjennelsesdato(notices),
        guardianships=tuple(to_guardianship(g) for g in guardianships),
    )


async def gather_facts(
    party: str, *, folkeregister: Folkeregister | None = None, konkurs: Konkursregister | None = None
) -> Facts:
    """Read a party's facts from the registers (a 9-digit party is an organisation: no FREG lookup)."""
    person = guardianships = None
    if folkeregister is not None and len(party) == 11:
        person = await folkeregister.person(party)
        guardianships = await folkeregister.guardianships(party) if person is not None else []
    notices = await konkurs.notices_for(party) if konkurs is not None else []
    return person_facts(party, person, guardianships or (), notices)


__all__ = ["gather_facts", "kjennelsesdato", "person_facts", "to_guardianship"]
