"""FI-Utlegg Saldo (beta): Skatteetaten/Namsmannen read a debtor's balances for attachment
(DSOP FI-Utlegg “Om tjenesten”, DSOP FI-Utlegg “Løsningsbeskrivelse saldo”).

Accounts and AccountDetails only (Transactions, Cards, Roles → 400 ACC-001); ``OnlyPrimaryOwner``
TRUE only; fromDate = toDate = today.  Only the test mandate ``FI-Utlegg-Test`` is published, so
production refuses this service until the real string exists.

Two consumers, both through Skatteetaten's shared component Kontoforespørsel: the innkrevingsmyndighet
(**IM**, Skatteetaten 974761076, step-1 scope ``bits:kundeforhold``) and the alminnelig namsmann (**AN**,
Politiet 915429785, step-1 scope ``bits:kundeforhold.fi.utlegg.an``, Skatteetaten as supplier).  The bank
validates the consumer, not the supplier ("consumer.ID skal brukes for å validere datakonsumenten").
"""

from dataclasses import replace
from typing import Final

from opendsop.standard import mandate, scopes
from opendsop.standard.delivery import Category, delivery_table
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services._profile import OwnerRule, PeriodRule, ServiceProfile

_ENDPOINTS = (Endpoint.ACCOUNTS, Endpoint.ACCOUNT_DETAILS)
IM: Final = "974761076"  # innkrevingsmyndighetene (Skatteetaten, case system Innfri)
AN: Final = "915429785"  # alminnelig namsmann (Politiet, case system SIRO)
STEP1_SCOPES: Final = {IM: scopes.CUSTOMER_RELATIONS, AN: scopes.CUSTOMER_RELATIONS_FI_UTLEGG_AN}

FI_UTLEGG = ServiceProfile(
    key="fi_utlegg",
    name="FI-Utlegg Saldo",
    consumer="Skatteetaten (innkrevingsmyndighet, IM)",
    consumer_orgs=frozenset({IM}),
    step1_mandates=(mandate.FI_UTLEGG_TEST.key,),
    step2_mandates=(mandate.FI_UTLEGG_TEST.key,),
    endpoints=frozenset({Endpoint.CUSTOMER_RELATIONSHIPS, *_ENDPOINTS}),
    owner_rule=OwnerRule.TRUE_ONLY,
    period_rule=PeriodRule.TODAY_ONLY,
    provisional=True,
    delivery=delivery_table(_ENDPOINTS, overrides={"account.name": Category.UI}),
)

# The same service asked by the alminnelig namsmann: its own consumer and step-1 scope, the same rules.
FI_UTLEGG_AN = replace(
    FI_UTLEGG,
    key="fi_utlegg_an",
    name="FI-Utlegg Saldo (AN)",
    consumer="Politiet (alminnelig namsmann, AN) with Skatteetaten as supplier",
    consumer_orgs=frozenset({AN}),
)


def relations_scope(service: str, consumer_org: str) -> str:
    """The scope a step-1 call needs: FI-Utlegg's per consumer (AN has its own), ``bits:kundeforhold`` otherwise."""
    if service in (FI_UTLEGG.key, FI_UTLEGG_AN.key):
        return STEP1_SCOPES.get(consumer_org, scopes.CUSTOMER_RELATIONS)
    return scopes.CUSTOMER_RELATIONS
