"""What is known about one Control API request, and what becomes of it: the audit record and the log line.

The audit record keeps what the standard asks a bank to be able to prove later (``audit.log``); the
log line only ids, consumer, service and endpoint, never personal data (``provider.logs``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from opendsop.audit.log import AuditRecord
from opendsop.provider import answers
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.versions import ApiVersion

if TYPE_CHECKING:
    from opendsop.provider.pipeline import Answer, Dialect

MAX_AUDIT_TEXT = 1024
MAX_AUDIT_REFERENCE = 16 * 1024  # an extradition order (JWS) is kept whole as proof of the legal basis


@dataclass(slots=True)
class Trace:
    """What is known about one request so far: becomes the audit record, the log line and metrics."""

    endpoint: Endpoint | None
    headers: Mapping[str, str]
    account_reference: str | None = None
    consumer_org: str | None = None
    supplier_org: str | None = None
    service: str | None = None
    party_id: str | None = None
    from_date: date | None = None
    to_date: date | None = None
    records: int = 0
    dialect: Dialect | None = None
    api_version: ApiVersion = ApiVersion.V2

    def header(self, name: str, limit: int = MAX_AUDIT_TEXT) -> str | None:
        value = self.headers.get(name.lower())
        return value[:limit] if value is not None else None


def audit_record(trace: Trace, answer: Answer, recorded_at: datetime, delivered: bool | None = None) -> AuditRecord:
    """The audit record of ``answer``; ``delivered`` once known (None: recorded before it was sent)."""
    code, message = answers.code_and_message(answer)
    endpoint = trace.endpoint.value if trace.endpoint else "unknown"
    return AuditRecord(
        recorded_at=recorded_at,
        correlation_id=trace.header("CorrelationID"),
        account_info_request_id=trace.header("AccountInfoRequestID"),
        legal_mandate=trace.header("Legal-Mandate"),
        additional_reference_id_type=trace.header("AdditionalReferenceIDType"),
        additional_reference_id=trace.header("AdditionalReferenceID", MAX_AUDIT_REFERENCE),
        requester_id=trace.header("RequesterID"),
        consumer_org=trace.consumer_org,
        supplier_org=trace.supplier_org,
        service=trace.service,
        endpoint=endpoint,
        party_id=trace.party_id[:64] if trace.party_id else None,
        account_reference=trace.account_reference[:MAX_AUDIT_TEXT] if trace.account_reference else None,
        from_date=trace.from_date,
        to_date=trace.to_date,
        outcome="allowed" if answer.status == 200 else code or f"HTTP-{answer.status}",
        status=answer.status,
        records=trace.records if answer.status == 200 else 0,
        message=message,
        delivered=delivered,
        api_version=trace.api_version.value,
    )


def log_fields(trace: Trace) -> dict[str, Any]:
    """The fields of the request's log line (ids, consumer, service, endpoint; no personal data)."""
    return {
        "correlation_id": answers.uuid_or_none(trace.headers.get("correlationid")),
        "account_info_request_id": answers.uuid_or_none(trace.headers.get("accountinforequestid")),
        "consumer": trace.consumer_org,
        "service": trace.service,
        "endpoint": trace.endpoint.operation_id if trace.endpoint else None,
        "api": trace.api_version.value,
    }


__all__ = ["MAX_AUDIT_REFERENCE", "MAX_AUDIT_TEXT", "Trace", "audit_record", "log_fields"]
