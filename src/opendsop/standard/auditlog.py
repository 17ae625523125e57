"""The verifiable audit log's wire format: what a writer commits to and a verifier checks.

Shared by the writer (``opendsop.audit``) and the independent verifier (``opendsop.contracts.auditproof``)
as the *standard* both follow; nothing else of the writer is visible to the verifier.

* A record's **commitment** is ``SHA-256(salt ‖ sequence ‖ body)``: ``body`` is the record's canonical JSON
  (sorted keys, no floats), ``sequence`` its 1-based position as 8 bytes big-endian (so a record moved
  elsewhere no longer fits) and ``salt`` 16 random bytes kept next to the body.  The personal part (body
  and salt) can be erased while the commitment stays, and without the salt the commitment reveals nothing guessable (an
  fnr has only ~10⁹ values).
* The **leaf** of record ``sequence`` is ``sequence`` (8 bytes big-endian) ‖ the commitment (32 bytes):
  a purged record's leaf still names its position.
* The tree is RFC 9162 §2.1's Merkle Tree Hash over the leaves: ``leaf hash = SHA-256(0x00 ‖ leaf)``,
  ``node hash = SHA-256(0x01 ‖ left ‖ right)``, the empty tree's hash ``SHA-256("")``.
* A **checkpoint** signs the text ``origin\\nsize\\nroot (base64)\\ntime\\n`` (the C2SP "signed note" body of
  a transparency log checkpoint, with the time as a fourth line) with the party's Ed25519 key; a witness
  cosigns the same text.
"""

from __future__ import annotations

import base64
import hashlib

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
SALT_BYTES = 16
HASH_BYTES = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def commitment(salt: bytes, sequence: int, body: bytes) -> bytes:
    """The salted commitment (32 bytes) of the record ``body`` at ``sequence``."""
    return hashlib.sha256(salt + sequence.to_bytes(8, "big") + body).digest()


def leaf(sequence: int, record_commitment: bytes) -> bytes:
    """The leaf data of the record at ``sequence`` (1-based)."""
    if sequence < 1 or len(record_commitment) != HASH_BYTES:
        raise ValueError("a leaf needs a sequence ≥ 1 and a 32-byte commitment")
    return sequence.to_bytes(8, "big") + record_commitment


def checkpoint_text(origin: str, size: int, root: bytes, time: str) -> bytes:
    """The bytes a checkpoint's signatures cover."""
    if "\n" in origin or "\n" in time or size < 0 or len(root) != HASH_BYTES:
        raise ValueError("a checkpoint needs a one-line origin and time, a size ≥ 0 and a 32-byte root")
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n{time}\n".encode()


__all__ = [
    "EMPTY_ROOT",
    "HASH_BYTES",
    "LEAF_PREFIX",
    "NODE_PREFIX",
    "SALT_BYTES",
    "checkpoint_text",
    "commitment",
    "leaf",
]
