"""Vergekontroll: SRF's annual control of guardians (DSOP Vergekontroll “Løsningsbeskrivelse”).

Accounts, AccountDetails, Transactions and Roles (Cards → 400 ACC-001); the party is the ward
(vergehaver); ``AdditionalReferenceIDType`` = ``srf`` with the guardian's fødselsnummer or
D-number, and Folkeregisteret must show a guardianship for this ward with this guardian holding
the task ``representasjonDagligbank``; ``OnlyPrimaryOwner`` TRUE only; the last calendar year, and
only the part of it in which the guardianship existed.
"""

from opendsop.standard import mandate
from opendsop.standard.delivery import Category, delivery_table
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services._profile import (
    OwnerRule,
    PartyKind,
    PeriodRule,
    ReferenceKind,
    ServiceProfile,
)

_ENDPOINTS = (Endpoint.ACCOUNTS, Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS, Endpoint.ROLES)

VERGE = ServiceProfile(
    key="verge",
    name="Vergekontroll",
    consumer="Statens sivilrettsforvaltning",
    consumer_orgs=frozenset({"986186999"}),
    # vergemålsforskriften § 20a first paragraph: letter a (customer relations), letters b-e (account data).
    step1_mandates=(mandate.VERGE_RELATIONS.key,),
    step2_mandates=(mandate.VERGE.key,),
    endpoints=frozenset({Endpoint.CUSTOMER_RELATIONSHIPS, *_ENDPOINTS}),
    owner_rule=OwnerRule.TRUE_ONLY,
    period_rule=PeriodRule.LAST_CALENDAR_YEAR,
    party_kind=PartyKind.PERSON,
    reference=ReferenceKind.GUARDIAN,
    delivery=delivery_table(_ENDPOINTS, overrides={"account.name": Category.UI}),
)
