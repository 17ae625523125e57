"""The API catalogue endpoints and the stand-in's internal KAR feed (DSOP “Architecture document” step 4).

* ``GET /catalogue/kontrollinformasjon?environment=test[&validOn=YYYY-MM-DD]`` — the list, in the
  shape of the Altinn "BITS kontrollinformasjon" dataset (open: the entries are public URLs);
* ``PUT /catalogue/kontrollinformasjon`` — register or replace one entry (admin token);
* ``POST /internal/kar/relations`` — a JSON list of account-level relations that NICS banks report
  to KAR (admin token); the synthetic-data generator's way in, next to ``load_kar_relations``.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post, put

from opendsop.contracts.catalogue import ENVIRONMENTS, CatalogueEntry, InvalidEntry
from opendsop.relations.app import hub, require_admin
from opendsop.relations.errors import JSON, HubError
from opendsop.relations.kar import KarRow, load_kar_relations
from opendsop.relations.sources import Role
from opendsop.standard.json_body import load_json
from opendsop.standard.values import parse_date
from opendsop.standard.wire import encode

MAX_ADMIN_BODY = 32 * 1024 * 1024


@get("/catalogue/kontrollinformasjon")
async def list_catalogue(request: Request[Any, Any, Any]) -> Response[bytes]:
    env = request.query_params.get("environment")
    if env is not None and env not in ENVIRONMENTS:
        raise HubError(400, "ERR-400", f"environment must be one of {', '.join(ENVIRONMENTS)}, got {env[:20]!r}")
    raw_day: str = request.query_params.get("validOn") or ""
    try:
        day = parse_date(raw_day, parameter="validOn") if raw_day else None
    except ValueError:
        raise HubError(400, "ERR-400", f"validOn must be a date YYYY-MM-DD, got {raw_day[:20]!r}") from None
    entries = await hub(request).catalogue.list(env, valid_on=day)
    return Response(encode([entry.as_dict() for entry in entries]), media_type=JSON)


@put("/catalogue/kontrollinformasjon")
async def register_catalogue(request: Request[Any, Any, Any]) -> Response[bytes]:
    require_admin(request)
    try:
        entry = CatalogueEntry.from_dict(await _json(request))
    except InvalidEntry as error:
        raise HubError(400, "ERR-400", str(error)) from None
    created = await hub(request).catalogue.put(entry)
    return Response(encode(entry.as_dict()), status_code=201 if created else 200, media_type=JSON)


async def _json(request: Request[Any, Any, Any]) -> Any:
    try:
        return load_json(await request.body(), max_bytes=MAX_ADMIN_BODY)
    except ValueError as error:  # not JSON, or over the size or depth limit
        raise HubError(400, "ERR-400", f"the body is not valid JSON: {error}") from None


def _kar_row(item: Any, index: int) -> KarRow:
    if not isinstance(item, dict):
        raise HubError(400, "ERR-400", f"$[{index}] must be an object")
    try:
        end = item.get("endDate")
        return KarRow(
            customer_id=str(item["customerID"]),
            org_no=str(item["organizationID"]),
            account_no=str(item["accountNumber"]),
            role=Role(str(item["role"])),
            start=parse_date(item["startDate"], parameter="startDate"),
            end=parse_date(end, parameter="endDate") if end else None,
            bank_name=str(item["bankName"]) if item.get("bankName") else None,
            nics_reachable=bool(item.get("nicsReachable", True)),
        )
    except KeyError as missing:
        raise HubError(400, "ERR-400", f"$[{index}].{missing.args[0]} is required") from None
    except ValueError as error:
        raise HubError(400, "ERR-400", f"$[{index}]: {error}") from None


@post("/internal/kar/relations", request_max_body_size=MAX_ADMIN_BODY)
async def load_kar(request: Request[Any, Any, Any]) -> Response[bytes]:
    require_admin(request)
    document = await _json(request)
    if not isinstance(document, list):
        raise HubError(400, "ERR-400", "the body must be a JSON list of relations")
    rows = [_kar_row(item, index) for index, item in enumerate(document)]
    loaded = await load_kar_relations(hub(request).db, rows)
    return Response(encode({"loaded": loaded}), status_code=201, media_type=JSON)


ROUTES = [list_catalogue, register_catalogue, load_kar]

__all__ = ["ROUTES"]
