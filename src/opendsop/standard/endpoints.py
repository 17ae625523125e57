"""The endpoints of the two DSOP APIs, named once for every rule that refers to them.

Step 1 is the Customer Relations Overview run by Bits (DSOP “Endpoint customerRelationships V.2.0”; DSOP “Endpoint
accountServicingProvider V.2.0”); step 2 is each
bank's Control API (DSOP “Endpoint … V.2.0” pages).  The values of the step-2 members are the extradition order's
permission flags (``accountList``, ``accountDetails``, …; DSOP Politi “Utleveringspålegg”), so a Politi
request can be checked against its order by name.

>>> Endpoint.CARDS.step
2
>>> Endpoint("accountList") is Endpoint.ACCOUNTS
True
"""

from __future__ import annotations

from enum import StrEnum


class Endpoint(StrEnum):
    CUSTOMER_RELATIONSHIPS = "customerRelationships"
    ACCOUNT_SERVICING_PROVIDER = "accountServicingProvider"
    ACCOUNTS = "accountList"
    ACCOUNT_DETAILS = "accountDetails"
    TRANSACTIONS = "transactions"
    CARDS = "cards"
    ROLES = "roles"

    @property
    def step(self) -> int:
        return 1 if self in STEP_1 else 2

    @property
    def operation_id(self) -> str:
        """The operationId in Bank_v2.yaml / KAR.yaml."""
        return _OPERATION_IDS[self]


STEP_1 = frozenset({Endpoint.CUSTOMER_RELATIONSHIPS, Endpoint.ACCOUNT_SERVICING_PROVIDER})
CONTROL_ENDPOINTS = (
    Endpoint.ACCOUNTS,
    Endpoint.ACCOUNT_DETAILS,
    Endpoint.TRANSACTIONS,
    Endpoint.CARDS,
    Endpoint.ROLES,
)

_OPERATION_IDS = {
    Endpoint.CUSTOMER_RELATIONSHIPS: "getCustomerRelation",
    Endpoint.ACCOUNT_SERVICING_PROVIDER: "getAccountServicingProvider",
    Endpoint.ACCOUNTS: "listAccounts",
    Endpoint.ACCOUNT_DETAILS: "showAccountById",
    Endpoint.TRANSACTIONS: "listTransactions",
    Endpoint.CARDS: "listCards",
    Endpoint.ROLES: "listRoles",
}

__all__ = ["CONTROL_ENDPOINTS", "STEP_1", "Endpoint"]
