# SPDX-License-Identifier: Apache-2.0
"""Errors of DSVE shipments, e-tinglysing and company founding, with their codes.

DSVE itself answers a bad request with the reply's NACK status (``Rejected``, ``Avvist``, ``Feil``;
catalogue.reply_status_for_rejection); these codes say *why*, in the status description and on the
stand-ins' HTTP APIs.  The codes are ours (docs/decisions.md, "DSVE and company founding"):

DSVE-001 manifest without ``messageType`` · DSVE-002 unknown ``messageType`` · DSVE-003 a required
manifest key missing or invalid · DSVE-004 the ZIP is unreadable or unsafe · DSVE-005 the ZIP's files
break the message's file rules (e.g. two deeds) · DSVE-006 an XML file breaks the model · DSVE-007
AKELDO does not allow the sender to send or the receiver to receive the type · DSVE-008 an invalid
dokumentreferanse · DSVE-009 a dokumentreferanse already used · DSVE-010 the bank did not send as its
own orgnr.  TL-xxx are e-tinglysing's, FR-xxx Foretaksregisteret's (see their modules).
"""

from __future__ import annotations


class DsveError(ValueError):
    """A rule of DSVE, e-tinglysing or company founding is broken: ``code`` + a message for a person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


__all__ = ["DsveError"]
