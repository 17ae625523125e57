"""A party's audit API: what the person it is about, the prosecution and its auditors may ask its log.

* ``POST /audit/v1/innsyn`` (person-bound token, ``dsop:innsyn``) → the disclosures about the token's
  person that the visibility rules (``standard.innsyn``) let them see today, each with its salt, body and
  an inclusion proof against a signed checkpoint, so the person can check it was logged and not changed.
  Embargoed entries are dropped *before* anything is counted, paged or proven: the answer is the same as
  if they did not exist.
* ``POST /audit/v1/lifts`` (``dsop:audit.lift``, ``{"lift": AccountInfoRequestID}`` in the token) → the
  prosecution lifts the embargo of a case; kept as a record of its own (201).
* ``GET /audit/v1/records?case=&consumer=&service=&after=&limit=`` (``dsop:audit.read``) → records for
  the party's auditors; ``GET /audit/v1/checkpoints`` → the signed checkpoints (public: no personal data).

Refusals are ``{code, message}``: 401 ``AUD-001`` without a valid token, 403 ``AUD-002`` for the wrong
scope, 400 ``AUD-003`` for bad parameters, 404 ``AUD-005`` for a lift of a case the party never saw.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from litestar import Request, Response, get, post

from opendsop.audit.log import AuditRecord, MerkleLog, StoredRecord
from opendsop.clock import oslo_date
from opendsop.contracts import audittoken
from opendsop.standard import innsyn

LIFT_ENDPOINT = "embargo-lift"
_CATEGORIES = {  # the Control API's endpoints (standard.endpoints) as the data a person recognises
    "accountList": "kontoer",
    "accountDetails": "kontodetaljer",
    "transactions": "transaksjoner",
    "cards": "kort",
    "roles": "roller",
}


def _problem(status: int, code: str, message: str) -> Response[dict[str, str]]:
    return Response({"code": code, "message": message}, status_code=status)


def trusted_keys(keys_file: str | None) -> dict[str, bytes]:
    if not keys_file or not Path(keys_file).exists():
        return {}
    return {name: base64.b64decode(key) for name, key in json.loads(Path(keys_file).read_text("utf-8")).items()}


def categories(record: AuditRecord) -> list[str]:
    return list(record.categories) or [_CATEGORIES.get(record.endpoint, record.endpoint)]


def visible_entries(rows: list[StoredRecord], today: Any) -> list[StoredRecord]:
    """The disclosures a person may see today, lift records applied and then dropped."""
    lifted = {row.record.lifts for row in rows if row.record.endpoint == LIFT_ENDPOINT and row.record.lifts}
    return [
        row
        for row in rows
        if row.record.endpoint != LIFT_ENDPOINT
        and row.record.outcome == "allowed"
        and innsyn.visible(
            row.record.service,
            consent_id=row.record.consent_id,
            embargo_until=row.record.embargo_until,
            lifted=row.record.account_info_request_id in lifted,
            today=today,
        )
    ]


def audit_routes(  # noqa: C901 - one closure per route
    get_log: Callable[[], MerkleLog | None], *, keys_file: str | None, clock: Callable[[], datetime]
) -> list[Any]:
    """The handlers, reading the log through ``get_log`` (built at the party's startup)."""

    def authorise(request: Request[Any, Any, Any], log: MerkleLog, scope: str) -> dict[str, Any] | Response[Any]:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            return _problem(401, "AUD-001", "a bearer token is required")
        try:
            return audittoken.check(
                header[7:].strip(), trusted_keys(keys_file), audience=log.origin, scope=scope, now=clock()
            )
        except audittoken.TokenRefused as refused:
            status = 403 if "scope" in str(refused) else 401
            return _problem(status, "AUD-002" if status == 403 else "AUD-001", str(refused))

    def opened(request: Request[Any, Any, Any], scope: str) -> tuple[MerkleLog, dict[str, Any]] | Response[Any]:
        """The log and the caller's claims, or the refusal to answer with."""
        log = get_log()
        if log is None:
            return _problem(503, "AUD-004", "the audit log is not open yet")
        claims = authorise(request, log, scope)
        return claims if isinstance(claims, Response) else (log, claims)

    @post("/audit/v1/innsyn", status_code=200)
    async def person_entries(request: Request[Any, Any, Any]) -> Response[Any]:
        found = opened(request, audittoken.SCOPE_INNSYN)
        if isinstance(found, Response):
            return found
        log, claims = found
        person = str(claims.get("sub", ""))
        rows = await _about(log, person)
        entries = visible_entries(rows, oslo_date(clock()))
        checkpoint = await _covering(log, max((row.sequence for row in entries), default=0))
        tree = await log.tree()
        raw = {row.sequence: row for row in await log.rows_at(row.sequence for row in entries)}
        answer = []
        for row in entries:
            record, stored = row.record, raw[row.sequence]
            rule = innsyn.rule_for(record.service)
            answer.append(
                {
                    "sequence": row.sequence,
                    "when": record.recorded_at.isoformat(),
                    "consumer_org": record.consumer_org,
                    "service": record.service,
                    "case": record.account_info_request_id,
                    "legal_basis": unquote(record.legal_mandate) if record.legal_mandate else rule.basis,
                    "visibility": rule.visibility.value,
                    "categories": categories(record),
                    "consent_id": record.consent_id,
                    "commitment": row.commitment,
                    "salt": stored.salt.hex() if stored.salt else None,
                    "body": stored.body.decode() if stored.body else None,
                    "proof": [node.hex() for node in tree.inclusion_proof(row.sequence - 1, checkpoint.size)]
                    if checkpoint
                    else [],
                }
            )
        return Response(
            {"origin": log.origin, "checkpoint": checkpoint.to_json() if checkpoint else None, "entries": answer}
        )

    @post("/audit/v1/lifts", status_code=201)
    async def lift(request: Request[Any, Any, Any]) -> Response[Any]:
        found = opened(request, audittoken.SCOPE_LIFT)
        if isinstance(found, Response):
            return found
        log, claims = found
        case = claims.get("lift")
        if not isinstance(case, str) or not case:
            return _problem(400, "AUD-003", "the lift names no case (claim 'lift': the AccountInfoRequestID)")
        subjects = {row.record.party_id for row in await log.records(account_info_request_id=case, limit=10_000)}
        if not subjects:
            return _problem(404, "AUD-005", "this party has no records of that case")
        targets: list[str | None] = [*sorted(s for s in subjects if s)] or [None]
        for subject in targets:
            await log.append(
                AuditRecord(
                    recorded_at=clock(),
                    account_info_request_id=case,
                    consumer_org=str(claims.get("iss")),
                    service="politi",
                    endpoint=LIFT_ENDPOINT,
                    party_id=subject,
                    outcome="allowed",
                    status=201,
                    lifts=case,
                )
            )
        return Response({"lifted": case}, status_code=201)

    @get("/audit/v1/records")
    async def records(request: Request[Any, Any, Any]) -> Response[Any]:
        found = opened(request, audittoken.SCOPE_READ)
        if isinstance(found, Response):
            return found
        log, claims = found
        query = request.query_params
        try:
            after, limit = int(query.get("after", 0)), min(int(query.get("limit", 100)), 1000)
        except ValueError:
            return _problem(400, "AUD-003", "after and limit must be whole numbers")
        rows = await log.records(
            account_info_request_id=query.get("case"),
            after=after,
            limit=limit,
            consumer_org=query.get("consumer"),
            service=query.get("service"),
        )
        import msgspec

        return Response(
            [
                {"sequence": row.sequence, "commitment": row.commitment, **msgspec.to_builtins(row.record)}
                for row in rows
            ]
        )

    @get("/audit/v1/checkpoints")
    async def checkpoints() -> Response[Any]:
        log = get_log()
        if log is None:
            return _problem(503, "AUD-004", "the audit log is not open yet")
        return Response([checkpoint.to_json() for checkpoint in await log.checkpoints()])

    return [person_entries, lift, records, checkpoints]


async def _about(log: MerkleLog, person: str) -> list[StoredRecord]:
    search = log.records
    try:
        return list(await search(subject=person, limit=100_000))
    except TypeError:  # the in-memory log has no subject index
        return [row for row in await search(limit=100_000) if row.record.party_id == person]


async def _covering(log: MerkleLog, sequence: int) -> Any:
    """A signed checkpoint that covers ``sequence`` (signed now if none does yet); None for an unsigned log."""
    if log.signer is None:
        return None
    stored = await log.checkpoints()
    if stored and stored[-1].size >= sequence:
        return stored[-1]
    return await log.checkpoint()


__all__ = ["LIFT_ENDPOINT", "audit_routes", "categories", "trusted_keys", "visible_entries"]
