# SPDX-License-Identifier: Apache-2.0
"""A small XML-schema subset, enough for the DSVE model: sequences, choices, occurrence bounds, attributes, typed text.

Why not an XSD engine: the rules core stays pure and dependency-free, and the DSVE model
(``dsve.xsd``: no target namespace, ``elementFormDefault="qualified"``) uses only these constructs.
Validation follows XSD semantics for them: children in sequence order, ``minOccurs``/``maxOccurs``,
exactly one branch of a choice, required attributes, no unknown elements or attributes, ``xsi:nil``
only on nillable elements.  The first error is reported with its path (``/intensjonfrabank/avsender``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
UNBOUNDED = 10**9


class ModelError(ValueError):
    """The XML breaks the model; ``path`` names the element."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Simple:
    """A simple type: a name for messages and a check of the (whitespace-collapsed) text."""

    name: str
    check: Callable[[str], bool]


def _date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))


def _datetime(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?", text):
        return False
    try:
        datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _decimal(text: str) -> bool:
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return False
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def _double(text: str) -> bool:
    return _decimal(text) or bool(re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+|INF|-INF|NaN", text))


def integer(name: str, minimum: int | None = None, maximum: int | None = None) -> Simple:
    def check(text: str) -> bool:
        if not re.fullmatch(r"[+-]?\d{1,20}", text):
            return False
        value = int(text)
        return (minimum is None or value >= minimum) and (maximum is None or value <= maximum)

    return Simple(name, check)


def pattern(name: str, regex: str) -> Simple:
    compiled = re.compile(regex)
    return Simple(name, lambda text: compiled.fullmatch(text) is not None)


def enum(name: str, values: Sequence[str]) -> Simple:
    allowed = frozenset(values)
    return Simple(name, lambda text: text in allowed)


STRING = Simple("xs:string", lambda text: True)
BOOLEAN = enum("xs:boolean", ("true", "false", "1", "0"))
DATE = Simple("xs:date (YYYY-MM-DD)", _date)
DATETIME = Simple("xs:dateTime", _datetime)
DECIMAL = Simple("xs:decimal", _decimal)
DOUBLE = Simple("xs:double", _double)
INTEGER = integer("xs:integer")
LONG = integer("xs:long", -(2**63), 2**63 - 1)
ANY_URI = pattern("xs:anyURI", r"\S*")


@dataclass(frozen=True)
class Attr:
    name: str
    type: Simple = STRING
    required: bool = False


@dataclass(frozen=True)
class Complex:
    """A complex type: attributes, then a sequence of particles (elements or choices)."""

    name: str
    content: tuple[Particle, ...] = ()
    attrs: tuple[Attr, ...] = ()

    def extend(self, name: str, *more: Particle) -> Complex:
        """XSD extension: the base's particles, then ``more`` (attributes inherited)."""
        return Complex(name, self.content + more, self.attrs)


@dataclass(frozen=True)
class El:
    name: str
    type: Complex | Simple
    min: int = 1
    max: int = 1
    nillable: bool = False


@dataclass(frozen=True)
class Choice:
    options: tuple[El, ...]
    min: int = 1
    max: int = 1
    names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", frozenset(option.name for option in self.options))


Particle = El | Choice


def opt(name: str, kind: Complex | Simple) -> El:
    return El(name, kind, min=0)


def many(name: str, kind: Complex | Simple, minimum: int = 1, maximum: int = UNBOUNDED, nillable: bool = False) -> El:
    return El(name, kind, min=minimum, max=maximum, nillable=nillable)


def _tag(element: Element, path: str) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        raise ModelError(path, "comments and processing instructions are not elements")
    if tag.startswith("{"):
        raise ModelError(f"{path}/{tag}", "the DSVE model has no namespace; elements must be unqualified")
    return tag


def _bounds(minimum: int, maximum: int) -> str:
    return f"{minimum}..{'n' if maximum >= UNBOUNDED else maximum}"


def validate(element: Element, declaration: El, path: str = "") -> None:
    """Raise :class:`ModelError` if ``element`` (and everything under it) breaks ``declaration``."""
    here = f"{path}/{_tag(element, path)}"
    if element.tag != declaration.name:
        raise ModelError(here, f"expected element {declaration.name!r}")
    nil = element.get(XSI + "nil")
    if nil in ("true", "1"):
        if not declaration.nillable:
            raise ModelError(here, "xsi:nil is not allowed on this element")
        if len(element) or (element.text or "").strip():
            raise ModelError(here, "an element with xsi:nil must be empty")
        return
    kind = declaration.type
    if isinstance(kind, Simple):
        if len(element):
            raise ModelError(here, f"a {kind.name} value has no child elements")
        extra = [name for name in element.attrib if not name.startswith(XSI)]
        if extra:
            raise ModelError(here, f"unknown attribute {extra[0]!r}")
        text = " ".join((element.text or "").split()) if kind is not STRING else (element.text or "")
        if not kind.check(text):
            raise ModelError(here, f"{text[:40]!r} is not a valid {kind.name}")
        return
    _attributes(element, kind, here)
    if (element.text or "").strip():
        raise ModelError(here, "text is not allowed here (element-only content)")
    children = list(element)
    for child in children:
        _tag(child, here)
        if (child.tail or "").strip():
            raise ModelError(here, "text between elements is not allowed")
    position = 0
    for particle in kind.content:
        position = _match(children, position, particle, here)
    if position < len(children):
        raise ModelError(f"{here}/{children[position].tag}", "element not allowed here (unknown or out of order)")


def _attributes(element: Element, kind: Complex, here: str) -> None:
    declared = {attr.name: attr for attr in kind.attrs}
    for name, value in element.attrib.items():
        if name.startswith(XSI):
            continue
        attr = declared.get(name)
        if attr is None:
            raise ModelError(here, f"unknown attribute {name!r}")
        if not attr.type.check(value):
            raise ModelError(here, f"attribute {name}={value[:40]!r} is not a valid {attr.type.name}")
    for attr in kind.attrs:
        if attr.required and attr.name not in element.attrib:
            raise ModelError(here, f"required attribute {attr.name!r} is missing")


def _match(children: list[Element], position: int, particle: Particle, here: str) -> int:
    if isinstance(particle, Choice):
        count = 0
        while count < particle.max and position < len(children) and children[position].tag in particle.names:
            option = next(o for o in particle.options if o.name == children[position].tag)
            position = _match(children, position, option, here)
            count += 1
        if count < particle.min:
            names = " | ".join(sorted(particle.names))
            raise ModelError(here, f"expected one of ({names})")
        return position
    count = 0
    while count < particle.max and position < len(children) and children[position].tag == particle.name:
        validate(children[position], particle, here)
        position += 1
        count += 1
    if count < particle.min:
        found = children[position].tag if position < len(children) else "the end"
        raise ModelError(
            here, f"expected {_bounds(particle.min, particle.max)} {particle.name!r} here, found {found!s}"[:200]
        )
    if position < len(children) and children[position].tag == particle.name:
        raise ModelError(
            f"{here}/{particle.name}", f"at most {particle.max} allowed ({_bounds(particle.min, particle.max)})"
        )
    return position


__all__ = [
    "ANY_URI",
    "BOOLEAN",
    "DATE",
    "DATETIME",
    "DECIMAL",
    "DOUBLE",
    "INTEGER",
    "LONG",
    "STRING",
    "UNBOUNDED",
    "Attr",
    "Choice",
    "Complex",
    "El",
    "ModelError",
    "Simple",
    "enum",
    "integer",
    "many",
    "opt",
    "pattern",
    "validate",
]
