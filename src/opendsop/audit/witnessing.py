"""A party's side of the witness: send each new checkpoint, with a consistency proof, for countersigning.

``GET {witness}/witness/v1/logs/{origin}`` gives the last checkpoint the witness cosigned of this log
(404: none yet); ``POST {witness}/witness/v1/cosign`` with ``{checkpoint, proof}`` returns it cosigned, or
409 ``{code: WIT-00x, message}`` when the witness refuses.  The cosigned copy is kept with the log.
"""

from __future__ import annotations

import httpx

from opendsop.audit.log import MerkleLog
from opendsop.contracts.auditproof import Checkpoint


class WitnessUnavailable(Exception):
    """The witness refused the checkpoint or could not be reached."""


async def submit(log: MerkleLog, checkpoint: Checkpoint, witness_url: str, *, timeout: float = 5.0) -> Checkpoint:
    """Have ``checkpoint`` of ``log`` cosigned by the witness at ``witness_url``; keeps and returns the copy."""
    async with httpx.AsyncClient(base_url=witness_url.rstrip("/"), timeout=timeout) as client:
        try:
            seen = await client.get(f"/witness/v1/logs/{checkpoint.origin}")
            last = Checkpoint.from_json(seen.json()) if seen.status_code == 200 else None
            proof = (
                await log.consistency_proof(last.size, checkpoint.size) if last and last.size <= checkpoint.size else []
            )
            answer = await client.post(
                "/witness/v1/cosign", json={"checkpoint": checkpoint.to_json(), "proof": [p.hex() for p in proof]}
            )
        except httpx.HTTPError as error:
            raise WitnessUnavailable(f"the witness at {witness_url} did not answer ({type(error).__name__})") from None
    if answer.status_code != 200:
        problem = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else {}
        raise WitnessUnavailable(f"{problem.get('code', answer.status_code)}: {problem.get('message', answer.text)}")
    cosigned = Checkpoint.from_json(answer.json())
    await log.store_checkpoint(cosigned)
    return cosigned


def attach(log: MerkleLog, witness_url: str) -> None:
    """Send each checkpoint ``log`` signs to the witness in the background (a refusal is logged, loudly)."""
    import asyncio
    import logging

    pending: set[asyncio.Task[object]] = set()

    async def send(checkpoint: Checkpoint) -> None:
        try:
            await submit(log, checkpoint, witness_url)
        except WitnessUnavailable as error:
            logging.getLogger("opendsop.audit").warning(
                "%s: checkpoint %d not cosigned: %s", log.origin, checkpoint.size, error
            )

    def on_checkpoint(checkpoint: Checkpoint) -> None:
        task = asyncio.get_running_loop().create_task(send(checkpoint))
        pending.add(task)
        task.add_done_callback(pending.discard)

    log.on_checkpoint = on_checkpoint


__all__ = ["WitnessUnavailable", "attach", "submit"]
