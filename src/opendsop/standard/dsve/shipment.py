# SPDX-License-Identifier: Apache-2.0
"""One DSVE shipment: the manifest property list and the ZIP, packed and checked (sans I/O).

``check_shipment`` is what a receiver runs before routing: the manifest must carry a known ``messageType``
and the type's required keys; the ZIP's files (unpacked by ``contracts.dsve.zipfiles``) must follow the type's
rules (exactly one deed in a ``SignedMortgageDeed``); every XML file must parse (defusedxml: no
entities, no external references) and validate against the model (model.py).  The first error
stops, as the specification's routing does ("den første feilen stopper behandlingen").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .catalogue import CONTRACT_PUSH_ROOTS, MESSAGES, MessageSpec
from .errors import DsveError
from .model import FORSENDELSESSTATUS, FORUTSETNINGSBREV, PROCESSED, ROOTS
from .schema import El, ModelError, validate

ALTINN_MANIFEST = "manifest.xml"  # added by Altinn inside the ZIP (BrokerServiceManifest); not ours to check
MAX_XML_BYTES = 5 * 1024 * 1024
DOCUMENTS: dict[str, El] = {
    **ROOTS,
    PROCESSED.name: PROCESSED,
    FORSENDELSESSTATUS.name: FORSENDELSESSTATUS,
    FORUTSETNINGSBREV.name: FORUTSETNINGSBREV,
}


@dataclass(frozen=True)
class Shipment:
    """A checked shipment: its type, manifest properties, files (name → bytes) and the parsed XML documents."""

    message_type: str
    properties: Mapping[str, str]
    files: Mapping[str, bytes]
    documents: Mapping[str, Element] = field(default_factory=dict)  # file name → validated root

    @property
    def spec(self) -> MessageSpec:
        return MESSAGES[self.message_type]

    def document(self, root: str | tuple[str, ...]) -> Element:
        """The one XML document with root element ``root`` (or one of several names)."""
        names = (root,) if isinstance(root, str) else root
        for element in self.documents.values():
            if element.tag in names:
                return element
        raise DsveError("DSVE-005", f"the shipment holds no {' or '.join(names)} document")

    def file(self, pattern_index: int) -> tuple[str, bytes]:
        """The (first) file matching the type's file rule number ``pattern_index``."""
        rule = self.spec.files[pattern_index]
        for name, data in self.files.items():
            if rule.matches(name):
                return name, data
        raise DsveError("DSVE-005", f"no file matches {rule.pattern}")


def parse_xml(data: bytes, what: str) -> Element:
    """Parse untrusted XML safely (defusedxml): a DTD, entity or external reference is refused."""
    if len(data) > MAX_XML_BYTES:
        raise DsveError("DSVE-006", f"{what} is larger than {MAX_XML_BYTES // 1024 // 1024} MB")
    try:
        element: Element = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise DsveError("DSVE-006", f"{what} uses a forbidden XML construct ({type(exc).__name__})") from None
    except Exception as exc:  # ParseError, or an encoding the parser refuses
        raise DsveError("DSVE-006", f"{what} is not well-formed XML: {exc}"[:300]) from None
    return element


def check_document(element: Element, what: str, roots: tuple[str, ...] | None = None) -> Element:
    """Validate a parsed document against the model of its root element (restricted to ``roots`` if given)."""
    declaration = DOCUMENTS.get(element.tag) if isinstance(element.tag, str) else None
    if declaration is None or (roots is not None and element.tag not in roots):
        expected = " or ".join(roots) if roots else "a DSVE root element"
        raise DsveError("DSVE-006", f"{what}: root element {str(element.tag)[:60]!r} is not {expected}")
    try:
        validate(element, declaration)
    except ModelError as exc:
        raise DsveError("DSVE-006", f"{what} breaks the DSVE model at {exc}"[:400]) from None
    return element


def to_bytes(element: Element) -> bytes:
    """An XML document with its declaration, UTF-8."""
    body: bytes = tostring(element, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def check_manifest(properties: Mapping[str, str]) -> MessageSpec:
    """The spec of the manifest's ``messageType``; DSVE-001/002/003 when the manifest cannot be routed."""
    message_type = properties.get("messageType")
    if not message_type:
        raise DsveError("DSVE-001", "the manifest property list has no messageType")
    spec = MESSAGES.get(message_type)
    if spec is None:
        raise DsveError("DSVE-002", f"unknown messageType {message_type[:60]!r}")
    for key in spec.required_keys:
        if not properties.get(key):
            raise DsveError("DSVE-003", f"a {message_type} manifest must carry the key {key!r}")
    for key, allowed in spec.key_values:
        if properties.get(key) is not None and properties[key] not in allowed:
            raise DsveError("DSVE-003", f"manifest key {key} must be one of {', '.join(allowed)}")
    if "status" in spec.required_keys and properties["status"] not in spec.statuses:
        raise DsveError("DSVE-003", f"manifest status must be one of {', '.join(spec.statuses)}")
    return spec


def check_shipment(properties: Mapping[str, str], unzipped: Mapping[str, bytes]) -> Shipment:
    """Check a received shipment (its manifest and the files of its ZIP); the first broken rule raises."""
    spec = check_manifest(properties)
    files = {name: data for name, data in unzipped.items() if name.lower() != ALTINN_MANIFEST}
    nack = spec.empty_on_nack and properties.get("status") != spec.ack
    if nack:  # the ZIP of a NACK is a dummy: nothing in it is read
        return Shipment(spec.message_type, dict(properties), files)
    documents: dict[str, Element] = {}
    for name in files:
        if not any(rule.matches(name) for rule in spec.files):
            raise DsveError("DSVE-005", f"file {name[:80]!r} does not belong in a {spec.message_type} shipment")
    for rule in spec.files:
        found = [name for name in files if rule.matches(name)]
        minimum = 1 if spec.empty_on_nack and rule.root else rule.min  # an ACK carries its document
        if len(found) < minimum:
            raise DsveError("DSVE-005", f"a {spec.message_type} shipment needs a file named like {rule.pattern}")
        if len(found) > rule.max:
            what = "one mortgage deed per shipment" if "signedmortgagedeed_" in rule.pattern else f"one {rule.pattern}"
            raise DsveError("DSVE-005", f"{len(found)} files match {rule.pattern}; a {spec.message_type} holds {what}")
        roots: tuple[str, ...] | None = (rule.root,) if rule.root else None
        if spec.message_type == "KjoepekontraktFraMegler" and rule.pattern.startswith("kjoepekontraktframegler"):
            roots = CONTRACT_PUSH_ROOTS
        if roots is None:
            continue
        for name in found:
            documents[name] = check_document(parse_xml(files[name], name), name, roots)
    return Shipment(spec.message_type, dict(properties), files, documents)


__all__ = [
    "ALTINN_MANIFEST",
    "DOCUMENTS",
    "Shipment",
    "check_document",
    "check_manifest",
    "check_shipment",
    "parse_xml",
    "to_bytes",
]
