# SPDX-License-Identifier: Apache-2.0
"""Every body the bank sent, validated against the published contract (Bank_v2.yaml / Bank_v1.yaml).

The contracts are not shipped inside the package (their licence is not stated where they are
published): the kit finds them in ``--contract-dir``, ``DSOP_REFERENCE_DIR``, or a
``shared/reference/openapi`` (or ``reference/openapi``) directory next to the working directory or
one of its parents.  Without one, the schema checks are skipped and say how to provide it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from opendsop.conformance.context import JSON, Context
from opendsop.conformance.model import Check, Failed, Severity, Skipped

OPERATIONS = ("listAccounts", "showAccountById", "listTransactions", "listCards", "listRoles")
_CANDIDATES = ("shared/reference/openapi", "reference/openapi")


def find_contract(version: str, explicit: Path | None = None) -> Path | None:
    name = f"Bank_{version}.yaml"
    places: list[Path] = []
    if explicit is not None:
        places.append(explicit)
    if os.environ.get("DSOP_REFERENCE_DIR"):
        places.append(Path(os.environ["DSOP_REFERENCE_DIR"]))
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        places += [folder / candidate for candidate in _CANDIDATES]
        places += [folder.parent / candidate for candidate in _CANDIDATES[:1]]
    for place in places:
        if (place / name).is_file():
            return place / name
    return None


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, Any]:
    import yaml  # type: ignore[import-untyped]

    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ValueError(f"{path} is not an OpenAPI document")
    return document


def _openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema (the rest of 3.0's schema object is draft-4 compatible)."""
    if isinstance(node, list):
        return [_openapi_to_jsonschema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _openapi_to_jsonschema(value) for key, value in node.items() if key not in ("example", "nullable")}
    if node.get("nullable") is True:
        return {"anyOf": [out, {"type": "null"}]}
    return out


def response_validator(path: Path, operation: str, status: int) -> Callable[[Any], list[str]] | None:
    """A function giving the schema errors of a JSON body for ``operation``'s ``status`` (or ``default``)."""
    import jsonschema_rs

    document = _load(path)
    for item in (document.get("paths") or {}).values():
        get = (item or {}).get("get") or {}
        if get.get("operationId") != operation:
            continue
        responses = get.get("responses") or {}
        response = responses.get(str(status)) or responses.get(status) or responses.get("default")
        if not response:
            return None
        content = response.get("content") or {}
        media = content.get(JSON) or next(iter(content.values()), None)
        if not media or "schema" not in media:
            return None
        schema = {
            **_openapi_to_jsonschema(media["schema"]),
            "components": _openapi_to_jsonschema(document.get("components") or {}),
        }
        validator = jsonschema_rs.Draft4Validator(schema)

        def errors(body: Any, validator: Any = validator) -> list[str]:
            return [
                f"{'/'.join(map(str, error.instance_path)) or '(body)'}: {error.message[:200]}"
                for error in validator.iter_errors(body)
            ]

        return errors
    return None


def schema_checks(version: str, contract: Path | None) -> list[Check]:
    name = f"Bank_{version}.yaml"
    return [
        Check(
            f"schema.{operation}",
            "schema.contract",
            f"every {operation} body the bank sent matches {name}",
            f"{name} {operation}",
            _validate(operation, contract, name),
            Severity.MUST,
            None,
        )
        for operation in OPERATIONS
    ]


def _validate(operation: str, contract: Path | None, name: str) -> Any:
    async def run(ctx: Context) -> None:
        if contract is None:
            raise Skipped(
                f"{name} not found: pass --contract-dir DIR or set DSOP_REFERENCE_DIR to the directory holding it"
            )
        import msgspec

        problems: list[str] = []
        checked = 0
        for seen in ctx.seen:
            if seen.operation != operation or seen.media_type != JSON:
                continue
            validate = response_validator(contract, operation, seen.status)
            if validate is None:
                problems.append(f"{seen.status} is not an answer {name} declares for {operation} ({seen.url})")
                continue
            try:
                body = msgspec.json.decode(seen.text.encode("utf-8", "replace"))
            except msgspec.DecodeError:
                problems.append(f"{seen.status} body is not JSON ({seen.url})")
                continue
            checked += 1
            problems += [f"{seen.status}: {error}" for error in validate(body)[:3]]
        if checked == 0 and not problems:
            raise Skipped(f"no {operation} body was received in this run")
        if problems:
            raise Failed(f"{len(problems)} problem(s) in {checked} bodies; first: " + " | ".join(problems[:5]))

    return run


__all__ = ["OPERATIONS", "find_contract", "response_validator", "schema_checks"]
