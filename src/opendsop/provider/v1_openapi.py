"""The bank's OpenAPI document for Control API v1, built to match the contract ``Bank_v1.yaml`` (1.1.1).

Same five operationIds as v2, with v1's parameters: no ``OnlyPrimaryOwner``, no ``RequesterID``,
``PartyID`` optional and ``AccountID`` (listAccounts only), ``AdditionalReferenceIDType`` with the
single value ``pol``; v1's responses: no 406, errors as ``Error400`` … ``Error500`` and ``Error``,
200 as the v1 body (``application/json``) or a JWE string (``application/jose``).  The 200 bodies
are generated from ``standard.control.v1``, the models the bank encodes.  How the bank *answers*
these inputs (v1's rules while its window is open: ``pol`` for the police, ``AccountID`` refused) is
stated in the descriptions, from provider/v1.py.  The paging parameter ``continuationToken`` is marked
``x-opendsop`` as in v2.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from opendsop.provider.openapi import (
    ACCOUNT_REFERENCE,
    COMMON_HEADERS,
    CONTINUATION,
    PERIOD,
    decimals_as_numbers,
    header,
)
from opendsop.standard.control.v1 import AccountDetails, Accounts, Cards, Error, Roles, Transactions

_REF = "#/components/schemas/{name}"

REFERENCE_HEADERS: Final = (
    header(
        "AdditionalReferenceID", "Reference according to AdditionalReferenceIDType.", {"type": "string"}, required=False
    ),
    header(
        "AdditionalReferenceIDType",
        "What AdditionalReferenceID contains: pol ('<police district>;<firstname "
        "lastname>', percent-encoded) with Straffeprosessloven § 210 første or tredje ledd.",
        {"enum": ["pol"]},
        required=False,
    ),
)
LIST_ACCOUNTS_PARTY: Final = (
    header(
        "PartyID",
        "fødselsnummer, D-number or organisation number of the party (required by this bank).",
        {"type": "string"},
        required=False,
    ),
    header(
        "AccountID",
        "The account number.  Not in use: this bank refuses it (400 ACC-001).",
        {"type": "string"},
        required=False,
    ),
)

# operationId, path, tag, summary, 200 schema, has 404, parameters
OPERATIONS: Final[tuple[tuple[str, str, str, str, type[Any], bool, tuple[dict[str, Any], ...]], ...]] = (
    (
        "listAccounts",
        "/accounts",
        "accounts",
        "List of accounts for a party and period; empty list if no hits.",
        Accounts,
        False,
        (*COMMON_HEADERS, *LIST_ACCOUNTS_PARTY, *REFERENCE_HEADERS, *PERIOD),
    ),
    (
        "showAccountById",
        "/accounts/{accountReference}",
        "accounts",
        "Account details, including balances, for one account.",
        AccountDetails,
        True,
        (ACCOUNT_REFERENCE, *COMMON_HEADERS, *REFERENCE_HEADERS, *PERIOD),
    ),
    (
        "listTransactions",
        "/accounts/{accountReference}/transactions",
        "transactions",
        "Transactions of one account in the period, paged through the 'next' link; empty list if no hits.",
        Transactions,
        True,
        (ACCOUNT_REFERENCE, *COMMON_HEADERS, *REFERENCE_HEADERS, *PERIOD, CONTINUATION),
    ),
    (
        "listCards",
        "/accounts/{accountReference}/cards",
        "cards",
        "Cards linked to one account in the period; empty list if no hits.",
        Cards,
        True,
        (ACCOUNT_REFERENCE, *COMMON_HEADERS, *REFERENCE_HEADERS, *PERIOD),
    ),
    (
        "listRoles",
        "/accounts/{accountReference}/roles",
        "roles",
        "Everyone holding a role on one account in the period; empty list if no hits.",
        Roles,
        True,
        (ACCOUNT_REFERENCE, *COMMON_HEADERS, *REFERENCE_HEADERS, *PERIOD),
    ),
)

# status, error schema name, description (Bank_v1.yaml has no 406)
ERROR_RESPONSES: Final = (
    ("400", "Error400", "ACC-001: invalid request, or not expressible in v1; the message names the parameter."),
    ("401", "Error401", "ACC-010: the access token is missing or invalid."),
    ("403", "Error403", "ACC-011: the consumer is not authorised for this request."),
    ("404", "Error404", "ACC-002 (unknown accountReference) or ACC-003 (not available for this request)."),
    ("405", "Error405", "ACC-012: only GET is supported."),
    ("429", "Error429", "ACC-022: too many requests; see Retry-After."),
    ("500", "Error500", "ACC-500: internal error."),
    (
        "default",
        "Error",
        "Any other error, same body (e.g. 406 ACC-013; 503 ACC-100: a source system, such as the "
        "bank's database, did not answer; see Retry-After).",
    ),
)
JOSE_BODY: Final = {
    "type": "string",
    "format": "byte",
    "description": "Encrypted response according to JWE compact serialization",
}


def _responses(body: str, has_404: bool) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": "Valid response: JWE (application/jose); plaintext application/json only in test when "
            "asked for.",
            "content": {
                "application/json": {"schema": {"$ref": _REF.format(name=body)}},
                "application/jose": {"schema": dict(JOSE_BODY)},
            },
        }
    }
    for status, schema, description in ERROR_RESPONSES:
        if status == "404" and not has_404:
            continue
        responses[status] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": _REF.format(name=schema)}}},
        }
    return responses


def build_document(server_url: str, *, title: str = "Accounts API", bank_name: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of a bank serving Control API v1 at ``server_url``."""
    _, components = msgspec.json.schema_components([operation[4] for operation in OPERATIONS], ref_template=_REF)
    schemas = decimals_as_numbers(components)
    error_schema = msgspec.json.schema_components([Error], ref_template=_REF)[1]["Error"]
    for _status, name, _description in ERROR_RESPONSES:
        schemas[name] = dict(error_schema)
    paths = {
        path: {
            "get": {
                "tags": [tag],
                "summary": summary,
                "operationId": operation_id,
                "parameters": [dict(parameter) for parameter in parameters],
                "responses": _responses(body.__name__, has_404),
            }
        }
        for operation_id, path, tag, summary, body, has_404, parameters in OPERATIONS
    }
    description = (
        "DSOP Control API v1 (Bank_v1.yaml), kept for consumers still on v1 and answered by the v2 "
        "rules; see /v2/openapi.json for the supported version, served by opendsop"
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": "1.1.1",
            "description": description + (f" for {bank_name}." if bank_name else "."),
        },
        "servers": [{"url": server_url}],
        "security": [{"accountsAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "accountsAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "Access token (JWT)"}
            },
        },
    }


__all__ = ["OPERATIONS", "build_document"]
