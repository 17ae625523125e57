# SPDX-License-Identifier: Apache-2.0
"""The back office of the local ecosystem's banks: ``dsop guarantee`` and ``dsop bank letters`` act as a bank
of the topology (its client id and grant key from ``provision``) when no bank is configured by environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opendsop.ecosystem import message_platform
from opendsop.ecosystem.provision import Paths, bank_client_id
from opendsop.ecosystem.topology import Topology

SVV = message_platform.SVV  # Statens vegvesen: the løyveregister's sender on the message platform
SVV_CLIENT_ID = f"svv-{SVV}"  # its client at the token service (provision.py registers it)


def svv_key(topology: Topology) -> Path:
    """Statens vegvesen's grant key at the token service (its client sends the register's letters)."""
    return Paths.of(topology).keys / "svv" / "grant.pem"


def backoffice_settings(topology: Topology, orgno: str | None = None, *, without_api: bool = False) -> Any:
    """The back-office settings of ``orgno`` (default: the topology's first bank; ``without_api``: its first bank
    without a Control API, the one agencies send digital letters to, when there is one)."""
    from opendsop.backoffice.settings import BackofficeError, BackofficeSettings

    if orgno is None and without_api:
        orgno = next((b.orgno for b in topology.banks if not b.control_api), None)
    bank = next((b for b in topology.banks if orgno in (None, b.orgno)), None)
    if bank is None:
        raise BackofficeError(f"no bank {orgno} in the local ecosystem — name one of its banks")
    fields: dict[str, Any] = {
        "org": bank.orgno,
        "name": bank.name,
        "client_id": bank_client_id(bank.orgno),
        "key_file": Paths.of(topology).bank(bank.orgno) / "grant.pem",
        "authority_url": topology.url("authority") + "/",
        "registers_url": topology.url("registers"),
    }
    if "altinn" in topology.ports:
        fields["altinn_url"] = topology.url("altinn")
    return BackofficeSettings.model_validate(fields)


def local_backoffice_settings(*, without_api: bool = False) -> Any:
    """The local ecosystem's first bank (``without_api``: the first without a Control API) when a topology is
    found, else None (the environment only)."""
    from opendsop.backoffice.settings import BackofficeError
    from opendsop.ecosystem.agencies import topology_path
    from opendsop.ecosystem.topology import TopologyError, read

    path = topology_path()
    if not path.exists():
        return None
    try:
        return backoffice_settings(read(path), without_api=without_api)
    except TopologyError as error:
        raise BackofficeError(str(error)) from None


def ops_sections(topology: Topology, orgno: str) -> tuple[Any, ...]:
    """The bank console's digital letters and transport guarantees, with the bank's back-office settings."""
    from opendsop.backoffice.ops_console import GuaranteesSection, LettersSection

    settings = backoffice_settings(topology, orgno)
    return (LettersSection(settings), GuaranteesSection(settings))


__all__ = ["SVV", "ops_sections", "SVV_CLIENT_ID", "backoffice_settings", "local_backoffice_settings", "svv_key"]
