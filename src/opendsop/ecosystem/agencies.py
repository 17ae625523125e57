# SPDX-License-Identifier: Apache-2.0
"""The agencies of a local ecosystem as consumer settings, so ``dsop case …`` finds them by itself.

``dsop case`` uses ``DSOP_CONSUMER_*`` when ``DSOP_CONSUMER_ORGNO`` is set (an agency's real
configuration); otherwise it looks for a topology (``DSOP_ECOSYSTEM``, else the nearest
``var/ecosystem.toml`` upwards from the working directory: ``discovery.py``) and acts as the local
agency that runs the case's service, with the keys ``dsop up`` derived.  The
local agencies share one case store (``var/cases.db``) so ``show``/``export``/``resume`` need no
agency named.
"""

from __future__ import annotations

import os
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from opendsop.consumer.settings import ConsumerSettings
from opendsop.consumer.workflows.runtime import Runtime, open_runtime
from opendsop.ecosystem import discovery
from opendsop.ecosystem.provision import Paths
from opendsop.ecosystem.topology import Topology, read
from opendsop.standard.services import FI_UTLEGG, FI_UTLEGG_AN


def topology_path() -> Path:
    """The local ecosystem's topology (discovery.py); when there is none, where it would be (it may not exist)."""
    try:
        return discovery.find()
    except discovery.NoEcosystem:
        return Path(os.environ.get(discovery.ENVIRONMENT) or discovery.DEFAULT_TOPOLOGY)


def consumer_settings(topology: Topology, service: str | None) -> ConsumerSettings:
    """The settings of the local agency running ``service`` (None: the first agency; any reads the case store)."""
    from opendsop.ecosystem.audit_side import audit_settings

    paths = Paths.of(topology)
    on_behalf_of = None
    if service == FI_UTLEGG_AN.key:
        # the alminnelig namsmann asks through Skatteetaten's Kontoforespørsel: Skatteetaten's client as supplier,
        # Politiet's consumer (the banks encrypt for it, so the component holds its decryption key)
        agency = topology.agency_for(FI_UTLEGG.key)
        on_behalf_of = next(iter(FI_UTLEGG_AN.consumer_orgs))
        encryption = paths.agency(on_behalf_of) / "encryption.pem"
    else:
        agency = topology.agency_for(service) if service else topology.agencies[0]
        encryption = paths.agency(agency.orgno) / "encryption.pem"
    directory = paths.agency(agency.orgno)
    authority = topology.url("authority")
    return ConsumerSettings(
        orgno=agency.orgno,
        on_behalf_of=on_behalf_of,
        client_id=agency.client_id,
        token_issuer=authority + "/",
        token_endpoint=authority + "/token",
        grant_key=directory / "grant.pem",
        encryption_key=encryption,
        catalogue_url=topology.url("relations"),
        relations_url=topology.url("relations"),
        registers_url=topology.url("registers"),
        database_url=paths.database("cases"),
        environment="test",
        name=agency.name,
        altinn_url=topology.url("altinn") if "altinn" in topology.ports else None,  # digital letters
        audit_database_url=paths.database(f"audit-agency-{agency.orgno}"),
        audit_key_file=audit_settings(topology, f"agency-{agency.orgno}")["audit_key_file"],
        witness_url=topology.url("witness") if "witness" in topology.ports else None,
    )


def local_settings(service: str | None, topology: Path | None = None) -> ConsumerSettings | None:
    """The local ecosystem's agency for ``service`` (the ``topology`` named, else found by discovery.py) when no
    agency is configured by environment, else None; a named topology wins over the environment."""
    if topology is None and os.environ.get("DSOP_CONSUMER_ORGNO"):
        return None
    path = discovery.find(topology)  # none: one line naming where it looked
    settings = consumer_settings(read(path), service)
    # `dsop up` derives the agencies' keys when it first starts
    if settings.grant_key is not None and not settings.grant_key.exists():
        raise discovery.NoEcosystem(
            f"the ecosystem of {path} has not been started yet (no agency keys under "
            f"{settings.grant_key.parent.parent}) — start it with `dsop up`"
        )
    return settings


def runtime_factory(service: str | None, topology: Path | None = None) -> AbstractAsyncContextManager[Runtime]:
    """``dsop case``'s runtime: the configured agency, or the local ecosystem's agency for ``service``
    (``--topology``, else discovered; a missing or broken topology fails with a one-line error naming where it
    looked)."""
    return open_runtime(service, local_settings(service, topology))


__all__ = ["consumer_settings", "local_settings", "runtime_factory", "topology_path"]
