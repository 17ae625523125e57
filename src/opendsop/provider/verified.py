"""Bearer tokens the bank verified recently: a consumer sends the same access token with every request.

Decides how often a token's signature is checked (its cost is paid per request).  A Maskinporten
access token is reused until it expires (about two minutes), so the pipeline verifies each token
once and remembers its principal, keyed by the exact ``Authorization`` header value:

* an entry ends at the token's ``exp`` (by the pipeline's clock, without leeway) and at most
  ``ttl`` seconds after the check (by the monotonic clock), so a key withdrawn from the issuer's
  JWKS stops being honoured within ``ttl``;
* only successful checks are remembered (a refused token is checked again each time), and a
  token without ``exp`` is never remembered;
* at most ``capacity`` entries; when full, the oldest goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from opendsop.authority.verify import Principal


@dataclass
class VerifiedTokens:
    ttl: float = 30.0
    capacity: int = 4096
    _entries: dict[str, tuple[Principal, float, float]] = field(default_factory=dict, repr=False)

    def get(self, authorization: str, *, now: datetime, monotonic: float) -> Principal | None:
        """The principal of a remembered, still valid token, else ``None``."""
        entry = self._entries.get(authorization)
        if entry is None:
            return None
        principal, expires, checked = entry
        if now.timestamp() >= expires or not 0 <= monotonic - checked < self.ttl:
            del self._entries[authorization]
            return None
        return principal

    def remember(self, authorization: str, principal: Principal, *, monotonic: float) -> None:
        expires = principal.claims.get("exp")
        if isinstance(expires, bool) or not isinstance(expires, int | float):
            return
        if len(self._entries) >= self.capacity:
            del self._entries[next(iter(self._entries))]
        self._entries[authorization] = (principal, float(expires), monotonic)


__all__ = ["VerifiedTokens"]
