# SPDX-License-Identifier: Apache-2.0
"""The local DSOP ecosystem: a generated world loaded into every party's store.

``load_world(world, var_dir=...)`` writes the synthetic world into embedded SQLite stores (one
database per bank, the registers, the relations hub); ``mapping`` holds the synth → loader rows.
"""

from typing import Any

__all__ = ["LoadReport", "WorldMismatch", "load_world"]


def __getattr__(name: str) -> Any:
    """``load_world`` and its types on first use: ``dsop --help`` and ``dsop up --help`` need none of the stores."""
    if name in __all__:
        from opendsop.ecosystem import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
