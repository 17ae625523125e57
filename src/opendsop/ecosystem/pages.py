# SPDX-License-Identifier: Apache-2.0
"""The actors' pages of a local ecosystem: who may log in where, and one URL per actor to try.

* the agency pages (``agency-ui``, port 8085) serve every local agency: each gets one synthetic case
  handler holding the services its organisation may run (``service:<key>``), and the Skatteetaten
  agency also a user without any service (to see a refusal);
* the heirs of Digitalt dødsbo are read from the synthetic world's households: a deceased's fellow
  adult is the spouse, the household's children are children (Folkeregisteret's family relations
  stand-in; the registers party serves no relations yet);
* :func:`actor_urls` is what ``dsop up`` prints: one URL per actor with a synthetic login.
"""

from __future__ import annotations

from typing import Any

from opendsop.ecosystem.topology import Topology
from opendsop.synth.world import Population

# a memorable username per agency of the standard (organisation number → username)
USERNAMES = {
    "974760673": "bobestyrer",
    "991825827": "dodsbo",
    "986186999": "vergekontroll",
    "915429785": "etterforsker",
    "974761076": "skatt",
    "889640782": "nav",
}
NO_ACCESS = "uten.tilgang"


def staff_directory(topology: Topology) -> Any:
    from opendsop.standard.services.fi_utlegg import AN
    from opendsop.web import StaffDirectory, StaffUser, service_role

    # the alminnelig namsmann (Politiet) starts FI-Utlegg (AN) through Skatteetaten's Kontoforespørsel
    an = ("fi_utlegg_an",) if any("fi_utlegg" in agency.services for agency in topology.agencies) else ()
    users = [
        StaffUser(
            USERNAMES.get(agency.orgno, f"ansatt-{agency.orgno}"),
            f"Saksbehandler, {agency.name}",
            agency.orgno,
            tuple(service_role(service) for service in (*agency.services, *(an if agency.orgno == AN else ()))),
        )  # fmt: skip
        for agency in topology.agencies
    ]
    users.append(StaffUser(NO_ACCESS, "Uten tilgang (test)", topology.agencies[0].orgno, ()))
    return StaffDirectory(users)


def heir_registry(population: Population) -> Any:
    from opendsop.consumer.web.estates import Estate, HeirRegistry

    persons = {p.person_id: p for p in population.persons}
    households = {adult: household for household in population.households for adult in household.adults}
    estates: dict[str, list[Estate]] = {}
    for death in population.deaths:
        deceased = persons.get(death.person_id)
        name = f"{deceased.given_name} {deceased.family_name}" if deceased else death.person_id
        household = households.get(death.person_id)
        if household is None:
            continue
        for adult in household.adults:
            if adult != death.person_id:
                estates.setdefault(adult, []).append(Estate(death.person_id, name, "ektefelle"))
        for child in household.children:
            estates.setdefault(child, []).append(Estate(death.person_id, name, "barn"))
    return HeirRegistry(estates)


def agency_ui(topology: Topology, population: Population) -> Any:
    """The agency pages over the local agencies' runtimes and shared case store."""
    from opendsop.consumer.web.app import create_app
    from opendsop.consumer.workflows.runtime import open_runtime
    from opendsop.ecosystem.agencies import consumer_settings
    from opendsop.ecosystem.provision import Paths

    def runtime(service: str | None) -> Any:
        return open_runtime(service, consumer_settings(topology, service))

    return create_app(
        database_url=Paths.of(topology).database("cases"), runtime_factory=runtime,
        staff=staff_directory(topology), heirs=heir_registry(population),
        innsyn_url=f"http://{topology.host}:8056/innsyn",
    )  # fmt: skip


def actor_urls(topology: Topology, population: Population) -> list[tuple[str, str, str]]:
    """``(actor, URL, how to log in)`` for each actor's pages."""
    agency = topology.url("agency-ui")
    heir = next(iter(heir_registry(population).estates), None)
    first_bank = next((b for b in topology.banks if getattr(b, "control_api", True)), topology.banks[0])
    person = next((p.person_id for p in population.persons if p.date_of_death is None), "")
    rows = [
        ("Saksbehandler (Konkurs)", f"{agency}/cases/new/konkurs", "brukernavn bobestyrer"),
        ("Politi", f"{agency}/cases/new/politi", "brukernavn etterforsker"),
        ("Vergekontroll", f"{agency}/verge", "brukernavn vergekontroll"),
        ("Arving (Digitalt dødsbo)", f"{agency}/dodsbo", f"fødselsnummer {heir}" if heir else "ingen dødsfall"),
        ("Bankdrift", f"http://{topology.host}:{first_bank.port}/ops", "brukernavn drift"),
        ("Bankdrift: DSVE", f"http://{topology.host}:{first_bank.port}/ops/dsve", "brukernavn drift"),
        ("Innbygger: Mine samtykker", f"{topology.url('consent')}/my", f"fødselsnummer {person}"),
    ]
    if "megler-ui" in topology.ports:
        rows.append(("Eiendomsmegler (DSVE)", f"{topology.url('megler-ui')}/megler/", "brukernavn megler"))
    return rows


__all__ = ["NO_ACCESS", "USERNAMES", "actor_urls", "agency_ui", "heir_registry", "staff_directory"]
