"""The message platform's shared contract (Altinn 3 shaped): wire models, names, errors, the client.

What a sender or recipient needs to talk to ``opendsop.altinn`` without importing it: ``models``
(msgspec wire types), ``names`` (scopes, party URNs, statuses, event types), ``errors`` (one
``MSG-xxx`` code per rule), ``signature`` (how webhook deliveries are signed and checked) and
``client.MessagingClient``.  The client (and httpx) is imported on first use, so that reading the
scope names costs a command's ``--help`` nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opendsop import lazy

if TYPE_CHECKING:
    from opendsop.contracts.messaging.client import FileUpload, MessagingClient
    from opendsop.contracts.messaging.errors import MessagingError

__getattr__ = lazy.exports(
    __name__,
    {
        "FileUpload": "opendsop.contracts.messaging.client",
        "MessagingClient": "opendsop.contracts.messaging.client",
        "MessagingError": "opendsop.contracts.messaging.errors",
    },
)

__all__ = ["FileUpload", "MessagingClient", "MessagingError"]
