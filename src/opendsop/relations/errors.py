"""Error bodies of the hub (KAR.yaml; DSOP “Endpoint customerRelationships V.2.0”; DSOP Kundeforholdsregister “Om”; DSOP
“eOppslag”).

* ``ERR-xxx`` / ``KFR-xxx``: ``{errorCode, errorMessage, timestamp}`` (``ErrorResponse``);
* 401 of ``accountServicingProvider``: ``{statusCode, message}`` (``ErrorResponse401``).

The message starts with the standard's own phrase for the code ("Ugyldig KUNDEID", …) followed by
what exactly is wrong and where.  Statuses the contract declares without a code (405, 406, 500 and
the 504 "No response from data source") get ``ERR-<status>`` on the consumer endpoints and
``KFR-004``/``KFR-007`` on the KFR ones: the body requires a code, and the catalogue has none for
them (a decision, listed in the report).
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec
from litestar import Response

from opendsop.standard.relations import ErrorResponse, ErrorResponse401
from opendsop.standard.wire import encode

JSON = "application/json"

PHRASES: Mapping[str, str] = {
    "ERR-001": "Klient er ikke autorisert",
    "ERR-002": "Ugyldig KUNDEID",
    "ERR-003": "Ugyldig periode eller datoformat",
    "ERR-004": "Ugyldig kontonummer",
    "ERR-504": "No response from data source",
    "KFR-001": "Client is not authenticated",
    "KFR-002": "Client does not have access",
    "KFR-003": "Client cannot manage customer relationships for the given organisation number",
    "KFR-004": "Invalid request",
    "KFR-005": "Invalid customer identifier",
    "KFR-007": "Internal error",
    "KFR-008": "Customer relationship not found",
    "KFR-009": "Invalid customer relationship type",
    "KFR-010": "Invalid date format",
}


class HubError(Exception):
    """An answer other than success; ``render`` builds the HTTP response."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str = "",
        *,
        headers: Mapping[str, str] | None = None,
        unauthorized_401: bool = False,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        phrase = PHRASES.get(code, "")
        message = f"{phrase}: {detail}" if phrase and detail else (phrase or detail)
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})
        self.unauthorized_401 = unauthorized_401  # accountServicingProvider's own 401 body
        self.extra = dict(extra or {})

    def render(self, now: datetime) -> Response[bytes]:
        if self.unauthorized_401:
            body = encode(ErrorResponse401(status_code=decimal.Decimal(self.status), message=self.message))
        else:
            error = ErrorResponse(error_code=self.code, error_message=self.message, timestamp=now)
            body = encode({**_as_dict(error), **self.extra}) if self.extra else encode(error)
        headers = dict(self.headers)
        if self.status == 401:
            headers.setdefault("WWW-Authenticate", 'Bearer realm="kundeforhold"')
        return Response(body, status_code=self.status, media_type=JSON, headers=headers)


def _as_dict(error: ErrorResponse) -> dict[str, Any]:
    result: dict[str, Any] = msgspec.to_builtins(error)
    return result


__all__ = ["JSON", "PHRASES", "HubError"]
