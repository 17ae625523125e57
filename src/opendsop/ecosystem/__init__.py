# SPDX-License-Identifier: Apache-2.0
"""The local DSOP ecosystem: a generated world loaded into every party's store.

``load_world(world, var_dir=...)`` writes the synthetic world into embedded SQLite stores (one
database per bank, the registers, the relations hub); ``mapping`` holds the synth → loader rows.
"""

from opendsop.ecosystem.load import LoadReport, WorldMismatch, load_world

__all__ = ["LoadReport", "WorldMismatch", "load_world"]
