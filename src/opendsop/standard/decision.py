"""What ``authorize`` answers: ``Allowed`` with everything the data layer needs, or ``Denied`` with the
exact HTTP status, standard code and a message naming the offending parameter.

Denials are values (warehouse's ``Success``/``Failure`` idea) so every one can be audit-logged with
its reason; both are falsy/truthy so ``if decision:`` reads naturally.

>>> bool(Denied(status=400, code="ACC-001", message="x"))
False
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from opendsop.standard.endpoints import Endpoint
from opendsop.standard.errors import DsopError, status_for
from opendsop.standard.period import Period

if TYPE_CHECKING:
    from opendsop.standard.identifiers import PartyIdentifier
    from opendsop.standard.mandate import Mandate


@dataclass(frozen=True, slots=True, kw_only=True)
class Allowed:
    """The request may be served.  ``period`` is the window data must be taken from (already
    narrowed by facts, e.g. to the part of the year a guardianship existed)."""

    service: str
    endpoint: Endpoint
    mandate: Mandate
    period: Period
    account_info_request_id: str
    correlation_id: str
    party: PartyIdentifier | None = None
    only_primary_owner: bool | None = None
    requester_id: str | None = None
    return_empty: bool = False
    note: str = ""

    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True, slots=True, kw_only=True)
class Denied:
    status: int
    code: str
    message: str
    parameter: str | None = None
    service: str | None = None

    def __bool__(self) -> bool:
        return False

    @classmethod
    def from_error(cls, error: DsopError, *, service: str | None = None, code: str | None = None) -> Denied:
        final_code = code or error.code
        return cls(
            status=status_for(final_code),
            code=final_code,
            message=error.message,
            parameter=error.parameter,
            service=service,
        )

    def body(self) -> dict[str, str]:
        """The Control API error body ``{"code", "message"}`` (Bank_v2.yaml ``Error``)."""
        return {"code": self.code, "message": self.message}


Decision = Allowed | Denied

__all__ = ["Allowed", "Decision", "Denied"]
