# SPDX-License-Identifier: Apache-2.0
"""The digital letter ("digitalt brev"): an agency's request to a bank without a Control API, and the bank's answer.

DSOP “Architecture document” (step 2.2): banks not in the API catalogue get the request in their Altinn
message box, process it manually and answer "som ustrukturerte data … for eksempel på et excel-format –
eventuelt PDF" in the same channel.  No structured format is specified anywhere in DSOP, so this one is
ours: what the agency and the bank share.

* The request travels as a correspondence of resource ``dsop-digital-letter``: human text (title,
  summary, markdown body in bokmål) plus the structured request as a JSON attachment
  (``dsop-foresporsel.json``, :class:`LetterRequest`); ``propertyList`` carries Legal-Mandate,
  AccountInfoRequestID, CorrelationID and CustomerID (the DSOP mapping proposed for Altinn 3), and the
  correspondence is confidential and needs confirmation.
* The bank answers with one XLSX or PDF attachment, referring to the request by its
  AccountInfoRequestID (:func:`answer_type` checks the file is what its name says).
"""

from __future__ import annotations

from datetime import date
from typing import Final

import msgspec

RESOURCE: Final = "dsop-digital-letter"
REQUEST_FILE: Final = "dsop-foresporsel.json"
REQUEST_TYPE: Final = "application/json"
ANSWER_TYPES: Final = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
}
MAX_ANSWER_BYTES: Final = 20 * 1024 * 1024

_WHAT = {
    "accounts": "kontoer (kontonummer, type, status, eierforhold)",
    "accountDetails": "kontodetaljer og saldo",
    "transactions": "transaksjoner i perioden",
    "cards": "kort knyttet til kontoene",
    "roles": "roller (disponenter og fullmakter)",
}


class LetterRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What the agency asks, as the structured attachment carries it."""

    service: str  # the service profile's key (skatt, konkurs, …)
    serviceName: str
    legalMandate: str  # the Legal-Mandate text
    accountInfoRequestId: str
    correlationId: str
    agencyOrgnr: str
    agencyName: str | None = None
    caseNumber: str | None = None
    customerId: str  # the party asked about (fnr/d-nr/org.nr)
    fromDate: date | None = None
    toDate: date | None = None
    onlyPrimaryOwner: bool = True
    requesterId: str | None = None
    asked: tuple[str, ...] = ()  # operation ids of the Control API endpoints the answer replaces
    documents: tuple[str, ...] = ()  # "ytterligere opplysninger": documents the API does not carry
    dueDate: date

    def title(self) -> str:
        return f"DSOP {self.serviceName}: forespørsel om kontoopplysninger ({self.accountInfoRequestId[:8]})"

    def summary(self) -> str:
        return f"Svar innen {self.dueDate.isoformat()} med vedlegg i XLSX eller PDF."

    def property_list(self) -> dict[str, str]:
        return {
            "Legal-Mandate": self.legalMandate,
            "AccountInfoRequestID": self.accountInfoRequestId,
            "CorrelationID": self.correlationId,
            "CustomerID": self.customerId,
        }

    def body(self) -> str:
        """The human text (markdown, bokmål); the structured request is the JSON attachment."""
        period = (
            f"{self.fromDate.isoformat()} – {self.toDate.isoformat()}" if self.fromDate and self.toDate else "i dag"
        )
        lines = [
            f"{self.agencyName or self.agencyOrgnr} ber om kontoopplysninger etter **{self.legalMandate}** "
            f"({self.serviceName}).",
            "",
            f"- Gjelder: {self.customerId}",
            f"- Periode: {period}",
            f"- Bare primær kontoeier: {'ja' if self.onlyPrimaryOwner else 'nei'}",
            f"- AccountInfoRequestID: `{self.accountInfoRequestId}`",
        ]
        if self.caseNumber:
            lines.append(f"- Saksnummer: {self.caseNumber}")
        if self.requesterId:
            lines.append(f"- Saksbehandler: {self.requesterId}")
        lines += ["", "Vi ber om:"] + [f"- {_WHAT.get(item, item)}" for item in self.asked]
        lines += [f"- dokument: {document}" for document in self.documents]
        lines += [
            "",
            f"Svar innen **{self.dueDate.isoformat()}** i denne tjenesten med ett vedlegg i XLSX eller PDF.",
            f"Forespørselen i strukturert form ligger ved som `{REQUEST_FILE}`.",
        ]
        return "\n".join(lines)


def encode_request(request: LetterRequest) -> bytes:
    return msgspec.json.encode(request)


def decode_request(data: bytes) -> LetterRequest:
    """The structured request of a letter; ``ValueError`` when the attachment is not one."""
    try:
        return msgspec.json.decode(data, type=LetterRequest)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise ValueError(f"{REQUEST_FILE} is not a DSOP letter request: {error}") from None


def answer_type(file_name: str, data: bytes) -> str:
    """The content type of an answer file; ``ValueError`` unless it is an XLSX (a ZIP) or a PDF, as named."""
    lower = file_name.lower()
    suffix = next((s for s in ANSWER_TYPES if lower.endswith(s)), None)
    if suffix is None:
        raise ValueError(f"{file_name}: answer with an .xlsx or .pdf file")
    if len(data) > MAX_ANSWER_BYTES:
        raise ValueError(f"{file_name}: {len(data)} bytes is over the {MAX_ANSWER_BYTES} bytes an answer may hold")
    magic = b"PK\x03\x04" if suffix == ".xlsx" else b"%PDF-"
    if not data.startswith(magic):
        raise ValueError(f"{file_name}: the file is not a {suffix[1:].upper()} (its first bytes say otherwise)")
    return ANSWER_TYPES[suffix]


__all__ = [
    "ANSWER_TYPES",
    "MAX_ANSWER_BYTES",
    "REQUEST_FILE",
    "REQUEST_TYPE",
    "RESOURCE",
    "LetterRequest",
    "answer_type",
    "decode_request",
    "encode_request",
]
