# SPDX-License-Identifier: Apache-2.0
"""The national registers as local stand-ins: Folkeregisteret, Konkursregisteret (Konkursvarsel), Enhetsregisteret.

Banks read them through the typed clients (``FolkeregisterClient``, ``KonkursClient``,
``EnhetsregisterClient``) or, in unit tests, their in-memory twins (``MemoryFolkeregister``, …),
which implement the same Protocols.  ``create_app`` (app.py) serves all three; ``facts`` turns
what they hold into the rules core's ``Facts``.
"""

from __future__ import annotations

from opendsop.registers.clients import (
    Enhetsregister,
    EnhetsregisterClient,
    Folkeregister,
    FolkeregisterClient,
    KonkursClient,
    Konkursregister,
    NoticePage,
)
from opendsop.registers.facts import gather_facts, kjennelsesdato, person_facts, to_guardianship
from opendsop.registers.memory import MemoryEnhetsregister, MemoryFolkeregister, MemoryKonkursregister
from opendsop.registers.signatur import signature_right

__all__ = [
    "Enhetsregister",
    "EnhetsregisterClient",
    "Folkeregister",
    "FolkeregisterClient",
    "KonkursClient",
    "Konkursregister",
    "MemoryEnhetsregister",
    "MemoryFolkeregister",
    "MemoryKonkursregister",
    "NoticePage",
    "gather_facts",
    "kjennelsesdato",
    "person_facts",
    "signature_right",
    "to_guardianship",
]
