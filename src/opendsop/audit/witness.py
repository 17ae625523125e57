"""The witness: countersigns a party's checkpoint only if it extends the last one the witness saw.

A party that rewrites its own log can re-sign every checkpoint with its own key, and its log then
verifies against itself.  It cannot make the witness sign: the witness keeps the last checkpoint it
cosigned per log and refuses a new one unless an RFC 9162 consistency proof shows the new tree extends
the old (the C2SP witness protocol's rule).  Auditors verify against the witness's cosigned copies.

The state is one JSON file (or memory): per origin, the last cosigned checkpoint.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from opendsop.audit.signing import Signer
from opendsop.contracts.auditproof import Checkpoint, ProofError, check_signature, verify_consistency
from opendsop.files import write_private


class WitnessRefused(Exception):
    """The witness will not cosign; ``code`` is WIT-00x."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Witness:
    def __init__(self, signer: Signer, keys: Mapping[str, bytes], state: Path | None = None) -> None:
        self.signer = signer
        self.keys = dict(keys)
        self._state = state
        self._lock = threading.Lock()
        self._seen: dict[str, Checkpoint] = {}
        if state is not None and state.exists():
            data = json.loads(state.read_text(encoding="utf-8"))
            self._seen = {origin: Checkpoint.from_json(item) for origin, item in data.items()}

    def latest(self, origin: str) -> Checkpoint | None:
        return self._seen.get(origin)

    def cosign(self, checkpoint: Checkpoint, proof: Sequence[bytes]) -> Checkpoint:
        """Countersign ``checkpoint`` given a consistency proof from the last one seen of its log."""
        key = self.keys.get(checkpoint.origin)
        if key is None:
            raise WitnessRefused("WIT-001", f"unknown log {checkpoint.origin!r}: its public key is not registered")
        try:
            check_signature(checkpoint, checkpoint.origin, key)
        except ProofError as error:
            raise WitnessRefused("WIT-002", str(error)) from None
        with self._lock:
            last = self._seen.get(checkpoint.origin)
            if last is not None:
                if checkpoint.size < last.size:
                    raise WitnessRefused(
                        "WIT-003", f"the log went back from {last.size} to {checkpoint.size} records (rolled back)"
                    )
                try:
                    verify_consistency(last.size, checkpoint.size, proof, last.root, checkpoint.root)
                except ProofError as error:
                    raise WitnessRefused(
                        "WIT-004",
                        f"the tree of {checkpoint.size} does not extend the {last.size} records cosigned at "
                        f"{last.time}: the log was rewritten ({error})",
                    ) from None
            cosigned = self.signer.cosign(checkpoint)
            self._seen[checkpoint.origin] = cosigned
            if self._state is not None:
                write_private(
                    self._state,
                    json.dumps({origin: cp.to_json() for origin, cp in self._seen.items()}, sort_keys=True, indent=1),
                )
        return cosigned


__all__ = ["Witness", "WitnessRefused"]
