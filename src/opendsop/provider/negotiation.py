"""Which body a 200 answer carries, from ``Accept`` and the bank's environment (DSOP “Security design”).

Every 200 body is a JWE (``application/jose``).  Only in **test** may a client get plaintext, and
only by asking for ``application/json``; production never offers it, so a production request that
accepts nothing but ``application/json`` is answered 406 ACC-013 rather than silently encrypted.
An absent ``Accept`` (or ``*/*``) means JWE.  On equal preference an explicitly named type beats a
wildcard, and JWE beats plaintext.
"""

from __future__ import annotations

JOSE = "application/jose"
JSON = "application/json"


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges: list[tuple[str, float]] = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    return ranges


def _preference(offer: str, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """(quality, specificity) of the most specific range matching ``offer``; (0, -1) if none."""
    kind = offer.split("/", 1)[0]
    best = (0.0, -1)
    for media, quality in ranges:
        specificity = 2 if media == offer else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
        if specificity > best[1]:
            best = (quality, specificity)
    return best


def choose_media_type(accept: str | None, *, plaintext_allowed: bool) -> str | None:
    """``application/jose``, ``application/json`` or ``None`` (nothing acceptable → 406)."""
    if accept is None or not accept.strip():
        return JOSE
    ranges = _ranges(accept)
    if not ranges:
        return JOSE
    offers = [JOSE, JSON] if plaintext_allowed else [JOSE]
    scored = [(_preference(offer, ranges), -index, offer) for index, offer in enumerate(offers)]
    (quality, _specificity), _, offer = max(scored)
    return offer if quality > 0 else None


__all__ = ["JOSE", "JSON", "choose_media_type"]
