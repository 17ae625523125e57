"""A party's checkpoint key: Ed25519, kept in a private file, its public half published to the witness.

A checkpoint is ``standard.auditlog.checkpoint_text`` signed with the party's own key; the witness adds
its cosignature the same way.  Keys are raw 32-byte Ed25519 keys in base64 (one line), so an auditor can
paste a public key into ``dsop audit verify --key``.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from opendsop.contracts.auditproof import Checkpoint, Signature, key_id
from opendsop.files import write_private


class Signer:
    """Signs checkpoints as ``name`` (a log's origin, or a witness)."""

    def __init__(self, name: str, key: Ed25519PrivateKey) -> None:
        self.name = name
        self._key = key
        self.public_key = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.key_id = key_id(self.public_key)

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_file(cls, name: str, path: Path, *, create: bool = False) -> Signer:
        """The key in ``path``; with ``create`` a new one is written there (owner-only) when missing."""
        if not path.exists() and create:
            signer = cls.generate(name)
            raw = signer._key.private_bytes(
                serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
            )
            write_private(path, base64.b64encode(raw) + b"\n")
            return signer
        raw = base64.b64decode(path.read_bytes().strip())
        return cls(name, Ed25519PrivateKey.from_private_bytes(raw))

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.public_key).decode()

    def signature(self, checkpoint: Checkpoint) -> Signature:
        return Signature(self.name, self.key_id, base64.b64encode(self._key.sign(checkpoint.text())).decode())

    def sign(self, origin: str, size: int, root: bytes, when: datetime) -> Checkpoint:
        unsigned = Checkpoint(origin, size, root, when.isoformat().replace("+00:00", "Z"))
        return Checkpoint(unsigned.origin, size, root, unsigned.time, (self.signature(unsigned),))

    def token(self, claims: dict[str, object], *, now: datetime, lifetime: timedelta = timedelta(minutes=1)) -> str:
        """A short-lived EdDSA token as issuer ``name`` (``contracts.audittoken``)."""
        from opendsop.contracts.audittoken import issue

        return issue(self._key, {"iss": self.name, **claims}, now=now, lifetime=lifetime)

    def cosign(self, checkpoint: Checkpoint) -> Checkpoint:
        kept = tuple(s for s in checkpoint.signatures if s.name != self.name)
        return Checkpoint(
            checkpoint.origin, checkpoint.size, checkpoint.root, checkpoint.time, (*kept, self.signature(checkpoint))
        )


__all__ = ["Signer"]
