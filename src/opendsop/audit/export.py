"""An audit log as one self-contained file: JSON Lines with the checkpoints and inclusion proofs.

Layout (``contracts.auditproof.EXPORT_FORMAT``): a header ``{format, origin, size, keys}``, one line per
checkpoint, one per record ``{type: "record", sequence, commitment, salt, body}`` (salt and body null once
purged), then one inclusion proof per record against the last checkpoint that covers it.  ``dsop audit
verify --export FILE`` checks it offline with the independent verifier.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

from opendsop.audit.log import MerkleLog
from opendsop.contracts.auditproof import EXPORT_FORMAT


async def export_lines(log: MerkleLog, *, proofs: bool = True) -> AsyncIterator[str]:
    tree = await log.tree()
    size = tree.size
    checkpoints = [c for c in await log.checkpoints() if c.size <= size]
    keys = {name: base64.b64encode(key).decode() for name, key in log.keys.items()}
    yield json.dumps({"format": EXPORT_FORMAT, "origin": log.origin, "size": size, "keys": keys})
    for checkpoint in checkpoints:
        yield json.dumps({"type": "checkpoint", **checkpoint.to_json()})
    commitments: list[str] = []
    after = 0
    while chunk := await log._rows(after, 5000):
        for row in chunk:
            if row.sequence > size:
                break
            commitments.append(row.commitment.hex())
            yield json.dumps(
                {
                    "type": "record",
                    "sequence": row.sequence,
                    "commitment": row.commitment.hex(),
                    "salt": row.salt.hex() if row.salt is not None else None,
                    "body": row.body.decode() if row.body is not None else None,
                }
            )
        after = chunk[-1].sequence
    if not proofs or not checkpoints:
        return
    last = checkpoints[-1]
    for sequence in range(1, min(last.size, len(commitments)) + 1):
        path = tree.inclusion_proof(sequence - 1, last.size)
        yield json.dumps(
            {
                "type": "proof",
                "sequence": sequence,
                "commitment": commitments[sequence - 1],
                "size": last.size,
                "path": [node.hex() for node in path],
            }
        )


__all__ = ["export_lines"]
