"""Signed webhook deliveries: how the platform signs and how a subscriber checks a delivery.

Each delivery is a POST of one CloudEvent (JSON) with the header
``X-Altinn-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`` — the scheme
Stripe and GitHub use: HMAC over the timestamp and the exact body bytes, so a replayed or altered
body fails; ``tolerance`` bounds how old a delivery may be.  The secret is given once, when the
subscription is made.  (Altinn's Events API validates the endpoint instead and signs nothing; we sign
so that a webhook endpoint on the open internet can tell our deliveries from anyone's.)
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from opendsop.clock import utc_now


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value for ``body`` sent at ``timestamp`` (unix seconds)."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, body: bytes, header: str | None, *, tolerance: int = 300, now: datetime | None = None) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` and is at most ``tolerance`` seconds old."""
    if not header:
        return False
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields.get("t", ""))
    except ValueError:
        return False
    if abs(int((now or utc_now()).timestamp()) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


__all__ = ["sign", "verify"]
