"""FI-Utlegg Saldo (beta): Skatteetaten/Namsmannen read a debtor's balances for attachment
(DSOP FI-Utlegg “Om tjenesten”, DSOP FI-Utlegg “Løsningsbeskrivelse saldo”).

Accounts and AccountDetails only (Transactions, Cards, Roles → 400 ACC-001); ``OnlyPrimaryOwner``
TRUE only; fromDate = toDate = today.  Only the test mandate ``FI-Utlegg-Test`` is published, so
production refuses this service until the real string exists.
"""

from opendsop.standard import mandate
from opendsop.standard.delivery import Category, delivery_table
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services._profile import OwnerRule, PeriodRule, ServiceProfile

_ENDPOINTS = (Endpoint.ACCOUNTS, Endpoint.ACCOUNT_DETAILS)

FI_UTLEGG = ServiceProfile(
    key="fi_utlegg",
    name="FI-Utlegg Saldo",
    consumer="Skatteetaten (Namsmannen)",
    consumer_orgs=frozenset({"974761076"}),
    step1_mandates=(mandate.FI_UTLEGG_TEST.key,),
    step2_mandates=(mandate.FI_UTLEGG_TEST.key,),
    endpoints=frozenset({Endpoint.CUSTOMER_RELATIONSHIPS, *_ENDPOINTS}),
    owner_rule=OwnerRule.TRUE_ONLY,
    period_rule=PeriodRule.TODAY_ONLY,
    provisional=True,
    delivery=delivery_table(_ENDPOINTS, overrides={"account.name": Category.UI}),
)
