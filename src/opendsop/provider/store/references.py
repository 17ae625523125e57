"""The opaque ``accountReference``: how a bank names an account to one consumer in one case.

Decides (DSOP “Recommendations regarding validation” ``accountReference``, DSOP “Endpoint Accounts V.2.0”; the DSOP
services' “Løsningsbeskrivelse” pages): the reference is "not the
account number and must not be easy to decode into one", and the other endpoints take it as their
only account input.  Our choice:

    reference = base64url(HMAC-SHA256(bank secret, domain ‖ consumer_org ‖ AccountInfoRequestID
                                      ‖ party ‖ internal account id))[:32]

stored in ``bank_account_reference`` with what it was issued for.  Consequences:

* Not derivable from the account number (or anything else) without the bank's secret, and it
  carries nothing: 192 bits of MAC, so guessing one is hopeless.
* **Consumer-bound:** a lookup names the calling consumer (from its Maskinporten token) and a
  reference issued to another consumer is simply not found (→ the app answers 404).
* **Case-bound and stable within it:** the same Accounts request repeated (or paged) in a case
  yields the same references, a new case yields new ones; the stored row tells the step-2b
  endpoints which party the case concerns (``Facts.party_id``) and under which case it was issued.
* Deterministic, so issuing is an idempotent insert (no race between two concurrent Accounts
  calls) and the in-memory twin yields the very same strings as SQL.

A bank that prefers random tokens can replace :func:`issue` — callers only ever look references up.
``dataNotDelivered`` (Skatt and Politi may receive it for accounts the bank will not serve through
the other endpoints) is never stored, so looking it up finds nothing; the pipeline should answer
it with ACC-003 (:func:`is_data_not_delivered`).

# NOTE: compatibility — changing the layout invalidates every issued reference; consumers then
# get 404 and must call Accounts again, which the standard already requires per case.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Final

DATA_NOT_DELIVERED: Final = "dataNotDelivered"
MIN_SECRET_LENGTH: Final = 16
REFERENCE_LENGTH: Final = 32
_DOMAIN: Final = b"opendsop/accountReference/v1\x00"


def issue(secret: bytes, *, consumer_org: str, account_info_request_id: str, party_id: str, account_id: str) -> str:
    """The reference of ``account_id`` for this consumer, case and party (32 URL-safe characters)."""
    if not isinstance(secret, bytes | bytearray) or len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(f"the accountReference secret must be at least {MIN_SECRET_LENGTH} bytes")
    message = _DOMAIN + b"".join(
        len(encoded).to_bytes(4, "big") + encoded
        for encoded in (
            part.encode("utf-8", "surrogatepass")
            for part in (consumer_org, account_info_request_id.lower(), party_id, account_id)
        )
    )
    digest = hmac.new(bytes(secret), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:REFERENCE_LENGTH]


def is_data_not_delivered(reference: str) -> bool:
    return reference == DATA_NOT_DELIVERED


def plausible(reference: str) -> bool:
    """Whether ``reference`` could be one we issued (cheap check before touching the database)."""
    return len(reference) == REFERENCE_LENGTH and all(
        char.isascii() and (char.isalnum() or char in "-_") for char in reference
    )


__all__ = ["DATA_NOT_DELIVERED", "MIN_SECRET_LENGTH", "REFERENCE_LENGTH", "is_data_not_delivered", "issue", "plausible"]
