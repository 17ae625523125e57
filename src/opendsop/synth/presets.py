# SPDX-License-Identifier: Apache-2.0
"""Sizes of the synthetic world: ``tiny`` (tests), ``demo`` and ``large`` (load tests).

A world is made of **shards** of at most ``shard_size`` persons each.  A shard is
self-contained (families, employers, transfers and guardians stay inside it) so a shard can be
generated, streamed and stored on its own, and the first *k* shards of ``large`` are a
reproducible slice of it.  Identifiers are unique across the whole world.

``today`` is the reference date; the generator never reads the clock.  ``months`` is the length
of the transaction history before ``today``: ``large`` keeps it short so that 1,000,000 persons
give about 60 million transactions (≥ 50 million: a national-scale load) rather than half a billion.
"""

from __future__ import annotations

from datetime import date

import msgspec

DEFAULT_TODAY = date(2026, 6, 15)


class Preset(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    persons: int
    banks: int
    months: int
    shard_size: int = 10_000
    today: date = DEFAULT_TODAY
    # Fraction of the chosen banks (never the largest three) that report only to KFR.
    kfr_fraction: float = 0.25

    @property
    def shard_count(self) -> int:
        return -(-self.persons // self.shard_size)

    def shard_persons(self, shard: int) -> int:
        """How many persons shard number ``shard`` holds (the last one may be smaller)."""
        return min(self.shard_size, self.persons - shard * self.shard_size)


PRESETS: dict[str, Preset] = {
    "tiny": Preset(name="tiny", persons=80, banks=6, months=6),
    "demo": Preset(name="demo", persons=10_000, banks=20, months=12),
    "large": Preset(name="large", persons=1_000_000, banks=100, months=3),
}


def get_preset(name: str | Preset) -> Preset:
    """The named preset (or ``name`` itself when it is already a :class:`Preset`)."""
    if isinstance(name, Preset):
        return name
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}: choose one of {', '.join(PRESETS)}") from None


__all__ = ["DEFAULT_TODAY", "PRESETS", "Preset", "get_preset"]
