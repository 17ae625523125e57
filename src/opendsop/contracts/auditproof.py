"""The independent verifier of a party's audit log: proofs, checkpoints and whole logs or exports.

It shares nothing with the writer (``opendsop.audit``) beyond the format in ``standard.auditlog``: the
hashing, the proof checks (inclusion: RFC 9162 §2.1.3.2; consistency: RFC 9162 §2.1.4.2) and the streaming root
are written here again, so a fault in the writer's tree cannot hide itself from this check.  An auditor,
the witness, the innsyn page and ``dsop audit verify --export`` all use this module.

Verification walks the records in order and stops at the **first bad position**: a sequence that skips
(a record deleted) or goes back (re-ordered or inserted), a record whose body and salt no longer give its
commitment (altered), a checkpoint whose signature is not the origin's key, or a tree whose root at a
checkpoint's size differs from the signed one (a rewrite: the bad record lies after the last good
checkpoint).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from opendsop.standard import auditlog

EXPORT_FORMAT = "opendsop-audit-export/1"


class ProofError(ValueError):
    """A proof, checkpoint or log that does not verify; ``position`` is the first bad record (1-based)."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


_sha256, _LEAF, _NODE = hashlib.sha256, auditlog.LEAF_PREFIX, auditlog.NODE_PREFIX


def _leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(auditlog.LEAF_PREFIX + data).digest()


def _node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(auditlog.NODE_PREFIX + left + right).digest()


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash of ``data``."""
    return _leaf_hash(data)


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root an inclusion proof leads to (RFC 9162 §2.1.3.2); ``leaf`` is the leaf *hash*."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is outside a tree of {size}")
    if len(leaf) != auditlog.HASH_BYTES or any(len(p) != auditlog.HASH_BYTES for p in proof):
        raise ProofError("hashes must be 32 bytes")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = _node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is deep")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Raise ``ProofError`` unless ``leaf`` (a leaf hash) is at ``index`` of the tree of ``size`` with ``root``."""
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError("the inclusion proof does not lead to the root", index + 1)


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Raise ``ProofError`` unless the tree of ``size2`` extends the one of ``size1`` (RFC 9162 §2.1.4.2)."""
    if not 0 <= size1 <= size2:
        raise ProofError(f"a tree of {size2} cannot extend one of {size1}")
    if size1 == size2:
        if proof or root1 != root2:
            raise ProofError("two trees of the same size must have the same root and an empty proof")
        return
    if size1 == 0:
        if proof:
            raise ProofError("the empty tree needs an empty proof")
        return
    if not proof or any(len(p) != auditlog.HASH_BYTES for p in proof):
        raise ProofError("the consistency proof is empty or malformed")
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # a power of two: the old root is itself a node of the new tree
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = _node_hash(c, fr), _node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = _node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != root1 or sr != root2:
        raise ProofError(f"the tree of {size2} is not an extension of the tree of {size1}")


class RunningRoot:
    """The root of a growing tree, one leaf at a time, in O(log n) memory (a compact range).

    The stack holds the perfect subtrees left to right, one per set bit of the size; adding a leaf merges
    as many as the size has trailing one bits.
    """

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[bytes] = []

    def add(self, leaf_data: bytes) -> None:
        node, size, stack = _sha256(_LEAF + leaf_data).digest(), self.size, self._stack
        while size & 1:
            node = _sha256(_NODE + stack.pop() + node).digest()
            size >>= 1
        stack.append(node)
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return auditlog.EMPTY_ROOT
        node = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            node = _node_hash(left, node)
        return node


def key_id(public_key: bytes) -> str:
    """A short name of an Ed25519 public key (first 4 bytes of its SHA-256, hex)."""
    return hashlib.sha256(public_key).hexdigest()[:8]


@dataclass(frozen=True, slots=True)
class Signature:
    name: str  # who signed: the log's origin, or a witness
    key: str  # key_id of the signing key
    sig: str  # base64 Ed25519 signature over the checkpoint text


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    time: str
    signatures: tuple[Signature, ...] = field(default=())

    def text(self) -> bytes:
        return auditlog.checkpoint_text(self.origin, self.size, self.root, self.time)

    def to_json(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "size": self.size,
            "root": self.root.hex(),
            "time": self.time,
            "signatures": [{"name": s.name, "key": s.key, "sig": s.sig} for s in self.signatures],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Checkpoint:
        try:
            root = bytes.fromhex(str(data["root"]))
            signatures = tuple(
                Signature(str(s["name"]), str(s["key"]), str(s["sig"])) for s in data.get("signatures", ())
            )
            size = data["size"]
            if not isinstance(size, int) or isinstance(size, bool) or size < 0 or len(root) != auditlog.HASH_BYTES:
                raise ValueError
            return cls(str(data["origin"]), size, root, str(data["time"]), signatures)
        except (KeyError, TypeError, ValueError) as error:
            raise ProofError(f"not a checkpoint: {error}") from None


def check_signature(checkpoint: Checkpoint, name: str, public_key: bytes) -> None:
    """Raise ``ProofError`` unless ``checkpoint`` carries ``name``'s valid signature by ``public_key``."""
    wanted = key_id(public_key)
    for signature in checkpoint.signatures:
        if signature.name != name:
            continue
        if signature.key != wanted:
            raise ProofError(f"the checkpoint of size {checkpoint.size} is signed by another key than {name}'s")
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(base64.b64decode(signature.sig), checkpoint.text())
        except (InvalidSignature, ValueError):
            raise ProofError(f"the checkpoint of size {checkpoint.size} has a bad signature by {name}") from None
        return
    raise ProofError(f"the checkpoint of size {checkpoint.size} is not signed by {name}")


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One record as a verifier sees it: the personal part (salt, body) may have been purged."""

    sequence: int
    commitment: bytes
    salt: bytes | None = None
    body: bytes | None = None


class LogVerifier:
    """``verify_log`` one record at a time (for a log too large to hold in memory)."""

    def __init__(self, checkpoints: Iterable[Checkpoint], keys: Mapping[str, bytes], *, origin: str) -> None:
        self._pending = sorted(checkpoints, key=lambda c: c.size)
        if self._pending and origin not in keys:
            raise ProofError(f"no public key of {origin} to check its checkpoints with")
        covered = 0
        for checkpoint in self._pending:
            try:  # a checkpoint that does not verify vouches for nothing after the one before it
                if checkpoint.origin != origin:
                    raise ProofError(
                        f"the checkpoint of size {checkpoint.size} is of another log ({checkpoint.origin})"
                    )
                check_signature(checkpoint, origin, keys[origin])
                for signature in checkpoint.signatures:
                    if signature.name != origin and signature.name in keys:
                        check_signature(checkpoint, signature.name, keys[signature.name])
            except ProofError as error:
                raise ProofError(str(error), covered + 1) from None
            covered = checkpoint.size
        self._running, self._good, self._index = RunningRoot(), 0, 0
        self._reached()

    @property
    def size(self) -> int:
        return self._running.size

    def add(self, record: LogRecord) -> None:
        sequence, commitment = record.sequence, record.commitment
        expected = self._running.size + 1
        if sequence != expected:
            if sequence > expected:
                raise ProofError(f"record {expected} is missing (deleted)", expected)
            raise ProofError(f"record {sequence} appears again at position {expected} (re-ordered)", expected)
        if len(commitment) != auditlog.HASH_BYTES:
            raise ProofError(f"record {expected} has a malformed commitment", expected)
        position = sequence.to_bytes(8, "big")
        if record.salt is not None and record.body is not None:
            if _sha256(record.salt + position + record.body).digest() != commitment:  # standard.auditlog.commitment
                raise _misfit(record)
        self._running.add(position + commitment)  # standard.auditlog.leaf
        if self._index < len(self._pending):
            self._reached()

    def _reached(self) -> None:
        while self._index < len(self._pending) and self._pending[self._index].size == self._running.size:
            self._good = _check_root(self._running, self._pending[self._index], self._good)
            self._index += 1

    def finish(self, expected_size: int | None = None) -> int:
        size = self._running.size
        if self._index < len(self._pending):
            raise ProofError(
                f"record {size + 1} is missing: the log ends at {size} but a checkpoint covers "
                f"{self._pending[-1].size}",
                size + 1,
            )
        if expected_size is not None and size != expected_size:
            raise ProofError(f"record {size + 1} is missing (the log says {expected_size})", size + 1)
        return size


def _misfit(record: LogRecord) -> ProofError:
    """Why a record's content does not fit its commitment at its position: moved, or altered."""
    assert record.salt is not None and record.body is not None
    sequence = record.sequence
    if sequence > 1 and auditlog.commitment(record.salt, sequence - 1, record.body) == record.commitment:
        return ProofError(f"record {sequence - 1} was inserted (record {sequence} was committed there)", sequence - 1)
    if auditlog.commitment(record.salt, sequence + 1, record.body) == record.commitment:
        return ProofError(f"record {sequence} holds the record committed at {sequence + 1} (re-ordered)", sequence)
    return ProofError(f"record {sequence} was altered (its content no longer fits its commitment)", sequence)


def verify_log(
    records: Iterable[LogRecord],
    checkpoints: Iterable[Checkpoint],
    keys: Mapping[str, bytes],
    *,
    origin: str,
    expected_size: int | None = None,
) -> int:
    """Check a whole log against its signed checkpoints; returns the number of records.

    ``keys`` maps a signer's name to its Ed25519 public key; every checkpoint must be signed by
    ``origin`` (and is checked against every other name in ``keys`` whose signature it carries).  Raises
    ``ProofError`` with the first bad position.
    """
    verifier = LogVerifier(checkpoints, keys, origin=origin)
    for record in records:
        verifier.add(record)
    return verifier.finish(expected_size)


def _check_root(running: RunningRoot, checkpoint: Checkpoint, good: int) -> int:
    if running.root() != checkpoint.root:
        raise ProofError(
            f"the first {checkpoint.size} records do not give the signed root: a record after {good} was rewritten",
            good + 1,
        )
    return checkpoint.size


def iter_export(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            raise ProofError(f"line {number} of the export is not JSON (truncated?)") from None
        if not isinstance(item, dict):
            raise ProofError(f"line {number} of the export is not an object")
        yield item


def verify_export(lines: Iterable[str], keys: Mapping[str, bytes] | None = None) -> int:
    """Check an export (``dsop audit export``) offline; returns its number of records.

    Layout: a header line, the checkpoint lines, the record lines, then proof lines.  The header names the
    origin, the size and the public keys; ``keys`` (the auditor's own trusted copy) overrides them, since
    a forger would put their own key in the header.  A truncated export is caught by the header's size,
    by a checkpoint beyond the last record, or by a line cut in the middle.
    """
    items = iter_export(lines)
    header = next(items, None)
    if header is None or header.get("format") != EXPORT_FORMAT:
        raise ProofError(f"not an audit export ({EXPORT_FORMAT} header missing)")
    try:
        trusted = {str(name): base64.b64decode(key) for name, key in dict(header.get("keys", {})).items()}
        size, origin = int(header["size"]), str(header["origin"])
    except (KeyError, TypeError, ValueError):
        raise ProofError("the export's header is malformed") from None
    trusted.update(keys or {})
    checkpoints: list[Checkpoint] = []
    proofs: list[Mapping[str, Any]] = []
    first: LogRecord | None = None
    for item in items:
        if item.get("type") == "checkpoint":
            checkpoints.append(Checkpoint.from_json(item))
            continue
        if item.get("type") == "record":
            first = _export_record(item)
        elif item.get("type") == "proof":
            proofs.append(item)
        else:
            raise ProofError(f"unknown line type {item.get('type')!r} in the export")
        break

    def records() -> Iterator[LogRecord]:
        if first is not None:
            yield first
        for item in items:
            if item.get("type") == "record":
                yield _export_record(item)
            elif item.get("type") == "proof":
                proofs.append(item)
            else:
                raise ProofError(f"unknown or misplaced line type {item.get('type')!r} in the export")

    counted = verify_log(records(), checkpoints, trusted, origin=origin, expected_size=size)
    by_size = {checkpoint.size: checkpoint for checkpoint in checkpoints}
    for proof in proofs:
        check_exported_proof(proof, by_size)
    return counted


def check_exported_proof(proof: Mapping[str, Any], checkpoints: Mapping[int, Checkpoint]) -> None:
    """Check one inclusion proof line (``{sequence, commitment, size, path}``) against the checkpoint of its size."""
    try:
        sequence, size = int(proof["sequence"]), int(proof["size"])
        commitment = bytes.fromhex(str(proof["commitment"]))
        path = [bytes.fromhex(str(node)) for node in proof["path"]]
    except (KeyError, TypeError, ValueError):
        raise ProofError("a proof line of the export is malformed") from None
    checkpoint = checkpoints.get(size)
    if checkpoint is None:
        raise ProofError(f"the proof of record {sequence} refers to no checkpoint of size {size}", sequence)
    verify_inclusion(sequence - 1, size, _leaf_hash(auditlog.leaf(sequence, commitment)), path, checkpoint.root)


def _export_record(item: Mapping[str, Any]) -> LogRecord:
    try:
        sequence = int(item["sequence"])
        salt, body = item.get("salt"), item.get("body")
        return LogRecord(
            sequence,
            bytes.fromhex(str(item["commitment"])),
            bytes.fromhex(salt) if isinstance(salt, str) else None,
            body.encode() if isinstance(body, str) else None,
        )
    except (KeyError, TypeError, ValueError):
        raise ProofError(f"a record line of the export is malformed: {dict(item)!r:.80}") from None


__all__ = [
    "EXPORT_FORMAT",
    "Checkpoint",
    "LogRecord",
    "LogVerifier",
    "ProofError",
    "RunningRoot",
    "Signature",
    "check_exported_proof",
    "check_signature",
    "iter_export",
    "key_id",
    "leaf_hash",
    "root_from_inclusion",
    "verify_consistency",
    "verify_export",
    "verify_inclusion",
    "verify_log",
]
