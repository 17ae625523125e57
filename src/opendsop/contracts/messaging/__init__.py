"""The message platform's shared contract (Altinn 3 shaped): wire models, names, errors, the client.

What a sender or recipient needs to talk to ``opendsop.altinn`` without importing it: ``models``
(msgspec wire types), ``names`` (scopes, party URNs, statuses, event types), ``errors`` (one
``MSG-xxx`` code per rule), ``signature`` (how webhook deliveries are signed and checked) and
``client.MessagingClient``.
"""

from __future__ import annotations

from opendsop.contracts.messaging.client import FileUpload, MessagingClient
from opendsop.contracts.messaging.errors import MessagingError

__all__ = ["FileUpload", "MessagingClient", "MessagingError"]
