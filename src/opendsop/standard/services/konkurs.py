"""Konkursbehandling: the bankruptcy trustee's view of the debtor (DSOP Konkurs “Løsningsbeskrivelse”).

Accounts, AccountDetails and Transactions only (Cards, Roles → 400 ACC-001); ``OnlyPrimaryOwner``
TRUE only; no additional reference or RequesterID; from at most 12 months before the ruling date
(``kjennelsesdato`` from the Konkursvarsel notice) to today.  Almost every field is "Til vurdering".
"""

from opendsop.standard import mandate
from opendsop.standard.delivery import Category, delivery_table
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services._profile import OwnerRule, PeriodRule, ServiceProfile

_ENDPOINTS = (Endpoint.ACCOUNTS, Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS)
_SKAL_UTLEVERES = {"responseDetails.message", "accounts.status", "account.status"}

KONKURS = ServiceProfile(
    key="konkurs",
    name="Konkursbehandling",
    consumer="Brønnøysundregistrene (bostyrer)",
    consumer_orgs=frozenset({"974760673"}),
    step1_mandates=(mandate.KONKURS.key,),
    step2_mandates=(mandate.KONKURS.key,),
    endpoints=frozenset({Endpoint.CUSTOMER_RELATIONSHIPS, *_ENDPOINTS}),
    owner_rule=OwnerRule.TRUE_ONLY,
    period_rule=PeriodRule.BEFORE_KJENNELSESDATO,
    lookback_months=12,
    delivery=delivery_table(
        _ENDPOINTS,
        default=Category.TV,
        overrides={
            **{path: Category.SU for path in _SKAL_UTLEVERES},
            "account.servicer.name": Category.UI,
        },
    ),
    notes=("Every account returned is expected to have status = disabled (blocked).",),
)
