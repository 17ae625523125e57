"""Oppgjør etter dødsfall (Digitalt dødsbo): heirs' overview of the estate (DSOP OED “Løsningsbeskrivelse”).

Accounts, AccountDetails and Transactions (Cards, Roles → 400 ACC-001); the party is the deceased
(fødselsnummer or D-number), who must be officially dead in Folkeregisteret; ``OnlyPrimaryOwner``
TRUE only; from at most 3 months before the date of death to today.  Digdir's organisation number
differs between the service pages (974720760) and the CertPub table (991825827); both are accepted.
"""

from opendsop.standard import mandate
from opendsop.standard.delivery import Category, delivery_table
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services._profile import OwnerRule, PartyKind, PeriodRule, ServiceProfile

_ENDPOINTS = (Endpoint.ACCOUNTS, Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS)
_KAN_FILTRERES_BORT = (
    "transactions.counterParties.accountIdentifier",
    *(
        f"transactions.counterParties.postalAddress.{leaf}"
        for leaf in ("postCode", "type", "streetName", "buildingNumber", "townName", "country", "addressLines")
    ),
    *(
        f"transactions.currencyExchange.{leaf}"
        for leaf in ("originalAmount", "sourceCurrency", "targetCurrency", "unitCurrency", "exchangeRate")
    ),
)

OED = ServiceProfile(
    key="oed",
    name="Oppgjør etter dødsfall",
    consumer="Digdir (Digitalt dødsbo)",
    consumer_orgs=frozenset({"974720760", "991825827"}),
    # Both steps: the løsningsbeskrivelse's text; step 1 also: the legal page's narrower § 92 basis.
    step1_mandates=(mandate.OED.key, mandate.OED_RELATIONS.key),
    step2_mandates=(mandate.OED.key,),
    endpoints=frozenset({Endpoint.CUSTOMER_RELATIONSHIPS, *_ENDPOINTS}),
    owner_rule=OwnerRule.TRUE_ONLY,
    period_rule=PeriodRule.AROUND_DEATH,
    lookback_months=3,
    party_kind=PartyKind.PERSON,
    delivery=delivery_table(
        _ENDPOINTS,
        overrides={"account.name": Category.UI, **{path: Category.KF for path in _KAN_FILTRERES_BORT}},
        technical_extra=("transactions.references.value", "transactions.references.type"),
    ),
)
