"""The bank's own OpenAPI document, built to match the contract ``Bank_v2.yaml`` (Accounts API 2.0.0).

Decides what the bank publishes about itself: the five GET operations with the contract's
operationIds, parameters (name, place, required, schema) and responses (200 as
``application/json`` and ``application/jose``; 400/401/403/(404)/405/406/429/500/default as
``{code, message}``), the bearer security scheme, and the 200 bodies generated from the very msgspec
models the bank encodes (``standard.control.v2``), so the document cannot drift from the wire.

Two deliberate additions, both marked ``x-opendsop``: the paging query parameter
``continuationToken`` on ``listTransactions`` (the standard names none; consumers follow the
``next`` link verbatim), and the document is OpenAPI 3.1 because msgspec emits JSON Schema 2020-12.
The handlers read headers themselves (all validation is ``standard.authorize``'s, in its order),
so the document is written here rather than inferred from handler signatures.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from opendsop.standard.control.v2 import AccountDetails, Accounts, Cards, Error, Roles, Transactions
from opendsop.standard.paging import CONTINUATION_PARAM

_REF = "#/components/schemas/{name}"
_UUID = {"type": "string", "format": "uuid"}
_STRING = {"type": "string"}
_DATE = {"type": "string", "format": "date"}


def _header(name: str, description: str, schema: dict[str, Any], *, required: bool) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "description": description,
        "required": required,
        "style": "simple",
        "explode": False,
        "schema": schema,
    }


def _query(name: str, description: str, schema: dict[str, Any], *, required: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "required": required,
        "style": "form",
        "explode": name != "OnlyPrimaryOwner",
        "schema": schema,
    }


ACCOUNT_REFERENCE: Final = {
    "name": "accountReference",
    "in": "path",
    "required": True,
    "style": "simple",
    "explode": False,
    "description": "Opaque reference to the account from this consumer's Accounts response in the same case.",
    "schema": _STRING,
}
COMMON_HEADERS: Final = (
    _header("AccountInfoRequestID", "Case reference, identical for every request of one case.", _UUID, required=True),
    _header("CorrelationID", "Unique identifier of this technical request.", _UUID, required=True),
    _header(
        "Legal-Mandate", "The legal basis, URL-encoded; validated for the calling consumer.", _STRING, required=True
    ),
)
OPTIONAL_HEADERS: Final = (
    _header(
        "AdditionalReferenceID",
        "Reference according to AdditionalReferenceIDType (Politi: the "
        "extradition order as JWS; Vergekontroll: the guardian's fødselsnummer or D-number).",
        _STRING,
        required=False,
    ),
    _header(
        "AdditionalReferenceIDType", "What AdditionalReferenceID contains.", {"enum": ["pol1", "srf"]}, required=False
    ),
    _header(
        "RequesterID",
        "Identifier of the user at the public agency (required by Skatt and Politi).",
        _STRING,
        required=False,
    ),
)
PERIOD: Final = (
    _query("fromDate", "From date (inclusive); today if absent.", _DATE),
    _query("toDate", "To date (inclusive); today if absent.", _DATE),
)
CONTINUATION: Final = {
    **_query(CONTINUATION_PARAM, "Opaque page token; follow the 'next' link of the previous page unchanged.", _STRING),
    "x-opendsop": "paging parameter of this implementation; Bank_v2.yaml names none",
}

# operationId, path (relative to the server URL), tag, summary, 200 schema, has 404, extra parameters
OPERATIONS: Final[tuple[tuple[str, str, str, str, type[Any], bool, tuple[dict[str, Any], ...]], ...]] = (
    (
        "listAccounts",
        "/accounts",
        "accounts",
        "List of accounts for a party and period; empty list if no hits.",
        Accounts,
        False,
        (
            *COMMON_HEADERS,
            _header("PartyID", "fødselsnummer, D-number or organisation number of the party.", _STRING, required=True),
            _query(
                "OnlyPrimaryOwner",
                "Only accounts the party owns as primary owner if true.",
                {"type": "boolean"},
                required=True,
            ),
            *OPTIONAL_HEADERS,
            *PERIOD,
        ),
    ),
    (
        "showAccountById",
        "/accounts/{accountReference}",
        "accounts",
        "Account details, including balances, for one account.",
        AccountDetails,
        True,
        (ACCOUNT_REFERENCE, *COMMON_HEADERS, *OPTIONAL_HEADERS, *PERIOD),
    ),
    (
        "listTransactions",
        "/accounts/{accountReference}/transactions",
        "transactions",
        "Transactions of one account in the period, paged through the 'next' link; empty list if no hits.",
        Transactions,
        True,
        (ACCOUNT_REFERENCE, *COMMON_HEADERS, *OPTIONAL_HEADERS, *PERIOD, CONTINUATION),
    ),
    (
        "listCards",
        "/accounts/{accountReference}/cards",
        "cards",
        "Cards linked to one account in the period; empty list if no hits.",
        Cards,
        True,
        (ACCOUNT_REFERENCE, *COMMON_HEADERS, *OPTIONAL_HEADERS, *PERIOD),
    ),
    (
        "listRoles",
        "/accounts/{accountReference}/roles",
        "roles",
        "Everyone holding a role on one account in the period; empty list if no hits.",
        Roles,
        True,
        (ACCOUNT_REFERENCE, *COMMON_HEADERS, *OPTIONAL_HEADERS, *PERIOD),
    ),
)

ERROR_RESPONSES: Final = (
    ("400", "ACC-001: invalid request; the message names the parameter."),
    ("401", "ACC-010: the access token is missing or invalid."),
    ("403", "ACC-011: the consumer is not authorised for this request."),
    ("404", "ACC-002 (unknown accountReference) or ACC-003 (not available for this request)."),
    ("405", "ACC-012: only GET is supported."),
    ("406", "ACC-013: the Accept header names nothing the bank can send."),
    ("429", "ACC-022: too many requests; see Retry-After."),
    ("500", "ACC-500: internal error."),
    (
        "default",
        "Any other error, same body: notably 503 ACC-100, a source system (the bank's database, a "
        "register, CertPub) did not answer; see Retry-After.",
    ),
)


def _responses(body: str, has_404: bool) -> dict[str, Any]:
    ok = {"$ref": _REF.format(name=body)}
    responses: dict[str, Any] = {
        "200": {
            "description": "Encrypted as JWE compact serialization (application/jose); plaintext "
            "application/json only in test when asked for.",
            "content": {"application/json": {"schema": ok}, "application/jose": {"schema": ok}},
        },
    }
    error = {"content": {"application/json": {"schema": {"$ref": _REF.format(name="Error")}}}}
    for status, description in ERROR_RESPONSES:
        if status == "404" and not has_404:
            continue
        responses[status] = {"description": description, **error}
    return responses


def _decimals_as_numbers(node: Any) -> Any:
    """msgspec describes ``Decimal`` as a string; the wire writes amounts as JSON numbers (standard.wire)."""
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "decimal":
            return {key: value for key, value in node.items() if key != "format"} | {"type": "number"}
        return {key: _decimals_as_numbers(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_decimals_as_numbers(item) for item in node]
    return node


def build_document(server_url: str, *, title: str = "Accounts API", bank_name: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of a bank serving the Control API v2 at ``server_url``."""
    bodies = [operation[4] for operation in OPERATIONS]
    _, components = msgspec.json.schema_components([*bodies, Error], ref_template=_REF)
    paths: dict[str, Any] = {}
    for operation_id, path, tag, summary, body, has_404, parameters in OPERATIONS:
        paths[path] = {
            "get": {
                "tags": [tag],
                "summary": summary,
                "operationId": operation_id,
                "parameters": [dict(parameter) for parameter in parameters],
                "responses": _responses(body.__name__, has_404),
            }
        }
    description = "DSOP Control API v2 (Kontrollinformasjon fellesstandard), served by opendsop"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": "2.0.0",
            "description": description + (f" for {bank_name}." if bank_name else "."),
        },
        "servers": [{"url": server_url}],
        "security": [{"accountsAuth": []}],
        "paths": paths,
        "components": {
            "schemas": _decimals_as_numbers(components),
            "securitySchemes": {
                "accountsAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "Access token (JWT)"}
            },
        },
    }


# Shared with the v1 document (v1_openapi.py).
header = _header
decimals_as_numbers = _decimals_as_numbers

__all__ = [
    "ACCOUNT_REFERENCE",
    "COMMON_HEADERS",
    "CONTINUATION",
    "OPERATIONS",
    "PERIOD",
    "build_document",
    "decimals_as_numbers",
    "header",
]
