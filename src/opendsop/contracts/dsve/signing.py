# SPDX-License-Identifier: Apache-2.0
"""Signed documents as DSVE and the registers exchange them: an SDO stand-in (docs/decisions.md, DSVE).

A real SDO (Signed Data Object, BankID/Buypass) wraps a document with its signers' signatures; ours is
the same shape with the project's own primitives::

    <sdo><dokument>base64 of the document XML</dokument><signatur>JWS</signatur>…</sdo>

Each ``signatur`` is a compact JWS whose header carries the signer's certificate chain (``x5c``) and
whose claims say what was signed (``sha256`` of the document bytes, base64url) and by whom
(``signer``: the fødselsnummer or organisasjonsnummer in the certificate's serialNumber).  A verifier
validates every chain against the roots it trusts, every signature against its certificate, and
every digest against the document; the answer is the document and the set of signers.  Errors are
``TL-007`` (the receivers answer REJECTED with it).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import datetime
from xml.etree.ElementTree import Element, SubElement, tostring

from opendsop.standard.dsve.errors import DsveError
from opendsop.standard.dsve.shipment import parse_xml
from opendsop.trust.chain import TrustStore, subject_value
from opendsop.trust.errors import TrustError
from opendsop.trust.jwt import sign_jwt, unverified_header, verify_jwt
from opendsop.trust.keys import key_from_certificate
from opendsop.trust.pki import Credential, chain_from_x5c

MAX_SIGNATURES = 10
ALGORITHMS = ("ES256", "RS256")


def _digest(document: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(document).digest()).rstrip(b"=").decode("ascii")


def _identifier(credential: Credential) -> str:
    serial = subject_value(credential.certificate, "serialNumber")
    if not serial:
        raise ValueError("the signing certificate has no serialNumber")
    return serial


def signature(document: bytes, credential: Credential, *, at: datetime) -> str:
    """One signer's JWS over ``document``."""
    alg = "ES256" if credential.private_key.key_type == "EC" else "RS256"
    claims = {"sha256": _digest(document), "signer": _identifier(credential), "iat": int(at.timestamp())}
    return sign_jwt(
        claims, credential.private_key, alg=alg, header={"kid": None, "typ": "JOSE", "x5c": credential.x5c()}
    )


def seal(document: bytes, signatures: Sequence[str]) -> bytes:
    """The SDO of ``document`` with its signatures."""
    root = Element("sdo")
    SubElement(root, "dokument").text = base64.b64encode(document).decode("ascii")
    for jws in signatures:
        SubElement(root, "signatur").text = jws
    body: bytes = tostring(root, encoding="utf-8")
    return body


def sign(document: bytes, credentials: Sequence[Credential], *, at: datetime) -> bytes:
    return seal(document, [signature(document, credential, at=at) for credential in credentials])


def add_signature(sdo: bytes, credential: Credential, *, at: datetime) -> bytes:
    """Another signer signs an SDO's document (the buyer after the bank, the bank after the founder)."""
    document, signatures = _open(sdo)
    return seal(document, [*signatures, signature(document, credential, at=at)])


def _open(sdo: bytes) -> tuple[bytes, list[str]]:
    root = parse_xml(sdo, "the signed document")
    if root.tag != "sdo" or root.find("dokument") is None:
        raise DsveError("TL-007", "the signed document is not an SDO (<sdo><dokument/><signatur/>…</sdo>)")
    try:
        document = base64.b64decode((root.findtext("dokument") or "").strip(), validate=True)
    except ValueError:
        raise DsveError("TL-007", "the SDO's dokument is not base64") from None
    signatures = [(e.text or "").strip() for e in root.findall("signatur")]
    if len(signatures) > MAX_SIGNATURES:
        raise DsveError("TL-007", f"the SDO carries more than {MAX_SIGNATURES} signatures")
    return document, signatures


def verify(sdo: bytes, trust: TrustStore, *, now: datetime) -> tuple[bytes, frozenset[str]]:
    """The signed document and who signed it; ``TL-007`` if any signature, chain or digest fails."""
    document, signatures = _open(sdo)
    digest = _digest(document)
    signers: set[str] = set()
    for index, jws in enumerate(signatures, start=1):
        try:
            chain = chain_from_x5c(unverified_header(jws).get("x5c") or [])
            leaf = trust.validate(chain, now=now, purpose="signing")
            _, claims = verify_jwt(jws, key_from_certificate(leaf), algorithms=ALGORITHMS)
        except (TrustError, ValueError) as exc:
            raise DsveError("TL-007", f"signature {index} does not verify: {exc}"[:300]) from None
        serial = subject_value(leaf, "serialNumber")
        if claims.get("sha256") != digest:
            raise DsveError("TL-007", f"signature {index} was made over another document")
        if not serial or claims.get("signer") != serial:
            raise DsveError("TL-007", f"signature {index} names a signer other than its certificate's")
        signers.add(serial)
    return document, frozenset(signers)


def document_of(sdo: bytes) -> bytes:
    """The document inside an SDO, unverified (a router reads it to find the case; the register verifies)."""
    return _open(sdo)[0]


__all__ = ["add_signature", "document_of", "seal", "sign", "signature", "verify"]
