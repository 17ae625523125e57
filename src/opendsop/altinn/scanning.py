"""Checks every uploaded file passes before it is stored: size limit, checksum, virus scan.

The virus scan is a hook: any ``Scanner`` (bytes → ``None`` when clean, else the reason) may be
plugged in (``DSOP_ALTINN_SCANNER=module:callable``, e.g. a ClamAV client).  The built-in
``eicar`` scanner refuses files carrying the EICAR anti-virus test signature — the standard way to
check that a scanner is wired in (eicar.org) — and is what tests and the demo run with.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable

from opendsop.contracts.messaging.errors import ChecksumMismatch, InvalidRequest, Rejected, TooLarge

Scanner = Callable[[bytes], str | None]
EICAR_SIGNATURE = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"


def eicar(data: bytes) -> str | None:
    return "the file carries the EICAR test signature" if EICAR_SIGNATURE in data else None


def no_scan(_data: bytes) -> str | None:
    return None


def load_scanner(spec: str) -> Scanner:
    """``eicar``, ``none`` or ``package.module:callable``."""
    if spec == "eicar":
        return eicar
    if spec == "none":
        return no_scan
    module, _, name = spec.partition(":")
    if not module or not name:
        raise ValueError(f"scanner {spec!r} must be eicar, none or package.module:callable")
    scanner = getattr(importlib.import_module(module), name, None)
    if not callable(scanner):
        raise ValueError(f"scanner {spec!r} names nothing callable")
    return scanner


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_file(
    data: bytes, *, limit: int, what: str, checksum: str | None = None, scanner: Scanner | None = None
) -> str:
    """The file's SHA-256 once it is within ``limit``, matches ``checksum`` and passes ``scanner``."""
    if len(data) > limit:
        raise TooLarge(f"{what} is {len(data)} bytes; the limit is {limit} bytes — split or compress it")
    if not data:
        raise InvalidRequest(f"{what} is empty")
    digest = sha256(data)
    if checksum and checksum.strip().lower() != digest:
        raise ChecksumMismatch(f"{what} does not match its checksum (SHA-256 {digest}); upload it again")
    reason = scanner(data) if scanner is not None else None
    if reason:
        raise Rejected(f"{what} was refused by the virus scan: {reason}")
    return digest


__all__ = ["EICAR_SIGNATURE", "Scanner", "check_file", "eicar", "load_scanner", "no_scan", "sha256"]
