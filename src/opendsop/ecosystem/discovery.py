# SPDX-License-Identifier: Apache-2.0
"""Where the local ecosystem is: ``--topology``, else ``DSOP_ECOSYSTEM``, else the nearest
``var/ecosystem.toml`` in the working directory or any directory above it (as git finds ``.git``),
so ``dsop case show …`` works from a sub-directory of the project too.

When none is found, :class:`NoEcosystem` says where it looked and how to make one.  Only
``dsop up`` without ``--topology`` (and ``dsop synth topology``) writes a new topology.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_TOPOLOGY = Path("var/ecosystem.toml")
ENVIRONMENT = "DSOP_ECOSYSTEM"


class NoEcosystem(LookupError):
    """No topology where one was named or looked for; the message names the places and the fix."""


def nearest(start: Path | None = None) -> Path | None:
    """The nearest ``var/ecosystem.toml`` at or above ``start`` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / DEFAULT_TOPOLOGY
        if candidate.is_file():
            return candidate
    return None


def find(explicit: Path | None = None, *, start: Path | None = None) -> Path:
    """The topology to use, or :class:`NoEcosystem` naming where it looked."""
    if explicit is not None:
        if not explicit.is_file():
            raise NoEcosystem(
                f"--topology {explicit} does not exist — write one with `dsop synth topology --out "
                f"{explicit}`, or drop --topology to use ./{DEFAULT_TOPOLOGY}"
            )
        return explicit
    named = os.environ.get(ENVIRONMENT)
    if named:
        if not Path(named).is_file():
            raise NoEcosystem(
                f"{ENVIRONMENT}={named} does not exist — point it at an ecosystem.toml, or unset it "
                f"to use the nearest {DEFAULT_TOPOLOGY}"
            )
        return Path(named)
    found = nearest(start)
    if found is None:
        here = (start or Path.cwd()).resolve()
        raise NoEcosystem(
            f"no ecosystem: {ENVIRONMENT} is unset and there is no {DEFAULT_TOPOLOGY} in {here} or "
            f"any directory above it — start one with `dsop up` (in the project directory), or set "
            f"{ENVIRONMENT} to its ecosystem.toml"
        )
    return found


__all__ = ["DEFAULT_TOPOLOGY", "ENVIRONMENT", "NoEcosystem", "find", "nearest"]
