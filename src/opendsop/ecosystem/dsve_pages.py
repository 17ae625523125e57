# SPDX-License-Identifier: Apache-2.0
"""The DSVE actors' pages in a local ecosystem: the estate agent's app and the banks' ``/ops/dsve`` sections.

The DSVE actors (``EstateAgent``, ``BankDesk``) live as long as the story that made them; each story run
in this process records them in :data:`ACTIVITY`, and the pages read it.  ``dsop up --tour`` therefore
shows the tour's sale and founding; a sale started on the agent's page runs the same story as
``dsop dsve sale`` (dsve_tour._eiendom), for the unit chosen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from opendsop.megler.agent import EstateAgent, Oppdrag
from opendsop.provider.dsve import BankDesk

OFFERED = 20  # units listed in the start form


@dataclass
class Activity:
    agents: list[EstateAgent] = field(default_factory=list)
    desks: list[BankDesk] = field(default_factory=list)

    def sales(self) -> Iterator[Oppdrag]:
        for agent in self.agents:
            yield from agent.sales.values()


ACTIVITY = Activity()


def bank_section(orgno: str) -> Any:
    """``ops_sections`` entry for a bank: its DSVE desk at ``/ops/dsve``."""
    from opendsop.provider.dsve_pages import add_dsve_section

    def add(console: Any) -> None:
        add_dsve_section(console, lambda: ACTIVITY.desks)

    return add


def megler_ui(topology: Any, provisioned: Any, world: Any, population: Any) -> Any:
    """The estate agent's app (``megler-ui``): its sales, and a form over the world's mortgaged houses."""
    from rich.console import Console

    from opendsop.ecosystem import dsve_seed
    from opendsop.ecosystem.load import LoadReport
    from opendsop.ecosystem.runner import Running
    from opendsop.ecosystem.tour import TourReport
    from opendsop.megler.pages import create_app

    banks = {b.orgno for b in topology.banks}
    seeded: list[Any] = []  # the world's grunnbok rows, read once on the first visit

    async def units() -> list[tuple[str, str]]:
        if not seeded:
            seeded.extend(dsve_seed.grunnbok_rows(population)[0])
        sold = {sale.enhet.key for sale in ACTIVITY.sales()}
        listed = [
            u
            for u in seeded
            if len(banks) > 1 and u.heftelser[0].panthaver.id in banks and u.registerenhet().key not in sold
        ]
        return [(u.enhet, f"{u.kommunenavn or ''} {u.enhet}".strip()) for u in listed[:OFFERED]]

    async def start(enhet: str) -> None:
        from opendsop.ecosystem.dsve_tour import _eiendom

        running = Running(topology, provisioned, world, LoadReport(topology.preset, topology.seed, world.today,
                                                                   False, topology.var_dir))  # fmt: skip
        await _eiendom(running, population, Console(quiet=True), TourReport(), enhet=enhet)

    megler = dsve_seed.MEGLER
    return create_app(name=megler.navn, orgno=megler.id, sales=ACTIVITY.sales, units=units, start=start)


__all__ = ["ACTIVITY", "Activity", "bank_section", "megler_ui"]
