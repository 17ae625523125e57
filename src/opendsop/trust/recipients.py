"""Recipient keys for JWE encryption, kept per consumer certificate.

Separate from :mod:`opendsop.trust.jwe` so the cache (bounds, eviction, thread safety)
reads on its own. A bank encrypts to the same few consumer certificates all day, and
importing the public key from a certificate cost more than the RSA encryption itself:
the imported key and its ``x5t#S256`` are kept per certificate, bounded,
least recently used first out. The key is the certificate itself, whose equality is its
DER bytes, so a rotated certificate is imported at first use. Certificates that fail to
import are never kept.
"""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from joserfc.jwk import ECKey, RSAKey

from opendsop.trust.keys import as_jwk

__all__ = ["RecipientKeys"]


class RecipientKeys:
    """The public keys of recently used recipient certificates, with their ``x5t#S256``.

    At most ``capacity`` certificates; the least recently used goes first. Safe to share
    between threads.
    """

    def __init__(self, capacity: int = 256) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._entries: OrderedDict[x509.Certificate, tuple[RSAKey | ECKey, str]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, certificate: x509.Certificate) -> tuple[RSAKey | ECKey, str]:
        """``(public key, x5t#S256)`` of ``certificate``; a ``TrustError`` if its key is not usable."""
        with self._lock:
            entry = self._entries.get(certificate)
            if entry is not None:
                self._entries.move_to_end(certificate)
                return entry
        key = as_jwk(certificate)  # raises for an unusable key: nothing is kept
        assert isinstance(key, RSAKey | ECKey)
        thumbprint = base64.urlsafe_b64encode(certificate.fingerprint(hashes.SHA256())).rstrip(b"=").decode("ascii")
        entry = (key, thumbprint)
        with self._lock:
            self._entries[certificate] = entry
            self._entries.move_to_end(certificate)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return entry
