"""Innsyn ("who looked me up"): a person logs in and sees every disclosure about them, across parties.

Federated like an agency's fan-out: nothing is copied into a central store.  For each party that may hold
disclosures about the person, the service mints a person-bound token (``contracts.audittoken``: ``sub`` is
the logged-in person, ``aud`` the party's log, one minute) and asks the party's audit API
(``POST /audit/v1/innsyn``).  Each party answers from its own log under its visibility rules; each entry
comes with its salt, body and an inclusion proof, which this service checks with the independent verifier
against the party's signed checkpoint (and the witness's cosignature when present) before showing it.
A party that does not answer is named, the rest still shown (NAV's dsop-api degrades the same way).

The parties are the ecosystem's banks and consent sources (from its catalogue of parties); the names of
organisations from the same.  ``GET /?format=json`` gives the same entries as JSON (the tour reads it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from litestar import Litestar, Request, Response, get

from opendsop.audit.signing import Signer
from opendsop.availability import Readiness, health_routes
from opendsop.contracts import audittoken
from opendsop.contracts.auditproof import Checkpoint, ProofError, check_signature, leaf_hash, verify_inclusion
from opendsop.serving import observe
from opendsop.standard import auditlog
from opendsop.web import WebKit

PAGE = "/innsyn"  # the person's list of who looked them up
TEXTS = {
    "nb": {
        "innsyn_heading": "Hvem har sett opplysningene mine",
        "innsyn_intro": "Utleveringer av opplysninger om deg fra bankene og kildene, slik hver av dem har logget dem.",
        "innsyn_caption": "Utleveringer om deg",
        "innsyn_when": "Når",
        "innsyn_who": "Hvem",
        "innsyn_holder": "Hos",
        "innsyn_service": "Tjeneste",
        "innsyn_basis": "Rettslig grunnlag",
        "innsyn_categories": "Opplysninger",
        "innsyn_consent": "Samtykke",
        "innsyn_proof": "Bevis",
        "innsyn_proven": "logget og uendret",
        "innsyn_unanswered": "Disse svarte ikke nå",
    },
    "en": {
        "innsyn_heading": "Who has looked me up",
        "innsyn_intro": "Disclosures about you by the banks and sources, as each of them logged them.",
        "innsyn_caption": "Disclosures about you",
        "innsyn_when": "When",
        "innsyn_who": "Who",
        "innsyn_holder": "At",
        "innsyn_service": "Service",
        "innsyn_basis": "Legal basis",
        "innsyn_categories": "Data",
        "innsyn_consent": "Consent",
        "innsyn_proof": "Proof",
        "innsyn_proven": "logged and unchanged",
        "innsyn_unanswered": "Did not answer now",
    },
}


@dataclass(frozen=True, slots=True)
class Holder:
    origin: str  # its log's name, the token's audience
    url: str  # the party's base URL (its audit API is under /audit/v1)
    name: str


@dataclass(slots=True)
class InnsynConfig:
    signer: Signer  # as issuer "innsyn"
    holders: Sequence[Holder]
    keys: Callable[[], Mapping[str, bytes]]  # the parties' and the witness's public keys
    names: Mapping[str, str] = field(default_factory=dict)  # organisation number → name
    witness: str = "witness"
    mounts: Mapping[str, Any] | None = None  # httpx transports per URL prefix (tests serve the parties in-process)


def check_entry(
    entry: Mapping[str, Any], checkpoint: Checkpoint | None, origin: str, keys: Mapping[str, bytes]
) -> str | None:
    """Why ``entry`` does not prove (None when it does): content → commitment → proof → signed root."""
    try:
        if checkpoint is None:
            return "no signed checkpoint"
        check_signature(checkpoint, origin, keys[origin])
        sequence, commitment = int(entry["sequence"]), bytes.fromhex(entry["commitment"])
        if entry.get("salt") and entry.get("body"):
            if auditlog.commitment(bytes.fromhex(entry["salt"]), sequence, entry["body"].encode()) != commitment:
                return "content differs from what was logged"
        leaf = leaf_hash(auditlog.leaf(sequence, commitment))
        verify_inclusion(
            sequence - 1, checkpoint.size, leaf, [bytes.fromhex(p) for p in entry["proof"]], checkpoint.root
        )
    except (ProofError, KeyError, ValueError, TypeError) as error:
        return str(error) or type(error).__name__
    return None


async def gather(config: InnsynConfig, person: str, now: datetime) -> tuple[list[dict[str, Any]], list[str]]:
    """Every visible disclosure about ``person``, each checked; and the holders that did not answer."""
    keys = config.keys()

    async def ask(http: httpx.AsyncClient, holder: Holder) -> tuple[Holder, Any]:
        token = config.signer.token({"sub": person, "aud": holder.origin, "scope": audittoken.SCOPE_INNSYN}, now=now)
        try:
            answer = await http.post(
                holder.url.rstrip("/") + "/audit/v1/innsyn", headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError:
            return holder, None
        return holder, answer.json() if answer.status_code == 200 else None

    async with httpx.AsyncClient(timeout=5, mounts=dict(config.mounts) if config.mounts else None) as http:
        answers = await asyncio.gather(*(ask(http, holder) for holder in config.holders))
    entries: list[dict[str, Any]] = []
    unanswered = [holder.name for holder, answer in answers if answer is None]
    for holder, answer in answers:
        if answer is None:
            continue
        checkpoint = Checkpoint.from_json(answer["checkpoint"]) if answer.get("checkpoint") else None
        for entry in answer.get("entries", []):
            problem = check_entry(entry, checkpoint, holder.origin, keys)
            who = entry.get("consumer_org") or ""
            entries.append(
                {
                    "origin": holder.origin,
                    "sequence": entry["sequence"],
                    "case": entry.get("case"),
                    "when": datetime.fromisoformat(entry["when"]),
                    "who": f"{config.names.get(who, who)} ({who})" if who else "",
                    "holder": holder.name,
                    "service": entry.get("service") or "",
                    "basis": entry.get("legal_basis") or "",
                    "categories": entry.get("categories") or [],
                    "consent": entry.get("consent_id"),
                    "visibility": entry.get("visibility"),
                    "proven": problem is None,
                    "problem": problem,
                    "witnessed": bool(checkpoint and any(s.name == config.witness for s in checkpoint.signatures)),
                }
            )
    return _grouped(entries), unanswered


def _grouped(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per request at one party (its records: one per endpoint), newest first."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for entry in sorted(entries, key=lambda e: e["when"]):
        key = (entry["origin"], entry["who"], entry["service"], entry.pop("case", None) or entry["sequence"])
        group = groups.get(key)
        if group is None:
            groups[key] = {**entry, "categories": list(entry["categories"]), "sequences": [entry["sequence"]]}
            continue
        group["categories"] += [c for c in entry["categories"] if c not in group["categories"]]
        group["sequences"].append(entry["sequence"])
        group["proven"] = group["proven"] and entry["proven"]
        group["problem"] = group["problem"] or entry["problem"]
        group["witnessed"] = group["witnessed"] and entry["witnessed"]
    return sorted(groups.values(), key=lambda e: e["when"], reverse=True)


def create_app(
    config: InnsynConfig, *, secret: str | None = None, clock: Callable[[], datetime] | None = None
) -> Litestar:
    from opendsop.clock import utc_now

    now = clock or utc_now
    kit = WebKit(
        title={"nb": "Innsyn", "en": "Innsyn"},
        templates=_templates(),
        texts=TEXTS,
        persons=True,
        secret=secret,
        clock=now,
        home=PAGE,
    )

    @get(PAGE)  # "/" is the party's own page (opendsop.party_pages), which links here
    async def page(request: Request[Any, Any, Any]) -> Response[Any]:
        session = kit.require(request, kind="person")  # expired or absent: to the login; staff: refused
        assert session.subject is not None
        entries, unanswered = await gather(config, session.subject, now())
        if request.query_params.get("format") == "json":
            rows = [{**e, "when": e["when"].isoformat()} for e in entries]
            return Response({"entries": rows, "unanswered": unanswered}, headers={"Cache-Control": "no-store"})
        return kit.render(request, "innsyn.html", session=session, entries=entries, unanswered=unanswered)

    return observe(
        Litestar(route_handlers=[kit.router([page]), *health_routes(Readiness())], logging_config=None),
        "innsyn",
        title="Innsyn — who looked me up",
    )


def _templates() -> Any:
    from pathlib import Path

    return Path(__file__).resolve().parent / "templates"


__all__ = ["Holder", "InnsynConfig", "check_entry", "create_app", "gather"]
