"""The witness party over HTTP (port 8055 in the local ecosystem).

* ``POST /witness/v1/cosign`` ``{checkpoint, proof: [hex]}`` → the checkpoint with the witness's
  cosignature, or 409 ``{code: WIT-00x, message}`` (unknown log, bad signature, rolled back, rewritten);
  400 ``WIT-000`` for a body that is not a checkpoint;
* ``GET /witness/v1/logs/{origin}`` → the last checkpoint it cosigned of that log (404 ``WIT-005`` none);
* ``GET /witness/v1/key`` → its own public key (name, key id, base64).
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath

from opendsop.audit.witness import Witness, WitnessRefused
from opendsop.availability import Readiness, health_routes
from opendsop.contracts.auditproof import Checkpoint, ProofError
from opendsop.serving import observe


def _problem(status: int, code: str, message: str) -> Response[dict[str, str]]:
    return Response({"code": code, "message": message}, status_code=status)


@post("/witness/v1/cosign", status_code=200)
async def cosign(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    witness: Witness = state.witness
    try:
        body = await request.json()
        checkpoint = Checkpoint.from_json(body["checkpoint"])
        proof = [bytes.fromhex(node) for node in body.get("proof", [])]
    except (ProofError, KeyError, TypeError, ValueError, AttributeError) as error:
        return _problem(400, "WIT-000", f"expected {{checkpoint, proof}}: {error}")
    try:
        return Response(witness.cosign(checkpoint, proof).to_json())
    except WitnessRefused as refused:
        return _problem(409, refused.code, refused.message)


@get("/witness/v1/logs/{origin:str}")
async def latest(origin: FromPath[str], state: State) -> Response[Any]:
    seen = state.witness.latest(origin)
    if seen is None:
        return _problem(404, "WIT-005", f"the witness has cosigned no checkpoint of {origin!r}")
    return Response(seen.to_json())


@get("/witness/v1/key", sync_to_thread=False)
def key(state: State) -> dict[str, str]:
    signer = state.witness.signer
    return {"name": signer.name, "key": signer.key_id, "public": signer.public_b64}


def create_app(witness: Witness) -> Litestar:
    readiness = Readiness()
    return observe(
        Litestar(
            route_handlers=[cosign, latest, key, *health_routes(readiness)],
            state=State({"witness": witness}),
            logging_config=None,
        ),
        "witness",
        title="Witness (countersigns audit checkpoints)",
    )


__all__ = ["create_app"]
