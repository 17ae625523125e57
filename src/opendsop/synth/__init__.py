# SPDX-License-Identifier: Apache-2.0
"""``opendsop.synth``: a deterministic synthetic Norway for DSOP — people, companies, banks,
accounts, cards, transactions and register events, from a seed.

>>> from opendsop.synth import generate
>>> world = generate("tiny", seed=1)
>>> population = world.population()

See ``world`` (the API), ``model`` (the values), ``export`` (row shapes for bulk loading) and
``presets`` (``tiny``, ``demo``, ``large``).
"""

from __future__ import annotations

from opendsop.synth.presets import PRESETS, Preset, get_preset
from opendsop.synth.transactions import balances, booked_balance
from opendsop.synth.world import Population, World, generate

__all__ = ["PRESETS", "Population", "Preset", "World", "balances", "booked_balance", "generate", "get_preset"]
