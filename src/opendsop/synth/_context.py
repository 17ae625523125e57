# SPDX-License-Identifier: Apache-2.0
"""Shared state of one generation run: the seeded randomness, name pools and used identifiers.

All randomness flows from ``random.Random`` objects seeded from the world seed and a *label*
(``derive(seed, "shard", 3)``): Python seeds a ``Random`` from a string through SHA-512, so the
streams do not depend on ``PYTHONHASHSEED`` and the same seed gives byte-identical output.

Faker (locale ``no_NO``; ``nb_NO`` does not exist in Faker) is used once per run, seeded,
to fill the pool of street names; names come from its ``no_NO`` person lists; postal codes and
places come from :mod:`opendsop.synth.postal` (real pairs: Faker's ``no_NO`` cities are surnames).  Drawing
from pools with our own ``Random`` is ~10× faster than calling Faker per person and keeps every
identifier out of Faker's hands (its ``ssn()`` can be a real person's number).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from random import Random

from faker import Faker

from opendsop.synth.model import Address
from opendsop.synth.postal import POSTAL_PLACES


def derive(seed: int, *labels: object) -> Random:
    """A ``Random`` for one purpose, independent of every other purpose's stream."""
    return Random("/".join(str(part) for part in (seed, *labels)))


@dataclass(frozen=True, slots=True)
class Pools:
    male_names: tuple[str, ...]
    female_names: tuple[str, ...]
    family_names: tuple[str, ...]
    streets: tuple[str, ...]
    towns: tuple[tuple[str, str], ...]  # (post code, town)

    @classmethod
    def from_faker(cls, seed: int) -> Pools:
        fake = Faker("no_NO")
        fake.seed_instance(seed)
        person = fake.provider("faker.providers.person")
        streets = tuple(dict.fromkeys(fake.street_name() for _ in range(800)))
        return cls(
            male_names=tuple(person.first_names_male),
            female_names=tuple(person.first_names_female),
            family_names=tuple(person.last_names),
            streets=streets,
            towns=POSTAL_PLACES,
        )

    def address(self, rng: Random, country: str = "NO") -> Address:
        post_code, town = rng.choice(self.towns)
        number = str(rng.randint(1, 120))
        if rng.random() < 0.15:
            number += rng.choice("ABCD")
        return Address(
            street_name=rng.choice(self.streets)[:70],
            building_number=number,
            post_code=post_code,
            town_name=town[:35],
            country=country,
        )


@dataclass(slots=True)
class Used:
    """Identifiers handed out so far in the world (unique across shards)."""

    person_ids: set[str] = field(default_factory=set)
    orgnrs: set[str] = field(default_factory=set)
    kontonrs: set[int] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Window:
    """The reference date and the first day of the transaction history."""

    today: date
    start: date
