"""Every party's verifiable audit log in the local ecosystem: where it lives and which key signs it.

A party's log is named by its origin (``bank-<orgno>``, ``source-<name>``); its database is the party's
own, its Ed25519 checkpoint key ``var/audit/<origin>.key`` (made on first use), and the public keys of
all of them are published in ``var/audit/keys.json`` for the witness and for auditors.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from opendsop.audit.signing import Signer
from opendsop.ecosystem.provision import Paths
from opendsop.ecosystem.topology import Topology
from opendsop.files import write_private

WITNESS = "witness"
ISSUERS = ("innsyn", "prosecution", "auditor")  # who may call the parties' audit API (contracts.audittoken)
SOURCE_LOGS = ("skatteetaten", "lanekassen", "nav", "krav")


@dataclass(frozen=True, slots=True)
class PartyLog:
    origin: str
    database: str
    name: str  # a person's name of the party


def audit_dir(topology: Topology) -> Path:
    return topology.var_dir / "audit"


def party_logs(topology: Topology) -> list[PartyLog]:
    """Every party of ``topology`` that keeps a verifiable audit log."""
    paths = Paths.of(topology)
    logs = [PartyLog(f"bank-{bank.orgno}", topology.bank_database(bank), bank.name) for bank in topology.banks]
    logs.append(PartyLog("registers", paths.database("registers"), "Folkeregisteret"))
    logs += [PartyLog(f"source-{name}", paths.database(f"source-{name}"), name) for name in SOURCE_LOGS]
    logs.append(PartyLog("altinn", paths.database("altinn"), "Altinn"))  # every letter sent (altinn.app)
    logs += [  # the agencies' own logs of what they fetched (consumer.workflows.runtime)
        PartyLog(f"agency-{a.orgno}", paths.database(f"audit-agency-{a.orgno}"), a.name) for a in topology.agencies
    ]
    return logs


def party_log(topology: Topology, origin: str) -> PartyLog:
    for log in party_logs(topology):
        if log.origin == origin:
            return log
    known = ", ".join(log.origin for log in party_logs(topology))
    raise ValueError(f"no party {origin!r} keeps an audit log in {topology.path} — one of: {known}")


def signer(topology: Topology, origin: str) -> Signer:
    """The checkpoint key of ``origin`` (made on first use), published in ``keys.json``."""
    made = Signer.from_file(origin, audit_dir(topology) / f"{origin}.key", create=True)
    keys = public_keys(topology)
    if keys.get(origin) != made.public_key:
        keys[origin] = made.public_key
        write_private(
            audit_dir(topology) / "keys.json",
            json.dumps({name: base64.b64encode(key).decode() for name, key in sorted(keys.items())}, indent=1),
        )
    return made


def public_keys(topology: Topology) -> dict[str, bytes]:
    path = audit_dir(topology) / "keys.json"
    if not path.exists():
        return {}
    return {name: base64.b64decode(key) for name, key in json.loads(path.read_text(encoding="utf-8")).items()}


def provision_keys(topology: Topology) -> dict[str, bytes]:
    """Every party's and the witness's key, made if missing; returns the public keys."""
    for log in party_logs(topology):
        signer(topology, log.origin)
    for name in (WITNESS, *ISSUERS):
        signer(topology, name)
    return public_keys(topology)


class AuditSettings(TypedDict):
    """The three settings every party with a log takes (``audit_key_file``, ``witness_url``, ``audit_keys_file``)."""

    audit_key_file: str
    witness_url: str
    audit_keys_file: str


def audit_settings(topology: Topology, origin: str) -> AuditSettings:
    """A party's settings for its log: its key file (published now), the witness, and the issuers' keys."""
    signer(topology, origin)
    return AuditSettings(
        audit_key_file=str(audit_dir(topology) / f"{origin}.key"),
        witness_url=topology.url("witness"),
        audit_keys_file=str(audit_dir(topology) / "keys.json"),
    )


def audit_apps(topology: Topology) -> dict[str, Any]:
    """The witness (every party's key registered) of ``topology``."""
    from opendsop.audit.witness import Witness
    from opendsop.audit.witness_app import create_app

    keys = provision_keys(topology)
    witness = Witness(signer(topology, WITNESS), keys, audit_dir(topology) / "witness.json")
    return {"witness": create_app(witness), "innsyn": innsyn_app(topology)}


def holders(topology: Topology) -> list[Any]:
    """The parties that may hold disclosures about a person: every bank and consent source."""
    from opendsop.audit.innsyn_app import Holder

    found = [Holder(f"bank-{b.orgno}", f"http://{topology.host}:{b.port}", b.name) for b in topology.banks]
    found.append(Holder("registers", topology.url("registers"), "Folkeregisteret"))
    return found + [Holder(f"source-{name}", topology.url(name), name.capitalize()) for name in SOURCE_LOGS]


def innsyn_app(topology: Topology) -> Any:
    from opendsop.audit.innsyn_app import InnsynConfig, create_app

    names = {agency.orgno: agency.name for agency in topology.agencies}
    names.update({bank.orgno: bank.name for bank in topology.banks})
    config = InnsynConfig(
        signer=signer(topology, "innsyn"),
        holders=holders(topology),
        keys=lambda: public_keys(topology),
        names=names,
    )
    return create_app(config)


__all__ = [
    "WITNESS",
    "audit_apps",
    "audit_settings",
    "PartyLog",
    "audit_dir",
    "party_log",
    "party_logs",
    "provision_keys",
    "public_keys",
    "signer",
]
