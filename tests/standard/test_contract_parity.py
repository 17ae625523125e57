"""The wire models match the published OpenAPI contracts, schema by schema and field by field.

For every ``components.schemas`` entry of Bank_v2.yaml, Bank_v1.yaml and KAR.yaml, the class in
the module's ``SCHEMAS`` must have the same property (wire) names, JSON types and formats, enum
values, ``required`` lists and string lengths/patterns.  ``$ref`` and single-element ``allOf``
are followed; a property that refers to another *object* schema must use exactly the class
``SCHEMAS`` gives for it (that schema is then checked in its own case).

The only differences allowed are listed in ``EXTRA_FIELDS`` / ``OPTIONAL_ANYWAY`` with the reason,
and a test proves each of them is still a difference.  The last tests prove the checker fails on
drift by running it on deliberately changed copies of the contract.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from msgspec import inspect as mi

from opendsop.standard import relations
from opendsop.standard.control import v1, v2

Doc = dict[str, Any]

CONTRACTS: dict[str, dict[str, Any]] = {
    "Bank_v2.yaml": v2.SCHEMAS,
    "Bank_v1.yaml": v1.SCHEMAS,
    "KAR.yaml": relations.SCHEMAS,
}

# v2 fields of the Customer Relations Overview that KAR.yaml v1.1.2 does not have yet
# (DSOP “Endpoint customerRelationships V.2.0”; DSOP “Endpoint accountServicingProvider V.2.0”): `ownershipType`, and
# the v2 spelling `organizationID` that
# accountServicingProvider emits.
EXTRA_FIELDS: dict[tuple[str, str], frozenset[str]] = {
    ("KAR.yaml", "CustomerRelation"): frozenset({"ownershipType"}),
    ("KAR.yaml", "Bank"): frozenset({"organizationID"}),
}
# Required by the contract, optional in the Struct because another field satisfies it:
# either `organizationID` or `organizationId` must be present (checked in __post_init__).
OPTIONAL_ANYWAY: frozenset[tuple[str, str, str]] = frozenset({("KAR.yaml", "Bank", "organizationId")})

_PRIMITIVES: dict[str, tuple[type, ...]] = {
    "number": (mi.DecimalType,),
    "integer": (mi.IntType,),
    "boolean": (mi.BoolType,),
}


# ---------------------------------------------------------------- the checker


def _schema(doc: Doc, name: str) -> Doc:
    result: Doc = doc["components"]["schemas"][name]
    return result


def _ref_name(node: Doc) -> str | None:
    """The component a property refers to, through a single-element ``allOf`` wrapper."""
    while True:
        if "$ref" in node:
            return str(node["$ref"]).rsplit("/", 1)[-1]
        if len(node.get("allOf", ())) == 1:
            node = node["allOf"][0]
            continue
        return None


def _resolve(doc: Doc, node: Doc) -> Doc:
    while True:
        if "$ref" in node:
            node = _schema(doc, str(node["$ref"]).rsplit("/", 1)[-1])
        elif len(node.get("allOf", ())) == 1:
            node = node["allOf"][0]
        else:
            return node


def _unwrap(t: mi.Type) -> tuple[mi.Type, bool, dict[str, Any]]:
    """Strip ``| None`` and ``Annotated`` metadata: (inner type, nullable, extra JSON schema)."""
    nullable = False
    if isinstance(t, mi.UnionType):
        others = [x for x in t.types if not isinstance(x, mi.NoneType)]
        nullable = len(others) < len(t.types)
        if len(others) != 1:
            return t, nullable, {}
        t = others[0]
    extra: dict[str, Any] = {}
    if isinstance(t, mi.Metadata):
        extra = dict(t.extra_json_schema or {})
        t = t.type
    return t, nullable, extra


def _show(t: mi.Type | None) -> str:
    if isinstance(t, mi.StructType | mi.EnumType):
        return f"{type(t).__name__}({t.cls.__qualname__})"
    return repr(t)


def _check_object(
    doc: Doc,
    schemas: dict[str, Any],
    key: tuple[str, str],
    node: Doc,
    t: mi.Type,
    where: str,
    problems: list[str],
) -> None:
    if not isinstance(t, mi.StructType):
        problems.append(f"{where}: contract has an object, model has {_show(t)}")
        return
    fields = {f.encode_name: f for f in t.fields}
    properties: dict[str, Doc] = node.get("properties", {})
    required = set(node.get("required", ()))
    extra_allowed = EXTRA_FIELDS.get(key, frozenset())
    for name in sorted(set(properties) - set(fields)):
        problems.append(f"{where}.{name}: in the contract, missing from the model")
    for name in sorted(set(fields) - set(properties) - extra_allowed):
        problems.append(f"{where}.{name}: in the model, not in the contract")
    for name, prop in properties.items():
        f = fields.get(name)
        if f is None:
            continue
        inner, nullable, extra = _unwrap(f.type)
        must = name in required and (*key, name) not in OPTIONAL_ANYWAY
        if f.required != must:
            problems.append(f"{where}.{name}: contract required={must}, model required={f.required}")
        if not must and not nullable:
            problems.append(f"{where}.{name}: optional in the contract, but the model refuses null")
        if must and nullable:
            problems.append(f"{where}.{name}: required in the contract, but the model accepts null")
        _check_value(doc, schemas, prop, inner, extra, f"{where}.{name}", problems)


def _check_value(
    doc: Doc,
    schemas: dict[str, Any],
    node: Doc,
    t: mi.Type,
    extra: dict[str, Any],
    where: str,
    problems: list[str],
) -> None:
    ref = _ref_name(node)
    target = _resolve(doc, node)
    kind = target.get("type", "object" if "properties" in target else None)
    if kind == "object":
        implementation = schemas.get(ref) if ref else None
        if ref is None:
            _check_object(doc, schemas, ("inline", where), target, t, where, problems)
        elif not (isinstance(t, mi.StructType) and t.cls is implementation):
            problems.append(f"{where}: contract refers to {ref}, model has {_show(t)}")
    elif "enum" in target:
        _check_enum(schemas, target, ref, t, where, problems)
    elif kind == "string":
        _check_string(target, t, where, problems)
    elif kind == "array":
        _check_array(doc, schemas, target, t, where, problems)
    elif kind in _PRIMITIVES:
        if not isinstance(t, _PRIMITIVES[kind]):
            problems.append(f"{where}: contract has {kind}, model has {_show(t)}")
        for bound in ("minimum", "maximum"):
            if target.get(bound) != extra.get(bound):
                problems.append(f"{where}: {bound} {target.get(bound)} vs model {extra.get(bound)}")
    else:
        problems.append(f"{where}: contract type {kind!r} is not handled by the parity check")


def _check_enum(
    schemas: dict[str, Any], target: Doc, ref: str | None, t: mi.Type, where: str, problems: list[str]
) -> None:
    if not isinstance(t, mi.EnumType):
        problems.append(f"{where}: contract has an enum, model has {_show(t)}")
        return
    model_values = {member.value for member in t.cls}
    if model_values != set(target["enum"]):
        problems.append(f"{where}: enum values differ: contract {sorted(target['enum'])}, model {sorted(model_values)}")
    if ref is not None and schemas.get(ref) is not t.cls:
        problems.append(f"{where}: enum should be the class SCHEMAS[{ref!r}], is {t.cls!r}")


def _check_array(doc: Doc, schemas: dict[str, Any], target: Doc, t: mi.Type, where: str, problems: list[str]) -> None:
    if not isinstance(t, mi.ListType | mi.VarTupleType):
        problems.append(f"{where}: contract has an array, model has {_show(t)}")
        return
    if (target.get("minItems") or None) != (t.min_length or None):
        problems.append(f"{where}: minItems {target.get('minItems')} vs {t.min_length}")
    if target.get("maxItems") != t.max_length:
        problems.append(f"{where}: maxItems {target.get('maxItems')} vs {t.max_length}")
    item, item_nullable, item_extra = _unwrap(t.item_type)
    if item_nullable:
        problems.append(f"{where}[]: the model accepts null items")
    _check_value(doc, schemas, target["items"], item, item_extra, f"{where}[]", problems)


def _check_string(target: Doc, t: mi.Type, where: str, problems: list[str]) -> None:
    fmt = target.get("format")
    if fmt == "date":
        if not isinstance(t, mi.DateType):
            problems.append(f"{where}: contract has format date, model has {_show(t)}")
        return
    if fmt == "date-time":
        if not (isinstance(t, mi.DateTimeType) and t.tz is True):
            problems.append(f"{where}: contract has format date-time (with zone), model has {_show(t)}")
        return
    if fmt is not None:
        problems.append(f"{where}: string format {fmt!r} is not handled by the parity check")
        return
    if not isinstance(t, mi.StrType):
        problems.append(f"{where}: contract has string, model has {_show(t)}")
        return
    for contract_key, model_value in (
        ("minLength", t.min_length),
        ("maxLength", t.max_length),
        ("pattern", t.pattern),
    ):
        if target.get(contract_key) != model_value:
            problems.append(f"{where}: {contract_key} {target.get(contract_key)!r} vs model {model_value!r}")


def check_schema(doc: Doc, contract: str, schemas: dict[str, Any], name: str) -> list[str]:
    """Every difference between one contract schema and its implementation, as readable lines."""
    if name not in schemas:
        return [f"{name}: no implementation in SCHEMAS"]
    node = _schema(doc, name)
    problems: list[str] = []
    implementation = schemas[name]
    t, _, extra = _unwrap(mi.type_info(implementation))
    if _resolve(doc, node).get("type", "object") == "object" and "enum" not in node:
        _check_object(doc, schemas, (contract, name), _resolve(doc, node), t, name, problems)
    else:
        _check_value(doc, schemas, node, t, extra, name, problems)
        if "enum" in _resolve(doc, node) and getattr(t, "cls", None) is not implementation:
            problems.append(f"{name}: SCHEMAS entry is not the enum class itself")
    return problems


# ---------------------------------------------------------------- fixtures and cases


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(path: Path) -> Doc:
    with path.open(encoding="utf-8") as handle:
        doc: Doc = yaml.load(handle, Loader=_LOADER)  # noqa: S506 - a safe loader
    return doc


@pytest.fixture(scope="module")
def contracts(reference_dir: Path) -> dict[str, Doc]:
    return {name: _load(reference_dir / name) for name in CONTRACTS}


CASES = [
    pytest.param(contract, name, id=f"{contract.removesuffix('.yaml')}:{name}")
    for contract, schemas in CONTRACTS.items()
    for name in schemas
]


@pytest.mark.parametrize(("contract", "name"), CASES)
def test_schema_matches_contract(contracts: dict[str, Doc], contract: str, name: str) -> None:
    doc = contracts[contract]
    assert name in doc["components"]["schemas"], f"{name} is in SCHEMAS but not in {contract}"
    assert check_schema(doc, contract, CONTRACTS[contract], name) == []


@pytest.mark.parametrize("contract", list(CONTRACTS))
def test_every_contract_schema_is_implemented(contracts: dict[str, Doc], contract: str) -> None:
    published = set(contracts[contract]["components"]["schemas"])
    implemented = set(CONTRACTS[contract])
    assert sorted(published - implemented) == [], "schemas without an implementation"
    assert sorted(implemented - published) == [], "SCHEMAS entries the contract does not have"


def _operation_schemas(doc: Doc) -> list[tuple[str, Doc]]:
    found = []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            bodies = [("request", operation.get("requestBody", {}))]
            bodies += [(status, r) for status, r in operation.get("responses", {}).items()]
            for label, body in bodies:
                for media, content in body.get("content", {}).items():
                    found.append((f"{method.upper()} {path} {label} {media}", content["schema"]))
    return found


@pytest.mark.parametrize("contract", list(CONTRACTS))
def test_every_operation_body_is_a_modelled_component(contracts: dict[str, Doc], contract: str) -> None:
    # An inline body schema would escape the per-schema check above, so none may exist.  The
    # one exception: v1 describes its `application/jose` body as what it is, an opaque JWE
    # compact string (`type: string, format: byte`), not a JSON document.
    doc = contracts[contract]
    for where, schema in _operation_schemas(doc):
        if where.endswith("application/jose") and schema.get("type") == "string":
            continue
        ref = _ref_name(schema)
        assert ref is not None, f"{where}: inline body schema, model it and check it here"
        assert ref in CONTRACTS[contract], f"{where}: {ref} has no implementation"


def _parameter_enum(doc: Doc, name: str) -> set[str]:
    values: set[str] = set()
    for item in doc["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", ()):
                if parameter["name"] == name and "enum" in parameter["schema"]:
                    values |= set(parameter["schema"]["enum"])
    return values


def test_inline_parameter_enums_match(contracts: dict[str, Doc]) -> None:
    assert _parameter_enum(contracts["Bank_v2.yaml"], "AdditionalReferenceIDType") == {
        member.value for member in v2.AdditionalReferenceIDType
    }
    assert _parameter_enum(contracts["KAR.yaml"], "type") == {member.value for member in relations.RelationshipType}
    inline = _resolve(contracts["Bank_v2.yaml"], _schema(contracts["Bank_v2.yaml"], "ResponseDetails"))
    assert set(inline["properties"]["status"]["enum"]) == {m.value for m in v2.ResponseStatus}


def test_allowed_differences_are_still_differences(contracts: dict[str, Doc]) -> None:
    # When KAR publishes the v2 fields, these allowances must go (and the check gets stricter).
    for (contract, name), fields in EXTRA_FIELDS.items():
        properties = _schema(contracts[contract], name)["properties"]
        assert not fields & set(properties), f"{contract} {name} now defines {fields & set(properties)}"
    for contract, name, field_name in OPTIONAL_ANYWAY:
        assert field_name in _schema(contracts[contract], name).get("required", ())


# ---------------------------------------------------------------- the checker catches drift


def _props(doc: Doc, name: str) -> Doc:
    result: Doc = _schema(doc, name)["properties"]
    return result


Mutation = Callable[[Doc], None]

DRIFTS: list[tuple[str, str, Mutation]] = [
    ("new-property", "Transaction", lambda d: _props(d, "Transaction").update(purpose={"type": "string"})),
    ("removed-property", "Balance", lambda d: _props(d, "Balance").pop("creditLineCurrency")),
    (
        "renamed-property",
        "Identifier",
        lambda d: _props(d, "Identifier").update(countryOfResidency=_props(d, "Identifier").pop("countryOfResidence")),
    ),
    ("new-enum-value", "AccountType", lambda d: _schema(d, "AccountType")["enum"].append("pension")),
    ("dropped-enum-value", "CardStatus", lambda d: _schema(d, "CardStatus")["enum"].remove("blocked")),
    (
        "inline-enum-value",
        "ResponseDetails",
        lambda d: _props(d, "ResponseDetails")["status"]["enum"].append("failed"),
    ),
    ("newly-required", "PaymentCard", lambda d: _schema(d, "PaymentCard")["required"].append("holderName")),
    ("no-longer-required", "Link", lambda d: _schema(d, "Link")["required"].remove("href")),
    ("max-length", "Link", lambda d: _props(d, "Link")["href"].update(maxLength=2000)),
    ("min-length", "PostalAddress", lambda d: _props(d, "PostalAddress")["townName"].update(minLength=2)),
    ("pattern", "CurrencyCode", lambda d: _schema(d, "CurrencyCode").update(pattern="^[A-Z]{3}$")),
    ("date-becomes-date-time", "AccountRole", lambda d: _schema(d, "ISODate").update(format="date-time")),
    ("minimum", "Amount", lambda d: _schema(d, "Amount").update(minimum=1)),
    ("boolean-becomes-string", "Balance", lambda d: _schema(d, "TrueFalseIndicator").update(type="string")),
    (
        "ref-retargeted",
        "Account",
        lambda d: _props(d, "Account").update(primaryOwner={"$ref": "#/components/schemas/Identifier"}),
    ),
    (
        "array-item-length",
        "PostalAddress",
        lambda d: _props(d, "PostalAddress")["addressLines"]["items"].update(maxLength=35),
    ),
    ("number-becomes-integer", "Amount", lambda d: _schema(d, "Amount").update(type="integer")),
]


@pytest.mark.parametrize(("schema", "mutate"), [pytest.param(s, m, id=i) for i, s, m in DRIFTS])
def test_checker_reports_drift(contracts: dict[str, Doc], tmp_path: Path, schema: str, mutate: Mutation) -> None:
    # Change a copy of the contract on disk, re-read it, and expect the named schema to fail.
    original = contracts["Bank_v2.yaml"]
    assert check_schema(original, "Bank_v2.yaml", v2.SCHEMAS, schema) == []
    changed = copy.deepcopy(original)
    mutate(changed)
    drifted = tmp_path / "Bank_v2.yaml"
    drifted.write_text(
        yaml.dump(changed, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False),
        encoding="utf-8",
    )
    problems = check_schema(_load(drifted), "Bank_v2.yaml", v2.SCHEMAS, schema)
    assert problems, f"drift in {schema} went unnoticed"
    assert all(p.startswith(schema) for p in problems)


def test_checker_reports_model_side_drift(contracts: dict[str, Doc]) -> None:
    # A Struct that loses a field or a length limit must fail too, not only a changed contract.
    class Link(msgspec.Struct, kw_only=True, rename="camel"):
        rel: str
        href: str | None = None

    drifted = {**v2.SCHEMAS, "Link": Link}
    problems = check_schema(contracts["Bank_v2.yaml"], "Bank_v2.yaml", drifted, "Link")
    assert any("rel: maxLength" in p for p in problems)
    assert any("href: contract required=True" in p for p in problems)
    problems = check_schema(contracts["Bank_v2.yaml"], "Bank_v2.yaml", drifted, "Accounts")
    assert any("links[]" in p for p in problems), "a list of the wrong Link class must fail"


def test_schema_missing_from_schemas_is_reported(contracts: dict[str, Doc]) -> None:
    partial = {k: v for k, v in v2.SCHEMAS.items() if k != "CardStatus"}
    assert check_schema(contracts["Bank_v2.yaml"], "Bank_v2.yaml", partial, "CardStatus")
