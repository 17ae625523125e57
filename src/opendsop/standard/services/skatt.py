"""Skatt-kontroll: Skatteetaten's tax-control cases (DSOP Skatt “Løsningsbeskrivelse”).

All five endpoints; ``OnlyPrimaryOwner`` TRUE or FALSE; ``RequesterID`` must carry the case
handler; no additional reference; up to 10 years back.  ``account.servicer.name`` is not
delivered; the bank may answer ``accountReference = "dataNotDelivered"``.
"""

from opendsop.standard import mandate
from opendsop.standard.delivery import Category, delivery_table
from opendsop.standard.endpoints import CONTROL_ENDPOINTS, Endpoint
from opendsop.standard.services._profile import OwnerRule, PeriodRule, ServiceProfile

SKATT = ServiceProfile(
    key="skatt",
    name="Skatt-kontroll",
    consumer="Skatteetaten",
    consumer_orgs=frozenset({"974761076"}),
    step1_mandates=(mandate.SKATT.key,),
    step2_mandates=(mandate.SKATT.key,),
    endpoints=frozenset({Endpoint.CUSTOMER_RELATIONSHIPS, *CONTROL_ENDPOINTS}),
    owner_rule=OwnerRule.EITHER,
    period_rule=PeriodRule.TEN_YEARS,
    requester_id_required=True,
    data_not_delivered_allowed=True,
    delivery=delivery_table(CONTROL_ENDPOINTS, overrides={"account.servicer.name": Category.UI}),
)
