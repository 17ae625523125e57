"""Structured JSON log lines for a bank's Control API (ARCHITECTURE "Cross-cutting rules").

One line per request, with ``CorrelationID`` and ``AccountInfoRequestID`` so Bits' error-handling
routine can find a request (DSOP “eOppslag”), plus consumer, service, endpoint, status, code
and duration.  Never personal data: no PartyID, no account numbers, no names; what is logged is
redacted once more (``serving.redact``) in case a message quotes a number.  The full record of who
asked what lives in the audit log, not here.
"""

from __future__ import annotations

import logging

from opendsop.serving import JsonFormatter

LOGGER_NAME = "opendsop.provider"
log = logging.getLogger(LOGGER_NAME)


__all__ = ["LOGGER_NAME", "JsonFormatter", "log"]
