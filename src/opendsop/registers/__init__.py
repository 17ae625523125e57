# SPDX-License-Identifier: Apache-2.0
"""The national registers as local stand-ins: Folkeregisteret, Konkursregisteret (Konkursvarsel), Enhetsregisteret.

Banks read them through the typed clients of ``opendsop.contracts.registers`` (``FolkeregisterClient``,
``KonkursClient``, ``EnhetsregisterClient``) or, in unit tests, the in-memory twins here
(``MemoryFolkeregister``, …), which implement the same Protocols.  ``create_app`` (app.py) serves
all three; ``contracts.registers.facts`` turns what they hold into the rules core's ``Facts``.
"""

from __future__ import annotations

from opendsop.registers.memory import MemoryEnhetsregister, MemoryFolkeregister, MemoryKonkursregister
from opendsop.registers.signatur import signature_right

__all__ = [
    "MemoryEnhetsregister",
    "MemoryFolkeregister",
    "MemoryKonkursregister",
    "signature_right",
]
