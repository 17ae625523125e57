"""``filter_response(service, endpoint, payload) -> payload``: take out every field a service may not
receive (DSOP “Data model”), before the body is encrypted.

A service's delivery column (``standard.delivery``) is compiled once per (service, endpoint,
policy) into a *strip plan*: a small tree of wire names whose leaves are dropped.  An object whose
every leaf is dropped is dropped whole ("parent objects follow their children").  Applying a plan
never adds a field and never touches a technically mandatory one; an empty plan returns the
payload itself, so services that receive everything pay nothing.

Payloads may be the typed ``msgspec`` bodies of ``standard.control.v2`` (changed objects are
shallow copies; inputs are never mutated) or plain ``dict``/``list`` JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, TypeVar, get_args, get_origin

import msgspec
from msgspec.structs import force_setattr

from opendsop.standard.delivery import DEFAULT_POLICY, FIELDS, DeliveryPolicy
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services import ServiceProfile, get_profile

P = TypeVar("P")

# A plan maps a wire name to None (drop the field) or to the plan for the object(s) inside it.
Plan = Mapping[str, "Plan | None"]
_EVERYTHING = object()


def filter_response(
    service: ServiceProfile | str,
    endpoint: Endpoint,
    payload: P,
    *,
    policy: DeliveryPolicy = DEFAULT_POLICY,
    in_place: bool = False,
) -> P:
    """The payload as the service may receive it.

    By default the payload is left untouched and changed objects are copies.  ``in_place=True``
    is for a caller that owns a freshly built body (the bank's response path): fields are cleared
    on the objects themselves, which costs a tenth of copying on a 1000-transaction page.
    """
    profile = get_profile(service) if isinstance(service, str) else service
    stripper = _stripper(profile.key, endpoint, policy, in_place)
    if stripper is None:
        return payload
    result: P = stripper(payload)
    return result


@lru_cache(maxsize=256)
def _stripper(
    service_key: str, endpoint: Endpoint, policy: DeliveryPolicy, in_place: bool
) -> Callable[[Any], Any] | None:
    plan = strip_plan(service_key, endpoint, policy)
    return _compile_stripper(plan, in_place) if plan else None


@lru_cache(maxsize=256)
def strip_plan(service_key: str, endpoint: Endpoint, policy: DeliveryPolicy = DEFAULT_POLICY) -> Plan:
    """The compiled plan; empty when the service receives every field of the endpoint."""
    profile = get_profile(service_key)
    if endpoint not in FIELDS:
        raise ValueError(f"{endpoint.operation_id} has no field-delivery table")
    if not profile.allows(endpoint):
        raise ValueError(f"{profile.name} may not call {endpoint.operation_id}; nothing to filter")
    withheld = profile.delivery.withheld(endpoint, policy)
    tree: dict[str, Any] = {}
    for path in FIELDS[endpoint]:
        node = tree
        *parents, leaf = path.split(".")
        for name in parents:
            node = node.setdefault(name, {})
        node[leaf] = path in withheld
    plan = _compile(tree)
    return {} if plan is None or plan is _EVERYTHING else plan


def _compile(node: dict[str, Any]) -> Any:
    """None: keep all; _EVERYTHING: drop all; else a dict plan of what to drop."""
    plan: dict[str, Any] = {}
    dropped_all = True
    for name, child in node.items():
        result = (_EVERYTHING if child else None) if isinstance(child, bool) else _compile(child)
        if result is _EVERYTHING:
            plan[name] = None
        else:
            dropped_all = False
            if result is not None:
                plan[name] = result
    if dropped_all:
        return _EVERYTHING
    return plan or None


def _compile_stripper(plan: Plan, in_place: bool) -> Callable[[Any], Any]:
    """Turn a plan into a function that strips one value (Struct, dict, or a sequence of them).

    Filtering runs on every bank response, so for each Struct type met, straight-line code is
    generated once (the technique ``dataclasses`` uses for ``__init__``), following the field
    annotations to specialise nested Structs and tuples of Structs without per-item dispatch.
    A changed Struct is a shallow ``__copy__`` with ``force_setattr``: the input is never mutated,
    and unlike ``msgspec.structs.replace`` this does not re-run ``__post_init__`` validation on
    values that were already valid.
    """
    steps = {
        wire_name: (None if inner is None else _compile_stripper(inner, in_place), inner)
        for wire_name, inner in plan.items()
    }
    by_type: dict[type, Callable[[Any], Any]] = {}

    def strip(value: Any) -> Any:
        kind = type(value)
        function = by_type.get(kind)
        if function is None:
            function = by_type[kind] = _specialise(kind, plan, steps, strip, in_place)
        return function(value)

    return strip


Steps = dict[str, tuple[Callable[[Any], Any] | None, "Plan | None"]]


def _specialise(
    kind: type, plan: Plan, steps: Steps, strip: Callable[[Any], Any], in_place: bool
) -> Callable[[Any], Any]:
    if kind is tuple or kind is list:
        return _sequence_stripper(strip)
    if issubclass(kind, msgspec.Struct):
        return _struct_stripper(kind, plan, in_place)
    if kind is dict:

        def strip_dict(value: dict[str, Any]) -> dict[str, Any]:
            result = None
            for wire_name, (step, _) in steps.items():
                current = value.get(wire_name)
                if current is None:
                    continue
                replacement = None if step is None else step(current)
                if replacement is not current:
                    if result is None:
                        result = value if in_place else dict(value)
                    if replacement is None:
                        del result[wire_name]
                    else:
                        result[wire_name] = replacement
            return value if result is None else result

        return strip_dict
    return _unchanged


def _unchanged(value: Any) -> Any:
    return value


def _sequence_stripper(item_stripper: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def strip_sequence(value: Any) -> Any:
        changed = None
        for index, item in enumerate(value):
            new = item_stripper(item)
            if new is not item:
                if changed is None:
                    changed = list(value)
                changed[index] = new
        return value if changed is None else type(value)(changed)

    return strip_sequence


def _struct_types(annotation: Any) -> tuple[type | None, bool]:
    """(the Struct type inside ``X | None`` or ``tuple[X, ...] | None``, whether it is a sequence)."""
    for candidate in get_args(annotation) or (annotation,):
        origin = get_origin(candidate)
        if origin is tuple:
            inner = get_args(candidate)
            if inner and isinstance(inner[0], type) and issubclass(inner[0], msgspec.Struct):
                return inner[0], True
        elif isinstance(candidate, type) and issubclass(candidate, msgspec.Struct):
            return candidate, False
    return None, False


_STRUCT_STRIPPERS: dict[tuple[type, str, bool], Callable[[Any], Any]] = {}


def _struct_stripper(kind: type, plan: Plan, in_place: bool) -> Callable[[Any], Any]:
    key = (kind, repr(plan), in_place)
    function = _STRUCT_STRIPPERS.get(key)
    if function is None:
        function = _STRUCT_STRIPPERS[key] = _build_struct_stripper(kind, plan, in_place)
    return function


def _build_struct_stripper(kind: type, plan: Plan, in_place: bool) -> Callable[[Any], Any]:
    fields = {field.encode_name: field for field in msgspec.structs.fields(kind)}
    namespace: dict[str, Any] = {"force_setattr": force_setattr}
    lines = ["def strip(value):", "    copy = value" if in_place else "    copy = None"]
    for index, (wire_name, inner) in enumerate(plan.items()):
        field = fields.get(wire_name)
        if field is None or not field.name.isidentifier():
            continue
        attribute = field.name
        lines.append(f"    current = value.{attribute}")
        lines.append("    if current is not None:")
        if inner is None:
            lines.append("        if copy is None: copy = value.__copy__()")
            lines.append(f"        force_setattr(copy, {attribute!r}, None)")
            continue
        child_type, is_sequence = _struct_types(field.type)
        if child_type is None:
            child = _compile_stripper(inner, in_place)
        else:
            child = _struct_stripper(child_type, inner, in_place)
            if is_sequence and in_place:
                # Items are cleared on the objects themselves: the tuple stays as it is.
                namespace[f"step_{index}"] = child
                lines.append("        for item in current:")
                lines.append(f"            step_{index}(item)")
                continue
            if is_sequence:
                child = _sequence_stripper(child)
        namespace[f"step_{index}"] = child
        lines.append(f"        replacement = step_{index}(current)")
        lines.append("        if replacement is not current:")
        lines.append("            if copy is None: copy = value.__copy__()")
        lines.append(f"            force_setattr(copy, {attribute!r}, replacement)")
    lines.append("    return value if copy is None else copy")
    exec("\n".join(lines), namespace)  # noqa: S102 - generated from our own field names only
    function: Callable[[Any], Any] = namespace["strip"]
    return function


__all__ = ["Plan", "filter_response", "strip_plan"]
