# SPDX-License-Identifier: Apache-2.0
"""The local ecosystem's pension institutions as ``dsop otp`` settings (Ajourhold av OTP).

``dsop otp`` uses ``DSOP_PENSION_*`` when ``DSOP_PENSION_ORGNO`` is set; otherwise it acts as the local
ecosystem's institution named by ``--institution`` (one of ``synth.aordning.INSTITUTIONS``), with the grant key
``dsop up`` derived and registered at the token service (``provision.py``).
"""

from __future__ import annotations

import os

from opendsop.ecosystem import discovery
from opendsop.ecosystem.consent_side import source_audience
from opendsop.ecosystem.provision import Paths, pension_client_id
from opendsop.ecosystem.topology import Topology, read
from opendsop.pension.client import PensionError
from opendsop.pension.settings import PensionSettings
from opendsop.synth.aordning import INSTITUTIONS


def pension_settings(topology: Topology, institution: str) -> PensionSettings:
    known = dict(INSTITUTIONS)
    if institution not in known:
        raise PensionError(
            f"{institution} is no pension institution of the local ecosystem — use one of {', '.join(known)}"
        )
    paths = Paths.of(topology)
    authority = topology.url("authority")
    return PensionSettings(
        orgno=institution,
        client_id=pension_client_id(institution),
        grant_key=paths.pension(institution) / "grant.pem",
        token_issuer=authority + "/",
        token_endpoint=authority + "/token",
        skatteetaten_url=topology.url("skatteetaten"),
        skatteetaten_audience=source_audience(topology, "skatteetaten"),
        nav_url=topology.url("nav"),
        nav_audience=source_audience(topology, "nav"),
        database_url=paths.database(f"pension-{institution}"),
    )


def local_pension_settings(institution: str) -> PensionSettings:
    """``DSOP_PENSION_*`` when configured, else the local ecosystem's institution."""
    if os.environ.get("DSOP_PENSION_ORGNO"):
        settings = PensionSettings()  # type: ignore[call-arg]  # from the environment
        if settings.orgno != institution:
            raise PensionError(f"--institution {institution} is not DSOP_PENSION_ORGNO {settings.orgno} — use that")
        return settings
    path = discovery.find()
    settings = pension_settings(read(path), institution)
    if not settings.grant_key.exists():
        raise discovery.NoEcosystem(f"the ecosystem of {path} has no institution keys yet — start it with `dsop up`")
    return settings


__all__ = ["local_pension_settings", "pension_settings"]
